"""Metric definitions, point ingestion and criterion evaluation on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pilotgate.evidence import csv_import, ingest
from pilotgate.evidence import service as evidence
from pilotgate.evidence.criteria import Evaluation
from pilotgate.evidence.ingest import BatchInvalid
from pilotgate.policy.model import Criterion
from pilotgate.usecases import service as usecases
from tests.builders import cli, iso, ok, points_csv, uow, use_case

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)
DAY, HOUR = timedelta(days=1), timedelta(hours=1)


# Helpers


def measured_use_case(*metrics: str) -> tuple[str, str]:
    """A use case with the named standard metrics defined; returns its key and an actor."""
    key, people = use_case()
    actor = people["program_lead"]
    for metric in metrics:
        ok("metrics", "define", key, metric, "--as", actor)
    return key, actor


def load(directory: Path, actor: str, rows: list[tuple[object, ...]], *, name: str = "points.csv") -> dict:
    path = points_csv(directory, rows, name=name)
    return json.loads(ok("metrics", "import", str(path), "--as", actor, "--json"))


def series(key: str, metric: str) -> list[dict]:
    return json.loads(ok("metrics", "points", key, metric, "--json"))["points"]


def indicators(key: str) -> dict[str, dict]:
    return {i["key"]: i for i in json.loads(ok("metrics", "list", key, "--json"))["indicators"]}


def evaluation(key: str, expression: str, *, now: datetime = NOW) -> Evaluation:
    """A metric criterion judged on the use case's data at a fixed time."""
    criterion = Criterion(id="probe", title="Probe", requirement="probe", kind="metric", expression=expression)
    with uow(read_only=True, clock=lambda: now) as unit:
        found = usecases.get_or_raise(unit, key)
        return evidence.evaluate_criteria(unit, found, usecases.policy_of(unit, found), [criterion])["probe"]


def value_of(key: str, expression: str, *, now: datetime = NOW) -> float | None:
    result = evaluation(key, expression, now=now)
    value = result.comparisons[0].left.value
    assert result.status != "unknown" or value is None, result.note
    return value


# Definitions


def test_standard_metrics_need_no_options(home: Path) -> None:
    key, _ = measured_use_case("uptime", "latency_ms", "active_users", "mlflow.f1")
    found = indicators(key)
    assert {k: (i["unit"], i["kind"], i["direction"], i["cadence"], i["indicator"]) for k, i in found.items()} == {
        "uptime": ("%", "sla", "higher", "1d", "leading"),
        "latency_ms": ("ms", "sla", "lower", "1d", "leading"),
        "active_users": ("users", "adoption", "higher", "1w", "leading"),
        "mlflow.f1": ("", "technical", "higher", None, "leading"),
    }


def test_a_non_standard_metric_needs_its_kind(home: Path) -> None:
    key, actor = measured_use_case()
    refused = cli("metrics", "define", key, "nps", "--as", actor)
    assert refused.code == 1 and "'nps' is not a standard metric: give its kind" in refused.stderr
    ok("metrics", "define", key, "nps", "--kind", "lagging", "--unit", "score", "--target", "50", "--as", actor)
    nps = indicators(key)["nps"]
    assert (nps["name"], nps["unit"], nps["kind"], nps["indicator"], nps["target"], nps["cadence"]) == (
        "nps",
        "score",
        "lagging",
        "lagging",
        50.0,
        None,
    )


def test_defining_a_metric_twice_is_a_conflict(home: Path) -> None:
    key, actor = measured_use_case("uptime")
    again = cli("metrics", "define", key, "uptime", "--unit", "ratio", "--as", actor)
    assert again.code == 4 and f"{key} already defines 'uptime'" in again.stderr
    assert indicators(key)["uptime"]["unit"] == "%"


def test_a_target_out_of_the_units_range_is_refused(home: Path) -> None:
    key, actor = measured_use_case("uptime")
    refused = cli("metrics", "edit", key, "uptime", "--target", "101", "--as", actor)
    assert refused.code == 1 and "target: percentage 101 is out of range (0–100)" in refused.stderr


# Ingestion


