"""REST API of scale: expansions of production use cases and their capability-reuse assessments."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from pilotgate.errors import Forbidden
from pilotgate.scale import schemas, service, views
from pilotgate.usecases import service as usecases
from pilotgate.usecases.models import UseCase
from pilotgate.web.auth import CurrentPrincipal, Principal, unit_of_work

router = APIRouter(tags=["scale"])
PORTFOLIO_ROLES = ("admin", "program_lead")


def require_named(uow: Any, principal: Principal, key: str, what: str) -> None:
    """Outside the programme's leads, only someone named on the use case may expand or assess it."""
    use_case = usecases.get_or_raise(uow, key)
    if principal.role in PORTFOLIO_ROLES:
        return
    if not any(a.person.email == principal.email for a in use_case.assignments):
        raise Forbidden(f"{principal.email} holds no role on {use_case.key} and may not {what}")


@router.get("/use-cases/{key}/scale", summary="A use case's parent (when an expansion) and its expansions")
def scale_of(request: Request, principal: CurrentPrincipal, key: str) -> dict[str, Any]:
    with unit_of_work(request, read_only=True) as uow:
        return service.summary(uow, usecases.get_or_raise(uow, key))


@router.post("/use-cases/{key}/expansions", status_code=201, summary="Expand a production use case")
def expand(request: Request, principal: CurrentPrincipal, key: str, body: schemas.ExpansionWrite) -> dict[str, Any]:
    principal.require("scale.write", "expand use cases")
    with unit_of_work(request) as uow:
        require_named(uow, principal, key, "expand it")
        row = service.expand(uow, parent=key, actor=principal.email, **body.model_dump())
        child = uow.session.get_one(UseCase, row.use_case_id)
        return views.expansion_dict(row, child, usecases.get_or_raise(uow, key))


@router.put("/use-cases/{key}/reuse/{component}", summary="Assess the reuse of one capability by an expansion")
def assess_reuse(
    request: Request, principal: CurrentPrincipal, key: str, component: str, body: schemas.ReuseWrite
) -> dict[str, Any]:
    principal.require("scale.write", "assess capability reuse")
    with unit_of_work(request) as uow:
        require_named(uow, principal, key, "assess its reuse")
        service.assess_reuse(uow, key=key, component=component, actor=principal.email, **body.model_dump())
        expansion: dict[str, Any] = service.summary(uow, usecases.get_or_raise(uow, key))["expansion"]
        return expansion
