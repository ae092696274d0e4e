"""REST API of gate reviews: open, status, assess, attach, download, vote, decide."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse

from pilotgate.errors import InvalidInput, NotFound
from pilotgate.evidence import store
from pilotgate.gates import approvals, readiness, schemas, service, views
from pilotgate.web.auth import CurrentPrincipal, unit_of_work

router = APIRouter(tags=["gate reviews"])


@router.post("/use-cases/{key}/review", status_code=201, summary="Open a review of the next gate")
def open_review(request: Request, principal: CurrentPrincipal, key: str) -> dict[str, Any]:
    principal.require("review.work", "open gate reviews")
    with unit_of_work(request) as uow:
        service.open_review(uow, key=key, actor=principal.email)
        return views.status(service.load_open(uow, key))


@router.get("/use-cases/{key}/review", summary="The open review: criteria, artifacts, votes and blockers")
def review_status(request: Request, principal: CurrentPrincipal, key: str) -> dict[str, Any]:
    with unit_of_work(request, read_only=True) as uow:
        return views.status(service.load_open(uow, key))


@router.put("/use-cases/{key}/review/assessments/{criterion}", summary="Assess a criterion")
def assess(
    request: Request, principal: CurrentPrincipal, key: str, criterion: str, body: schemas.AssessmentWrite
) -> dict[str, Any]:
    principal.require("review.work", "assess criteria")
    with unit_of_work(request) as uow:
        service.assess(
            uow,
            key=key,
            criterion_id=criterion,
            status=body.status,
            actor=principal.email,
            note=body.note,
            expires=body.expires,
            evidence=body.evidence,
        )
        return views.status(service.load_open(uow, key))


@router.post(
    "/use-cases/{key}/review/artifacts/{artifact}",
    status_code=201,
    summary="Attach an artifact: a file (multipart field 'file') or a link (form field 'url')",
)
def attach(
    request: Request,
    principal: CurrentPrincipal,
    key: str,
    artifact: str,
    file: Annotated[UploadFile | None, File()] = None,
    url: Annotated[str | None, Form(max_length=2000)] = None,
) -> dict[str, Any]:
    principal.require("review.work", "attach artifacts")
    if (file is None) == (url is None):
        raise InvalidInput("file", "send either a file (multipart field 'file') or a link (field 'url')")
    with unit_of_work(request) as uow:
        if file is not None:
            row = service.attach(
                uow,
                key=key,
                artifact_id=artifact,
                actor=principal.email,
                content=file.file,
                filename=file.filename or artifact,
            )
        else:
            row = service.attach(uow, key=key, artifact_id=artifact, actor=principal.email, url=url)
        return {
            "artifact": row.artifact_id,
            "version": row.version,
            "sha256": row.sha256,
            "size": row.size,
            "filename": row.filename,
            "media_type": row.media_type,
            "url": row.url,
        }


@router.get(
    "/use-cases/{key}/artifacts/{artifact}", summary="Download an artifact (as an attachment)", response_model=None
)
def download(
    request: Request,
    principal: CurrentPrincipal,
    key: str,
    artifact: str,
    version: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
) -> FileResponse | RedirectResponse:
    with unit_of_work(request, read_only=True) as uow:
        row = service.find_artifact(uow, key=key, artifact_id=artifact, version=version)
        if row.url:
            return RedirectResponse(row.url, status_code=307)
        path = store.blob_path(uow.settings.artifacts_dir, row.sha256 or "")
        if not path.is_file():
            raise NotFound(f"the stored file of {artifact} version {row.version} is missing from the data directory")
        filename = row.filename or f"{artifact}-v{row.version}"
    # Always a download with a safe name, served as bytes: never rendered or executed here.
    return FileResponse(
        path, media_type="application/octet-stream", filename=filename, content_disposition_type="attachment"
    )


@router.put("/use-cases/{key}/review/votes", summary="Cast your vote as a named approver")
def vote(request: Request, principal: CurrentPrincipal, key: str, body: schemas.VoteWrite) -> dict[str, Any]:
    principal.require("review.work", "vote")
    with unit_of_work(request) as uow:
        service.vote(uow, key=key, choice=body.choice, actor=principal.email, role=body.role, comment=body.comment)
        return views.status(service.load_open(uow, key))


@router.post("/use-cases/{key}/review/decision", status_code=201, summary="Take the gate decision")
def decide(request: Request, principal: CurrentPrincipal, key: str, body: schemas.DecisionWrite) -> dict[str, Any]:
    principal.require("review.work", "decide gates")
    conditions = [f"{c.text.replace('|', '/')}|{c.owner}|{c.due.isoformat()}" for c in body.conditions]
    with unit_of_work(request) as uow:
        row = service.decide(
            uow,
            key=key,
            decision=body.decision,
            actor=principal.email,
            to_stage=body.to_stage,
            conditions=conditions,
            rationale=body.rationale,
        )
        return decision_view(row, intact=True)


def decision_view(row: Any, *, intact: bool) -> dict[str, Any]:
    return {
        "gate": row.review.gate_number,
        "decision": row.kind,
        "from_stage": row.from_stage,
        "to_stage": row.to_stage,
        "status": row.resulting_status,
        "decided_by": row.decided_by.email,
        "decided_at": row.decided_at.isoformat(),
        "rationale": row.rationale,
        "snapshot_sha256": row.snapshot_sha256,
        "snapshot_intact": intact,
        "snapshot": json.loads(row.snapshot),
        "conditions": [
            {"text": c.text, "owner": c.owner.email, "due": c.due_date.isoformat(), "status": c.status}
            for c in row.conditions
        ],
    }


@router.get("/use-cases/{key}/decisions/latest", summary="The latest decision with its frozen snapshot")
def latest_decision(
    request: Request,
    principal: CurrentPrincipal,
    key: str,
    gate: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
) -> dict[str, Any]:
    with unit_of_work(request, read_only=True) as uow:
        row, intact = service.decision_record(uow, key=key, gate=gate)
        return decision_view(row, intact=intact)


@router.get("/reviews/readiness", summary="Every open review in the portfolio and what blocks it")
def portfolio_readiness(request: Request, principal: CurrentPrincipal) -> list[dict[str, Any]]:
    with unit_of_work(request, read_only=True) as uow:
        return [
            {
                "key": r.key,
                "title": r.title,
                "business_unit": r.business_unit,
                "gate": r.gate,
                "go_allowed": r.go_allowed,
                "blockers": r.blockers,
            }
            for r in readiness.all_open(uow)
        ]


@router.get("/me/approvals", summary="What waits for the signed-in person's vote or decision")
def my_approvals(request: Request, principal: CurrentPrincipal) -> list[dict[str, Any]]:
    with unit_of_work(request, read_only=True) as uow:
        return approvals.waiting_for(uow, principal.email)
