"""Synthetic metric points shared by the evidence benchmarks: 100 points per use case.

Each use case reports uptime and error rate every 3 days, latency every 2 days, weekly active
and eligible users for a pilot cohort (which ended nine weeks ago) and a full cohort, and an
MLflow F1 score every 10 days — spread over 16 weeks, so the 28- and 30-day windows cut through
every series. Values are realistic (uptime 99–100 %, latency 100–900 ms, error rate 0–2 %) and
fixed by a seed; timestamps end just before the moment the benchmark calls "now".
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

POINTS_PER_USE_CASE = 100
DAY_MS = 86_400_000
HEADER = ("use_case", "metric", "timestamp", "value", "cohort")
METRICS = ("uptime", "latency_ms", "error_rate", "active_users", "eligible_users", "mlflow.f1")
ACTOR = "bench@example.org"

# (metric, cohort, days back of each point); 100 points in all.
SCHEDULE: tuple[tuple[str, str, tuple[int, ...]], ...] = (
    ("uptime", "", tuple(range(0, 45, 3))),
    ("latency_ms", "", tuple(range(0, 60, 2))),
    ("error_rate", "", tuple(range(0, 45, 3))),
    ("active_users", "pilot", tuple(range(63, 119, 7))),
    ("eligible_users", "pilot", tuple(range(63, 119, 7))),
    ("active_users", "full", tuple(range(0, 56, 7))),
    ("eligible_users", "full", tuple(range(0, 56, 7))),
    ("mlflow.f1", "", tuple(range(5, 85, 10))),
)
assert sum(len(days) for _, _, days in SCHEDULE) == POINTS_PER_USE_CASE


def now_ms() -> int:
    """The benchmark's "now": the current hour, so every series is fresh."""
    return int(datetime.now(UTC).timestamp()) // 3600 * 3_600_000


def use_case_key(number: int) -> str:
    return f"UC-{number:05d}"


def use_cases_for(points: int) -> int:
    return max(1, -(-points // POINTS_PER_USE_CASE))


def _iso(ms: int, cache: dict[int, str]) -> str:
    text = cache.get(ms)
    if text is None:
        text = cache[ms] = datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return text


def rows(points: int, now: int) -> Iterator[tuple[str, str, str, str, str]]:
    """`points` CSV rows (use case by use case, each series oldest first)."""
    rng = random.Random(20261128)
    stamps: dict[int, str] = {}
    written = 0
    for number in range(1, use_cases_for(points) + 1):
        key = use_case_key(number)
        # Each use case's pipeline reports at its own minute past the hour before "now".
        end = now - 3_600_000 + (number % 60) * 60_000
        uptime, latency, errors = rng.uniform(99.0, 100.0), rng.uniform(150, 700), rng.uniform(0.0, 2.0)
        eligible, pilot_rate = rng.randint(20, 200), rng.uniform(0.35, 0.9)
        full_rate, scale = pilot_rate + rng.uniform(-0.15, 0.1), rng.randint(3, 10)
        f1 = rng.uniform(0.75, 0.95)
        for metric, cohort, days in SCHEDULE:
            for back in reversed(days):
                if written == points:
                    return
                match metric, cohort:
                    case "uptime", _:
                        value = f"{min(100.0, max(99.0, uptime + rng.uniform(-0.4, 0.4))):.3f}"
                    case "latency_ms", _:
                        value = f"{min(900.0, max(100.0, latency * rng.uniform(0.6, 1.6))):.1f}"
                    case "error_rate", _:
                        value = f"{min(2.0, max(0.0, errors + rng.uniform(-0.5, 0.5))):.3f}"
                    case "eligible_users", "pilot":
                        value = str(eligible + rng.randint(-2, 2))
                    case "eligible_users", _:
                        value = str(eligible * scale + rng.randint(-5, 5))
                    case "active_users", "pilot":
                        value = str(round(eligible * min(1.0, pilot_rate + rng.uniform(-0.1, 0.1))))
                    case "active_users", _:
                        value = str(round(eligible * scale * min(1.0, max(0.0, full_rate + rng.uniform(-0.1, 0.1)))))
                    case _:
                        value = f"{min(1.0, f1 + rng.uniform(-0.05, 0.05)):.4f}"
                yield key, metric, _iso(end - back * DAY_MS, stamps), value, cohort
                written += 1


def write_csv(path: Path, points: int, now: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerows(rows(points, now))


def build_registry(use_cases: int) -> None:
    """Use cases, a person and every use case's metric definitions, by bulk insert.

    Uses the real migrated schema at $PILOTGATE_HOME; definitions get the standard defaults that
    `pilotgate metrics define` would give them.
    """
    from sqlalchemy import insert, select

    from pilotgate.config import Settings
    from pilotgate.db.uow import UnitOfWork
    from pilotgate.evidence import rules
    from pilotgate.evidence.models import MetricDefinition
    from pilotgate.policy import service as policies
    from pilotgate.usecases.models import Person, UseCase

    moment = datetime.now(UTC)
    with UnitOfWork(Settings.from_env()) as uow:
        version = policies.ensure_shipped(uow)
        tier = policies.parsed(version).default_risk_tier
        session = uow.session
        session.execute(insert(Person), [{"email": ACTOR, "name": "Benchmark", "created_at": moment}])
        session.execute(
            insert(UseCase),
            [
                {
                    "key": use_case_key(n),
                    "title": f"Use case {n}",
                    "description": "",
                    "business_unit": f"BU {n % 12}",
                    "risk_tier": tier,
                    "status": "active",
                    "stage": "pilot",
                    "stage_entered_at": moment,
                    "policy_name": version.name,
                    "created_at": moment,
                }
                for n in range(1, use_cases + 1)
            ],
        )
        definitions = []
        for use_case_id in session.scalars(select(UseCase.id)):
            for key in METRICS:
                standard = rules.standard_for(key)
                assert standard is not None
                definitions.append(
                    {
                        "use_case_id": use_case_id,
                        "key": key,
                        "name": standard.name,
                        "unit": standard.unit,
                        "kind": standard.kind,
                        "direction": standard.direction,
                        "cadence_seconds": rules.parse_duration(standard.cadence) if standard.cadence else None,
                        "created_at": moment,
                    }
                )
        session.execute(insert(MetricDefinition), definitions)
