"""REST API of the audit trail."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from pilotgate.audit import service
from pilotgate.web.auth import CurrentPrincipal, unit_of_work

router = APIRouter(tags=["audit"])


def event_view(e: Any) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "at": e.at.isoformat(),
        "actor": e.actor,
        "action": e.action,
        "entity_type": e.entity_type,
        "entity_id": e.entity_id,
        "use_case": e.use_case_key,
        "before": json.loads(e.before),
        "after": json.loads(e.after),
        "hash": e.hash,
    }


@router.get("/audit", summary="The audit log, newest last (optionally one use case's)")
def audit_log(
    request: Request,
    principal: CurrentPrincipal,
    use_case: Annotated[str | None, Query(max_length=16)] = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 200,
) -> list[dict[str, Any]]:
    with unit_of_work(request, read_only=True) as uow:
        key = use_case.strip().upper() if use_case else None
        return [event_view(e) for e in service.history(uow, use_case_key=key, limit=limit)]


@router.get("/audit/verify", summary="Recompute the hash chain and check the signed checkpoints")
def audit_verify(request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    with unit_of_work(request, read_only=True) as uow:
        return verification_view(service.verify(uow))


def verification_view(result: service.Verification) -> dict[str, Any]:
    problems = ([result.chain.problem] if result.chain.problem else []) + result.problems
    return {
        "ok": result.ok,
        "events": result.chain.events,
        "head_seq": result.chain.head_seq,
        "head_hash": result.chain.head_hash,
        "first_bad_seq": result.chain.first_bad_seq,
        "checkpoints_checked": result.checkpoints,
        "problems": problems,
    }
