"""Metric points in bulk: streamed, validated row by row, upserted, all or none.

A point's key is (use case, metric, timestamp, cohort): sending it again replaces its value.
Rows are validated and written in chunks as they stream past, so a file of millions of rows
never sits in memory; any invalid row makes the whole batch roll back, and the error names the
row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from operator import itemgetter
from typing import IO, Any, NamedTuple

from sqlalchemy import bindparam, select, update

from pilotgate.audit import service as audit
from pilotgate.db.uow import UnitOfWork
from pilotgate.errors import InvalidInput
from pilotgate.evidence import rules
from pilotgate.evidence.models import MetricDefinition
from pilotgate.usecases.models import UseCase

COLUMNS = ("use_case", "metric", "timestamp", "value")
OPTIONAL = ("cohort", "segment")
CHUNK = 20_000
MAX_ERRORS = 20
TIMESTAMP_MEMORY = 100_000  # distinct timestamps remembered at once; the memory starts over when full


class RawPoint(NamedTuple):
    row: int  # the row number a user sees: the CSV line (header = 1) or the JSON item (from 1)
    use_case: str
    metric: str
    timestamp: str
    value: Any
    cohort: str = ""
    segment: str = ""
    problem: str = ""  # set when the row could not even be split into fields


@dataclass
class Report:
    points: int = 0
    use_cases: int = 0
    metrics: int = 0


class BatchInvalid(InvalidInput):
    """Rows that cannot be stored; nothing of the batch was kept."""

    def __init__(self, errors: list[str], more: int) -> None:
        suffix = f" (and {more} more)" if more else ""
        count = len(errors) + more
        super().__init__("", f"{count} invalid row(s), nothing was imported{suffix}: " + "; ".join(errors))
        self.errors = errors


def csv_points(stream: IO[str]) -> Iterator[RawPoint]:
    """Points from CSV text with a header naming use_case, metric, timestamp, value[, cohort, segment]."""
    reader = csv.reader(stream)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise InvalidInput(
            "file", "the file is empty; expected a header: use_case,metric,timestamp,value[,cohort]"
        ) from None
    except (csv.Error, UnicodeDecodeError) as error:
        raise InvalidInput("file", f"row 1: {error}") from None
    missing = [c for c in COLUMNS if c not in header]
    unknown = [h for h in header if h not in COLUMNS + OPTIONAL]
    if missing or unknown:
        problems = ([f"missing column(s) {', '.join(missing)}"] if missing else []) + (
            [f"unknown column(s) {', '.join(unknown)}"] if unknown else []
        )
        raise InvalidInput(
            "file", f"row 1: {'; '.join(problems)}; expected use_case,metric,timestamp,value[,cohort][,segment]"
        )
    at = [header.index(c) for c in COLUMNS]
    cohort_at = header.index("cohort") if "cohort" in header else None
    segment_at = header.index("segment") if "segment" in header else None
    width = len(header)
    use_case_at, metric_at, timestamp_at, value_at = at
    row_number = 1
    try:
        for row_number, fields in enumerate(reader, start=2):
            if len(fields) != width:
                if not fields:
                    continue
                yield RawPoint(
                    row_number, "", "", "", None, problem=f"has {len(fields)} fields, the header has {width}"
                )
                continue
            yield RawPoint(
                row_number,
                fields[use_case_at],
                fields[metric_at],
                fields[timestamp_at],
                fields[value_at],
                fields[cohort_at] if cohort_at is not None else "",
                fields[segment_at] if segment_at is not None else "",
            )
    except (csv.Error, UnicodeDecodeError) as error:
        raise InvalidInput("file", f"row {row_number + 1}: {error}; is it a UTF-8 CSV file?") from None


def json_points(items: Iterable[Any]) -> Iterator[RawPoint]:
    """Points from decoded JSON objects {use_case, metric, timestamp, value[, cohort, segment]}."""
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            yield RawPoint(number, "", "", "", None, problem="is not an object")
            continue
        yield RawPoint(
            number,
            str(item.get("use_case", "")),
            str(item.get("metric", "")),
            str(item.get("timestamp", "")),
            item.get("value"),
            str(item.get("cohort") or ""),
            str(item.get("segment") or ""),
        )


class _Resolver:
    """Use case keys and metric definitions, loaded once per batch.

    What a row names repeats across a file (a few thousand series, a few hundred timestamps and
    cohorts in a million rows), so each distinct name is resolved once and remembered.
    """

    def __init__(self, uow: UnitOfWork, only: set[int] | None = None) -> None:
        self.only = only
        self.resolved: dict[tuple[str, str], tuple[int, str] | str] = {}
        self.timestamps: dict[str, int | None] = {}
        self.cohorts: set[str] = set()
        connection = uow.session.connection()
        self.use_cases: dict[str, int] = {key: id_ for key, id_ in connection.execute(select(UseCase.key, UseCase.id))}
        self.metrics: dict[tuple[int, str], tuple[int, str]] = {
            (uc, key): (mid, unit)
            for mid, uc, key, unit in connection.execute(
                select(MetricDefinition.id, MetricDefinition.use_case_id, MetricDefinition.key, MetricDefinition.unit)
            )
        }

    def metric(self, use_case: str, metric: str) -> tuple[int, str] | str:
        """(metric id, unit), or why the row names nothing known."""
        found = self.resolved.get((use_case, metric))
        if found is None:
            found = self.resolved[(use_case, metric)] = self._metric(use_case, metric)
        return found

    def _metric(self, use_case: str, metric: str) -> tuple[int, str] | str:
        use_case_id = self.use_cases.get(use_case) or self.use_cases.get(use_case.strip().upper())
        if use_case_id is None:
            return f"unknown use case {use_case!r}"
        if self.only is not None and use_case_id not in self.only:
            return (
                f"you hold no role on {use_case.strip().upper()}: only its named people, "
                "a program lead or an admin may send its evidence"
            )
        found = self.metrics.get((use_case_id, metric)) or self.metrics.get((use_case_id, metric.strip().lower()))
        if found is None:
            return f"{use_case.strip().upper()} has no metric {metric!r} (define it with `pilotgate metrics define`)"
        return found

    def timestamp_ms(self, text: str) -> int | None:
        """Milliseconds since the epoch, or None when the text is not ISO-8601."""
        if text in self.timestamps:
            return self.timestamps[text]
        if len(self.timestamps) >= TIMESTAMP_MEMORY:
            self.timestamps.clear()
        try:
            ms: int | None = rules.parse_timestamp_ms(text)
        except (ValueError, TypeError):
            ms = None
        self.timestamps[text] = ms
        return ms


def _upsert_sql(dialect: str) -> str:
    marks = ", ".join(["?" if dialect == "sqlite" else "%s"] * 5)
    return (
        f"INSERT INTO metric_points (metric_id, cohort, ts_ms, value, segment) VALUES ({marks}) "
        "ON CONFLICT (metric_id, cohort, ts_ms) DO UPDATE SET value = excluded.value, segment = excluded.segment"
    )


def _check(raw: RawPoint, resolver: _Resolver) -> tuple[int, str, int, float, str] | str:
    """The row ready to store, or why not."""
    _, use_case, metric, timestamp, value, cohort, segment, problem = raw
    if problem:
        return problem
    found = resolver.metric(use_case, metric)
    if isinstance(found, str):
        return found
    metric_id, unit = found
    ts_ms = resolver.timestamp_ms(timestamp)
    if ts_ms is None:
        return f"timestamp {timestamp!r} is not ISO-8601, e.g. 2026-11-28T09:00:00Z"
    if isinstance(value, bool) or value is None:
        return f"value {value!r} is not a number"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return f"value {value!r} is not a number"
    problem = rules.value_problem(number, unit) or ""
    if problem:
        return problem
    if cohort not in resolver.cohorts:
        if len(cohort) > 64 or not rules.COHORT_PATTERN.match(cohort):
            return f"cohort {cohort[:70]!r} is not a cohort name (letters, digits, '_', '-', '.', at most 64)"
        resolver.cohorts.add(cohort)
    if len(segment) > 64:
        return "segment is longer than 64 characters"
    return metric_id, cohort, ts_ms, number, segment


def ingest(
    uow: UnitOfWork,
    points: Iterable[RawPoint],
    *,
    actor: str,
    source: str,
    progress: Callable[[int], None] | None = None,
    only: set[int] | None = None,
) -> Report:
    """Validate and upsert every point in one transaction, or raise BatchInvalid and keep nothing.

    `only` limits the batch to these use case ids (a contributor's own use cases)."""
    resolver = _Resolver(uow, only)
    connection = uow.session.connection()
    sql = _upsert_sql(connection.dialect.name)
    errors: list[str] = []
    more = 0
    chunk: list[tuple[int, str, int, float, str]] = []
    newest: dict[int, int] = {}
    report = Report()
    for raw in points:
        checked = _check(raw, resolver)
        if isinstance(checked, str):
            if len(errors) < MAX_ERRORS:
                errors.append(f"row {raw.row}: {checked}")
            else:
                more += 1
            continue
        if errors:
            continue  # keep validating to report every bad row, but stop writing
        chunk.append(checked)
        if len(chunk) >= CHUNK:
            _flush(connection, sql, chunk, newest, report, progress)
    if errors:
        raise BatchInvalid(errors, more)
    _flush(connection, sql, chunk, newest, report, progress)
    _record_newest(uow, newest)
    report.metrics = len(newest)
    if report.points:
        _audit(uow, resolver, newest, report, actor=actor, source=source)
    return report


_KEY = itemgetter(0, 1, 2)  # (metric id, cohort, ts_ms): a point's primary key


def _flush(
    connection: Any,
    sql: str,
    chunk: list[tuple[int, str, int, float, str]],
    newest: dict[int, int],
    report: Report,
    progress: Callable[[int], None] | None,
) -> None:
    if not chunk:
        return
    # In key order SQLite appends to its B-tree instead of seeking for every row (about a third
    # faster); the sort is stable, so of two rows with the same key the later still wins.
    chunk.sort(key=_KEY)
    connection.exec_driver_sql(sql, chunk)
    for metric_id, _, ts_ms, _, _ in chunk:
        if ts_ms > newest.get(metric_id, -1 << 62):
            newest[metric_id] = ts_ms
    report.points += len(chunk)
    if progress is not None:
        progress(len(chunk))
    chunk.clear()


def _record_newest(uow: UnitOfWork, newest: dict[int, int]) -> None:
    statement = (
        update(MetricDefinition)
        .where(MetricDefinition.id == _bind("mid"))
        .where(MetricDefinition.last_point_ms.is_(None) | (MetricDefinition.last_point_ms < _bind("ts")))
        .values(last_point_ms=_bind("ts"))
    )
    if newest:
        uow.session.connection().execute(statement, [{"mid": m, "ts": t} for m, t in newest.items()])


def _bind(name: str) -> Any:
    return bindparam(name)


def _audit(
    uow: UnitOfWork, resolver: _Resolver, newest: dict[int, int], report: Report, *, actor: str, source: str
) -> None:
    by_id = {mid: uc for (uc, _), (mid, _) in resolver.metrics.items()}
    use_case_ids = {by_id[m] for m in newest}
    report.use_cases = len(use_case_ids)
    keys = {v: k for k, v in resolver.use_cases.items()}
    only = keys[next(iter(use_case_ids))] if len(use_case_ids) == 1 else None
    audit.record(
        uow,
        actor=actor,
        action="metrics.imported",
        entity_type="metrics",
        entity_id=source[:64] or "batch",
        use_case_key=only,
        after={"points": report.points, "use_cases": report.use_cases, "metrics": len(newest), "source": source},
    )


def text_stream(binary: IO[bytes]) -> IO[str]:
    """UTF-8 text over a binary stream (a leading byte-order mark is dropped)."""
    return io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
