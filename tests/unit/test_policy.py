"""The shipped policy encodes the framework exactly; a malformed policy names every offending key."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from pilotgate.errors import PolicyError
from pilotgate.policy import load_policy_text, shipped_policy
from pilotgate.policy.loader import shipped_policy_text

SHIPPED = shipped_policy()
_SHIPPED_DATA: dict[str, Any] = yaml.safe_load(shipped_policy_text())


def shipped_data() -> dict[str, Any]:
    """A fresh, mutable copy of the shipped policy as plain data."""
    return copy.deepcopy(_SHIPPED_DATA)


def problems_of(text: str) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        load_policy_text(text, "test-policy")
    assert caught.value.source == "test-policy"
    problems: list[str] = caught.value.problems
    assert problems, "a PolicyError always lists at least one problem"
    return problems


def problems_after(change: Callable[[dict[str, Any]], object]) -> list[str]:
    """The problems reported once ``change`` has edited a copy of the shipped policy."""
    data = shipped_data()
    change(data)
    return problems_of(yaml.safe_dump(data, sort_keys=False))


# The shipped policy


def test_the_shipped_policy_loads_with_its_name() -> None:
    assert SHIPPED.name == "pilotgate-default"
    assert SHIPPED.risk_tiers == ("low", "medium", "high", "critical")
    assert SHIPPED.default_risk_tier == "medium"


def test_stages_run_discovery_poc_pilot_production_scale() -> None:
    assert SHIPPED.stage_ids() == ["discovery", "poc", "pilot", "production", "scale"]
    assert SHIPPED.first_stage().id == "discovery"
    assert SHIPPED.earlier_stages("pilot") == ["discovery", "poc"]


@pytest.mark.parametrize(
    ("stage_id", "min_weeks", "max_weeks", "described"),
    [
        ("discovery", 2, 4, "2–4 weeks"),
        ("poc", 4, 8, "4–8 weeks"),
        ("pilot", 8, 16, "8–16 weeks"),
        ("production", 4, 8, "4–8 weeks"),
        ("scale", 0, None, "open-ended"),
    ],
)
def test_expected_durations(stage_id: str, min_weeks: int, max_weeks: int | None, described: str) -> None:
    stage = SHIPPED.stage(stage_id)
    assert stage is not None
    assert (stage.expected_duration.min_weeks, stage.expected_duration.max_weeks) == (min_weeks, max_weeks)
    assert stage.expected_duration.describe() == described


def test_roles() -> None:
    assert SHIPPED.role_ids() == [
        "sponsor",
        "program_lead",
        "technical_lead",
        "cio_cto",
        "bu_head",
        "risk_compliance",
        "ops_owner",
    ]


def test_each_gate_leads_from_one_stage_to_the_next() -> None:
    assert [(g.number, g.from_stage, g.to_stage) for g in SHIPPED.gates] == [
        (1, "discovery", "poc"),
        (2, "poc", "pilot"),
        (3, "pilot", "production"),
        (4, "production", "scale"),
    ]
    assert SHIPPED.gate_from("scale") is None


GATE_CONTENTS = {
    1: (
        ["business_value", "data_availability", "process_maturity", "risk", "sponsorship"],
        [
            "use_case_scorecard",
            "data_availability_assessment",
            "preliminary_risk_assessment",
            "business_value_hypothesis",
        ],
        ["program_lead", "sponsor"],
    ),
    2: (
        ["technical_performance", "data_quality", "user_validation", "production_feasibility", "funding_commitment"],
        [
            "model_performance_report",
            "data_quality_assessment",
            "user_validation_summary",
            "production_architecture_design",
            "updated_business_case",
        ],
        ["program_lead", "technical_lead", "sponsor"],
    ),
    3: (
        [
            "system_stability",
            "adoption",
            "outcome_evidence",
            "operations_readiness",
            "production_funding",
            "change_management",
        ],
        [
            "pilot_outcomes_report",
            "adoption_metrics",
            "operations_runbook",
            "production_funding_approval",
            "change_management_summary",
            "updated_risk_assessment",
        ],
        ["program_lead", "cio_cto", "bu_head", "risk_compliance"],
    ),
    4: (
        ["adoption_at_scale", "outcome_delivery", "operations_ownership", "measurement", "sustainability"],
        ["full_production_adoption_metrics", "business_outcome_tracking_report", "operations_ownership_transfer"],
        ["bu_head", "program_lead"],
    ),
}


@pytest.mark.parametrize("number", sorted(GATE_CONTENTS))
def test_gate_criteria_artifacts_and_approvers(number: int) -> None:
    criteria, artifacts, approvers = GATE_CONTENTS[number]
    gate = SHIPPED.gate(number)
    assert gate is not None
    assert [c.id for c in gate.criteria] == criteria
    assert [a.id for a in gate.artifacts] == artifacts
    assert [a.role for a in gate.approvers] == approvers
    assert {c.id: c.expression for c in gate.criteria if c.kind == "metric"} == METRIC_CRITERIA.get(number, {})
    assert {c.id: c.check for c in gate.criteria if c.kind == "computed"} == COMPUTED_CRITERIA.get(number, {})
    assert all(c.kind in ("attestation", "metric", "computed") for c in gate.criteria)


# Computed from pilotgate's funding records, not ticked.
COMPUTED_CRITERIA = {
    2: {"funding_commitment": "funding.pathway_identified"},
    3: {
        "production_funding": "funding.production_funded",
        "change_management": "change.complete",
        "operations_readiness": "operations.ready",
    },
    4: {"operations_ownership": "operations.owned", "sustainability": "operations.sustainable"},
}
# Measured, not asserted: the criteria the issue names are expressions over the evidence.
METRIC_CRITERIA = {
    2: {"technical_performance": 'mlflow.metric("f1") >= 0.85'},
    3: {
        "system_stability": 'uptime(window="30d") >= slo.uptime and p95_latency(window="30d") <= slo.latency_ms '
        'and error_rate(window="30d") <= slo.error_rate',
        "adoption": 'adoption_rate(cohort="pilot", window="28d") >= rules.adoption_threshold',
    },
    4: {
        "adoption_at_scale": 'adoption_rate(cohort="full", window="28d") >= adoption_rate(cohort="pilot", window="28d")'
    },
}


def test_risk_compliance_approves_gate_3_only_for_high_and_critical_risk() -> None:
    gate = SHIPPED.gate(3)
    assert gate is not None
    for tier in ("low", "medium"):
        assert gate.required_roles(tier) == ["program_lead", "cio_cto", "bu_head"]
    for tier in ("high", "critical"):
        assert gate.required_roles(tier) == ["program_lead", "cio_cto", "bu_head", "risk_compliance"]


def test_rules() -> None:
    rules = SHIPPED.rules
    assert rules.adoption_threshold == pytest.approx(0.60)
    assert rules.distinct_approvers is True
    assert rules.opener_may_approve is True
    assert rules.uploader_may_approve is True
    assert rules.waiver_max_days == 180
    assert rules.artifact_max_bytes == 25 * 1024 * 1024


# Malformed policies: each problem names the key that causes it


def test_yaml_syntax_error_gives_the_line() -> None:
    text = "name: broken\ntitle: Broken\nstages: [discovery, poc\nroles: []\n"
    [problem] = problems_of(text)
    assert problem.startswith("YAML syntax error at line 4")


@pytest.mark.parametrize("text", ["- a list\n- not a mapping\n", "just a string\n", ""])
def test_a_policy_that_is_not_a_mapping(text: str) -> None:
    assert problems_of(text) == ["(top level): expected a mapping with name, stages, gates, roles"]


def test_unknown_top_level_key() -> None:
    problems = problems_after(lambda d: d.update(colour="blue"))
    assert problems == ["colour: unknown key; remove it or check its spelling"]


def test_unknown_nested_key() -> None:
    problems = problems_after(lambda d: d["gates"][1]["criteria"][0].update(weight=3))
    assert problems == ["gates[1].criteria[0].weight: unknown key; remove it or check its spelling"]


def test_missing_top_level_key() -> None:
    assert problems_after(lambda d: d.pop("risk_tiers")) == ["risk_tiers: required key is missing"]


def test_missing_nested_key() -> None:
    problems = problems_after(lambda d: d["stages"][2].pop("expected_duration"))
    assert problems == ["stages[2].expected_duration: required key is missing"]


def test_wrong_criterion_kind() -> None:
    [problem] = problems_after(lambda d: d["gates"][1]["criteria"][0].update(kind="vibe"))
    assert problem.startswith("gates[1].criteria[0].kind: ")
    assert "'attestation', 'artifact', 'metric' or 'computed'" in problem


def test_gate_referencing_an_unknown_stage() -> None:
    [problem] = problems_after(lambda d: d["gates"][1].update({"to": "launch"}))
    assert problem.startswith("gates[1].to: unknown stage 'launch'")


def test_approver_with_an_unknown_role() -> None:
    [problem] = problems_after(lambda d: d["gates"][2]["approvers"].append({"role": "cfo"}))
    assert problem.startswith("gates[2].approvers[4].role: unknown role 'cfo'")


def test_approver_condition_with_an_unknown_risk_tier() -> None:
    def change(data: dict[str, Any]) -> None:
        data["gates"][2]["approvers"][3]["when"]["risk_tier"] = ["high", "extreme"]

    assert problems_after(change) == ["gates[2].approvers[3].when.risk_tier: unknown tier 'extreme'"]


def test_duplicate_stage_id() -> None:
    def change(data: dict[str, Any]) -> None:
        data["stages"].insert(3, copy.deepcopy(data["stages"][2]))

    assert "stages: 'pilot' is defined more than once" in problems_after(change)


def test_gate_skipping_a_stage() -> None:
    [problem] = problems_after(lambda d: d["gates"][1].update({"to": "production"}))
    assert (
        problem == "gates[1].to: 'production' skips or reverses stages; expected 'pilot', the stage right after 'poc'"
    )


def test_duplicate_keyword_argument_in_an_expression() -> None:
    from pilotgate.policy.expressions import ExpressionError, parse

    with pytest.raises(ExpressionError, match="given 'window' twice"):
        parse('uptime(window="1d", window="2d") >= 99')


def test_stage_without_an_outgoing_gate() -> None:
    [problem] = problems_after(lambda d: d["gates"].pop(3))
    assert problem.startswith("gates: no gate leads out of stage 'production'")


def test_two_gates_leaving_one_stage() -> None:
    def change(data: dict[str, Any]) -> None:
        extra = copy.deepcopy(data["gates"][0])
        extra["number"] = 5
        data["gates"].append(extra)

    assert problems_after(change) == ["gates: more than one gate leads out of stage 'discovery'"]


def test_artifact_criterion_naming_a_missing_artifact() -> None:
    def change(data: dict[str, Any]) -> None:
        data["gates"][0]["criteria"][0].update(kind="artifact", artifact="crystal_ball")

    assert problems_after(change) == [
        "gates[0].criteria[0].artifact: 'crystal_ball' is not among this gate's artifacts"
    ]


def test_metric_criterion_without_expression() -> None:
    def change(data: dict[str, Any]) -> None:
        data["gates"][2]["criteria"][0].update(kind="metric")
        data["gates"][2]["criteria"][0].pop("expression", None)

    [problem] = problems_after(change)
    assert problem.startswith("gates[2].criteria[0]: a metric criterion needs an 'expression'")


def test_metric_expression_with_bad_syntax() -> None:
    def change(data: dict[str, Any]) -> None:
        data["gates"][2]["criteria"][0].update(kind="metric", expression='uptime(window="30d") >=')

    [problem] = problems_after(change)
    assert problem.startswith("gates[2].criteria[0].expression: expression ends early")


def test_metric_expression_with_an_unknown_function() -> None:
    def change(data: dict[str, Any]) -> None:
        data["gates"][2]["criteria"][0].update(kind="metric", expression='availability(window="30d") >= 99')

    [problem] = problems_after(change)
    assert problem.startswith("gates[2].criteria[0].expression: unknown function 'availability'")


def test_every_problem_is_reported_at_once() -> None:
    def change(data: dict[str, Any]) -> None:
        data["gates"][0]["approvers"].append({"role": "cfo"})
        data["gates"][3]["criteria"][1].update(kind="metric", expression="1 + 2")

    problems = problems_after(change)
    assert len(problems) == 2
    assert problems[0].startswith("gates[0].approvers[2].role: ")
    assert problems[1].startswith("gates[3].criteria[1].expression: ")


# A policy of one's own

CUSTOM_POLICY = """
name: acme-lite
title: ACME lightweight gates
risk_tiers: [standard, regulated]
default_risk_tier: standard
roles:
  - {id: owner, title: Product owner}
  - {id: architect, title: Architect}
  - {id: dpo, title: Data protection officer}
