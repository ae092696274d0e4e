"""Change plans of a use case, one per user population, and their items."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pilotgate.db.base import Base, UTCDateTime
from pilotgate.usecases.models import Person


class ChangePlan(Base):
    """How one population of users is brought to work with the system: who owns the change, how
    many users it reaches, and which adoption cohort of the evidence layer measures it."""

    __tablename__ = "change_plans"
    __table_args__ = (
        UniqueConstraint("use_case_id", "population"),
        CheckConstraint("target_users IS NULL OR target_users > 0", name="target_users_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_cases.id", ondelete="CASCADE"), index=True)
    population: Mapped[str] = mapped_column(String(80))
    expansion: Mapped[bool] = mapped_column(Boolean(), default=False)
    cohort: Mapped[str] = mapped_column(String(64))
    target_users: Mapped[int | None] = mapped_column(Integer(), nullable=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(320))

    owner: Mapped[Person] = relationship(lazy="joined")
    items: Mapped[list[ChangeItem]] = relationship(
        back_populates="plan", order_by="ChangeItem.id", lazy="selectin", cascade="all, delete-orphan"
    )


class ChangeItem(Base):
    """One deliverable of a change plan: a workflow redesign, a training session, a manager
    briefing or a communication, owned by a named person; complete once done (a training session
    once held, with its attendance)."""

    __tablename__ = "change_items"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('workflow_redesign', 'training', 'manager_briefing', 'communication')", name="kind_known"
        ),
        CheckConstraint("attendance_target IS NULL OR attendance_target >= 0", name="attendance_target_counted"),
        CheckConstraint("attendance IS NULL OR attendance >= 0", name="attendance_counted"),
        CheckConstraint("attendance IS NULL OR completed_at IS NOT NULL", name="attendance_once_held"),
        CheckConstraint(
            "kind = 'training' OR (audience IS NULL AND session_date IS NULL AND attendance_target IS NULL "
            "AND attendance IS NULL)",
            name="training_fields",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("change_plans.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    due_date: Mapped[date | None] = mapped_column(Date(), nullable=True)
    audience: Mapped[str | None] = mapped_column(String(120), nullable=True)
    session_date: Mapped[date | None] = mapped_column(Date(), nullable=True)
    attendance_target: Mapped[int | None] = mapped_column(Integer(), nullable=True)
    attendance: Mapped[int | None] = mapped_column(Integer(), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(320))
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    completion_note: Mapped[str] = mapped_column(Text, default="")

    plan: Mapped[ChangePlan] = relationship(back_populates="items")
    owner: Mapped[Person] = relationship(foreign_keys=[owner_id], lazy="joined")
    completer: Mapped[Person | None] = relationship(foreign_keys=[completed_by_id], lazy="joined")
