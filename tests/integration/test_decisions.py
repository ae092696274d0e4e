"""Every decision kind, waivers, separation of duties and the stage guard."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from pilotgate.errors import Conflict
from pilotgate.usecases import service as usecases
from pilotgate.usecases.models import UseCase
from tests.builders import cli, ok, person, ready_gate1, uow, use_case


def show(key: str) -> dict:
    return json.loads(ok("usecase", "show", key, "--json"))


def blockers(key: str) -> list[str]:
    return json.loads(ok("gate", "status", key, "--json"))["blockers"]


def test_conditional_go_records_conditions_with_owner_and_due_date(home: Path, tmp_path: Path) -> None:
    key, people = ready_gate1(tmp_path)
    due = (date.today() + timedelta(days=30)).isoformat()
    refused = cli("gate", "decide", key, "conditional_go", "--as", people["sponsor"])
    assert refused.code == 1 and "at least one --condition" in refused.stderr
    ok(
        "gate",
        "decide",
        key,
        "conditional_go",
        "--as",
        people["sponsor"],
        "--condition",
        f"Confirm data-sharing agreement|{people['program_lead']}|{due}",
    )
    decision = show(key)["decisions"][0]
    assert decision["decision"] == "conditional_go" and show(key)["stage"] == "poc"
    assert decision["conditions"] == [
        {"text": "Confirm data-sharing agreement", "owner": people["program_lead"], "due": due, "status": "open"}
    ]


def test_hold_then_reopening_resumes(home: Path) -> None:
    key, people = use_case()
    ok("gate", "open", key, "--as", people["program_lead"])
    ok("gate", "decide", key, "hold", "--as", people["sponsor"], "--rationale", "budget cycle")
    assert show(key)["status"] == "on_hold" and show(key)["stage"] == "discovery"
    ok("gate", "open", key, "--as", people["program_lead"])
    assert show(key)["status"] == "active"


def test_stop_kills_the_use_case(home: Path) -> None:
    key, people = use_case()
    ok("gate", "open", key, "--as", people["program_lead"])
    ok("gate", "decide", key, "stop", "--as", people["sponsor"])
    assert show(key)["status"] == "stopped"
    again = cli("gate", "open", key, "--as", people["program_lead"])
    assert again.code == 4 and "stopped" in again.stderr


def test_recycle_returns_to_the_same_or_an_earlier_stage_only(home: Path, tmp_path: Path) -> None:
    key, people = ready_gate1(tmp_path)
    ok("gate", "decide", key, "go", "--as", people["sponsor"])
    technical = person("tech")
    ok("assign", key, "technical_lead", technical)
    ok("gate", "open", key, "--as", people["program_lead"])
    later = cli("gate", "decide", key, "recycle", "--as", people["sponsor"], "--to-stage", "pilot")
    assert later.code == 1 and "same or an earlier stage" in later.stderr
    ok("gate", "decide", key, "recycle", "--as", people["sponsor"], "--to-stage", "discovery")
    shown = show(key)
    assert shown["stage"] == "discovery"
    assert [h["stage"] for h in shown["stage_history"]] == ["discovery", "poc", "discovery"]


def test_only_a_named_approver_decides(home: Path) -> None:
    key, people = use_case()
    outsider = person("outsider")
    ok("gate", "open", key, "--as", people["program_lead"])
    result = cli("gate", "decide", key, "stop", "--as", outsider)
    assert result.code == 5 and "not a named approver" in result.stderr
    assert show(key)["status"] == "active"


def test_only_the_assigned_person_votes_for_a_role(home: Path) -> None:
    key, people = use_case()
    outsider = person("outsider")
    ok("gate", "open", key, "--as", people["program_lead"])
    result = cli("gate", "vote", key, "approve", "--as", outsider, "--role", "sponsor")
    assert result.code == 5 and "may not vote as sponsor" in result.stderr
    result = cli("gate", "vote", key, "approve", "--as", people["program_lead"], "--role", "sponsor")
    assert result.code == 5


def test_one_person_may_not_hold_two_approver_roles(home: Path, tmp_path: Path) -> None:
    key, people = ready_gate1(tmp_path, vote=False)
    ok("assign", key, "sponsor", people["program_lead"])
    ok("gate", "vote", key, "approve", "--as", people["program_lead"], "--role", "program_lead")
    second = cli("gate", "vote", key, "approve", "--as", people["program_lead"], "--role", "sponsor")
    assert second.code == 4 and "one person, one approver role" in second.stderr
    assert any("holds 2 approver roles" in b for b in blockers(key))


def test_a_waiver_needs_authority_and_expiry_and_expires(home: Path, tmp_path: Path) -> None:
    key, people = ready_gate1(tmp_path, vote=False)
    no_expiry = cli("gate", "assess", key, "risk", "waived", "--as", people["sponsor"], "--note", "accepted")
    assert no_expiry.code == 1 and "expiry date" in no_expiry.stderr
    technical = person("tech")
    ok("assign", key, "technical_lead", technical)
    expires = (date.today() + timedelta(days=10)).isoformat()
    no_authority = cli("gate", "assess", key, "risk", "waived", "--as", technical, "--note", "x", "--expires", expires)
    assert no_authority.code == 5
    ok("gate", "assess", key, "risk", "waived", "--as", people["sponsor"], "--note", "accepted", "--expires", expires)
    ok("gate", "vote", key, "approve", "--as", people["program_lead"])
    ok("gate", "vote", key, "approve", "--as", people["sponsor"])
    assert blockers(key) == []
    from pilotgate.gates import readiness

    eleven_days_later = datetime.now(UTC) + timedelta(days=11)
    with uow(read_only=True, clock=lambda: eleven_days_later) as unit:
        [found] = readiness.all_open(unit)
    assert any("waiver expired" in b for b in found.blockers)


def test_a_later_change_makes_votes_stale(home: Path, tmp_path: Path) -> None:
    key, people = ready_gate1(tmp_path)
    assert blockers(key) == []
    (tmp_path / "v2.pdf").write_bytes(b"%PDF-1.4 second version")
    ok("gate", "attach", key, "use_case_scorecard", str(tmp_path / "v2.pdf"), "--as", people["program_lead"])
    stale = blockers(key)
    assert len(stale) == 2 and all("stale" in b for b in stale)
    assert cli("gate", "decide", key, "go", "--as", people["sponsor"]).code == 4


def test_the_opener_cannot_be_the_only_approver(home: Path, tmp_path: Path) -> None:
    key, people = ready_gate1(tmp_path, vote=False)
    ok("gate", "vote", key, "approve", "--as", people["program_lead"])
    ok("gate", "vote", key, "abstain", "--as", people["sponsor"])
    assert any("cannot be its only approver" in b for b in blockers(key))


def test_nothing_changes_a_stage_but_a_decision(home: Path) -> None:
    key, _ = use_case()
    with pytest.raises(Conflict, match="only through a gate decision"), uow() as unit:
        unit.session.get(UseCase, usecases.get_or_raise(unit, key).id).stage = "production"  # type: ignore[union-attr]
        unit.session.flush()
    with pytest.raises(Exception, match="stage"), uow() as unit:
        usecases.update(unit, key=key, actor="x", changes={"stage": "pilot"})
    assert "--stage" not in ok("usecase", "edit", "--help")
    assert show(key)["stage"] == "discovery"


def test_final_stage_has_no_gate(home: Path) -> None:
    key, people = use_case()
    with uow() as unit:  # the authorised path a decision takes, used here to skip four gates
        use = usecases.get_or_raise(unit, key)
        with unit.stage_change():
            use.stage = "scale"
    result = cli("gate", "open", key, "--as", people["program_lead"])
    assert result.code == 4 and "final stage" in result.stderr
