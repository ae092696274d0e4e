"""AI operations on SQLite and PostgreSQL: recording through the CLI, the audit trail, who handled an
incident, every refusal (with nothing changed), the computed checks as of a moment and on a gate
review, the accepted handover they read, and the demo's operations."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from pilotgate.audit.models import AuditEvent
from pilotgate.evidence import sync
from pilotgate.gates import computed
from pilotgate.operations import checks
from pilotgate.operations import models as ops_models
from pilotgate.operations import service as ops
from pilotgate.policy.model import Criterion
from pilotgate.usecases import service as usecases
from pilotgate.usecases.models import StageHistory, UseCase
from tests.builders import at_stage, cli, ok, operations_owned, operations_ready, person, uow, use_case

ROLES = ("program_lead", "sponsor", "bu_head")
TABLES = [
    model
    for model in vars(ops_models).values()
    if isinstance(model, type) and issubclass(model, ops_models.Base) and model.__module__ == ops_models.__name__
]


def counts() -> tuple[int, ...]:
    with uow(read_only=True) as unit:
        rows = [unit.session.scalar(select(func.count()).select_from(model)) or 0 for model in TABLES]
        return (*rows, unit.session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def said(*args: str) -> str:
    """The CLI's answer with its line wrapping undone."""
    return " ".join(ok(*args).split())


def show(key: str) -> dict:
    return json.loads(ok("ops", "show", key, "--json"))


def actions(key: str) -> list[str]:
    with uow(read_only=True) as unit:
        query = select(AuditEvent.action).where(AuditEvent.use_case_key == key).order_by(AuditEvent.seq)
        return [a for a in unit.session.scalars(query) if a.startswith("operations.")]


