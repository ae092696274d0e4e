"""Drop and re-create a database's schema (used to refresh the demo portfolio)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from pilotgate.config import Settings
from pilotgate.db.base import Base
from pilotgate.db.engine import Database


def reset_database(settings: Settings) -> None:
    database = Database.for_url(settings.database_url)
    if database.dialect == "sqlite":
        Database.dispose_all()
        path = Path(make_url(settings.database_url).database or "")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        import pilotgate.db.models  # noqa: F401

        with database.engine.begin() as connection:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
            connection.execute(text("DROP FUNCTION IF EXISTS audit_events_append_only"))
        Database.dispose_all()
    Database.for_url(settings.database_url).ensure_schema()
