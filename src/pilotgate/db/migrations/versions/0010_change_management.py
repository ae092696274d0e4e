"""change management: change plans per use case and population, and their items

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 04:20:00
"""

from collections.abc import Sequence

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # placeholder: filled in by the change_management work


def downgrade() -> None:
    pass
