"""API schemas of handovers."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HandoverWrite(Strict):
    team: str = Field(max_length=120, description="The receiving team, e.g. Finance Systems Operations")
    ops_owner: str = Field(max_length=320, description="E-mail of the receiving team's operations owner")
    business_unit: str | None = Field(default=None, max_length=120, description="Default: the use case's")
    note: str = Field(default="", max_length=2000)


class ItemWrite(Strict):
    done: bool = Field(default=True, description="false un-ticks the item")
    note: str | None = Field(default=None, max_length=2000, description="Where it is, e.g. a runbook link")