def test_record_operations_through_the_cli_and_read_them_back(home: Path) -> None:
    key, people = use_case(roles=ROLES, business_unit="Claims")
    lead, sponsor, head = people["program_lead"], people["sponsor"], people["bu_head"]
    engineer = person("engineer")
    began = (datetime.now(UTC) - timedelta(days=3)).replace(second=0, microsecond=0)
    team = ok("ops", "team", "set", key, "--name", "Claims Ops", "--kind", "business_unit", "--lead", head,
              "--member", sponsor, "--as", lead)  # fmt: skip
    assert f"owned by Claims Ops (Claims, business unit), led by {head}" in " ".join(team.split())
    ended = began + timedelta(hours=2, minutes=30)
    ok("ops", "oncall", "add", key, sponsor, "--level", "1", "--as", lead)
    ok("ops", "oncall", "add", key, head, "--level", "2", "--from", "2026-01-01", "--as", lead)
    ok("ops", "runbook", "set", key, "--url", "https://wiki.example.org/claims/runbook", "--reviewed", "2026-02-01",
       "--as", lead)  # fmt: skip
    ok("ops", "monitoring", "set", key, "--description", "SLO dashboards", "--alerting", "--automated", "--as", lead)
    opened = said("ops", "incident", "open", key, "--severity", "sev2", "--title", "[red]Slow[/red] <b>answers</b>",
                  "--handled-by", sponsor, "--opened-at", began.isoformat(), "--as", lead)  # fmt: skip
    assert "[red]Slow[/red] <b>answers</b>" in opened and "(owning team)" in opened  # markup shown, not applied
    incident_id = opened.split("#", 1)[1].split()[0]
    resolved = said("ops", "incident", "resolve", key, incident_id, "--resolved-at", ended.isoformat(),
                    "--resolution", "Scaled out", "--as", head)  # fmt: skip
    assert "resolved" in resolved and "in 2 h 30 min" in resolved
    ok("ops", "incident", "open", key, "--severity", "sev4", "--title", "Flaky alert", "--handled-by", engineer,
       "--team", "ai_programme", "--as", lead)  # fmt: skip
    ok("ops", "drill", "add", key, "--scenario", "Roll back the model", "--outcome", "passed",
       "--participant", sponsor, "--participant", head, "--as", lead)  # fmt: skip
    ok("ops", "retrain", "set-cadence", key, "30", "--as", lead)
    ok("ops", "retrain", "record", key, "--automated", "--as", lead)
    ok("ops", "drift", "add", key, "Claims mix shifting to motor", "--as", sponsor)
    for check in ("data.schema", "privacy", "model.baseline", "model.slices", "infrastructure.canary", "skew"):
        ok("ops", "check", "set", key, check, "manual", "--note", "reviewed", "--as", lead)

    state = show(key)
    assert state["team"]["members"] == sorted([head, sponsor]) and state["team"]["kind"] == "business_unit"
    assert [(e["person"], e["level"], e["current"]) for e in state["oncall"]] == [(sponsor, 1, True), (head, 2, True)]
    assert state["runbook"]["url"].endswith("/runbook") and state["runbook"]["last_reviewed"] == "2026-02-01"
    assert state["monitoring"]["alerting"] and state["monitoring"]["automated"]
    first, second = state["incidents"][1], state["incidents"][0]  # newest first
    assert (first["minutes_to_resolve"], first["handled_by_team"], first["team_name"]) == (
        150.0,
        "owning_team",
        "Claims Ops",
    )
    assert (second["handled_by"], second["handled_by_team"], second["resolved_at"]) == (engineer, "ai_programme", None)
    assert state["mttr"]["open"] == 1
    assert state["retraining"]["cadence_days"] == 30 and not state["retraining"]["overdue"]
    assert state["drift_notes"][0]["author"] == sponsor
    assert state["readiness"]["score"] == 1.0, state["readiness"]["sections"]
    assert state["checks"]["ready"]["status"] == "met", state["checks"]["ready"]["note"]
    assert state["checks"]["owned"]["status"] == "not_met"
    assert "no accepted ownership handover is recorded" in state["checks"]["owned"]["note"]
    sustained = state["checks"]["sustainable"]
    assert sustained["status"] == "not_met" and "#2 of the last 3 were handled by the AI programme" in sustained["note"]
    assert sustained["detail"]["section"] == "#h-operations"
    assert {f["label"]: f["ok"] for f in sustained["detail"]["facts"]}["Monitoring automated"] is True

    assert actions(key) == [
        "operations.team_set", "operations.oncall_added", "operations.oncall_added", "operations.runbook_set",
        "operations.monitoring_set", "operations.incident_opened", "operations.incident_resolved",
        "operations.incident_opened", "operations.drill_added", "operations.cadence_set", "operations.retrained",
        "operations.drift_noted", *["operations.check_set"] * 6,
    ]  # fmt: skip
    listed = " ".join(ok("ops", "incident", "list", key).split())
    assert "MTTR 2 h 30 min over 1 incident(s) resolved in the last 90 days; 1 open" in listed
    rubric = json.loads(ok("ops", "readiness", key, "--json"))
    assert rubric["score"] == 1.0 and rubric["ready"]
    privacy = next(c for s in rubric["sections"] for c in s["checks"] if c["id"] == "data.privacy")
    assert (privacy["status"], privacy["note"], privacy["recorded_by"]) == ("manual", "reviewed", lead)
    assert "ML Test Score 1" in " ".join(ok("ops", "readiness", key).split())
    assert ok("audit", "verify").startswith("audit trail intact")


def test_who_handled_an_incident_follows_the_owning_team(home: Path) -> None:
    key, people = use_case(roles=ROLES)
    lead, sponsor, head = people["program_lead"], people["sponsor"], people["bu_head"]
    outsider = person("outsider")
    base = ["ops", "incident", "open", key, "--severity", "sev3", "--title", "T", "--as", lead]
    refused = cli(*base, "--handled-by", lead)
    assert refused.code == 1 and "no owning team is recorded" in refused.stderr
    ok(*base, "--handled-by", lead, "--team", "ai_programme")
    ok("ops", "team", "set", key, "--name", "AI Ops", "--kind", "ai_programme", "--lead", lead, "--as", lead)
    assert "(ai programme)" in said(*base, "--handled-by", outsider)  # the programme owns it: its incident
    assert cli(*base, "--handled-by", lead, "--team", "owning_team").code == 1
    ok(
        "ops",
        "team",
        "set",
        key,
        "--name",
        "Ops",
        "--kind",
        "ai_ops",
        "--lead",
        head,
        "--member",
        sponsor,
        "--as",
        lead,
    )
    assert "(owning team)" in said(*base, "--handled-by", sponsor)
    assert "(owning team)" in said(*base, "--handled-by", head)
    not_in_team = cli(*base, "--handled-by", outsider, "--team", "owning_team")
    assert not_in_team.code == 1 and f"{outsider} is not in the owning team Ops" in not_in_team.stderr
    assert "(ai programme)" in said(*base, "--handled-by", outsider, "--team", "ai-programme")


