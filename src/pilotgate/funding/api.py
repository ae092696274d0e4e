"""REST API of production funding: budget lines, approvals, the transition and the portfolio view."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request

from pilotgate.errors import Forbidden
from pilotgate.funding import schemas, service, views
from pilotgate.usecases import service as usecases
from pilotgate.web.auth import CurrentPrincipal, Principal, unit_of_work

router = APIRouter(tags=["funding"])
PORTFOLIO_ROLES = ("admin", "program_lead")


def _require_named(uow: Any, principal: Principal, key: str, what: str) -> None:
    """Outside the programme's leads, only someone named on the use case may propose its budget."""
    use_case = usecases.get_or_raise(uow, key)
    if principal.role in PORTFOLIO_ROLES:
        return
    if not any(a.person.email == principal.email for a in use_case.assignments):
        raise Forbidden(f"{principal.email} holds no role on {use_case.key} and may not {what}")


@router.get("/use-cases/{key}/funding", summary="A use case's budget lines, transitions and funding checks")
def funding_of(request: Request, principal: CurrentPrincipal, key: str) -> dict[str, Any]:
    with unit_of_work(request, read_only=True) as uow:
        return service.summary(uow, usecases.get_or_raise(uow, key))


@router.post("/use-cases/{key}/funding", status_code=201, summary="Propose a budget line")
def add_line(request: Request, principal: CurrentPrincipal, key: str, body: schemas.LineWrite) -> dict[str, Any]:
    principal.require("funding.write", "propose budget lines")
    with unit_of_work(request) as uow:
        _require_named(uow, principal, key, "propose its budget")
        row = service.add_line(uow, key=key, actor=principal.email, **body.model_dump())
        return views.line_dict(row, usecases.get_or_raise(uow, key).key)


@router.post("/funding/lines/{line_id}/approve", summary="Approve a budget line (named role on its use case)")
def approve_line(
    request: Request, principal: CurrentPrincipal, line_id: Annotated[int, Path(ge=1, le=2_147_483_647)]
) -> dict[str, Any]:
    principal.require("funding.write", "approve budget lines")
    with unit_of_work(request) as uow:
        row = service.approve_line(uow, line_id=line_id, actor=principal.email)
        return views.line_dict(row, service.key_of(uow, row.use_case_id))


@router.post(
    "/use-cases/{key}/funding/transition",
    status_code=201,
    summary="Move a use case to operational funding (its business-unit head approves)",
)
def transition(
    request: Request, principal: CurrentPrincipal, key: str, body: schemas.TransitionWrite
) -> dict[str, Any]:
    principal.require("funding.write", "move use cases to operational funding")
    with unit_of_work(request) as uow:
        row = service.transition(
            uow,
            key=key,
            line_id=body.line_id,
            effective_date=body.effective_date,
            actor=principal.email,
            note=body.note,
        )
        return views.transition_dict(row, usecases.get_or_raise(uow, key).key)


@router.get("/funding/portfolio", summary="Production AI by funding source; what still lives on project money")
def portfolio(request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    with unit_of_work(request, read_only=True) as uow:
        return service.portfolio(uow)
