"""REST API of the evidence layer: metrics, points, indicators, SLOs and connectors."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from pilotgate.errors import Forbidden, InvalidInput
from pilotgate.evidence import csv_import, ingest, rules, schemas, service, sync, views
from pilotgate.usecases import service as usecases
from pilotgate.usecases.models import Person, RoleAssignment
from pilotgate.web.auth import CurrentPrincipal, Principal, unit_of_work

router = APIRouter(tags=["evidence"])
# Program leads and admins run the portfolio; anyone else works on the use cases they are named on.
PORTFOLIO_ROLES = ("admin", "program_lead")


def _named_use_cases(uow: Any, principal: Principal) -> set[int] | None:
    """The use case ids a contributor holds a role on; None means every use case."""
    if principal.role in PORTFOLIO_ROLES:
        return None
    return set(
        uow.session.scalars(
            select(RoleAssignment.use_case_id)
            .join(Person, Person.id == RoleAssignment.person_id)
            .where(Person.email == principal.email)
        )
    )


def _require_named(uow: Any, principal: Principal, key: str, what: str) -> None:
    mine = _named_use_cases(uow, principal)
    use_case = usecases.get_or_raise(uow, key)
    if mine is not None and use_case.id not in mine:
        raise Forbidden(f"{principal.email} holds no role on {use_case.key} and may not {what}")


SPOOL_IN_MEMORY = 8 * 1024 * 1024


@router.get("/use-cases/{key}/metrics", summary="The metrics a use case measures")
def list_metrics(request: Request, principal: CurrentPrincipal, key: str) -> list[dict[str, Any]]:
    with unit_of_work(request, read_only=True) as uow:
        use_case = usecases.get_or_raise(uow, key)
        return [service.definition_dict(m) for m in service.metrics_of(uow, use_case)]


@router.post("/use-cases/{key}/metrics", status_code=201, summary="Define a metric on a use case")
def define_metric(request: Request, principal: CurrentPrincipal, key: str, body: schemas.MetricWrite) -> dict[str, Any]:
    principal.require("evidence.write", "define metrics")
    values = body.model_dump(exclude={"key"}, exclude_none=True)
    with unit_of_work(request) as uow:
        _require_named(uow, principal, key, "define its metrics")
        row = service.define_metric(uow, key=key, metric=body.key, actor=principal.email, **values)
        return service.definition_dict(row)


@router.patch("/use-cases/{key}/metrics/{metric}", summary="Change a metric's definition")
def edit_metric(
    request: Request, principal: CurrentPrincipal, key: str, metric: str, body: schemas.MetricFields
) -> dict[str, Any]:
    principal.require("evidence.write", "change metrics")
    with unit_of_work(request) as uow:
        _require_named(uow, principal, key, "change its metrics")
        row = service.edit_metric(
            uow, key=key, metric=metric, actor=principal.email, **body.model_dump(exclude_none=True)
        )
        return service.definition_dict(row)


@router.get("/use-cases/{key}/metrics/{metric}/points", summary="The points of one series, oldest first")
def metric_points(
    request: Request,
    principal: CurrentPrincipal,
    key: str,
    metric: str,
    since: Annotated[str | None, Query(max_length=64, description="ISO-8601: only points at or after")] = None,
    limit: Annotated[int, Query(ge=1, le=50_000)] = 5000,
) -> dict[str, Any]:
    since_ms = None
    if since:
        try:
            since_ms = rules.parse_timestamp_ms(since)
        except ValueError:
            raise InvalidInput("since", f"{since!r} is not an ISO-8601 time, e.g. 2026-11-01T00:00:00Z") from None
    with unit_of_work(request, read_only=True) as uow:
        use_case = usecases.get_or_raise(uow, key)
        return views.points(use_case.key, metric, service.points(uow, use_case, metric, since_ms=since_ms, limit=limit))


@router.get("/use-cases/{key}/indicators", summary="Live indicators: leading and lagging, with SLO")
def indicators(
    request: Request,
    principal: CurrentPrincipal,
    key: str,
    window: Annotated[str | None, Query(max_length=8, description="e.g. 28d (default: the policy's)")] = None,
) -> dict[str, Any]:
    with unit_of_work(request, read_only=True) as uow:
        use_case = usecases.get_or_raise(uow, key)
        policy = usecases.policy_of(uow, use_case)
        return {
            "use_case": use_case.key,
            "slo": service.slo_of(uow, use_case, policy).as_dict(),
            "indicators": [i.as_dict() for i in service.indicators(uow, use_case, policy, window=window)],
        }


@router.get("/use-cases/{key}/slo", summary="The SLO a use case is judged against")
def get_slo(request: Request, principal: CurrentPrincipal, key: str) -> dict[str, Any]:
    with unit_of_work(request, read_only=True) as uow:
        use_case = usecases.get_or_raise(uow, key)
        return service.slo_of(uow, use_case, usecases.policy_of(uow, use_case)).as_dict()


@router.put("/use-cases/{key}/slo", summary="Set a use case's own SLO values")
def put_slo(request: Request, principal: CurrentPrincipal, key: str, body: schemas.SloWrite) -> dict[str, Any]:
    principal.require("evidence.write", "set SLOs")
    with unit_of_work(request) as uow:
        _require_named(uow, principal, key, "set its SLO")
        service.set_slo(uow, key=key, actor=principal.email, **body.model_dump())
        use_case = usecases.get_or_raise(uow, key)
        return service.slo_of(uow, use_case, usecases.policy_of(uow, use_case)).as_dict()


@router.post(
    "/metrics/points",
    summary="Import metric points: JSON {points: [...]} or a text/csv body. All or none; resending replaces.",
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": schemas.PointsWrite.model_json_schema()},
                "text/csv": {"schema": {"type": "string"}},
            }
        }
    },
)
async def import_points(request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    principal.require("evidence.write", "import metrics")
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == "text/csv":
        return await _import_csv(request, principal)
    if media != "application/json":
        raise InvalidInput("content-type", 'send application/json ({"points": [...]}) or text/csv')
    try:
        body = json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InvalidInput("body", f"not JSON: {error}") from None
    if not isinstance(body, dict) or not isinstance(body.get("points"), list):
        raise InvalidInput("points", 'send an object {"points": [{"use_case": …, "metric": …, …}, …]}')
    points = ingest.json_points(body["points"])
    return await run_in_threadpool(_ingest, request, principal, partial(ingest.ingest, points=points), "api")


async def _import_csv(request: Request, principal: Principal) -> dict[str, Any]:
    # Spooled to disk past a few MB: a large upload is streamed through, never held whole in memory.
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY) as spool:
        async for chunk in request.stream():
            spool.write(chunk)
        spool.seek(0)
        read = partial(csv_import.ingest_csv, binary=spool)
        return await run_in_threadpool(_ingest, request, principal, read, "api (csv)")


def _ingest(request: Request, principal: Principal, read: Callable[..., ingest.Report], source: str) -> dict[str, Any]:
    with unit_of_work(request) as uow:
        only = _named_use_cases(uow, principal)
        report = read(uow, actor=principal.email, source=source, only=only)
    return {"points": report.points, "metrics": report.metrics, "use_cases": report.use_cases}


@router.get("/connectors", summary="Connectors with their last pull")
def list_connectors(
    request: Request,
    principal: CurrentPrincipal,
    use_case: Annotated[str | None, Query(max_length=32)] = None,
) -> list[dict[str, Any]]:
    principal.require("connector.manage", "see connector configurations")
    with unit_of_work(request, read_only=True) as uow:
        return [views.connector_dict(row, key) for row, key in sync.listed(uow, key=use_case)]


@router.post("/use-cases/{key}/connectors", status_code=201, summary="Configure a connector on a use case")
def add_connector(
    request: Request, principal: CurrentPrincipal, key: str, body: schemas.ConnectorWrite
) -> dict[str, Any]:
    principal.require("connector.manage", "configure connectors")
    with unit_of_work(request) as uow:
        row = sync.add(uow, key=key, kind=body.kind, config=body.config, actor=principal.email)
        return {"id": row.id, "kind": row.kind, "config": json.loads(row.config)}


@router.delete("/connectors/{connector}", status_code=204, summary="Remove a connector (its points stay)")
def remove_connector(
    request: Request, principal: CurrentPrincipal, connector: Annotated[int, Path(ge=1, le=2_147_483_647)]
) -> None:
    principal.require("connector.manage", "remove connectors")
    with unit_of_work(request) as uow:
        sync.remove(uow, connector_id=connector, actor=principal.email)


@router.post("/connectors/pull", summary="Pull connectors now (one, a use case's, all, or only those due)")
def pull_connectors(request: Request, principal: CurrentPrincipal, body: schemas.PullRequest) -> list[dict[str, Any]]:
    principal.require("connector.manage", "pull connectors")
    with unit_of_work(request) as uow:
        results = sync.pull_many(
            uow, actor=principal.email, key=body.use_case, connector_id=body.connector, only_due=body.due
        )
        return [r.as_dict() for r in results]
