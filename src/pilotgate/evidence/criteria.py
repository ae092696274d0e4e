"""Metric criteria evaluated over measured series: pure, three-valued, explained.

An operand is resolved to a :class:`Measured` (a value with the data behind it). A comparison
with a missing or stale side is ``unknown``, never ``met``; ``and`` / ``or`` follow Kleene's
three-valued logic left to right.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from functools import lru_cache
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


class Evaluation:
    """A metric criterion's live status (met, not_met or unknown) and why.

    The status is decided from the numbers at once; the explanation (each comparison with its
    labels, windows and data counts) is built from the same numbers when it is first read, so a
    portfolio-wide check of ten thousand criteria pays for the text only where it is shown.
    """

    __slots__ = ("_build", "_comparisons", "_note", "expression", "status")

    def __init__(
        self,
        expression: str,
        status: str,
        comparisons: tuple[ComparisonResult, ...] | None = None,
        *,
        build: Callable[[], tuple[ComparisonResult, ...]] | None = None,
    ) -> None:
        self.expression, self.status = expression, status
        self._comparisons, self._build = comparisons, build
        self._note: str | None = None

    @property
    def comparisons(self) -> tuple[ComparisonResult, ...]:
        if self._comparisons is None:
            self._comparisons = self._build() if self._build is not None else ()
        return self._comparisons

    def __repr__(self) -> str:
        return f"Evaluation({self.expression!r}, {self.status!r})"

    @property
    def note(self) -> str:
        if self._note is None:
            wanted = {"met": True, "not_met": False, "unknown": None}[self.status]
            reasons = [c.describe() for c in self.comparisons if c.outcome is wanted] or [
                c.describe() for c in self.comparisons
            ]
            self._note = "; ".join(reasons)
        return self._note

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


@lru_cache(maxsize=1024)
def label_of(call: Call) -> str:
    """How a call reads in notes and tables; the same few calls recur for every use case."""
    return call.text()


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
    label = label_of(call)
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
    first = aggregates.get(series[0]) or _NOTHING
    second = (aggregates.get(series[1]) or _NOTHING) if len(series) > 1 else None
    spec = series[0]
    if first.value is None or (second is not None and second.value is None):
        empty = spec if first.value is None else series[1]
        return Measured(
            label, None, _no_data(empty.key, spec.cohort, spec.window_seconds), 0, first.start_ms, first.end_ms
        )
    if second is not None:  # adoption_rate: active ÷ eligible users
        points = first.points + second.points
        active, eligible = first.value, second.value
        cohort = f" for cohort {spec.cohort!r}" if spec.cohort else ""
        if not eligible:
            return Measured(label, None, f"no eligible users{cohort}", points, first.start_ms, first.end_ms)
        detail = f"{active:.4g} active ÷ {eligible:.4g} eligible users (average{cohort}, {points} points)"
        return Measured(label, active / eligible, detail, points, first.start_ms, first.end_ms)
    return Measured(label, first.value, _plain_detail(spec, first.points), first.points, first.start_ms, first.end_ms)


_NOTHING = Aggregate(None, 0, None, None)


@lru_cache(maxsize=4096)
def _plain_detail(spec: Series, points: int) -> str:
    cohort = f" for cohort {spec.cohort!r}" if spec.cohort else ""
    return f"{spec.agg} of {points} {spec.key} points{cohort}"


@lru_cache(maxsize=1024)
def _no_data(key: str, cohort: str | None, window_seconds: int | None) -> str:
    in_cohort = f" for cohort {cohort!r}" if cohort else ""
    window = f" in the window of {_span(window_seconds)}" if window_seconds else ""
    return f"no {key} data{in_cohort}{window}"


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


def call_value(
    series: tuple[Series, ...], aggregates: Mapping[Series, Aggregate], infos: Mapping[str, SeriesInfo]
) -> float | None:
    """The value an indicator call takes, or None when it is not known (undefined, stale, no data).

    The same rule as `measure_call`, without the explanation: `Measured.known` is True exactly
    when this is not None.
    """
    spec = series[0]
    info = infos.get(spec.key)
    if info is None or info.stale:
        return None
    first = aggregates.get(spec)
    if first is None or first.value is None:
        return None
    if len(series) == 1:
        return first.value
    # adoption_rate: active ÷ eligible users
    spec = series[1]
    info = infos.get(spec.key)
    if info is None or info.stale:
        return None
    second = aggregates.get(spec)
    if second is None or not second.value:
        return None
    return first.value / second.value


def _value(operand: Operand, values: Mapping[int, float | None], references: Mapping[str, Measured]) -> float | None:
    if isinstance(operand, Call):
        return values[id(operand)]
    if isinstance(operand, Number):
        return operand.value
    found = references.get(operand.name)
    return found.value if found is not None and found.known else None


def _outcome(
    comparison: Comparison, values: Mapping[int, float | None], references: Mapping[str, Measured]
) -> bool | None:
    left = _value(comparison.left, values, references)
    right = _value(comparison.right, values, references)
    return None if left is None or right is None else _OPS[comparison.op](left, right)


def judge(condition: Condition, values: Mapping[int, float | None], references: Mapping[str, Measured]) -> str:
    """The status of a condition from its calls' values (keyed by id of the call) and references."""
    result = _outcome(condition.first, values, references)
    for joiner, comparison in condition.rest:
        following = _outcome(comparison, values, references)
        result = _and(result, following) if joiner == "and" else _or(result, following)
    return "unknown" if result is None else ("met" if result else "not_met")


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


