"""The fast CSV import path gives exactly what the full row-by-row check gives: the same points
stored, the same counts, the same numbered errors — on random files, clean and dirty."""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pilotgate.evidence import ingest
from pilotgate.evidence.ingest import BatchInvalid
from tests.builders import iso, ok, uow, use_case

START = datetime(2026, 6, 1, tzinfo=UTC)
METRICS = ("uptime", "latency_ms", "active_users")  # units: %, ms, users
HEADERS = ("use_case,metric,timestamp,value,cohort", "value,timestamp,segment,metric,use_case,cohort")


class Rollback(Exception):
    """Raised inside a unit of work to throw away what it wrote."""


def defined() -> tuple[list[str], str]:
    keys, actor = [], ""
    for title in ("Claims triage", "Invoice matching"):
        key, people = use_case(title)
        actor = people["program_lead"]
        for metric in METRICS:
            ok("metrics", "define", key, metric, "--as", actor)
        keys.append(key)
    return keys, actor


def good_row(rng: random.Random, keys: list[str]) -> dict[str, str]:
    metric = rng.choice(METRICS)
    value = {"uptime": rng.uniform(95, 100), "latency_ms": rng.uniform(50, 900), "active_users": rng.randint(0, 80)}
    key = rng.choice(keys)
    return {
        "use_case": rng.choice((key, key, key, key.lower(), f" {key} ")),  # names are normalised
        "metric": rng.choice((metric, metric, metric, metric.upper())),
        "timestamp": iso(START + timedelta(minutes=rng.randrange(4000))),  # repeats: later rows replace
        "value": rng.choice((f"{value[metric]:.3f}", f" {value[metric]:.1f} ", str(value[metric]))),
        "cohort": rng.choice(("", "", "pilot", "full")),
        "segment": rng.choice(("", "", "emea", "apac")),
    }


DEFECTS = (
    ("use_case", "UC-99999"),
    ("metric", "revenue"),
    ("timestamp", "yesterday"),
    ("timestamp", "2026-13-01T00:00:00Z"),
    ("value", "n/a"),
    ("value", ""),
    ("value", "nan"),
    ("value", "inf"),
    ("value", "-1e999"),
    ("value", "100.5"),  # out of range only for uptime (%)
    ("cohort", "pilot cohort"),
    ("segment", "x" * 65),
)


def csv_text(rng: random.Random, keys: list[str], rows: int, header: str, defect_rate: float) -> str:
    columns = header.split(",")
    lines = [header]
    for _ in range(rows):
        row = good_row(rng, keys)
        roll = rng.random()
        if roll < defect_rate:
            field, bad = rng.choice(DEFECTS)
            row[field] = bad
        elif roll < 2 * defect_rate:
            lines.append(",".join(row[c] for c in columns) + ",extra")  # one field too many
            continue
        elif roll < 3 * defect_rate:
            lines.append("")  # a blank line is skipped
            continue
        lines.append(",".join(row[c] for c in columns))
    return "\n".join(lines) + "\n"


def run(text: str, actor: str, *, fast: bool) -> tuple[object, list[tuple[object, ...]]]:
    """(the report or the errors, the points stored) of one import, rolled back afterwards."""
    unit = uow()
    try:
        with unit:
            try:
                if fast:
                    report = ingest.ingest_csv(unit, io.StringIO(text), actor=actor, source="t")
                else:
                    report = ingest.ingest(unit, ingest.csv_points(io.StringIO(text)), actor=actor, source="t")
                outcome: object = (report.points, report.metrics, report.use_cases)
            except BatchInvalid as error:
                outcome = (error.errors, str(error))
            stored = unit.session.connection().exec_driver_sql(
                "SELECT metric_id, cohort, ts_ms, value, segment FROM metric_points ORDER BY 1, 2, 3"
            )
            points = [tuple(row) for row in stored]
            raise Rollback
    except Rollback:
        pass
    return outcome, points


@pytest.mark.parametrize("seed", range(4))
def test_a_clean_file_stores_the_same_points_either_way(home: Path, seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    keys, actor = defined()
    rng = random.Random(seed)
    # 15,000 rows: more than one chunk and several multi-row statements, with repeated keys across them
    text = csv_text(rng, keys, 15_000, HEADERS[seed % 2], defect_rate=0.0)
    slow = run(text, actor, fast=False)
    checked = 0
    full_check = ingest._check

    def counted(*args: object) -> object:
        nonlocal checked
        checked += 1
        return full_check(*args)

    monkeypatch.setattr(ingest, "_check", counted)
    fast = run(text, actor, fast=True)
    assert fast == slow
    assert checked < 15_000 // 2  # most rows took the fast path (a new timestamp or series takes the full check)
    outcome, points = fast
    assert isinstance(outcome, tuple) and outcome[0] == 15_000 and outcome[1] == 2 * len(METRICS)
    assert 0 < len(points) < 15_000  # repeated keys were replaced, not added


@pytest.mark.parametrize("seed", range(6))
def test_a_dirty_file_reports_the_same_errors_either_way(home: Path, seed: int) -> None:
    keys, actor = defined()
    rng = random.Random(100 + seed)
    rate = (0.0005, 0.002, 0.05)[seed % 3]  # one bad row, a few, more than the 20 reported
    text = csv_text(rng, keys, 4_000, HEADERS[seed % 2], defect_rate=rate)
    slow, fast = run(text, actor, fast=False), run(text, actor, fast=True)
    assert fast == slow
    outcome, points = fast
    assert points == []  # all or none
    assert isinstance(outcome, tuple)
    errors, message = outcome
    assert errors and all(e.startswith("row ") for e in errors) and "nothing was imported" in message
