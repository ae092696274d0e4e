"""Readiness on real data, on SQLite and PostgreSQL: signals against counts taken by hand from the
database, as-of history, and assessments through the CLI — including every way an answers file
can be wrong."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from pilotgate.evidence import service as metrics
from pilotgate.gates.models import Decision, Review
from pilotgate.maturity.questionnaire import QUESTIONS
from pilotgate.maturity.signals import signals
from pilotgate.policy.loader import shipped_policy
from pilotgate.usecases import service as usecases
from pilotgate.usecases.models import StageHistory, UseCase
from tests.builders import cli, ok, ready_gate1, uow, use_case

LIVE = ("active", "on_hold")
OPERATIONAL = ("production", "scale")


def shares(at: datetime | None = None) -> dict[str, tuple[int, int, tuple[str, ...]]]:
    with uow(read_only=True) as unit:
        return {s.id: (s.met, s.of, s.missing) for s in signals(unit, at)}


def counted_by_hand() -> dict[str, tuple[int, int]]:
    """The same shares, counted object by object through the ORM, the plain way."""
    policy = shipped_policy()
    with uow(read_only=True) as unit:
        now = unit.now()
        found = unit.session.scalars(select(UseCase).options(selectinload(UseCase.assignments))).all()
        live = [u for u in found if u.status in LIVE]
        roles = {u.key: {a.role for a in u.assignments} for u in found}
        production = [u for u in live if u.stage in OPERATIONAL]
        pilots = [u for u in live if u.stage == "pilot"]
        on_time = late = 0
        for decision in unit.session.scalars(select(Decision)):
            stage = policy.stage(decision.from_stage)
            if now - decision.decided_at > timedelta(days=365) or stage is None or stage.operational:
                continue
            entries = unit.session.scalars(
                select(StageHistory.entered_at)
                .where(
                    StageHistory.use_case_id == decision.review.use_case_id,
                    StageHistory.stage == decision.from_stage,
                    StageHistory.entered_at <= decision.decided_at,
                    (StageHistory.decision_id != decision.id) | StageHistory.decision_id.is_(None),
                )
                .order_by(StageHistory.entered_at)
            ).all()
            max_days = (stage.expected_duration.max_weeks or 0) * 7
            if (decision.decided_at - entries[-1]).total_seconds() <= max_days * 86400:
                on_time += 1
            else:
                late += 1
        open_reviews = unit.session.scalars(select(Review).where(Review.state == "open")).all()
        gates = {g.number: g for g in policy.gates}
        required = {r.id: set(gates[r.gate_number].required_roles(r.use_case.risk_tier)) for r in open_reviews}
        staffed = sum(1 for r in open_reviews if required[r.id] <= roles[r.use_case.key])
    return {
        "funding.production_owner": (sum("bu_head" in roles[u.key] for u in production), len(production)),
        "operations.production_ops_owner": (sum("ops_owner" in roles[u.key] for u in production), len(production)),
        "measurement.named_sponsor": (sum("sponsor" in roles[u.key] for u in live), len(live)),
        "funding.pilots_within_duration": (sum((now - u.stage_entered_at).days <= 16 * 7 for u in pilots), len(pilots)),
        "governance.decisions_on_time": (on_time, on_time + late),
        "governance.open_reviews_staffed": (staffed, len(open_reviews)),
    }


def test_the_demo_s_signals_match_counts_taken_by_hand_and_its_history_is_as_of_each_date(demo_home: Path) -> None:
    measured = shares()
    for signal_id, (met, of) in counted_by_hand().items():
        assert measured[signal_id][:2] == (met, of), signal_id
    pilots_met, pilots, _ = measured["funding.pilots_within_duration"]
    assert pilots >= 2 and pilots_met < pilots  # the demo's zombie pilots
    assert measured["governance.decisions_on_time"][1] > 20

    history = json.loads(ok("maturity", "history", "--json"))
    assert [h["level"] for h in history] == [2, 3] and history[0]["taken_at"] < history[1]["taken_at"]
    assert all(h["taken_by"] == "priya.raman@demo.pilotgate.org" for h in history)
    # each was scored with the data of its own day: nine months ago, fewer use cases had reached production
    with uow(read_only=True) as unit:
        from pilotgate.maturity import service

        earlier, latest = (service.view(row) for row in service.history(unit))
    production = {s["id"]: s for s in earlier["signals"]}["funding.production_owner"]
    assert production["of"] < {s["id"]: s for s in latest["signals"]}["funding.production_owner"]["of"]
    assert production["of"] == shares(datetime.fromisoformat(earlier["taken_at"]))["funding.production_owner"][1]


def test_signals_on_a_portfolio_built_for_them(home: Path, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    owned, _ = use_case("Owned", roles=("program_lead", "sponsor", "bu_head", "ops_owner"))
    orphan, people = use_case("Orphan", roles=("program_lead", "sponsor"))
    zombie, _ = use_case("Zombie pilot", roles=("program_lead", "sponsor"))
    unsponsored, unsponsored_people = use_case("Unsponsored", roles=("program_lead",))
    with uow(clock=lambda: now - timedelta(days=100)) as unit:
        metrics.define_metric(unit, key=owned, metric="cost", actor=people["program_lead"], baseline=100.0, target=80.0)
    for key, stage, days in ((owned, "production", 90), (orphan, "production", 90), (zombie, "pilot", 200)):
        with uow() as unit:
            usecases.enter_stage(
                unit, usecases.get_or_raise(unit, key), stage=stage, at=now - timedelta(days=days), reason="test"
            )
    with uow(clock=lambda: now - timedelta(days=10)) as unit:  # defined only after it went live
        metrics.define_metric(unit, key=orphan, metric="revenue", actor=people["program_lead"])
    decided, gate1 = ready_gate1(tmp_path)
    ok("gate", "decide", decided, "go", "--as", gate1["program_lead"])
    ok("gate", "open", unsponsored, "--as", unsponsored_people["program_lead"])

    measured = shares()
    assert measured["funding.production_owner"] == (1, 2, (orphan,))
    assert measured["operations.production_ops_owner"] == (1, 2, (orphan,))
    assert measured["operations.production_monitored"] == (0, 2, (owned, orphan))  # no series reports
    assert measured["measurement.defined_before_production"] == (1, 2, (orphan,))
    assert measured["measurement.outcome_targets"] == (1, 2, (orphan,))
    assert measured["funding.pilots_within_duration"] == (0, 1, (zombie,))
    assert measured["measurement.named_sponsor"] == (4, 5, (unsponsored,))
    assert measured["governance.decisions_on_time"] == (1, 1, ())
    assert measured["governance.open_reviews_staffed"] == (0, 1, (f"{unsponsored} (Gate 1: sponsor)",))
    assert measured["change.adoption_at_threshold"][1] == 0  # nothing reported: not measurable, not zero
    # as of 95 days ago neither was in production yet, and the stage history says so
    before = shares(now - timedelta(days=95))
    assert before["funding.production_owner"][1] == 0 and before["funding.pilots_within_duration"] == (1, 1, ())


def answers_file(directory: Path, answers: object, name: str = "answers.yaml") -> Path:
    path = directory / name
    path.write_text(yaml.safe_dump(answers) if name.endswith(".yaml") else json.dumps(answers), encoding="utf-8")
    return path


ALL_TWOS = dict.fromkeys(QUESTIONS, 2)


def test_assess_show_and_history_through_the_cli(home: Path, tmp_path: Path) -> None:
    _, people = use_case(roles=("program_lead", "sponsor"))
    lead = people["program_lead"]
    printed = ok("maturity", "assess", "--answers", str(answers_file(tmp_path, ALL_TWOS)), "--as", lead)
    assert "Maturity level 3 — Governed (overall 50/100)" in printed and "Gaps to close" in printed
    nested = {"answers": {**ALL_TWOS, "governance.named_approvers": 4}}
    second = json.loads(
        ok("maturity", "assess", "--answers", str(answers_file(tmp_path, nested, "a.json")), "--as", lead, "--json")
    )
    assert second["answers"]["governance.named_approvers"] == 4 and second["taken_by"] == lead
    assert {c["id"]: c["questionnaire"] for c in second["capabilities"]}["governance"] == 60
    sponsor = {s["id"]: s for s in second["signals"]}["measurement.named_sponsor"]
    assert (sponsor["met"], sponsor["of"], sponsor["value"]) == (1, 1, 1.0)
    assert {s["id"]: s for s in second["signals"]}["funding.production_owner"]["measurable"] is False

    shown = json.loads(ok("maturity", "show", "--json"))
    assert shown["id"] == second["id"] and shown["gaps"] == second["gaps"] and shown["level"]["number"] == 3
    assert "Gaps to close" in ok("maturity", "show")
    history = json.loads(ok("maturity", "history", "--json"))
    assert [h["id"] for h in history] == [second["id"] - 1, second["id"]]
    assert "Governed" in ok("maturity", "history")
    events = [e for e in json.loads(ok("audit", "log", "--json")) if e["action"] == "maturity.assessed"]
    assert len(events) == 2 and events[-1]["actor"] == lead and events[-1]["after"]["level"] == 3
    questions = json.loads(ok("maturity", "questions", "--json"))
    assert sum(len(c["questions"]) for c in questions["capabilities"]) == len(QUESTIONS)
    assert "funding.budget_transition" in ok("maturity", "questions")


def test_bad_answers_files_are_refused_with_one_clear_line_and_nothing_is_stored(home: Path, tmp_path: Path) -> None:
    missing = {k: v for k, v in ALL_TWOS.items() if k != "change.training"}
    malformed = tmp_path / "broken.yaml"
    malformed.write_text("funding.budget_transition: 2\n  change.training: [3\n", encoding="utf-8")
    cases = [
        (answers_file(tmp_path, {**ALL_TWOS, "funding.budgets": 2}, "u.yaml"), "funding.budgets: is not a question"),
        (answers_file(tmp_path, {**ALL_TWOS, "operations.on_call": 7}, "r.yaml"), "operations.on_call: 7 is out of"),
        (answers_file(tmp_path, {**ALL_TWOS, "change.training": "two"}, "w.yaml"), "change.training: 'two' is not"),
        (answers_file(tmp_path, missing, "m.yaml"), "1 question(s) unanswered: change.training"),
        (malformed, "broken.yaml is not valid YAML or JSON at line 2"),
        (answers_file(tmp_path, ["funding.budget_transition"], "l.yaml"), "expected a mapping of question id"),
        (tmp_path / "nowhere.yaml", "nowhere.yaml: no such file"),
    ]
    for path, why in cases:
        refused = cli("maturity", "assess", "--answers", str(path), "--as", "lead@example.org")
        assert refused.code == 1, (path, refused.output)
        assert refused.stderr.startswith("error: ") and why in refused.stderr, refused.stderr
        assert refused.stderr.count("\n") == 1 and "Traceback" not in refused.output
    without_actor = cli("maturity", "assess", "--answers", str(answers_file(tmp_path, ALL_TWOS)))
    assert without_actor.code == 1 and "--as EMAIL is required" in without_actor.stderr
    assert json.loads(ok("maturity", "history", "--json")) == []
    nothing = cli("maturity", "show")
    assert nothing.code == 3 and "no readiness assessment has been recorded yet" in nothing.stderr
    assert not [e for e in json.loads(ok("audit", "log", "--json")) if e["action"] == "maturity.assessed"]
