"""Bad input through the real `pilotgate` executable: one clear line, a non-zero exit, no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pilotgate.db.engine import Database
from tests.builders import ok

BIN = Path(sys.executable).parent / "pilotgate"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The executable's environment; the same home is set here, so `given` arranges state in-process."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PILOTGATE_")}
    environment["PILOTGATE_HOME"] = str(tmp_path / "home")
    for name in [n for n in os.environ if n.startswith("PILOTGATE_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("PILOTGATE_HOME", environment["PILOTGATE_HOME"])
    yield environment
    Database.dispose_all()


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN), *args], env=env, capture_output=True, text=True, timeout=60)


def one_clear_error(result: subprocess.CompletedProcess[str], code: int, *fragments: str) -> None:
    assert result.returncode == code, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    assert result.stderr.startswith("error: ") or result.stderr.startswith("Usage:")
    for fragment in fragments:
        assert fragment in result.stderr


def events(env: dict[str, str]) -> int:
    """The audit trail's length, read in-process (the executable is what is under test, not this)."""
    return len(json.loads(ok("audit", "log", "--json")))


@pytest.fixture
def registered(env: dict[str, str]) -> tuple[str, str, str]:
    """A use case with an open Gate 1 review, arranged in-process: a tenth of the executable's start-up."""
    for email, name in (("lead@example.org", "Lead"), ("sponsor@example.org", "Sponsor")):
        ok("person", "add", email, "--name", name)
    key = ok("usecase", "add", "Claims triage", "--business-unit", "Claims").strip()
    ok("assign", key, "program_lead", "lead@example.org")
    ok("assign", key, "sponsor", "sponsor@example.org")
    ok("gate", "open", key, "--as", "lead@example.org")
    return key, "lead@example.org", "sponsor@example.org"


def test_unknown_use_case_key(env: dict[str, str]) -> None:
    one_clear_error(run(env, "usecase", "show", "UC-9999"), 3, "no use case 'UC-9999'", "pilotgate usecase list")


def test_unknown_person_and_malformed_email(env: dict[str, str], registered: tuple[str, str, str]) -> None:
    key, _, _ = registered
    one_clear_error(run(env, "gate", "vote", key, "approve", "--as", "ghost@example.org"), 3, "pilotgate person add")
    one_clear_error(run(env, "person", "add", "not-an-email", "--name", "X"), 1, "is not an e-mail address")


def test_illegal_transitions(env: dict[str, str], registered: tuple[str, str, str]) -> None:
    key, lead, sponsor = registered
    one_clear_error(run(env, "gate", "open", key, "--as", lead), 4, "already has an open review")
    one_clear_error(run(env, "gate", "decide", key, "launch", "--as", sponsor), 1, "is not one of go")
    one_clear_error(run(env, "gate", "decide", key, "go", "--as", sponsor), 4, "go is refused")
    one_clear_error(
        run(env, "gate", "assess", key, "nonsense", "met", "--as", lead, "--note", "x"),
        1,
        "is not a criterion of Gate 1",
    )


def test_wrong_voter_writes_nothing(env: dict[str, str], registered: tuple[str, str, str]) -> None:
    key, lead, _ = registered
    before = events(env)
    one_clear_error(
        run(env, "gate", "vote", key, "approve", "--as", lead, "--role", "sponsor"), 5, "may not vote as sponsor"
    )
    assert events(env) == before


def test_oversized_upload_is_refused_and_nothing_is_stored(
    env: dict[str, str], tmp_path: Path, registered: tuple[str, str, str]
) -> None:
    _key, lead, _ = registered
    policy = run(env, "policy", "show", "--yaml").stdout.replace(
        "artifact_max_bytes: 26214400", "artifact_max_bytes: 1000"
    )
    policy = policy.replace("name: pilotgate-default", "name: small-uploads")
    (tmp_path / "small.yaml").write_text(policy)
    assert run(env, "policy", "publish", str(tmp_path / "small.yaml")).returncode == 0
    small = run(env, "usecase", "add", "Tiny", "--business-unit", "X", "--policy", "small-uploads").stdout.strip()
    run(env, "assign", small, "program_lead", lead)
    run(env, "gate", "open", small, "--as", lead)
    (tmp_path / "big.pdf").write_bytes(b"%PDF-1.4" + b"x" * 5000)
    before = events(env)
    one_clear_error(
        run(env, "gate", "attach", small, "use_case_scorecard", str(tmp_path / "big.pdf"), "--as", lead),
        1,
        "larger than the 1,000 bytes",
    )
    assert events(env) == before
    stored = [p for p in (tmp_path / "home" / "artifacts").rglob("*") if p.is_file()]
    assert stored == []


def test_missing_file_and_bad_url(env: dict[str, str], registered: tuple[str, str, str]) -> None:
    key, lead, _ = registered
    one_clear_error(
        run(env, "gate", "attach", key, "use_case_scorecard", "/nope/missing.pdf", "--as", lead),
        1,
        "is not a readable file",
    )
    one_clear_error(
        run(
            env, "gate", "assess", key, "risk", "met", "--as", lead, "--note", "x", "--evidence", "javascript:alert(1)"
        ),
        1,
        "is not an http(s) URL",
    )


def test_malformed_policy_files(env: dict[str, str], tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\nstages: [\n")
    one_clear_error(run(env, "policy", "validate", str(broken)), 1, "YAML syntax error at line")
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(
        run(env, "policy", "show", "--yaml")
        .stdout.replace("kind: attestation", "kind: vibes")
        .replace("- role: bu_head\n      - role: program_lead", "- role: bu_head\n      - role: chief_vibes")
    )
    result = run(env, "policy", "validate", str(wrong))
    one_clear_error(result, 1, "gates[3].approvers[1].role: unknown role 'chief_vibes'")
    one_clear_error(run(env, "policy", "validate", str(tmp_path / "absent.yaml")), 1, "file not found")


def test_bad_dates_and_sort_fields(env: dict[str, str], registered: tuple[str, str, str]) -> None:
    key, _lead, sponsor = registered
    one_clear_error(
        run(env, "gate", "assess", key, "risk", "waived", "--as", sponsor, "--note", "x", "--expires", "next tuesday"),
        1,
        "is not a date like",
    )
    one_clear_error(
        run(env, "gate", "decide", key, "conditional_go", "--as", sponsor, "--condition", "just text"),
        1,
        "is not TEXT|OWNER_EMAIL|DUE_DATE",
    )
    one_clear_error(run(env, "usecase", "list", "--sort", "color"), 1, "is not sortable")


def test_unreachable_database(env: dict[str, str]) -> None:
    env = {**env, "PILOTGATE_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    one_clear_error(run(env, "usecase", "list"), 1, "cannot reach the database")
