"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-27 21:09:24.772981
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import pilotgate.db.base

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", pilotgate.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity_type", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("use_case_key", sa.String(length=16), nullable=True),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_events_hash")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_events_use_case_key"), ["use_case_key"], unique=False)

    op.create_table(
        "meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_meta")),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", pilotgate.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
        sa.UniqueConstraint("email", name=op.f("uq_people_email")),
    )
    op.create_table(
        "policy_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=False),
        sa.Column("created_at", pilotgate.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_versions")),
        sa.UniqueConstraint("name", "version", name=op.f("uq_policy_versions_name_version")),
    )
    with op.batch_alter_table("policy_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_policy_versions_name"), ["name"], unique=False)

    op.create_table(
        "use_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("business_unit", sa.String(length=120), nullable=False),
        sa.Column("risk_tier", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.String(length=64), nullable=False),
        sa.Column("stage_entered_at", pilotgate.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("policy_name", sa.String(length=64), nullable=False),
        sa.Column("created_at", pilotgate.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_use_cases")),
        sa.UniqueConstraint("key", name=op.f("uq_use_cases_key")),
    )
    with op.batch_alter_table("use_cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_use_cases_business_unit"), ["business_unit"], unique=False)
        batch_op.create_index("ix_use_cases_stage_status", ["stage", "status"], unique=False)

    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("use_case_id", sa.Integer(), nullable=False),
        sa.Column("gate_number", sa.Integer(), nullable=False),
        sa.Column("from_stage", sa.String(length=64), nullable=False),
        sa.Column("to_stage", sa.String(length=64), nullable=False),
        sa.Column("policy_version_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=False),
        sa.Column("opened_at", pilotgate.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", pilotgate.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["opened_by_id"], ["people.id"], name=op.f("fk_reviews_opened_by_id_people")),
        sa.ForeignKeyConstraint(
            ["policy_version_id"],
            ["policy_versions.id"],
            name=op.f("fk_reviews_policy_version_id_policy_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["use_case_id"],
            ["use_cases.id"],
            name=op.f("fk_reviews_use_case_id_use_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
    )
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reviews_use_case_id"), ["use_case_id"], unique=False)
        batch_op.create_index(
            "uq_reviews_one_open",
            ["use_case_id"],
            unique=True,
            sqlite_where=sa.text("state = 'open'"),
            postgresql_where=sa.text("state = 'open'"),
        )

    op.create_table(
        "role_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("use_case_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", pilotgate.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_role_assignments_person_id_people")),
        sa.ForeignKeyConstraint(
            ["use_case_id"],
            ["use_cases.id"],
            name=op.f("fk_role_assignments_use_case_id_use_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_assignments")),
        sa.UniqueConstraint("use_case_id", "role", name=op.f("uq_role_assignments_use_case_id_role")),
    )
    with op.batch_alter_table("role_assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_role_assignments_person_id"), ["person_id"], unique=False)

    op.create_table(
        "use_case_tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("use_case_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["use_case_id"],
            ["use_cases.id"],
            name=op.f("fk_use_case_tags_use_case_id_use_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_use_case_tags")),
        sa.UniqueConstraint("use_case_id", "tag", name=op.f("uq_use_case_tags_use_case_id_tag")),
    )
    with op.batch_alter_table("use_case_tags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_use_case_tags_tag"), ["tag"], unique=False)

    op.create_table(
        "artifacts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("artifact_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("media_type", sa.String(length=100), nullable=True),
        sa.Column("url", sa.String(length=2000), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=False),
        sa.Column("uploaded_at", pilotgate.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_artifacts_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["people.id"], name=op.f("fk_artifacts_uploaded_by_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_artifacts")),
        sa.UniqueConstraint(
            "review_id",
            "artifact_id",
            "version",
            name=op.f("uq_artifacts_review_id_artifact_id_version"),
        ),
    )
    with op.batch_alter_table("artifacts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_artifacts_review_id"), ["review_id"], unique=False)

    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column("evidence_links", sa.Text(), nullable=False),
        sa.Column("waiver_expires", sa.Date(), nullable=True),
        sa.Column("assessed_by_id", sa.Integer(), nullable=False),
        sa.Column("assessed_at", pilotgate.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assessed_by_id"], ["people.id"], name=op.f("fk_assessments_assessed_by_id_people")),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_assessments_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
        sa.UniqueConstraint("review_id", "criterion_id", name=op.f("uq_assessments_review_id_criterion_id")),
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("from_stage", sa.String(length=64), nullable=False),
        sa.Column("to_stage", sa.String(length=64), nullable=False),
        sa.Column("resulting_status", sa.String(length=16), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", pilotgate.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.Column("snapshot_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["decided_by_id"], ["people.id"], name=op.f("fk_decisions_decided_by_id_people")),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_decisions_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decisions")),
        sa.UniqueConstraint("review_id", name=op.f("uq_decisions_review_id")),
    )
    op.create_table(
        "votes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("exclusive_person_id", sa.Integer(), nullable=True),
        sa.Column("choice", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("evidence_digest", sa.String(length=64), nullable=False),
        sa.Column("cast_at", pilotgate.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["exclusive_person_id"], ["people.id"], name=op.f("fk_votes_exclusive_person_id_people")
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_votes_person_id_people")),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["reviews.id"],
            name=op.f("fk_votes_review_id_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_votes")),
        sa.UniqueConstraint("review_id", "exclusive_person_id", name=op.f("uq_votes_review_id_exclusive_person_id")),
        sa.UniqueConstraint("review_id", "role", name=op.f("uq_votes_review_id_role")),
    )
    op.create_table(
        "conditions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["decisions.id"],
            name=op.f("fk_conditions_decision_id_decisions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["people.id"], name=op.f("fk_conditions_owner_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conditions")),
    )
    with op.batch_alter_table("conditions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_conditions_decision_id"), ["decision_id"], unique=False)

    op.create_table(
        "stage_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("use_case_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=64), nullable=False),
        sa.Column("entered_at", pilotgate.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("left_at", pilotgate.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["decision_id"], ["decisions.id"], name=op.f("fk_stage_history_decision_id_decisions")),
        sa.ForeignKeyConstraint(
            ["use_case_id"],
            ["use_cases.id"],
            name=op.f("fk_stage_history_use_case_id_use_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_history")),
    )
    with op.batch_alter_table("stage_history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stage_history_use_case_id"), ["use_case_id"], unique=False)

    _protect_audit_events()
    # Names this database in the signed audit checkpoints kept outside it.
    op.execute(
        sa.text("INSERT INTO meta (key, value) VALUES ('instance_id', :value)").bindparams(value=str(uuid.uuid4()))
    )


