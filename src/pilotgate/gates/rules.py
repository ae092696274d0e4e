"""The gate rules as pure functions over a review's state: no database, web or CLI here."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, NamedTuple

from pilotgate.errors import Conflict, Forbidden, InvalidInput
from pilotgate.policy.model import Criterion, Gate, Policy

AssessmentStatus = Literal["met", "not_met", "waived", "pending"]
VoteChoice = Literal["approve", "reject", "abstain"]
DecisionKind = Literal["go", "conditional_go", "hold", "recycle", "stop"]
ASSESSMENT_STATUSES: tuple[str, ...] = ("met", "not_met", "waived")
VOTE_CHOICES: tuple[str, ...] = ("approve", "reject", "abstain")
DECISIONS: tuple[str, ...] = ("go", "conditional_go", "hold", "recycle", "stop")


# Immutable records built by the ten thousand in portfolio readiness: NamedTuples are the
# cheapest immutable records Python builds.
class Assessment(NamedTuple):
    criterion_id: str
    status: AssessmentStatus
    by: str
    justification: str = ""
    waiver_expires: date | None = None
    evidence: tuple[str, ...] = ()


class Artifact(NamedTuple):
    artifact_id: str
    version: int
    sha256: str | None
    url: str | None
    uploaded_by: str


class Measurement(NamedTuple):
    """A metric criterion's live evaluation: met, not_met or unknown, why, and the data behind it."""

    status: str
    note: str
    detail: dict[str, object]


class Vote(NamedTuple):
    role: str
    person: str
    choice: VoteChoice
    evidence_digest: str
    comment: str = ""


@dataclass(frozen=True)
class ReviewState:
    """Everything the rules need to judge one open review."""

    policy: Policy
    gate: Gate
    risk_tier: str
    opener: str
    today: date
    assignments: dict[str, str] = field(default_factory=dict)
    assessments: dict[str, Assessment] = field(default_factory=dict)
    artifacts: dict[str, Artifact] = field(default_factory=dict)
    votes: tuple[Vote, ...] = ()
    measurements: dict[str, Measurement] = field(default_factory=dict)

    def role_title(self, role: str) -> str:
        return self.policy.role_titles().get(role, role)


class CriterionResult(NamedTuple):
    criterion: Criterion
    status: str
    note: str


def criterion_result(state: ReviewState, criterion: Criterion) -> CriterionResult:
    """The effective status of a criterion: recorded, derived from artifacts, or an expired waiver."""
    recorded = state.assessments.get(criterion.id)
    if recorded is not None and recorded.status == "waived":
        if recorded.waiver_expires is not None and recorded.waiver_expires < state.today:
            return CriterionResult(criterion, "waiver_expired", f"waiver expired on {recorded.waiver_expires}")
        return CriterionResult(criterion, "waived", f"waived until {recorded.waiver_expires}")
    if criterion.kind in ("metric", "computed"):
        # Measured or computed, not asserted: only the data (or a waiver, above) decides it.
        measured = state.measurements.get(criterion.id)
        if measured is None:
            return CriterionResult(criterion, "unknown", "not measured yet")
        return CriterionResult(criterion, measured.status, measured.note)
    if criterion.kind == "artifact":
        if criterion.artifact in state.artifacts:
            return CriterionResult(criterion, "met", f"artifact {criterion.artifact} attached")
        return CriterionResult(criterion, "pending", f"artifact {criterion.artifact} not attached")
    if recorded is None:
        return CriterionResult(criterion, "pending", "not assessed yet")
    return CriterionResult(criterion, recorded.status, recorded.justification)


