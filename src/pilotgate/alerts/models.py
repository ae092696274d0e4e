"""Alert deliveries: what was sent to whom, so an unchanged digest is not sent twice a day."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pilotgate.db.base import Base, UTCDateTime


class AlertDelivery(Base):
    __tablename__ = "alert_deliveries"
    __table_args__ = (Index("ix_alert_deliveries_channel_sent_at", "channel", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(400))  # "email:ADDRESS" or "webhook:HOST/PATH"
    fingerprint: Mapped[str] = mapped_column(String(64))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16))  # sent or failed
    error: Mapped[str] = mapped_column(Text, default="")
