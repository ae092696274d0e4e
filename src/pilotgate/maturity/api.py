"""REST API of organisational readiness: the questionnaire, assessments and their history."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from pilotgate.maturity import questionnaire, service
from pilotgate.web.auth import CurrentPrincipal, unit_of_work

router = APIRouter(tags=["maturity"])


class AssessmentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Checked by the service, so that every problem names its question id the same way everywhere.
    answers: dict[str, Any] = Field(
        max_length=200, description="Every question id of the questionnaire → a whole number 0–4"
    )


@router.get("/maturity/questions", summary="The readiness questionnaire: capabilities, questions and answer anchors")
def get_questions(principal: CurrentPrincipal) -> dict[str, Any]:
    return questionnaire.as_dict()


@router.post("/maturity/assessments", status_code=201, summary="Record an assessment, scored with the data now")
def create_assessment(request: Request, principal: CurrentPrincipal, body: AssessmentCreate) -> dict[str, Any]:
    principal.require("maturity.assess", "record readiness assessments")
    with unit_of_work(request) as uow:
        return service.view(service.create(uow, answers=body.answers, actor=principal.email))


@router.get("/maturity/assessments", summary="Every assessment, oldest first: level and capability scores")
def list_assessments(request: Request, principal: CurrentPrincipal) -> list[dict[str, Any]]:
    with unit_of_work(request, read_only=True) as uow:
        return [service.summary(row) for row in service.history(uow)]


@router.get("/maturity/latest", summary="The latest assessment with its signals and the gaps to close")
def latest_assessment(request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    with unit_of_work(request, read_only=True) as uow:
        return service.view(service.latest_or_raise(uow))
