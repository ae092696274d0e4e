"""The operations records of a use case. Settings that change (team, runbook, monitoring, cadence,
readiness marks) are kept as dated rows, never overwritten: the newest known at a moment counts,
so a past gate is judged on what was recorded by then."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pilotgate.db.base import Base, UTCDateTime
from pilotgate.usecases.models import Person

USE_CASE = "use_cases.id"


class OpsTeam(Base):
    """The team that owns and operates a use case's system from `recorded_at` on."""

    __tablename__ = "ops_teams"
    __table_args__ = (CheckConstraint("kind IN ('ai_programme', 'business_unit', 'ai_ops')", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey(USE_CASE, ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    business_unit: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(16))
    lead_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(320))

    lead: Mapped[Person] = relationship(lazy="joined")
    members: Mapped[list[OpsTeamMember]] = relationship(lazy="selectin", order_by="OpsTeamMember.id")


class OpsTeamMember(Base):
    __tablename__ = "ops_team_members"
    __table_args__ = (UniqueConstraint("team_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("ops_teams.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))

    person: Mapped[Person] = relationship(lazy="joined")


class OpsOnCall(Base):
    """One person on the on-call rotation over a period, at an escalation level (1 answers first)."""

    __tablename__ = "ops_oncall"
    __table_args__ = (
        CheckConstraint("level >= 1", name="level_positive"),
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="period_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey(USE_CASE, ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    level: Mapped[int] = mapped_column(Integer)
    starts_on: Mapped[date] = mapped_column(Date())
    ends_on: Mapped[date | None] = mapped_column(Date(), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(320))

    person: Mapped[Person] = relationship(lazy="joined")


class OpsRunbook(Base):
    """Where the runbook is: a gate artifact attached to one of the use case's reviews, or a URL."""

    __tablename__ = "ops_runbooks"
    __table_args__ = (CheckConstraint("artifact_id IS NOT NULL OR url IS NOT NULL", name="somewhere"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey(USE_CASE, ondelete="CASCADE"), index=True)
    artifact_id: Mapped[int | None] = mapped_column(ForeignKey("artifacts.id"), nullable=True)
    url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    last_reviewed: Mapped[date | None] = mapped_column(Date(), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(320))


class OpsMonitoring(Base):
    """How the system is monitored: alerting or not, automated or by hand, optionally fed by a connector."""

    __tablename__ = "ops_monitoring"

    id: Mapped[int] = mapped_column(primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey(USE_CASE, ondelete="CASCADE"), index=True)
    description: Mapped[str] = mapped_column(Text)
    alerting: Mapped[bool] = mapped_column(Boolean)
    automated: Mapped[bool] = mapped_column(Boolean)
    connector_id: Mapped[int | None] = mapped_column(ForeignKey("connectors.id", ondelete="SET NULL"), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(320))


class OpsIncident(Base):
    __tablename__ = "ops_incidents"
    __table_args__ = (
        CheckConstraint("severity IN ('sev1', 'sev2', 'sev3', 'sev4')", name="severity_known"),
        CheckConstraint("handled_by_team IN ('owning_team', 'ai_programme')", name="team_known"),
        CheckConstraint("resolved_at IS NULL OR resolved_at >= opened_at", name="resolved_after_opened"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey(USE_CASE, ondelete="CASCADE"), index=True)
    severity: Mapped[str] = mapped_column(String(8))
    title: Mapped[str] = mapped_column(String(200))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    handled_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    handled_by_team: Mapped[str] = mapped_column(String(16))
    team_name: Mapped[str] = mapped_column(String(120))  # the owning team's name when it was opened
    resolution: Mapped[str] = mapped_column(Text, default="")
    resolved_by: Mapped[str | None] = mapped_column(String(320), nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(320))

    handled_by: Mapped[Person] = relationship(lazy="joined")


class OpsDrill(Base):
    """An incident-response drill: a rehearsed failure and whether the response worked."""

    __tablename__ = "ops_drills"
    __table_args__ = (CheckConstraint("outcome IN ('passed', 'failed')", name="outcome_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey(USE_CASE, ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date())
    scenario: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(8))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(320))

    participants: Mapped[list[OpsDrillParticipant]] = relationship(lazy="selectin", order_by="OpsDrillParticipant.id")


class OpsDrillParticipant(Base):
    __tablename__ = "ops_drill_participants"
    __table_args__ = (UniqueConstraint("drill_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    drill_id: Mapped[int] = mapped_column(ForeignKey("ops_drills.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))

    person: Mapped[Person] = relationship(lazy="joined")


class OpsRetrainCadence(Base):
    __tablename__ = "ops_retrain_cadences"
    __table_args__ = (CheckConstraint("days BETWEEN 1 AND 3650", name="days_in_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey(USE_CASE, ondelete="CASCADE"), index=True)
    days: Mapped[int] = mapped_column(Integer)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(320))


class OpsRetraining(Base):
    __tablename__ = "ops_retrainings"

    id: Mapped[int] = mapped_column(primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey(USE_CASE, ondelete="CASCADE"), index=True)
    retrained_on: Mapped[date] = mapped_column(Date())
    automated: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(320))


class OpsDriftNote(Base):
    __tablename__ = "ops_drift_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey(USE_CASE, ondelete="CASCADE"), index=True)
    noted_on: Mapped[date] = mapped_column(Date())
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    author: Mapped[Person] = relationship(lazy="joined")


class OpsReadinessMark(Base):
    """One readiness (ML Test Score) check marked not_done, manual or automated; the newest counts."""

    __tablename__ = "ops_readiness_marks"
    __table_args__ = (
        CheckConstraint("status IN ('not_done', 'manual', 'automated')", name="status_known"),
        Index("ix_ops_readiness_marks_use_case_check", "use_case_id", "check_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey(USE_CASE, ondelete="CASCADE"))
    check_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(320))
