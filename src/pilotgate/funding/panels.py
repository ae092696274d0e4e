"""What the pages show of production funding: the use case panel and the portfolio warning."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pilotgate.db.uow import UnitOfWork
from pilotgate.funding import rules, service
from pilotgate.usecases.models import UseCase

CHECK_TITLES = {
    "pathway_identified": ("Gate 2", "Production funding pathway identified"),
    "production_funded": ("Gate 3", "Production budget approved, business-unit ownership formalised"),
}


def _money(amount: str, currency: str) -> str:
    return rules.money(Decimal(amount), currency)


def funding_panel(uow: UnitOfWork, use_case: UseCase) -> dict[str, Any]:
    """The use case page's funding: both computed checks, the transition and every budget line."""
    data = service.summary(uow, use_case)
    today = uow.now().date().isoformat()
    for line in data["lines"]:
        line["money"] = _money(line["amount"], line["currency"])
        line["current"] = line["period_start"] <= today <= line["period_end"]
        line["ended"] = line["period_end"] < today
    data["checks"] = [
        {"id": name, "gate": CHECK_TITLES[name][0], "title": CHECK_TITLES[name][1], **result}
        for name, result in data["checks"].items()
    ]
    data["today"] = today
    return data


def portfolio_panel(uow: UnitOfWork) -> dict[str, Any]:
    """The portfolio page's funding section, with amounts formatted per currency."""
    data = service.portfolio(uow)
    data["approved_shown"] = {
        source: [_money(amount, currency) for currency, amount in amounts.items()]
        for source, amounts in data["approved_by_source"].items()
    }
    for warning in data["production_on_project_money"]:
        warning["project_shown"] = [_money(a, c) for c, a in warning["project_amount"].items()]
    return data
