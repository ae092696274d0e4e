"""Shared fixtures: every database test runs on a real SQLite file and on the real PostgreSQL."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

POSTGRES_ADMIN_URL = os.environ.get("PILOTGATE_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
_TEMPLATE = f"pilotgate_tmpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
_pg_state: dict[str, object] = {}


def _admin_url(database: str) -> str:
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{database}"


def _postgres_available() -> str | None:
    """None when the server answers, else why not."""
    if "available" not in _pg_state:
        try:
            engine = create_engine(POSTGRES_ADMIN_URL)
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            engine.dispose()
            _pg_state["available"] = None
        except Exception as error:  # any failure to connect means "not available"
            _pg_state["available"] = str(error).splitlines()[0]
    return _pg_state["available"]  # type: ignore[return-value]


def _template() -> str:
    """A database migrated once per test session; each test copies it."""
    if "template" not in _pg_state:
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{_TEMPLATE}"'))
        admin.dispose()
        from pilotgate.db.engine import Database

        database = Database(_admin_url(_TEMPLATE))
        database.ensure_schema()
        database.engine.dispose()
        _pg_state["template"] = _TEMPLATE
    return _TEMPLATE


def _drop(name: str) -> None:
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for name in _pg_state.get("demos", []):  # type: ignore[union-attr]
        _drop(name)
    if "template" in _pg_state:
        _drop(_TEMPLATE)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    reason = _pg_state.get("available")
    if reason:
        terminalreporter.write_line(
            f"NOTICE: PostgreSQL tests were skipped, no server answered at {POSTGRES_ADMIN_URL} ({reason})",
            yellow=True,
        )


def postgres_url_or_skip() -> str:
    reason = _postgres_available()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL is mandatory in CI and did not answer: {reason}")
        pytest.skip(f"PostgreSQL not available at {POSTGRES_ADMIN_URL}: {reason}")
    name = f"pilotgate_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{_template()}"'))
    admin.dispose()
    return _admin_url(name)


_sqlite_state: dict[str, Path] = {}


def _copy_sqlite(source: Path, target: Path) -> None:
    """A SQLite database file copied with its write-ahead log, if one is left (and without the
    target's old one, which would otherwise be replayed into the copy)."""
    for suffix in ("", "-wal", "-shm"):
        copied, replaced = source.with_name(source.name + suffix), target.with_name(target.name + suffix)
        if copied.exists():
            shutil.copyfile(copied, replaced)
        else:
            replaced.unlink(missing_ok=True)


def fresh_sqlite(path: Path, factory: pytest.TempPathFactory) -> str:
    """A SQLite database at ``path``, already migrated: a copy of one file migrated once per test
    session (migrating takes 0.2 s; copying a few milliseconds). Migrating from nothing is tested on
    its own (tests/unit/test_migrations_head.py) and runs for every home the tests create otherwise."""
    if "template" not in _sqlite_state:
        template = factory.mktemp("sqlite-template") / "pilotgate.db"
        from pilotgate.db.engine import Database

        database = Database(f"sqlite:///{template}")
        database.ensure_schema()
        database.engine.dispose()
        _sqlite_state["template"] = template
    _copy_sqlite(_sqlite_state["template"], path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        yield fresh_sqlite(tmp_path / "pilotgate.db", tmp_path_factory)
        return
    url = postgres_url_or_skip()
    yield url
    from pilotgate.db.engine import Database

    Database.dispose_all()
    _drop(url.rsplit("/", 1)[1])


@pytest.fixture
def sqlite_url(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    return fresh_sqlite(tmp_path / "pilotgate.db", tmp_path_factory)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    url = postgres_url_or_skip()
    yield url
    from pilotgate.db.engine import Database

    Database.dispose_all()
    _drop(url.rsplit("/", 1)[1])


@pytest.fixture
def home(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A pilotgate home on a fresh database, set in the environment for services and the CLI."""
    path = tmp_path / "home"
    monkeypatch.setenv("PILOTGATE_HOME", str(path))
    monkeypatch.setenv("PILOTGATE_DATABASE_URL", database_url)
    monkeypatch.delenv("PILOTGATE_AUDIT_KEY", raising=False)
    yield path
    from pilotgate.db.engine import Database

    Database.dispose_all()


# ---------------------------------------------------------------- the demo portfolio, built once
# `pilotgate demo` walks 26 use cases through real gate decisions: 10–20 s a build. Tests that read
# the demo (rather than test its building) start from a copy of one built per database and worker:
# the SQLite file or a PostgreSQL database made with the built one as its template, and the home
# (audit key, checkpoints, artifacts) copied beside it, so each test still owns all its data.
_demo_built: dict[str, tuple[Path, str, str]] = {}


def _built_demo(kind: str, factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """The built demo's directory (home and SQLite file), database URL and what `pilotgate demo` printed."""
    if kind not in _demo_built:
        root = factory.mktemp(f"demo-{kind}")
        if kind == "sqlite":
            url = f"sqlite:///{root / 'pilotgate.db'}"
        else:
            name = f"pilotgate_demo_{os.getpid()}_{uuid.uuid4().hex[:6]}"
            admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{_template()}"'))
            admin.dispose()
            url = _admin_url(name)
            _pg_state.setdefault("demos", []).append(name)  # type: ignore[union-attr]
        from pilotgate.db.engine import Database
        from tests.builders import ok

        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("PILOTGATE_HOME", str(root / "home"))
            patch.setenv("PILOTGATE_DATABASE_URL", url)
            patch.delenv("PILOTGATE_AUDIT_KEY", raising=False)
            printed = ok("demo")
            Database.dispose_all()
        _demo_built[kind] = (root, url, printed)
    return _demo_built[kind]


@pytest.fixture
def demo_home(
    request: pytest.FixtureRequest, home: Path, database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """`home` holding the demo portfolio, as `pilotgate demo` builds it (a private copy of one build)."""
    from pilotgate.db.engine import Database

    kind = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    root, built_url, _ = _built_demo(kind, tmp_path_factory)
    shutil.copytree(root / "home", home)
    if kind == "sqlite":
        _copy_sqlite(Path(built_url.removeprefix("sqlite:///")), Path(database_url.removeprefix("sqlite:///")))
    else:
        Database.dispose_all()
        name = database_url.rsplit("/", 1)[1]
        _drop(name)
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{built_url.rsplit("/", 1)[1]}"'))
        admin.dispose()
    return home


@pytest.fixture
def demo_printed(demo_home: Path, database_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """What `pilotgate demo` printed when it built the portfolio `demo_home` holds."""
    return _built_demo("sqlite" if database_url.startswith("sqlite") else "postgresql", tmp_path_factory)[2]
