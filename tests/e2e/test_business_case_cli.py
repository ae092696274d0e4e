"""Business cases through the real `pilotgate` executable: template → set → show → simulate, and bad
input answered with one clear line, a non-zero exit and no traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "pilotgate"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PILOTGATE_")}
    environment["PILOTGATE_HOME"] = str(tmp_path / "home")
    return environment


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN), *args], env=env, capture_output=True, text=True, timeout=120)


def test_template_set_show_simulate_and_bad_input(env: dict[str, str], tmp_path: Path) -> None:
    key = run(env, "usecase", "add", "Claims triage", "--business-unit", "Claims").stdout.strip()
    template = run(env, "case", "template")
    assert template.returncode == 0 and "horizon_months: 36" in template.stdout
    case = tmp_path / "case.yaml"
    case.write_text(template.stdout, encoding="utf-8")
    assert run(env, "case", "set", key, str(case), "--as", "lead@example.org").returncode == 0
    shown = json.loads(run(env, "case", "show", key, "--json").stdout)
    assert shown["scenario"] == "conservative" and shown["figures"]["payback_month"] == 32
    simulated = json.loads(run(env, "case", "simulate", key, "--draws", "1000", "--json").stdout)
    assert simulated["p_payback_12"] <= simulated["p_payback_24"] <= simulated["p_payback_36"]

    broken = tmp_path / "broken.yaml"
    broken.write_text(template.stdout.replace("end_month: 7", "end_month: 2"), encoding="utf-8")
    csv = tmp_path / "actuals.csv"
    month = datetime.now(UTC).strftime("%Y-%m")  # the case starts this month
    csv.write_text(f"use_case,month,kind,category,amount\n{key},{month},cost,pilot,-3\n", encoding="utf-8")
    for args, code, fragment in (
        (("case", "set", key, str(broken), "--as", "a@example.org"), 1, "phases[2].end_month: month 2 is not after"),
        (("case", "set", key, str(tmp_path / "missing.yaml"), "--as", "a@example.org"), 1, "file: cannot read"),
        (("case", "show", "UC-0404"), 3, "no use case 'UC-0404'"),
        (("case", "simulate", key, "--draws", "1"), 1, "draws: 1 is outside"),
        (("case", "actual", "import", str(csv), "--as", "a@example.org"), 1, "amount: -3 is negative"),
    ):
        result = run(env, *args)
        assert result.returncode == code, result.stdout + result.stderr
        assert "Traceback" not in result.stderr + result.stdout and result.stderr.startswith("error: ")
        assert fragment in result.stderr, result.stderr
    assert json.loads(run(env, "case", "versions", key, "--json").stdout)[0]["version"] == 1
