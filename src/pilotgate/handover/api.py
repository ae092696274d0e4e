"""REST API of handovers and hypercare."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pilotgate.handover import schemas, service, views
from pilotgate.usecases import service as usecases
from pilotgate.web.auth import CurrentPrincipal, unit_of_work

router = APIRouter(tags=["handover"])


@router.get("/use-cases/{key}/handover", summary="A use case's handovers and its hypercare status")
def handover_of(request: Request, principal: CurrentPrincipal, key: str) -> dict[str, Any]:
    with unit_of_work(request, read_only=True) as uow:
        return service.summary(uow, usecases.get_or_raise(uow, key))


@router.post("/use-cases/{key}/handover", status_code=201, summary="Propose a handover (the program lead)")
def propose(request: Request, principal: CurrentPrincipal, key: str, body: schemas.HandoverWrite) -> dict[str, Any]:
    principal.require("handover.write", "propose handovers")
    with unit_of_work(request) as uow:
        row = service.propose(uow, key=key, actor=principal.email, **body.model_dump())
        return views.handover_dict(row, usecases.get_or_raise(uow, key).key)


@router.put("/use-cases/{key}/handover/items/{item}", summary="Tick off (or un-tick) a handover item")
def check_item(
    request: Request, principal: CurrentPrincipal, key: str, item: str, body: schemas.ItemWrite
) -> dict[str, Any]:
    principal.require("handover.write", "tick off handover items")
    with unit_of_work(request) as uow:
        row = service.check_item(uow, key=key, item=item, actor=principal.email, done=body.done, note=body.note)
        return views.handover_dict(row, usecases.get_or_raise(uow, key).key)


@router.post("/use-cases/{key}/handover/accept", summary="Accept the handover (the business-unit head)")
def accept(request: Request, principal: CurrentPrincipal, key: str) -> dict[str, Any]:
    principal.require("handover.write", "accept handovers")
    with unit_of_work(request) as uow:
        row = service.accept(uow, key=key, actor=principal.email)
        return views.handover_dict(row, usecases.get_or_raise(uow, key).key)


@router.post(
    "/use-cases/{key}/handover/attach",
    status_code=201,
    summary="Attach the accepted handover's document to the open gate review",
)
def attach(request: Request, principal: CurrentPrincipal, key: str) -> dict[str, Any]:
    principal.require("handover.write", "attach handover documents")
    with unit_of_work(request) as uow:
        row = service.attach(uow, key=key, actor=principal.email)
        return views.artifact_dict(row, usecases.get_or_raise(uow, key).key)


@router.get(
    "/use-cases/{key}/handover/document",
    summary="The accepted handover's operations ownership transfer document (Markdown)",
    response_class=Response,
    responses={200: {"content": {"text/markdown": {}}}},
)
def document(request: Request, principal: CurrentPrincipal, key: str) -> Response:
    with unit_of_work(request, read_only=True) as uow:
        filename, text = service.document_of(uow, usecases.get_or_raise(uow, key))
    return Response(
        text,
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
