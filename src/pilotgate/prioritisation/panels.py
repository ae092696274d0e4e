"""What the pages show of prioritisation: the use case page's scorecard section and the form."""

from __future__ import annotations

from typing import Any

from pilotgate.db.uow import UnitOfWork
from pilotgate.prioritisation import service
from pilotgate.prioritisation.views import money
from pilotgate.usecases.models import UseCase


def form_values(summary: dict[str, Any]) -> dict[str, Any]:
    """The form prefilled from the newest scorecard (scores, rationales, value, currency)."""
    card = summary["scorecard"]
    if card is None:
        return {"scores": {}, "rationales": {}, "expected_value": "", "currency": summary["currency"], "note": ""}
    return {
        "scores": {s["criterion"]: str(s["score"]) for s in card["scores"]},
        "rationales": {s["criterion"]: s["rationale"] for s in card["scores"]},
        "expected_value": card["expected_value"] or "",
        "currency": card["currency"] or summary["currency"],
        "note": card["note"],
    }


def scorecard_panel(uow: UnitOfWork, use_case: UseCase) -> dict[str, Any]:
    """The use case page's scorecard: the newest version with each criterion's part, and the form."""
    data = service.summary(uow, use_case)
    card = data["scorecard"]
    if card is not None:
        card["money"] = money(card["expected_value"], card["currency"])
        for score in card["scores"]:
            score["percent"] = round(100 * score["weight_share"])
    data["steps"] = list(range(data["scale"]["min"], data["scale"]["max"] + 1))
    data["form"] = form_values(data)
    return data
