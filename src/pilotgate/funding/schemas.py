"""API schemas of production funding."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LineWrite(Strict):
    source: Literal["project", "operational"] = Field(
        description="project: the AI programme's budget; operational: a business unit's"
    )
    # A string keeps the amount exact; the service checks it is positive and to the cent.
    amount: Decimal | str = Field(description='e.g. "120000.00"')
    currency: str = Field(max_length=8, description="ISO 4217, e.g. EUR")
    cost_centre: str = Field(max_length=64)
    business_unit: str | None = Field(default=None, max_length=120, description="Default: the use case's")
    owner: str = Field(max_length=320, description="E-mail of the person accountable for the line")
    period_start: date
    period_end: date
    note: str = Field(default="", max_length=2000)


class TransitionWrite(Strict):
    line_id: int = Field(description="The approved operational budget line the use case moves to")
    effective_date: date
    note: str = Field(default="", max_length=2000)
