"""Connectors configured on use cases, and their pulls into metric series."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from pilotgate.audit import service as audit
from pilotgate.db.uow import UnitOfWork
from pilotgate.errors import NotFound, PilotgateError
from pilotgate.evidence import ingest, rules
from pilotgate.evidence import service as evidence
from pilotgate.evidence.connectors import connector_class
from pilotgate.evidence.connectors.base import Connector
from pilotgate.evidence.models import ConnectorConfigRow, MetricDefinition
from pilotgate.usecases import service as usecases
from pilotgate.usecases.models import UseCase

# How far back the first pull of a new connector reaches.
FIRST_PULL = timedelta(days=30)


def build(row: ConnectorConfigRow) -> Connector:
    return connector_class(row.kind).from_config(json.loads(row.config))


def add(uow: UnitOfWork, *, key: str, kind: str, config: dict[str, Any], actor: str) -> ConnectorConfigRow:
    """Configure a connector on a use case, defining the metrics it writes that are not defined yet."""
    use_case = usecases.get_or_raise(uow, key)
    person = usecases.person_get_or_raise(uow, actor)
    connector = connector_class(kind).from_config(config)
    defined = {m.key for m in evidence.metrics_of(uow, use_case)}
    for metric in connector.metric_keys():
        if metric not in defined:
            standard = rules.standard_for(metric)
            evidence.define_metric(
                uow, key=use_case.key, metric=metric, actor=person.email, kind=None if standard else "technical"
            )
    row = ConnectorConfigRow(
        use_case_id=use_case.id,
        kind=kind,
        config=json.dumps(connector.config.model_dump(mode="json"), sort_keys=True),
        enabled=True,
        last_status="never",
        last_error="",
        created_at=uow.now(),
        created_by=person.email,
    )
    uow.session.add(row)
    uow.session.flush()
    audit.record(
        uow,
        actor=person.email,
        action="connector.added",
        entity_type="connector",
        entity_id=row.id,
        use_case_key=use_case.key,
        after={"kind": kind, "config": json.loads(row.config)},
    )
    return row


def get_or_raise(uow: UnitOfWork, connector_id: int) -> ConnectorConfigRow:
    row = uow.session.get(ConnectorConfigRow, connector_id)
    if row is None:
        raise NotFound(f"no connector {connector_id}; list them with `pilotgate connector list`")
    return row


def remove(uow: UnitOfWork, *, connector_id: int, actor: str) -> None:
    row = get_or_raise(uow, connector_id)
    person = usecases.person_get_or_raise(uow, actor)
    key = _key_of(uow, row.use_case_id)
    audit.record(
        uow,
        actor=person.email,
        action="connector.removed",
        entity_type="connector",
        entity_id=row.id,
        use_case_key=key,
        before={"kind": row.kind, "config": json.loads(row.config)},
    )
    uow.session.delete(row)
    uow.session.flush()


def listed(uow: UnitOfWork, *, key: str | None = None) -> list[tuple[ConnectorConfigRow, str]]:
    query = select(ConnectorConfigRow, UseCase.key).join(UseCase, UseCase.id == ConnectorConfigRow.use_case_id)
    if key is not None:
        query = query.where(UseCase.id == usecases.get_or_raise(uow, key).id)
    return [(row, uc_key) for row, uc_key in uow.session.execute(query.order_by(ConnectorConfigRow.id))]


def _key_of(uow: UnitOfWork, use_case_id: int) -> str:
    return str(uow.session.scalar(select(UseCase.key).where(UseCase.id == use_case_id)))


@dataclass(frozen=True)
class PullResult:
    connector_id: int
    use_case: str
    kind: str
    status: str  # ok, failed or skipped
    points: int
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "connector": self.connector_id,
            "use_case": self.use_case,
            "kind": self.kind,
            "status": self.status,
            "points": self.points,
            "message": self.message,
        }


def due(row: ConnectorConfigRow, uow: UnitOfWork) -> bool:
    if not row.enabled:
        return False
    if row.last_run_at is None:
        return True
    interval = int(json.loads(row.config).get("interval_seconds", 300))
    return uow.now() - row.last_run_at >= timedelta(seconds=interval)


def pull(uow: UnitOfWork, row: ConnectorConfigRow, *, actor: str) -> PullResult:
    """Pull one connector from where it last got to until now; a failure is recorded, not raised."""
    key = _key_of(uow, row.use_case_id)
    now = uow.now()
    since = rules.from_ms(row.pulled_until_ms) if row.pulled_until_ms else now - FIRST_PULL
    row.last_run_at = now
    try:
        pulled = build(row).pull(since=since, until=now)
        defined = set(
            uow.session.scalars(select(MetricDefinition.key).where(MetricDefinition.use_case_id == row.use_case_id))
        )
        for metric in sorted({p.metric for p in pulled} - defined):
            standard = rules.standard_for(metric)
            evidence.define_metric(
                uow, key=key, metric=metric, actor=row.created_by, kind=None if standard else "technical"
            )
        with uow.session.begin_nested():  # a rejected batch keeps none of its points
            report = ingest.ingest(
                uow,
                (
                    ingest.RawPoint(n, key, p.metric, p.ts.isoformat(), p.value, p.cohort)
                    for n, p in enumerate(pulled, start=1)
                ),
                actor=actor,
                source=f"connector {row.id} ({row.kind})",
            )
    except PilotgateError as error:
        row.last_status, row.last_error = "failed", error.message
        uow.session.flush()
        return PullResult(row.id, key, row.kind, "failed", 0, error.message)
    row.pulled_until_ms = rules.to_ms(now)
    row.last_status, row.last_error = "ok", ""
    uow.session.flush()
    return PullResult(row.id, key, row.kind, "ok", report.points, f"{report.points} point(s) stored")


def pull_many(
    uow: UnitOfWork, *, actor: str, key: str | None = None, connector_id: int | None = None, only_due: bool = False
) -> list[PullResult]:
    """Pull the named connector, a use case's connectors, or every connector (only those due, on a schedule)."""
    rows = [get_or_raise(uow, connector_id)] if connector_id is not None else [r for r, _ in listed(uow, key=key)]
    results = []
    for row in rows:
        if only_due and not due(row, uow):
            continue
        results.append(pull(uow, row, actor=actor))
    return results