def test_every_bad_input_is_refused_clearly_and_changes_nothing(home: Path) -> None:
    key, people = use_case(roles=ROLES)
    other, _ = use_case("Other", roles=ROLES)
    lead, head = people["program_lead"], people["bu_head"]
    ok("ops", "team", "set", key, "--name", "Ops", "--kind", "business_unit", "--lead", head, "--as", lead)
    opened = ok("ops", "incident", "open", key, "--severity", "sev3", "--title", "T", "--handled-by", head,
                "--opened-at", "2026-01-10T10:00", "--as", lead)  # fmt: skip
    incident_id = opened.split("#", 1)[1].split()[0]
    other_incident = ok("ops", "incident", "open", other, "--severity", "sev3", "--title", "T", "--handled-by", lead,
                        "--team", "ai_programme", "--as", lead).split("#", 1)[1].split()[0]  # fmt: skip
    ok("ops", "incident", "resolve", other, other_incident, "--as", lead)
    prometheus = {"url": "http://127.0.0.1:9", "queries": {"uptime": "up"}}
    with uow() as unit:
        connector = sync.add(unit, key=other, kind="prometheus", config=prometheus, actor=lead).id
    tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
    later = (datetime.now(UTC) + timedelta(days=2)).isoformat(timespec="minutes")
    cases = [
        (["ops", "team", "set", key, "--name", "Ops", "--kind", "guild", "--lead", head], 1,
         "kind: 'guild' is not a team kind; use one of ai_programme, business_unit, ai_ops"),
        (["ops", "team", "set", key, "--name", " ", "--kind", "ai_ops", "--lead", head], 1, "name: must not be empty"),
        (["ops", "team", "set", key, "--name", "Ops", "--kind", "ai_ops", "--lead", "ghost@example.org"], 3,
         "lead: no person with e-mail ghost@example.org"),
        (["ops", "team", "set", key, "--name", "Ops", "--kind", "ai_ops", "--lead", head, "--member", "ghost@x.org"],
         3, "member: no person with e-mail ghost@x.org"),
        (["ops", "oncall", "add", key, head, "--from", "2026-05-01", "--to", "2026-04-01"], 1,
         "to: the rotation ends on 2026-04-01, before it starts on 2026-05-01"),
        (["ops", "oncall", "add", key, head, "--level", "0"], 1, "level: 0 is not an escalation level 1 to 9"),
        (["ops", "oncall", "add", key, head, "--from", "May 1st"], 1, "from: 'May 1st' is not a date"),
        (["ops", "oncall", "add", key, "ghost@example.org"], 3, "person: no person with e-mail ghost@example.org"),
        (["ops", "runbook", "set", key], 1, "give either an attached artifact's id (--artifact) or a URL (--url)"),
        (["ops", "runbook", "set", key, "--url", "https://x.example/r", "--artifact", "1"], 1, "not both"),
        (["ops", "runbook", "set", key, "--url", "javascript:alert(1)"], 1,
         "url: 'javascript:alert(1)' is not an http(s) URL"),
        (["ops", "runbook", "set", key, "--artifact", "999"], 1,
         f"artifact: #999 is not an artifact attached at {key}'s gates"),
        (["ops", "runbook", "set", key, "--url", "https://x.example/r", "--reviewed", tomorrow], 1, "is in the future"),
        (["ops", "monitoring", "set", key, "--description", "Dash", "--connector", str(connector)], 1,
         f"connector: #{connector} is not a connector of {key}"),
        (["ops", "monitoring", "set", key, "--description", ""], 1, "description: must not be empty"),
        (["ops", "incident", "open", key, "--severity", "sev5", "--title", "T", "--handled-by", head], 1,
         "severity: 'sev5' is not a severity"),
        (["ops", "incident", "open", key, "--severity", "sev1", "--title", "T", "--handled-by", head,
          "--opened-at", later], 1, "opened: "),
        (["ops", "incident", "open", key, "--severity", "sev1", "--title", "T", "--handled-by", head,
          "--opened-at", "last night"], 1, "opened: 'last night' is not a moment"),
        (["ops", "incident", "open", key, "--severity", "sev1", "--title", "T", "--handled-by", "ghost@example.org"], 3,
         "handled-by: no person"),
        (["ops", "incident", "resolve", key, incident_id, "--resolved-at", "2026-01-10T09:59"], 1,
         "resolved: resolved at 2026-01-10 09:59 UTC, before the incident was opened at 2026-01-10 10:00 UTC"),
        (["ops", "incident", "resolve", key, incident_id, "--resolved-at", later], 1, "which is in the future"),
        (["ops", "incident", "resolve", key, other_incident], 3, f"{key} has no incident #{other_incident}"),
        (["ops", "incident", "resolve", other, other_incident], 4, "was already resolved"),
        (["ops", "drill", "add", key, "--scenario", "S", "--outcome", "meh", "--participant", head], 1,
         "outcome: 'meh' is not a drill outcome; use one of passed, failed"),
        (["ops", "drill", "add", key, "--scenario", "S", "--outcome", "passed", "--participant", head,
          "--on", tomorrow], 1, "on: the drill on"),
        (["ops", "drill", "add", key, "--scenario", "S", "--outcome", "passed", "--participant", "ghost@x.org"], 3,
         "participant: no person"),
        (["ops", "retrain", "set-cadence", key, "0"], 1, "days: 0 is not between 1 and 3650 days"),
        (["ops", "retrain", "record", key, "--on", tomorrow], 1, "is in the future"),
        (["ops", "drift", "add", key, "   "], 1, "text: must not be empty"),
        (["ops", "check", "set", key, "vibes", "manual"], 1, "check: 'vibes' is not a readiness check"),
        (["ops", "check", "set", key, "schema", "mostly"], 1, "status: 'mostly' is not a check status"),
        (["ops", "drift", "add", "UC-9999", "x"], 3, "no use case 'UC-9999'"),
    ]  # fmt: skip
    before = counts()
    for args, code, message in cases:
        result = cli(*args, "--as", lead)
        assert (result.code, result.stdout) == (code, ""), (args, result.output)
        assert message in result.stderr, (args, result.stderr)
        assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert counts() == before, args
    missing_actor = cli("ops", "drift", "add", key, "note")
    assert missing_actor.code == 1 and "--as EMAIL is required" in missing_actor.stderr


