"""Use cases as plain data for the CLI, the API and the pages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pilotgate.db.uow import UnitOfWork
from pilotgate.evidence import service as evidence
from pilotgate.gates import repository as reviews
from pilotgate.policy.model import Policy
from pilotgate.usecases import service
from pilotgate.usecases.models import UseCase


def summary(use_case: UseCase, now: datetime, policy: Policy | None = None) -> dict[str, Any]:
    days = (now - use_case.stage_entered_at).days
    out: dict[str, Any] = {
        "key": use_case.key,
        "title": use_case.title,
        "stage": use_case.stage,
        "status": use_case.status,
        "business_unit": use_case.business_unit,
        "risk_tier": use_case.risk_tier,
        "stage_entered_at": use_case.stage_entered_at.isoformat(),
        "days_in_stage": days,
        "tags": use_case.tag_names,
    }
    if policy is not None:
        stage = policy.stage(use_case.stage)
        if stage is not None:
            out["expected_duration"] = stage.expected_duration.describe()
            limit = stage.expected_duration.max_weeks
            out["expected_max_days"] = limit * 7 if limit and not stage.operational else None
            out["overdue"] = use_case.status == "active" and stage.overdue(days)
    return out


def detail(uow: UnitOfWork, key: str) -> dict[str, Any]:
    use_case = service.get_or_raise(uow, key)
    policy = service.policy_of(uow, use_case)
    out = summary(use_case, uow.now(), policy)
    out["description"] = use_case.description
    out["policy"] = use_case.policy_name
    out["roles"] = {a.role: {"email": a.person.email, "name": a.person.name} for a in use_case.assignments}
    review = reviews.open_review(uow, use_case.id)
    out["open_review"] = (
        None
        if review is None
        else {
            "id": review.id,
            "gate": review.gate_number,
            "opened_by": review.opened_by.email,
            "opened_at": review.opened_at.isoformat(),
        }
    )
    out["stale_metrics"] = evidence.stale_keys(uow, use_case, policy)
    out["stage_history"] = [
        {
            "stage": h.stage,
            "entered_at": h.entered_at.isoformat(),
            "left_at": h.left_at.isoformat() if h.left_at else None,
            "reason": h.reason,
        }
        for h in service.stage_history(uow, use_case)
    ]
    out["decisions"] = [
        {
            "gate": d.review.gate_number,
            "decision": d.kind,
            "from_stage": d.from_stage,
            "to_stage": d.to_stage,
            "status": d.resulting_status,
            "by": d.decided_by.email,
            "at": d.decided_at.isoformat(),
            "rationale": d.rationale,
            "snapshot_sha256": d.snapshot_sha256,
            "conditions": [
                {"text": c.text, "owner": c.owner.email, "due": c.due_date.isoformat(), "status": c.status}
                for c in d.conditions
            ],
        }
        for d in reviews.decisions_of(uow, use_case.id)
    ]
    return out
