"""Stalled detection on real data: the demo's zombie pilots, past-due conditions, the API."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from pilotgate.portfolio.stalled_queries import stalled
from tests.builders import ok, ready_gate1, uow


def test_the_demo_s_stalled_pilots_are_found(demo_home: Path) -> None:
    found = json.loads(ok("portfolio", "stalled", "--json"))
    pilots = {f["key"] for f in found if f["stage"] == "pilot" and f["rule"] == "overdue_stage"}
    assert len(pilots) >= 2
    # the zombies' measured pilot adoption has stayed under the threshold: the rule reads real points
    stuck = {f["key"]: f["explanation"] for f in found if f["rule"] == "low_adoption"}
    assert set(stuck) == pilots and all("(latest 33%)" in why for why in stuck.values())
    assert all(f["review_due"] and "kill-or-commit" in f["action"] for f in found)
    stopped = {u["key"] for u in json.loads(ok("usecase", "list", "--status", "stopped", "--json"))["items"]}
    assert not stopped & {f["key"] for f in found}


def test_past_due_conditions_and_a_missing_owner(home: Path, tmp_path: Path) -> None:
    key, people = ready_gate1(tmp_path)
    due = (date.today() + timedelta(days=5)).isoformat()
    ok(
        "gate",
        "decide",
        key,
        "conditional_go",
        "--as",
        people["sponsor"],
        "--condition",
        f"Sign the data-sharing agreement|{people['program_lead']}|{due}",
    )
    assert json.loads(ok("portfolio", "stalled", "--json")) == []
    later = datetime.now(UTC) + timedelta(days=10)
    with uow(read_only=True, clock=lambda: later) as unit:
        rules = [f.rule for f in stalled(unit)]
    assert rules == ["conditions_past_due"]
    ok("usecase", "add", "Orphan", "--business-unit", "Ops")
    assert {f["rule"] for f in json.loads(ok("portfolio", "stalled", "--json"))} == {"missing_owner"}


def test_the_portfolio_report_from_the_cli(demo_home: Path) -> None:
    report = json.loads(ok("portfolio", "report", "--json"))
    assert report["total"] == 26 and sum(s["total"] for s in report["stages"]) == 26
    assert {b["source"] for b in report["benchmarks"]} >= {
        "Gartner",
        "Deloitte, State of AI in the Enterprise, 7th edition (March 2026)",
    }
    assert "Production rate" in ok("portfolio", "report")


def test_a_pilot_without_a_funding_pathway_is_flagged_until_one_is_recorded(home: Path) -> None:
    from tests.builders import at_stage, funded

    key, people = at_stage("pilot", roles=("program_lead", "sponsor", "bu_head"), title="Unfunded pilot")
    found = [f for f in json.loads(ok("portfolio", "stalled", "--json")) if f["key"] == key]
    assert [f["rule"] for f in found] == ["no_funding_pathway"]
    assert "passed Gate 2: POC → Pilot but no production funding pathway is recorded" in found[0]["explanation"]
    funded(key, people)
    assert [f for f in json.loads(ok("portfolio", "stalled", "--json")) if f["key"] == key] == []
