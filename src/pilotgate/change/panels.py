"""What the use case page shows of change management: each population's plan with its items,
training attendance against target, adoption beside it, and the computed checks."""

from __future__ import annotations

from typing import Any

from pilotgate.change import rules, service
from pilotgate.db.uow import UnitOfWork
from pilotgate.usecases import service as usecases
from pilotgate.usecases.models import UseCase

CHECK_TITLES = {
    "complete": ("Gate 3", "Workflow redesign complete, training delivered, managers engaged"),
    "populations_planned": ("Scale", "Training and briefings planned for every population"),
}


def _item_view(item: dict[str, Any], today: str) -> dict[str, Any]:
    item["label"] = rules.KIND_LABELS[item["kind"]]
    item["overdue"] = bool(item["due_date"] and not item["completed_at"] and item["due_date"] < today)
    item["held"] = item["completed_at"] is not None
    if item["kind"] == "training":
        item["upcoming"] = bool(item["session_date"] and item["session_date"] > today)
        target = item["attendance_target"] or 0
        item["reached"] = item["attendance"] is not None and item["attendance"] >= target
    return item


def change_panel(uow: UnitOfWork, use_case: UseCase) -> dict[str, Any]:
    """The use case page's change management section."""
    data = service.summary(uow, use_case)
    today = uow.now().date().isoformat()
    for plan in data["plans"]:
        plan["items"] = [_item_view(item, today) for item in plan["items"]]
        trainings = [i for i in plan["items"] if i["kind"] == "training" and i["held"]]
        plan["attendance"] = sum(i["attendance"] or 0 for i in trainings)
        plan["attendance_target"] = sum(i["attendance_target"] or 0 for i in trainings)
        adoption = plan["adoption"]
        adoption["percent"] = None if adoption["rate"] is None else round(adoption["rate"] * 100)
        adoption["reached"] = adoption["rate"] is not None and adoption["rate"] >= adoption["threshold"]
    data["checks"] = [
        {"id": name, "gate": CHECK_TITLES[name][0], "title": CHECK_TITLES[name][1], **result}
        for name, result in data["checks"].items()
    ]
    data["people"] = [{"email": p.email, "name": p.name} for p in usecases.person_list(uow)]
    data["kinds"] = [(kind, rules.KIND_LABELS[kind]) for kind in rules.KINDS]
    data["today"] = today
    return data
