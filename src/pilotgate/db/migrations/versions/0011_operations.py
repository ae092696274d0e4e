"""AI operations: teams, on-call, incidents, drills, retraining, readiness checks, handover, hypercare

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 04:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from pilotgate.db.base import UTCDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The AI operations records (pilotgate.operations), each table indexed by its use case.
OPERATIONS_TABLES = (
    "ops_teams",
    "ops_oncall",
    "ops_runbooks",
    "ops_monitoring",
    "ops_incidents",
    "ops_drills",
    "ops_retrain_cadences",
    "ops_retrainings",
    "ops_drift_notes",
)


def _use_case(table: str) -> sa.Column[int]:
    return sa.Column(
        "use_case_id",
        sa.Integer(),
        sa.ForeignKey("use_cases.id", ondelete="CASCADE", name=f"fk_{table}_use_case_id_use_cases"),
        nullable=False,
    )


def _person(table: str, column: str, *, nullable: bool = False) -> sa.Column[int]:
    return sa.Column(
        column, sa.Integer(), sa.ForeignKey("people.id", name=f"fk_{table}_{column}_people"), nullable=nullable
    )


def _recorded() -> list[sa.Column[object]]:
    return [
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(320), nullable=False),
    ]


def _operations_tables() -> None:
    op.create_table(
        "ops_teams",
        sa.Column("id", sa.Integer(), nullable=False),
        _use_case("ops_teams"),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("business_unit", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        _person("ops_teams", "lead_id"),
        *_recorded(),
        sa.PrimaryKeyConstraint("id", name="pk_ops_teams"),
        sa.CheckConstraint("kind IN ('ai_programme', 'business_unit', 'ai_ops')", name="ck_ops_teams_kind_known"),
    )
    op.create_table(
        "ops_team_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "team_id",
            sa.Integer(),
            sa.ForeignKey("ops_teams.id", ondelete="CASCADE", name="fk_ops_team_members_team_id_ops_teams"),
            nullable=False,
        ),
        _person("ops_team_members", "person_id"),
        sa.PrimaryKeyConstraint("id", name="pk_ops_team_members"),
        sa.UniqueConstraint("team_id", "person_id", name="uq_ops_team_members_team_id_person_id"),
    )
    op.create_index("ix_ops_team_members_team_id", "ops_team_members", ["team_id"])
    op.create_table(
        "ops_oncall",
        sa.Column("id", sa.Integer(), nullable=False),
        _use_case("ops_oncall"),
        _person("ops_oncall", "person_id"),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        *_recorded(),
        sa.PrimaryKeyConstraint("id", name="pk_ops_oncall"),
        sa.CheckConstraint("level >= 1", name="ck_ops_oncall_level_positive"),
        sa.CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ck_ops_oncall_period_ordered"),
    )
    op.create_table(
        "ops_runbooks",
        sa.Column("id", sa.Integer(), nullable=False),
        _use_case("ops_runbooks"),
        sa.Column(
            "artifact_id",
            sa.Integer(),
            sa.ForeignKey("artifacts.id", name="fk_ops_runbooks_artifact_id_artifacts"),
            nullable=True,
        ),
        sa.Column("url", sa.String(2000), nullable=True),
        sa.Column("last_reviewed", sa.Date(), nullable=True),
        *_recorded(),
        sa.PrimaryKeyConstraint("id", name="pk_ops_runbooks"),
        sa.CheckConstraint("artifact_id IS NOT NULL OR url IS NOT NULL", name="ck_ops_runbooks_somewhere"),
    )
    op.create_table(
        "ops_monitoring",
        sa.Column("id", sa.Integer(), nullable=False),
        _use_case("ops_monitoring"),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("alerting", sa.Boolean(), nullable=False),
        sa.Column("automated", sa.Boolean(), nullable=False),
        sa.Column(
            "connector_id",
            sa.Integer(),
            sa.ForeignKey("connectors.id", ondelete="SET NULL", name="fk_ops_monitoring_connector_id_connectors"),
            nullable=True,
        ),
        *_recorded(),
        sa.PrimaryKeyConstraint("id", name="pk_ops_monitoring"),
    )
    op.create_table(
        "ops_incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        _use_case("ops_incidents"),
        sa.Column("severity", sa.String(8), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("opened_at", UTCDateTime(), nullable=False),
        sa.Column("resolved_at", UTCDateTime(), nullable=True),
        _person("ops_incidents", "handled_by_id"),
        sa.Column("handled_by_team", sa.String(16), nullable=False),
        sa.Column("team_name", sa.String(120), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("resolved_by", sa.String(320), nullable=True),
        *_recorded(),
        sa.PrimaryKeyConstraint("id", name="pk_ops_incidents"),
        sa.CheckConstraint("severity IN ('sev1', 'sev2', 'sev3', 'sev4')", name="ck_ops_incidents_severity_known"),
        sa.CheckConstraint("handled_by_team IN ('owning_team', 'ai_programme')", name="ck_ops_incidents_team_known"),
        sa.CheckConstraint(
            "resolved_at IS NULL OR resolved_at >= opened_at", name="ck_ops_incidents_resolved_after_opened"
        ),
    )
    op.create_table(
        "ops_drills",
        sa.Column("id", sa.Integer(), nullable=False),
        _use_case("ops_drills"),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("scenario", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(8), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        *_recorded(),
        sa.PrimaryKeyConstraint("id", name="pk_ops_drills"),
        sa.CheckConstraint("outcome IN ('passed', 'failed')", name="ck_ops_drills_outcome_known"),
    )
    op.create_table(
        "ops_drill_participants",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "drill_id",
            sa.Integer(),
            sa.ForeignKey("ops_drills.id", ondelete="CASCADE", name="fk_ops_drill_participants_drill_id_ops_drills"),
            nullable=False,
        ),
        _person("ops_drill_participants", "person_id"),
        sa.PrimaryKeyConstraint("id", name="pk_ops_drill_participants"),
        sa.UniqueConstraint("drill_id", "person_id", name="uq_ops_drill_participants_drill_id_person_id"),
    )
    op.create_index("ix_ops_drill_participants_drill_id", "ops_drill_participants", ["drill_id"])
    op.create_table(
        "ops_retrain_cadences",
        sa.Column("id", sa.Integer(), nullable=False),
        _use_case("ops_retrain_cadences"),
        sa.Column("days", sa.Integer(), nullable=False),
        *_recorded(),
        sa.PrimaryKeyConstraint("id", name="pk_ops_retrain_cadences"),
        sa.CheckConstraint("days BETWEEN 1 AND 3650", name="ck_ops_retrain_cadences_days_in_range"),
    )
    op.create_table(
        "ops_retrainings",
        sa.Column("id", sa.Integer(), nullable=False),
        _use_case("ops_retrainings"),
        sa.Column("retrained_on", sa.Date(), nullable=False),
        sa.Column("automated", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        *_recorded(),
        sa.PrimaryKeyConstraint("id", name="pk_ops_retrainings"),
    )
    op.create_table(
        "ops_drift_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        _use_case("ops_drift_notes"),
        sa.Column("noted_on", sa.Date(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _person("ops_drift_notes", "author_id"),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ops_drift_notes"),
    )
    for table in OPERATIONS_TABLES:
        op.create_index(f"ix_{table}_use_case_id", table, ["use_case_id"])
    op.create_table(
        "ops_readiness_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        _use_case("ops_readiness_marks"),
        sa.Column("check_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        *_recorded(),
        sa.PrimaryKeyConstraint("id", name="pk_ops_readiness_marks"),
        sa.CheckConstraint("status IN ('not_done', 'manual', 'automated')", name="ck_ops_readiness_marks_status_known"),
    )
    op.create_index("ix_ops_readiness_marks_use_case_check", "ops_readiness_marks", ["use_case_id", "check_id"])


def _drop_operations_tables() -> None:
    op.drop_index("ix_ops_readiness_marks_use_case_check", table_name="ops_readiness_marks")
    op.drop_table("ops_readiness_marks")
    op.drop_index("ix_ops_drill_participants_drill_id", table_name="ops_drill_participants")
    op.drop_table("ops_drill_participants")
    op.drop_index("ix_ops_team_members_team_id", table_name="ops_team_members")
    op.drop_table("ops_team_members")
    for table in reversed(OPERATIONS_TABLES):
        op.drop_index(f"ix_{table}_use_case_id", table_name=table)
        op.drop_table(table)


def upgrade() -> None:
    _operations_tables()


def downgrade() -> None:
    _drop_operations_tables()
