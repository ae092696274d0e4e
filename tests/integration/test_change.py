"""Change management on SQLite and PostgreSQL: plans, items, completion, adoption beside them, the
computed Gate 3 criterion, every refusal (with nothing changed), and the demo's change records."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from pilotgate.audit.models import AuditEvent
from pilotgate.change import service as change
from pilotgate.change.models import ChangeItem, ChangePlan
from pilotgate.gates import computed
from pilotgate.policy.model import Criterion
from pilotgate.usecases import service as usecases
from pilotgate.usecases.models import StageHistory, UseCase
from tests.builders import at_stage, change_complete, cli, ok, person, points_csv, uow, use_case

ROLES = ("program_lead", "sponsor", "bu_head")
TODAY = date.today()


def summary(key: str) -> dict:
    return json.loads(ok("change", "show", key, "--json"))


def item_id(output: str) -> int:
    return int(output.split("change item #", 1)[1].split()[0])


def add(key: str, actor: str, kind: str, title: str, *extra: str, population: str = "pilot") -> int:
    args = ["change", "add", key, "--population", population, "--kind", kind, "--title", title]
    return item_id(ok(*args, "--owner", actor, *extra, "--as", actor))


def counts() -> tuple[int, int, int, int]:
    with uow(read_only=True) as unit:
        plans = unit.session.scalar(select(func.count()).select_from(ChangePlan)) or 0
        items = unit.session.scalar(select(func.count()).select_from(ChangeItem)) or 0
        done = unit.session.scalar(select(func.count()).where(ChangeItem.completed_at.is_not(None))) or 0
        events = unit.session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    return plans, items, done, events


def test_plan_items_completion_and_the_check_through_the_cli(home: Path, tmp_path: Path) -> None:
    key, people = use_case(roles=ROLES, business_unit="Finance")
    lead, sponsor, head = people["program_lead"], people["sponsor"], people["bu_head"]
    out = " ".join(ok("change", "plan", key, "--population", "pilot", "--owner", sponsor, "--target-users",
                      "120", "--as", lead).split())  # fmt: skip
    assert f"{key}: change plan #" in out and "for pilot, 120 users, owned by " + sponsor in out
    assert "adoption cohort pilot" in out
    check = json.loads(ok("change", "check", key, "--json"))
    assert check["status"] == "not_met"
    assert check["note"].startswith("pilot: no workflow redesign item is planned")

    redesign = add(
        key, lead, "workflow_redesign", "Redesign the <b>queue</b>", "--due", (TODAY + timedelta(9)).isoformat()
    )
    session = add(
        key, sponsor, "training", "Hands-on", "--session-date", TODAY.isoformat(), "--attendance-target", "30"
    )
    briefing = add(key, head, "manager_briefing", "Team leads", "--note", "slides on the wiki")
    add(key, lead, "communication", "Launch mail")
    ok("change", "complete", str(redesign), "--as", lead)
    held = " ".join(ok("change", "complete", str(session), "--attendance", "24", "--as", sponsor).split())
    assert f"change item #{session} (training, pilot) complete, attendance 24 of 30" in held
    assert (
        "training attendance 24 is short of the target 30" in json.loads(ok("change", "check", key, "--json"))["note"]
    )
    second = add(key, sponsor, "training", "Catch-up", "--session-date", TODAY.isoformat(), "--attendance-target", "5")
    ok("change", "complete", str(second), "--attendance", "12", "--as", sponsor)
    assert json.loads(ok("change", "check", key, "--json"))["note"] == "pilot: no manager briefing complete"
    ok("change", "complete", str(briefing), "--note", "all six leads", "--as", head)

    state = summary(key)
    (plan,) = state["plans"]
    assert plan["status"] == {**plan["status"], "complete": True, "missing": []}
    assert state["checks"]["complete"]["status"] == "met"
    assert state["checks"]["complete"]["note"] == (
        "pilot: 1 workflow redesign item(s) complete, 2 training session(s) held (attendance 36 of target 35), "
        "1 manager briefing(s) done"
    )
    assert state["checks"]["complete"]["detail"]["section"] == "#h-change"
    assert state["checks"]["populations_planned"]["status"] == "met"
    first = next(i for i in plan["items"] if i["id"] == redesign)
    assert first | {"completed_at": None, "created_at": None} == {
        "id": redesign, "use_case": key, "plan_id": plan["id"], "population": "pilot", "kind": "workflow_redesign",
        "title": "Redesign the <b>queue</b>", "owner": lead, "due_date": (TODAY + timedelta(9)).isoformat(),
        "audience": None, "session_date": None, "attendance_target": None, "attendance": None, "note": "",
        "created_at": None, "created_by": lead, "completed_at": None, "completed_by": lead, "completion_note": "",
    }  # fmt: skip
    training = next(i for i in plan["items"] if i["id"] == session)
    assert (training["audience"], training["attendance"], training["attendance_target"]) == ("pilot", 24, 30)
    assert plan["adoption"]["rate"] is None and plan["adoption"]["detail"].startswith("no data")

    # adoption beside the plan, from the evidence layer's cohort
    for metric in ("active_users", "eligible_users"):
        ok("metrics", "define", key, metric, "--as", lead)
    moment = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    rows = [(key, "active_users", moment, 84, "pilot"), (key, "eligible_users", moment, 120, "pilot")]
    ok("metrics", "import", str(points_csv(tmp_path, rows)), "--as", lead)
    adoption = summary(key)["plans"][0]["adoption"]
    assert (adoption["rate"], adoption["cohort"], adoption["threshold"]) == (0.7, "pilot", 0.6)

    text = " ".join(ok("change", "show", key).split())
    assert "adoption (cohort pilot, 28d): 70%" in text and "change.complete: met" in text
    actions = [e["action"] for e in json.loads(ok("audit", "log", "--json")) if e["action"].startswith("change.")]
    assert actions == ["change.plan_added"] + ["change.item_added"] * 4 + ["change.item_completed"] * 2 + [
        "change.item_added",
        "change.item_completed",
        "change.item_completed",
    ]
    assert "audit trail intact" in ok("audit", "verify")


def test_gate_3_change_management_is_computed_and_judged_as_of_the_review_clock(home: Path) -> None:
    key, people = at_stage("pilot", roles=("program_lead", "sponsor", "cio_cto", "bu_head"))
    lead = people["program_lead"]
    ok("gate", "open", key, "--as", lead)

    def criterion() -> dict:
        status = json.loads(ok("gate", "status", key, "--json"))
        return next(c for c in status["criteria"] if c["id"] == "change_management")

    before = criterion()
    assert before["status"] == "not_met" and "no change plan is recorded" in before["note"]
    refused = cli("gate", "assess", key, "change_management", "met", "--as", lead, "--note", "trust me")
    assert refused.code == 1 and "computed" in refused.stderr
    start = datetime.now(UTC)
    change_complete(key, people)
    after = criterion()
    assert after["status"] == "met", after
    assert after["evaluation"]["section"] == "#h-change"  # the review page links the records behind it
    with uow(read_only=True, clock=lambda: start - timedelta(seconds=1)) as unit:
        found = usecases.get_or_raise(unit, key)
        assert change.check(unit, found, "change.complete").status == "not_met"  # nothing recorded yet
        rule = Criterion(id="c", title="C", requirement="r", kind="computed", check="change.complete")
        assert computed.evaluate(unit, [(found.id, rule)])[found.id]["c"].status == "not_met"
    with uow(read_only=True) as unit:
        found = usecases.get_or_raise(unit, key)
        result = change.check(unit, found, "complete")
        assert result.status == "met"
        labels = [f["label"] for f in result.detail["facts"]]  # type: ignore[union-attr]
        assert labels == [
            "pilot: workflow redesign",
            "pilot: training",
            "pilot: manager briefings",
            "pilot: communications",
        ]
        rule = Criterion(id="p", title="P", requirement="r", kind="computed", check="change.populations_planned")
        assert computed.evaluate(unit, [(found.id, rule)])[found.id]["p"].status == "met"
    assert after["evaluation"]["facts"] == result.detail["facts"]


def test_every_bad_input_is_refused_clearly_and_changes_nothing(home: Path) -> None:
    key, people = use_case(roles=ROLES)
    other_key, _ = use_case("Other", roles=ROLES)
    lead, sponsor = people["program_lead"], people["sponsor"]
    ok("change", "plan", key, "--population", "pilot", "--owner", sponsor, "--as", lead)
    ok("change", "plan", other_key, "--population", "pilot", "--owner", sponsor, "--as", lead)
    session = add(key, lead, "training", "Held", "--session-date", TODAY.isoformat(), "--attendance-target", "10")
    future = add(key, lead, "training", "Next month", "--due", (TODAY + timedelta(30)).isoformat(),
                 "--attendance-target", "10")  # fmt: skip
    briefing = add(key, lead, "manager_briefing", "Leads")
    done = add(key, lead, "communication", "Mail")
    ok("change", "complete", str(done), "--as", lead)
    with uow(read_only=True) as unit:
        registered = usecases.get_or_raise(unit, key).created_at.date()
    before_registration = (registered - timedelta(days=1)).isoformat()

    base = ["change", "add", key, "--population", "pilot"]
    good = {"--kind": "workflow_redesign", "--title": "Redesign", "--owner": lead, "--as": lead}

    def adding(*extra: str, **changes: str) -> list[str]:
        values = {**good, **{f"--{k.replace('_', '-')}": v for k, v in changes.items()}}
        return [*base, *(part for pair in values.items() for part in pair), *extra]

    training = {"kind": "training", "attendance_target": "10", "session_date": TODAY.isoformat()}
    planning = ["change", "plan", key, "--owner", lead, "--as", lead, "--population"]
    cases = [
        ([*planning, "full", "--target-users", "-5"], 1, "target-users: -5 is negative"),
        ([*planning, "full", "--target-users", "0"], 1, "target-users: 0 is not a population"),
        ([*planning, "PILOT"], 4, f"{key} already has a change plan for population 'pilot'"),
        ([*planning, "  "], 1, "population: must not be empty"),
        ([*planning, "x" * 81], 1, "population: is 81 characters long; at most 80"),
        ([*planning, "y" * 70], 1, "cohort: is 70 characters long; at most 64"),
        (["change", "plan", key, "--population", "full", "--owner", "ghost@example.org", "--as", lead], 3,
         "no person with e-mail ghost@example.org"),
        (["change", "plan", "UC-9999", "--population", "full", "--owner", lead, "--as", lead], 3,
         "no use case 'UC-9999'"),
        (adding(kind="webinar"), 1, "kind: 'webinar' is not one of workflow_redesign, training"),
        (adding(owner="ghost@example.org"), 3, "no person with e-mail ghost@example.org"),
        (adding(**{"as": "ghost@example.org"}), 3, "no person with e-mail ghost@example.org"),
        ([*adding()[:2], "UC-9999", *adding()[3:]], 3, "no use case 'UC-9999'"),
        ([*adding()[:4], "EMEA", *adding()[5:]], 3, f"{key} has no change plan for population 'EMEA'"),
        (adding(due="someday"), 1, "due: 'someday' is not a date"),
        (adding(due=before_registration), 1, f"due: {before_registration} is before the use case was registered"),
        (adding(title=" "), 1, "title: must not be empty"),
        (adding(audience="Agents"), 1, "audience: only a training session has an audience"),
        (adding(attendance_target="5"), 1, "attendance-target: only a training session has"),
        (adding(kind="training"), 1, "attendance-target: a training session needs the number of people expected"),
        (adding(**{**training, "attendance_target": "-1"}), 1, "attendance-target: -1 is negative"),
        (adding(**{**training, "session_date": ""}), 1, "session-date: a training session needs its date"),
        (adding(**{**training, "due": TODAY.isoformat(), "session_date": (TODAY + timedelta(1)).isoformat()}), 1,
         "would be held after the item is due"),
        (["change", "complete", str(session), "--as", lead], 1,
         "attendance: a training session is complete once held: give its attendance"),
        (["change", "complete", str(session), "--attendance", "-3", "--as", lead], 1, "attendance: -3 is negative"),
        (["change", "complete", str(future), "--attendance", "8", "--as", lead], 1,
         "record its attendance once it is held"),
        (["change", "complete", str(briefing), "--attendance", "8", "--as", lead], 1,
         f"only a training session records attendance; #{briefing} is a manager briefing"),
        (["change", "complete", str(done), "--as", lead], 4, f"change item #{done} is already complete (by {lead}"),
        (["change", "complete", "424242", "--as", lead], 3, "no change item #424242"),
        (["change", "complete", str(briefing), "--as", "ghost@example.org"], 3, "no person"),
        (["change", "complete", str(briefing)], 1, "--as EMAIL is required"),
        (["change", "show", "UC-9999"], 3, "no use case 'UC-9999'"),
    ]  # fmt: skip
    before = counts()
    for args, code, message in cases:
        result = cli(*args)
        assert (result.code, result.stdout) == (code, ""), (args, result.output)
        assert message in result.stderr, (args, result.stderr)
        assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert counts() == before, args
    with uow(read_only=True) as unit:
        row = unit.session.get_one(ChangeItem, session)
        assert row.completed_at is None and row.attendance is None
    # a new person appears, then works: the refusals above really were about the input
    outsider = person("outsider")
    ok("change", "complete", str(briefing), "--as", outsider)


def test_the_demo_s_change_records(demo_home: Path) -> None:
    with uow(read_only=True) as unit:
        by_title = {u.title: u for u in unit.session.scalars(select(UseCase))}
        entered_production = unit.session.execute(
            select(UseCase.id, StageHistory.entered_at)
            .join(StageHistory, StageHistory.use_case_id == UseCase.id)
            .where(StageHistory.stage == "production", StageHistory.decision_id.is_not(None))
        ).all()
        keys = {title: u.key for title, u in by_title.items()}
    assert len(entered_production) >= 8
    for use_case_id, at in entered_production:  # every Gate 3 go had its change complete when decided
        with uow(read_only=True, clock=lambda at=at: at) as unit:
            found = unit.session.get_one(UseCase, use_case_id)
            result = change.check(unit, found, "complete")
            assert result.status == "met", (found.key, at, result.note)
    invoice = summary(keys["Invoice exception triage"])
    assert [(p["population"], p["expansion"], p["status"]["complete"]) for p in invoice["plans"]] == [
        ("pilot", False, True),
        ("full", False, True),
        ("EMEA Finance", True, False),
    ]
    assert invoice["checks"]["complete"]["status"] == "met"
    assert invoice["plans"][0]["adoption"]["rate"] is not None and invoice["plans"][2]["adoption"]["rate"] is None
    churn = summary(keys["Churn early-warning model"])["checks"]["complete"]
    assert churn["status"] == "not_met" and "training attendance 17 is short of the target 60" in churn["note"]
    assert summary(keys["Next-best-offer engine"])["plans"] == []
    chatbot = summary(keys["HR policy chatbot"])
    assert "full: no manager briefing complete" in chatbot["checks"]["complete"]["note"]
    ready = json.loads(ok("gate", "status", keys["Expense policy checker"], "--json"))
    assert next(c for c in ready["criteria"] if c["id"] == "change_management")["status"] == "met"
