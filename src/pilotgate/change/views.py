"""Change records as plain data for the CLI, the API, the pages and the audit trail."""

from __future__ import annotations

from typing import Any

from pilotgate.change.models import ChangeItem, ChangePlan


def _at(value: Any) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def _day(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def item_dict(row: ChangeItem, use_case: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "use_case": use_case,
        "plan_id": row.plan_id,
        "population": row.plan.population,
        "kind": row.kind,
        "title": row.title,
        "owner": row.owner.email,
        "due_date": _day(row.due_date),
        "audience": row.audience,
        "session_date": _day(row.session_date),
        "attendance_target": row.attendance_target,
        "attendance": row.attendance,
        "note": row.note,
        "created_at": _at(row.created_at),
        "created_by": row.created_by,
        "completed_at": _at(row.completed_at),
        "completed_by": row.completer.email if row.completer else None,
        "completion_note": row.completion_note,
    }


def plan_dict(row: ChangePlan, use_case: str, *, items: bool = True) -> dict[str, Any]:
    found: dict[str, Any] = {
        "id": row.id,
        "use_case": use_case,
        "population": row.population,
        "expansion": row.expansion,
        "cohort": row.cohort,
        "target_users": row.target_users,
        "owner": row.owner.email,
        "note": row.note,
        "created_at": _at(row.created_at),
        "created_by": row.created_by,
    }
    if items:
        found["items"] = [item_dict(item, use_case) for item in row.items]
    return found


def check_dict(result: Any) -> dict[str, Any]:
    return {"status": result.status, "note": result.note, "detail": result.detail}