def test_resending_a_point_replaces_its_value(home: Path, tmp_path: Path) -> None:
    key, actor = measured_use_case("uptime")
    times = [NOW - 2 * DAY, NOW - DAY, NOW]
    first = load(tmp_path, actor, [(key, "uptime", t, v, "") for t, v in zip(times, (99.0, 99.5, 99.9), strict=True)])
    assert first == {"points": 3, "metrics": 1, "use_cases": 1}

    # The same (metric, cohort, time) again, twice in one file: the later row wins.
    load(tmp_path, actor, [(key, "uptime", times[1], 97.0, ""), (key, "uptime", times[1], 98.0, "")], name="again.csv")

    stored = series(key, "uptime")
    assert [(p["timestamp"], p["value"]) for p in stored] == [
        (iso(times[0]), 99.0),
        (iso(times[1]), 98.0),
        (iso(times[2]), 99.9),
    ]


def test_an_older_point_does_not_move_the_newest_point_back(home: Path, tmp_path: Path) -> None:
    key, actor = measured_use_case("uptime")
    load(tmp_path, actor, [(key, "uptime", NOW, 99.0, "")])
    load(tmp_path, actor, [(key, "uptime", NOW - 10 * DAY, 99.0, "")], name="older.csv")
    assert indicators(key)["uptime"]["last_point_at"] == NOW.isoformat(timespec="seconds")


def test_one_bad_row_keeps_the_whole_batch_out(home: Path, tmp_path: Path) -> None:
    key, actor = measured_use_case("uptime", "error_rate")
    rows: list[tuple[object, ...]] = [(key, "uptime", NOW - n * HOUR, 99.0, "") for n in range(3)]
    rows += [(key, "error_rate", NOW, "abc", ""), (key, "error_rate", NOW - HOUR, 0.5, "")]
    path = points_csv(tmp_path, rows)

    result = cli("metrics", "import", str(path), "--as", actor)

    assert result.code == 1 and "Traceback" not in result.output
    assert "1 invalid row(s), nothing was imported:\n  - row 5: value 'abc' is not a number" in result.stderr
    assert series(key, "uptime") == [] and series(key, "error_rate") == []
    assert indicators(key)["uptime"]["last_point_at"] is None


def test_every_bad_row_is_reported_with_its_row_number(home: Path, tmp_path: Path) -> None:
    key, actor = measured_use_case("uptime", "active_users")
    path = tmp_path / "bad.csv"
    path.write_text(
        "use_case,metric,timestamp,value,cohort\n"
        f"{key},uptime,2026-03-01T00:00:00Z,99.5,\n"
        "UC-9999,uptime,2026-03-01T00:00:00Z,99.5,\n"
        f"{key},nope,2026-03-01T00:00:00Z,1,\n"
        f"{key},uptime,yesterday,99.5,\n"
        f"{key},uptime,2026-03-01T01:00:00Z,twelve,\n"
        f"{key},uptime,2026-03-01T02:00:00Z,100.5,\n"
        f"{key},uptime,2026-03-01T03:00:00Z,nan,\n"
        f"{key},active_users,2026-03-01T00:00:00Z,10,pilot group!\n"
        f"{key},uptime,2026-03-01T04:00:00Z\n"
        "\n"
        f"{key},uptime,2026-03-01T05:00:00Z,99.0,\n",
        encoding="utf-8",
    )

    result = cli("metrics", "import", str(path), "--as", actor)

    assert result.code == 1
    expected = [
        "8 invalid row(s), nothing was imported",
        "row 3: unknown use case 'UC-9999'",
        f"row 4: {key} has no metric 'nope' (define it with `pilotgate metrics define`)",
        "row 5: timestamp 'yesterday' is not ISO-8601, e.g. 2026-11-28T09:00:00Z",
        "row 6: value 'twelve' is not a number",
        "row 7: percentage 100.5 is out of range (0–100)",
        "row 8: value must be a finite number",
        "row 9: cohort 'pilot group!' is not a cohort name",
        "row 10: has 3 fields, the header has 5",
    ]
    for message in expected:
        assert message in result.stderr
    assert "row 2" not in result.stderr and "row 12" not in result.stderr
    assert series(key, "uptime") == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "file: the file is empty; expected a header: use_case,metric,timestamp,value[,cohort]"),
        ("use_case,metric,timestamp\n", "file: row 1: missing column(s) value; expected use_case,metric"),
        ("use_case,metric,when,value,region\n", "file: row 1: missing column(s) timestamp; unknown column(s) when"),
    ],
)
def test_header_problems_are_named(home: Path, tmp_path: Path, content: str, message: str) -> None:
    _, actor = measured_use_case()
    path = tmp_path / "header.csv"
    path.write_text(content, encoding="utf-8")
    result = cli("metrics", "import", str(path), "--as", actor)
    assert result.code == 1 and message in result.stderr


