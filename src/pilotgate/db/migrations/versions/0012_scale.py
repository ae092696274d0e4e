"""handover, hypercare and scale: operations handovers with their checklist, expansions as linked
use cases, and capability-reuse assessments

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 04:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from pilotgate.db.base import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _use_case(table: str, column: str = "use_case_id") -> sa.Column[int]:
    return sa.Column(
        column,
        sa.Integer(),
        sa.ForeignKey("use_cases.id", ondelete="CASCADE", name=f"fk_{table}_{column}_use_cases"),
        nullable=False,
    )


def _person(table: str, column: str, *, nullable: bool) -> sa.Column[int]:
    return sa.Column(
        column, sa.Integer(), sa.ForeignKey("people.id", name=f"fk_{table}_{column}_people"), nullable=nullable
    )


def upgrade() -> None:
    op.create_table(
        "handovers",
        sa.Column("id", sa.Integer(), nullable=False),
        _use_case("handovers"),
        sa.Column("team", sa.String(120), nullable=False),
        sa.Column("business_unit", sa.String(120), nullable=False),
        _person("handovers", "ops_owner_id", nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("proposed_by", sa.String(320), nullable=False),
        sa.Column("proposed_at", UTCDateTime(), nullable=False),
        _person("handovers", "accepted_by_id", nullable=True),
        sa.Column("accepted_at", UTCDateTime(), nullable=True),
        sa.Column("document", sa.Text(), nullable=True),
        sa.Column(
            "attached_review_id",
            sa.Integer(),
            sa.ForeignKey("reviews.id", name="fk_handovers_attached_review_id_reviews"),
            nullable=True,
        ),
        sa.Column("attached_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_handovers"),
        sa.CheckConstraint("status IN ('proposed', 'accepted')", name="ck_handovers_status_known"),
    )
    op.create_index("ix_handovers_use_case_id", "handovers", ["use_case_id"])
    op.create_table(
        "handover_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "handover_id",
            sa.Integer(),
            sa.ForeignKey("handovers.id", ondelete="CASCADE", name="fk_handover_items_handover_id_handovers"),
            nullable=False,
        ),
        sa.Column("item", sa.String(32), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("done_by", sa.String(320), nullable=True),
        sa.Column("done_at", UTCDateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_handover_items"),
        sa.UniqueConstraint("handover_id", "item", name="uq_handover_items_handover_id"),
    )
    op.create_index("ix_handover_items_handover_id", "handover_items", ["handover_id"])
    op.create_table(
        "expansions",
        sa.Column("id", sa.Integer(), nullable=False),
        _use_case("expansions"),
        _use_case("expansions", "parent_id"),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("scope", sa.Text(), nullable=False),
        sa.Column("population", sa.String(120), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(320), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_expansions"),
        sa.UniqueConstraint("use_case_id", name="uq_expansions_use_case_id"),
        sa.CheckConstraint(
            "kind IN ('geography', 'business_unit', 'adjacent_application')", name="ck_expansions_kind_known"
        ),
        sa.CheckConstraint("use_case_id <> parent_id", name="ck_expansions_not_its_own_parent"),
    )
    op.create_index("ix_expansions_parent_id", "expansions", ["parent_id"])
    op.create_table(
        "reuse_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "expansion_id",
            sa.Integer(),
            sa.ForeignKey("expansions.id", ondelete="CASCADE", name="fk_reuse_assessments_expansion_id_expansions"),
            nullable=False,
        ),
        sa.Column("component", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("assessed_at", UTCDateTime(), nullable=False),
        sa.Column("assessed_by", sa.String(320), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reuse_assessments"),
        sa.UniqueConstraint("expansion_id", "component", name="uq_reuse_assessments_expansion_id"),
        sa.CheckConstraint("status IN ('reused', 'adapted', 'new')", name="ck_reuse_assessments_status_known"),
    )
    op.create_index("ix_reuse_assessments_expansion_id", "reuse_assessments", ["expansion_id"])


def downgrade() -> None:
    op.drop_index("ix_reuse_assessments_expansion_id", table_name="reuse_assessments")
    op.drop_table("reuse_assessments")
    op.drop_index("ix_expansions_parent_id", table_name="expansions")
    op.drop_table("expansions")
    op.drop_index("ix_handover_items_handover_id", table_name="handover_items")
    op.drop_table("handover_items")
    op.drop_index("ix_handovers_use_case_id", table_name="handovers")
    op.drop_table("handovers")
