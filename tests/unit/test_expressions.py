"""The metric-criterion grammar: the issue's examples parse, anything else is an ExpressionError."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pilotgate.policy.expressions import (
    Call,
    Comparison,
    Condition,
    ExpressionError,
    Number,
    Reference,
    parse,
)


def single(text: str) -> Comparison:
    """The only comparison in an expression."""
    condition = parse(text)
    assert condition.rest == ()
    return condition.first


def test_uptime_against_the_slo() -> None:
    assert single('uptime(window="30d") >= slo.uptime') == Comparison(
        Call("uptime", (), (("window", "30d"),)), ">=", Reference("slo.uptime")
    )


def test_p95_latency_against_the_slo() -> None:
    assert single('p95_latency(window="30d") <= slo.latency_ms') == Comparison(
        Call("p95_latency", (), (("window", "30d"),)), "<=", Reference("slo.latency_ms")
    )


def test_error_rate_against_the_slo() -> None:
    assert single('error_rate(window="30d") <= slo.error_rate') == Comparison(
        Call("error_rate", (), (("window", "30d"),)), "<=", Reference("slo.error_rate")
    )


def test_pilot_adoption_against_a_number() -> None:
    assert single('adoption_rate(cohort="pilot", window="28d") >= 0.60') == Comparison(
        Call("adoption_rate", (), (("cohort", "pilot"), ("window", "28d"))), ">=", Number(0.6)
    )


def test_full_adoption_against_pilot_adoption() -> None:
    text = 'adoption_rate(cohort="full", window="28d") >= adoption_rate(cohort="pilot", window="28d")'
    assert single(text) == Comparison(
        Call("adoption_rate", (), (("cohort", "full"), ("window", "28d"))),
        ">=",
        Call("adoption_rate", (), (("cohort", "pilot"), ("window", "28d"))),
    )


def test_mlflow_metric_with_a_positional_name() -> None:
    assert single('mlflow.metric("f1") >= 0.85') == Comparison(Call("mlflow.metric", ("f1",), ()), ">=", Number(0.85))


def test_single_quotes_and_loose_whitespace() -> None:
    assert single("  uptime( window = '7d' )>=99.5  ") == Comparison(
        Call("uptime", (), (("window", "7d"),)), ">=", Number(99.5)
    )


@pytest.mark.parametrize("op", ["<", "<=", ">", ">=", "==", "!="])
def test_every_comparator(op: str) -> None:
    assert single(f"error_rate() {op} 1").op == op


def test_comparisons_joined_by_and_or() -> None:
    condition = parse('uptime(window="30d") >= slo.uptime and error_rate() <= 0.01 or 1 == 1')
    assert isinstance(condition, Condition)
    assert [joiner for joiner, _ in condition.rest] == ["and", "or"]
    assert condition.rest[1][1] == Comparison(Number(1), "==", Number(1))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('availability(window="30d") >= 99', "unknown function 'availability'"),
        ('uptime(period="30d") >= 99', "uptime() takes no argument 'period'"),
        ('uptime(window="30d") >= 99 99', "unexpected '99' after a complete comparison"),
        ('uptime(window="30d") >= 99 and', "expression ends early"),
        ('uptime(window="30d") >=', "expression ends early; expected a number"),
        ('uptime(window="30d")', "expression ends early; expected a comparison"),
        (">= 99.5", "expected a number, a function call or a reference but found '>='"),
        ('uptime(window="30d") 99', "expected a comparison"),
        ("slo.availability >= 99", "unknown reference 'slo.availability'"),
        ("__import__('os')", "unknown function '__import__'"),
        ("__import__('os').system('id') == 0", "unexpected character '.'"),
        ("1 + 2", "unexpected character '+'"),
        ("uptime() >= 1; drop table", "unexpected character ';'"),
        ("uptime(window=slo.uptime) >= 1", "expected a quoted string or a number"),
        ('uptime(window="30d" >= 1', "expected ',' but found '>='"),
        ('uptime(window="30d",) >= 1', "expected a quoted string or a number but found ')'"),
    ],
)
def test_malformed_expressions_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert message in str(caught.value)


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_an_empty_expression(text: str) -> None:
    with pytest.raises(ExpressionError, match="expression is empty"):
        parse(text)


def test_expression_error_is_a_value_error() -> None:
    assert issubclass(ExpressionError, ValueError)


GRAMMAR_PIECES = st.sampled_from(
    [
        "uptime",
        "adoption_rate",
        "mlflow.metric",
        "slo.uptime",
        "window",
        "cohort",
        "=",
        "(",
        ")",
        ",",
        '"30d"',
        "'pilot'",
        "0.60",
        "99",
        ">=",
        "<",
        "==",
        "and",
        "or",
        " ",
        ".",
        "__import__",
        "+",
    ]
)


@given(st.text())
def test_arbitrary_text_parses_or_raises_expression_error(text: str) -> None:
    try:
        result = parse(text)
    except ExpressionError:
        return
    assert isinstance(result, Condition)


@given(st.lists(GRAMMAR_PIECES, max_size=20).map("".join))
def test_near_miss_expressions_parse_or_raise_expression_error(text: str) -> None:
    try:
        result = parse(text)
    except ExpressionError:
        return
    assert isinstance(result, Condition)
