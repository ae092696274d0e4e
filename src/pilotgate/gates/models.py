"""Gate reviews and everything recorded in them."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pilotgate.db.base import Base, UTCDateTime
from pilotgate.policy.models import PolicyVersion
from pilotgate.usecases.models import Person, UseCase


class Review(Base):
    __tablename__ = "reviews"
    __table_args__ = (
        # At most one open review per use case, enforced by the database itself.
        Index(
            "uq_reviews_one_open",
            "use_case_id",
            unique=True,
            sqlite_where=text("state = 'open'"),
            postgresql_where=text("state = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_cases.id", ondelete="CASCADE"), index=True)
    gate_number: Mapped[int] = mapped_column(Integer)
    from_stage: Mapped[str] = mapped_column(String(64))
    to_stage: Mapped[str] = mapped_column(String(64))
    policy_version_id: Mapped[int] = mapped_column(ForeignKey("policy_versions.id"))
    state: Mapped[str] = mapped_column(String(16))  # open | decided
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    use_case: Mapped[UseCase] = relationship(lazy="joined")
    policy_version: Mapped[PolicyVersion] = relationship(lazy="joined")
    opened_by: Mapped[Person] = relationship(lazy="joined")


class Assessment(Base):
    __tablename__ = "assessments"
    __table_args__ = (UniqueConstraint("review_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    criterion_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    justification: Mapped[str] = mapped_column(Text)
    evidence_links: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of URLs
    waiver_expires: Mapped[date | None] = mapped_column(Date, nullable=True)
    assessed_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    assessed_at: Mapped[datetime] = mapped_column(UTCDateTime())

    assessed_by: Mapped[Person] = relationship(lazy="joined")


class Artifact(Base):
    """One version of a gate artifact: a stored file (by SHA-256) or a URL."""

    __tablename__ = "artifacts"
    __table_args__ = (UniqueConstraint("review_id", "artifact_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), index=True)
    artifact_id: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    filename: Mapped[str | None] = mapped_column(String(255), nullable=True)
    media_type: Mapped[str | None] = mapped_column(String(100), nullable=True)
    url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())

    uploaded_by: Mapped[Person] = relationship(lazy="joined")


class Vote(Base):
    __tablename__ = "votes"
    __table_args__ = (
        UniqueConstraint("review_id", "role"),
        # Set to the voter when the policy wants distinct people per role; NULLs never collide.
        UniqueConstraint("review_id", "exclusive_person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    exclusive_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    choice: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(Text, default="")
    evidence_digest: Mapped[str] = mapped_column(String(64))
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime())

    person: Mapped[Person] = relationship(lazy="joined", foreign_keys=[person_id])


class Decision(Base):
    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    from_stage: Mapped[str] = mapped_column(String(64))
    to_stage: Mapped[str] = mapped_column(String(64))
    resulting_status: Mapped[str] = mapped_column(String(16))
    rationale: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    snapshot: Mapped[str] = mapped_column(Text)  # canonical JSON of the evidence at decision time
    snapshot_sha256: Mapped[str] = mapped_column(String(64))

    decided_by: Mapped[Person] = relationship(lazy="joined")
    review: Mapped[Review] = relationship(lazy="joined")
    conditions: Mapped[list[Condition]] = relationship(lazy="selectin", order_by="Condition.id")


class Condition(Base):
    """A condition of a conditional go: owned by a person, due by a date."""

    __tablename__ = "conditions"

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decisions.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")

    owner: Mapped[Person] = relationship(lazy="joined")
