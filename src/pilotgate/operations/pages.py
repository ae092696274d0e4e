"""The AI operations section's forms on the use case page: log an incident, resolve one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import Response

from pilotgate.errors import Forbidden
from pilotgate.operations import incidents, service
from pilotgate.usecases import service as usecases
from pilotgate.web.auth import CurrentPrincipal, Principal
from pilotgate.web.use_case_forms import act

router = APIRouter(include_in_schema=False)
PORTFOLIO_ROLES = ("admin", "program_lead")
WRITE = ("operations.write", "log or resolve incidents")
SECTION = "h-operations"


def _may_write(uow: Any, principal: Principal, key: str) -> None:
    """As in the API: outside the programme's leads, someone named on the use case or in its owning team."""
    use_case = usecases.get_or_raise(uow, key)
    if principal.role not in PORTFOLIO_ROLES and not service.may_write(uow, use_case, principal.email):
        raise Forbidden(f"{principal.email} holds no role on {use_case.key} and is not in its owning team")


@router.post("/use-cases/{key}/operations/incidents")
def open_incident(
    request: Request,
    principal: CurrentPrincipal,
    key: str,
    severity: Annotated[str, Form(max_length=8)] = "",
    title: Annotated[str, Form(max_length=200)] = "",
    handled_by: Annotated[str, Form(max_length=320)] = "",
    opened_at: Annotated[str, Form(max_length=40)] = "",
    team: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    values = {"severity": severity, "title": title, "handled_by": handled_by, "opened_at": opened_at, "team": team}

    def action(uow: Any) -> None:
        _may_write(uow, principal, key)
        incidents.open_incident(
            uow, key=key, severity=severity, title=title, handled_by=handled_by, opened_at=opened_at or None,
            team=team or None, actor=principal.email,
        )  # fmt: skip

    return act(
        request, principal, key, form="operations.incident", section=SECTION, values=values, action=action,
        permission=WRITE,
    )  # fmt: skip


@router.post("/use-cases/{key}/operations/incidents/{incident_id}/resolve")
def resolve_incident(
    request: Request,
    principal: CurrentPrincipal,
    key: str,
    incident_id: Annotated[int, Path(ge=1, le=2_147_483_647)],
    resolution: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    def action(uow: Any) -> None:
        _may_write(uow, principal, key)
        incidents.resolve_incident(uow, key=key, incident_id=incident_id, resolution=resolution, actor=principal.email)

    return act(
        request, principal, key, form=f"operations.resolve:{incident_id}", section=SECTION,
        values={"resolution": resolution}, action=action, permission=WRITE,
    )  # fmt: skip
