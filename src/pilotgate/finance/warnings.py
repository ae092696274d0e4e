"""Honesty checks: what in a business case deserves a second look before a sponsor signs it.

They do not refuse a case — a case may have good reasons — but they are shown wherever the case
is, first. Grounded in the framework's honest ROI timeline: 6% of organisations see AI ROI
payoff within a year (Gartner, November 2025), most that reach production report 2–4 years,
so project ROI over 3 years; production has run costs with no end date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from pilotgate.finance.model import Case, Outcome

HONEST_HORIZON = 36
FAST_PAYBACK = 12


@dataclass(frozen=True)
class CaseWarning:
    code: str
    message: str


def _payback(outcomes: Mapping[str, Outcome]) -> list[CaseWarning]:
    fast = [
        (s, o.payback_month)
        for s, o in outcomes.items()
        if o.payback_month is not None and o.payback_month < FAST_PAYBACK
    ]
    if not fast or all(s == "optimistic" for s, _ in fast):
        return []
    claims = ", ".join(f"{m} months on the {s} scenario" for s, m in fast if s != "optimistic")
    return [
        CaseWarning(
            "payback_under_12_months",
            f"Payback in {claims}: only 6% of organisations see AI ROI payoff within a year (Gartner, "
            "November 2025) and most that reach production report 2–4 years. Check the benefit ramp, "
            "the adoption it assumes and the run costs.",
        )
    ]


def _timeline(case: Case) -> list[CaseWarning]:
    found = []
    pilot_starts = [p.start_month for p in case.phases if p.kind == "pilot"]
    first_pilot = min(pilot_starts) if pilot_starts else None
    earliest = min(b.ramp.early_month for b in case.benefits)
    if first_pilot is not None and earliest < first_pilot:
        found.append(
            CaseWarning(
                "benefits_before_pilot",
                f"Benefits start in month {earliest:g}, before the pilot starts (month {first_pilot}): "
                "value before a pilot has run is a hope, not a plan.",
            )
        )
    full = [b for b in case.benefits if b.ramp.full_month < case.go_live_month]
    if full:
        names = ", ".join(b.name for b in full)
        found.append(
            CaseWarning(
                "full_value_before_go_live",
                f"Full value before production go-live (month {case.go_live_month}) for: {names}. "
                "Full value needs the production system adopted at scale.",
            )
        )
    if case.go_live_month >= case.horizon_months:
        found.append(
            CaseWarning(
                "no_production_within_horizon",
                f"Production go-live (month {case.go_live_month}) is past the {case.horizon_months}-month "
                "horizon: the case never shows the system running.",
            )
        )
    return found


def _scenarios(case: Case) -> list[CaseWarning]:
    conservative, base = case.scenarios["conservative"], case.scenarios["base"]
    rosier = []
    for driver in case.drivers:
        better_when_higher = driver not in ("investment", "run_costs", "ramp_timing")
        gap = conservative[driver] - base[driver]
        if (gap > 1e-9) if better_when_higher else (gap < -1e-9):
            rosier.append(driver)
    if not rosier:
        return []
    return [
        CaseWarning(
            "conservative_not_conservative",
            f"The conservative scenario is rosier than the base one for: {', '.join(rosier)}. "
            "Conservative means less benefit, later, at more cost.",
        )
    ]


def case_warnings(case: Case, outcomes: Mapping[str, Outcome]) -> list[CaseWarning]:
    """Every warning that applies to a case, given the outcome of each of its scenarios."""
    found = _payback(outcomes)
    if case.horizon_months < HONEST_HORIZON:
        found.append(
            CaseWarning(
                "horizon_under_3_years",
                f"The horizon is {case.horizon_months} months: project AI ROI over 3 years (36 months), "
                "not 12 — most production systems take 2–4 years to pay back.",
            )
        )
    runs_in_horizon = case.go_live_month < case.horizon_months
    if runs_in_horizon and sum(r.monthly for r in case.run_costs) <= 0:
        found.append(
            CaseWarning(
                "no_run_costs",
                f"No run costs after production go-live (month {case.go_live_month}): a production system "
                "needs maintenance, monitoring, retraining and support with no end date. Add them under run_costs.",
            )
        )
    found += _timeline(case)
    found += _scenarios(case)
    return found
