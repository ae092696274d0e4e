"""What the use case page shows of AI operations: the three computed checks, the records and the rubric."""

from __future__ import annotations

from typing import Any

from pilotgate.db.uow import UnitOfWork
from pilotgate.operations import checks, rules
from pilotgate.usecases.models import UseCase

CHECK_TITLES = {
    "ready": ("Gate 3", "Operations readiness"),
    "owned": ("Gate 4", "Operations ownership"),
    "sustainable": ("Gate 4", "Sustainability without the AI programme"),
}


def _shown(moment: str | None) -> str:
    return moment[:16].replace("T", " ") if moment else ""


def operations_panel(uow: UnitOfWork, use_case: UseCase) -> dict[str, Any]:
    data = checks.summary(uow, use_case)
    for incident in data["incidents"]:
        incident["opened_shown"] = _shown(incident["opened_at"])
        incident["resolved_shown"] = _shown(incident["resolved_at"])
        minutes = incident["minutes_to_resolve"]
        incident["took"] = rules.duration(minutes) if minutes is not None else ""
    data["open_incidents"] = [i for i in data["incidents"] if not i["resolved_at"]]
    data["on_call_today"] = [e for e in data["oncall"] if e["current"]]
    data["checks"] = [
        {"id": name, "gate": CHECK_TITLES[name][0], "title": CHECK_TITLES[name][1], **result}
        for name, result in data["checks"].items()
    ]
    data["severities"] = rules.SEVERITIES
    return data
