"""The gate rules on review states built in memory from the shipped policy; no database."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from pilotgate.errors import Conflict, Forbidden, InvalidInput
from pilotgate.gates.rules import (
    Artifact,
    Assessment,
    AssessmentStatus,
    Measurement,
    Outcome,
    ReviewState,
    Vote,
    VoteChoice,
    blockers,
    check_vote,
    check_waiver,
    criterion_result,
    decision_outcome,
    evidence_digest,
)
from pilotgate.policy import Criterion, Gate, Policy, shipped_policy

POLICY = shipped_policy()
TODAY = date(2025, 6, 2)


# Builders


def gate(number: int, policy: Policy = POLICY) -> Gate:
    found = policy.gate(number)
    assert found is not None
    return found


def criterion_of(number: int, criterion_id: str) -> Criterion:
    found = gate(number).criterion(criterion_id)
    assert found is not None
    return found


def holder(role: str) -> str:
    return f"{role}@example.org"


def with_rules(**changes: object) -> Policy:
    """The shipped policy with some of its rules changed."""
    return POLICY.model_copy(update={"rules": POLICY.rules.model_copy(update=changes)})


def pending(
    number: int = 1,
    *,
    risk_tier: str = "medium",
    assignments: dict[str, str] | None = None,
    opener: str | None = None,
    policy: Policy = POLICY,
) -> ReviewState:
    """A freshly opened review: a distinct person in each required role, nothing assessed or attached."""
    the_gate = gate(number, policy)
    if assignments is None:
        assignments = {role: holder(role) for role in the_gate.required_roles(risk_tier)}
    return ReviewState(
        policy=policy,
        gate=the_gate,
        risk_tier=risk_tier,
        opener=opener or holder("program_lead"),
        today=TODAY,
        assignments=assignments,
    )


def assess(
    state: ReviewState,
    criterion_id: str,
    status: AssessmentStatus,
    *,
    note: str = "checked",
    expires: date | None = None,
) -> ReviewState:
    assessment = Assessment(criterion_id, status, holder("program_lead"), note, expires)
    return replace(state, assessments={**state.assessments, criterion_id: assessment})


def attach(state: ReviewState, artifact_id: str, *, version: int = 1) -> ReviewState:
    artifact = Artifact(artifact_id, version, f"{version:064x}", None, holder("program_lead"))
    return replace(state, artifacts={**state.artifacts, artifact_id: artifact})


def with_evidence(state: ReviewState) -> ReviewState:
    """Every criterion met (a metric criterion by its measurement) and every artifact attached."""
    for criterion in state.gate.criteria:
        if criterion.kind in ("metric", "computed"):
            measured = Measurement("met", f"{criterion.expression or criterion.check}: measured", {})
            state = replace(state, measurements={**state.measurements, criterion.id: measured})
        else:
            state = assess(state, criterion.id, "met")
    for spec in state.gate.artifacts:
        state = attach(state, spec.id)
    return state


def vote(state: ReviewState, role: str, choice: VoteChoice = "approve", *, comment: str = "") -> ReviewState:
    """Add the role holder's vote on the evidence as it stands now."""
    cast = Vote(role, state.assignments[role], choice, evidence_digest(state), comment)
    return replace(state, votes=(*state.votes, cast))


def approved(state: ReviewState) -> ReviewState:
    """Every required role's holder approves the evidence as it stands now."""
    for role in state.gate.required_roles(state.risk_tier):
        state = vote(state, role)
    return state


def ready(
    number: int = 1, *, risk_tier: str = "medium", assignments: dict[str, str] | None = None, opener: str | None = None
) -> ReviewState:
    """A review that may go: all evidence in, every required role approving it."""
    state = pending(number, risk_tier=risk_tier, assignments=assignments, opener=opener)
    return approved(with_evidence(state))


def with_criteria(the_gate: Gate, criteria: tuple[Criterion, ...]) -> Gate:
    return the_gate.model_copy(update={"criteria": criteria})


# Blockers


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_a_fresh_review_is_blocked_by_every_criterion_artifact_and_approver(number: int) -> None:
    state = pending(number)
    reasons = blockers(state)
    the_gate = state.gate
    roles = the_gate.required_roles("medium")
    assert len(reasons) == len(the_gate.criteria) + len(the_gate.artifacts) + len(roles)
    for criterion in the_gate.criteria:
        label = f"criterion {criterion.id} ({criterion.title})"
        if criterion.kind in ("metric", "computed"):  # measured, not asserted: no data yet means unknown
            assert f"{label} is unknown (missing or stale data): not measured yet" in reasons
        else:
            assert f"{label} is not assessed yet" in reasons
    for spec in the_gate.artifacts:
        assert f"artifact {spec.id} ({spec.title}) is not attached" in reasons
    for role in roles:
        assert f"{role} ({state.role_title(role)}): {holder(role)} has not voted" in reasons


