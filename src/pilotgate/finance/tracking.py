"""Plan against actuals: the variance month by month and cumulatively, and a re-forecast.

The elapsed months are month 0 up to the latest month with any recorded actual; within them a
month with no record of a kind counts as zero of that kind.

Re-forecast method: the elapsed months take their actual costs and benefits in place of the
plan; the remaining months keep the planned costs (budgets are commitments; an overrun shows in
the variance) and the planned benefits scaled by the realisation ratio — benefits realised over
benefits planned across the elapsed months, capped at 2 so that one early month that beats a
small plan does not multiply the whole future. While the plan expected no benefit yet, the ratio
is 1: there is no evidence yet to scale by. NPV, IRR, payback and ROI are then computed on the
re-forecast exactly as on the plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pilotgate.finance.model import Floats, Outcome, figures

MAX_RATIO = 2.0


@dataclass(frozen=True)
class Reforecast:
    elapsed: int
    benefit_ratio: float
    costs: Floats
    benefits: Floats
    npv: float
    irr: float | None
    payback_month: int | None
    roi_pct: float | None

    @property
    def cumulative(self) -> Floats:
        return np.cumsum(self.benefits - self.costs)


def _money(value: float) -> float:
    return round(float(value), 2)


def variance_rows(plan: Outcome, actual_costs: Floats, actual_benefits: Floats) -> list[dict[str, Any]]:
    """One row per elapsed month: plan, actual and variance (actual − plan) of costs, benefits, net,
    and the cumulative net of both."""
    elapsed = len(actual_costs)
    plan_costs, plan_benefits = plan.costs[:elapsed], plan.benefits[:elapsed]
    plan_cumulative = np.cumsum(plan_benefits - plan_costs)
    actual_cumulative = np.cumsum(actual_benefits - actual_costs)
    return [
        {
            "month": t,
            "plan_cost": _money(plan_costs[t]),
            "actual_cost": _money(actual_costs[t]),
            "cost_variance": _money(actual_costs[t] - plan_costs[t]),
            "plan_benefit": _money(plan_benefits[t]),
            "actual_benefit": _money(actual_benefits[t]),
            "benefit_variance": _money(actual_benefits[t] - plan_benefits[t]),
            "plan_cumulative": _money(plan_cumulative[t]),
            "actual_cumulative": _money(actual_cumulative[t]),
            "cumulative_variance": _money(actual_cumulative[t] - plan_cumulative[t]),
        }
        for t in range(elapsed)
    ]


def variance_totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def total(field: str) -> float:
        return _money(sum(r[field] for r in rows))

    plan_cost, actual_cost = total("plan_cost"), total("actual_cost")
    plan_benefit, actual_benefit = total("plan_benefit"), total("actual_benefit")
    return {
        "months": len(rows),
        "plan_cost": plan_cost,
        "actual_cost": actual_cost,
        "cost_variance": _money(actual_cost - plan_cost),
        "cost_variance_pct": None if plan_cost <= 0 else round((actual_cost - plan_cost) / plan_cost * 100, 1),
        "plan_benefit": plan_benefit,
        "actual_benefit": actual_benefit,
        "benefit_variance": _money(actual_benefit - plan_benefit),
        "benefit_variance_pct": (
            None if plan_benefit <= 0 else round((actual_benefit - plan_benefit) / plan_benefit * 100, 1)
        ),
        "cumulative_variance": rows[-1]["cumulative_variance"] if rows else 0.0,
    }


def reforecast(plan: Outcome, actual_costs: Floats, actual_benefits: Floats, annual_rate: float) -> Reforecast:
    """The plan with its elapsed months replaced by actuals and its remaining benefits scaled."""
    elapsed = len(actual_costs)
    planned = float(plan.benefits[:elapsed].sum())
    ratio = min(MAX_RATIO, float(actual_benefits.sum()) / planned) if planned > 0 else 1.0
    costs = np.concatenate([actual_costs, plan.costs[elapsed:]])
    benefits = np.concatenate([actual_benefits, plan.benefits[elapsed:] * ratio])
    npv, irr, payback, roi = figures(costs, benefits, annual_rate)
    return Reforecast(elapsed, ratio, costs, benefits, npv, irr, payback, roi)
