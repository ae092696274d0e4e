"""The Prioritisation page (ranking, value concentration, the Pareto chart) and the scorecard form."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from pilotgate.errors import PilotgateError
from pilotgate.policy import service as policies
from pilotgate.policy.loader import SHIPPED_POLICY
from pilotgate.prioritisation import charts, panels, portfolio, service
from pilotgate.prioritisation.api import require_named
from pilotgate.usecases import service as usecases
from pilotgate.web.auth import CurrentPrincipal, Principal, unit_of_work
from pilotgate.web.templating import render

router = APIRouter(include_in_schema=False)


def _number(value: str | None) -> int | str | None:
    """A whole number from a query string, or the text as given (the service says what is wrong)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    return int(text) if text.lstrip("-").isdigit() and len(text) < 10 else text


@router.get("/prioritisation")
def prioritisation_page(
    request: Request,
    principal: CurrentPrincipal,
    stage: Annotated[str | None, Query(max_length=64)] = None,
    top: Annotated[str | None, Query(max_length=16)] = None,
) -> Response:
    stage = stage or None
    error: PilotgateError | None = None
    with unit_of_work(request, read_only=True) as uow:
        try:
            ranked = portfolio.ranking(uow, stage=stage)
            view = portfolio.concentration(uow, top=_number(top), stage=stage)  # type: ignore[arg-type]
        except PilotgateError as problem:
            error, stage = problem, None
            ranked, view = portfolio.ranking(uow), portfolio.concentration(uow)
        shipped = policies.latest(uow, SHIPPED_POLICY)
        stages = [(s.id, s.title) for s in policies.parsed(shipped).stages] if shipped else []
    context = {
        "ranked": ranked,
        "view": view,
        "chart": charts.pareto_chart(view) if view["series"] else None,
        "stages": stages,
        "stage": stage or "",
        "top": top or "",
        "error": error,
        "money": portfolio.money,
    }
    return render(request, "prioritisation.html", context, status_code=error.status if error else 200)


def _form_page(request: Request, key: str, values: dict[str, Any] | None, error: PilotgateError | None) -> Response:
    with unit_of_work(request, read_only=True) as uow:
        use_case = usecases.get_or_raise(uow, key)
        scorecard = panels.scorecard_panel(uow, use_case)
        uc = {"key": use_case.key, "title": use_case.title}
    if values is not None:
        scorecard["form"] = values
    context = {"uc": uc, "scorecard": scorecard, "error": error}
    return render(request, "scorecard_form.html", context, status_code=error.status if error else 200)


@router.get("/use-cases/{key}/scorecard")
def scorecard_form(request: Request, principal: CurrentPrincipal, key: str) -> Response:
    return _form_page(request, key, None, None)


def _values_from(form: Any) -> dict[str, Any]:
    def text(name: str) -> str:
        value = form.get(name)
        return value if isinstance(value, str) else ""

    scores = {k.removeprefix("score."): v for k, v in form.items() if k.startswith("score.") and isinstance(v, str)}
    rationales = {
        k.removeprefix("rationale."): v for k, v in form.items() if k.startswith("rationale.") and isinstance(v, str)
    }
    return {
        "scores": scores,
        "rationales": rationales,
        "expected_value": text("expected_value").strip(),
        "currency": text("currency").strip(),
        "note": text("note"),
    }


def _record(request: Request, principal: Principal, key: str, values: dict[str, Any]) -> Response:
    given = {  # a criterion left unscored is missing, and the service says so
        criterion: {"score": score.strip(), "rationale": values["rationales"].get(criterion, "")}
        for criterion, score in values["scores"].items()
        if score.strip()
    }
    try:
        with unit_of_work(request) as uow:
            require_named(uow, principal, key)
            service.record(
                uow,
                key=key,
                scores=given,
                actor=principal.email,
                expected_value=values["expected_value"] or None,
                currency=values["currency"] if values["expected_value"] else None,
                note=values["note"],
            )
            target = usecases.get_or_raise(uow, key).key
    except PilotgateError as error:
        if error.status in (401, 403, 404):
            raise
        return _form_page(request, key, values, error)
    return RedirectResponse(f"/use-cases/{target}#h-scorecard", status_code=303)


@router.post("/use-cases/{key}/scorecard")
async def score_use_case(request: Request, principal: CurrentPrincipal, key: str) -> Response:
    principal.require("score.write", "score use cases")
    form = await request.form()
    return await run_in_threadpool(_record, request, principal, key, _values_from(form))