def test_gate_1_pending_blockers_in_full() -> None:
    assert blockers(pending(1)) == [
        "criterion business_value (Business value) is not assessed yet",
        "criterion data_availability (Data availability) is not assessed yet",
        "criterion process_maturity (Process maturity) is not assessed yet",
        "criterion risk (Risk) is not assessed yet",
        "criterion sponsorship (Sponsorship) is not assessed yet",
        "artifact use_case_scorecard (Use case scorecard) is not attached",
        "artifact data_availability_assessment (Data availability assessment) is not attached",
        "artifact preliminary_risk_assessment (Preliminary risk assessment) is not attached",
        "artifact business_value_hypothesis (Business value hypothesis with assumptions documented) is not attached",
        "program_lead (AI program lead): program_lead@example.org has not voted",
        "sponsor (Business unit sponsor): sponsor@example.org has not voted",
    ]


def test_an_unassigned_role_blocks() -> None:
    state = ready(1)
    state = replace(state, assignments={"program_lead": holder("program_lead")})
    assert blockers(state) == ["sponsor (Business unit sponsor): no one is assigned; assign a person to this role"]


@pytest.mark.parametrize("number", [1, 2, 3, 4])
@pytest.mark.parametrize("risk_tier", ["low", "medium", "high", "critical"])
def test_a_fully_ready_review_has_no_blockers(number: int, risk_tier: str) -> None:
    assert blockers(ready(number, risk_tier=risk_tier)) == []


def test_a_criterion_not_met_blocks() -> None:
    state = approved(assess(with_evidence(pending(1)), "risk", "not_met", note="GDPR blocker"))
    assert blockers(state) == ["criterion risk (Risk) is not met"]
    result = criterion_result(state, criterion_of(1, "risk"))
    assert (result.status, result.note) == ("not_met", "GDPR blocker")


def test_a_waived_criterion_counts_until_its_expiry() -> None:
    expires = TODAY + timedelta(days=30)
    state = approved(assess(with_evidence(pending(1)), "risk", "waived", note="accepted", expires=expires))
    risk = criterion_of(1, "risk")
    assert blockers(state) == []
    assert criterion_result(state, risk).status == "waived"
    on_the_last_day = replace(state, today=expires)
    assert blockers(on_the_last_day) == []
    assert criterion_result(on_the_last_day, risk).status == "waived"


def test_an_expired_waiver_blocks() -> None:
    expires = TODAY + timedelta(days=30)
    state = approved(assess(with_evidence(pending(1)), "risk", "waived", note="accepted", expires=expires))
    the_day_after = replace(state, today=expires + timedelta(days=1))
    assert criterion_result(the_day_after, criterion_of(1, "risk")).status == "waiver_expired"
    assert blockers(the_day_after) == [f"criterion risk (Risk): waiver expired on {expires}"]


def test_an_artifact_criterion_is_met_by_attaching_its_artifact() -> None:
    scorecard = Criterion(
        id="scorecard", title="Scorecard", requirement="Scored.", kind="artifact", artifact="use_case_scorecard"
    )
    state = pending(1)
    for criterion in state.gate.criteria:
        state = assess(state, criterion.id, "met")
    state = replace(state, gate=with_criteria(state.gate, (*state.gate.criteria, scorecard)))
    assert criterion_result(state, scorecard).status == "pending"
    assert "criterion scorecard (Scorecard) is not assessed yet" in blockers(state)
    assert criterion_result(assess(state, "scorecard", "met"), scorecard).status == "pending"

    for spec in state.gate.artifacts:
        state = attach(state, spec.id)
    state = approved(state)
    result = criterion_result(state, scorecard)
    assert (result.status, result.note) == ("met", "artifact use_case_scorecard attached")
    assert blockers(state) == []


