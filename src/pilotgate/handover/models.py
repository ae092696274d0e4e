"""Handovers of a use case's operations to a receiving team, and their checklist items."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pilotgate.db.base import Base, UTCDateTime
from pilotgate.usecases.models import Person


class Handover(Base):
    """Operations of a use case moving from the AI programme to a receiving team: proposed by the
    program lead, accepted by the business-unit head once every checklist item is done."""

    __tablename__ = "handovers"
    __table_args__ = (CheckConstraint("status IN ('proposed', 'accepted')", name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_cases.id", ondelete="CASCADE"), index=True)
    team: Mapped[str] = mapped_column(String(120))
    business_unit: Mapped[str] = mapped_column(String(120))
    ops_owner_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    proposed_by: Mapped[str] = mapped_column(String(320))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), nullable=True)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The operations ownership transfer document, generated on acceptance (Markdown).
    document: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The gate review it was last attached to, as the artifact operations_ownership_transfer.
    attached_review_id: Mapped[int | None] = mapped_column(ForeignKey("reviews.id"), nullable=True)
    attached_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    ops_owner: Mapped[Person] = relationship(foreign_keys=[ops_owner_id], lazy="joined")
    acceptor: Mapped[Person | None] = relationship(foreign_keys=[accepted_by_id], lazy="joined")
    items: Mapped[list[HandoverItem]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="HandoverItem.id"
    )


class HandoverItem(Base):
    """One thing handed over (runbook, monitoring, on-call, …), done or not."""

    __tablename__ = "handover_items"
    __table_args__ = (UniqueConstraint("handover_id", "item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    handover_id: Mapped[int] = mapped_column(ForeignKey("handovers.id", ondelete="CASCADE"), index=True)
    item: Mapped[str] = mapped_column(String(32))
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_by: Mapped[str | None] = mapped_column(String(320), nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
