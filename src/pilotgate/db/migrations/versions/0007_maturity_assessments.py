"""maturity assessments: organisational readiness, its scores and their history

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from pilotgate.db.base import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "maturity_assessments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("taken_at", UTCDateTime(), nullable=False),
        sa.Column("taken_by", sa.String(320), nullable=False),
        sa.Column("questionnaire", sa.String(32), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("scores", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_maturity_assessments"),
    )
    op.create_index("ix_maturity_assessments_taken_at", "maturity_assessments", ["taken_at"])


def downgrade() -> None:
    op.drop_index("ix_maturity_assessments_taken_at", table_name="maturity_assessments")
    op.drop_table("maturity_assessments")
