"""Every metric criterion of the default policy for 10,000 use cases with 1,000,000 points, on SQLite.

Target: ``pilotgate.evidence.evaluation.evaluate_all`` — the aggregate queries and the pure
evaluator that gate readiness runs — takes at most 2× the time of ONE hand-written SQL query
that computes the same windowed numbers for every use case (uptime and error rate averaged over
30 days, nearest-rank p95 latency over 30 days, pilot and full adoption over 28 days ending at
each cohort's newest point, the newest MLflow F1). Both are measured in this run, as the median
of several repetitions, and their numbers are compared for every use case.

The data (same generator as metrics_import.py) is loaded with the real ingestion path; the
items are the four metric criteria of gates 2–4 for every use case.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import _evidence_data as data

W28, W30 = 28 * data.DAY_MS, 30 * data.DAY_MS

# One query, as a person who knows the data would write it for SQLite.
HAND_WRITTEN = """
WITH recent AS (
    SELECT d.use_case_id,
           avg(CASE WHEN d.key = 'uptime' THEN p.value END) AS uptime,
           avg(CASE WHEN d.key = 'error_rate' THEN p.value END) AS error_rate
    FROM metric_definitions d JOIN metric_points p ON p.metric_id = d.id
    WHERE d.key IN ('uptime', 'error_rate') AND p.ts_ms > :now - :w30 AND p.ts_ms <= :now
    GROUP BY d.use_case_id
), latency AS (
    SELECT d.use_case_id, p.value,
           row_number() OVER (PARTITION BY d.use_case_id ORDER BY p.value) AS rank,
           count(*) OVER (PARTITION BY d.use_case_id) AS n
    FROM metric_definitions d JOIN metric_points p ON p.metric_id = d.id
    WHERE d.key = 'latency_ms' AND p.ts_ms > :now - :w30 AND p.ts_ms <= :now
), p95 AS (
    SELECT use_case_id, max(value) AS value FROM latency WHERE rank = (n * 95 + 99) / 100 GROUP BY use_case_id
), ends AS (
    SELECT p.metric_id, p.cohort, max(p.ts_ms) AS end_ms
    FROM metric_definitions d JOIN metric_points p ON p.metric_id = d.id
    WHERE d.key IN ('active_users', 'eligible_users') AND p.cohort IN ('pilot', 'full') AND p.ts_ms <= :now
    GROUP BY p.metric_id, p.cohort
), users AS (
    SELECT d.use_case_id,
           avg(CASE WHEN d.key = 'active_users' AND e.cohort = 'pilot' THEN p.value END) AS pilot_active,
           avg(CASE WHEN d.key = 'eligible_users' AND e.cohort = 'pilot' THEN p.value END) AS pilot_eligible,
           avg(CASE WHEN d.key = 'active_users' AND e.cohort = 'full' THEN p.value END) AS full_active,
           avg(CASE WHEN d.key = 'eligible_users' AND e.cohort = 'full' THEN p.value END) AS full_eligible
    FROM ends e
    JOIN metric_definitions d ON d.id = e.metric_id
    JOIN metric_points p ON p.metric_id = e.metric_id AND p.cohort = e.cohort
         AND p.ts_ms > e.end_ms - :w28 AND p.ts_ms <= e.end_ms
    GROUP BY d.use_case_id
), f1 AS (
    SELECT d.use_case_id, p.value, max(p.ts_ms) AS newest
    FROM metric_definitions d JOIN metric_points p ON p.metric_id = d.id
    WHERE d.key = 'mlflow.f1' AND p.ts_ms <= :now
    GROUP BY d.use_case_id
)
SELECT u.id, recent.uptime, p95.value, recent.error_rate,
       users.pilot_active / nullif(users.pilot_eligible, 0),
       users.full_active / nullif(users.full_eligible, 0),
       f1.value
