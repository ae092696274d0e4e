"""Metric definitions, service-level objectives and live indicators of a use case."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from pilotgate.audit import service as audit
from pilotgate.db.uow import UnitOfWork
from pilotgate.errors import Conflict, InvalidInput, NotFound
from pilotgate.evidence import repository, rules
from pilotgate.evidence.criteria import Evaluation, Series
from pilotgate.evidence.evaluation import evaluate_all, slo_references
from pilotgate.evidence.models import MetricDefinition, MetricPoint, ServiceLevelObjective
from pilotgate.policy.model import Criterion, Policy
from pilotgate.usecases import service as usecases
from pilotgate.usecases.models import UseCase

METRIC_FIELDS = ("name", "unit", "kind", "direction", "baseline", "target", "cadence")


def definition_dict(row: MetricDefinition) -> dict[str, Any]:
    return {
        "key": row.key,
        "name": row.name,
        "unit": row.unit,
        "kind": row.kind,
        "indicator": rules.indicator_class(row.kind),
        "direction": row.direction,
        "baseline": row.baseline,
        "target": row.target,
        "cadence": rules.format_duration(row.cadence_seconds) if row.cadence_seconds else None,
    }


def metrics_of(uow: UnitOfWork, use_case: UseCase) -> list[MetricDefinition]:
    query = select(MetricDefinition).where(MetricDefinition.use_case_id == use_case.id).order_by(MetricDefinition.key)
    return list(uow.session.scalars(query))


def metric_get_or_raise(uow: UnitOfWork, use_case: UseCase, key: str) -> MetricDefinition:
    row = uow.session.scalar(
        select(MetricDefinition).where(MetricDefinition.use_case_id == use_case.id, MetricDefinition.key == key)
    )
    if row is None:
        raise NotFound(
            f"{use_case.key} has no metric {key!r}; define it with `pilotgate metrics define {use_case.key} {key}`"
        )
    return row


def _apply(row: MetricDefinition, values: dict[str, Any]) -> None:
    for field, value in values.items():
        if value is None:
            continue
        if field == "kind" and value not in rules.KINDS:
            raise InvalidInput("kind", f"{value!r} is not one of {', '.join(rules.KINDS)}")
        if field == "direction" and value not in rules.DIRECTIONS:
            raise InvalidInput("direction", f"{value!r} is not one of {', '.join(rules.DIRECTIONS)}")
        if field in ("name", "unit") and len(str(value).strip()) > (200 if field == "name" else 32):
            raise InvalidInput(field, "is too long")
        if field == "cadence":
            try:
                row.cadence_seconds = rules.parse_duration(str(value)) if value != "none" else None
            except ValueError as error:
                raise InvalidInput("cadence", f"{error}, or 'none' for a series that never goes stale") from None
            continue
        setattr(row, field, value.strip() if isinstance(value, str) else value)
    for field in ("baseline", "target"):
        value = getattr(row, field)
        if value is not None and (problem := rules.value_problem(value, row.unit)):
            raise InvalidInput(field, problem)


def define_metric(uow: UnitOfWork, *, key: str, metric: str, actor: str, **values: Any) -> MetricDefinition:
    """Define what a use case measures; a standard key (uptime, latency_ms, …) fills in its defaults."""
    use_case = usecases.get_or_raise(uow, key)
    person = usecases.person_get_or_raise(uow, actor)
    metric = metric.strip().lower()
    if not rules.KEY_PATTERN.match(metric) or len(metric) > 64:
        raise InvalidInput("metric", f"{metric!r} is not a metric key: lower-case letters, digits and '_', e.g. uptime")
    exists = uow.session.scalar(
        select(MetricDefinition.id).where(MetricDefinition.use_case_id == use_case.id, MetricDefinition.key == metric)
    )
    if exists is not None:
        raise Conflict(f"{use_case.key} already defines {metric!r}; change it with `pilotgate metrics edit`")
    standard = rules.standard_for(metric)
    defaults: dict[str, Any] = (
        {"name": standard.name, "unit": standard.unit, "kind": standard.kind, "direction": standard.direction}
        if standard
        else {"name": metric, "unit": "", "kind": None, "direction": "higher"}
    )
    merged = {**defaults, **{k: v for k, v in values.items() if v is not None}}
    if merged.get("kind") is None:
        raise InvalidInput("kind", f"{metric!r} is not a standard metric: give its kind ({', '.join(rules.KINDS)})")
    if "cadence" not in values or values["cadence"] is None:
        merged["cadence"] = standard.cadence if standard and standard.cadence else "none"
    row = MetricDefinition(use_case_id=use_case.id, key=metric, created_at=uow.now(), name="", unit="", kind="")
    _apply(row, merged)
    uow.session.add(row)
    uow.session.flush()
    audit.record(
        uow,
        actor=person.email,
        action="metric.defined",
        entity_type="metric",
        entity_id=row.id,
        use_case_key=use_case.key,
        after=definition_dict(row),
    )
    return row


def edit_metric(uow: UnitOfWork, *, key: str, metric: str, actor: str, **values: Any) -> MetricDefinition:
    use_case = usecases.get_or_raise(uow, key)
    person = usecases.person_get_or_raise(uow, actor)
    row = metric_get_or_raise(uow, use_case, metric)
    before = definition_dict(row)
    _apply(row, {k: v for k, v in values.items() if k in METRIC_FIELDS})
    uow.session.flush()
    audit.record(
        uow,
        actor=person.email,
        action="metric.edited",
        entity_type="metric",
        entity_id=row.id,
        use_case_key=use_case.key,
        before=before,
        after=definition_dict(row),
    )
    return row


@dataclass(frozen=True)
class Slo:
    """The SLO a use case is judged against, with where each value comes from."""

    uptime_pct: float
    latency_p95_ms: float
    error_rate_pct: float
    sources: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "uptime_pct": self.uptime_pct,
            "latency_p95_ms": self.latency_p95_ms,
            "error_rate_pct": self.error_rate_pct,
            "sources": self.sources,
        }


def slo_of(uow: UnitOfWork, use_case: UseCase, policy: Policy) -> Slo:
    refs = slo_references(policy, uow.session.get(ServiceLevelObjective, use_case.id))
    values = {"uptime_pct": "slo.uptime", "latency_p95_ms": "slo.latency_ms", "error_rate_pct": "slo.error_rate"}
    return Slo(
        uptime_pct=float(refs["slo.uptime"].value or 0),
        latency_p95_ms=float(refs["slo.latency_ms"].value or 0),
        error_rate_pct=float(refs["slo.error_rate"].value or 0),
        sources={field: refs[ref].detail for field, ref in values.items()},
    )


def set_slo(
    uow: UnitOfWork,
    *,
    key: str,
    actor: str,
    uptime_pct: float | None = None,
    latency_p95_ms: float | None = None,
    error_rate_pct: float | None = None,
    reset: Sequence[str] = (),
) -> ServiceLevelObjective:
    """Set a use case's own SLO values; `reset` names fields that go back to the policy default."""
    use_case = usecases.get_or_raise(uow, key)
    person = usecases.person_get_or_raise(uow, actor)
    if uptime_pct is not None and not 0 < uptime_pct <= 100:
        raise InvalidInput("uptime", f"{uptime_pct:g} is not a percentage between 0 and 100")
    if error_rate_pct is not None and not 0 <= error_rate_pct <= 100:
        raise InvalidInput("error-rate", f"{error_rate_pct:g} is not a percentage between 0 and 100")
    if latency_p95_ms is not None and latency_p95_ms <= 0:
        raise InvalidInput("latency-ms", "must be more than zero milliseconds")
    unknown = set(reset) - {"uptime_pct", "latency_p95_ms", "error_rate_pct"}
    if unknown:
        raise InvalidInput("reset", f"unknown SLO field(s) {', '.join(sorted(unknown))}")
    row = uow.session.get(ServiceLevelObjective, use_case.id)
    before = {} if row is None else {f: getattr(row, f) for f in ("uptime_pct", "latency_p95_ms", "error_rate_pct")}
    if row is None:
        row = ServiceLevelObjective(use_case_id=use_case.id)
        uow.session.add(row)
    for field, value in (
        ("uptime_pct", uptime_pct),
        ("latency_p95_ms", latency_p95_ms),
        ("error_rate_pct", error_rate_pct),
    ):
        if value is not None:
            setattr(row, field, value)
        elif field in reset:
            setattr(row, field, None)
    row.updated_at = uow.now()
    row.updated_by = person.email
    uow.session.flush()
    audit.record(
        uow,
        actor=person.email,
        action="slo.set",
        entity_type="use_case",
        entity_id=use_case.id,
        use_case_key=use_case.key,
        before=before,
        after={f: getattr(row, f) for f in ("uptime_pct", "latency_p95_ms", "error_rate_pct")},
    )
    return row


