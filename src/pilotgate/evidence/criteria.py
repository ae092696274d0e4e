"""Metric criteria evaluated over measured series: pure, three-valued, explained.

An operand is resolved to a :class:`Measured` (a value with the data behind it). A comparison
with a missing or stale side is ``unknown``, never ``met``; ``and`` / ``or`` follow Kleene's
three-valued logic left to right.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, NamedTuple

from pilotgate.policy.expressions import Call, Comparison, Condition, Number, Operand, Reference

_OPS: dict[str, Callable[[float, float], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}
SYMBOL = {"<=": "≤", ">=": "≥", "!=": "≠", "==": "=", "<": "<", ">": ">"}


class Series(NamedTuple):
    """One aggregate over one metric series: what the store computes for an operand."""

    key: str
    cohort: str | None  # None: every cohort
    agg: str  # avg, min, max, sum, count, last or pNN
    window_seconds: int | None  # None: the whole series (with agg="last": its newest point)


class Aggregate(NamedTuple):
    """What the store found for a series: the value and the data behind it."""

    value: float | None
    points: int
    start_ms: int | None  # the window the value covers
    end_ms: int | None


class SeriesInfo(NamedTuple):
    """A defined metric's unit, cadence and newest point, for staleness."""

    unit: str
    cadence_seconds: int | None
    last_point_ms: int | None
    stale: bool


class Measured(NamedTuple):
    """An operand's value with what it rests on; ``value`` is None when it could not be measured."""

    label: str
    value: float | None
    detail: str = ""
    points: int = 0
    start_ms: int | None = None
    end_ms: int | None = None
    stale: bool = False

    @property
    def known(self) -> bool:
        return self.value is not None and not self.stale

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "value": self.value,
            "detail": self.detail,
            "points": self.points,
            "window_start": _iso(self.start_ms),
            "window_end": _iso(self.end_ms),
            "stale": self.stale,
        }


class ComparisonResult(NamedTuple):
    left: Measured
    op: str
    right: Measured
    outcome: bool | None

    def describe(self) -> str:
        if self.outcome is None:
            missing = next(m for m in (self.left, self.right) if not m.known)
            return f"{missing.label}: {missing.detail or 'no value'}"
        return f"{_show(self.left)} {SYMBOL[self.op]} {_show(self.right)}"

    def as_dict(self) -> dict[str, Any]:
        return {"left": self.left.as_dict(), "op": self.op, "right": self.right.as_dict(), "outcome": self.outcome}


class Evaluation(NamedTuple):
    """A metric criterion's live status (met, not_met or unknown) and why."""

    expression: str
    status: str
    comparisons: tuple[ComparisonResult, ...]

    @property
    def note(self) -> str:
        wanted = {"met": True, "not_met": False, "unknown": None}[self.status]
        reasons = [c.describe() for c in self.comparisons if c.outcome is wanted] or [
            c.describe() for c in self.comparisons
        ]
        return "; ".join(reasons)

    def as_dict(self) -> dict[str, Any]:
        return {
            "expression": self.expression,
            "status": self.status,
            "note": self.note,
            "comparisons": [c.as_dict() for c in self.comparisons],
        }


def _iso(ms: int | None) -> str | None:
    return None if ms is None else datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="seconds")


def _show(measured: Measured) -> str:
    value = f"{measured.value:.4g}" if measured.value is not None else "?"
    return value if measured.label == value else f"{measured.label} = {value}"


def normalise_mlflow_name(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in name.lower())


def series_of(call: Call, default_window: int, parse_window: Callable[[str], int]) -> tuple[Series, ...]:
    """The series an indicator function reads (adoption reads two: active and eligible users)."""
    args = call.arguments()
    raw_window = args.get("window")
    window = parse_window(raw_window) if isinstance(raw_window, str) else default_window
    cohort = args.get("cohort")
    cohort = cohort if isinstance(cohort, str) else None
    match call.function:
        case "uptime":
            return (Series("uptime", None, "avg", window),)
        case "error_rate":
            return (Series("error_rate", None, "avg", window),)
        case "p95_latency":
            return (Series("latency_ms", None, "p95", window),)
        case "latency_percentile":
            p = args.get("p", 95.0)
            return (Series("latency_ms", None, f"p{float(p):g}", window),)
        case "adoption_rate":
            return (Series("active_users", cohort, "avg", window), Series("eligible_users", cohort, "avg", window))
        case "mlflow.metric":
            return (Series(f"mlflow.{normalise_mlflow_name(str(args['name']))}", None, "last", None),)
        case _:  # metric(key, agg, cohort, window)
            agg = str(args.get("agg", "avg"))
            explicit = isinstance(raw_window, str)
            return (Series(str(args["key"]), cohort, agg, window if explicit or agg != "last" else None),)


