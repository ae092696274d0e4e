"""Monte Carlo over the drivers' ranges: every driver's multiplier drawn from its triangular or
PERT (beta) distribution, the whole simulation one (draws × months) computation.

Draws come from a seeded numpy Generator, so the same seed gives the same answer. Payback
percentiles use the inverted-CDF quantile (an actual draw, never an interpolation between a
month and "never"): a percentile that falls on a draw that never pays back within the horizon
is None. A range with min = max is that value in every draw.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pilotgate.errors import InvalidInput
from pilotgate.finance.model import Case, DriverRange, Floats, basis, flows, npv_many, payback_many

DEFAULT_DRAWS = 10_000
DEFAULT_SEED = 20_260_101
MAX_DRAWS = 200_000
MAX_CELLS = 8_000_000  # draws × months: keeps each (draws × months) array under 64 MB
WITHIN = (12, 24, 36)


@dataclass(frozen=True)
class Simulation:
    draws: int
    seed: int
    npv: Floats  # one per draw
    payback: Floats  # months; inf where a draw never pays back within the horizon


def draws_or_raise(draws: int) -> int:
    if not 100 <= draws <= MAX_DRAWS:
        raise InvalidInput("draws", f"{draws} is outside 100 … {MAX_DRAWS}; 10000 is usual")
    return int(draws)


def seed_or_raise(seed: int) -> int:
    if not 0 <= seed < 2**63:
        raise InvalidInput("seed", f"{seed} is not a non-negative integer")
    return int(seed)


def _triangular(u: Floats, low: Floats, mode: Floats, high: Floats) -> Floats:
    """Inverse CDF of the triangular distribution, column by column."""
    width = high - low
    safe = np.where(width > 0, width, 1.0)
    cut = (mode - low) / safe
    rising = low + np.sqrt(u * safe * (mode - low))
    falling = high - np.sqrt((1.0 - u) * safe * (high - mode))
    return np.asarray(np.where(u < cut, rising, falling))


def draw_multipliers(ranges: list[DriverRange], draws: int, rng: np.random.Generator) -> Floats:
    """(draws × drivers) multipliers, one column per range."""
    low = np.array([r.low for r in ranges])
    mode = np.array([r.mode for r in ranges])
    high = np.array([r.high for r in ranges])
    width = high - low
    pert = np.array([r.distribution == "pert" for r in ranges])
    out = np.empty((draws, len(ranges)))
    if (~pert).any():
        columns = ~pert
        u = rng.random((draws, int(columns.sum())))
        out[:, columns] = _triangular(u, low[columns], mode[columns], high[columns])
    if pert.any():
        safe = np.where(width[pert] > 0, width[pert], 1.0)
        alpha = 1.0 + 4.0 * (mode[pert] - low[pert]) / safe
        beta = 1.0 + 4.0 * (high[pert] - mode[pert]) / safe
        out[:, pert] = low[pert] + rng.beta(alpha, beta, size=(draws, int(pert.sum()))) * width[pert]
    return np.where(width > 0, out, low)


def simulate(case: Case, draws: int = DEFAULT_DRAWS, seed: int = DEFAULT_SEED) -> Simulation:
    rng = np.random.default_rng(seed_or_raise(seed))
    if draws_or_raise(draws) * case.horizon_months > MAX_CELLS:
        most = MAX_CELLS // case.horizon_months
        raise InvalidInput("draws", f"{draws} draws of {case.horizon_months} months is too many; at most {most}")
    rows = draw_multipliers([case.ranges[d] for d in case.drivers], draws, rng)
    investment, run, benefits = flows(case, rows, basis(case))
    net = benefits - investment - run
    return Simulation(draws, seed, npv_many(net, case.discount_rate), payback_many(net))


def _month(value: float) -> int | None:
    return None if np.isinf(value) else int(value)


def summary(result: Simulation) -> dict[str, Any]:
    """P10/P50/P90 of NPV and payback month, and the probability of payback within 12, 24, 36 months."""
    p10, p50, p90 = np.percentile(result.npv, [10, 50, 90])
    b10, b50, b90 = np.quantile(result.payback, [0.1, 0.5, 0.9], method="inverted_cdf")
    return {
        "draws": result.draws,
        "seed": result.seed,
        "npv_p10": round(float(p10), 2),
        "npv_p50": round(float(p50), 2),
        "npv_p90": round(float(p90), 2),
        "npv_mean": round(float(result.npv.mean()), 2),
        "p_npv_negative": round(float((result.npv < 0).mean()), 4),
        "payback_p10": _month(b10),
        "payback_p50": _month(b50),
        "payback_p90": _month(b90),
        **{f"p_payback_{m}": round(float((result.payback <= m).mean()), 4) for m in WITHIN},
    }


def histogram(result: Simulation, bins: int = 40) -> list[dict[str, float]]:
    """NPV draws counted into equal bins, for the chart (the draws themselves stay on the server)."""
    counts, edges = np.histogram(result.npv, bins=bins)
    return [
        {"start": round(float(edges[i]), 2), "end": round(float(edges[i + 1]), 2), "count": int(counts[i])}
        for i in range(len(counts))
    ]
