"""The schema check skips Alembic when the database is at `migrate.HEAD`: HEAD must be the newest
migration, or a new migration would never run."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine

from pilotgate.db import migrate


def test_head_is_the_newest_migration(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'head.db'}")
    assert migrate.head_revision(engine) == migrate.HEAD


def test_a_new_database_is_migrated_then_recognised_without_alembic(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    assert not migrate._at_head(engine)  # no version table yet
    migrate.upgrade_if_needed(engine)
    assert migrate._at_head(engine) and migrate.current_revision(engine) == migrate.HEAD
