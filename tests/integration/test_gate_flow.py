"""The gate workflow end to end through the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from tests.builders import GATE1_CRITERIA, cli, ok, ready_gate1, use_case


def status(key: str) -> dict:
    return json.loads(ok("gate", "status", key, "--json"))


def show(key: str) -> dict:
    return json.loads(ok("usecase", "show", key, "--json"))


def test_go_moves_the_use_case_to_the_next_stage(home: Path, tmp_path: Path) -> None:
    key, people = ready_gate1(tmp_path)
    assert status(key)["blockers"] == []
    ok("gate", "decide", key, "go", "--as", people["sponsor"])
    shown = show(key)
    assert shown["stage"] == "poc"
    assert [h["stage"] for h in shown["stage_history"]] == ["discovery", "poc"]
    assert shown["decisions"][0]["decision"] == "go"
    assert len(shown["decisions"][0]["snapshot_sha256"]) == 64


def test_go_is_refused_listing_every_unmet_reason(home: Path) -> None:
    key, people = use_case()
    ok("gate", "open", key, "--as", people["program_lead"])
    result = cli("gate", "decide", key, "go", "--as", people["sponsor"])
    assert result.code == 4
    assert "Traceback" not in result.output
    for criterion in GATE1_CRITERIA:
        assert f"criterion {criterion} " in result.stderr
    assert "artifact use_case_scorecard" in result.stderr
    assert "has not voted" in result.stderr
    assert show(key)["stage"] == "discovery"


def test_status_json_has_the_documented_shape(home: Path) -> None:
    key, people = use_case()
    ok("gate", "open", key, "--as", people["program_lead"])
    out = status(key)
    assert out["gate"]["number"] == 1
    assert {c["id"] for c in out["criteria"]} == set(GATE1_CRITERIA)
    assert all({"id", "kind", "status"} <= set(c) for c in out["criteria"])
    assert len(out["artifacts"]) == 4 and out["votes"] == [] and out["blockers"]


def test_artifacts_are_content_addressed_versioned_and_downloadable(home: Path, tmp_path: Path) -> None:
    import hashlib

    key, people = ready_gate1(tmp_path)
    second = tmp_path / "scorecard-v2.pdf"
    second.write_bytes(b"%PDF-1.4 version two")
    ok("gate", "attach", key, "use_case_scorecard", str(second), "--as", people["program_lead"])
    digest = hashlib.sha256(second.read_bytes()).hexdigest()
    blob = home / "artifacts" / digest[:2] / digest
    assert blob.read_bytes() == second.read_bytes()
    scorecard = next(a for a in status(key)["artifacts"] if a["id"] == "use_case_scorecard")
    assert scorecard["version"] == 2 and scorecard["sha256"] == digest and scorecard["media_type"] == "application/pdf"
    ok("gate", "download", key, "use_case_scorecard", "--version", "1", "--output", str(tmp_path / "v1.pdf"))
    assert (tmp_path / "v1.pdf").read_bytes() == (tmp_path / "use_case_scorecard.pdf").read_bytes()
    again = cli("gate", "download", key, "use_case_scorecard", "--output", str(tmp_path / "v1.pdf"))
    assert again.code == 1 and "exists" in again.stderr


def test_the_decision_snapshot_freezes_the_evidence(home: Path, tmp_path: Path) -> None:
    key, people = ready_gate1(tmp_path)
    ok("gate", "decide", key, "go", "--as", people["sponsor"])
    record = json.loads(ok("gate", "decision", key, "--json"))
    assert record["snapshot_intact"] and record["decision"] == "go"
    snapshot = record["snapshot"]
    assert snapshot["policy"]["name"] == "pilotgate-default" and snapshot["policy"]["version"] == 1
    assert {c["status"] for c in snapshot["criteria"]} == {"met"} and snapshot["blockers"] == []
    assert len(snapshot["artifacts"]) == 4 and all(len(a["sha256"]) == 64 for a in snapshot["artifacts"])
    assert {(v["role"], v["choice"], v["stale"]) for v in snapshot["votes"]} == {
        ("program_lead", "approve", False),
        ("sponsor", "approve", False),
    }
