"""Handover, hypercare and scale rules without a database: the checklist, the document, the hypercare
period and its staleness grace, the policy's hypercare settings, the reuse summary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pilotgate.errors import PolicyError
from pilotgate.evidence.rules import to_ms
from pilotgate.handover import rules
from pilotgate.handover.rules import HandoverFacts, HypercareStatus, ItemFacts
from pilotgate.policy.loader import load_policy_text, shipped_policy, shipped_policy_text
from pilotgate.scale import rules as scale

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def test_acceptance_needs_every_item_done_and_says_which_are_missing() -> None:
    assert list(rules.ITEMS) == ["runbook", "monitoring", "on_call", "retraining", "access", "knowledge_transfer"]
    assert rules.acceptance_problem(dict.fromkeys(rules.ITEMS, True)) is None
    done = {**dict.fromkeys(rules.ITEMS, True), "on_call": False}
    del done["access"]  # never ticked counts as not done
    problem = rules.acceptance_problem(done)
    assert problem == "2 of 6 handover items are not done: on_call (on-call rotation), access (access and credentials)"
    assert rules.missing_items({}) == list(rules.ITEMS)


def test_items_and_roles_are_checked_by_name() -> None:
    assert rules.item_problem("runbook") is None
    assert rules.item_problem("pager") == (
        "'pager' is not a handover item; one of runbook, monitoring, on_call, retraining, access, knowledge_transfer"
    )
    assert rules.role_problem("bu_head", ["sponsor", "bu_head"], "accept") is None
    assert rules.role_problem("bu_head", ["sponsor"], "accept it") == "only the use case's bu_head may accept it"


def facts(**changes: object) -> HandoverFacts:
    values: dict[str, object] = {
        "id": 7,
        "key": "UC-0042",
        "title": "Invoice triage",
        "use_case_unit": "Finance",
        "team": "Finance Systems Operations",
        "business_unit": "Finance",
        "ops_owner": "Kofi Mensah <kofi@example.org>",
        "proposed_by": "lead@example.org",
        "proposed_at": NOW - timedelta(days=20),
        "accepted_by": "head@example.org",
        "accepted_at": NOW,
        "items": [
            ItemFacts("runbook", True, "kofi@example.org", NOW - timedelta(days=3), "wiki | runbook\nv2"),
            ItemFacts("monitoring", True, "kofi@example.org", NOW - timedelta(days=2)),
        ],
        "note": "AI programme on call for model issues.",
    }
    values.update(changes)
    return HandoverFacts(**values)  # type: ignore[arg-type]


def test_the_document_names_who_owns_what_since_when() -> None:
    text = rules.document(facts())
    assert text.startswith("# Operations ownership transfer: UC-0042 Invoice triage\n")
    assert "**Finance Systems Operations** (Finance), which owns and operates the system from 2026-11-28 on" in text
    assert "| Accepted | 2026-11-28 by head@example.org (business-unit head) |" in text
    assert "| Proposed | 2026-11-08 by lead@example.org (AI programme lead) |" in text
    # a pipe or a line break in a note cannot break the table
    assert "| Operations runbook | yes, 2026-11-25 | kofi@example.org | wiki \\| runbook v2 |" in text
    assert "| Monitoring and alerting | yes, 2026-11-26 | kofi@example.org | — |" in text
    assert "## Notes\n\nAI programme on call for model issues." in text
    assert "## Notes" not in rules.document(facts(note=""))


def test_hypercare_lasts_the_policy_days_from_entering_production() -> None:
    entered = NOW - timedelta(days=10)
    assert rules.hypercare_until(entered, 30) == NOW + timedelta(days=20)
    assert rules.in_hypercare(entered, NOW, 30)
    assert not rules.in_hypercare(entered, NOW, 10)  # the period ends on the dot
    assert rules.in_hypercare(entered, NOW, 11)
    assert not rules.in_hypercare(None, NOW, 30)
    assert not rules.in_hypercare(NOW + timedelta(hours=1), NOW, 30)


def test_staleness_in_hypercare_uses_the_smaller_grace() -> None:
    now_ms = to_ms(NOW)
    hourly = 3600
    last = to_ms(NOW - timedelta(minutes=80))  # an hourly series 80 minutes quiet
    assert rules.stale_breach("uptime", last, hourly, now_ms, ratio=0.25, min_grace=15 * 60) == (
        "series uptime has no point since 2026-11-28T10:40Z (cadence 1h, hypercare grace)"
    )
    assert rules.stale_breach("uptime", last, hourly, now_ms, ratio=0.5, min_grace=3600) is None  # normal grace
    assert rules.stale_breach("uptime", None, hourly, now_ms, ratio=0.25, min_grace=900) is None  # missing, not stale
    assert rules.stale_breach("f1", last, None, now_ms, ratio=0.25, min_grace=900) is None  # no cadence


def test_a_hypercare_status_reads_as_one_line() -> None:
    quiet = HypercareStatus(1, "UC-0001", "Chatbot", NOW, NOW + timedelta(days=30))
    assert quiet.text() == "in hypercare until 2026-12-28: no breach"
    loud = HypercareStatus(1, "UC-0001", "Chatbot", NOW, NOW + timedelta(days=30), ("uptime low", "sev1 open"))
    assert loud.text() == "in hypercare until 2026-12-28, 2 breaches: uptime low; sev1 open"
    assert loud.as_dict()["breaches"] == ["uptime low", "sev1 open"]


def test_the_shipped_policy_sets_hypercare_and_a_bad_setting_names_its_key() -> None:
    care = shipped_policy().hypercare
    assert (care.days, care.window, care.min_grace, care.incident_severities) == (30, "1d", "15m", ("sev1", "sev2"))
    text = shipped_policy_text()
    for bad, fragment in (
        ("window: 1d", "window: 45d"),
        ("days: 30", "days: 0"),
        ("window: 1d", "window: soon"),
        ("grace_ratio: 0.25", "grace_ratio: -1"),
    ):
        with pytest.raises(PolicyError) as raised:
            load_policy_text(text.replace(bad, fragment, 1))
        assert any(problem.startswith("hypercare") for problem in raised.value.problems), raised.value.problems
    assert load_policy_text(text.replace("days: 30", "days: 90", 1)).hypercare.days == 90


def test_reuse_is_summarised_over_the_assessed_capabilities() -> None:
    assert scale.reuse_summary({}).percent is None
    assert scale.reuse_summary({}).text() == "no capability assessed yet (0 of 7)"
    summary = scale.reuse_summary({"model": "adapted", "data_pipeline": "reused", "runbook": "new", "bogus": "reused"})
    assert summary.percent == 50 and summary.assessed == 3 and summary.total == 7
    assert summary.counts == {"reused": 1, "adapted": 1, "new": 1}
    assert summary.missing == ("infrastructure", "monitoring", "training_material", "integration")
    assert summary.text().startswith("50% reuse over 3 of 7 capabilities (1 reused, 1 adapted, 1 new); not assessed:")
    everything = scale.reuse_summary(dict.fromkeys(scale.COMPONENTS, "reused"))
    assert everything.percent == 100 and everything.missing == ()


def test_only_a_use_case_in_production_is_expanded() -> None:
    assert scale.parent_problem("UC-1", "production", True, "active") is None
    assert "must be in production or scale" in str(scale.parent_problem("UC-1", "pilot", False, "active"))
    assert scale.parent_problem("UC-1", "scale", True, "stopped") == (
        "UC-1 is stopped; only a use case that runs in production is expanded"
    )
    assert scale.kind_problem("geography") is None
    assert scale.kind_problem("planet") == (
        "'planet' is not a kind of expansion; one of geography, business_unit, adjacent_application"
    )
    assert scale.status_problem("borrowed") == "'borrowed' is not a reuse status; one of reused, adapted, new"
    assert scale.component_problem("model") is None
