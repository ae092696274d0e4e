"""funding: budget lines per use case and approved project-to-operational transitions

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 01:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from pilotgate.db.base import UTCDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "budget_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "use_case_id",
            sa.Integer(),
            sa.ForeignKey("use_cases.id", ondelete="CASCADE", name="fk_budget_lines_use_case_id_use_cases"),
            nullable=False,
        ),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column(
            "owner_id", sa.Integer(), sa.ForeignKey("people.id", name="fk_budget_lines_owner_id_people"), nullable=False
        ),
        sa.Column("business_unit", sa.String(120), nullable=False),
        sa.Column("cost_centre", sa.String(64), nullable=False),
        sa.Column("amount", sa.Numeric(14, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column(
            "approved_by_id",
            sa.Integer(),
            sa.ForeignKey("people.id", name="fk_budget_lines_approved_by_id_people"),
            nullable=True,
        ),
        sa.Column("approved_at", UTCDateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(320), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_budget_lines"),
        sa.CheckConstraint("amount > 0", name="ck_budget_lines_amount_positive"),
        sa.CheckConstraint("period_end >= period_start", name="ck_budget_lines_period_ordered"),
        sa.CheckConstraint("source IN ('project', 'operational')", name="ck_budget_lines_source_known"),
        sa.CheckConstraint("status IN ('proposed', 'approved')", name="ck_budget_lines_status_known"),
    )
    op.create_index("ix_budget_lines_use_case_id", "budget_lines", ["use_case_id"])
    op.create_table(
        "funding_transitions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "use_case_id",
            sa.Integer(),
            sa.ForeignKey("use_cases.id", ondelete="CASCADE", name="fk_funding_transitions_use_case_id_use_cases"),
            nullable=False,
        ),
        sa.Column("from_source", sa.String(16), nullable=False),
        sa.Column("to_source", sa.String(16), nullable=False),
        sa.Column("business_unit", sa.String(120), nullable=False),
        sa.Column("cost_centre", sa.String(64), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column(
            "approved_by_id",
            sa.Integer(),
            sa.ForeignKey("people.id", name="fk_funding_transitions_approved_by_id_people"),
            nullable=False,
        ),
        sa.Column("approved_at", UTCDateTime(), nullable=False),
        sa.Column(
            "budget_line_id",
            sa.Integer(),
            sa.ForeignKey(
                "budget_lines.id", ondelete="CASCADE", name="fk_funding_transitions_budget_line_id_budget_lines"
            ),
            nullable=False,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_funding_transitions"),
        sa.UniqueConstraint("budget_line_id", name="uq_funding_transitions_budget_line_id"),
    )
    op.create_index("ix_funding_transitions_use_case_id", "funding_transitions", ["use_case_id"])


def downgrade() -> None:
    op.drop_index("ix_funding_transitions_use_case_id", table_name="funding_transitions")
    op.drop_table("funding_transitions")
    op.drop_index("ix_budget_lines_use_case_id", table_name="budget_lines")
    op.drop_table("budget_lines")
