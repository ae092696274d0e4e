"""prioritisation: use case scorecards

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-28 04:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from pilotgate.db.base import UTCDateTime

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scorecards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "use_case_id",
            sa.Integer(),
            sa.ForeignKey("use_cases.id", ondelete="CASCADE", name="fk_scorecards_use_case_id_use_cases"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("policy_name", sa.String(64), nullable=False),
        sa.Column("policy_version", sa.Integer(), nullable=False),
        sa.Column("scale_min", sa.Integer(), nullable=False),
        sa.Column("scale_max", sa.Integer(), nullable=False),
        sa.Column("criteria", sa.Text(), nullable=False),
        sa.Column("total", sa.Numeric(5, 2), nullable=False),
        sa.Column("expected_value", sa.Numeric(14, 2), nullable=True),
        sa.Column("currency", sa.String(3), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column(
            "scored_by_id",
            sa.Integer(),
            sa.ForeignKey("people.id", name="fk_scorecards_scored_by_id_people"),
            nullable=False,
        ),
        sa.Column("scored_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_scorecards"),
        sa.UniqueConstraint("use_case_id", "version", name="uq_scorecards_use_case_id"),
        sa.CheckConstraint("total >= 0 AND total <= 100", name="ck_scorecards_total_in_range"),
        sa.CheckConstraint(
            "expected_value IS NULL OR expected_value >= 0", name="ck_scorecards_expected_value_not_negative"
        ),
        sa.CheckConstraint("(expected_value IS NULL) = (currency IS NULL)", name="ck_scorecards_value_has_currency"),
        sa.CheckConstraint("scale_max > scale_min", name="ck_scorecards_scale_ordered"),
    )
    op.create_index("ix_scorecards_use_case_id", "scorecards", ["use_case_id"])
    op.create_table(
        "scorecard_scores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "scorecard_id",
            sa.Integer(),
            sa.ForeignKey("scorecards.id", ondelete="CASCADE", name="fk_scorecard_scores_scorecard_id_scorecards"),
            nullable=False,
        ),
        sa.Column("criterion_id", sa.String(64), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_scorecard_scores"),
        sa.UniqueConstraint("scorecard_id", "criterion_id", name="uq_scorecard_scores_scorecard_id"),
    )
    op.create_index("ix_scorecard_scores_scorecard_id", "scorecard_scores", ["scorecard_id"])


def downgrade() -> None:
    op.drop_index("ix_scorecard_scores_scorecard_id", table_name="scorecard_scores")
    op.drop_table("scorecard_scores")
    op.drop_index("ix_scorecards_use_case_id", table_name="scorecards")
    op.drop_table("scorecards")
