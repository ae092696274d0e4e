"""REST API of the registry: use cases, people and role assignments."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from pilotgate.policy import service as policies
from pilotgate.usecases import schemas, service, views
from pilotgate.web.auth import CurrentPrincipal, unit_of_work
from pilotgate.web.cache import VersionedCache

router = APIRouter(tags=["use cases"])


LISTS = VersionedCache(maxsize=256)
SortField = Literal[
    "key",
    "title",
    "stage",
    "status",
    "business_unit",
    "stage_entered_at",
    "created_at",
    "-key",
    "-title",
    "-stage",
    "-status",
    "-business_unit",
    "-stage_entered_at",
    "-created_at",
]


@router.get(
    "/use-cases",
    summary="List use cases (paginated, filterable, sortable)",
    response_class=Response,
    responses={200: {"content": {"application/json": {}}, "description": "items, total, page, per_page"}},
)
async def list_use_cases(
    request: Request,
    principal: CurrentPrincipal,
    stage: Annotated[str | None, Query(max_length=64)] = None,
    status: Annotated[str | None, Query(max_length=16)] = None,
    business_unit: Annotated[str | None, Query(max_length=120)] = None,
    tag: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[str | None, Query(max_length=200, description="Text in the key, title or description")] = None,
    sort: Annotated[SortField, Query(description="Sort field; prefix - for descending")] = "key",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    # Answers are cached per data version (and per day, since days-in-stage count with the clock).
    key = (stage, status, business_unit, tag, q, sort, page, per_page, date.today())
    version = request.state.data_version
    body = LISTS.get(key, version)
    if body is None:
        body = await run_in_threadpool(_list_body, request, key, version)
    return Response(body, media_type="application/json")


def _list_body(request: Request, key: tuple[Any, ...], version: int) -> bytes:
    body: bytes = LISTS.get_or_compute(key, version, lambda: _compute_list(request, key))
    return body


def _compute_list(request: Request, key: tuple[Any, ...]) -> bytes:
    stage, status, business_unit, tag, q, sort, page, per_page, _ = key
    with unit_of_work(request, read_only=True) as uow:
        found, total = service.list_use_cases(
            uow,
            stage=stage,
            status=status,
            business_unit=business_unit,
            tag=tag,
            text=q,
            sort=sort,
            limit=per_page,
            offset=(page - 1) * per_page,
        )
        now = uow.now()
        parsed = {n: policies.parsed(policies.get_or_raise(uow, n)) for n in {u.policy_name for u in found}}
        items = [views.summary(u, now, parsed[u.policy_name]) for u in found]
    answer = {"items": items, "total": total, "page": page, "per_page": per_page}
    body = json.dumps(answer, separators=(",", ":"), ensure_ascii=False).encode()
    return body


@router.post("/use-cases", status_code=201, summary="Register a use case")
def create_use_case(request: Request, principal: CurrentPrincipal, body: schemas.UseCaseCreate) -> dict[str, Any]:
    principal.require("usecase.create", "register use cases")
    with unit_of_work(request) as uow:
        use_case = service.create(
            uow,
            title=body.title,
            business_unit=body.business_unit,
            risk_tier=body.risk_tier,
            description=body.description,
            tags=body.tags,
            policy_name=body.policy,
            actor=principal.email,
        )
        return views.detail(uow, use_case.key)


@router.get("/use-cases/{key}", summary="One use case with roles, stage history and decisions")
def get_use_case(request: Request, principal: CurrentPrincipal, key: str) -> dict[str, Any]:
    with unit_of_work(request, read_only=True) as uow:
        return views.detail(uow, key)


@router.patch("/use-cases/{key}", summary="Edit descriptive fields (never the stage)")
def update_use_case(
    request: Request, principal: CurrentPrincipal, key: str, body: schemas.UseCaseUpdate
) -> dict[str, Any]:
    principal.require("usecase.edit", "edit use cases")
    with unit_of_work(request) as uow:
        service.update(
            uow, key=key, actor=principal.email, changes=body.model_dump(exclude_unset=True, exclude_none=True)
        )
        return views.detail(uow, key)


@router.put("/use-cases/{key}/roles/{role}", summary="Name the person who holds a role")
def assign_role(
    request: Request, principal: CurrentPrincipal, key: str, role: str, body: schemas.RoleAssign
) -> dict[str, Any]:
    principal.require("role.assign", "assign roles")
    with unit_of_work(request) as uow:
        assignment = service.assign(uow, key=key, role=role, email=body.email, actor=principal.email)
        return {"use_case": key.upper(), "role": assignment.role, "email": assignment.person.email}


@router.get("/people", summary="List people")
def list_people(request: Request, principal: CurrentPrincipal) -> list[dict[str, str]]:
    with unit_of_work(request, read_only=True) as uow:
        return [{"email": p.email, "name": p.name} for p in service.person_list(uow)]


@router.post("/people", status_code=201, summary="Register a person")
def create_person(request: Request, principal: CurrentPrincipal, body: schemas.PersonCreate) -> dict[str, str]:
    principal.require("person.create", "register people")
    with unit_of_work(request) as uow:
        person = service.person_create(uow, email=body.email, name=body.name, actor=principal.email)
        return {"email": person.email, "name": person.name}