def calls_in(condition: Condition) -> Iterable[Call]:
    for comparison in (condition.first, *(c for _, c in condition.rest)):
        for operand in (comparison.left, comparison.right):
            if isinstance(operand, Call):
                yield operand


def measure_call(
    call: Call,
    series: tuple[Series, ...],
    aggregates: Mapping[Series, Aggregate],
    infos: Mapping[str, SeriesInfo],
) -> Measured:
    """Resolve an indicator call from the aggregates the store computed for one use case."""
    label = call.text()
    for spec in series:
        info = infos.get(spec.key)
        if info is None:
            return Measured(label, None, f"metric {spec.key!r} is not defined on this use case")
        if info.stale:
            last = _iso(info.last_point_ms)
            every = _span(info.cadence_seconds) if info.cadence_seconds else "?"
            partial = aggregates.get(spec)
            value = partial.value if partial else None
            return Measured(label, value, f"stale: newest {spec.key} point {last}, expected every {every}", stale=True)
    found = [aggregates.get(spec) or Aggregate(None, 0, None, None) for spec in series]
    first = found[0]
    cohort = f" for cohort {series[0].cohort!r}" if series[0].cohort else ""
    window = f" in the window of {_window_text(series[0])}" if series[0].window_seconds else ""
    if any(a.value is None for a in found):
        empty = series[[a.value is None for a in found].index(True)]
        return Measured(label, None, f"no {empty.key} data{cohort}{window}", 0, first.start_ms, first.end_ms)
    points = sum(a.points for a in found)
    if call.function == "adoption_rate":
        active, eligible = found[0].value, found[1].value
        if not eligible:
            return Measured(label, None, f"no eligible users{cohort}", points, first.start_ms, first.end_ms)
        detail = f"{active:.4g} active ÷ {eligible:.4g} eligible users (average{cohort}, {points} points)"
        return Measured(label, active / eligible, detail, points, first.start_ms, first.end_ms)  # type: ignore[operator]
    detail = f"{series[0].agg} of {first.points} {series[0].key} points{cohort}"
    return Measured(label, first.value, detail, points, first.start_ms, first.end_ms)


def _window_text(spec: Series) -> str:
    return _span(spec.window_seconds or 0)


def _span(seconds: int) -> str:
    """A duration as people write it in expressions: 30d, 12h, 90m (weeks stay in days)."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _resolve(operand: Operand, calls: Mapping[Call, Measured], references: Mapping[str, Measured]) -> Measured:
    if isinstance(operand, Number):
        return Measured(f"{operand.value:g}", operand.value)
    if isinstance(operand, Reference):
        return references.get(operand.name) or Measured(operand.name, None, "no value")
    return calls[operand]


def _compare(comparison: Comparison, calls: Mapping[Call, Measured], refs: Mapping[str, Measured]) -> ComparisonResult:
    left = _resolve(comparison.left, calls, refs)
    right = _resolve(comparison.right, calls, refs)
    outcome = None
    if left.known and right.known:
        outcome = _OPS[comparison.op](left.value, right.value)  # type: ignore[arg-type]
    return ComparisonResult(left, comparison.op, right, outcome)


def _and(a: bool | None, b: bool | None) -> bool | None:
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def _or(a: bool | None, b: bool | None) -> bool | None:
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


def evaluate(
    expression: str,
    condition: Condition,
    calls: Mapping[Call, Measured],
    references: Mapping[str, Measured],
) -> Evaluation:
    """Judge a parsed condition given every call's measurement and every reference's value."""
    results = [_compare(condition.first, calls, references)]
    outcome = results[0].outcome
    for joiner, comparison in condition.rest:
        result = _compare(comparison, calls, references)
        results.append(result)
        outcome = _and(outcome, result.outcome) if joiner == "and" else _or(outcome, result.outcome)
    status = "unknown" if outcome is None else ("met" if outcome else "not_met")
    return Evaluation(expression, status, tuple(results))
