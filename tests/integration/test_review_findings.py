"""Regressions for defects a code review found: each failed before its fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pilotgate.accounts import service as accounts
from pilotgate.errors import InvalidInput
from tests.builders import cli, ok, person, ready_gate1, uow, use_case


def blockers(key: str) -> list[str]:
    return json.loads(ok("gate", "status", key, "--json"))["blockers"]


def test_the_risk_tier_cannot_change_under_an_open_review(home: Path) -> None:
    key, people = use_case(risk_tier="high")
    ok("gate", "open", key, "--as", people["program_lead"])
    refused = cli("usecase", "edit", key, "--risk-tier", "low")
    assert refused.code == 4 and "open review" in refused.stderr
    assert json.loads(ok("usecase", "show", key, "--json"))["risk_tier"] == "high"


def test_changing_an_assessment_s_evidence_links_makes_votes_stale(home: Path, tmp_path: Path) -> None:
    key, people = ready_gate1(tmp_path)
    assert blockers(key) == []
    ok(
        "gate",
        "assess",
        key,
        "risk",
        "met",
        "--as",
        people["program_lead"],
        "--note",
        "verified",
        "--evidence",
        "https://wiki.example.org/another-risk-review",
    )
    assert len([b for b in blockers(key) if "stale" in b]) == 2


def test_only_the_newest_password_link_works_and_only_once(home: Path) -> None:
    with uow() as unit:
        accounts.create_user(unit, email="new@example.org", role="viewer", name="New", actor="test")
        first = accounts.password_setup_link(unit, email="new@example.org", actor="test")
        second = accounts.password_setup_link(unit, email="new@example.org", actor="test")
    with pytest.raises(InvalidInput), uow() as unit:
        accounts.use_setup_link(unit, token=first, password="a-long-enough-password")
    with uow() as unit:
        accounts.use_setup_link(unit, token=second, password="a-long-enough-password")
    with pytest.raises(InvalidInput), uow() as unit:
        accounts.use_setup_link(unit, token=second, password="another-long-password")


def test_an_empty_file_is_not_an_artifact_and_long_emails_are_audited(home: Path, tmp_path: Path) -> None:
    key, people = use_case()
    ok("gate", "open", key, "--as", people["program_lead"])
    (tmp_path / "empty.pdf").write_bytes(b"")
    empty = cli(
        "gate", "attach", key, "use_case_scorecard", str(tmp_path / "empty.pdf"), "--as", people["program_lead"]
    )
    assert empty.code == 1 and "is empty" in empty.stderr
    long_email = "a" * 70 + "@example.org"
    ok("person", "add", long_email, "--name", "Long Address")
    assert ok("audit", "verify").startswith("audit trail intact")


def test_a_re_import_does_not_move_a_use_case_its_gates_govern(home: Path, tmp_path: Path) -> None:
    mapping = tmp_path / "m.yaml"
    mapping.write_text(
        "name: sheet\nkey: [Name]\nfields:\n  title: {column: Name}\n  business_unit: {column: Unit}\n"
        "stage:\n  column: Phase\n  values: {Idea: discovery, Live: production}\n",
        encoding="utf-8",
    )
    (tmp_path / "a.csv").write_text("Name,Unit,Phase\nTriage,Ops,Idea\n", encoding="utf-8")
    ok("import", str(tmp_path / "a.csv"), "--mapping", str(mapping))
    lead = person("lead")
    ok("assign", "UC-0001", "program_lead", lead)
    ok("gate", "open", "UC-0001", "--as", lead)
    (tmp_path / "b.csv").write_text("Name,Unit,Phase\nTriage,Ops,Live\n", encoding="utf-8")
    summary = json.loads(ok("import", str(tmp_path / "b.csv"), "--mapping", str(mapping), "--json"))
    assert any("governed by its gate reviews" in w["message"] for w in summary["warnings"])
    assert json.loads(ok("usecase", "show", "UC-0001", "--json"))["stage"] == "discovery"
