"""Measured evidence for the demo portfolio: model runs, SLAs, adoption and outcomes over time.

Each series is generated from the stages a demo use case went through, so that every gate
decision the demo takes rests on data that really meets (or, where the story says so, misses)
its metric criteria — and two zombie pilots show stuck adoption and series gone stale.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from pilotgate.db.uow import UnitOfWork
from pilotgate.evidence import ingest
from pilotgate.evidence import service as evidence

STAGES = ("discovery", "poc", "pilot", "production", "scale")
RAMP_DAYS = 28  # adoption reaches its plateau four weeks into a cohort
ZOMBIE_SILENCE_DAYS = 70  # a zombie pilot's telemetry stopped this long ago


def _stages(plan: Any) -> dict[str, int]:
    """Days ago the use case entered each stage it reached (a stop, hold or recycle is not an entry)."""
    entries = plan.entered[:-1] if plan.ending in ("stop", "hold", "recycle") else plan.entered
    return dict(zip(STAGES, entries, strict=False))


def is_zombie(plan: Any) -> bool:
    stages = _stages(plan)
    return list(stages)[-1] == "pilot" and not plan.in_flight and plan.ending is None and stages["pilot"] > 16 * 7


def _ramp(start: float, end: float, elapsed_days: float, days: float = RAMP_DAYS) -> float:
    return start + (end - start) * min(1.0, max(0.0, elapsed_days / days))


def _days(first: int, last: int, step: int) -> Iterator[int]:
    """Days ago from `first` down to `last`, every `step` days."""
    day = first
    while day >= last:
        yield day
        day -= step


def _points(key: str, plan: Any, today: datetime) -> Iterator[tuple[str, int, float, str]]:
    stages = _stages(plan)
    rng = random.Random(key)
    end = plan.entered[-1] if plan.ending == "stop" else ZOMBIE_SILENCE_DAYS if is_zombie(plan) else 0
    stopped_at_poc = plan.ending == "stop" and list(stages)[-1] == "poc"
    if "poc" in stages:
        final = 0.79 if stopped_at_poc else 0.87 + rng.random() * 0.04
        for day in _days(stages["poc"], end, 7):
            yield "mlflow.f1", day, _ramp(0.72, final, stages["poc"] - day, 14), ""
    if "pilot" in stages:
        pilot_end = stages.get("production", end)
        plateau = 0.33 if is_zombie(plan) else 0.70 + rng.random() * 0.06
        for day in _days(stages["pilot"], end, 1):
            yield "uptime", day, min(100.0, 99.65 + rng.random() * 0.34), ""
            yield "latency_ms", day, 320 + rng.random() * 380, ""
            yield "error_rate", day, 0.15 + rng.random() * 0.6, ""
        # A zombie's users still log in now and then: its adoption series runs on, flat and low.
        adoption_end = 0 if is_zombie(plan) else max(pilot_end, end)
        for day in _days(stages["pilot"], adoption_end, 7):
            yield "eligible_users", day, 120.0, "pilot"
            yield "active_users", day, round(120 * _ramp(0.40, plateau, stages["pilot"] - day)), "pilot"
            yield "task_completion_minutes", day, _ramp(18.0, 10.5, stages["pilot"] - day, 60) + rng.random(), ""
    if "production" in stages:
        for day in _days(stages["production"], end, 7):
            yield "eligible_users", day, 1500.0, "full"
            yield "active_users", day, round(1500 * _ramp(0.55, 0.80, stages["production"] - day)), "full"
        for day in _days(stages["production"], end, 30):
            yield "cost", day, _ramp(118_000, 94_000, stages["production"] - day, 150) + rng.random() * 2000, ""


DEFINITIONS: dict[str, dict[str, Any]] = {
    "mlflow.f1": {"name": "Model F1 (MLflow)", "baseline": 0.70, "target": 0.85},
    "uptime": {},
    "latency_ms": {},
    "error_rate": {},
    "active_users": {},
    "eligible_users": {},
    "task_completion_minutes": {"baseline": 18.0, "target": 10.0},
    "cost": {"name": "Monthly process cost", "baseline": 120_000.0, "target": 90_000.0},
}


def seed(uow: UnitOfWork, *, key: str, plan: Any, today: datetime, actor: str) -> int:
    """Define and fill the demo series of one use case; returns how many points it stored."""
    rows = list(_points(key, plan, today))
    for metric in dict.fromkeys(metric for metric, _, _, _ in rows):
        evidence.define_metric(uow, key=key, metric=metric, actor=actor, **DEFINITIONS[metric])
    raw = (
        ingest.RawPoint(n, key, metric, (today - timedelta(days=day)).isoformat(), value, cohort)
        for n, (metric, day, value, cohort) in enumerate(rows, start=1)
    )
    return ingest.ingest(uow, raw, actor=actor, source="demo").points
