"""API schemas of business cases."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CaseWrite(Strict):
    # The case is validated field by field by the finance validation, so every error names its path.
    case: dict[str, Any] = Field(description="The business case, as `pilotgate case template` lays it out")
    note: str = Field(default="", max_length=2000, description="What changed, or where the case was agreed")


class ActualWrite(Strict):
    month: str = Field(max_length=10, description="The calendar month, e.g. 2026-03")
    kind: str = Field(max_length=8, description="cost or benefit")
    category: str = Field(max_length=64, description="e.g. pilot, maintenance, savings")
    # A string keeps the amount exact; the service checks it is not negative and to the cent.
    amount: Decimal | str | None = Field(default=None, description='e.g. "12500.00"')
    note: str = Field(default="", max_length=2000)


class ActualsWrite(BaseModel):
    # Items are validated row by row so every error carries its row number.
    actuals: list[Any] = Field(max_length=50_000)
