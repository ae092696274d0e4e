"""The audit verifier against someone who owns the database, on SQLite and PostgreSQL.

Each test builds a short trail through the real CLI, tampers with it over a raw connection as an
attacker with full control of the database would (append-only triggers bypassed), then checks
that ``pilotgate audit verify`` exits 6 and names what happened — and that honest trails, crashed
writers and concurrent writers still verify.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import Connection, create_engine, delete, func, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from pilotgate.audit import service as audit_service
from pilotgate.audit.chain import GENESIS, event_hash
from pilotgate.audit.models import AuditEvent
from pilotgate.db.engine import Database
from tests.builders import cli, person
from tests.conftest import POSTGRES_ADMIN_URL

INTACT, TAMPERED = 0, 6
EVENTS = AuditEvent.__table__
HASHED = ("seq", "actor", "action", "entity_type", "entity_id", "use_case_key", "before", "after")


def database_url() -> str:
    return os.environ["PILOTGATE_DATABASE_URL"]


def on_sqlite() -> bool:
    return database_url().startswith("sqlite")


def trail(events: int) -> None:
    """A trail of one event per transaction, so every event has its own signed checkpoint."""
    for _ in range(events):
        person("Witness")


def verify() -> tuple[int, dict[str, Any]]:
    result = cli("audit", "verify", "--json")
    assert "Traceback" not in result.output
    return result.code, json.loads(result.stdout)


def assert_tampered(reason: str) -> dict[str, Any]:
    """Verification fails with exit 6 and a problem that contains ``reason``."""
    code, report = verify()
    assert code == TAMPERED, report
    assert report["ok"] is False
    assert any(reason in problem for problem in report["problems"]), report["problems"]
    return report


@contextmanager
def attacker() -> Iterator[Connection]:
    """One transaction as the owner of the database, with the append-only triggers out of the way."""
    engine = create_engine(database_url())
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_events_no_update")
                connection.exec_driver_sql("DROP TRIGGER IF EXISTS audit_events_no_delete")
            else:
                connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
            yield connection
    finally:
        engine.dispose()


def content(connection: Connection, seq: int) -> dict[str, Any]:
    """Every column of one event but its sequence number."""
    row = connection.execute(select(EVENTS).where(EVENTS.c.seq == seq)).mappings().one()
    return {name: value for name, value in row.items() if name != "seq"}


def recompute_from(connection: Connection, seq: int, after: str) -> None:
    """Replace event ``seq``'s ``after`` and re-hash it and every later event: a consistent forgery."""
    prev_hash = (
        GENESIS if seq == 1 else connection.execute(select(EVENTS.c.hash).where(EVENTS.c.seq == seq - 1)).scalar_one()
    )
    rows = connection.execute(select(EVENTS).where(EVENTS.c.seq >= seq).order_by(EVENTS.c.seq)).mappings().all()
    for row in rows:
        body = {name: row[name] for name in HASHED}
        body["at"] = row["at"].isoformat(timespec="microseconds")
        if row["seq"] == seq:
            body["after"] = after
        new_hash = event_hash(prev_hash, body)
        forged = {"after": body["after"], "prev_hash": prev_hash, "hash": new_hash}
        connection.execute(update(EVENTS).where(EVENTS.c.seq == row["seq"]).values(**forged))
        prev_hash = new_hash


FORGED = json.dumps({"email": "mallory@example.org", "name": "Mallory"}, separators=(",", ":"))


def test_an_intact_trail_verifies(home: Path) -> None:
    trail(4)
    code, report = verify()
    assert code == INTACT, report
    assert report["ok"] is True and report["problems"] == []
    assert report["events"] == report["head_seq"] == 4
    assert report["checkpoints_checked"] == 4
    assert report["first_bad_seq"] is None
    human = cli("audit", "verify")
    assert human.code == INTACT
    assert "audit trail intact: 4 events" in human.stdout


def test_the_database_itself_refuses_to_update_or_delete_audit_events(home: Path) -> None:
    trail(2)
    engine = create_engine(database_url())
    attempts = [update(EVENTS).where(EVENTS.c.seq == 1).values(after=FORGED), delete(EVENTS).where(EVENTS.c.seq == 2)]
    if not on_sqlite():
        attempts.append(text("TRUNCATE audit_events"))
    try:
        for statement in attempts:
            with pytest.raises(DBAPIError, match="append-only") as refused, engine.begin() as connection:
                connection.execute(statement)
            assert isinstance(refused.value.orig, sqlite3.Error | psycopg.Error)  # the database said no
        with engine.connect() as connection:
            assert connection.execute(select(func.count()).select_from(EVENTS)).scalar_one() == 2
            assert connection.execute(select(EVENTS.c.after).where(EVENTS.c.seq == 1)).scalar_one() != FORGED
    finally:
        engine.dispose()
    assert verify()[0] == INTACT


