"""The scale section's forms on the use case page: expand a production use case, assess reuse."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from pilotgate.scale import service
from pilotgate.scale.api import require_named
from pilotgate.web.auth import CurrentPrincipal
from pilotgate.web.use_case_forms import act

router = APIRouter(include_in_schema=False)
SECTION = "h-scale"
WRITE = ("scale.write", "expand use cases or assess capability reuse")


@router.post("/use-cases/{key}/scale/expand")
def expand(
    request: Request,
    principal: CurrentPrincipal,
    key: str,
    title: Annotated[str, Form(max_length=200)] = "",
    kind: Annotated[str, Form(max_length=32)] = "",
    scope: Annotated[str, Form(max_length=2000)] = "",
    population: Annotated[str, Form(max_length=80)] = "",
    business_unit: Annotated[str, Form(max_length=120)] = "",
) -> Response:
    values = {"title": title, "kind": kind, "scope": scope, "population": population, "business_unit": business_unit}

    def action(uow: Any) -> None:
        require_named(uow, principal, key, "expand it")
        service.expand(
            uow,
            parent=key,
            title=title,
            kind=kind,
            scope=scope,
            population=population or None,
            business_unit=business_unit or None,
            actor=principal.email,
        )

    return act(
        request, principal, key, form="scale.expand", section=SECTION, values=values, action=action, permission=WRITE
    )


@router.post("/use-cases/{key}/scale/reuse")
def assess_reuse(
    request: Request,
    principal: CurrentPrincipal,
    key: str,
    component: Annotated[str, Form(max_length=32)] = "",
    status: Annotated[str, Form(max_length=16)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    values = {"component": component, "status": status, "note": note}

    def action(uow: Any) -> None:
        require_named(uow, principal, key, "assess its reuse")
        service.assess_reuse(uow, key=key, component=component, status=status, note=note, actor=principal.email)

    return act(
        request, principal, key, form="scale.reuse", section=SECTION, values=values, action=action, permission=WRITE
    )
