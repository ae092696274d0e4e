"""Metric points in bulk: streamed, validated row by row, upserted, all or none.

A point's key is (use case, metric, timestamp, cohort): sending it again replaces its value.
Rows are validated and written in chunks as they stream past, so a file of millions of rows
never sits in memory; any invalid row makes the whole batch roll back, and the error names the
row.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from itertools import chain
from typing import Any, NamedTuple

from sqlalchemy import select

from pilotgate.audit import service as audit
from pilotgate.db import bulk
from pilotgate.db.uow import UnitOfWork
from pilotgate.errors import InvalidInput
from pilotgate.evidence import rules
from pilotgate.evidence.models import MetricDefinition
from pilotgate.usecases.models import UseCase

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
        # (use case, metric) as written → (metric id, lowest, highest value): the series resolved so far
        self.series: dict[tuple[str, str], tuple[int, float, float]] = {}
        self.timestamps: dict[str, int | None] = {}
        self.cohorts: set[str] = set()
        connection = uow.session.connection()
        self.use_cases: dict[str, int] = dict(bulk.rows(connection, select(UseCase.key, UseCase.id)))
        self.metrics: dict[tuple[int, str], tuple[int, str]] = {
            (uc, key): (mid, unit)
            for mid, uc, key, unit in bulk.rows(
                connection,
                select(MetricDefinition.id, MetricDefinition.use_case_id, MetricDefinition.key, MetricDefinition.unit),
            )
        }

    def metric(self, use_case: str, metric: str) -> tuple[int, str] | str:
        """(metric id, unit), or why the row names nothing known."""
        found = self.resolved.get((use_case, metric))
        if found is None:
            found = self.resolved[(use_case, metric)] = self._metric(use_case, metric)
            if not isinstance(found, str):
                self.series[(use_case, metric)] = (found[0], *rules.value_bounds(found[1]))
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


@cache
def _upsert_sql(dialect: str, rows: int = 1) -> str:
    row = "(" + ", ".join(["?" if dialect == "sqlite" else "%s"] * 5) + ")"
    return (
        f"INSERT INTO metric_points (metric_id, cohort, ts_ms, value, segment) VALUES {', '.join([row] * rows)} "
        "ON CONFLICT (metric_id, cohort, ts_ms) DO UPDATE SET value = excluded.value, segment = excluded.segment"
    )


def _check(raw: RawPoint, resolver: _Resolver) -> Row | str:
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


Row = tuple[int, str, int, float, str]  # (metric id, cohort, ts_ms, value, segment): a point ready to store
_NEVER = -1 << 62  # earlier than any point


class Batch:
    """One all-or-none batch: rows checked, buffered and written in key-sorted chunks."""

    def __init__(self, uow: UnitOfWork, only: set[int] | None, progress: Callable[[int], None] | None) -> None:
        self.uow = uow
        self.resolver = _Resolver(uow, only)
        self.connection = uow.session.connection()
        self.sqlite = self.connection.dialect.name == "sqlite"
        self.sql = _upsert_sql(self.connection.dialect.name)
        self.progress = progress
        self.errors: list[str] = []
        self.more = 0
        self.chunk: list[Row] = []
        self.newest: dict[int, int] = {}
        self.report = Report()

    def check(self, raw: RawPoint) -> None:
        """Validate one row; keep it unless this batch already failed (then only its errors count)."""
        checked = _check(raw, self.resolver)
        if isinstance(checked, str):
            if len(self.errors) < MAX_ERRORS:
                self.errors.append(f"row {raw.row}: {checked}")
            else:
                self.more += 1
        elif not self.errors:
            self.chunk.append(checked)
            if len(self.chunk) >= CHUNK:
                self.flush()

    def flush(self) -> None:
        chunk = self.chunk
        if not chunk:
            return
        # In file order: of two rows with the same key the later wins. (Sorting by key first cost
        # more than it saved on files written series by series, as exports are.)
        if self.sqlite:
            _write_sqlite(self.connection, chunk)
        else:
            self.connection.exec_driver_sql(self.sql, chunk)
        newest = self.newest
        newest_of = newest.get
        for metric_id, _, ts_ms, _, _ in chunk:
            if ts_ms > newest_of(metric_id, _NEVER):
                newest[metric_id] = ts_ms
        self.report.points += len(chunk)
        if self.progress is not None:
            self.progress(len(chunk))
        chunk.clear()

    def finish(self, *, actor: str, source: str) -> Report:
        if self.errors:
            raise BatchInvalid(self.errors, self.more)
        self.flush()
        _record_newest(self.uow, self.newest)
        self.report.metrics = len(self.newest)
        if self.report.points:
            _audit(self.uow, self.resolver, self.newest, self.report, actor=actor, source=source)
        return self.report


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
    batch = Batch(uow, only, progress)
    for raw in points:
        batch.check(raw)
    return batch.finish(actor=actor, source=source)


# SQLite binds at most 32,766 parameters a statement: 6,553 rows of five.
_ROWS_PER_STATEMENT = 32_766 // 5


def _write_sqlite(connection: Any, chunk: list[Row]) -> None:
    """Upsert the rows, thousands to a statement: a multi-row VALUES upsert steps once where
    executemany steps once per row, so SQLite's B-tree work, not the binding, sets the pace."""
    full = len(chunk) - len(chunk) % _ROWS_PER_STATEMENT
    if full:
        sql = _upsert_sql("sqlite", _ROWS_PER_STATEMENT)
        for at in range(0, full, _ROWS_PER_STATEMENT):
            connection.exec_driver_sql(sql, tuple(chain.from_iterable(chunk[at : at + _ROWS_PER_STATEMENT])))
    if full < len(chunk):
        connection.exec_driver_sql(_upsert_sql("sqlite"), chunk[full:])


def _record_newest(uow: UnitOfWork, newest: dict[int, int]) -> None:
    """Move each series' newest-point time forward (never back), one driver-level statement for all."""
    if not newest:
        return
    connection = uow.session.connection()
    mark = "?" if connection.dialect.name == "sqlite" else "%s"
    connection.exec_driver_sql(
        f"UPDATE metric_definitions SET last_point_ms = {mark} "
        f"WHERE id = {mark} AND (last_point_ms IS NULL OR last_point_ms < {mark})",
        [(ts, mid, ts) for mid, ts in newest.items()],
    )


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
