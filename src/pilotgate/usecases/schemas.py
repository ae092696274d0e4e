"""API schemas of the registry; unknown fields are refused (no mass assignment)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Tag = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PersonCreate(Strict):
    email: str = Field(max_length=320, examples=["aisha.khan@example.org"])
    name: str = Field(min_length=1, max_length=200)


class UseCaseCreate(Strict):
    title: str = Field(min_length=1, max_length=200)
    business_unit: str = Field(min_length=1, max_length=120)
    risk_tier: str | None = Field(default=None, max_length=32)
    description: str = Field(default="", max_length=10_000)
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    policy: str | None = Field(default=None, max_length=64)


class UseCaseUpdate(Strict):
    """Descriptive fields only: a use case's stage changes only through a gate decision."""

    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)
    business_unit: str | None = Field(default=None, min_length=1, max_length=120)
    risk_tier: str | None = Field(default=None, max_length=32)
    tags: list[Tag] | None = Field(default=None, max_length=20)


class RoleAssign(Strict):
    email: str = Field(max_length=320)