def test_a_file_that_is_not_utf8_is_a_clear_error(home: Path, tmp_path: Path) -> None:
    key, actor = measured_use_case("active_users")
    path = tmp_path / "latin1.csv"
    path.write_bytes(
        f"use_case,metric,timestamp,value,cohort\n{key},active_users,2026-03-01,4,caf\xe9\n".encode("latin-1")
    )
    result = cli("metrics", "import", str(path), "--as", actor)
    assert result.code == 1 and "Traceback" not in result.output
    assert "row 1: 'utf-8' codec can't decode byte 0xe9" in result.stderr
    assert "save the file as UTF-8 CSV" in result.stderr
    assert series(key, "active_users") == []


def test_a_spreadsheets_byte_order_mark_is_ignored(home: Path, tmp_path: Path) -> None:
    key, actor = measured_use_case("uptime")
    path = tmp_path / "excel.csv"
    path.write_bytes(f"\ufeffUse_Case,Metric,Timestamp,Value\r\n{key},uptime,2026-03-01T00:00:00Z,99.5\r\n".encode())
    ok("metrics", "import", str(path), "--as", actor)
    assert [(p["timestamp"], p["value"]) for p in series(key, "uptime")] == [("2026-03-01T00:00:00.000Z", 99.5)]


def test_cohort_and_segment_are_stored(home: Path, tmp_path: Path) -> None:
    key, actor = measured_use_case("active_users")
    rows = [(key, "active_users", NOW, 12, "pilot", "emea"), (key, "active_users", NOW, 30, "full", "")]
    path = points_csv(tmp_path, rows, header="use_case,metric,timestamp,value,cohort,segment")
    ok("metrics", "import", str(path), "--as", actor)
    stored = sorted((p["cohort"], p["segment"], p["value"]) for p in series(key, "active_users"))
    assert stored == [("full", "", 30.0), ("pilot", "emea", 12.0)]


def test_json_points_are_validated_and_stored_like_csv(home: Path) -> None:
    key, actor = measured_use_case("uptime", "mlflow.f1")
    good = [
        {"use_case": key.lower(), "metric": "uptime", "timestamp": iso(NOW), "value": 99.5},
        {"use_case": key, "metric": "mlflow.f1", "timestamp": iso(NOW), "value": "0.91", "cohort": "v2"},
    ]
    with uow() as unit:
        report = ingest.ingest(unit, ingest.json_points(good), actor=actor, source="api")
    assert (report.points, report.metrics, report.use_cases) == (2, 2, 1)
    assert [(p["value"], p["cohort"]) for p in series(key, "mlflow.f1")] == [(0.91, "v2")]

    bad = [good[0], "not an object", {**good[0], "value": True}, {**good[0], "value": None}]
    with pytest.raises(BatchInvalid) as raised, uow() as unit:
        ingest.ingest(unit, ingest.json_points(bad), actor=actor, source="api")
    assert raised.value.errors == [
        "row 2: is not an object",
        "row 3: value True is not a number",
        "row 4: value None is not a number",
    ]


# Evaluation: the numbers are the hand-computed ones


def test_uptime_and_error_rate_are_window_averages(home: Path, tmp_path: Path) -> None:
    key, actor = measured_use_case("uptime", "error_rate")
    uptime = [99.0, 99.5, 100.0, 98.5]
    rows: list[tuple[object, ...]] = [(key, "uptime", NOW - n * DAY, v, "") for n, v in enumerate(uptime)]
    rows += [(key, "error_rate", NOW - n * DAY, v, "") for n, v in enumerate((0.2, 0.4, 0.9))]
    rows.append((key, "uptime", NOW + HOUR, 0.0, ""))  # after "now": not yet part of any window
    load(tmp_path, actor, rows)

    assert value_of(key, 'uptime(window="30d") >= 0') == pytest.approx(99.25)
    assert value_of(key, 'error_rate(window="30d") >= 0') == pytest.approx(0.5)
    assert value_of(key, 'uptime(window="36h") >= 0') == pytest.approx(99.25)  # the two newest points
    result = evaluation(key, 'uptime(window="30d") >= slo.uptime and error_rate(window="30d") <= slo.error_rate')
    assert result.status == "not_met"  # 99.25 < 99.5, the policy's default SLO
    assert result.note == 'uptime(window="30d") = 99.25 ≥ slo.uptime = 99.5'
    left = result.comparisons[0].left
    assert left.points == 4
    assert (left.start_ms, left.end_ms) == (round((NOW - 30 * DAY).timestamp() * 1000), round(NOW.timestamp() * 1000))


