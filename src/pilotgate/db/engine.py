"""Engine set-up per database: SQLite pragmas and immediate transactions, PostgreSQL locks."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from pilotgate.errors import PilotgateError

MIGRATIONS = Path(__file__).parent / "migrations"
# Every writing transaction on PostgreSQL takes this lock first: writers are serialised, as
# BEGIN IMMEDIATE serialises them on SQLite, so the audit chain and decisions never interleave.
WRITE_LOCK_KEY = 0x70696C6F


class DatabaseUnavailable(PilotgateError):
    status = 503
    title = "Database unavailable"


def _sqlite_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A deferred transaction that reads then writes fails with "database is locked"
        # whatever the busy timeout; writers take the lock up front.
        mode = "BEGIN" if connection.get_execution_options().get("pilotgate_read_only") else "BEGIN IMMEDIATE"
        connection.exec_driver_sql(mode)

    return engine


class Database:
    """One engine and its session factory for a database URL."""

    _cache: ClassVar[dict[str, Database]] = {}
    _cache_lock = threading.Lock()

    def __init__(self, url: str) -> None:
        self.url = url
        self.dialect = make_url(url).get_backend_name()
        if self.dialect == "sqlite":
            self.engine = _sqlite_engine(url)
        else:
            self.engine = create_engine(url, pool_pre_ping=True)
        self._writer = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._reader = sessionmaker(
            bind=self.engine.execution_options(pilotgate_read_only=True), expire_on_commit=False
        )
        self._schema_checked = False

    @classmethod
    def for_url(cls, url: str) -> Database:
        with cls._cache_lock:
            if url not in cls._cache:
                cls._cache[url] = cls(url)
            return cls._cache[url]

    @classmethod
    def dispose_all(cls) -> None:
        with cls._cache_lock:
            for database in cls._cache.values():
                database.engine.dispose()
            cls._cache.clear()

    def session(self, *, read_only: bool = False) -> Session:
        session = (self._reader if read_only else self._writer)()
        if not read_only and self.dialect == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})
        return session

    def ensure_schema(self) -> None:
        """Bring the schema to the newest migration (cheap when it is already there)."""
        if self._schema_checked:
            return
        from pilotgate.db.migrate import upgrade_if_needed

        try:
            upgrade_if_needed(self.engine)
        except Exception as exc:  # connection failures surface here first
            from sqlalchemy.exc import OperationalError

            if isinstance(exc, OperationalError):
                raise DatabaseUnavailable(
                    f"cannot reach the database at {make_url(self.url).render_as_string(hide_password=True)}: "
                    f"{str(exc.orig).strip().splitlines()[0]}; check PILOTGATE_DATABASE_URL and that the server runs"
                ) from None
            raise
        self._schema_checked = True

    def table_names(self) -> list[str]:
        return inspect(self.engine).get_table_names()
