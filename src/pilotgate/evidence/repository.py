"""Queries over metric series: set-based aggregates for one use case or the whole portfolio."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, func, literal, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from pilotgate.db import bulk
from pilotgate.evidence.criteria import Aggregate, Series
from pilotgate.evidence.models import MetricDefinition, MetricPoint

# Above this many use cases a filter by id costs more than it saves: aggregate them all.
ID_FILTER_LIMIT = 500
_SIMPLE: dict[str, Any] = {"avg": func.avg, "min": func.min, "max": func.max, "sum": func.sum, "count": func.count}

Definition = MetricDefinition.__table__
Point = MetricPoint.__table__


def definitions(
    connection: Connection, *, keys: Collection[str], use_case_ids: Collection[int] | None
) -> list[tuple[int, str, str, int | None, int | None]]:
    """(use case id, key, unit, cadence seconds, newest point ms) of the named metrics."""
    query = select(
        Definition.c.use_case_id,
        Definition.c.key,
        Definition.c.unit,
        Definition.c.cadence_seconds,
        Definition.c.last_point_ms,
    ).where(Definition.c.key.in_(list(keys)))
    if use_case_ids is not None:
        query = query.where(Definition.c.use_case_id.in_(list(use_case_ids)))
    return bulk.rows(connection, query)


class Group(NamedTuple):
    """Series of one metric that differ only in their cohort: one query computes them all."""

    key: str
    cohorts: tuple[str, ...] | None  # None: every cohort together
    agg: str
    window_seconds: int | None


def groups(series: Collection[Series]) -> list[Group]:
    """The queries that compute these series: the cohorts of one metric share one scan of its points.

    (Merging different metrics into one query measured slower on SQLite: its grouping then needs a
    sort the single-metric query avoids.)
    """
    found: dict[tuple[str, bool, str, int | None], dict[str, None]] = {}
    for spec in series:
        cohorts = found.setdefault((spec.key, spec.cohort is not None, spec.agg, spec.window_seconds), {})
        if spec.cohort is not None:
            cohorts[spec.cohort] = None
    return [
        Group(key, tuple(cohorts) if by_cohort else None, agg, window)
        for (key, by_cohort, agg, window), cohorts in found.items()
    ]


def _scope(group: Group, use_case_ids: Collection[int] | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Definition.c.key == group.key]
    if use_case_ids is not None and len(use_case_ids) <= ID_FILTER_LIMIT:
        conditions.append(Definition.c.use_case_id.in_(list(use_case_ids)))
    if group.cohorts is not None:
        cohorts = group.cohorts
        conditions.append(Point.c.cohort == cohorts[0] if len(cohorts) == 1 else Point.c.cohort.in_(cohorts))
    return conditions


def _windowed(group: Group, now_ms: int, use_case_ids: Collection[int] | None) -> Select:  # type: ignore[type-arg]
    """The points of a group's series in their window, with the window's end.

    A window ends now; for one cohort it ends at that cohort's newest point, so a finished pilot
    is judged on its last weeks rather than on the empty weeks since it ended.
    """
    joined = Point.join(Definition, Definition.c.id == Point.c.metric_id)
    scope = _scope(group, use_case_ids)
    if group.cohorts is not None:
        anchor = (
            select(Point.c.metric_id, Point.c.cohort, func.max(Point.c.ts_ms).label("end_ms"))
            .select_from(joined)
            .where(*scope, Point.c.ts_ms <= now_ms)
            .group_by(Point.c.metric_id, Point.c.cohort)
            .subquery()
        )
        end: ColumnElement[Any] = anchor.c.end_ms
        joined = joined.join(anchor, and_(anchor.c.metric_id == Point.c.metric_id, anchor.c.cohort == Point.c.cohort))
    else:
        end = literal(now_ms)
    conditions = [*scope, Point.c.ts_ms <= end]
    if group.window_seconds is not None:
        conditions.append(Point.c.ts_ms > end - group.window_seconds * 1000)
    return (
        select(Definition.c.use_case_id, Point.c.cohort, Point.c.value, Point.c.ts_ms, end.label("end_ms"))
        .select_from(joined)
        .where(and_(*conditions))
    )


def aggregate_group(
    connection: Connection, group: Group, *, now_ms: int, use_case_ids: Collection[int] | None = None
) -> dict[tuple[int, str | None], Aggregate]:
    """Each (use case, cohort) series' aggregate over the group's window, where it has data; the
    cohort is None when the group reads every cohort together."""
    rows = _windowed(group, now_ms, use_case_ids).subquery()
    window = group.window_seconds
    if group.agg == "last" and group.cohorts is None and window is None:
        query = _newest(group, now_ms, use_case_ids)
    elif group.agg in _SIMPLE:
        value = _SIMPLE[group.agg](rows.c.value)
        by = _partition(group, rows)
        query = select(*by, value, func.count(), func.max(rows.c.end_ms)).group_by(*by)
    else:
        query = _ranked(group, rows)
    found: dict[tuple[int, str | None], Aggregate] = {}
    wanted = use_case_ids if use_case_ids is not None and len(use_case_ids) > ID_FILTER_LIMIT else None
    by_cohort = group.cohorts is not None
    for row in bulk.rows(connection, query):
        use_case_id, cohort = row[0], (row[1] if by_cohort else None)
        if wanted is not None and use_case_id not in wanted:
            continue
        value, points, end_ms = row[-3:]
        start = end_ms - window * 1000 if window is not None else None
        found[(use_case_id, cohort)] = Aggregate(None if value is None else float(value), points, start, end_ms)
    return found


def aggregate(
    connection: Connection, series: Series, *, now_ms: int, use_case_ids: Collection[int] | None = None
) -> dict[int, Aggregate]:
    """The series' aggregate over its window for every (or each named) use case that has data."""
    group = Group(series.key, None if series.cohort is None else (series.cohort,), series.agg, series.window_seconds)
    found = aggregate_group(connection, group, now_ms=now_ms, use_case_ids=use_case_ids)
    return {use_case_id: value for (use_case_id, _), value in found.items()}


