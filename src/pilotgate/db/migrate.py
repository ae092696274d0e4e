"""Run Alembic programmatically, under a lock so several instances can start at once.

Every CLI command and server start checks the schema. When the database is already at :data:`HEAD`
(the usual case) one plain query says so, and Alembic — a fifth of a command's start-up — is not even
imported; a test keeps :data:`HEAD` equal to the newest migration's revision.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from pilotgate.db.engine import MIGRATIONS

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATION_LOCK_KEY = 0x70696D67
HEAD = "0014"  # the newest migration's revision (tests/unit/test_migrations_head.py checks it)


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def head_revision(engine: Engine) -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _at_head(engine: Engine) -> bool:
    """True when the database's recorded revision is :data:`HEAD`; False when it is older, or when
    there is no schema yet (no version table)."""
    try:
        with engine.connect() as connection:
            found = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except DBAPIError as error:
        if error.connection_invalidated or "alembic_version" not in str(error.orig):
            raise  # not "no such table": a connection failure, reported by the caller
        return False
    return found == [HEAD]


def upgrade_if_needed(engine: Engine) -> None:
    if _at_head(engine):
        return
    from alembic import command

    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
            try:
                if current_revision(engine) != head_revision(engine):
                    command.upgrade(alembic_config(engine), "head")
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_KEY})
                connection.commit()
    else:
        command.upgrade(alembic_config(engine), "head")