def test_the_checks_are_judged_as_of_a_moment_and_feed_the_gates(home: Path) -> None:
    key, people = at_stage("pilot", roles=ROLES)
    start = datetime.now(UTC)
    operations_ready(key, people)
    criteria = [
        Criterion(id=name, title=name, requirement="r", kind="computed", check=f"operations.{name}")
        for name in ("ready", "owned", "sustainable")
    ]
    with uow(read_only=True, clock=lambda: start - timedelta(minutes=1)) as unit:
        found = usecases.get_or_raise(unit, key)
        assert checks.check(unit, found, "ready").status == "not_met"  # nothing recorded yet
    with uow(read_only=True) as unit:
        found = usecases.get_or_raise(unit, key)
        measured = computed.evaluate(unit, [(found.id, c) for c in criteria])[found.id]
        assert measured["ready"].status == "met", measured["ready"].note
        assert measured["owned"].status == "not_met" and measured["sustainable"].status == "not_met"
        labels = [f["label"] for f in measured["ready"].detail["facts"]]
        assert labels[0] == "Monitoring with alerting" and labels[-1].startswith("ML Test Score")

    ok("gate", "open", key, "--as", people["program_lead"])
    status = json.loads(ok("gate", "status", key, "--json"))
    readiness = next(c for c in status["criteria"] if c["id"] == "operations_readiness")
    assert (readiness["kind"], readiness["check"], readiness["status"]) == ("computed", "operations.ready", "met")
    assert readiness["evaluation"]["section"] == "#h-operations"
    asserted = cli("gate", "assess", key, "operations_readiness", "met", "--as", people["program_lead"], "--note", "x")
    assert asserted.code == 1 and "is computed from pilotgate's records" in asserted.stderr


