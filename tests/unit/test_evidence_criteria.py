"""Metric criteria: argument checking in the grammar, Kleene logic and the explained measurements."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from pilotgate.evidence.criteria import (
    Aggregate,
    Measured,
    Series,
    SeriesInfo,
    call_value,
    calls_in,
    compile_judge,
    evaluate,
    judge,
    measure_call,
    series_of,
)
from pilotgate.evidence.rules import parse_duration
from pilotgate.policy.expressions import Call, ExpressionError, parse
from pilotgate.policy.loader import shipped_policy_text
from tests.builders import cli

DAY = 86400
NOW_MS = round(datetime(2026, 3, 1, 12, tzinfo=UTC).timestamp() * 1000)


# The grammar checks every call's arguments


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('availability(window="30d") >= 99', "unknown function 'availability'; known: adoption_rate, error_rate"),
        ('uptime(window="3x") >= 99', "uptime(): window '3x' is not a duration like \"30d\""),
        ('uptime(window="30 days") >= 99', "uptime(): window '30 days' is not a duration"),
        ("uptime(window=30) >= 99", "uptime(): window must be a quoted string"),
        ('metric("revenue", agg="median") > 0', "metric(): agg 'median' is not one of avg, min, max, sum"),
        ('metric(window="7d") > 0', "metric() needs key"),
        ("mlflow.metric() >= 0.8", "mlflow.metric() needs name"),
        ("metric(key=3) > 0", "metric(): key must be a quoted string"),
        ('uptime("30d") >= 99', 'uptime() takes keyword arguments such as window="30d", not positional ones'),
        ('metric("revenue", "sum") > 0', "metric() takes keyword arguments such as window="),
        ('metric("revenue", key="cost") > 0', "metric() is given 'key' twice"),
        ('adoption_rate(cohort="a", cohort="b") > 0', "adoption_rate() is given 'cohort' twice"),
        ('uptime(cohort="pilot") >= 99', "uptime() takes no argument 'cohort'; it takes window"),
        ("latency_percentile(p=100) <= 900", "latency_percentile(): p must be a number between 0 and 100"),
        ('latency_percentile(p="99") <= 900', "latency_percentile(): p must be a number between 0 and 100"),
        ("slo.uptime_pct >= 99", "unknown reference 'slo.uptime_pct'"),
    ],
)
def test_bad_arguments_are_refused_saying_why(text: str, message: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert message in str(caught.value)


def test_policy_validate_names_the_key_of_each_bad_expression(tmp_path: Path) -> None:
    data = yaml.safe_load(shipped_policy_text())
    data["gates"][2]["criteria"][1]["expression"] = 'adoption_rate(cohort="pilot", window="3x") >= 0.6'
    data["gates"][1]["criteria"][0]["expression"] = 'metric("f1", agg="median") >= 0.85'
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")

    result = cli("policy", "validate", str(path))

    assert result.code == 1
    assert "not a valid policy (2 problem(s))" in result.stderr
    assert "gates[1].criteria[0].expression: metric(): agg 'median' is not one of" in result.stderr
    assert "gates[2].criteria[1].expression: adoption_rate(): window '3x' is not a duration" in result.stderr


# Series an indicator reads


def series(text: str) -> tuple[Series, ...]:
    call = parse(text).first.left
    assert isinstance(call, Call)
    return series_of(call, 30 * DAY, parse_duration)


def test_each_function_reads_its_series() -> None:
    assert series('uptime(window="7d") > 0') == (Series("uptime", None, "avg", 7 * DAY),)
    assert series("p95_latency() > 0") == (Series("latency_ms", None, "p95", 30 * DAY),)
    assert series('latency_percentile(99, window="1d") > 0') == (Series("latency_ms", None, "p99", DAY),)
    assert series('adoption_rate(cohort="pilot", window="28d") > 0') == (
        Series("active_users", "pilot", "avg", 28 * DAY),
        Series("eligible_users", "pilot", "avg", 28 * DAY),
    )
    assert series('mlflow.metric("Val-Loss") < 1') == (Series("mlflow.val_loss", None, "last", None),)
    assert series('metric("revenue", agg="last") > 0') == (Series("revenue", None, "last", None),)
    assert series('metric("revenue", agg="sum", cohort="eu") > 0') == (Series("revenue", "eu", "sum", 30 * DAY),)


# Kleene's three-valued logic

TRUE, FALSE, UNKNOWN = "1 < 2", "2 < 1", "slo.uptime > 0"  # slo.uptime has no value below: unknown
VALUES = {TRUE: True, FALSE: False, UNKNOWN: None}
STATUS = {True: "met", False: "not_met", None: "unknown"}
AND = {
    (True, True): True, (True, False): False, (True, None): None,
    (False, True): False, (False, False): False, (False, None): False,
    (None, True): None, (None, False): False, (None, None): None,
}  # fmt: skip
OR = {
    (True, True): True, (True, False): True, (True, None): True,
    (False, True): True, (False, False): False, (False, None): None,
    (None, True): True, (None, False): None, (None, None): None,
}  # fmt: skip


def status_of(text: str, references: dict[str, Measured] | None = None) -> str:
    return evaluate(text, parse(text), {}, references or {}).status


@pytest.mark.parametrize("left", [TRUE, FALSE, UNKNOWN])
@pytest.mark.parametrize("right", [TRUE, FALSE, UNKNOWN])
def test_and_or_follow_kleene(left: str, right: str) -> None:
    pair = (VALUES[left], VALUES[right])
    assert status_of(f"{left} and {right}") == STATUS[AND[pair]]
    assert status_of(f"{left} or {right}") == STATUS[OR[pair]]


def test_joiners_apply_left_to_right() -> None:
    # Documented: no precedence between and/or; (true or true) and false.
    assert status_of(f"{TRUE} or {TRUE} and {FALSE}") == "not_met"


def test_a_stale_value_is_unknown_even_when_it_would_pass() -> None:
    stale = Measured("slo.uptime", 99.9, "stale: old", stale=True)
    assert status_of("slo.uptime >= 99", {"slo.uptime": stale}) == "unknown"
    fresh = Measured("slo.uptime", 99.9, "fresh")
    assert status_of("slo.uptime >= 99", {"slo.uptime": fresh}) == "met"


def test_the_note_explains_the_deciding_comparisons() -> None:
    refs = {"slo.uptime": Measured("slo.uptime", 99.5, "policy default")}
    result = evaluate("x", parse("slo.uptime >= 99.9 and 1 < 2"), {}, refs)
    assert result.status == "not_met"
    assert result.note == "slo.uptime = 99.5 ≥ 99.9"
    unknown = evaluate("x", parse("slo.error_rate <= 1 and 1 < 2"), {}, refs)
    assert unknown.status == "unknown"
    assert unknown.note == "slo.error_rate: no value"


# Measuring a call from the store's aggregates


def call_of(text: str) -> tuple[Call, tuple[Series, ...]]:
    call = parse(f"{text} > 0").first.left
    assert isinstance(call, Call)
    return call, series_of(call, 30 * DAY, parse_duration)


def info(*, cadence: int | None = DAY, last_ms: int | None = NOW_MS, stale: bool = False) -> SeriesInfo:
    return SeriesInfo("%", cadence, last_ms, stale)


def test_an_undefined_metric() -> None:
    call, specs = call_of('uptime(window="30d")')
    measured = measure_call(call, specs, {}, {})
    assert measured.value is None and not measured.known
    assert measured.detail == "metric 'uptime' is not defined on this use case"


def test_a_stale_series_names_its_newest_point_and_cadence() -> None:
    call, specs = call_of('uptime(window="30d")')
    last = NOW_MS - 3 * DAY * 1000
    found = {specs[0]: Aggregate(99.9, 3, NOW_MS - 30 * DAY * 1000, NOW_MS)}
    measured = measure_call(call, specs, found, {"uptime": info(last_ms=last, stale=True)})
    assert measured.stale and not measured.known and measured.value == 99.9
    assert measured.detail == "stale: newest uptime point 2026-02-26T12:00:00+00:00, expected every 1d"


def test_a_stale_series_with_a_sub_hour_cadence_says_its_cadence() -> None:
    call, specs = call_of('uptime(window="1d")')
    measured = measure_call(call, specs, {}, {"uptime": info(cadence=30 * 60, stale=True)})
    assert measured.detail.endswith("expected every 30m")


def test_no_data_in_the_window() -> None:
    call, specs = call_of('uptime(window="30d")')
    measured = measure_call(call, specs, {}, {"uptime": info(last_ms=None)})
    assert measured.value is None and measured.detail == "no uptime data in the window of 30d"


def test_no_data_in_a_window_shorter_than_an_hour_multiple_says_the_window() -> None:
    call, specs = call_of('uptime(window="90m")')
    measured = measure_call(call, specs, {}, {"uptime": info(last_ms=None)})
    assert measured.detail == "no uptime data in the window of 90m"


def test_no_data_for_the_cohort_names_the_missing_series() -> None:
    call, specs = call_of('adoption_rate(cohort="pilot", window="28d")')
    active = {specs[0]: Aggregate(40.0, 4, 0, 1)}
    measured = measure_call(call, specs, active, {"active_users": info(), "eligible_users": info()})
    assert measured.detail == "no eligible_users data for cohort 'pilot' in the window of 28d"


def test_zero_eligible_users_is_unknown_not_a_division_error() -> None:
    call, specs = call_of('adoption_rate(cohort="pilot", window="28d")')
    found = {specs[0]: Aggregate(0.0, 2, 0, 1), specs[1]: Aggregate(0.0, 2, 0, 1)}
    measured = measure_call(call, specs, found, {"active_users": info(), "eligible_users": info()})
    assert measured.value is None and measured.detail == "no eligible users for cohort 'pilot'"


def test_adoption_is_active_over_eligible_with_the_data_behind_it() -> None:
    call, specs = call_of('adoption_rate(cohort="pilot", window="28d")')
    found = {specs[0]: Aggregate(45.0, 4, 100, 200), specs[1]: Aggregate(60.0, 2, 100, 200)}
    measured = measure_call(call, specs, found, {"active_users": info(), "eligible_users": info()})
    assert measured.value == pytest.approx(0.75) and measured.known
    assert measured.points == 6 and (measured.start_ms, measured.end_ms) == (100, 200)
    assert measured.detail == "45 active ÷ 60 eligible users (average for cohort 'pilot', 6 points)"


def test_a_measurement_with_data_is_known() -> None:
    call, specs = call_of('p95_latency(window="7d")')
    found = {specs[0]: Aggregate(420.0, 12, 0, NOW_MS)}
    measured = measure_call(call, specs, found, {"latency_ms": info()})
    assert measured.known and measured.value == 420.0
    assert measured.detail == "p95 of 12 latency_ms points"


# The status is decided from the numbers (judge), the explanation built later (evaluate): they must agree.
_EXPRESSIONS = (
    'uptime(window="30d") >= slo.uptime and p95_latency(window="30d") <= slo.latency_ms '
    'or error_rate(window="30d") <= slo.error_rate',
    'adoption_rate(cohort="full", window="28d") >= adoption_rate(cohort="pilot", window="28d")',
    'mlflow.metric("f1") >= 0.85 or metric("revenue", agg="sum") > 100',
)


@given(
    expression=st.sampled_from(_EXPRESSIONS),
    data=st.data(),
)
def test_the_fast_status_agrees_with_the_explained_evaluation(expression: str, data: st.DataObject) -> None:
    condition = parse(expression)
    calls = {call: series_of(call, 30 * DAY, parse_duration) for call in calls_in(condition)}
    aggregates: dict[Series, Aggregate] = {}
    infos: dict[str, SeriesInfo] = {}
    for series in calls.values():
        for spec in series:
            if data.draw(st.booleans()):
                value = data.draw(st.none() | st.floats(min_value=0, max_value=1000, allow_nan=False))
                aggregates[spec] = Aggregate(value, data.draw(st.integers(0, 50)), NOW_MS - DAY, NOW_MS)
            if data.draw(st.integers(0, 4)):
                infos[spec.key] = info(last_ms=NOW_MS, stale=data.draw(st.integers(0, 5)) == 0)
    references = {
        name: Measured(name, data.draw(st.none() | st.floats(min_value=0, max_value=1000)))
        for name in ("slo.uptime", "slo.latency_ms", "slo.error_rate")
    }
    values = {id(call): call_value(series, aggregates, infos) for call, series in calls.items()}
    measured = {call: measure_call(call, series, aggregates, infos) for call, series in calls.items()}
    explained = evaluate(expression, condition, measured, references)
    assert judge(condition, values, references) == explained.status
    assert compile_judge(condition, calls)(aggregates, infos, references) == explained.status
    for call in calls:
        assert (values[id(call)] is not None) == measured[call].known
