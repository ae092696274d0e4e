"""alert deliveries: what was sent where, so an unchanged digest is not repeated within a day

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 01:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from pilotgate.db.base import UTCDateTime

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alert_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(400), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_alert_deliveries"),
    )
    op.create_index("ix_alert_deliveries_channel_sent_at", "alert_deliveries", ["channel", "sent_at"])


def downgrade() -> None:
    op.drop_index("ix_alert_deliveries_channel_sent_at", table_name="alert_deliveries")
    op.drop_table("alert_deliveries")
