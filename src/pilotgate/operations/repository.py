"""Queries of the operations records: one use case's rows, and many use cases' records as the rules
see them (one query per table, whatever the number of use cases)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import func, select

from pilotgate.db.bulk import among
from pilotgate.db.uow import UnitOfWork
from pilotgate.operations import rules
from pilotgate.operations.models import (
    OpsDriftNote,
    OpsDrill,
    OpsIncident,
    OpsMonitoring,
    OpsOnCall,
    OpsReadinessMark,
    OpsRetrainCadence,
    OpsRetraining,
    OpsRunbook,
    OpsTeam,
)

Row = TypeVar("Row", OpsTeam, OpsRunbook, OpsMonitoring, OpsRetrainCadence)


def rows_of(uow: UnitOfWork, model: Any, use_case_id: int, *order: Any) -> list[Any]:
    query = select(model).where(model.use_case_id == use_case_id)
    return list(uow.session.scalars(query.order_by(*order, model.id)))


def current(uow: UnitOfWork, model: type[Row], use_case_id: int, now: datetime) -> Row | None:
    """The newest row of a setting (team, runbook, monitoring, cadence) recorded by `now`."""
    query = (
        select(model)
        .where(model.use_case_id == use_case_id, model.recorded_at <= now)
        .order_by(model.recorded_at.desc(), model.id.desc())
        .limit(1)
    )
    return uow.session.scalars(query).first()


def marks(uow: UnitOfWork, ids: Sequence[int], now: datetime) -> dict[int, dict[str, OpsReadinessMark]]:
    """The newest readiness mark of each check, by use case, recorded by `now`."""
    found: dict[int, dict[str, OpsReadinessMark]] = defaultdict(dict)
    query = (
        select(OpsReadinessMark)
        .where(among(OpsReadinessMark.use_case_id, ids), OpsReadinessMark.recorded_at <= now)
        .order_by(OpsReadinessMark.recorded_at, OpsReadinessMark.id)
    )
    for row in uow.session.scalars(query):
        found[row.use_case_id][row.check_id] = row
    return found


def team_facts(row: OpsTeam) -> rules.Team:
    return rules.Team(
        id=row.id,
        name=row.name,
        business_unit=row.business_unit,
        kind=row.kind,
        lead=row.lead.email,
        members=frozenset(m.person.email for m in row.members),
        recorded_at=row.recorded_at,
    )


def _of(uow: UnitOfWork, model: Any, ids: Sequence[int]) -> dict[int, list[Any]]:
    by_use_case: dict[int, list[Any]] = defaultdict(list)
    for row in uow.session.scalars(select(model).where(among(model.use_case_id, ids)).order_by(model.id)):
        by_use_case[row.use_case_id].append(row)
    return by_use_case


def records(uow: UnitOfWork, ids: Sequence[int]) -> dict[int, rules.Records]:
    """Every use case's operations records, as the rules see them, as of the unit of work's clock."""
    now = uow.now()
    teams, oncall, runbooks = _of(uow, OpsTeam, ids), _of(uow, OpsOnCall, ids), _of(uow, OpsRunbook, ids)
    monitoring, incidents, drills = _of(uow, OpsMonitoring, ids), _of(uow, OpsIncident, ids), _of(uow, OpsDrill, ids)
    cadences, retrainings = _of(uow, OpsRetrainCadence, ids), _of(uow, OpsRetraining, ids)
    drift = dict(
        uow.session.execute(
            select(OpsDriftNote.use_case_id, func.count())
            .where(
                among(OpsDriftNote.use_case_id, ids),
                OpsDriftNote.recorded_at <= now,
                OpsDriftNote.noted_on <= now.date(),
            )
            .group_by(OpsDriftNote.use_case_id)
        ).all()
    )
    marked = marks(uow, ids, now)
    return {
        i: rules.Records(
            teams=[team_facts(t) for t in teams[i]],
            oncall=[
                rules.OnCall(e.id, e.person.email, e.level, e.starts_on, e.ends_on, e.recorded_at) for e in oncall[i]
            ],
            runbooks=[rules.Runbook(r.id, r.artifact_id, r.url, r.last_reviewed, r.recorded_at) for r in runbooks[i]],
            monitoring=[
                rules.Monitoring(m.id, m.description, m.alerting, m.automated, m.connector_id, m.recorded_at)
                for m in monitoring[i]
            ],
            incidents=[
                rules.Incident(
                    x.id, x.severity, x.title, x.opened_at, x.resolved_at, x.handled_by.email, x.handled_by_team
                )
                for x in incidents[i]
            ],
            drills=[
                rules.Drill(
                    d.id, d.held_on, d.scenario, d.outcome, tuple(p.person.email for p in d.participants), d.recorded_at
                )
                for d in drills[i]
            ],
            cadences=[rules.Cadence(c.days, c.recorded_at) for c in cadences[i]],
            retrainings=[rules.Retraining(r.id, r.retrained_on, r.automated, r.recorded_at) for r in retrainings[i]],
            drift_notes=int(drift.get(i, 0)),
            marks={check: mark.status for check, mark in marked.get(i, {}).items()},
        )
        for i in ids
    }


def states(uow: UnitOfWork, ids: Sequence[int]) -> dict[int, rules.State]:
    now = uow.now()
    return {i: rules.as_of(found, now) for i, found in records(uow, ids).items()}
