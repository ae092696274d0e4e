"""The AI operations rules without a database: validation, the state as of a moment, MTTR,
retraining due, the ML Test Score rubric and the three computed checks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from pilotgate.operations import criteria, readiness, rules
from pilotgate.operations.criteria import Handover
from pilotgate.operations.rules import (
    Cadence,
    Drill,
    Incident,
    Monitoring,
    OnCall,
    Records,
    Retraining,
    Runbook,
    Team,
)

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
EARLIER = NOW - timedelta(days=30)
LEAD, MEMBER, ENGINEER = "lead@example.org", "member@example.org", "engineer@example.org"


def team(kind: str = "business_unit", *, at: datetime = EARLIER, name: str = "Claims Ops") -> Team:
    return Team(1, name, "Claims", kind, LEAD, frozenset({MEMBER}), at)


def incident(
    id: int, days: float, *, by: str = LEAD, side: str = "owning_team", severity: str = "sev3", hours: float | None = 2
) -> Incident:
    opened = NOW - timedelta(days=days)
    resolved = opened + timedelta(hours=hours) if hours is not None else None
    return Incident(id, severity, f"incident {id}", opened, resolved, by, side)


def all_marked(status: str = "manual", per_section: int = 2) -> dict[str, str]:
    return {c.id: status for s in readiness.SECTIONS for c in s.checks[:per_section]}


def ready_records(**changes: object) -> Records:
    """Records that meet operations.ready, owned (with a handover) and sustainable."""
    base = Records(
        teams=[team()],
        oncall=[OnCall(1, LEAD, 1, TODAY - timedelta(days=20), None, EARLIER),
                OnCall(2, MEMBER, 2, TODAY - timedelta(days=20), None, EARLIER)],
        runbooks=[Runbook(1, None, "https://wiki.example.org/rb", TODAY - timedelta(days=3), EARLIER)],
        monitoring=[Monitoring(1, "SLO dashboards", True, True, 7, EARLIER)],
        incidents=[incident(1, 10), incident(2, 5, by=MEMBER)],
        drills=[Drill(1, TODAY - timedelta(days=10), "Rollback", "passed", (LEAD,), EARLIER)],
        cadences=[Cadence(30, EARLIER)],
        retrainings=[Retraining(1, TODAY - timedelta(days=5), True, EARLIER)],
        drift_notes=1,
        marks=all_marked(),
    )  # fmt: skip
    return replace(base, **changes)


def state(**changes: object) -> rules.State:
    return rules.as_of(ready_records(**changes), NOW)


HANDOVER = Handover(EARLIER, LEAD, "Claims Ops")


def facts(result: criteria.CheckResult) -> dict[str, object]:
    listed = result.detail["facts"]
    assert isinstance(listed, list)
    return {f["label"]: f["ok"] for f in listed}


# ---------------------------------------------------------------- validation


def test_days_and_moments_parse_or_say_what_is_expected() -> None:
    assert rules.parse_day("2027-01-31") == date(2027, 1, 31)
    assert rules.parse_day(NOW) == TODAY
    with pytest.raises(ValueError, match="is not a date like 2027-01-31"):
        rules.parse_day("31/01/2027")
    assert rules.parse_moment("2027-01-31T14:05") == datetime(2027, 1, 31, 14, 5, tzinfo=UTC)
    assert rules.parse_moment("2027-01-31T14:05:00+02:00") == datetime(2027, 1, 31, 12, 5, tzinfo=UTC)
    assert rules.parse_moment("2027-01-31T14:05Z").tzinfo == UTC
    with pytest.raises(ValueError, match="is not a moment like 2027-01-31T14:05"):
        rules.parse_moment("yesterday at noon")


def test_choices_cadence_urls_and_orderings() -> None:
    assert rules.parse_choice("SEV2", rules.SEVERITIES, "severity") == "sev2"
    assert rules.parse_choice("1", rules.SEVERITIES, "severity") == "sev1"
    assert rules.parse_choice("business-unit", rules.TEAM_KINDS, "team kind") == "business_unit"
    with pytest.raises(ValueError, match="'sev5' is not a severity; use one of sev1, sev2, sev3, sev4"):
        rules.parse_choice("sev5", rules.SEVERITIES, "severity")
    assert rules.parse_cadence("30") == 30
    for bad, message in (("0", "not between 1 and 3650"), ("4000", "not between"), ("monthly", "not a number")):
        with pytest.raises(ValueError, match=message):
            rules.parse_cadence(bad)
    assert rules.url_problem("https://wiki.example.org/x") is None
    assert rules.url_problem("javascript:alert(1)") is not None
    assert rules.url_problem("https://wiki.example.org/a b") is not None
    assert rules.period_problem(TODAY, None) is None
    assert rules.period_problem(TODAY, TODAY - timedelta(days=1)) == (
        f"the rotation ends on {TODAY - timedelta(days=1)}, before it starts on {TODAY}"
    )
    assert rules.not_after(TODAY + timedelta(days=1), TODAY, "the drill on") is not None
    opened = NOW - timedelta(hours=3)
    assert rules.resolution_problem(opened, opened - timedelta(minutes=1), NOW) is not None
    assert "in the future" in (rules.resolution_problem(opened, NOW + timedelta(minutes=1), NOW) or "")
    assert rules.resolution_problem(opened, opened, NOW) is None


# ---------------------------------------------------------------- the state as of a moment


def test_the_state_counts_only_what_was_known_and_due_then() -> None:
    later = NOW + timedelta(days=1)
    records = ready_records(
        teams=[team("ai_programme", at=EARLIER - timedelta(days=100), name="AI Ops"), team(), team(at=later)],
        oncall=[
            OnCall(1, ENGINEER, 1, TODAY - timedelta(days=90), TODAY - timedelta(days=1), EARLIER),  # ended
            OnCall(2, MEMBER, 2, TODAY, TODAY, EARLIER),
            OnCall(3, LEAD, 1, TODAY + timedelta(days=1), None, EARLIER),  # not yet
            OnCall(4, LEAD, 1, TODAY, None, later),  # not known yet
        ],
        drills=[Drill(2, TODAY + timedelta(days=2), "future", "passed", (LEAD,), EARLIER)],
        incidents=[incident(1, -1)],  # opens tomorrow
    )
    found = rules.as_of(records, NOW)
    assert found.team == team()  # the newest known by now, not the one recorded tomorrow
    assert [e.id for e in found.on_call] == [2]
    assert found.drills == () and found.incidents == ()
    assert rules.as_of(records, EARLIER - timedelta(days=1)).team is not None
    assert rules.as_of(records, EARLIER - timedelta(days=1)).team.is_programme


def test_of_settings_recorded_at_the_same_moment_the_last_written_counts() -> None:
    first, second = team(name="First"), team(name="Second")
    assert rules.as_of(ready_records(teams=[first, second]), NOW).team == second
    assert rules.as_of(ready_records(teams=[second, first]), NOW).team == first


def test_retraining_is_due_a_cadence_after_the_last_one() -> None:
    set_at = NOW - timedelta(days=50)
    nothing = rules.retraining_due([], [], NOW)
    assert (nothing.cadence_days, nothing.next_due, nothing.overdue) == (None, None, False)
    never = rules.retraining_due([Cadence(30, set_at)], [], NOW)
    assert never.next_due == set_at.date() + timedelta(days=30) and never.overdue and never.days_overdue == 20
    done = [
        Retraining(1, TODAY - timedelta(days=40), False, EARLIER),
        Retraining(2, TODAY - timedelta(days=10), True, EARLIER),
    ]
    due = rules.retraining_due([Cadence(30, set_at)], done, NOW)
    assert due.last == done[1] and due.next_due == TODAY + timedelta(days=20) and not due.overdue
    changed = rules.retraining_due([Cadence(30, set_at), Cadence(7, NOW - timedelta(days=1))], done, NOW)
    assert changed.cadence_days == 7 and changed.overdue and changed.days_overdue == 3
    on_the_day = rules.retraining_due([Cadence(10, set_at)], done, NOW)
    assert on_the_day.next_due == TODAY and not on_the_day.overdue


def test_mttr_is_the_mean_over_incidents_resolved_in_the_window() -> None:
    incidents = [
        incident(1, 5, hours=1),
        incident(2, 20, hours=3),
        incident(3, 200, hours=100),  # resolved long before the window
        incident(4, 1, hours=None),  # still open
        incident(5, 0.01, hours=2),  # resolves in the future: open now
    ]
    found = rules.mttr(incidents, NOW)
    assert (found.resolved, found.minutes, found.open) == (2, 120.0, 2)
    assert found.shown() == "2 h"
    assert rules.mttr([], NOW).shown() == "—"
    assert [rules.duration(m) for m in (45, 200, 60 * 49, 60 * 72)] == ["45 min", "3 h 20 min", "2 d 1 h", "3 d"]


# ---------------------------------------------------------------- the rubric


def test_the_score_is_the_minimum_of_section_sums() -> None:
    empty = readiness.score({})
    assert empty["score"] == 0 and len(empty["weakest"]) == 4 and not empty["ready"]
    assert empty["band"] == "more of a research project than a productionised system"
    marks = {**all_marked("manual", 2), "data.privacy": "automated", "monitoring.skew": "automated"}
    scored = readiness.score(marks)
    by_section = {s["id"]: s["score"] for s in scored["sections"]}
    assert by_section == {"data": 2.0, "model": 1.0, "infrastructure": 1.0, "monitoring": 2.0}
    assert scored["score"] == 1.0 and scored["weakest"] == ["model", "infrastructure"] and scored["ready"]
    assert readiness.score(all_marked("manual", 1))["score"] == 0.5
    assert readiness.score(all_marked("automated", 7))["band"] == "exceptional automated testing and monitoring"
    assert [readiness.band(x) for x in (0, 0.5, 1.5, 2.5, 4, 6)] == [b for _, b in readiness.BANDS]


def test_derived_checks_raise_a_recorded_status_never_lower_it() -> None:
    signals = readiness.Signals(
        alerting=True, automated_monitoring_with_connector=True, cadence_set=True, retraining_on_cadence=True,
        last_retraining_automated=True, passed_drill_recently=True, drift_notes=True,
    )  # fmt: skip
    derived = readiness.derive(signals)
    assert {k: v.status for k, v in derived.items()} == {
        "monitoring.computing_performance": "automated",
        "monitoring.staleness": "automated",
        "infrastructure.reproducible_training": "automated",
        "infrastructure.rollback": "manual",
        "model.staleness_impact": "manual",
    }
    by_hand = readiness.derive(readiness.Signals(alerting=True, retraining_on_cadence=True, cadence_set=True))
    assert by_hand["monitoring.computing_performance"].status == "manual"
    assert by_hand["monitoring.staleness"].status == "manual" and "model.staleness_impact" not in by_hand
    assert readiness.derive(readiness.Signals()) == {}
    scored = readiness.score({"infrastructure.rollback": "automated"}, derived)
    rollback = next(c for s in scored["sections"] for c in s["checks"] if c["id"] == "infrastructure.rollback")
    assert (rollback["recorded"], rollback["derived"], rollback["status"], rollback["points"]) == (
        "automated", "manual", "automated", 1.0,
    )  # fmt: skip


def test_checks_and_statuses_parse() -> None:
    assert readiness.parse_check("data.schema") == "data.schema"
    assert readiness.parse_check(" Schema ") == "data.schema"
    assert readiness.parse_status("auto") == "automated" and readiness.parse_status("Not-done") == "not_done"
    with pytest.raises(ValueError, match="is not a readiness check"):
        readiness.parse_check("vibes")
    with pytest.raises(ValueError, match="use one of not_done, manual, automated"):
        readiness.parse_status("mostly")
    assert len(readiness.CHECKS) == 28 and all(len(s.checks) == 7 for s in readiness.SECTIONS)


# ---------------------------------------------------------------- operations.ready


def test_ready_when_every_piece_is_in_place() -> None:
    result = criteria.ready(state(), "UC-1")
    assert result.status == "met", result.note
    assert all(facts(result).values()) and result.detail["section"] == "#h-operations"
    assert "an escalation path of 2 people" in result.note


@pytest.mark.parametrize(
    ("changes", "missing"),
    [
        ({"monitoring": []}, "no monitoring is recorded"),
        ({"monitoring": [Monitoring(1, "dash", False, False, None, EARLIER)]}, "has no alerting configured"),
        ({"oncall": [OnCall(1, LEAD, 1, TODAY, None, EARLIER)]}, "today's on-call has 1 person(s)"),
        ({"oncall": [OnCall(1, LEAD, 1, TODAY, None, EARLIER), OnCall(2, MEMBER, 1, TODAY, None, EARLIER)]},
         "2 person(s) over 1 escalation level(s)"),
        ({"runbooks": []}, "no runbook is recorded"),
        ({"drills": [Drill(1, TODAY - timedelta(days=91), "old", "passed", (LEAD,), EARLIER)]},
         "no incident-response drill passed since"),
        ({"drills": [Drill(1, TODAY, "today", "failed", (LEAD,), EARLIER)]}, "no incident-response drill passed"),
        ({"marks": all_marked("manual", 1)}, "the ML Test Score is 0.5, under 1"),
    ],
)  # fmt: skip
def test_not_ready_says_what_is_missing(changes: dict[str, object], missing: str) -> None:
    result = criteria.ready(state(**changes), "UC-1")
    assert result.status == "not_met" and missing in result.note, result.note
    assert list(facts(result).values()).count(False) == 1


def test_a_drill_exactly_ninety_days_ago_still_counts() -> None:
    drills = [Drill(1, TODAY - timedelta(days=90), "edge", "passed", (LEAD,), EARLIER)]
    assert criteria.ready(state(drills=drills)).status == "met"


# ---------------------------------------------------------------- operations.owned


def test_owned_needs_a_non_programme_team_its_own_on_call_and_the_handover() -> None:
    assert criteria.owned(state(), HANDOVER, "UC-1").status == "met"
    by_unit = Handover(EARLIER, LEAD, "Somewhere else", business_unit="claims")
    assert criteria.owned(state(), by_unit).status == "met"  # the business unit names the team too
    cases = [
        (state(), None, "no accepted ownership handover is recorded"),
        (state(), Handover(NOW + timedelta(hours=1), LEAD, "Claims Ops"), "no accepted ownership handover"),
        (state(), Handover(EARLIER, LEAD, "Fraud Ops"), "names Fraud Ops, not the owning team Claims Ops"),
        (state(teams=[team("ai_programme")]), HANDOVER, "is the AI programme itself"),
        (state(teams=[]), HANDOVER, "no owning team is recorded"),
        (state(oncall=[OnCall(1, ENGINEER, 1, TODAY, None, EARLIER)]), HANDOVER, f"{ENGINEER} on call today is not in"),
        (state(oncall=[]), HANDOVER, "nobody is on call today"),
    ]  # fmt: skip
    for found, handover, missing in cases:
        result = criteria.owned(found, handover, "UC-1")
        assert result.status == "not_met" and missing in result.note, (missing, result.note)


# ---------------------------------------------------------------- operations.sustainable


def test_sustainable_looks_at_the_last_three_incidents_of_ninety_days() -> None:
    assert criteria.sustainable(state()).status == "met"
    assert criteria.sustainable(state(incidents=[])).status == "met"  # no incident in 90 days holds
    older = [incident(1, 95, by=ENGINEER, side="ai_programme")] + [incident(i, i) for i in (2, 3, 4)]
    assert criteria.sustainable(state(incidents=older)).status == "met"  # outside the window
    fourth = [incident(1, 30, by=ENGINEER, side="ai_programme")] + [incident(i, i) for i in (2, 3, 4)]
    assert criteria.sustainable(state(incidents=fourth)).status == "met"  # not among the last three
    third = [incident(1, 3, by=ENGINEER, side="ai_programme")] + [incident(i, i + 5) for i in (2, 3)]
    result = criteria.sustainable(state(incidents=third), "UC-1")
    assert result.status == "not_met" and "incident(s) #1 of the last 3 were handled by the AI programme" in result.note


@pytest.mark.parametrize(
    ("changes", "missing"),
    [
        ({"teams": [team("ai_programme")]}, "the AI programme still owns it"),
        ({"cadences": []}, "no retraining cadence is set"),
        ({"retrainings": [Retraining(1, TODAY - timedelta(days=31), True, EARLIER)]}, "retraining is overdue since"),
        ({"monitoring": [Monitoring(1, "dash", True, False, None, EARLIER)]}, "monitoring is not automated"),
        ({"incidents": [incident(1, 1, severity="sev2", hours=None)]}, "#1 sev2 incident 1 is still open"),
    ],
)
def test_not_sustainable_says_why(changes: dict[str, object], missing: str) -> None:
    result = criteria.sustainable(state(**changes), "UC-1")
    assert result.status == "not_met" and missing in result.note, result.note


def test_an_open_sev3_does_not_block_sustainability_but_its_team_still_counts() -> None:
    assert criteria.sustainable(state(incidents=[incident(1, 1, severity="sev3", hours=None)])).status == "met"


def test_the_rubric_as_of_a_state_uses_the_derived_checks() -> None:
    score = criteria.rubric(state(marks={}))
    derived = {c["id"] for s in score["sections"] for c in s["checks"] if c["derived"]}
    assert derived == {
        "monitoring.computing_performance",
        "monitoring.staleness",
        "infrastructure.reproducible_training",
        "infrastructure.rollback",
        "model.staleness_impact",
    }
    assert score["score"] == 0.0  # data has nothing derived: the minimum stays 0
