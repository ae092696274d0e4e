"""business cases: monthly 3-year models, scenarios, driver ranges, actuals

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 04:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from pilotgate.db.base import UTCDateTime

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _use_case(table: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "use_case_id",
        sa.Integer(),
        sa.ForeignKey("use_cases.id", ondelete="CASCADE", name=f"fk_{table}_use_case_id_use_cases"),
        nullable=False,
    )


def upgrade() -> None:
    op.create_table(
        "business_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        _use_case("business_cases"),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("author", sa.String(320), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_business_cases"),
        sa.UniqueConstraint("use_case_id", "version", name="uq_business_cases_use_case_id_version"),
    )
    op.create_index("ix_business_cases_use_case_id", "business_cases", ["use_case_id"])
    op.create_table(
        "business_case_actuals",
        sa.Column("id", sa.Integer(), nullable=False),
        _use_case("business_case_actuals"),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("amount", sa.Numeric(14, 2), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("source", sa.String(120), nullable=False),
        sa.Column("recorded_by", sa.String(320), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_business_case_actuals"),
        sa.UniqueConstraint(
            "use_case_id", "month", "kind", "category", name="uq_business_case_actuals_use_case_id_month_kind_category"
        ),
        sa.CheckConstraint("amount >= 0", name="amount_not_negative"),
        sa.CheckConstraint("kind IN ('cost', 'benefit')", name="kind_known"),
    )
    op.create_index("ix_business_case_actuals_use_case_id", "business_case_actuals", ["use_case_id"])
    op.create_table(
        "business_case_indicators",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "business_case_id",
            sa.Integer(),
            sa.ForeignKey(
                "business_cases.id",
                ondelete="CASCADE",
                name="fk_business_case_indicators_business_case_id_business_cases",
            ),
            nullable=False,
        ),
        sa.Column("metric_key", sa.String(64), nullable=False),
        sa.Column("expected_value", sa.Float(), nullable=False),
        sa.Column("by_month", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_business_case_indicators"),
        sa.UniqueConstraint(
            "business_case_id",
            "metric_key",
            "by_month",
            name="uq_business_case_indicators_tie",
        ),
    )
    op.create_index("ix_business_case_indicators_business_case_id", "business_case_indicators", ["business_case_id"])


def downgrade() -> None:
    op.drop_index("ix_business_case_indicators_business_case_id", table_name="business_case_indicators")
    op.drop_table("business_case_indicators")
    op.drop_index("ix_business_case_actuals_use_case_id", table_name="business_case_actuals")
    op.drop_table("business_case_actuals")
    op.drop_index("ix_business_cases_use_case_id", table_name="business_cases")
    op.drop_table("business_cases")
