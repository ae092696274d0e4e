"""The handover section's forms on the use case page: propose, tick off items, accept, attach."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from pilotgate.handover import service
from pilotgate.web.auth import CurrentPrincipal
from pilotgate.web.use_case_forms import act

router = APIRouter(include_in_schema=False)
SECTION = "h-handover"
WRITE = ("handover.write", "work on handovers")


@router.post("/use-cases/{key}/handover/propose")
def propose(
    request: Request,
    principal: CurrentPrincipal,
    key: str,
    team: Annotated[str, Form(max_length=120)] = "",
    ops_owner: Annotated[str, Form(max_length=320)] = "",
    business_unit: Annotated[str, Form(max_length=120)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    values = {"team": team, "ops_owner": ops_owner, "business_unit": business_unit, "note": note}

    def action(uow: Any) -> None:
        service.propose(
            uow,
            key=key,
            team=team,
            ops_owner=ops_owner,
            business_unit=business_unit or None,
            note=note,
            actor=principal.email,
        )

    return act(
        request,
        principal,
        key,
        form="handover.propose",
        section=SECTION,
        values=values,
        action=action,
        permission=WRITE,
    )


@router.post("/use-cases/{key}/handover/items")
def check_item(
    request: Request,
    principal: CurrentPrincipal,
    key: str,
    item: Annotated[str, Form(max_length=32)] = "",
    done: Annotated[str, Form(max_length=1)] = "1",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    return act(
        request,
        principal,
        key,
        form=f"handover.item:{item}",
        section=SECTION,
        values={"item": item, "note": note},
        action=lambda uow: service.check_item(
            uow, key=key, item=item, actor=principal.email, done=done != "0", note=note or None
        ),
        permission=WRITE,
    )


@router.post("/use-cases/{key}/handover/accept")
def accept(request: Request, principal: CurrentPrincipal, key: str) -> Response:
    return act(
        request,
        principal,
        key,
        form="handover.accept",
        section=SECTION,
        values={},
        action=lambda uow: service.accept(uow, key=key, actor=principal.email),
        permission=WRITE,
    )


@router.post("/use-cases/{key}/handover/attach")
def attach(request: Request, principal: CurrentPrincipal, key: str) -> Response:
    return act(
        request,
        principal,
        key,
        form="handover.attach",
        section=SECTION,
        values={},
        action=lambda uow: service.attach(uow, key=key, actor=principal.email),
        permission=WRITE,
    )
