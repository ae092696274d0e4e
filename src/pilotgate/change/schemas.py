"""API schemas of change management."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# Counts are checked by the service (not negative, a population of at least one) so that a bad
# value gets the same sentence from the API, the CLI and the pages.
class PlanWrite(Strict):
    population: str = Field(max_length=80, description='The users it reaches, e.g. "pilot", "full", "EMEA sales"')
    owner: str = Field(max_length=320, description="E-mail of the person who owns the change for this population")
    target_users: int | None = Field(default=None, description="How many users the population holds")
    cohort: str | None = Field(default=None, max_length=64, description="Adoption cohort; default: the population")
    expansion: bool = Field(default=False, description="An additional population at Scale (not judged at Gate 3)")
    note: str = Field(default="", max_length=2000)


class ItemWrite(Strict):
    population: str = Field(max_length=80, description="The plan the item belongs to")
    kind: Literal["workflow_redesign", "training", "manager_briefing", "communication"]
    title: str = Field(max_length=200)
    owner: str = Field(max_length=320, description="E-mail of the person who delivers it")
    due_date: date | None = None
    audience: str | None = Field(default=None, max_length=120, description="Training only; default: the population")
    session_date: date | None = Field(default=None, description="Training only; default: the due date")
    attendance_target: int | None = Field(default=None, description="Training only: people expected")
    note: str = Field(default="", max_length=2000)


class ItemComplete(Strict):
    attendance: int | None = Field(default=None, description="Training only (required): people who attended")
    note: str = Field(default="", max_length=2000)
