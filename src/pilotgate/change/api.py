"""REST API of change management: a use case's plans, items and checks; adding and completing them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request

from pilotgate.change import schemas, service, views
from pilotgate.db.uow import UnitOfWork
from pilotgate.errors import Forbidden
from pilotgate.usecases import service as usecases
from pilotgate.web.auth import CurrentPrincipal, Principal, unit_of_work

router = APIRouter(tags=["change"])
PORTFOLIO_ROLES = ("admin", "program_lead")


def require_writer(uow: UnitOfWork, principal: Principal, key: str, what: str) -> None:
    """`change.write`, and outside the programme's leads a named role on the use case."""
    principal.require("change.write", what)
    use_case = usecases.get_or_raise(uow, key)
    if principal.role in PORTFOLIO_ROLES:
        return
    if not any(a.person.email == principal.email for a in use_case.assignments):
        raise Forbidden(f"{principal.email} holds no role on {use_case.key} and may not {what}")


@router.get("/use-cases/{key}/change", summary="A use case's change plans, items, adoption and change checks")
def change_of(request: Request, principal: CurrentPrincipal, key: str) -> dict[str, Any]:
    with unit_of_work(request, read_only=True) as uow:
        return service.summary(uow, usecases.get_or_raise(uow, key))


@router.post("/use-cases/{key}/change/plans", status_code=201, summary="Start the change plan of a user population")
def add_plan(request: Request, principal: CurrentPrincipal, key: str, body: schemas.PlanWrite) -> dict[str, Any]:
    principal.require("change.write", "plan change management")
    with unit_of_work(request) as uow:
        require_writer(uow, principal, key, "plan its change management")
        row = service.add_plan(uow, key=key, actor=principal.email, **body.model_dump())
        return views.plan_dict(row, service.key_of(uow, row.use_case_id))


@router.post("/use-cases/{key}/change/items", status_code=201, summary="Add an item to a population's change plan")
def add_item(request: Request, principal: CurrentPrincipal, key: str, body: schemas.ItemWrite) -> dict[str, Any]:
    principal.require("change.write", "plan change management")
    with unit_of_work(request) as uow:
        require_writer(uow, principal, key, "plan its change management")
        row = service.add_item(uow, key=key, actor=principal.email, **body.model_dump())
        return views.item_dict(row, service.key_of(uow, row.plan.use_case_id))


@router.post("/change/items/{item_id}/complete", summary="Mark a change item complete (a training: held, attendance)")
def complete_item(
    request: Request,
    principal: CurrentPrincipal,
    item_id: Annotated[int, Path(ge=1, le=2_147_483_647)],
    body: schemas.ItemComplete | None = None,
) -> dict[str, Any]:
    principal.require("change.write", "complete change items")
    body = body or schemas.ItemComplete()
    with unit_of_work(request) as uow:
        key = service.key_of(uow, service.item_get_or_raise(uow, item_id).plan.use_case_id)
        require_writer(uow, principal, key, "complete its change items")
        row = service.complete_item(uow, item_id=item_id, actor=principal.email, **body.model_dump())
        return views.item_dict(row, key)
