"""What the use case page shows of the business case: headline figures per scenario (the
conservative one first), warnings, the three charts, plan against actual and the tied indicators."""

from __future__ import annotations

from typing import Any

from pilotgate.db.uow import UnitOfWork
from pilotgate.finance import indicators, repository, service, variance
from pilotgate.finance.model import SCENARIOS
from pilotgate.usecases.models import UseCase

RECENT_MONTHS = 6


def _money(value: float | None, currency: str) -> str:
    if value is None:
        return "—"
    sign = "−" if value < 0 else ""
    return f"{sign}{currency} {abs(value):,.0f}"


def _payback(month: int | None, horizon: int) -> str:
    return f"month {month}" if month is not None else f"not within {horizon} months"


def _number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _irr(value: float | None) -> str:
    if value is None:
        return "—"
    return "above 1,000%" if value > 10 else f"{value * 100:.1f}%"


def _figures(figures: dict[str, Any], currency: str, horizon: int) -> dict[str, Any]:
    return {
        **figures,
        "npv_shown": _money(figures["npv"], currency),
        "payback_shown": _payback(figures["payback_month"], horizon),
        "roi_shown": _pct(figures["roi_pct"]),
        "irr_shown": _irr(figures["irr"]),
        "costs_shown": _money(figures["total_investment"] + figures["total_run_costs"], currency),
        "benefits_shown": _money(figures["total_benefits"], currency),
    }


def business_case_panel(uow: UnitOfWork, use_case: UseCase) -> dict[str, Any]:
    """The business case section's data; `exists` is False when the use case has none."""
    row = repository.current(uow, use_case)
    if row is None:
        return {"exists": False}
    summary = service.case_summary(uow, use_case)
    assert summary is not None
    shown = service.show(uow, use_case)
    currency, horizon = shown["currency"], shown["horizon_months"]
    mc = summary["monte_carlo"]
    gap = variance.variance_of(uow, use_case)
    forecast = variance.reforecast_of(uow, use_case) if gap["months"] else None
    return {
        "exists": True,
        "version": shown["version"],
        "author": shown["author"],
        "created_at": shown["created_at"],
        "title": shown["title"],
        "currency": currency,
        "horizon": horizon,
        "start": shown["start"],
        "go_live_month": shown["go_live_month"],
        "discount_pct": f"{shown['discount_rate'] * 100:.1f}%",
        "has_run_costs": any(m["run_costs"] > 0 for m in shown["monthly"]),
        "warnings": summary["warnings"],
        "scenarios": [{"name": name, **_figures(shown["scenarios"][name], currency, horizon)} for name in SCENARIOS],
        "multipliers": shown["multipliers"],
        "monte_carlo": {
            **mc,
            "npv_shown": [_money(mc[f"npv_p{p}"], currency) for p in (10, 50, 90)],
            "payback_shown": [_payback(mc[f"payback_p{p}"], horizon) for p in (10, 50, 90)],
            "within": [(m, f"{mc[f'p_payback_{m}'] * 100:.0f}%") for m in (12, 24, 36)],
        },
        "charts": summary["charts"],
        "variance": {
            **gap,
            "recent": [
                {**m, **{k + "_shown": _money(m[k], currency) for k in m if isinstance(m[k], float)}}
                for m in gap["months"][-RECENT_MONTHS:]
            ],
            "totals_shown": {
                k: _money(v, currency) for k, v in gap["totals"].items() if isinstance(v, float) and "pct" not in k
            },
        },
        "reforecast": None
        if forecast is None
        else {
            **forecast,
            "shown": _figures(
                {
                    **forecast["reforecast"],
                    "total_investment": forecast["reforecast"]["total_costs"],
                    "total_run_costs": 0.0,
                },
                currency,
                horizon,
            ),
            "ratio_shown": f"{forecast['benefit_ratio'] * 100:.0f}%",
        },
        "indicators": [
            {**i, "expected_shown": _number(i["expected"]), "measured_shown": _number(i["measured"])}
            for i in indicators.indicators_of(uow, use_case)["indicators"]
        ],
    }
