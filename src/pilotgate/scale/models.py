"""Expansions (a use case started from a parent in production) and their capability-reuse assessments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pilotgate.db.base import Base, UTCDateTime


class Expansion(Base):
    """The link from an expansion use case to the production use case it extends: to another
    geography, business unit or an adjacent application, with the scope in words."""

    __tablename__ = "expansions"
    __table_args__ = (
        CheckConstraint("kind IN ('geography', 'business_unit', 'adjacent_application')", name="kind_known"),
        CheckConstraint("use_case_id <> parent_id", name="not_its_own_parent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_cases.id", ondelete="CASCADE"), unique=True)
    parent_id: Mapped[int] = mapped_column(ForeignKey("use_cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(Text)
    population: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(320))

    reuse: Mapped[list[ReuseAssessment]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="ReuseAssessment.id"
    )


class ReuseAssessment(Base):
    """What an expansion does with one capability of its parent: reuses it, adapts it, or builds it new."""

    __tablename__ = "reuse_assessments"
    __table_args__ = (
        UniqueConstraint("expansion_id", "component"),
        CheckConstraint("status IN ('reused', 'adapted', 'new')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    expansion_id: Mapped[int] = mapped_column(ForeignKey("expansions.id", ondelete="CASCADE"), index=True)
    component: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    assessed_by: Mapped[str] = mapped_column(String(320))
