"""REST API of AI operations: the records of a use case, the incident log, the readiness rubric."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request

from pilotgate.db.uow import UnitOfWork
from pilotgate.errors import Forbidden
from pilotgate.operations import checks, incidents, schemas, service, views
from pilotgate.usecases import service as usecases
from pilotgate.web.auth import CurrentPrincipal, Principal, unit_of_work

router = APIRouter(tags=["operations"])
PORTFOLIO_ROLES = ("admin", "program_lead")
BASE = "/use-cases/{key}/operations"
RowId = Annotated[int, Path(ge=1, le=2_147_483_647)]


@contextmanager
def writing(request: Request, principal: Principal, key: str, what: str) -> Iterator[UnitOfWork]:
    """One transaction for a write: the permission, then (outside the programme's leads) a role on the
    use case or a place in its owning team."""
    principal.require("operations.write", what)
    with unit_of_work(request) as uow:
        use_case = usecases.get_or_raise(uow, key)
        if principal.role not in PORTFOLIO_ROLES and not service.may_write(uow, use_case, principal.email):
            raise Forbidden(f"{principal.email} holds no role on {use_case.key} and is not in its owning team")
        yield uow


def _write(
    request: Request, principal: Principal, key: str, what: str, act: Callable[[UnitOfWork], Any], view: Any
) -> dict[str, Any]:
    with writing(request, principal, key, what) as uow:
        out: dict[str, Any] = view(act(uow))
        return out


@router.get(BASE, summary="A use case's operations: team, on-call, runbook, monitoring, incidents, checks")
def operations_of(request: Request, principal: CurrentPrincipal, key: str) -> dict[str, Any]:
    with unit_of_work(request, read_only=True) as uow:
        return checks.summary(uow, usecases.get_or_raise(uow, key))


@router.put(f"{BASE}/team", summary="Set the owning team (name, kind, lead, members)")
def set_team(request: Request, principal: CurrentPrincipal, key: str, body: schemas.TeamWrite) -> dict[str, Any]:
    def act(uow: UnitOfWork) -> Any:
        return service.set_team(uow, key=key, actor=principal.email, **body.model_dump())

    return _write(request, principal, key, "set operations teams", act, views.team_dict)


@router.post(f"{BASE}/oncall", status_code=201, summary="Put someone on the on-call rotation")
def add_oncall(request: Request, principal: CurrentPrincipal, key: str, body: schemas.OnCallWrite) -> dict[str, Any]:
    def act(uow: UnitOfWork) -> Any:
        return service.add_oncall(
            uow, key=key, email=body.person, level=body.level, starts_on=body.starts_on, ends_on=body.ends_on,
            actor=principal.email,
        )  # fmt: skip

    return _write(request, principal, key, "change on-call rotations", act, views.oncall_dict)


@router.put(f"{BASE}/runbook", summary="Say where the runbook is (an attached artifact or a URL)")
def set_runbook(request: Request, principal: CurrentPrincipal, key: str, body: schemas.RunbookWrite) -> dict[str, Any]:
    def act(uow: UnitOfWork) -> Any:
        return service.set_runbook(uow, key=key, actor=principal.email, **body.model_dump())

    return _write(request, principal, key, "set runbooks", act, views.runbook_dict)


@router.put(f"{BASE}/monitoring", summary="Describe the monitoring and its alerting")
def set_monitoring(
    request: Request, principal: CurrentPrincipal, key: str, body: schemas.MonitoringWrite
) -> dict[str, Any]:
    def act(uow: UnitOfWork) -> Any:
        return service.set_monitoring(uow, key=key, actor=principal.email, **body.model_dump())

    return _write(request, principal, key, "set monitoring", act, views.monitoring_dict)


@router.post(f"{BASE}/incidents", status_code=201, summary="Log an incident")
def open_incident(
    request: Request, principal: CurrentPrincipal, key: str, body: schemas.IncidentWrite
) -> dict[str, Any]:
    def act(uow: UnitOfWork) -> Any:
        return incidents.open_incident(uow, key=key, actor=principal.email, **body.model_dump())

    return _write(request, principal, key, "log incidents", act, views.incident_dict)


@router.post(f"{BASE}/incidents/{{incident_id}}/resolve", summary="Resolve an open incident")
def resolve_incident(
    request: Request, principal: CurrentPrincipal, key: str, incident_id: RowId, body: schemas.ResolveWrite
) -> dict[str, Any]:
    def act(uow: UnitOfWork) -> Any:
        return incidents.resolve_incident(
            uow, key=key, incident_id=incident_id, actor=principal.email, **body.model_dump()
        )

    return _write(request, principal, key, "resolve incidents", act, views.incident_dict)


@router.post(f"{BASE}/drills", status_code=201, summary="Record an incident-response drill")
def add_drill(request: Request, principal: CurrentPrincipal, key: str, body: schemas.DrillWrite) -> dict[str, Any]:
    def act(uow: UnitOfWork) -> Any:
        return service.add_drill(uow, key=key, actor=principal.email, **body.model_dump())

    return _write(request, principal, key, "record drills", act, views.drill_dict)


@router.put(f"{BASE}/retraining/cadence", summary="Set the retraining cadence in days")
def set_cadence(request: Request, principal: CurrentPrincipal, key: str, body: schemas.CadenceWrite) -> dict[str, Any]:
    def act(uow: UnitOfWork) -> Any:
        return service.set_cadence(uow, key=key, days=body.days, actor=principal.email)

    return _write(request, principal, key, "set retraining cadences", act, lambda row: {"days": row.days})


@router.post(f"{BASE}/retraining", status_code=201, summary="Record a retraining")
def record_retraining(
    request: Request, principal: CurrentPrincipal, key: str, body: schemas.RetrainingWrite
) -> dict[str, Any]:
    def act(uow: UnitOfWork) -> Any:
        return service.record_retraining(uow, key=key, actor=principal.email, **body.model_dump())

    return _write(request, principal, key, "record retrainings", act, views.retraining_dict)


@router.post(f"{BASE}/drift-notes", status_code=201, summary="Add a drift note")
def add_drift_note(request: Request, principal: CurrentPrincipal, key: str, body: schemas.DriftWrite) -> dict[str, Any]:
    def act(uow: UnitOfWork) -> Any:
        return service.add_drift_note(uow, key=key, note=body.text, noted_on=body.noted_on, actor=principal.email)

    return _write(request, principal, key, "add drift notes", act, views.drift_dict)


@router.get(f"{BASE}/readiness", summary="The ML Test Score readiness rubric: checks, section scores, minimum")
def readiness_of(request: Request, principal: CurrentPrincipal, key: str) -> dict[str, Any]:
    with unit_of_work(request, read_only=True) as uow:
        return checks.readiness(uow, usecases.get_or_raise(uow, key))


@router.put(f"{BASE}/readiness/{{check}}", summary="Mark a readiness check not_done, manual or automated")
def set_check(
    request: Request, principal: CurrentPrincipal, key: str, check: str, body: schemas.CheckWrite
) -> dict[str, Any]:
    def act(uow: UnitOfWork) -> Any:
        return service.set_check(uow, key=key, check=check, actor=principal.email, **body.model_dump())

    return _write(request, principal, key, "mark readiness checks", act, views.mark_dict)
