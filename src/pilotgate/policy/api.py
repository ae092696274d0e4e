"""REST API of policies."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request

from pilotgate.errors import PolicyError
from pilotgate.policy import service
from pilotgate.policy.loader import load_policy_text
from pilotgate.web.auth import CurrentPrincipal, unit_of_work

router = APIRouter(tags=["policies"])
YAML_BODY = Body(media_type="application/yaml", max_length=1_000_000, description="The policy as YAML text")


@router.get("/policies", summary="List policies with their versions")
def list_policies(request: Request, principal: CurrentPrincipal) -> list[dict[str, Any]]:
    with unit_of_work(request, read_only=True) as uow:
        return [
            {
                "name": v.name,
                "version": v.version,
                "title": v.title,
                "sha256": v.sha256,
                "created_at": v.created_at.isoformat(),
                "source": v.source,
                "versions": [x.version for x in service.versions(uow, v.name)],
            }
            for v in service.list_latest(uow)
        ]


@router.get("/policies/{name}", summary="A policy (the newest version, or ?version=N)")
def get_policy(
    request: Request,
    principal: CurrentPrincipal,
    name: str,
    version: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
) -> dict[str, Any]:
    with unit_of_work(request, read_only=True) as uow:
        stored = service.get_or_raise(uow, name, version)
        return {
            "version": stored.version,
            "sha256": stored.sha256,
            "yaml": stored.content,
            **service.parsed(stored).model_dump(mode="json", by_alias=True),
        }


@router.post("/policies/validate", summary="Check a policy; every problem names the offending key")
def validate_policy(principal: CurrentPrincipal, text: Annotated[str, YAML_BODY]) -> dict[str, Any]:
    try:
        policy = load_policy_text(text, "request body")
    except PolicyError as error:
        return {"valid": False, "problems": error.problems}
    return {"valid": True, "problems": [], "name": policy.name}


@router.post("/policies", status_code=201, summary="Publish a policy as its name's next version")
def publish_policy(request: Request, principal: CurrentPrincipal, text: Annotated[str, YAML_BODY]) -> dict[str, Any]:
    principal.require("policy.publish", "publish policies")
    with unit_of_work(request) as uow:
        version, created = service.publish(
            uow, text=text, source=f"published by {principal.email}", actor=principal.email
        )
        return {"name": version.name, "version": version.version, "created": created}