def test_latency_percentiles_are_nearest_rank(home: Path, tmp_path: Path) -> None:
    key, actor = measured_use_case("latency_ms")
    values = [10.0 * n for n in range(1, 21)]  # 10 … 200 ms
    random.Random(7).shuffle(values)
    load(tmp_path, actor, [(key, "latency_ms", NOW - n * HOUR, v, "") for n, v in enumerate(values)])

    # Nearest rank: the ceil(n × p / 100)-th smallest value; interpolation would give 190.5 for p95.
    assert value_of(key, 'p95_latency(window="30d") >= 0') == 190.0
    assert value_of(key, 'latency_percentile(p=50, window="30d") >= 0') == 100.0
    assert value_of(key, 'latency_percentile(p=90, window="30d") >= 0') == 180.0
    assert value_of(key, 'latency_percentile(p=99, window="30d") >= 0') == 200.0
    assert value_of(key, 'latency_percentile(p=1, window="30d") >= 0') == 10.0
    assert value_of(key, 'metric("latency_ms", agg="max", window="30d") >= 0') == 200.0
    assert value_of(key, 'metric("latency_ms", agg="count", window="30d") >= 0') == 20.0


def test_adoption_of_a_finished_pilot_uses_the_pilots_last_weeks(home: Path, tmp_path: Path) -> None:
    key, actor = measured_use_case("active_users", "eligible_users")
    ended = NOW - 60 * DAY
    rows: list[tuple[object, ...]] = []
    for weeks_before, active in ((3, 40), (2, 50), (1, 60), (0, 70)):
        moment = ended - weeks_before * 7 * DAY
        rows += [(key, "active_users", moment, active, "pilot"), (key, "eligible_users", moment, 100, "pilot")]
    rows.append((key, "active_users", ended - 29 * DAY, 0, "pilot"))  # before the pilot's last 28 days
    for days_ago in (1, 8):  # the full roll-out keeps both series fresh
        rows += [(key, "active_users", NOW - days_ago * DAY, 500, "full")]
        rows += [(key, "eligible_users", NOW - days_ago * DAY, 1000, "full")]
    load(tmp_path, actor, rows)

    pilot = evaluation(key, 'adoption_rate(cohort="pilot", window="28d") >= rules.adoption_threshold')
    assert pilot.status == "not_met"
    measured = pilot.comparisons[0].left
    assert measured.value == pytest.approx(55 / 100)
    assert measured.points == 8
    assert measured.end_ms == round(ended.timestamp() * 1000)
    assert measured.start_ms == round((ended - 28 * DAY).timestamp() * 1000)
    assert value_of(key, 'adoption_rate(cohort="full", window="28d") >= 0') == pytest.approx(0.5)
    assert value_of(key, 'adoption_rate(window="28d") >= 0') == pytest.approx(0.5)  # no cohort: ends now
    gate4 = 'adoption_rate(cohort="full", window="28d") >= adoption_rate(cohort="pilot", window="28d")'
    assert evaluation(key, gate4).status == "not_met"  # 0.5 at full scope < 0.55 in the pilot


def test_mlflow_metric_is_the_newest_point(home: Path, tmp_path: Path) -> None:
    key, actor = measured_use_case("mlflow.f1")
    history = [(NOW - 30 * DAY, 0.80), (NOW - 20 * DAY, 0.87), (NOW - 400 * DAY, 0.99), (NOW - DAY, 0.83)]
    history.append((NOW + DAY, 0.95))  # logged "after now": not the newest point at NOW
    load(tmp_path, actor, [(key, "mlflow.f1", t, v, "") for t, v in history])

    result = evaluation(key, 'mlflow.metric("f1") >= 0.85')
    assert result.status == "not_met"
    assert result.comparisons[0].left.value == pytest.approx(0.83)
    assert evaluation(key, 'mlflow.metric("f1") >= 0.85', now=NOW + 2 * DAY).status == "met"


def test_a_point_just_outside_the_window_is_excluded(home: Path, tmp_path: Path) -> None:
    key, actor = measured_use_case("uptime")
    load(tmp_path, actor, [(key, "uptime", NOW - HOUR, 100.0, ""), (key, "uptime", NOW - 7 * DAY, 0.0, "")])
    assert value_of(key, 'uptime(window="7d") >= 0') == 100.0  # the window is (now - 7d, now]
    load(tmp_path, actor, [(key, "uptime", NOW - 7 * DAY + timedelta(milliseconds=1), 50.0, "")], name="edge.csv")
    assert value_of(key, 'uptime(window="7d") >= 0') == 75.0


