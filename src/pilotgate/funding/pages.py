"""The funding section's forms on the use case page: propose a budget line, approve one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from pilotgate.errors import Forbidden, NotFound
from pilotgate.funding import service
from pilotgate.usecases import service as usecases
from pilotgate.web.auth import CurrentPrincipal, Principal
from pilotgate.web.use_case_forms import act

router = APIRouter(include_in_schema=False)
PORTFOLIO_ROLES = ("admin", "program_lead")
WRITE = ("funding.write", "propose or approve budget lines")


def _named_or_portfolio(uow: Any, principal: Principal, key: str) -> None:
    """As in the API: outside the programme's leads, only someone named on the use case proposes its budget."""
    use_case = usecases.get_or_raise(uow, key)
    named = any(a.person.email == principal.email for a in use_case.assignments)
    if principal.role not in PORTFOLIO_ROLES and not named:
        raise Forbidden(f"{principal.email} holds no role on {use_case.key} and may not propose its budget")


@router.post("/use-cases/{key}/funding/lines")
def propose_line(
    request: Request,
    principal: CurrentPrincipal,
    key: str,
    source: Annotated[str, Form(max_length=16)] = "",
    amount: Annotated[str, Form(max_length=40)] = "",
    currency: Annotated[str, Form(max_length=8)] = "",
    cost_centre: Annotated[str, Form(max_length=64)] = "",
    business_unit: Annotated[str, Form(max_length=120)] = "",
    owner: Annotated[str, Form(max_length=320)] = "",
    period_start: Annotated[str, Form(max_length=20)] = "",
    period_end: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    values = {
        "source": source,
        "amount": amount,
        "currency": currency,
        "cost_centre": cost_centre,
        "business_unit": business_unit,
        "owner": owner,
        "period_start": period_start,
        "period_end": period_end,
        "note": note,
    }

    def action(uow: Any) -> None:
        _named_or_portfolio(uow, principal, key)
        service.add_line(
            uow,
            key=key,
            source=source,
            amount=amount,
            currency=currency,
            cost_centre=cost_centre,
            business_unit=business_unit or None,
            owner=owner,
            period_start=period_start,
            period_end=period_end,
            actor=principal.email,
            note=note,
        )

    return act(
        request,
        principal,
        key,
        form="funding.propose",
        section="h-funding",
        values=values,
        action=action,
        permission=WRITE,
    )


@router.post("/use-cases/{key}/funding/approve")
def approve_line(
    request: Request,
    principal: CurrentPrincipal,
    key: str,
    line_id: Annotated[int, Form(ge=1, le=2_147_483_647)],
) -> Response:
    def action(uow: Any) -> None:
        use_case = usecases.get_or_raise(uow, key)
        row = service.line_get_or_raise(uow, line_id)
        if row.use_case_id != use_case.id:
            raise NotFound(f"{use_case.key} has no budget line #{line_id}")
        service.approve_line(uow, line_id=line_id, actor=principal.email)

    return act(
        request,
        principal,
        key,
        form=f"funding.approve:{line_id}",
        section="h-funding",
        values={},
        action=action,
        permission=WRITE,
    )
