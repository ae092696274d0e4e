"""Forms in the sections of the use case page: one transaction per post; on success back to the
section, on a refusal the whole page again with the error beside the form that caused it and the
values the person typed, answered with the error's status."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from pilotgate.db.uow import UnitOfWork
from pilotgate.errors import Forbidden, PilotgateError
from pilotgate.usecases import service as usecases
from pilotgate.web.auth import Principal, unit_of_work
from pilotgate.web.problems import log_refusal
from pilotgate.web.templating import render


def act(
    request: Request,
    principal: Principal,
    key: str,
    *,
    form: str,
    section: str,
    values: dict[str, Any],
    action: Callable[[UnitOfWork], object],
    permission: tuple[str, str],
) -> Response:
    """Run `action` for the form named `form` of the section whose heading id is `section`; a use case
    that does not exist is the not-found page, any other refusal the page with the error."""
    principal.require(*permission)
    with unit_of_work(request, read_only=True) as uow:
        use_case_key = usecases.get_or_raise(uow, key).key
    try:
        with unit_of_work(request) as uow:
            action(uow)
    except PilotgateError as error:
        if isinstance(error, Forbidden):
            log_refusal(request, error)
        return _again(request, use_case_key, form, values, error)
    return RedirectResponse(f"/use-cases/{use_case_key}#{section}", status_code=303)


def _again(request: Request, key: str, form: str, values: dict[str, Any], error: PilotgateError) -> Response:
    from pilotgate.web.pages import use_case_context  # pages includes the routers that use this module

    context = {**use_case_context(request, key), "form": form, "error": error, "values": values}
    return render(request, "use_case.html", context, status_code=error.status)
