"""The CLI against a live server: `pilotgate --server URL` with a personal token acts as its owner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.web.conftest import LiveServer

BIN = Path(sys.executable).parent / "pilotgate"
CRITERIA = ("business_value", "data_availability", "process_maturity", "risk", "sponsorship")
ARTIFACTS = (
    "use_case_scorecard",
    "data_availability_assessment",
    "preliminary_risk_assessment",
    "business_value_hypothesis",
)


def remote(server: LiveServer, who: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PILOTGATE_")}
    env["PILOTGATE_HOME"] = str(server.home.parent / "elsewhere")  # nothing local is touched
    env["PILOTGATE_TOKEN"] = server.portfolio.tokens[who]
    return subprocess.run(
        [str(BIN), "--server", server.url, *args], env=env, capture_output=True, text=True, timeout=60
    )


def ok(server: LiveServer, who: str, *args: str) -> str:
    result = remote(server, who, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_a_whole_gate_through_the_remote_cli(live_server: LiveServer, tmp_path: Path) -> None:
    key = live_server.portfolio.key
    ok(live_server, "lead", "gate", "open", key)
    for criterion in CRITERIA:
        ok(live_server, "lead", "gate", "assess", key, criterion, "met", "--note", "checked")
    (tmp_path / "evidence.pdf").write_bytes(b"%PDF-1.4 remote evidence")
    for artifact in ARTIFACTS:
        ok(live_server, "lead", "gate", "attach", key, artifact, str(tmp_path / "evidence.pdf"))
    ok(live_server, "lead", "gate", "vote", key, "approve")
    blocked = remote(live_server, "sponsor", "gate", "decide", key, "go")
    assert blocked.returncode == 4 and "sponsor" in blocked.stderr and "Traceback" not in blocked.stderr
    ok(live_server, "sponsor", "gate", "vote", key, "approve", "--comment", "agreed")
    assert json.loads(ok(live_server, "viewer", "gate", "status", key, "--json"))["blockers"] == []
    ok(live_server, "sponsor", "gate", "decide", key, "go")
    shown = json.loads(ok(live_server, "viewer", "usecase", "show", key, "--json"))
    assert shown["stage"] == "poc" and shown["decisions"][0]["by"] == live_server.portfolio.emails["sponsor"]
    ok(live_server, "viewer", "gate", "download", key, "use_case_scorecard", "--output", str(tmp_path / "back.pdf"))
    assert (tmp_path / "back.pdf").read_bytes() == b"%PDF-1.4 remote evidence"
    assert "audit trail intact" in ok(live_server, "viewer", "audit", "verify")


def test_remote_mode_refuses_acting_as_someone_else(live_server: LiveServer) -> None:
    key = live_server.portfolio.key
    result = remote(live_server, "outsider", "gate", "open", key, "--as", live_server.portfolio.emails["lead"])
    assert result.returncode == 1 and "token's owner" in result.stderr
    viewer = remote(live_server, "viewer", "gate", "open", key)
    assert viewer.returncode == 5 and "viewer" in viewer.stderr


def test_remote_mode_reports_a_bad_token_and_an_unreachable_server(live_server: LiveServer) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PILOTGATE_")}
    env["PILOTGATE_TOKEN"] = "pgt_forged"
    forged = subprocess.run(
        [str(BIN), "--server", live_server.url, "usecase", "list"], env=env, capture_output=True, text=True, timeout=60
    )
    assert forged.returncode == 1 and "refused the token" in forged.stderr
    away = subprocess.run(
        [str(BIN), "--server", "http://127.0.0.1:9", "usecase", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert away.returncode == 1 and "cannot reach" in away.stderr and "Traceback" not in away.stderr