def downgrade() -> None:
    with op.batch_alter_table("stage_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stage_history_use_case_id"))

    op.drop_table("stage_history")
    with op.batch_alter_table("conditions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_conditions_decision_id"))

    op.drop_table("conditions")
    op.drop_table("votes")
    op.drop_table("decisions")
    op.drop_table("assessments")
    with op.batch_alter_table("artifacts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_artifacts_review_id"))

    op.drop_table("artifacts")
    with op.batch_alter_table("use_case_tags", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_use_case_tags_tag"))

    op.drop_table("use_case_tags")
    with op.batch_alter_table("role_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_role_assignments_person_id"))

    op.drop_table("role_assignments")
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_reviews_one_open",
            sqlite_where=sa.text("state = 'open'"),
            postgresql_where=sa.text("state = 'open'"),
        )
        batch_op.drop_index(batch_op.f("ix_reviews_use_case_id"))

    op.drop_table("reviews")
    with op.batch_alter_table("use_cases", schema=None) as batch_op:
        batch_op.drop_index("ix_use_cases_stage_status")
        batch_op.drop_index(batch_op.f("ix_use_cases_business_unit"))

    op.drop_table("use_cases")
    with op.batch_alter_table("policy_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_policy_versions_name"))

    op.drop_table("policy_versions")
    op.drop_table("people")
    op.drop_table("meta")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_use_case_key"))

    op.drop_table("audit_events")
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_events_append_only")


AUDIT_GUARD_SQLITE = """
CREATE TRIGGER audit_events_no_{op} BEFORE {OP} ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END
"""

AUDIT_GUARD_POSTGRESQL = """
CREATE OR REPLACE FUNCTION audit_events_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
"""


def _protect_audit_events() -> None:
    """The audit table only ever grows: the database refuses UPDATE and DELETE on it."""
    if op.get_context().dialect.name == "postgresql":
        op.execute(AUDIT_GUARD_POSTGRESQL)
    else:
        for name in ("update", "delete"):
            op.execute(AUDIT_GUARD_SQLITE.format(op=name, OP=name.upper()))
