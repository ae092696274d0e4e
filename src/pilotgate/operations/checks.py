"""The computed gate checks of AI operations over many use cases at once, and one use case's
operations as plain data (the API, the CLI and the page all show this)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pilotgate.db.uow import UnitOfWork
from pilotgate.errors import InvalidInput
from pilotgate.operations import criteria, repository, rules, views
from pilotgate.operations.models import (
    OpsDriftNote,
    OpsDrill,
    OpsIncident,
    OpsMonitoring,
    OpsOnCall,
    OpsRetrainCadence,
    OpsRetraining,
    OpsRunbook,
    OpsTeam,
)
from pilotgate.usecases.models import UseCase
from pilotgate.usecases.repository import keys_of

CHECKS = ("ready", "owned", "sustainable")


def _keys(uow: UnitOfWork, ids: Sequence[int]) -> dict[int, str]:
    return keys_of(uow, ids)


def accepted_handovers(uow: UnitOfWork, ids: Sequence[int]) -> dict[int, criteria.Handover]:
    """Accepted ownership handovers by use case id — the one place that reads pilotgate.handover,
    which is built apart from this package: when it is not there, no handover is recorded yet."""
    try:
        from pilotgate.handover.service import accepted_handovers as recorded
    except ImportError:
        return {}
    found = {}
    for use_case_id, handover in recorded(uow, list(ids)).items():
        team = getattr(handover.team, "name", handover.team)
        unit = getattr(handover, "business_unit", "") or ""
        found[use_case_id] = criteria.Handover(handover.accepted_at, str(handover.accepted_by), str(team), str(unit))
    return found


def ready_checks(uow: UnitOfWork, ids: list[int]) -> dict[int, criteria.CheckResult]:
    """Gate 3's `operations.ready`, for many use cases at once."""
    keys = _keys(uow, ids)
    states = repository.states(uow, list(keys))
    return {i: criteria.ready(states[i], keys[i]) for i in keys}


def owned_checks(uow: UnitOfWork, ids: list[int]) -> dict[int, criteria.CheckResult]:
    """Gate 4's `operations.owned`, for many use cases at once."""
    keys = _keys(uow, ids)
    states = repository.states(uow, list(keys))
    handovers = accepted_handovers(uow, list(keys))
    return {i: criteria.owned(states[i], handovers.get(i), keys[i]) for i in keys}


def sustainable_checks(uow: UnitOfWork, ids: list[int]) -> dict[int, criteria.CheckResult]:
    """Gate 4's `operations.sustainable`, for many use cases at once."""
    keys = _keys(uow, ids)
    states = repository.states(uow, list(keys))
    return {i: criteria.sustainable(states[i], keys[i]) for i in keys}


def check(uow: UnitOfWork, use_case: UseCase, which: str) -> criteria.CheckResult:
    """One check on one use case: ready, owned or sustainable (an `operations.` prefix is fine)."""
    name = which.strip().removeprefix("operations.")
    run = {"ready": ready_checks, "owned": owned_checks, "sustainable": sustainable_checks}.get(name)
    if run is None:
        raise InvalidInput("check", f"{which!r} is not one of {', '.join(CHECKS)}")
    return run(uow, [use_case.id])[use_case.id]


def readiness(uow: UnitOfWork, use_case: UseCase, state: rules.State | None = None) -> dict[str, Any]:
    """The ML Test Score rubric of a use case: every check, each section's score, the minimum."""
    state = state or repository.states(uow, [use_case.id])[use_case.id]
    score = criteria.rubric(state)
    notes = repository.marks(uow, [use_case.id], uow.now()).get(use_case.id, {})
    for section in score["sections"]:
        for row in section["checks"]:
            mark = notes.get(row["id"])
            row["note"] = mark.note if mark else ""
            row["recorded_by"] = mark.recorded_by if mark else None
    return {"use_case": use_case.key, **score}


def summary(uow: UnitOfWork, use_case: UseCase) -> dict[str, Any]:
    """Everything recorded about a use case's operations, what it adds up to, and the three checks."""
    now = uow.now()
    today = now.date()
    state = repository.states(uow, [use_case.id])[use_case.id]
    team = repository.current(uow, OpsTeam, use_case.id, now)
    runbook = repository.current(uow, OpsRunbook, use_case.id, now)
    monitoring = repository.current(uow, OpsMonitoring, use_case.id, now)
    cadence = repository.current(uow, OpsRetrainCadence, use_case.id, now)
    incidents = repository.rows_of(uow, OpsIncident, use_case.id, OpsIncident.opened_at.desc())
    mttr = rules.mttr(state.incidents, now)
    retrain = state.retrain
    return {
        "use_case": use_case.key,
        "as_of": now.isoformat(timespec="seconds"),
        "team": views.team_dict(team) if team else None,
        "oncall": [
            views.oncall_dict(row, today)
            for row in repository.rows_of(uow, OpsOnCall, use_case.id, OpsOnCall.level, OpsOnCall.starts_on)
        ],
        "runbook": views.runbook_dict(runbook) if runbook else None,
        "monitoring": views.monitoring_dict(monitoring) if monitoring else None,
        "incidents": [views.incident_dict(row) for row in incidents],
        "mttr": {
            "window_days": mttr.window_days,
            "resolved": mttr.resolved,
            "minutes": mttr.minutes,
            "shown": mttr.shown(),
            "open": mttr.open,
        },
        "drills": [
            views.drill_dict(row) for row in repository.rows_of(uow, OpsDrill, use_case.id, OpsDrill.held_on.desc())
        ],
        "retraining": {
            "cadence_days": cadence.days if cadence else None,
            "last": retrain.last.retrained_on.isoformat() if retrain.last else None,
            "next_due": retrain.next_due.isoformat() if retrain.next_due else None,
            "overdue": retrain.overdue,
            "days_overdue": retrain.days_overdue,
            "events": [
                views.retraining_dict(row)
                for row in repository.rows_of(uow, OpsRetraining, use_case.id, OpsRetraining.retrained_on.desc())
            ],
        },
        "drift_notes": [
            views.drift_dict(row)
            for row in repository.rows_of(uow, OpsDriftNote, use_case.id, OpsDriftNote.noted_on.desc())
        ],
        "readiness": readiness(uow, use_case, state),
        "checks": {
            "ready": views.check_dict(criteria.ready(state, use_case.key)),
            "owned": views.check_dict(
                criteria.owned(state, accepted_handovers(uow, [use_case.id]).get(use_case.id), use_case.key)
            ),
            "sustainable": views.check_dict(criteria.sustainable(state, use_case.key)),
        },
    }