# A judge compiled once per criterion: closures over each operand, so judging ten thousand use
# cases neither re-inspects the expression's tree nor builds a values dictionary for each.
Reader = Callable[[Mapping[Series, Aggregate], Mapping[str, SeriesInfo], Mapping[str, Measured]], float | None]
Judge = Callable[[Mapping[Series, Aggregate], Mapping[str, SeriesInfo], Mapping[str, Measured]], str]
Outcome = Callable[[Mapping[Series, Aggregate], Mapping[str, SeriesInfo], Mapping[str, Measured]], bool | None]


def _reader(operand: Operand, series_by_call: Mapping[Call, tuple[Series, ...]]) -> Reader:
    if isinstance(operand, Number):
        number = operand.value
        return lambda aggregates, infos, references: number
    if isinstance(operand, Reference):
        name = operand.name

        def reference(aggregates: Any, infos: Any, references: Mapping[str, Measured]) -> float | None:
            found = references.get(name)
            return found.value if found is not None and found.known else None

        return reference
    series = series_by_call[operand]
    return lambda aggregates, infos, references: call_value(series, aggregates, infos)


def _comparison(comparison: Comparison, series_by_call: Mapping[Call, tuple[Series, ...]]) -> Outcome:
    left, right, op = (
        _reader(comparison.left, series_by_call),
        _reader(comparison.right, series_by_call),
        _OPS[comparison.op],
    )

    def outcome(aggregates: Any, infos: Any, references: Any) -> bool | None:
        a = left(aggregates, infos, references)
        if a is None:
            return None
        b = right(aggregates, infos, references)
        return None if b is None else op(a, b)

    return outcome


def compile_judge(condition: Condition, series_by_call: Mapping[Call, tuple[Series, ...]]) -> Judge:
    """`judge` for one condition, compiled: the same status from the same numbers, faster in bulk."""
    first = _comparison(condition.first, series_by_call)
    rest = [(joiner == "and", _comparison(c, series_by_call)) for joiner, c in condition.rest]

    def status(aggregates: Any, infos: Any, references: Any) -> str:
        result = first(aggregates, infos, references)
        for conjunction, comparison in rest:
            following = comparison(aggregates, infos, references)
            result = _and(result, following) if conjunction else _or(result, following)
        return "unknown" if result is None else ("met" if result else "not_met")

    return status
