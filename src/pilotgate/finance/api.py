"""REST API of business cases: the case and its versions, scenarios, sensitivity, Monte Carlo,
actuals (one at a time or in bulk), variance, re-forecast and the indicators tied to it."""

from __future__ import annotations

import io
import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from pilotgate.errors import Forbidden, InvalidInput
from pilotgate.finance import actuals, actuals_files, indicators, montecarlo, schemas, service, variance, views
from pilotgate.finance.template import template_data, template_text
from pilotgate.usecases import service as usecases
from pilotgate.usecases.models import Person, RoleAssignment
from pilotgate.web.auth import CurrentPrincipal, Principal, unit_of_work

router = APIRouter(tags=["business cases"])
PORTFOLIO_ROLES = ("admin", "program_lead")
MAX_CSV_BYTES = 10 * 1024 * 1024
Scenario = Annotated[str | None, Query(max_length=16, description="conservative (default), base or optimistic")]


def _named_use_cases(uow: Any, principal: Principal) -> set[int] | None:
    """The use case ids a contributor holds a role on; None means every use case."""
    if principal.role in PORTFOLIO_ROLES:
        return None
    query = select(RoleAssignment.use_case_id).join(Person, Person.id == RoleAssignment.person_id)
    return set(uow.session.scalars(query.where(Person.email == principal.email)))


def _require_named(uow: Any, principal: Principal, key: str, what: str) -> None:
    use_case = usecases.get_or_raise(uow, key)
    mine = _named_use_cases(uow, principal)
    if mine is not None and use_case.id not in mine:
        raise Forbidden(f"{principal.email} holds no role on {use_case.key} and may not {what}")


@router.get("/business-cases/template", summary="The default case skeleton: the framework's typical timeline")
def template(principal: CurrentPrincipal) -> dict[str, Any]:
    return {"yaml": template_text(), "case": template_data()}


@router.get("/use-cases/{key}/business-case", summary="A use case's business case on a scenario (conservative)")
def show(
    request: Request,
    principal: CurrentPrincipal,
    key: str,
    scenario: Scenario = None,
    version: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
) -> dict[str, Any]:
    with unit_of_work(request, read_only=True) as uow:
        return service.show(uow, usecases.get_or_raise(uow, key), scenario=scenario, version=version)


@router.put("/use-cases/{key}/business-case", summary="Set the business case (kept as its next version)")
def set_case(request: Request, principal: CurrentPrincipal, key: str, body: schemas.CaseWrite) -> dict[str, Any]:
    principal.require("finance.write", "set business cases")
    with unit_of_work(request) as uow:
        _require_named(uow, principal, key, "set its business case")
        row, created = service.set_case(uow, key=key, spec=body.case, actor=principal.email, note=body.note)
        use_case = usecases.get_or_raise(uow, key)
        return {**service.show(uow, use_case, version=row.version), "created": created}


@router.get("/use-cases/{key}/business-case/versions", summary="Every version of a use case's business case")
def versions(request: Request, principal: CurrentPrincipal, key: str) -> list[dict[str, Any]]:
    with unit_of_work(request, read_only=True) as uow:
        use_case = usecases.get_or_raise(uow, key)
        return [views.version_dict(row, use_case.key) for row in service.versions(uow, use_case)]


@router.get("/use-cases/{key}/business-case/sensitivity", summary="Each driver moved ±pct%: effect on NPV, payback")
def sensitivity(
    request: Request,
    principal: CurrentPrincipal,
    key: str,
    pct: Annotated[float, Query(description="How far each driver moves, in %")] = 20.0,
    scenario: Scenario = None,
) -> dict[str, Any]:
    with unit_of_work(request, read_only=True) as uow:
        return service.sensitivity_of(uow, usecases.get_or_raise(uow, key), pct=pct, scenario=scenario)


