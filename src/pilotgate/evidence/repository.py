"""Queries over metric series: set-based aggregates for one use case or the whole portfolio."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import Select, and_, func, literal, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

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
    return [(a, b, c, d, e) for a, b, c, d, e in connection.execute(query).all()]


def _scope(series: Series, use_case_ids: Collection[int] | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = [Definition.c.key == series.key]
    if use_case_ids is not None and len(use_case_ids) <= ID_FILTER_LIMIT:
        conditions.append(Definition.c.use_case_id.in_(list(use_case_ids)))
    if series.cohort is not None:
        conditions.append(Point.c.cohort == series.cohort)
    return conditions


def _windowed(series: Series, now_ms: int, use_case_ids: Collection[int] | None) -> Select:  # type: ignore[type-arg]
    """The points of a series in its window, with the window's bounds.

    A window ends now; for one cohort it ends at that cohort's newest point, so a finished pilot
    is judged on its last weeks rather than on the empty weeks since it ended.
    """
    joined = Point.join(Definition, Definition.c.id == Point.c.metric_id)
    scope = _scope(series, use_case_ids)
    if series.cohort is not None:
        anchor = (
            select(Point.c.metric_id, func.max(Point.c.ts_ms).label("end_ms"))
            .select_from(joined)
            .where(*scope, Point.c.ts_ms <= now_ms)
            .group_by(Point.c.metric_id)
            .subquery()
        )
        end = anchor.c.end_ms
        joined = joined.join(anchor, anchor.c.metric_id == Point.c.metric_id)
    else:
        end = literal(now_ms)
    conditions = [*scope, Point.c.ts_ms <= end]
    if series.window_seconds is not None:
        conditions.append(Point.c.ts_ms > end - series.window_seconds * 1000)
    return (
        select(Definition.c.use_case_id, Point.c.value, Point.c.ts_ms, end.label("end_ms"))
        .select_from(joined)
        .where(and_(*conditions))
    )


def aggregate(
    connection: Connection, series: Series, *, now_ms: int, use_case_ids: Collection[int] | None = None
) -> dict[int, Aggregate]:
    """The series' aggregate over its window for every (or each named) use case that has data."""
    rows = _windowed(series, now_ms, use_case_ids).subquery()
    window = series.window_seconds
    if series.agg in _SIMPLE:
        value = _SIMPLE[series.agg](rows.c.value)
        query = select(rows.c.use_case_id, value, func.count(), func.max(rows.c.end_ms)).group_by(rows.c.use_case_id)
    else:
        query = _ranked(series, rows)
    found: dict[int, Aggregate] = {}
    for use_case_id, value, points, end_ms in connection.execute(query).all():
        if use_case_ids is not None and use_case_id not in use_case_ids:
            continue
        start = end_ms - window * 1000 if window is not None else None
        found[use_case_id] = Aggregate(None if value is None else float(value), points, start, end_ms)
    return found


def _ranked(series: Series, rows):  # type: ignore[no-untyped-def]
    """Nearest-rank percentile, or the newest value, with window functions both databases run."""
    partition = rows.c.use_case_id
    count = func.count().over(partition_by=partition)
    if series.agg == "last":
        rank = func.row_number().over(partition_by=partition, order_by=rows.c.ts_ms.desc())
        wanted: ColumnElement[Any] | None = literal(1)
    else:
        rank = func.row_number().over(partition_by=partition, order_by=rows.c.value)
        # ceil(n * p / 100) in integer arithmetic, with p in hundredths of a percent.
        hundredths = round(float(series.agg[1:]) * 100)
        wanted = None
    ranked = select(rows.c.use_case_id, rows.c.value, rank.label("rank"), count.label("n"), rows.c.end_ms).subquery()
    if wanted is None:
        wanted = (ranked.c.n * hundredths + 9999) // 10000
    return select(ranked.c.use_case_id, ranked.c.value, ranked.c.n, ranked.c.end_ms).where(ranked.c.rank == wanted)


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