def test_missing_or_stale_data_is_unknown_never_met(home: Path, tmp_path: Path) -> None:
    key, actor = measured_use_case()
    undefined = evaluation(key, 'uptime(window="30d") >= 99')
    assert (undefined.status, undefined.note) == (
        "unknown",
        "uptime(window=\"30d\"): metric 'uptime' is not defined on this use case",
    )
    ok("metrics", "define", key, "uptime", "--as", actor)
    empty = evaluation(key, 'uptime(window="30d") >= 99')
    assert (empty.status, empty.note) == ("unknown", 'uptime(window="30d"): no uptime data in the window of 30d')

    # Daily cadence: stale once the newest point is older than 1d + 12h grace, however good it is.
    load(tmp_path, actor, [(key, "uptime", NOW - 2 * DAY, 100.0, "")])
    stale = evaluation(key, 'uptime(window="30d") >= 99')
    assert stale.status == "unknown" and "stale: newest uptime point" in stale.note
    assert evaluation(key, 'uptime(window="30d") >= 99', now=NOW - 12 * HOUR).status == "met"
    ok("metrics", "edit", key, "uptime", "--cadence", "7d", "--as", actor)
    assert evaluation(key, 'uptime(window="30d") >= 99').status == "met"
    assert evaluation(key, 'uptime(window="30d") >= 99 or 1 < 2').status == "met"


def test_a_use_cases_slo_overrides_the_policy_default_until_reset(home: Path, tmp_path: Path) -> None:
    key, actor = measured_use_case("uptime")
    load(tmp_path, actor, [(key, "uptime", NOW - n * HOUR, v, "") for n, v in enumerate((99.0, 99.5))])
    expression = 'uptime(window="30d") >= slo.uptime'

    shown = json.loads(ok("slo", "show", key, "--json"))
    assert shown["uptime_pct"] == 99.5 and shown["sources"]["uptime_pct"] == "policy pilotgate-default default"
    assert evaluation(key, expression).status == "not_met"

    ok("slo", "set", key, "--uptime", "99.0", "--latency-ms", "500", "--as", actor)
    shown = json.loads(ok("slo", "show", key, "--json"))
    assert (shown["uptime_pct"], shown["latency_p95_ms"], shown["error_rate_pct"]) == (99.0, 500.0, 1.0)
    assert shown["sources"]["uptime_pct"] == "this use case's SLO"
    assert evaluation(key, expression).status == "met"

    ok("slo", "set", key, "--reset", "uptime_pct", "--as", actor)
    shown = json.loads(ok("slo", "show", key, "--json"))
    assert (shown["uptime_pct"], shown["latency_p95_ms"]) == (99.5, 500.0)
    assert evaluation(key, expression).status == "not_met"
    bad = cli("slo", "set", key, "--uptime", "120", "--as", actor)
    assert bad.code == 1 and "uptime: 120 is not a percentage between 0 and 100" in bad.stderr


def test_indicators_show_trend_and_progress_signed_by_direction(home: Path, tmp_path: Path) -> None:
    key, actor = measured_use_case()
    ok("metrics", "define", key, "latency_ms", "--baseline", "400", "--target", "200", "--as", actor)
    load(tmp_path, actor, [(key, "latency_ms", NOW - n * HOUR, 300.0, "") for n in range(3)])
    with uow(read_only=True, clock=lambda: NOW) as unit:
        found = usecases.get_or_raise(unit, key)
        [latency] = evidence.indicators(unit, found, usecases.policy_of(unit, found), window="7d")
    assert (latency.current, latency.points, latency.stale) == (300.0, 3, False)
    assert latency.trend == pytest.approx(0.25)  # 25 % faster than the baseline: positive
    assert latency.progress == pytest.approx(0.5)


def test_a_streamed_batch_is_stored_and_counted_exactly(home: Path) -> None:
    key, actor = measured_use_case("uptime")
    text = "use_case,metric,timestamp,value\n" + "".join(
        f"{key},uptime,{iso(NOW - n * timedelta(minutes=1))},99.9\n" for n in range(2500)
    )
    with uow() as unit:
        report = ingest.ingest(unit, csv_import.csv_points(io.StringIO(text)), actor=actor, source="stream")
    assert report.points == 2500
    assert value_of(key, 'metric("uptime", agg="count", window="1d") >= 0') == 1440.0  # one a minute
    assert value_of(key, 'metric("uptime", agg="count", window="2d") >= 0') == 2500.0
