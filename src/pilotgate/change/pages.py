"""The change management forms of the use case page: start a plan, add an item, complete an item.

The forms post with htmx and get the section back, re-rendered (with the error, when there is one,
and nothing changed). Without JavaScript they post plainly: success redirects to the section, an
error is the ordinary error page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from pilotgate.change import panels, service
from pilotgate.change.api import require_writer
from pilotgate.db.uow import UnitOfWork
from pilotgate.errors import Forbidden, PilotgateError
from pilotgate.usecases import service as usecases
from pilotgate.web.auth import CurrentPrincipal, Principal, unit_of_work
from pilotgate.web.problems import log_refusal
from pilotgate.web.templating import render

router = APIRouter(include_in_schema=False)
Text = Annotated[str, Form(max_length=320)]
LongText = Annotated[str, Form(max_length=2000)]


def _section(
    request: Request, key: str, *, error: str | None = None, notice: str | None = None, values: Any = None, status: int
) -> Response:
    with unit_of_work(request, read_only=True) as uow:
        use_case = usecases.get_or_raise(uow, key)
        data = panels.change_panel(uow, use_case)
        uc = {"key": use_case.key, "title": use_case.title}
    context = {"change": data, "uc": uc, "change_error": error, "change_notice": notice, "change_values": values}
    return render(request, "_change.html", context, status_code=status)


def _act(
    request: Request,
    principal: Principal,
    key: str,
    work: Callable[[UnitOfWork], str],
    values: dict[str, Any],
) -> Response:
    """Run one write in one transaction; answer htmx with the section, a plain form with a redirect."""
    htmx = bool(request.headers.get("hx-request"))
    try:
        with unit_of_work(request) as uow:
            require_writer(uow, principal, key, "work on its change management")
            notice = work(uow)
    except PilotgateError as error:
        if not htmx:
            raise
        if isinstance(error, Forbidden):
            log_refusal(request, error)
        return _section(request, key, error=error.message, values=values, status=error.status)
    if htmx:
        return _section(request, key, notice=notice, status=200)
    return RedirectResponse(f"/use-cases/{key.strip().upper()}#h-change", status_code=303)


@router.post("/use-cases/{key}/change/plans")
def add_plan(
    request: Request,
    principal: CurrentPrincipal,
    key: str,
    population: Text = "",
    owner: Text = "",
    target_users: Text = "",
    cohort: Text = "",
    expansion: Text = "",
    note: LongText = "",
) -> Response:
    def work(uow: UnitOfWork) -> str:
        row = service.add_plan(
            uow,
            key=key,
            population=population,
            owner=owner,
            actor=principal.email,
            target_users=target_users,
            cohort=cohort,
            expansion=expansion not in ("", "0", "false"),
            note=note,
        )
        return f"Change plan #{row.id} for {row.population} started."

    values = {"plan_population": population, "target_users": target_users, "cohort": cohort}
    return _act(request, principal, key, work, values)


@router.post("/use-cases/{key}/change/items")
def add_item(
    request: Request,
    principal: CurrentPrincipal,
    key: str,
    population: Text = "",
    kind: Text = "",
    title: Text = "",
    owner: Text = "",
    due_date: Text = "",
    audience: Text = "",
    session_date: Text = "",
    attendance_target: Text = "",
    note: LongText = "",
) -> Response:
    fields = {
        "population": population,
        "kind": kind,
        "title": title,
        "owner": owner,
        "due_date": due_date,
        "audience": audience,
        "session_date": session_date,
        "attendance_target": attendance_target,
    }

    def work(uow: UnitOfWork) -> str:
        row = service.add_item(uow, key=key, actor=principal.email, note=note, **fields)
        return f"Change item #{row.id} added to {row.plan.population}."

    return _act(request, principal, key, work, fields)


@router.post("/use-cases/{key}/change/items/{item_id}/complete")
def complete_item(
    request: Request,
    principal: CurrentPrincipal,
    key: str,
    item_id: Annotated[int, Path(ge=1, le=2_147_483_647)],
    attendance: Text = "",
    note: LongText = "",
) -> Response:
    def work(uow: UnitOfWork) -> str:
        row = service.complete_item(
            uow, item_id=item_id, actor=principal.email, attendance=attendance, note=note, key=key
        )
        return f"Change item #{row.id} marked complete."

    return _act(request, principal, key, work, {})