def test_an_edited_row_is_named_as_the_first_bad_event(home: Path) -> None:
    trail(5)
    with attacker() as connection:
        connection.execute(update(EVENTS).where(EVENTS.c.seq == 3).values(after=FORGED))
    report = assert_tampered("event #3 (person.created on person")
    assert report["first_bad_seq"] == 3
    assert report["events"] == 2
    human = cli("audit", "verify")
    assert human.code == TAMPERED
    assert "TAMPERED: event #3 " in human.stderr and "was modified" in human.stderr
    assert "Traceback" not in human.output


def test_a_deleted_middle_row_is_named_as_missing(home: Path) -> None:
    trail(5)
    with attacker() as connection:
        connection.execute(delete(EVENTS).where(EVENTS.c.seq == 3))
    report = assert_tampered("event #3 is missing")
    assert report["first_bad_seq"] == 3


def test_two_swapped_rows_are_detected(home: Path) -> None:
    trail(5)
    with attacker() as connection:
        second, fourth = content(connection, 2), content(connection, 4)
        connection.execute(update(EVENTS).where(EVENTS.c.seq == 2).values(hash="0" * 63 + "x"))  # hash is unique
        connection.execute(update(EVENTS).where(EVENTS.c.seq == 4).values(**second))
        connection.execute(update(EVENTS).where(EVENTS.c.seq == 2).values(**fourth))
    report = assert_tampered("event #2 does not link to event #1")
    assert report["first_bad_seq"] == 2


def test_a_truncated_tail_is_caught_by_the_checkpoints(home: Path) -> None:
    trail(6)
    with attacker() as connection:
        connection.execute(delete(EVENTS).where(EVENTS.c.seq > 3))
    report = assert_tampered("deleted from the end, or an older backup was restored")
    assert report["first_bad_seq"] is None  # what is left still chains: only the checkpoints know
    assert report["events"] == report["head_seq"] == 3
    assert any("saw event #6" in problem for problem in report["problems"])
    # New writes fill the gap with different events; the checkpoints still see through it.
    trail(3)
    assert_tampered("event #4 differs from the checkpoint")


def test_a_fully_recomputed_chain_is_caught_by_the_signed_checkpoints(home: Path) -> None:
    trail(6)
    with attacker() as connection:
        recompute_from(connection, 2, FORGED)
    report = assert_tampered("event #2 differs from the checkpoint signed at")
    assert report["first_bad_seq"] is None  # the forgery is self-consistent: the chain alone passes
    assert report["events"] == 6
    assert any("rewritten or recomputed" in problem for problem in report["problems"])


def test_a_recomputed_chain_under_a_new_instance_id_is_still_caught(home: Path) -> None:
    trail(4)
    with attacker() as connection:
        recompute_from(connection, 1, FORGED)
        connection.execute(text("UPDATE meta SET value = 'forged-instance' WHERE key = 'instance_id'"))
    report = assert_tampered("no signed checkpoint for this database (instance forged-instance)")
    assert report["checkpoints_checked"] == 0


def test_a_removed_checkpoint_file_is_not_taken_for_an_intact_trail(home: Path) -> None:
    trail(2)
    (home / "audit-checkpoints.jsonl").unlink()
    report = assert_tampered("the checkpoint file was replaced or removed")
    assert report["first_bad_seq"] is None


def backup(url: str, destination: Path) -> Path | str:
    """A consistent copy of the database, as an operator's nightly backup would take it."""
    Database.dispose_all()
    if url.startswith("sqlite"):
        copy_sqlite(make_url(url).database, destination)
        return destination
    name = f"{make_url(url).database}_bak"
    on_server(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(url).database}"')
    return name


def restore(url: str, copy: Path | str) -> None:
    Database.dispose_all()
    if url.startswith("sqlite"):
        copy_sqlite(copy, make_url(url).database)
        return
    live = make_url(url).database
    on_server(f'DROP DATABASE "{live}" WITH (FORCE)')
    on_server(f'CREATE DATABASE "{live}" TEMPLATE "{copy}"')


def copy_sqlite(source_path: Any, target_path: Any) -> None:
    """SQLite's online backup: consistent even with the WAL not yet checkpointed."""
    source, target = sqlite3.connect(source_path), sqlite3.connect(target_path)
    try:
        with target:
            source.backup(target)
    finally:
        source.close()
        target.close()