@pytest.mark.parametrize(
    ("choice", "comment", "reason"),
    [
        (
            "reject",
            "numbers unconvincing",
            "sponsor (Business unit sponsor): sponsor@example.org rejected (numbers unconvincing)",
        ),
        ("reject", "", "sponsor (Business unit sponsor): sponsor@example.org rejected"),
        ("abstain", "", "sponsor (Business unit sponsor): sponsor@example.org abstained; an approval is required"),
    ],
)
def test_reject_and_abstain_block(choice: VoteChoice, comment: str, reason: str) -> None:
    opened_by_sponsor = with_evidence(pending(1, opener=holder("sponsor")))
    state = vote(vote(opened_by_sponsor, "program_lead"), "sponsor", choice, comment=comment)
    assert blockers(state) == [reason]


def test_a_vote_is_stale_once_the_evidence_changes() -> None:
    state = ready(1)
    newer = attach(state, "use_case_scorecard", version=2)
    assert evidence_digest(newer) != evidence_digest(state)
    assert blockers(newer) == [
        "program_lead (AI program lead): the approval by program_lead@example.org is stale "
        "(evidence changed after it); vote again",
        "sponsor (Business unit sponsor): the approval by sponsor@example.org is stale "
        "(evidence changed after it); vote again",
    ]
    assert blockers(approved(replace(newer, votes=()))) == []


def test_a_changed_assessment_also_makes_votes_stale() -> None:
    state = assess(ready(1), "risk", "met", note="re-checked with legal")
    assert len(blockers(state)) == 2
    assert all("is stale" in reason for reason in blockers(state))


def test_the_digest_ignores_votes_dates_and_insertion_order() -> None:
    state = with_evidence(pending(1))
    reordered = replace(state, artifacts=dict(reversed(list(state.artifacts.items()))))
    assert evidence_digest(reordered) == evidence_digest(state)
    assert evidence_digest(approved(state)) == evidence_digest(state)
    assert evidence_digest(replace(state, today=TODAY + timedelta(days=9))) == evidence_digest(state)


def test_a_vote_by_someone_who_no_longer_holds_the_role_blocks() -> None:
    state = ready(1)
    reassigned = replace(state, assignments={**state.assignments, "sponsor": "newsponsor@example.org"})
    assert blockers(reassigned) == [
        "sponsor (Business unit sponsor): the approval by sponsor@example.org no longer counts; "
        "newsponsor@example.org now holds the role"
    ]


def test_one_person_in_two_required_roles_blocks_when_approvers_must_be_distinct() -> None:
    both = {"program_lead": "pat@example.org", "sponsor": "pat@example.org"}
    state = pending(1, assignments=both, opener="someone@example.org")
    assert (
        "pat@example.org holds 2 approver roles (program_lead, sponsor); this policy requires "
        "a different person for each"
    ) in blockers(state)

    lenient = approved(
        with_evidence(
            pending(1, assignments=both, opener="someone@example.org", policy=with_rules(distinct_approvers=False))
        )
    )
    assert blockers(lenient) == []


def test_a_person_in_a_role_the_gate_does_not_require_is_not_counted_twice() -> None:
    assignments = {role: holder(role) for role in ("program_lead", "cio_cto", "bu_head")}
    assignments["risk_compliance"] = assignments["bu_head"]
    assert blockers(ready(3, risk_tier="medium", assignments=assignments)) == []


def test_the_opener_cannot_be_the_only_approver() -> None:
    opener = "pat@example.org"
    both = {"program_lead": opener, "sponsor": opener}
    lenient = with_rules(distinct_approvers=False)
    state = approved(with_evidence(pending(1, assignments=both, opener=opener, policy=lenient)))
    assert blockers(state) == [f"{opener} opened this review and cannot be its only approver"]

    strict = approved(with_evidence(pending(1, assignments=both, opener=opener)))
    assert f"{opener} opened this review and cannot be its only approver" in blockers(strict)


def test_the_opener_may_approve_alongside_others() -> None:
    state = ready(1, opener=holder("sponsor"))
    assert blockers(state) == []


@pytest.mark.parametrize("risk_tier", ["low", "medium"])
def test_gate_3_does_not_need_risk_compliance_for_lower_risk(risk_tier: str) -> None:
    state = ready(3, risk_tier=risk_tier)
    assert "risk_compliance" not in state.assignments
    assert blockers(state) == []


