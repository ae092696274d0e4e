"""change management: change plans per use case and population, and their items

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 04:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from pilotgate.db.base import UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "change_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "use_case_id",
            sa.Integer(),
            sa.ForeignKey("use_cases.id", ondelete="CASCADE", name="fk_change_plans_use_case_id_use_cases"),
            nullable=False,
        ),
        sa.Column("population", sa.String(80), nullable=False),
        sa.Column("expansion", sa.Boolean(), nullable=False),
        sa.Column("cohort", sa.String(64), nullable=False),
        sa.Column("target_users", sa.Integer(), nullable=True),
        sa.Column(
            "owner_id", sa.Integer(), sa.ForeignKey("people.id", name="fk_change_plans_owner_id_people"), nullable=False
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(320), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_change_plans"),
        sa.UniqueConstraint("use_case_id", "population", name="uq_change_plans_use_case_id_population"),
        sa.CheckConstraint("target_users IS NULL OR target_users > 0", name="target_users_positive"),
    )
    op.create_index("ix_change_plans_use_case_id", "change_plans", ["use_case_id"])
    op.create_table(
        "change_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "plan_id",
            sa.Integer(),
            sa.ForeignKey("change_plans.id", ondelete="CASCADE", name="fk_change_items_plan_id_change_plans"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column(
            "owner_id", sa.Integer(), sa.ForeignKey("people.id", name="fk_change_items_owner_id_people"), nullable=False
        ),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("audience", sa.String(120), nullable=True),
        sa.Column("session_date", sa.Date(), nullable=True),
        sa.Column("attendance_target", sa.Integer(), nullable=True),
        sa.Column("attendance", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(320), nullable=False),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
        sa.Column(
            "completed_by_id",
            sa.Integer(),
            sa.ForeignKey("people.id", name="fk_change_items_completed_by_id_people"),
            nullable=True,
        ),
        sa.Column("completion_note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_change_items"),
        sa.CheckConstraint(
            "kind IN ('workflow_redesign', 'training', 'manager_briefing', 'communication')",
            name="kind_known",
        ),
        sa.CheckConstraint("attendance_target IS NULL OR attendance_target >= 0", name="attendance_target_counted"),
        sa.CheckConstraint("attendance IS NULL OR attendance >= 0", name="attendance_counted"),
        sa.CheckConstraint("attendance IS NULL OR completed_at IS NOT NULL", name="attendance_once_held"),
        sa.CheckConstraint(
            "kind = 'training' OR (audience IS NULL AND session_date IS NULL AND attendance_target IS NULL "
            "AND attendance IS NULL)",
            name="training_fields",
        ),
    )
    op.create_index("ix_change_items_plan_id", "change_items", ["plan_id"])


def downgrade() -> None:
    op.drop_index("ix_change_items_plan_id", table_name="change_items")
    op.drop_table("change_items")
    op.drop_index("ix_change_plans_use_case_id", table_name="change_plans")
    op.drop_table("change_plans")
