"""The stalled rules, without a database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from pilotgate.policy import shipped_policy
from pilotgate.policy.model import InactiveRule, LowAdoptionRule, StalledRules, Toggle
from pilotgate.portfolio.stalled import Facts, findings_for

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
POLICY = shipped_policy()


def facts(**changes: object) -> Facts:
    base: dict[str, object] = {
        "key": "UC-0001",
        "title": "Claims triage",
        "business_unit": "Claims",
        "stage": "pilot",
        "status": "active",
        "stage_entered_at": NOW - timedelta(days=30),
        "roles": frozenset({"sponsor", "program_lead"}),
        "last_activity": NOW - timedelta(days=3),
    }
    base.update(changes)
    return Facts(**base)  # type: ignore[arg-type]


def rules_of(found: list) -> list[str]:  # type: ignore[type-arg]
    return [f.rule for f in found]


def test_a_healthy_use_case_has_no_finding() -> None:
    assert findings_for(POLICY, facts(), NOW) == []


def test_past_the_stage_maximum_with_a_dated_review() -> None:
    [finding] = findings_for(POLICY, facts(stage_entered_at=NOW - timedelta(days=113)), NOW)
    assert finding.rule == "overdue_stage" and "113 days in Pilot, past the 112 days" in finding.explanation
    assert (
        finding.review_due == date(2026, 12, 11) and "kill-or-commit review of UC-0001 by 2026-12-11" in finding.action
    )
    assert findings_for(POLICY, facts(stage_entered_at=NOW - timedelta(days=112)), NOW) == []


def test_operational_stages_are_never_overdue_but_need_an_owner() -> None:
    live = facts(stage="production", stage_entered_at=NOW - timedelta(days=400))
    assert rules_of(findings_for(POLICY, live, NOW)) == ["missing_owner"]
    owned = facts(
        stage="production", stage_entered_at=NOW - timedelta(days=400), roles=frozenset({"sponsor", "bu_head"})
    )
    assert findings_for(POLICY, owned, NOW) == []


def test_no_sponsor_inactivity_conditions_and_waivers() -> None:
    found = findings_for(
        POLICY,
        facts(
            roles=frozenset({"program_lead"}),
            last_activity=NOW - timedelta(days=61),
            overdue_conditions=(("Brief the managers", date(2026, 11, 1)),),
            expired_waivers=(("risk", date(2026, 11, 20)),),
        ),
        NOW,
    )
    assert rules_of(found) == ["missing_owner", "inactive", "conditions_past_due", "waivers_expired"]
    assert "61 days" in found[1].explanation and "Brief the managers" in found[2].explanation


def test_rules_can_be_switched_off_and_tuned() -> None:
    quiet = POLICY.model_copy(
        update={"stalled": StalledRules(overdue_stage=Toggle(enabled=False), inactive=InactiveRule(days=365))}
    )
    old = facts(stage_entered_at=NOW - timedelta(days=300), last_activity=NOW - timedelta(days=300))
    assert findings_for(quiet, old, NOW) == []
    assert rules_of(findings_for(POLICY, old, NOW)) == ["overdue_stage", "inactive"]


def test_stopped_and_retired_use_cases_are_not_judged() -> None:
    for status in ("stopped", "retired"):
        assert findings_for(POLICY, facts(status=status, roles=frozenset()), NOW) == []


def test_pilot_adoption_under_the_threshold_for_the_rule_s_weeks() -> None:
    stuck = facts(weekly_adoption=(0.41, 0.38, 0.35, 0.33))
    [finding] = findings_for(POLICY, stuck, NOW)
    assert finding.rule == "low_adoption"
    assert "under the 60% threshold in each of the last 4 weeks (latest 33%)" in finding.explanation
    # one good week in the last four, or fewer weeks of data than the rule asks for: no finding
    assert findings_for(POLICY, facts(weekly_adoption=(0.41, 0.62, 0.35, 0.33)), NOW) == []
    assert findings_for(POLICY, facts(weekly_adoption=(0.35, 0.33, 0.30)), NOW) == []
    live = facts(stage="production", roles=frozenset({"sponsor", "bu_head"}), weekly_adoption=(0.1,) * 4)
    assert findings_for(POLICY, live, NOW) == []
    off = POLICY.model_copy(
        update={"stalled": POLICY.stalled.model_copy(update={"low_adoption": LowAdoptionRule(enabled=False)})}
    )
    assert findings_for(off, stuck, NOW) == []


def test_past_the_funding_gate_without_a_pathway() -> None:
    why = "no operational budget line and no approved transition"
    [finding] = findings_for(POLICY, facts(no_funding_pathway=why), NOW)
    assert finding.rule == "no_funding_pathway"
    assert finding.explanation == f"passed Gate 2: POC → Pilot but no production funding pathway is recorded: {why}"
    off = POLICY.model_copy(
        update={"stalled": POLICY.stalled.model_copy(update={"no_funding_pathway": Toggle(enabled=False)})}
    )
    assert findings_for(off, facts(no_funding_pathway=why), NOW) == []
