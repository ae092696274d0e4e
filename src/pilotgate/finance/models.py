"""Business cases of use cases (every version kept), their recorded actuals, and the indicators tied to them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Date, Float, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pilotgate.db.base import Base, UTCDateTime


class BusinessCase(Base):
    """One version of a use case's business case: the validated spec, with every default spelled out."""

    __tablename__ = "business_cases"
    __table_args__ = (UniqueConstraint("use_case_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_cases.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class BusinessCaseActual(Base):
    """A cost paid or a benefit realised in one calendar month; recording it again replaces the amount."""

    __tablename__ = "business_case_actuals"
    __table_args__ = (
        UniqueConstraint("use_case_id", "month", "kind", "category"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("kind IN ('cost', 'benefit')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_cases.id", ondelete="CASCADE"), index=True)
    month: Mapped[date] = mapped_column(Date())  # the first day of the month
    kind: Mapped[str] = mapped_column(String(8))
    category: Mapped[str] = mapped_column(String(64))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(120))
    recorded_by: Mapped[str] = mapped_column(String(320))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class IndicatorTie(Base):
    """A metric of the evidence layer the case says should reach a value by a month of the case."""

    __tablename__ = "business_case_indicators"
    __table_args__ = (
        UniqueConstraint("business_case_id", "metric_key", "by_month", name="uq_business_case_indicators_tie"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    business_case_id: Mapped[int] = mapped_column(ForeignKey("business_cases.id", ondelete="CASCADE"), index=True)
    metric_key: Mapped[str] = mapped_column(String(64))
    expected_value: Mapped[float] = mapped_column(Float)
    by_month: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
