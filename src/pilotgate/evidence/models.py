"""Metric definitions, their measured points, service-level objectives and connectors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from pilotgate.db.base import Base, UTCDateTime


class MetricDefinition(Base):
    """What a use case measures: a key, its unit, kind, direction, baseline, target and cadence."""

    __tablename__ = "metric_definitions"
    __table_args__ = (
        UniqueConstraint("use_case_id", "key"),
        Index("ix_metric_definitions_key", "key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_cases.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(8))
    baseline: Mapped[float | None] = mapped_column(Float, nullable=True)
    target: Mapped[float | None] = mapped_column(Float, nullable=True)
    # Expected reporting cadence; None means the series is never judged stale (e.g. a model run).
    cadence_seconds: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # The newest point's time in ms since the epoch, kept by ingestion so staleness needs no scan.
    last_point_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MetricPoint(Base):
    """One measured value. Sending the same (metric, cohort, time) again replaces it."""

    __tablename__ = "metric_points"
    __table_args__ = ({"sqlite_with_rowid": False},)

    metric_id: Mapped[int] = mapped_column(ForeignKey("metric_definitions.id", ondelete="CASCADE"), primary_key=True)
    cohort: Mapped[str] = mapped_column(String(64), primary_key=True, default="")
    ts_ms: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    segment: Mapped[str] = mapped_column(String(64), default="")


class ServiceLevelObjective(Base):
    """A use case's own SLO; a missing value falls back to the policy's default."""

    __tablename__ = "service_level_objectives"

    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_cases.id", ondelete="CASCADE"), primary_key=True)
    uptime_pct: Mapped[float | None] = mapped_column(Float, nullable=True)
    latency_p95_ms: Mapped[float | None] = mapped_column(Float, nullable=True)
    error_rate_pct: Mapped[float | None] = mapped_column(Float, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(320))


class ConnectorConfigRow(Base):
    """A connector configured on a use case, with where its last pull got to."""

    __tablename__ = "connectors"

    id: Mapped[int] = mapped_column(primary_key=True)
    use_case_id: Mapped[int] = mapped_column(ForeignKey("use_cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    config: Mapped[str] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    pulled_until_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_status: Mapped[str] = mapped_column(String(16), default="never")
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(320))
