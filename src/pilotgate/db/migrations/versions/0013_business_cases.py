"""business cases: monthly 3-year models, scenarios, driver ranges, actuals

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 04:20:00
"""

from collections.abc import Sequence

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass  # placeholder: filled in by the business_cases work


def downgrade() -> None:
    pass
