"""Budget lines of a use case and its explicit transitions from project to operational funding."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pilotgate.db.base import Base, UTCDateTime
from pilotgate.usecases.models import Person


class BudgetLine(Base):
    """Money for a use case over a period: from the AI programme's project budget or a business
    unit's operational budget; proposed until a named role approves it."""

    __tablename__ = "budget_lines"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("period_end >= period_start", name="period_ordered"),
        CheckConstraint("source IN ('project', 'operational')", name="source_known"),
        CheckConstraint("status IN ('proposed', 'approved')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_cases.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(16))
    owner_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    business_unit: Mapped[str] = mapped_column(String(120))
    cost_centre: Mapped[str] = mapped_column(String(64))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    currency: Mapped[str] = mapped_column(String(3))
    period_start: Mapped[date] = mapped_column(Date())
    period_end: Mapped[date] = mapped_column(Date())
    status: Mapped[str] = mapped_column(String(16))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(320))

    owner: Mapped[Person] = relationship(foreign_keys=[owner_id], lazy="joined")
    approver: Mapped[Person | None] = relationship(foreign_keys=[approved_by_id], lazy="joined")


class FundingTransition(Base):
    """The approved move of a use case from project to operational funding: it names the business
    unit that owns the system from then on, its cost centre, and the approved line it moves to."""

    __tablename__ = "funding_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_cases.id", ondelete="CASCADE"), index=True)
    from_source: Mapped[str] = mapped_column(String(16), default="project")
    to_source: Mapped[str] = mapped_column(String(16), default="operational")
    business_unit: Mapped[str] = mapped_column(String(120))
    cost_centre: Mapped[str] = mapped_column(String(64))
    effective_date: Mapped[date] = mapped_column(Date())
    approved_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    approved_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # One transition per line: moving to the same approved line twice is refused.
    budget_line_id: Mapped[int] = mapped_column(ForeignKey("budget_lines.id", ondelete="CASCADE"), unique=True)
    note: Mapped[str] = mapped_column(Text, default="")

    approver: Mapped[Person] = relationship(lazy="joined")
