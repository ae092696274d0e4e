"""One driver at a time: each multiplier moved down and up by X% from the chosen scenario, every
other driver held, and the effect on NPV and on the payback month. The drivers are then ranked
by the larger of their two NPV swings (the tornado) and, separately, by their payback shift.

The discount rate is a driver of NPV only: it moves no cash, so it never shifts the payback.
A payback pushed past the horizon counts as a shift to one month beyond it, and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pilotgate.errors import InvalidInput
from pilotgate.finance.model import Case, basis, flows, npv_many, payback_many
from pilotgate.finance.scenarios import driver_label

DEFAULT_PCT = 20.0
MAX_PCT = 90.0


@dataclass(frozen=True)
class Swing:
    driver: str
    label: str
    low_npv: float  # the driver moved down by pct
    high_npv: float  # the driver moved up by pct
    low_payback: int | None
    high_payback: int | None
    npv_effect: float  # the larger |ΔNPV| of the two moves
    payback_effect: float  # the larger |Δ payback months| of the two moves (beyond horizon = horizon + 1)


@dataclass(frozen=True)
class Sensitivity:
    scenario: str
    pct: float
    npv: float
    payback_month: int | None
    swings: tuple[Swing, ...]  # sorted by npv_effect, largest first
    by_payback: tuple[str, ...]  # driver ids sorted by payback_effect, largest first


def pct_or_raise(pct: float) -> float:
    if not 0 < pct <= MAX_PCT:
        raise InvalidInput("pct", f"{pct:g} is outside 0 … {MAX_PCT:g}: move each driver by e.g. 20 (%)")
    return float(pct)


def _month(value: float) -> int | None:
    return None if np.isinf(value) else int(value)


def sensitivity(case: Case, scenario: str = "conservative", pct: float = DEFAULT_PCT) -> Sensitivity:
    """Every driver moved ±pct% from `scenario`, in one batch of 2 × drivers + 1 rows."""
    step = pct_or_raise(pct) / 100.0
    centre = case.multipliers(scenario)
    drivers = case.drivers
    rows = np.repeat(centre[None, :], 2 * len(drivers) + 1, axis=0)
    for i in range(len(drivers)):
        rows[1 + 2 * i, i] *= 1.0 - step
        rows[2 + 2 * i, i] *= 1.0 + step
    investment, run, benefits = flows(case, rows, basis(case))
    net = benefits - investment - run
    npvs = npv_many(net, case.discount_rate)
    paybacks = payback_many(net)
    beyond = case.horizon_months + 1.0
    shown = np.where(np.isinf(paybacks), beyond, paybacks)
    swings = [
        Swing(
            driver=d,
            label=driver_label(case, d),
            low_npv=float(npvs[1 + 2 * i]),
            high_npv=float(npvs[2 + 2 * i]),
            low_payback=_month(paybacks[1 + 2 * i]),
            high_payback=_month(paybacks[2 + 2 * i]),
            npv_effect=float(max(abs(npvs[1 + 2 * i] - npvs[0]), abs(npvs[2 + 2 * i] - npvs[0]))),
            payback_effect=float(max(abs(shown[1 + 2 * i] - shown[0]), abs(shown[2 + 2 * i] - shown[0]))),
        )
        for i, d in enumerate(drivers)
    ]
    rate_npvs = [float(npv_many(net[0], case.discount_rate * factor)) for factor in (1.0 - step, 1.0 + step)]
    payback = _month(paybacks[0])
    swings.append(
        Swing(
            "discount_rate",
            driver_label(case, "discount_rate"),
            rate_npvs[0],
            rate_npvs[1],
            payback,
            payback,
            max(abs(v - float(npvs[0])) for v in rate_npvs),
            0.0,
        )
    )
    swings.sort(key=lambda s: (-s.npv_effect, s.driver))
    by_payback = tuple(s.driver for s in sorted(swings, key=lambda s: (-s.payback_effect, s.driver)))
    return Sensitivity(scenario, float(pct), float(npvs[0]), payback, tuple(swings), by_payback)


def sensitivity_dict(result: Sensitivity) -> dict[str, Any]:
    return {
        "scenario": result.scenario,
        "pct": result.pct,
        "npv": round(result.npv, 2),
        "payback_month": result.payback_month,
        "drivers": [
            {
                "driver": s.driver,
                "label": s.label,
                "low_npv": round(s.low_npv, 2),
                "high_npv": round(s.high_npv, 2),
                "npv_effect": round(s.npv_effect, 2),
                "low_payback": s.low_payback,
                "high_payback": s.high_payback,
                "payback_effect": s.payback_effect,
            }
            for s in result.swings
        ],
        "by_payback": list(result.by_payback),
    }