FROM use_cases u
LEFT JOIN recent ON recent.use_case_id = u.id
LEFT JOIN p95 ON p95.use_case_id = u.id
LEFT JOIN users ON users.use_case_id = u.id
LEFT JOIN f1 ON f1.use_case_id = u.id
"""
# The operands of the default policy's metric criteria, in the hand-written query's column order.
LABELS = (
    'uptime(window="30d")',
    'p95_latency(window="30d")',
    'error_rate(window="30d")',
    'adoption_rate(cohort="pilot", window="28d")',
    'adoption_rate(cohort="full", window="28d")',
    'mlflow.metric("f1")',
)


def build(points: int, now: int, directory: Path) -> None:
    from pilotgate.config import Settings
    from pilotgate.db.uow import UnitOfWork
    from pilotgate.evidence import csv_import, ingest

    csv_path = directory / "points.csv"
    data.write_csv(csv_path, points, now)
    data.build_registry(data.use_cases_for(points))
    with csv_path.open("rb") as raw, UnitOfWork(Settings.from_env()) as uow:
        ingest.ingest(uow, csv_import.csv_points(csv_import.text_stream(raw)), actor=data.ACTOR, source=csv_path.name)
    csv_path.unlink()


def items_of_default_policy() -> list[Any]:
    from sqlalchemy import select

    from pilotgate.config import Settings
    from pilotgate.db.uow import UnitOfWork
    from pilotgate.policy import service as policies
    from pilotgate.usecases.models import UseCase

    with UnitOfWork(Settings.from_env(), read_only=True) as uow:
        policy = policies.parsed(policies.ensure_shipped(uow))
        ids = list(uow.session.scalars(select(UseCase.id)))
    criteria = [c for gate in policy.gates for c in gate.criteria if c.kind == "metric"]
    return [(use_case_id, criterion, policy) for use_case_id in ids for criterion in criteria]


Timings = dict[str, list[float]]


def interleaved(repeat: int, jobs: dict[str, Any]) -> tuple[Timings, Timings, dict[str, Any]]:
    """Wall and CPU seconds of each job, the jobs taking turns so that both see the same machine load."""
    wall: Timings = {name: [] for name in jobs}
    cpu: Timings = {name: [] for name in jobs}
    results: dict[str, Any] = {}
    for _ in range(repeat):
        for name, work in jobs.items():
            gc.collect()
            start, start_cpu = time.perf_counter(), time.process_time()
            results[name] = work()
            wall[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
    return wall, cpu, results


def mismatches(evaluated: dict[tuple[int, str], Any], hand: list[Any]) -> tuple[int, int]:
    """(values compared, values that differ) between the evaluator's operands and the query's columns."""
    operands: dict[int, dict[str, float | None]] = {}
    for (use_case_id, _), evaluation in evaluated.items():
        for comparison in evaluation.comparisons:
            for side in (comparison.left, comparison.right):
                operands.setdefault(use_case_id, {})[side.label] = side.value
    compared = differ = 0
    for use_case_id, *values in hand:
        mine = operands.get(use_case_id, {})
        for label, expected in zip(LABELS, values, strict=True):
            compared += 1
            got = mine.get(label, "absent")
            same = got is None and expected is None
            if isinstance(got, float) and expected is not None:
                same = math.isclose(got, expected, rel_tol=1e-9, abs_tol=1e-12)
            if not same:
                differ += 1
                if differ <= 5:
                    print(f"  mismatch: use case {use_case_id} {label}: evaluator {got!r}, SQL {expected!r}")
    return compared, differ


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000, help="points in all (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=5, help="repetitions of each (default 5)")
    args = parser.parse_args()
    from sqlalchemy import text

    from pilotgate.config import Settings
    from pilotgate.db.engine import Database
    from pilotgate.evidence.evaluation import evaluate_all

    now = data.now_ms()
    with tempfile.TemporaryDirectory() as directory:
        os.environ["PILOTGATE_HOME"] = directory
        os.environ.pop("PILOTGATE_DATABASE_URL", None)
        start = time.perf_counter()
        build(args.points, now, Path(directory))
        items = items_of_default_policy()
        use_cases = len({uc for uc, _, _ in items})
        print(
            f"built {use_cases:,} use cases with {args.points:,} points in {time.perf_counter() - start:.1f} s; "
            f"{len(items):,} metric criteria to evaluate"
        )
        engine = Database.for_url(Settings.from_env().database_url).engine
        with engine.connect() as connection:
            query = text(HAND_WRITTEN)
            params = {"now": now, "w28": W28, "w30": W30}
            wall, cpu, results = interleaved(
                args.repeat,
                {
                    "sql": lambda: connection.execute(query, params).all(),
                    "evaluation": lambda: evaluate_all(connection, items, now_ms=now),
                },
            )
        Database.dispose_all()
    hand, evaluated = results["sql"], results["evaluation"]

    statuses: dict[str, int] = {}
    for evaluation in evaluated.values():
        statuses[evaluation.status] = statuses.get(evaluation.status, 0) + 1
    print("statuses: " + ", ".join(f"{count:,} {status}" for status, count in sorted(statuses.items())))
    compared, differ = mismatches(evaluated, hand)
    if differ:
        print(f"MISMATCH: {differ:,} of {compared:,} values differ between the evaluator and the SQL query")
    else:
        print(f"mismatches: 0 of {compared:,} values ({len(hand):,} use cases × {len(LABELS)} operands)")
    sql_s, eval_s = statistics.median(wall["sql"]), statistics.median(wall["evaluation"])
    sql_cpu, eval_cpu = statistics.median(cpu["sql"]), statistics.median(cpu["evaluation"])
    runs = f"over {args.repeat} runs"
    print(f"hand-written SQL:  median {sql_s:.3f} s (CPU {sql_cpu:.3f} s), best {min(wall['sql']):.3f} s {runs}")
    print(
        f"evaluate_all:      median {eval_s:.3f} s (CPU {eval_cpu:.3f} s), best {min(wall['evaluation']):.3f} s {runs}"
    )
    verdict = "PASS" if eval_s <= 2 * sql_s else "MISS"
    print(f"evaluation / SQL:  {eval_s / sql_s:.2f}× (CPU {eval_cpu / sql_cpu:.2f}×; target ≤ 2×) {verdict}")


if __name__ == "__main__":
    main()
