"""evidence: metric definitions and points, service-level objectives, connectors

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from pilotgate.db.base import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "metric_definitions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "use_case_id",
            sa.Integer(),
            sa.ForeignKey("use_cases.id", ondelete="CASCADE", name="fk_metric_definitions_use_case_id_use_cases"),
            nullable=False,
        ),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("unit", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("baseline", sa.Float(), nullable=True),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("cadence_seconds", sa.BigInteger(), nullable=True),
        sa.Column("last_point_ms", sa.BigInteger(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_metric_definitions"),
        sa.UniqueConstraint("use_case_id", "key", name="uq_metric_definitions_use_case_id_key"),
    )
    op.create_index("ix_metric_definitions_key", "metric_definitions", ["key"])
    # Clustered on its key on SQLite (WITHOUT ROWID): a window of one series is one range scan.
    op.create_table(
        "metric_points",
        sa.Column(
            "metric_id",
            sa.Integer(),
            sa.ForeignKey(
                "metric_definitions.id", ondelete="CASCADE", name="fk_metric_points_metric_id_metric_definitions"
            ),
            nullable=False,
        ),
        sa.Column("cohort", sa.String(64), nullable=False),
        sa.Column("ts_ms", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("segment", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("metric_id", "cohort", "ts_ms", name="pk_metric_points"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "service_level_objectives",
        sa.Column(
            "use_case_id",
            sa.Integer(),
            sa.ForeignKey("use_cases.id", ondelete="CASCADE", name="fk_service_level_objectives_use_case_id_use_cases"),
            nullable=False,
        ),
        sa.Column("uptime_pct", sa.Float(), nullable=True),
        sa.Column("latency_p95_ms", sa.Float(), nullable=True),
        sa.Column("error_rate_pct", sa.Float(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(320), nullable=False),
        sa.PrimaryKeyConstraint("use_case_id", name="pk_service_level_objectives"),
    )
    op.create_table(
        "connectors",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "use_case_id",
            sa.Integer(),
            sa.ForeignKey("use_cases.id", ondelete="CASCADE", name="fk_connectors_use_case_id_use_cases"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("config", sa.Text(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("pulled_until_ms", sa.BigInteger(), nullable=True),
        sa.Column("last_run_at", UTCDateTime(), nullable=True),
        sa.Column("last_status", sa.String(16), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(320), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_connectors"),
    )
    op.create_index("ix_connectors_use_case_id", "connectors", ["use_case_id"])


def downgrade() -> None:
    op.drop_index("ix_connectors_use_case_id", table_name="connectors")
    op.drop_table("connectors")
    op.drop_table("service_level_objectives")
    op.drop_table("metric_points")
    op.drop_index("ix_metric_definitions_key", table_name="metric_definitions")
    op.drop_table("metric_definitions")
