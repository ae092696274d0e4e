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
