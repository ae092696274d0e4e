"""Funding records as plain data for the CLI, the API, the pages and the audit trail."""

from __future__ import annotations

from typing import Any

from pilotgate.funding.models import BudgetLine, FundingTransition


def line_dict(row: BudgetLine, use_case: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "use_case": use_case,
        "source": row.source,
        "status": row.status,
        "amount": f"{row.amount:.2f}",
        "currency": row.currency,
        "business_unit": row.business_unit,
        "cost_centre": row.cost_centre,
        "owner": row.owner.email,
        "period_start": row.period_start.isoformat(),
        "period_end": row.period_end.isoformat(),
        "approved_by": row.approver.email if row.approver else None,
        "approved_at": row.approved_at.isoformat(timespec="seconds") if row.approved_at else None,
        "note": row.note,
        "created_at": row.created_at.isoformat(timespec="seconds"),
        "created_by": row.created_by,
    }


def transition_dict(row: FundingTransition, use_case: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "use_case": use_case,
        "from": row.from_source,
        "to": row.to_source,
        "business_unit": row.business_unit,
        "cost_centre": row.cost_centre,
        "effective_date": row.effective_date.isoformat(),
        "budget_line_id": row.budget_line_id,
        "approved_by": row.approver.email,
        "approved_at": row.approved_at.isoformat(timespec="seconds"),
        "note": row.note,
    }


def check_dict(result: Any) -> dict[str, Any]:
    return {"status": result.status, "note": result.note, "detail": result.detail}