def evaluate_criteria(
    uow: UnitOfWork, use_case: UseCase, policy: Policy, criteria: Sequence[Criterion]
) -> dict[str, Evaluation]:
    """Live evaluation of a use case's metric criteria, by criterion id."""
    items = [(use_case.id, c, policy) for c in criteria if c.kind == "metric"]
    found = evaluate_all(uow.session.connection(), items, now_ms=rules.to_ms(uow.now()))
    return {criterion_id: evaluation for (_, criterion_id), evaluation in found.items()}


@dataclass(frozen=True)
class Indicator:
    """A metric's state over a window: value, trend against baseline, progress to target, staleness."""

    definition: MetricDefinition
    window: str
    current: float | None
    points: int
    latest: float | None
    trend: float | None
    progress: float | None
    stale: bool

    def as_dict(self) -> dict[str, Any]:
        last = self.definition.last_point_ms
        return {
            **definition_dict(self.definition),
            "window": self.window,
            "current": self.current,
            "points": self.points,
            "latest": self.latest,
            "last_point_at": rules.from_ms(last).isoformat(timespec="seconds") if last else None,
            "trend_vs_baseline": self.trend,
            "progress_to_target": self.progress,
            "stale": self.stale,
        }


def indicators(uow: UnitOfWork, use_case: UseCase, policy: Policy, *, window: str | None = None) -> list[Indicator]:
    """Every metric of a use case summarised over a window (the policy's default window if none)."""
    window = window or policy.evidence.default_window
    try:
        seconds = rules.parse_duration(window)
    except ValueError as error:
        raise InvalidInput("window", str(error)) from None
    connection = uow.session.connection()
    now_ms = rules.to_ms(uow.now())
    grace = rules.parse_duration(policy.evidence.min_grace)
    found = []
    for row in metrics_of(uow, use_case):
        ids = [use_case.id]
        agg = "p95" if row.key == "latency_ms" else "avg"
        current = repository.aggregate(connection, Series(row.key, None, agg, seconds), now_ms=now_ms, use_case_ids=ids)
        latest = repository.aggregate(connection, Series(row.key, None, "last", None), now_ms=now_ms, use_case_ids=ids)
        value = current[use_case.id].value if use_case.id in current else None
        found.append(
            Indicator(
                definition=row,
                window=window,
                current=value,
                points=current[use_case.id].points if use_case.id in current else 0,
                latest=latest[use_case.id].value if use_case.id in latest else None,
                trend=rules.trend(value, row.baseline, row.direction),
                progress=rules.progress(value, row.baseline, row.target),
                stale=rules.is_stale(
                    row.last_point_ms,
                    row.cadence_seconds,
                    now_ms,
                    ratio=policy.evidence.grace_ratio,
                    minimum_seconds=grace,
                ),
            )
        )
    return found


def stale_keys(uow: UnitOfWork, use_case: UseCase, policy: Policy) -> list[str]:
    """The use case's series with no point past their cadence plus grace: flagged on the use case."""
    now_ms = rules.to_ms(uow.now())
    grace = rules.parse_duration(policy.evidence.min_grace)
    return [
        m.key
        for m in metrics_of(uow, use_case)
        if rules.is_stale(
            m.last_point_ms, m.cadence_seconds, now_ms, ratio=policy.evidence.grace_ratio, minimum_seconds=grace
        )
    ]


def points(
    uow: UnitOfWork, use_case: UseCase, metric: str, *, since_ms: int | None = None, limit: int = 5000
) -> list[MetricPoint]:
    """A series' points, oldest first (the newest `limit` of them)."""
    row = metric_get_or_raise(uow, use_case, metric)
    query = select(MetricPoint).where(MetricPoint.metric_id == row.id)
    if since_ms is not None:
        query = query.where(MetricPoint.ts_ms >= since_ms)
    newest = list(uow.session.scalars(query.order_by(MetricPoint.ts_ms.desc()).limit(limit)))
    return newest[::-1]
