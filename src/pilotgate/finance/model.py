"""The business case model: what a case says, and its monthly cash flows, NPV, IRR, payback and ROI.

Months count from the start of the case: month 0 is its first month. A phase costs its monthly
amount in the months `start_month ≤ t < end_month`. Run costs (maintenance, monitoring, retraining,
support) start at production go-live and never end: production is operational infrastructure.
A benefit driver reaches its full annual value along a ramp through three points — early
indicators, measurable ROI, full value — and holds it from then on.

Every figure is computed for a batch of driver multipliers at once, as (rows × months) arrays:
one row for a scenario, two per driver for the sensitivity, one per draw for the Monte Carlo.
Driver multipliers: `investment` scales every phase's cost, `run_costs` every run cost,
`ramp_timing` stretches every ramp in time (1.25 = each ramp point 25% later), and each
benefit's id scales its annual value.

Conventions: NPV is numpy_financial.npv at the monthly rate equivalent to the annual discount
rate, so month 0 is not discounted; IRR is numpy_financial.irr of the monthly flows, annualised;
the payback month is how many months pass until the cumulative cash flow turns non-negative for
good (1 = within the first month; None = not within the horizon); ROI % is total benefits less
total costs over the horizon, as a percentage of total costs, undiscounted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import numpy_financial as npf

Floats = npt.NDArray[np.float64]

PHASE_KINDS: tuple[str, ...] = ("discovery", "poc", "pilot", "production", "scale")
RUN_COST_CATEGORIES: tuple[str, ...] = (
    "maintenance",
    "monitoring",
    "retraining",
    "support",
    "infrastructure",
    "licences",
    "other",
)
RAMP_SHAPES: tuple[str, ...] = ("linear", "s_curve", "step")
SCENARIOS: tuple[str, ...] = ("conservative", "base", "optimistic")
DISTRIBUTIONS: tuple[str, ...] = ("pert", "triangular")
FIXED_DRIVERS: tuple[str, ...] = ("investment", "run_costs", "ramp_timing")
INVESTMENT, RUN_COSTS, RAMP_TIMING = 0, 1, 2  # their columns in a multiplier matrix
TOLERANCE = 0.005  # half a cent: a cumulative sum this close to zero counts as paid back


@dataclass(frozen=True)
class Phase:
    kind: str
    start_month: int
    end_month: int  # exclusive: the phase costs in months start_month … end_month - 1
    monthly_cost: float
    name: str = ""


@dataclass(frozen=True)
class RunCost:
    category: str
    monthly: float
    name: str = ""


@dataclass(frozen=True)
class Ramp:
    early_month: float
    measurable_month: float
    full_month: float
    early_share: float = 0.1
    measurable_share: float = 0.5
    shape: str = "s_curve"


@dataclass(frozen=True)
class Benefit:
    id: str
    name: str
    annual_value: float  # at full realisation
    ramp: Ramp


@dataclass(frozen=True)
class DriverRange:
    low: float
    mode: float
    high: float
    distribution: str = "pert"


@dataclass(frozen=True)
class Case:
    currency: str
    horizon_months: int
    discount_rate: float  # annual, e.g. 0.10
    phases: tuple[Phase, ...]
    run_costs: tuple[RunCost, ...]
    benefits: tuple[Benefit, ...]
    go_live_month: int
    scenarios: dict[str, dict[str, float]]  # scenario -> driver -> multiplier, every driver present
    ranges: dict[str, DriverRange]  # driver -> Monte Carlo range of its multiplier, every driver present
    start: str | None = None  # the calendar month of month 0, "YYYY-MM"
    title: str = ""
    indicators: tuple[dict[str, Any], ...] = field(default=())

    @property
    def drivers(self) -> tuple[str, ...]:
        return FIXED_DRIVERS + tuple(b.id for b in self.benefits)

    def multipliers(self, scenario: str) -> Floats:
        chosen = self.scenarios[scenario]
        return np.array([chosen[d] for d in self.drivers], dtype=np.float64)


@dataclass(frozen=True)
class Outcome:
    """One scenario's monthly figures and headline results."""

    investment: Floats
    run: Floats
    benefits: Floats
    npv: float
    irr: float | None  # annual
    payback_month: int | None
    roi_pct: float | None

    @property
    def costs(self) -> Floats:
        return self.investment + self.run

    @property
    def net(self) -> Floats:
        return self.benefits - self.costs

    @property
    def cumulative(self) -> Floats:
        return np.cumsum(self.net)


def _eased(u: Floats, shape: str) -> Floats:
    if shape == "s_curve":
        return u * u * (3.0 - 2.0 * u)
    if shape == "step":
        return (u >= 1.0).astype(np.float64)
    return u


def _progress(t: Floats, start: float, end: float) -> Floats:
    """How far t is from start to end, clipped to 0…1 (a zero-length segment is done once reached)."""
    if end <= start:
        return (t >= end).astype(np.float64)
    return np.clip((t - start) / (end - start), 0.0, 1.0)


