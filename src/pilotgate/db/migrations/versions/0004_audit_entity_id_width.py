"""audit entity ids as long as e-mail addresses

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 22:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # SQLite does not enforce VARCHAR lengths, and rebuilding the append-only audit table there
    # would mean dropping its guard triggers: widen it on PostgreSQL only.
    if op.get_context().dialect.name == "postgresql":
        op.alter_column("audit_events", "entity_id", type_=sa.String(length=320), existing_nullable=False)


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.alter_column("audit_events", "entity_id", type_=sa.String(length=64), existing_nullable=False)