@pytest.mark.parametrize("risk_tier", ["high", "critical"])
def test_gate_3_needs_risk_compliance_for_higher_risk(risk_tier: str) -> None:
    state = ready(3, risk_tier=risk_tier)
    assert [v.role for v in state.votes] == ["program_lead", "cio_cto", "bu_head", "risk_compliance"]
    assert blockers(state) == []

    # The risk tier is part of the evidence: raising it adds an approver and makes approvals stale.
    ready_for_medium = ready(3, risk_tier="medium")
    unassigned = "risk_compliance (Risk or compliance officer): no one is assigned; assign a person to this role"
    raised = blockers(replace(ready_for_medium, risk_tier=risk_tier))
    assert raised[-1] == unassigned and all("is stale" in b for b in raised[:-1]) and len(raised) == 4
    officer = {**ready_for_medium.assignments, "risk_compliance": holder("risk_compliance")}
    with_officer = blockers(replace(ready_for_medium, risk_tier=risk_tier, assignments=officer))
    assert with_officer[-1] == "risk_compliance (Risk or compliance officer): risk_compliance@example.org has not voted"


# Votes


def test_check_vote_returns_the_role_a_person_holds() -> None:
    state = with_evidence(pending(1))
    assert check_vote(state, person=holder("sponsor"), role=None, uploaders=set()) == "sponsor"
    assert check_vote(state, person=holder("sponsor"), role="sponsor", uploaders=set()) == "sponsor"


def test_check_vote_refuses_someone_else_in_the_role() -> None:
    state = pending(1)
    with pytest.raises(Forbidden) as caught:
        check_vote(state, person=holder("program_lead"), role="sponsor", uploaders=set())
    assert caught.value.message == (
        "program_lead@example.org may not vote as sponsor: it is assigned to sponsor@example.org"
    )


def test_check_vote_refuses_a_person_with_no_approver_role() -> None:
    with pytest.raises(Forbidden, match="holds no approver role for Gate 1"):
        check_vote(pending(1), person="outsider@example.org", role=None, uploaders=set())


def test_check_vote_refuses_an_unassigned_role() -> None:
    state = pending(1, assignments={"program_lead": holder("program_lead")})
    with pytest.raises(Forbidden, match="no one is assigned to it"):
        check_vote(state, person="outsider@example.org", role="sponsor", uploaders=set())


@pytest.mark.parametrize("role", ["cfo", "technical_lead"])
def test_check_vote_refuses_a_role_that_does_not_approve_the_gate(role: str) -> None:
    with pytest.raises(Forbidden, match=f"role '{role}' does not approve Gate 1"):
        check_vote(pending(1), person=holder("sponsor"), role=role, uploaders=set())


def test_check_vote_refuses_risk_compliance_on_a_medium_risk_gate_3() -> None:
    state = pending(3, risk_tier="medium")
    state = replace(state, assignments={**state.assignments, "risk_compliance": holder("risk_compliance")})
    with pytest.raises(Forbidden, match="role 'risk_compliance' does not approve"):
        check_vote(state, person=holder("risk_compliance"), role="risk_compliance", uploaders=set())


def test_check_vote_names_the_roles_to_choose_from() -> None:
    state = pending(1, assignments={"program_lead": "pat@example.org", "sponsor": "pat@example.org"})
    with pytest.raises(InvalidInput) as caught:
        check_vote(state, person="pat@example.org", role=None, uploaders=set())
    assert caught.value.field == "role"
    assert "pat@example.org holds program_lead, sponsor" in caught.value.why


def test_check_vote_refuses_a_second_role_for_the_same_person() -> None:
    state = pending(1, assignments={"program_lead": "pat@example.org", "sponsor": "pat@example.org"})
    state = vote(state, "program_lead")
    with pytest.raises(Conflict, match="already voted as program_lead"):
        check_vote(state, person="pat@example.org", role="sponsor", uploaders=set())
    lenient = replace(state, policy=with_rules(distinct_approvers=False))
    assert check_vote(lenient, person="pat@example.org", role="sponsor", uploaders=set()) == "sponsor"


def test_check_vote_allows_revoting_in_the_same_role() -> None:
    state = vote(pending(1), "sponsor", "reject")
    assert check_vote(state, person=holder("sponsor"), role="sponsor", uploaders=set()) == "sponsor"


def test_check_vote_obeys_opener_and_uploader_rules() -> None:
    lead = holder("program_lead")
    assert check_vote(pending(1), person=lead, role=None, uploaders={lead}) == "program_lead"
    no_opener = pending(1, policy=with_rules(opener_may_approve=False))
    with pytest.raises(Forbidden, match="forbids the opener"):
        check_vote(no_opener, person=lead, role=None, uploaders=set())
    no_uploader = pending(1, policy=with_rules(uploader_may_approve=False))
    with pytest.raises(Forbidden, match="forbids uploaders"):
        check_vote(no_uploader, person=lead, role=None, uploaders={lead})