def ramp_shares(t: Floats, ramp: Ramp) -> Floats:
    """The share of full value reached at month(s) t: 0 before the early month, then through
    (early, early_share), (measurable, measurable_share), (full, 1) — linear, eased (s_curve) or
    held until the next point (step) — and 1 from the full month on."""
    rising = _eased(_progress(t, ramp.early_month, ramp.measurable_month), ramp.shape)
    rest = _eased(_progress(t, ramp.measurable_month, ramp.full_month), ramp.shape)
    started = t >= ramp.early_month
    span = ramp.measurable_share - ramp.early_share
    return np.asarray(started * (ramp.early_share + span * rising + (1.0 - ramp.measurable_share) * rest))


@dataclass(frozen=True)
class Basis:
    """The parts of a case's cash flows that do not depend on the multipliers."""

    months: Floats
    investment: Floats
    run: Floats
    benefits: tuple[tuple[float, Ramp], ...]  # monthly value at full realisation, ramp


def basis(case: Case) -> Basis:
    months = np.arange(case.horizon_months, dtype=np.float64)
    investment = np.zeros(case.horizon_months)
    for phase in case.phases:
        investment[phase.start_month : min(phase.end_month, case.horizon_months)] += phase.monthly_cost
    run = np.where(months >= case.go_live_month, sum(r.monthly for r in case.run_costs), 0.0)
    benefits = tuple((b.annual_value / 12.0, b.ramp) for b in case.benefits)
    return Basis(months, investment, run.astype(np.float64), benefits)


def flows(case: Case, multipliers: Floats, base: Basis | None = None) -> tuple[Floats, Floats, Floats]:
    """Investment, run costs and benefits per month for each row of driver multipliers (rows × months)."""
    base = base or basis(case)
    rows = np.atleast_2d(multipliers)
    investment = rows[:, INVESTMENT, None] * base.investment
    run = rows[:, RUN_COSTS, None] * base.run
    timing = rows[:, RAMP_TIMING, None]
    benefits = np.zeros((rows.shape[0], case.horizon_months))
    # A stretched ramp at month t is the plain ramp at t / timing; one ramp does for every row
    # when the timing is the same in all of them.
    same_timing = bool(np.all(timing == timing[0]))
    at = base.months / timing[0] if same_timing else base.months / timing
    for column, (monthly, ramp) in enumerate(base.benefits, start=len(FIXED_DRIVERS)):
        benefits += (rows[:, column, None] * monthly) * ramp_shares(at, ramp)
    return investment, run, benefits


def monthly_rate(annual: float) -> float:
    return float((1.0 + annual) ** (1.0 / 12.0) - 1.0)


def discount_factors(annual: float, months: int) -> Floats:
    return np.asarray((1.0 + monthly_rate(annual)) ** -np.arange(months, dtype=np.float64))


def npv_many(net: Floats, annual: float) -> Floats:
    """NPV of each row: the same sum as numpy_financial.npv, as one matrix product for many rows."""
    return np.asarray(net @ discount_factors(annual, net.shape[-1]))


def payback_many(net: Floats) -> Floats:
    """Payback month of each row; inf where the cumulative cash flow is still negative at the end."""
    rows = np.atleast_2d(net)
    negative = np.cumsum(rows, axis=1) < -TOLERANCE
    months = rows.shape[1]
    last_negative = months - 1 - np.argmax(negative[:, ::-1], axis=1)
    ever = negative.any(axis=1)
    payback = np.where(ever, last_negative + 2.0, 1.0)
    return np.where(ever & (last_negative == months - 1), np.inf, payback)


def irr_annual(net: Floats) -> float | None:
    """numpy_financial.irr of the monthly flows, annualised; None when it is undefined."""
    if not (np.any(net < 0) and np.any(net > 0)):
        return None
    monthly = float(npf.irr(net))
    if not np.isfinite(monthly) or monthly <= -1.0:
        return None
    return float((1.0 + monthly) ** 12 - 1.0)


def roi_pct(costs: float, benefits: float) -> float | None:
    return None if costs <= 0 else (benefits - costs) / costs * 100.0


def figures(
    costs: Floats, benefits: Floats, annual_rate: float
) -> tuple[float, float | None, int | None, float | None]:
    """NPV, annual IRR, payback month and ROI % of one series of monthly costs and benefits."""
    net = benefits - costs
    payback = float(payback_many(net)[0])
    return (
        float(npf.npv(monthly_rate(annual_rate), net)),
        irr_annual(net),
        None if np.isinf(payback) else int(payback),
        roi_pct(float(costs.sum()), float(benefits.sum())),
    )


def outcome(case: Case, multipliers: Floats, *, discount_rate: float | None = None) -> Outcome:
    """The figures of one row of multipliers (a scenario)."""
    investment, run, benefits = (a[0] for a in flows(case, multipliers))
    rate = case.discount_rate if discount_rate is None else discount_rate
    npv, irr, payback, roi = figures(investment + run, benefits, rate)
    return Outcome(investment, run, benefits, npv, irr, payback, roi)


def evaluate(case: Case, scenario: str = "conservative") -> Outcome:
    return outcome(case, case.multipliers(scenario))
