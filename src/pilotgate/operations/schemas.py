"""API schemas of AI operations. Dates and moments are ISO 8601 strings the service parses, so a bad
one is answered with the same message the CLI gives."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TeamWrite(Strict):
    name: str = Field(max_length=120)
    kind: str = Field(max_length=32, description="ai_programme, business_unit or ai_ops")
    lead: str = Field(max_length=320, description="E-mail of the team lead (a registered person)")
    business_unit: str | None = Field(default=None, max_length=120, description="Default: the use case's")
    members: list[str] = Field(default_factory=list, max_length=200, description="E-mails of the members")


class OnCallWrite(Strict):
    person: str = Field(max_length=320)
    level: int = Field(default=1, description="Escalation order: 1 answers first")
    starts_on: str | None = Field(default=None, max_length=32, description="Default: today")
    ends_on: str | None = Field(default=None, max_length=32, description="Default: open-ended")


class RunbookWrite(Strict):
    artifact_id: int | None = Field(default=None, description="An artifact attached at one of the use case's gates")
    url: str | None = Field(default=None, max_length=2000)
    last_reviewed: str | None = Field(default=None, max_length=32)


class MonitoringWrite(Strict):
    description: str = Field(max_length=4000)
    alerting: bool = False
    automated: bool = False
    connector_id: int | None = Field(default=None, description="One of the use case's evidence connectors")


class IncidentWrite(Strict):
    severity: str = Field(max_length=8, description="sev1 (worst) to sev4")
    title: str = Field(max_length=200)
    handled_by: str = Field(max_length=320)
    opened_at: str | None = Field(default=None, max_length=40, description="Default: now")
    team: str | None = Field(
        default=None, max_length=32, description="owning_team or ai_programme; default: from membership"
    )


class ResolveWrite(Strict):
    resolved_at: str | None = Field(default=None, max_length=40, description="Default: now")
    resolution: str = Field(default="", max_length=4000)


class DrillWrite(Strict):
    scenario: str = Field(max_length=2000)
    outcome: str = Field(max_length=16, description="passed or failed")
    participants: list[str] = Field(max_length=200)
    held_on: str | None = Field(default=None, max_length=32, description="Default: today")
    note: str = Field(default="", max_length=2000)


class CadenceWrite(Strict):
    days: int


class RetrainingWrite(Strict):
    retrained_on: str | None = Field(default=None, max_length=32, description="Default: today")
    automated: bool = False
    note: str = Field(default="", max_length=2000)


class DriftWrite(Strict):
    text: str = Field(max_length=4000)
    noted_on: str | None = Field(default=None, max_length=32, description="Default: today")


class CheckWrite(Strict):
    status: str = Field(max_length=16, description="not_done, manual or automated")
    note: str = Field(default="", max_length=2000)
