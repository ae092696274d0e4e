"""API schemas of gate reviews."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AssessmentWrite(Strict):
    status: Literal["met", "not_met", "waived"]
    note: str = Field(min_length=1, max_length=5000, description="Justification")
    expires: date | None = Field(default=None, description="Expiry date of a waiver")
    evidence: list[str] = Field(default_factory=list, max_length=20, description="Links to supporting evidence")


class VoteWrite(Strict):
    choice: Literal["approve", "reject", "abstain"]
    role: str | None = Field(default=None, max_length=64, description="The approver role, if you hold several")
    comment: str = Field(default="", max_length=5000)


class ConditionWrite(Strict):
    text: str = Field(min_length=1, max_length=1000)
    owner: str = Field(max_length=320, description="E-mail of the person who owns the condition")
    due: date


class DecisionWrite(Strict):
    decision: Literal["go", "conditional_go", "hold", "recycle", "stop"]
    to_stage: str | None = Field(default=None, max_length=64, description="For recycle: the stage to return to")
    conditions: list[ConditionWrite] = Field(default_factory=list, max_length=50)
    rationale: str = Field(default="", max_length=5000)


class ArtifactLink(Strict):
    url: str = Field(max_length=2000)
