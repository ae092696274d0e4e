"""The three scenarios of a case (conservative, base, optimistic) and their headline figures.

A case is presented on its conservative scenario unless someone asks for another: the framework
says to build on conservative assumptions and show the sensitivity, not the hoped-for outcome.
"""

from __future__ import annotations

from typing import Any

from pilotgate.errors import InvalidInput
from pilotgate.finance.model import SCENARIOS, Case, Outcome, evaluate

PRESENTED = "conservative"
DRIVER_LABELS = {
    "investment": "Investment (all phases)",
    "run_costs": "Run costs",
    "ramp_timing": "Ramp timing (value later)",
    "discount_rate": "Discount rate",
}


def scenario_or_raise(name: str | None) -> str:
    chosen = (name or PRESENTED).strip().lower()
    if chosen not in SCENARIOS:
        raise InvalidInput("scenario", f"{chosen!r} is not one of {', '.join(SCENARIOS)}")
    return chosen


def driver_label(case: Case, driver: str) -> str:
    if driver in DRIVER_LABELS:
        return DRIVER_LABELS[driver]
    names = {b.id: b.name for b in case.benefits}
    return f"Benefit: {names.get(driver, driver)}"


def evaluate_all(case: Case) -> dict[str, Outcome]:
    return {name: evaluate(case, name) for name in SCENARIOS}


def headline(outcome: Outcome) -> dict[str, Any]:
    """The figures a sponsor reads first, rounded to the cent (ROI and IRR to 0.1%)."""
    return {
        "npv": round(outcome.npv, 2),
        "irr": None if outcome.irr is None else round(outcome.irr, 4),
        "payback_month": outcome.payback_month,
        "roi_pct": None if outcome.roi_pct is None else round(outcome.roi_pct, 1),
        "total_investment": round(float(outcome.investment.sum()), 2),
        "total_run_costs": round(float(outcome.run.sum()), 2),
        "total_benefits": round(float(outcome.benefits.sum()), 2),
    }


def monthly(outcome: Outcome) -> list[dict[str, Any]]:
    """The monthly lines of one scenario: investment, run costs, benefits, net and cumulative."""
    cumulative = outcome.cumulative
    return [
        {
            "month": t,
            "investment": round(float(outcome.investment[t]), 2),
            "run_costs": round(float(outcome.run[t]), 2),
            "benefits": round(float(outcome.benefits[t]), 2),
            "net": round(float(outcome.net[t]), 2),
            "cumulative": round(float(cumulative[t]), 2),
        }
        for t in range(len(cumulative))
    ]


def multipliers_table(case: Case) -> list[dict[str, Any]]:
    """Each driver's multiplier in each scenario, for the page and the CLI."""
    return [
        {"driver": d, "label": driver_label(case, d), **{s: case.scenarios[s][d] for s in SCENARIOS}}
        for d in case.drivers
    ]