@router.get("/use-cases/{key}/business-case/simulation", summary="Monte Carlo over the drivers' ranges")
def simulation(
    request: Request,
    principal: CurrentPrincipal,
    key: str,
    draws: Annotated[int, Query(description="100 … 200000")] = montecarlo.DEFAULT_DRAWS,
    seed: Annotated[int, Query(ge=0, description="The same seed gives the same answer")] = montecarlo.DEFAULT_SEED,
) -> dict[str, Any]:
    with unit_of_work(request, read_only=True) as uow:
        return service.simulate(uow, usecases.get_or_raise(uow, key), draws=draws, seed=seed)


@router.get("/use-cases/{key}/business-case/actuals", summary="The actual costs and benefits recorded")
def list_actuals(request: Request, principal: CurrentPrincipal, key: str) -> list[dict[str, Any]]:
    with unit_of_work(request, read_only=True) as uow:
        use_case = usecases.get_or_raise(uow, key)
        return [views.actual_dict(row, use_case.key) for row in actuals.actuals_of(uow, use_case)]


@router.post("/use-cases/{key}/business-case/actuals", status_code=201, summary="Record an actual cost or benefit")
def add_actual(request: Request, principal: CurrentPrincipal, key: str, body: schemas.ActualWrite) -> dict[str, Any]:
    principal.require("finance.write", "record actuals")
    with unit_of_work(request) as uow:
        _require_named(uow, principal, key, "record its actuals")
        row, replaced = actuals.record(uow, key=key, actor=principal.email, source="api", **body.model_dump())
        return {**views.actual_dict(row, usecases.get_or_raise(uow, key).key), "replaced": replaced}


@router.post(
    "/business-cases/actuals",
    summary="Import actuals: JSON {actuals: [...]} or a text/csv body. All or none; resending replaces.",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": schemas.ActualsWrite.model_json_schema()},
                "text/csv": {"schema": {"type": "string"}},
            }
        }
    },
)
async def import_actuals(request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    principal.require("finance.write", "import actuals")
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    if len(body) > MAX_CSV_BYTES:
        raise InvalidInput("body", f"is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB; split the file")
    if media == "text/csv":
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise InvalidInput("file", "is not UTF-8 text; save the CSV as UTF-8") from None
        rows: Any = actuals_files.csv_actuals(io.StringIO(text, newline=""))
        source = "api (csv)"
    elif media == "application/json":
        try:
            data = json.loads(body)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise InvalidInput("body", f"not JSON: {error}") from None
        if not isinstance(data, dict) or not isinstance(data.get("actuals"), list):
            raise InvalidInput("actuals", 'send an object {"actuals": [{"use_case": …, "month": …, …}, …]}')
        rows, source = actuals_files.json_actuals(data["actuals"]), "api"
    else:
        raise InvalidInput("content-type", 'send application/json ({"actuals": [...]}) or text/csv')
    return await run_in_threadpool(_ingest, request, principal, rows, source)


def _ingest(request: Request, principal: Principal, rows: Any, source: str) -> dict[str, Any]:
    with unit_of_work(request) as uow:
        report = actuals.ingest(uow, rows, actor=principal.email, source=source, only=_named_use_cases(uow, principal))
    return {"recorded": report.recorded, "replaced": report.replaced, "use_cases": report.use_cases}


@router.get("/use-cases/{key}/business-case/variance", summary="Plan against actual, by month and cumulatively")
def variance_of(request: Request, principal: CurrentPrincipal, key: str, scenario: Scenario = None) -> dict[str, Any]:
    with unit_of_work(request, read_only=True) as uow:
        return variance.variance_of(uow, usecases.get_or_raise(uow, key), scenario=scenario)


@router.get("/use-cases/{key}/business-case/reforecast", summary="The case re-forecast from its actuals")
def reforecast(request: Request, principal: CurrentPrincipal, key: str, scenario: Scenario = None) -> dict[str, Any]:
    with unit_of_work(request, read_only=True) as uow:
        return variance.reforecast_of(uow, usecases.get_or_raise(uow, key), scenario=scenario)


@router.get("/use-cases/{key}/business-case/indicators", summary="Tied indicators: expected by when, measured now")
def tied_indicators(request: Request, principal: CurrentPrincipal, key: str) -> dict[str, Any]:
    with unit_of_work(request, read_only=True) as uow:
        return indicators.indicators_of(uow, usecases.get_or_raise(uow, key))
