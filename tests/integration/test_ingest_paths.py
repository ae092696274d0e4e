"""The fast CSV import path, which takes a row with known names straight, gives exactly what the
full row check gives: the same points stored, the same counts, the same numbered errors, on
random files, clean and dirty."""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pilotgate.evidence import csv_import, ingest
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


def good_row(rng: random.Random, keys: list[str], *, odd: bool = True) -> dict[str, str]:
    """A valid row; `odd` mixes in spellings only the row check reads (padded names and values)."""
    metric = rng.choice(METRICS)
    value = {"uptime": rng.uniform(95, 100), "latency_ms": rng.uniform(50, 900), "active_users": rng.randint(0, 80)}
    key = rng.choice(keys)
    number = value[metric]
    texts = (f"{number:.3f}", str(number), f"{number:.2e}", f"+{number}")
    return {
        "use_case": rng.choice((key, key, key, key.lower(), f" {key} " if odd else key)),  # names are normalised
        "metric": rng.choice((metric, metric, metric, metric.upper())),
        "timestamp": iso(START + timedelta(minutes=rng.randrange(4000))),  # repeats: later rows replace
        "value": rng.choice((*texts, f" {number:.1f} ", "1_0") if odd else texts),
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
    ("value", "Infinity"),
    ("value", "0x10"),
    ("value", "100.5"),  # out of range only for uptime (%)
    ("cohort", "pilot cohort"),
    ("segment", "x" * 65),
)


def csv_text(
    rng: random.Random, keys: list[str], rows: int, header: str, defect_rate: float, *, odd: bool = True
) -> str:
    columns = header.split(",")
    lines = [header]
    for _ in range(rows):
        row = good_row(rng, keys, odd=odd)
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


POINTS = "SELECT metric_id, cohort, ts_ms, value, segment FROM metric_points ORDER BY 1, 2, 3"


def run(text: str, actor: str, way: str) -> tuple[object, list[tuple[object, ...]]]:
    """(the report or the errors, the points stored) of one import.

    A good import is rolled back after its points are read; a bad one rolls itself back, as the
    CLI's and the API's units of work do, and the points are read from the database after it."""
    try:
        with uow() as unit:
            if way == "row check":
                report = ingest.ingest(unit, csv_import.csv_points(io.StringIO(text)), actor=actor, source="t")
            else:
                binary = io.BytesIO(text.encode())
                report = csv_import.ingest_csv(unit, binary, actor=actor, source="t")
            points = [tuple(row) for row in unit.session.connection().exec_driver_sql(POINTS)]
            raise Rollback
    except Rollback:
        return (report.points, report.metrics, report.use_cases), points
    except BatchInvalid as error:
        with uow(read_only=True) as unit:
            points = [tuple(row) for row in unit.session.connection().exec_driver_sql(POINTS)]
        return (error.errors, str(error)), points


def counting(monkeypatch: pytest.MonkeyPatch, name: str) -> list[int]:
    """Count the calls of one of ingest's functions; the list holds the count."""
    calls = [0]
    original = getattr(ingest, name)

    def counted(*args: object, **kwargs: object) -> object:
        calls[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(ingest, name, counted)
    return calls


@pytest.mark.parametrize("seed", range(4))
def test_a_clean_file_stores_the_same_points_every_way(home: Path, seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    keys, actor = defined()
    rng = random.Random(seed)
    # 15,000 rows: more than one chunk and several multi-row statements, with repeated keys across them;
    # odd seeds add spellings only the full check reads
    odd = seed % 2 == 1
    text = csv_text(rng, keys, 15_000, HEADERS[seed % 2], defect_rate=0.0, odd=odd)
    expected = run(text, actor, "row check")
    checked = counting(monkeypatch, "_check")
    assert run(text, actor, "fast") == expected
    assert checked[0] < 15_000 // 2  # most rows skipped the full check (a new timestamp or series takes it)
    outcome, points = expected
    assert isinstance(outcome, tuple) and outcome[0] == 15_000 and outcome[1] == 2 * len(METRICS)
    assert 0 < len(points) < 15_000  # repeated keys were replaced, not added


@pytest.mark.parametrize("seed", range(6))
def test_a_dirty_file_reports_the_same_errors_every_way(home: Path, seed: int) -> None:
    keys, actor = defined()
    rng = random.Random(100 + seed)
    rate = (0.0005, 0.002, 0.05)[seed % 3]  # one bad row, a few, more than the 20 reported
    text = csv_text(rng, keys, 4_000, HEADERS[seed % 2], defect_rate=rate, odd=seed < 3)
    expected = run(text, actor, "row check")
    assert run(text, actor, "fast") == expected
    outcome, points = expected
    assert points == []  # all or none
    assert isinstance(outcome, tuple)
    errors, message = outcome
    assert errors and all(e.startswith("row ") for e in errors) and "nothing was imported" in message


def test_a_file_with_a_bad_row_late_keeps_nothing_of_the_chunks_already_written(home: Path) -> None:
    keys, actor = defined()
    text = csv_text(random.Random(7), keys, 60_000, HEADERS[0], defect_rate=0.0, odd=False)
    text += f"{keys[0]},uptime,{iso(START)},101,\n"  # a percentage out of range, after 3 chunks went in
    outcome, points = run(text, actor, "fast")
    assert points == [] and isinstance(outcome, tuple)
    assert outcome[0] == ["row 60002: percentage 101 is out of range (0–100)"]
