"""use case external ref

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 22:34:51.482665
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import pilotgate.db.base  # noqa: F401  (custom column types)

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN and CREATE INDEX: no batch table rebuild on SQLite, whose foreign keys
    # cascade from use_cases.
    op.add_column("use_cases", sa.Column("external_ref", sa.String(length=100), nullable=True))
    op.create_index("uq_use_cases_external_ref", "use_cases", ["external_ref"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_use_cases_external_ref", table_name="use_cases")
    op.drop_column("use_cases", "external_ref")