def test_ownership_reads_the_accepted_handover(home: Path) -> None:
    from pilotgate.handover import rules as handover_rules
    from pilotgate.handover import service as handover

    key, people = at_stage("production", roles=(*ROLES, "ops_owner"))
    lead, head = people["program_lead"], people["bu_head"]
    operations_owned(key, people, team="Claims Ops")
    assert show(key)["checks"]["owned"]["status"] == "not_met"
    with uow() as unit:
        handover.propose(unit, key=key, team="Claims Ops", ops_owner=people["ops_owner"], actor=lead)
        for item in handover_rules.ITEMS:
            handover.check_item(unit, key=key, item=item, actor=people["ops_owner"])
    assert "no accepted ownership handover" in show(key)["checks"]["owned"]["note"]  # proposed is not accepted
    with uow() as unit:
        handover.accept(unit, key=key, actor=head)
    owned = show(key)["checks"]["owned"]
    assert owned["status"] == "met", owned["note"]
    facts = {f["label"]: (f["value"], f["ok"]) for f in owned["detail"]["facts"]}
    assert facts["Accepted ownership handover"][1] is True and head in facts["Accepted ownership handover"][0]
    ok("ops", "team", "set", key, "--name", "Fraud Ops", "--kind", "business_unit", "--business-unit", "Fraud",
       "--lead", head, "--member", lead, "--as", lead)  # fmt: skip
    moved = show(key)["checks"]["owned"]
    assert moved["status"] == "not_met" and "names Claims Ops, not the owning team Fraud Ops" in moved["note"]


def test_the_demo_operations_meet_every_gate_they_passed(demo_home: Path) -> None:
    with uow(read_only=True) as unit:
        entries = unit.session.execute(
            select(UseCase.id, UseCase.key, StageHistory.stage, StageHistory.entered_at)
            .join(StageHistory, StageHistory.use_case_id == UseCase.id)
            .where(StageHistory.stage.in_(("production", "scale")), StageHistory.decision_id.is_not(None))
        ).all()
        keys = {u.title: u.key for u in unit.session.scalars(select(UseCase))}
    assert len(entries) >= 12
    for use_case_id, key, stage, at in entries:  # judged as of the decision, a second before it
        with uow(read_only=True, clock=lambda at=at: at - timedelta(seconds=1)) as unit:
            found = unit.session.get_one(UseCase, use_case_id)
            for which in ("ready",) if stage == "production" else ("owned", "sustainable"):
                result = checks.check(unit, found, which)
                assert result.status == "met", (key, stage, which, result.note)
    well = show(keys["Agent assist knowledge search"])
    assert all(well["checks"][name]["status"] == "met" for name in ("owned", "sustainable")), well["checks"]
    assert well["retraining"]["overdue"] is False and well["team"]["kind"] == "business_unit"
    poor = show(keys["Cash-flow forecasting copilot"])
    assert poor["retraining"]["overdue"] and poor["team"]["kind"] == "ai_programme"
    assert {i["handled_by_team"] for i in poor["incidents"]} == {"ai_programme"} and poor["mttr"]["open"] == 1
    note = poor["checks"]["sustainable"]["note"]
    assert "retraining is overdue" in note and "handled by the AI programme" in note and "is still open" in note
    with uow(read_only=True) as unit:
        assert (
            ops.may_write(unit, usecases.get_or_raise(unit, keys["Cash-flow forecasting copilot"]), "x@y.org") is False
        )