def on_server(statement: str) -> None:
    engine = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


def test_an_older_backup_restored_is_detected(home: Path, tmp_path: Path) -> None:
    trail(3)
    copy = backup(database_url(), tmp_path / "nightly.db")
    try:
        trail(3)
        assert verify()[0] == INTACT
        restore(database_url(), copy)
    finally:
        if isinstance(copy, str):
            on_server(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)')
    report = assert_tampered("an older backup was restored")
    assert report["first_bad_seq"] is None
    assert report["events"] == 3
    assert any("saw event #6" in problem for problem in report["problems"])


def test_an_edited_checkpoint_has_an_invalid_signature(home: Path) -> None:
    trail(3)
    path = home / "audit-checkpoints.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    second = json.loads(lines[1])
    second["hash"] = json.loads(lines[2])["hash"]
    lines[1] = json.dumps(second)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = assert_tampered(f"checkpoint on line 2 of {path} has an invalid signature")
    assert report["first_bad_seq"] is None
    assert len(report["problems"]) == 1
    assert report["checkpoints_checked"] == 2


@pytest.mark.parametrize(
    "garble",
    [
        lambda line: line.replace('"seq":1,', '"seq":"one",'),
        lambda line: line.replace('"seq":1,', '"seq":null,'),
        lambda line: line.replace('"seq":1,', '"seq":1e999,'),
        lambda line: line[: len(line) // 2],  # a torn write
        lambda line: "[1, 2]",
    ],
    ids=["seq-text", "seq-null", "seq-infinite", "torn", "not-an-object"],
)
def test_a_garbled_checkpoint_line_is_reported_not_a_crash(home: Path, garble: Any) -> None:
    trail(2)
    path = home / "audit-checkpoints.jsonl"
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert '"seq":1,' in first
    with path.open("a", encoding="utf-8") as handle:
        handle.write(garble(first) + "\n")
    report = assert_tampered("checkpoint on line 3")
    assert report["checkpoints_checked"] == 2


def test_a_concurrent_write_during_verify_is_not_mistaken_for_tampering(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trail(2)
    recompute = audit_service.verify_chain

    def chain_then_a_concurrent_commit(events: Any) -> Any:
        report = recompute(events)
        person("Latecomer")  # commits and signs event #3 while verify holds its snapshot
        return report

    monkeypatch.setattr(audit_service, "verify_chain", chain_then_a_concurrent_commit)
    code, report = verify()
    assert code == INTACT, report
    monkeypatch.setattr(audit_service, "verify_chain", recompute)
    code, report = verify()
    assert code == INTACT and report["events"] == report["checkpoints_checked"] == 3


WRITER = """
import itertools, sys
from pilotgate.config import Settings
from pilotgate.db.uow import UnitOfWork
from pilotgate.usecases import service

settings = Settings.from_env()
for batch in itertools.count():
    with UnitOfWork(settings) as uow:
        for n in range(5):
            service.person_create(uow, email=f"w{sys.argv[1]}-{batch}-{n}@example.org", name="W", actor="load")
    print(batch, flush=True)
"""


def run_and_kill(round_: int, delay: float) -> None:
    """Start a writer, let it commit three batches, then kill -9 it in the middle of its stream."""
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(round_)], stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None
    try:
        for _ in range(3):
            assert writer.stdout.readline(), "the writer died before committing"
        time.sleep(delay)
    finally:
        os.kill(writer.pid, signal.SIGKILL)
        writer.wait(timeout=10)
    assert writer.returncode == -signal.SIGKILL


def test_kill_9_in_the_middle_of_writes_leaves_a_sound_database_and_trail(home: Path) -> None:
    trail(1)
    Database.dispose_all()
    for round_, delay in enumerate((0.05, 0.13, 0.21)):
        run_and_kill(round_, delay)
    url = database_url()
    if url.startswith("sqlite"):
        connection = sqlite3.connect(make_url(url).database)
        try:
            assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        finally:
            connection.close()
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            people = connection.execute(text("SELECT count(*) FROM people")).scalar_one()
            events = connection.execute(select(func.count()).select_from(EVENTS)).scalar_one()
    finally:
        engine.dispose()
    assert events == people >= 1 + 3 * 3 * 5
    assert (events - 1) % 5 == 0  # a batch is all there or not at all
    result = subprocess.run(
        [sys.executable, "-m", "pilotgate", "audit", "verify"], capture_output=True, text=True, timeout=60
    )
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == INTACT, result.stderr
    assert f"audit trail intact: {events} events" in result.stdout
