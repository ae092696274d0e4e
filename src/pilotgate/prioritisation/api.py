"""REST API of prioritisation (scorecards, ranking, value concentration) and of the use case timeline."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import PlainTextResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from pilotgate.errors import Forbidden
from pilotgate.prioritisation import portfolio, service
from pilotgate.reports import timeline
from pilotgate.usecases import service as usecases
from pilotgate.web.auth import CurrentPrincipal, Principal, unit_of_work

router = APIRouter(tags=["prioritisation"])
PORTFOLIO_ROLES = ("admin", "program_lead")


class ScoreWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Checked by the service, so every problem names its criterion the same way in the CLI and here.
    scores: dict[str, Any] = Field(
        max_length=50,
        description='Every criterion id of the policy → a whole number on its scale, or {"score": 4, "rationale": "…"}',
    )
    expected_value: str | float | int | None = Field(
        default=None, description='Expected annual value, zero or more, e.g. "250000"; used when no business case'
    )
    currency: str | None = Field(default=None, max_length=8, description="ISO 4217; default: the policy's")
    note: str = Field(default="", max_length=2000)


def require_named(uow: Any, principal: Principal, key: str) -> None:
    """Outside the programme's leads, only someone named on the use case may score it."""
    use_case = usecases.get_or_raise(uow, key)
    if principal.role in PORTFOLIO_ROLES:
        return
    if not any(a.person.email == principal.email for a in use_case.assignments):
        raise Forbidden(f"{principal.email} holds no role on {use_case.key} and may not score it")


@router.get("/use-cases/{key}/scorecard", summary="A use case's criteria, newest (or asked-for) scorecard and versions")
def scorecard_of(
    request: Request,
    principal: CurrentPrincipal,
    key: str,
    version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> dict[str, Any]:
    with unit_of_work(request, read_only=True) as uow:
        return service.summary(uow, usecases.get_or_raise(uow, key), version)


@router.post("/use-cases/{key}/scorecard", status_code=201, summary="Score a use case (a new scorecard version)")
def score(request: Request, principal: CurrentPrincipal, key: str, body: ScoreWrite) -> dict[str, Any]:
    principal.require("score.write", "score use cases")
    with unit_of_work(request) as uow:
        require_named(uow, principal, key)
        result = service.record(
            uow,
            key=key,
            scores=body.scores,
            actor=principal.email,
            expected_value=body.expected_value,
            currency=body.currency,
            note=body.note,
        )
        return service.recorded_dict(result, usecases.get_or_raise(uow, key).key)


@router.post(
    "/use-cases/{key}/scorecard/attach",
    status_code=201,
    summary="Attach the newest scorecard's document to the open Gate 1 review (a named role)",
)
def attach(request: Request, principal: CurrentPrincipal, key: str) -> dict[str, Any]:
    principal.require("score.write", "attach scorecards")
    with unit_of_work(request) as uow:
        artifact, row = service.attach(uow, key=key, actor=principal.email)
        return {
            "use_case": usecases.get_or_raise(uow, key).key,
            "scorecard_version": row.version,
            "artifact": artifact.artifact_id,
            "version": artifact.version,
            "sha256": artifact.sha256,
            "filename": artifact.filename,
        }


@router.get("/prioritisation/ranking", summary="Scored use cases in play, highest weighted score first")
def ranking(
    request: Request,
    principal: CurrentPrincipal,
    stage: Annotated[str | None, Query(max_length=64, description="Only use cases in this stage")] = None,
) -> dict[str, Any]:
    with unit_of_work(request, read_only=True) as uow:
        return portfolio.ranking(uow, stage=stage)


@router.get("/prioritisation/concentration", summary="Share of expected value held by the top N; the Pareto series")
def concentration(
    request: Request,
    principal: CurrentPrincipal,
    top: Annotated[int | None, Query(description="N (default: the policy's top_n)")] = None,
    stage: Annotated[str | None, Query(max_length=64)] = None,
    currency: Annotated[str | None, Query(max_length=8, description="Default: the policy's")] = None,
) -> dict[str, Any]:
    with unit_of_work(request, read_only=True) as uow:
        return portfolio.concentration(uow, top=top, stage=stage, currency=currency)


@router.get(
    "/use-cases/{key}/timeline",
    summary="A use case's Gantt: plan vs actual per stage, gates and returns (JSON with Vega-Lite, or Mermaid)",
    responses={200: {"content": {"text/plain": {}}}},
    response_model=None,
)
def use_case_timeline(
    request: Request,
    principal: CurrentPrincipal,
    key: str,
    format: Annotated[Literal["json", "mermaid"], Query(description="mermaid: the `gantt` text")] = "json",
) -> Response | dict[str, Any]:
    with unit_of_work(request, read_only=True) as uow:
        use_case = usecases.get_or_raise(uow, key)
        if format == "mermaid":
            return PlainTextResponse(timeline.gantt_mermaid(uow, use_case))
        return timeline.timeline_dict(uow, use_case)
