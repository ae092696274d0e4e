"""Business case records as plain data for the CLI, the API, the pages and the audit trail."""

from __future__ import annotations

from typing import Any

from pilotgate.finance.models import BusinessCase, BusinessCaseActual


def version_dict(row: BusinessCase, use_case: str) -> dict[str, Any]:
    return {
        "use_case": use_case,
        "version": row.version,
        "author": row.author,
        "created_at": row.created_at.isoformat(timespec="seconds"),
        "note": row.note,
    }


def actual_dict(row: BusinessCaseActual, use_case: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "use_case": use_case,
        "month": row.month.strftime("%Y-%m"),
        "kind": row.kind,
        "category": row.category,
        "amount": f"{row.amount:.2f}",
        "note": row.note,
        "source": row.source,
        "recorded_by": row.recorded_by,
        "recorded_at": row.recorded_at.isoformat(timespec="seconds"),
    }
