"""The Maturity page: the latest readiness scores, the gaps to close, the history and the questionnaire form."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from pilotgate.errors import PilotgateError
from pilotgate.maturity import charts, questionnaire, service
from pilotgate.maturity.signals import signals
from pilotgate.web.auth import CurrentPrincipal, Principal, unit_of_work
from pilotgate.web.templating import render

router = APIRouter(include_in_schema=False)


def _context(request: Request, principal: Principal) -> dict[str, Any]:
    with unit_of_work(request, read_only=True) as uow:
        latest = service.latest(uow)
        result = service.view(latest) if latest is not None else None
        history = [service.summary(row) for row in service.history(uow)]
        # Before the first assessment the page still shows what the data says today.
        now = None if result else [s.as_dict() for s in signals(uow)]
    return {
        "result": result,
        "history": history,
        "signals_now": now,
        "questionnaire": questionnaire.CAPABILITIES,
        "can_assess": principal.can("maturity.assess"),
        "charts": {
            "capabilities": charts.capability_chart(result) if result else None,
            "history": charts.history_chart(history) if len(history) > 1 else None,
        },
        "values": result["answers"] if result else {},
        "error": None,
        "open_form": result is None,
    }


@router.get("/maturity")
def maturity_page(request: Request, principal: CurrentPrincipal) -> Response:
    if request.headers.get("hx-boosted"):
        # A boosted link swaps the body only, and this page needs its head (the chart libraries, its
        # styles): htmx is told to load it whole.
        return Response(status_code=200, headers={"HX-Redirect": "/maturity"})
    return render(request, "maturity.html", _context(request, principal))


def _answers_from(form: Any) -> dict[str, Any]:
    """The radio buttons of the form: question id → score, a non-number kept as given for the error."""
    answers: dict[str, Any] = {}
    for question_id in questionnaire.QUESTIONS:
        value = form.get(question_id)
        if isinstance(value, str) and value.strip():
            answers[question_id] = int(value) if value.strip().isdigit() else value
    return answers


def _record(request: Request, principal: Principal, answers: dict[str, Any]) -> Response:
    try:
        with unit_of_work(request) as uow:
            service.create(uow, answers=answers, actor=principal.email)
    except PilotgateError as error:
        context = {**_context(request, principal), "values": answers, "error": error, "open_form": True}
        return render(request, "maturity.html", context, status_code=error.status)
    return RedirectResponse("/maturity#latest", status_code=303)


@router.post("/maturity")
async def record_assessment(request: Request, principal: CurrentPrincipal) -> Response:
    principal.require("maturity.assess", "record readiness assessments")
    form = await request.form()
    return await run_in_threadpool(_record, request, principal, _answers_from(form))