rules:
  distinct_approvers: false
  opener_may_approve: false
  waiver_max_days: 30
  adoption_threshold: 0.75
stages:
  - {id: idea, title: Idea, expected_duration: {min_weeks: 1, max_weeks: 2}}
  - {id: trial, title: Trial, expected_duration: {min_weeks: 3, max_weeks: 6}}
  - {id: live, title: Live, expected_duration: {min_weeks: 0}}
gates:
  - number: 1
    title: Idea to trial
    from: idea
    to: trial
    criteria:
      - {id: value, title: Value, requirement: Someone wants it.}
      - {id: brief, title: Brief, requirement: A written brief., kind: artifact, artifact: brief_doc}
    artifacts:
      - {id: brief_doc, title: Brief document}
    approvers:
      - role: owner
  - number: 2
    title: Trial to live
    from: trial
    to: live
    criteria:
      - id: adoption
        title: Adoption
        requirement: Trial users keep using it.
        kind: metric
        expression: adoption_rate(cohort="pilot", window="28d") >= rules.adoption_threshold
    approvers:
      - role: owner
      - role: architect
      - role: dpo
        when: {risk_tier: [regulated]}
"""


def test_a_custom_policy_with_other_stages_roles_and_thresholds_loads() -> None:
    policy = load_policy_text(CUSTOM_POLICY)
    assert policy.name == "acme-lite"
    assert policy.stage_ids() == ["idea", "trial", "live"]
    assert policy.role_ids() == ["owner", "architect", "dpo"]
    assert policy.rules.adoption_threshold == pytest.approx(0.75)
    assert policy.rules.waiver_max_days == 30
    assert policy.rules.distinct_approvers is False
    assert policy.rules.opener_may_approve is False
    assert policy.rules.uploader_may_approve is True
    live = policy.stage("live")
    assert live is not None and live.expected_duration.describe() == "open-ended"
    trial_gate = policy.gate_from("trial")
    assert trial_gate is not None
    assert trial_gate.criteria[0].kind == "metric"
    assert trial_gate.required_roles("standard") == ["owner", "architect"]
    assert trial_gate.required_roles("regulated") == ["owner", "architect", "dpo"]
    idea_gate = policy.gate(1)
    assert idea_gate is not None
    assert idea_gate.criterion("brief") is not None
    assert idea_gate.artifact("brief_doc") is not None


def test_a_computed_criterion_names_a_known_check() -> None:
    def unknown(data: dict[str, Any]) -> None:
        data["gates"][1]["criteria"][4].update(kind="computed", check="funding.magic")

    [problem] = problems_after(unknown)
    assert problem.startswith("gates[1].criteria[4].check: unknown check 'funding.magic'; known: ")
    assert "funding.pathway_identified" in problem and "change.complete" in problem

    def missing(data: dict[str, Any]) -> None:
        data["gates"][1]["criteria"][4].update(kind="computed")
        data["gates"][1]["criteria"][4].pop("check", None)

    [problem] = problems_after(missing)
    assert "a computed criterion names its 'check'" in problem
