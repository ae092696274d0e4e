"""Use case scorecards: every version kept, each with its scores, their rationales and the criteria
(and weights) they were scored against."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pilotgate.db.base import Base, UTCDateTime
from pilotgate.usecases.models import Person


class Scorecard(Base):
    """One scoring of a use case against its policy's prioritisation criteria, by a person."""

    __tablename__ = "scorecards"
    __table_args__ = (
        UniqueConstraint("use_case_id", "version"),
        CheckConstraint("total >= 0 AND total <= 100", name="total_in_range"),
        CheckConstraint("expected_value IS NULL OR expected_value >= 0", name="expected_value_not_negative"),
        CheckConstraint("(expected_value IS NULL) = (currency IS NULL)", name="value_has_currency"),
        CheckConstraint("scale_max > scale_min", name="scale_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_cases.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    policy_name: Mapped[str] = mapped_column(String(64))
    policy_version: Mapped[int] = mapped_column(Integer)
    scale_min: Mapped[int] = mapped_column(Integer)
    scale_max: Mapped[int] = mapped_column(Integer)
    # The criteria as scored (id, title, weight, inverse), as JSON: a later policy with other
    # weights never changes what this version said.
    criteria: Mapped[str] = mapped_column(Text)
    total: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    expected_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), nullable=True)
    currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    scored_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime())

    scorer: Mapped[Person] = relationship(lazy="joined")
    scores: Mapped[list[ScorecardScore]] = relationship(
        lazy="selectin", order_by="ScorecardScore.id", cascade="all, delete-orphan"
    )


class ScorecardScore(Base):
    """A criterion's score in one scorecard version, with the reason for it."""

    __tablename__ = "scorecard_scores"
    __table_args__ = (UniqueConstraint("scorecard_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[str] = mapped_column(String(64))
    score: Mapped[int] = mapped_column(Integer)
    rationale: Mapped[str] = mapped_column(Text, default="")
