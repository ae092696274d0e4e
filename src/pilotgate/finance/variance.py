"""Plan against actual for a use case: the variance by month and cumulatively, the re-forecast from
actuals (method in finance/tracking.py), and the chart of both against the plan."""

from __future__ import annotations

from typing import Any

from pilotgate.db.uow import UnitOfWork
from pilotgate.finance import charts, months, scenarios, tracking
from pilotgate.finance.actuals import monthly_actuals
from pilotgate.finance.model import Case, evaluate
from pilotgate.finance.models import BusinessCase
from pilotgate.finance.service import case_of, get_or_raise
from pilotgate.usecases.models import UseCase

METHOD = (
    "Elapsed months (month 0 to the latest month with an actual) take their actual costs and benefits; "
    "the remaining months keep the planned costs and the planned benefits scaled by benefits realised "
    "over benefits planned in the elapsed months (at most 2; 1 while none were planned yet)."
)


def _context(uow: UnitOfWork, use_case: UseCase, scenario: str | None) -> tuple[BusinessCase, Case, str]:
    chosen = scenarios.scenario_or_raise(scenario)
    row = get_or_raise(uow, use_case)
    return row, case_of(row), chosen


def variance_of(uow: UnitOfWork, use_case: UseCase, *, scenario: str | None = None) -> dict[str, Any]:
    """Plan (the scenario, conservative by default) against actuals for every elapsed month."""
    row, case, chosen = _context(uow, use_case, scenario)
    plan = evaluate(case, chosen)
    costs, benefits, outside = monthly_actuals(uow, use_case, row)
    rows = tracking.variance_rows(plan, costs, benefits)
    start = row.spec["start"]
    for line in rows:
        line["label"] = months.label(start, line["month"])
    return {
        "use_case": use_case.key,
        "version": row.version,
        "scenario": chosen,
        "currency": case.currency,
        "start": start,
        "elapsed_months": len(rows),
        "as_of": months.label(start, len(rows) - 1) if rows else None,
        "outside_horizon": outside,
        "months": rows,
        "totals": tracking.variance_totals(rows),
    }


def reforecast_of(uow: UnitOfWork, use_case: UseCase, *, scenario: str | None = None) -> dict[str, Any]:
    """The case re-forecast from its actuals, beside the plan it started from."""
    row, case, chosen = _context(uow, use_case, scenario)
    plan = evaluate(case, chosen)
    costs, benefits, outside = monthly_actuals(uow, use_case, row)
    result = tracking.reforecast(plan, costs, benefits, case.discount_rate)
    start = row.spec["start"]
    cumulative = result.cumulative
    return {
        "use_case": use_case.key,
        "version": row.version,
        "scenario": chosen,
        "currency": case.currency,
        "method": METHOD,
        "elapsed_months": result.elapsed,
        "outside_horizon": outside,
        "benefit_ratio": round(result.benefit_ratio, 4),
        "plan": scenarios.headline(plan),
        "reforecast": {
            "npv": round(result.npv, 2),
            "irr": None if result.irr is None else round(result.irr, 4),
            "payback_month": result.payback_month,
            "roi_pct": None if result.roi_pct is None else round(result.roi_pct, 1),
            "total_costs": round(float(result.costs.sum()), 2),
            "total_benefits": round(float(result.benefits.sum()), 2),
        },
        "monthly": [
            {
                "month": t,
                "label": months.label(start, t),
                "actual": t < result.elapsed,
                "cost": round(float(result.costs[t]), 2),
                "benefit": round(float(result.benefits[t]), 2),
                "cumulative": round(float(cumulative[t]), 2),
            }
            for t in range(case.horizon_months)
        ],
    }


def plan_vs_actual(
    uow: UnitOfWork, use_case: UseCase, row: BusinessCase, case: Case, scenario: str
) -> dict[str, Any] | None:
    """The chart of cumulative plan, actual and re-forecast; None while no actual is recorded."""
    costs, benefits, _ = monthly_actuals(uow, use_case, row)
    if not len(costs):
        return None
    plan = evaluate(case, scenario)
    result = tracking.reforecast(plan, costs, benefits, case.discount_rate)
    start = row.spec["start"]
    labels = [months.label(start, t) for t in range(case.horizon_months)]
    return charts.plan_vs_actual_chart(
        labels,
        list(plan.cumulative),
        list(result.cumulative[: result.elapsed]),
        list(result.cumulative),
        scenario=scenario,
        currency=case.currency,
    )