# Waivers


def test_check_waiver_accepts_a_justified_waiver_within_the_limit() -> None:
    state = pending(1)
    check_waiver(state, person=holder("sponsor"), expires=TODAY + timedelta(days=1), justification="ok")
    check_waiver(state, person=holder("sponsor"), expires=TODAY + timedelta(days=180), justification="ok")


@pytest.mark.parametrize("justification", ["", "   \n"])
def test_check_waiver_needs_a_justification(justification: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_waiver(
            pending(1), person=holder("sponsor"), expires=TODAY + timedelta(days=10), justification=justification
        )
    assert caught.value.field == "note"


def test_check_waiver_needs_authority_over_the_gate() -> None:
    with pytest.raises(Forbidden, match="cannot waive"):
        check_waiver(
            pending(1), person="outsider@example.org", expires=TODAY + timedelta(days=10), justification="trust me"
        )


@pytest.mark.parametrize(
    ("expires", "why"),
    [
        (None, "a waiver needs an expiry date"),
        (TODAY, f"{TODAY} is not in the future"),
        (TODAY - timedelta(days=1), "is not in the future"),
        (TODAY + timedelta(days=181), "at most 180 days"),
    ],
)
def test_check_waiver_refuses_a_bad_expiry(expires: date | None, why: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_waiver(pending(1), person=holder("sponsor"), expires=expires, justification="accepted risk")
    assert caught.value.field == "expires"
    assert why in caught.value.why


def test_check_waiver_follows_the_policy_limit() -> None:
    state = pending(1, policy=with_rules(waiver_max_days=30))
    with pytest.raises(InvalidInput, match="at most 30 days"):
        check_waiver(state, person=holder("sponsor"), expires=TODAY + timedelta(days=31), justification="x")


# Decisions


@pytest.mark.parametrize(
    ("decision", "to_stage", "outcome"),
    [
        ("go", None, Outcome("pilot", "active")),
        ("conditional_go", None, Outcome("pilot", "active")),
        ("hold", None, Outcome("poc", "on_hold")),
        ("stop", None, Outcome("poc", "stopped")),
        ("recycle", None, Outcome("poc", "active")),
        ("recycle", "poc", Outcome("poc", "active")),
        ("recycle", "discovery", Outcome("discovery", "active")),
    ],
)
def test_decision_outcome(decision: str, to_stage: str | None, outcome: Outcome) -> None:
    assert decision_outcome(POLICY, gate(2), decision, to_stage) == outcome


@pytest.mark.parametrize("to_stage", ["pilot", "production", "nowhere"])
def test_recycle_refuses_a_later_or_unknown_stage(to_stage: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        decision_outcome(POLICY, gate(2), "recycle", to_stage)
    assert caught.value.field == "to-stage"
    assert "one of discovery, poc" in caught.value.why


@pytest.mark.parametrize("decision", ["go", "hold", "stop"])
def test_only_recycle_names_a_stage(decision: str) -> None:
    with pytest.raises(InvalidInput, match="only a recycle decision names a stage"):
        decision_outcome(POLICY, gate(2), decision, "discovery")


@pytest.mark.parametrize("decision", ["maybe", "GO", ""])
def test_an_unknown_decision(decision: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        decision_outcome(POLICY, gate(2), decision, None)
    assert caught.value.field == "decision"
    assert "go, conditional_go, hold, recycle, stop" in caught.value.why


def test_a_computed_criterion_is_decided_by_its_check_or_a_waiver() -> None:
    computed = Criterion(
        id="funding_commitment",
        title="Funding commitment",
        requirement="Production funding pathway identified.",
        kind="computed",
        check="funding.pathway_identified",
    )
    state = replace(pending(1), gate=with_criteria(gate(1), (computed,)))
    label = "criterion funding_commitment (Funding commitment)"
    assert blockers(state)[0] == f"{label} is unknown (missing or stale data): not measured yet"
    missing = Measurement("not_met", "no operational budget line; add one with `pilotgate funding add`", {})
    state = replace(state, measurements={"funding_commitment": missing})
    assert blockers(state)[0] == f"{label} is not met: no operational budget line; add one with `pilotgate funding add`"
    state = replace(state, measurements={"funding_commitment": Measurement("met", "line 3 (EUR 120,000)", {})})
    assert criterion_result(state, computed).status == "met"
    assert not any(label in b for b in blockers(state))