def evidence_digest(state: ReviewState) -> str:
    """A digest of the evidence a vote covers; any later change makes the vote stale."""
    evidence = {
        "assessments": {
            cid: [
                a.status,
                a.justification,
                a.waiver_expires.isoformat() if a.waiver_expires else None,
                sorted(a.evidence),
            ]
            for cid, a in sorted(state.assessments.items())
        },
        "artifacts": {aid: [a.version, a.sha256, a.url] for aid, a in sorted(state.artifacts.items())},
        "risk_tier": state.risk_tier,
    }
    if state.measurements:
        # A measurement crossing its threshold changes the evidence; new points that leave the
        # verdict unchanged do not, or a live series would make every approval stale.
        evidence["measured"] = {cid: m.status for cid, m in sorted(state.measurements.items())}
    canonical = json.dumps(evidence, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def required_roles(state: ReviewState) -> list[str]:
    return state.gate.required_roles(state.risk_tier)


def _criteria_blockers(state: ReviewState) -> list[str]:
    reasons = []
    for criterion in state.gate.criteria:
        result = criterion_result(state, criterion)
        if result.status in ("met", "waived"):
            continue
        label = f"criterion {criterion.id} ({criterion.title})"
        if result.status == "pending":
            reasons.append(f"{label} is not assessed yet")
        elif result.status == "waiver_expired":
            reasons.append(f"{label}: {result.note}")
        elif result.status == "unknown":
            reasons.append(f"{label} is unknown (missing or stale data): {result.note}")
        elif criterion.kind in ("metric", "computed"):
            reasons.append(f"{label} is not met: {result.note}")
        else:
            reasons.append(f"{label} is not met")
    return reasons


def _artifact_blockers(state: ReviewState) -> list[str]:
    return [
        f"artifact {spec.id} ({spec.title}) is not attached"
        for spec in state.gate.artifacts
        if spec.id not in state.artifacts
    ]


def _approval_blockers(state: ReviewState) -> list[str]:
    reasons = []
    # Only approvals are checked against the evidence; skip hashing when there are none.
    digest = evidence_digest(state) if any(v.choice == "approve" for v in state.votes) else ""
    votes = {v.role: v for v in state.votes}
    roles = required_roles(state)
    for role in roles:
        label = f"{role} ({state.role_title(role)})"
        person = state.assignments.get(role)
        vote = votes.get(role)
        if person is None:
            reasons.append(f"{label}: no one is assigned; assign a person to this role")
        elif vote is None:
            reasons.append(f"{label}: {person} has not voted")
        elif vote.choice == "reject":
            reasons.append(f"{label}: {vote.person} rejected" + (f" ({vote.comment})" if vote.comment else ""))
        elif vote.choice == "abstain":
            reasons.append(f"{label}: {vote.person} abstained; an approval is required")
        elif vote.evidence_digest != digest:
            reasons.append(f"{label}: the approval by {vote.person} is stale (evidence changed after it); vote again")
        elif vote.person != person:
            reasons.append(f"{label}: the approval by {vote.person} no longer counts; {person} now holds the role")
    if state.policy.rules.distinct_approvers:
        holders: dict[str, list[str]] = {}
        for role in roles:
            if role in state.assignments:
                holders.setdefault(state.assignments[role], []).append(role)
        for person, held in holders.items():
            if len(held) > 1:
                reasons.append(
                    f"{person} holds {len(held)} approver roles ({', '.join(held)}); this policy requires "
                    "a different person for each"
                )
    approving = {v.person for v in state.votes if v.choice == "approve" and v.role in roles}
    if approving == {state.opener}:
        reasons.append(f"{state.opener} opened this review and cannot be its only approver")
    return reasons


def blockers(state: ReviewState) -> list[str]:
    """Every reason a go decision would be refused now; empty means go is allowed."""
    return _criteria_blockers(state) + _artifact_blockers(state) + _approval_blockers(state)


def approver_roles_of(state: ReviewState, person: str) -> list[str]:
    """The gate's approver roles this person holds on the use case."""
    gate_roles = state.gate.approver_roles()
    return [role for role, holder in state.assignments.items() if holder == person and role in gate_roles]


def check_vote(state: ReviewState, *, person: str, role: str | None, uploaders: set[str]) -> str:
    """Return the role the person votes for, or raise saying why the vote is refused."""
    held = [r for r in approver_roles_of(state, person) if r in required_roles(state)]
    if role is None:
        if not held:
            raise Forbidden(f"{person} holds no approver role for {state.gate.title} on this use case")
        if len(held) > 1:
            raise InvalidInput("role", f"{person} holds {', '.join(held)}; say which role you vote for")
        role = held[0]
    if role not in required_roles(state):
        raise Forbidden(f"role {role!r} does not approve {state.gate.title} for this use case")
    if state.assignments.get(role) != person:
        holder = state.assignments.get(role)
        who = f"it is assigned to {holder}" if holder else "no one is assigned to it"
        raise Forbidden(f"{person} may not vote as {role}: {who}")
    rules = state.policy.rules
    if rules.distinct_approvers:
        other = next((v for v in state.votes if v.person == person and v.role != role), None)
        if other is not None:
            raise Conflict(f"{person} already voted as {other.role} in this review; one person, one approver role")
    if not rules.opener_may_approve and person == state.opener:
        raise Forbidden(f"{person} opened this review and this policy forbids the opener from voting")
    if not rules.uploader_may_approve and person in uploaders:
        raise Forbidden(f"{person} uploaded evidence to this review and this policy forbids uploaders from voting")
    return role


def check_waiver(state: ReviewState, *, person: str, expires: date | None, justification: str) -> None:
    """A waiver needs a justification, authority over the gate and a future expiry date."""
    if not justification.strip():
        raise InvalidInput("note", "a waiver needs a justification")
    if not set(approver_roles_of(state, person)) & set(required_roles(state)):
        raise Forbidden(f"{person} has no approver role for {state.gate.title} on this use case and cannot waive")
    if expires is None:
        raise InvalidInput("expires", "a waiver needs an expiry date (YYYY-MM-DD)")
    if expires <= state.today:
        raise InvalidInput("expires", f"{expires} is not in the future")
    limit = state.policy.rules.waiver_max_days
    if (expires - state.today).days > limit:
        raise InvalidInput("expires", f"a waiver may last at most {limit} days under this policy")


@dataclass(frozen=True, slots=True)
class Outcome:
    """Where a decision leaves the use case."""

    stage: str
    status: str


def decision_outcome(policy: Policy, gate: Gate, decision: str, to_stage: str | None) -> Outcome:
    """The stage and status a decision leads to, or raise if the decision is malformed."""
    if decision not in DECISIONS:
        raise InvalidInput("decision", f"{decision!r} is not one of {', '.join(DECISIONS)}")
    if to_stage is not None and decision != "recycle":
        raise InvalidInput("to-stage", "only a recycle decision names a stage to return to")
    if decision in ("go", "conditional_go"):
        return Outcome(gate.to_stage, "active")
    if decision == "hold":
        return Outcome(gate.from_stage, "on_hold")
    if decision == "stop":
        return Outcome(gate.from_stage, "stopped")
    target = to_stage or gate.from_stage
    allowed = [*policy.earlier_stages(gate.from_stage), gate.from_stage]
    if target not in allowed:
        raise InvalidInput(
            "to-stage", f"recycle goes back to the same or an earlier stage: one of {', '.join(allowed)}"
        )
    return Outcome(target, "active")
