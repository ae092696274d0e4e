"""Pure evidence rules: durations, value ranges, staleness, trend and progress; no database."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from pilotgate.evidence.rules import (
    format_duration,
    grace_seconds,
    is_stale,
    parse_duration,
    parse_timestamp_ms,
    progress,
    standard_for,
    trend,
    value_problem,
)

HOUR, DAY = 3600, 86400


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90s", 90), ("15m", 900), ("12h", 12 * HOUR), ("30d", 30 * DAY), ("4w", 28 * DAY), (" 7d ", 7 * DAY)],
)
def test_durations_parse(text: str, seconds: int) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "3x", "d", "30", "1.5d", "-1d", "30 days", "1d2h"])
def test_malformed_durations_say_what_a_duration_looks_like(text: str) -> None:
    with pytest.raises(ValueError, match=r"is not a duration like 30d, 12h, 15m, 4w or 90s"):
        parse_duration(text)


def test_a_zero_duration_is_refused() -> None:
    with pytest.raises(ValueError, match="'0d' must be longer than zero"):
        parse_duration("0d")


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(90, "90s"), (900, "15m"), (5400, "90m"), (HOUR, "1h"), (36 * HOUR, "36h"), (DAY, "1d"), (7 * DAY, "1w")],
)
def test_durations_format_in_the_largest_whole_unit(seconds: int, text: str) -> None:
    assert format_duration(seconds) == text
    assert parse_duration(format_duration(seconds)) == seconds


@pytest.mark.parametrize(
    ("value", "unit", "problem"),
    [
        (0.0, "%", None),
        (100.0, "%", None),
        (100.5, "%", "percentage 100.5 is out of range (0–100)"),
        (-0.1, "%", "percentage -0.1 is out of range (0–100)"),
        (1.0, "ratio", None),
        (1.01, "ratio", "ratio 1.01 is out of range (0–1)"),
        (-2.0, "ratio", "ratio -2 is out of range (0–1)"),
        (-250.0, "USD", None),  # a loss is a number like any other
        (1e9, "users", None),
        (math.nan, "users", "value must be a finite number"),
        (math.inf, "%", "value must be a finite number"),
    ],
)
def test_value_problem(value: float, unit: str, problem: str | None) -> None:
    assert value_problem(value, unit) == problem


NOW_MS = 1_800_000_000_000


def stale(age_seconds: float, cadence: int | None, *, ratio: float = 0.5, minimum: int = HOUR) -> bool:
    return is_stale(NOW_MS - round(age_seconds * 1000), cadence, NOW_MS, ratio=ratio, minimum_seconds=minimum)


def test_a_daily_series_is_stale_only_past_cadence_plus_half_a_cadence() -> None:
    allowed = DAY + DAY // 2
    assert grace_seconds(DAY, 0.5, HOUR) == DAY // 2
    assert not stale(allowed, DAY)
    assert stale(allowed + 0.001, DAY)


def test_a_short_cadence_gets_the_minimum_grace() -> None:
    assert grace_seconds(15 * 60, 0.5, HOUR) == HOUR
    assert not stale(15 * 60 + HOUR, 15 * 60)
    assert stale(15 * 60 + HOUR + 1, 15 * 60)


def test_grace_ratio_zero_leaves_only_the_minimum() -> None:
    assert not stale(7 * DAY + HOUR, 7 * DAY, ratio=0)
    assert stale(7 * DAY + HOUR + 1, 7 * DAY, ratio=0)


def test_a_series_without_cadence_never_goes_stale() -> None:
    assert not stale(3650 * DAY, None)


def test_a_series_without_points_is_missing_not_stale() -> None:
    assert not is_stale(None, DAY, NOW_MS, ratio=0.5, minimum_seconds=HOUR)


def test_a_point_in_the_future_is_not_stale() -> None:
    assert not stale(-DAY, DAY)


@pytest.mark.parametrize(
    ("current", "baseline", "direction", "expected"),
    [
        (110.0, 100.0, "higher", 0.10),  # more users: better
        (90.0, 100.0, "higher", -0.10),
        (90.0, 100.0, "lower", 0.10),  # faster: better
        (110.0, 100.0, "lower", -0.10),
        (-50.0, -100.0, "higher", 0.50),  # a smaller loss against a negative baseline
        (100.0, 100.0, "lower", 0.0),
    ],
)
def test_trend_is_positive_when_better_whatever_the_direction(
    current: float, baseline: float, direction: str, expected: float
) -> None:
    assert trend(current, baseline, direction) == pytest.approx(expected)


@pytest.mark.parametrize(("current", "baseline"), [(None, 100.0), (100.0, None), (100.0, 0.0)])
def test_trend_without_a_usable_baseline_is_none(current: float | None, baseline: float | None) -> None:
    assert trend(current, baseline, "higher") is None


@pytest.mark.parametrize(
    ("current", "baseline", "target", "expected"),
    [
        (75.0, 50.0, 100.0, 0.5),
        (125.0, 50.0, 100.0, 1.5),  # past the target
        (40.0, 50.0, 100.0, -0.2),  # worse than the baseline
        (300.0, 400.0, 200.0, 0.5),  # lower is better: 400 ms → 200 ms, now 300 ms
        (500.0, 400.0, 200.0, -0.5),
    ],
)
def test_progress_runs_from_baseline_to_target(current: float, baseline: float, target: float, expected: float) -> None:
    assert progress(current, baseline, target) == pytest.approx(expected)


@pytest.mark.parametrize(("current", "baseline", "target"), [(1.0, None, 2.0), (1.0, 2.0, None), (1.0, 2.0, 2.0)])
def test_progress_without_a_span_is_none(current: float, baseline: float | None, target: float | None) -> None:
    assert progress(current, baseline, target) is None


def test_standard_keys_and_mlflow_series_have_defaults() -> None:
    uptime = standard_for("uptime")
    assert uptime is not None
    assert (uptime.unit, uptime.kind, uptime.direction, uptime.cadence) == ("%", "sla", "higher", "1d")
    f1, loss = standard_for("mlflow.f1"), standard_for("mlflow.val_loss")
    assert f1 is not None and (f1.kind, f1.direction, f1.cadence) == ("technical", "higher", None)
    assert loss is not None and loss.direction == "lower"
    assert standard_for("nps") is None


@pytest.mark.parametrize(
    "text",
    ["2026-03-01T12:00:00Z", "2026-03-01T12:00:00+00:00", "2026-03-01T14:00:00+02:00", "2026-03-01T12:00:00"],
)
def test_timestamps_with_any_offset_and_naive_ones_as_utc(text: str) -> None:
    assert parse_timestamp_ms(text) == round(datetime(2026, 3, 1, 12, tzinfo=UTC).timestamp() * 1000)
