"""Use cases, people, role assignments and stage history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pilotgate.db.base import Base, UTCDateTime


class Person(Base):
    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class UseCase(Base):
    __tablename__ = "use_cases"
    __table_args__ = (
        Index("ix_use_cases_stage_status", "stage", "status"),
        Index("uq_use_cases_external_ref", "external_ref", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(16), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    business_unit: Mapped[str] = mapped_column(String(120), index=True)
    risk_tier: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str] = mapped_column(String(64))
    stage_entered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    policy_name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Where an imported use case came from (mapping name and a digest of its key columns).
    external_ref: Mapped[str | None] = mapped_column(String(100), nullable=True)

    tags: Mapped[list[UseCaseTag]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="UseCaseTag.tag"
    )
    # Loaded on use; a page that shows many use cases' roles asks for selectinload explicitly.
    assignments: Mapped[list[RoleAssignment]] = relationship(order_by="RoleAssignment.role")
    # Written through by bulk imports (no flush per use case); read through the service's query.
    history: Mapped[list[StageHistory]] = relationship(order_by="StageHistory.id", viewonly=False)

    @property
    def tag_names(self) -> list[str]:
        return [t.tag for t in self.tags]


class UseCaseTag(Base):
    __tablename__ = "use_case_tags"
    __table_args__ = (UniqueConstraint("use_case_id", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_cases.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(64), index=True)


class RoleAssignment(Base):
    """The named person who holds a role on a use case: the only source of the right to sign."""

    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("use_case_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_cases.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())

    person: Mapped[Person] = relationship(lazy="joined")


class StageHistory(Base):
    __tablename__ = "stage_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_cases.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(64))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime())
    left_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"), nullable=True)
    reason: Mapped[str] = mapped_column(String(200))
