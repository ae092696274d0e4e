"""API schemas of expansions and reuse assessments."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ExpansionWrite(Strict):
    title: str = Field(max_length=200, description="The expansion's own title, e.g. Invoice triage — Nordics")
    kind: str = Field(max_length=32, description="geography, business_unit or adjacent_application")
    scope: str = Field(max_length=2000, description="What the expansion covers, in words")
    population: str | None = Field(default=None, max_length=80, description="The users it reaches (change plan)")
    business_unit: str | None = Field(default=None, max_length=120, description="Default: the parent's")


class ReuseWrite(Strict):
    status: str = Field(max_length=16, description="reused, adapted or new")
    note: str = Field(default="", max_length=2000)