def _ranked(group: Group, rows):  # type: ignore[no-untyped-def]
    """Nearest-rank percentile, or the newest value, with window functions both databases run."""
    partition = _partition(group, rows)
    count = func.count().over(partition_by=partition)
    if group.agg == "last":
        rank = func.row_number().over(partition_by=partition, order_by=rows.c.ts_ms.desc())
        wanted: ColumnElement[Any] | None = literal(1)
    else:
        rank = func.row_number().over(partition_by=partition, order_by=rows.c.value)
        # ceil(n * p / 100) in integer arithmetic, with p in hundredths of a percent.
        hundredths = round(float(group.agg[1:]) * 100)
        wanted = None
    ranked = select(*partition, rows.c.value, rank.label("rank"), count.label("n"), rows.c.end_ms).subquery()
    if wanted is None:
        wanted = (ranked.c.n * hundredths + 9999) // 10000
    kept = [ranked.c.use_case_id, ranked.c.cohort] if group.cohorts is not None else [ranked.c.use_case_id]
    return select(*kept, ranked.c.value, ranked.c.n, ranked.c.end_ms).where(ranked.c.rank == wanted)


def _newest(group: Group, now_ms: int, use_case_ids: Collection[int] | None) -> Select:  # type: ignore[type-arg]
    """The newest point of a whole series (e.g. a model's F1): its time from one grouped scan, then
    its value by key lookup, which is cheaper than ranking every point. Points of several cohorts
    at the same newest time give their largest value."""
    newest = (
        select(Point.c.metric_id, func.max(Point.c.ts_ms).label("ts_ms"), func.count().label("n"))
        .select_from(Point.join(Definition, Definition.c.id == Point.c.metric_id))
        .where(*_scope(group, use_case_ids), Point.c.ts_ms <= now_ms)
        .group_by(Point.c.metric_id)
        .subquery()
    )
    return (
        select(Definition.c.use_case_id, func.max(Point.c.value), func.max(newest.c.n), literal(now_ms))
        .select_from(newest)
        .join(Point, and_(Point.c.metric_id == newest.c.metric_id, Point.c.ts_ms == newest.c.ts_ms))
        .join(Definition, Definition.c.id == newest.c.metric_id)
        .group_by(newest.c.metric_id, Definition.c.use_case_id)
    )


def _partition(group: Group, rows):  # type: ignore[no-untyped-def]
    return (rows.c.use_case_id, rows.c.cohort) if group.cohorts is not None else (rows.c.use_case_id,)


# A chart needs no more than this many points per series: longer series are averaged in buckets.
CHART_POINTS = 400


def chart_series(
    connection: Connection, metric_id: int, *, since_ms: int, until_ms: int
) -> list[tuple[str, int, float]]:
    """(cohort, time ms, value) of a series for a chart, averaged into buckets when it is long."""
    scope = (Point.c.metric_id == metric_id, Point.c.ts_ms >= since_ms, Point.c.ts_ms <= until_ms)
    count = connection.execute(select(func.count()).select_from(Point).where(*scope)).scalar_one()
    if count <= CHART_POINTS:
        query = select(Point.c.cohort, Point.c.ts_ms, Point.c.value).where(*scope).order_by(Point.c.ts_ms)
        return [(c, t, v) for c, t, v in connection.execute(query)]
    bucket_ms = max(1, (until_ms - since_ms) // CHART_POINTS)
    bucket = (Point.c.ts_ms - since_ms) // bucket_ms
    query = (
        select(Point.c.cohort, func.min(Point.c.ts_ms), func.avg(Point.c.value))
        .where(*scope)
        .group_by(Point.c.cohort, bucket)
        .order_by(func.min(Point.c.ts_ms))
    )
    return [(c, int(t), float(v)) for c, t, v in connection.execute(query)]
