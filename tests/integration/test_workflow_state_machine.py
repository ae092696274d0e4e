"""A Hypothesis state machine over the gate workflow on a real SQLite file.

Random sequences of open, assess, attach (and replace), vote (by the right or the wrong person),
decide and reassign run through the real services, each in its own transaction. After every step
the stored state must keep the invariants below, and every go must agree with a small independent
model of what makes a review ready.
"""

from __future__ import annotations

import atexit
import hashlib
import io
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from sqlalchemy import func, select

from pilotgate.audit import service as audit
from pilotgate.db.engine import Database
from pilotgate.errors import GateBlocked, PilotgateError
from pilotgate.gates import repository, rules, service
from pilotgate.gates.models import Decision, Review, Vote
from pilotgate.policy import service as policies
from pilotgate.policy.model import Gate, Policy
from pilotgate.usecases import service as usecases
from tests.builders import person, uow, use_case

ROLES = ("program_lead", "sponsor", "technical_lead")  # the approvers of Gates 1 and 2
STATUSES = ("met", "met", "not_met", "waived")
NOTES = ("verified", "checked again")
CONTENTS = (b"%PDF-1.4\n% first draft\n", b"%PDF-1.4\n% second draft\n", "https://example.org/evidence")
KINDS = ("go", "go", "go", "conditional_go", "hold", "recycle", "stop")
BY = ("holder", "holder", "anyone", "every holder")  # who votes or decides: mostly the right person
ENV = ("PILOTGATE_HOME", "PILOTGATE_DATABASE_URL", "PILOTGATE_AUDIT_KEY")
Evidence = frozenset[tuple[tuple[str, str], Any]]


@dataclass
class ReviewModel:
    """What the test believes about an open review, updated only when a service call succeeds."""

    gate: Gate
    opener: str
    evidence: dict[tuple[str, str], Any] = field(default_factory=dict)
    votes: dict[str, tuple[str, str, Evidence]] = field(default_factory=dict)  # role → person, choice, evidence

    def current(self) -> Evidence:
        return frozenset(self.evidence.items())

    def ready(self, holders: dict[str, str]) -> bool:
        """Go is allowed: every criterion and artifact satisfied, every approval fresh and distinct."""
        for criterion in self.gate.criteria:
            status = (self.evidence.get(("criterion", criterion.id)) or ("pending",))[0]
            attached = criterion.kind == "artifact" and ("artifact", criterion.artifact or "") in self.evidence
            if status not in ("met", "waived") and not attached:
                return False
        if any(("artifact", spec.id) not in self.evidence for spec in self.gate.artifacts):
            return False
        roles = self.gate.required_roles("medium")
        if len({holders.get(role) for role in roles}) != len(roles) or any(r not in holders for r in roles):
            return False
        for role in roles:
            vote = self.votes.get(role)
            if vote is None or vote != (holders[role], "approve", self.current()):
                return False
        return {self.votes[role][0] for role in roles} != {self.opener}


@dataclass(frozen=True)
class Template:
    """A home with one use case and its people, built once and copied for every example."""

    path: Path
    key: str
    holders: dict[str, str]
    people: list[str]
    policy: Policy


_template: list[Template] = []


def template() -> Template:
    if not _template:
        path = Path(tempfile.mkdtemp(prefix="pilotgate-sm-template-"))
        atexit.register(shutil.rmtree, path, True)
        point_environment_at(path)
        key, holders = use_case(roles=ROLES)
        people = sorted({*holders.values(), person("outsider"), person("analyst")})
        with uow(read_only=True) as work:
            policy = policies.parsed(policies.get_or_raise(work, "pilotgate-default"))
        Database.dispose_all()  # closes every connection, so the file holds everything
        _template.append(Template(path, key, holders, people, policy))
    return _template[0]


def point_environment_at(root: Path) -> None:
    os.environ["PILOTGATE_HOME"] = str(root / "home")
    os.environ["PILOTGATE_DATABASE_URL"] = f"sqlite:///{root / 'pilotgate.db'}"
    os.environ.pop("PILOTGATE_AUDIT_KEY", None)


class GateWorkflow(RuleBasedStateMachine):
    """One use case on a fresh copy of the template home, driven through the gate services."""

    def __init__(self) -> None:
        super().__init__()
        self.saved_env = {name: os.environ.get(name) for name in ENV}
        base = template()
        self.root = Path(tempfile.mkdtemp(prefix="pilotgate-sm-"))
        shutil.copytree(base.path, self.root, dirs_exist_ok=True)
        point_environment_at(self.root)
        self.key, self.people, self.policy = base.key, base.people, base.policy
        self.holders = dict(base.holders)
        self.review: ReviewModel | None = None
        self.seen = ("discovery", 0)
        self.today = datetime.now(UTC).date()

    def teardown(self) -> None:
        Database.dispose_all()
        for name, value in self.saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        shutil.rmtree(self.root, ignore_errors=True)

    def attempt(self, action: Any, **kwargs: Any) -> Any:
        """Run one service call in its own transaction; a refusal returns the error it raised."""
        try:
            with uow() as work:
                result = action(work, key=self.key, **kwargs)
        except PilotgateError as error:
            return error
        return result

    def gate(self) -> Gate:
        """The gate of the open review, else the one a review would open on (else Gate 1)."""
        if self.review is not None:
            return self.review.gate
        with uow(read_only=True) as work:
            stage = usecases.get_or_raise(work, self.key).stage
        return self.policy.gate_from(stage) or self.policy.gates[0]

    def person_for(self, role: str | None, who: int) -> str:
        """The holder of the role (the right person), or anyone at all when role is None."""
        if role is not None and role in self.holders:
            return self.holders[role]
        return self.people[who % len(self.people)]

    def refused(self, result: Any) -> bool:
        """Whether the call was refused; with no open review, nothing but a refusal is acceptable."""
        if self.review is None:
            assert isinstance(result, PilotgateError), f"{result!r} succeeded with no open review"
            return True
        return isinstance(result, PilotgateError)

    # ---- rules ------------------------------------------------------------------------------

    @initialize(role=st.sampled_from(("program_lead", "sponsor")))
    def review_opened_by_a_role_holder(self, role: str) -> None:
        self.open_review(self.people.index(self.holders[role]))
        assert self.review is not None

    @rule(who=st.integers(0, 10))
    def open_review(self, who: int) -> None:
        actor = self.person_for(None, who)
        result = self.attempt(service.open_review, actor=actor)
        if isinstance(result, Review):
            assert self.review is None, "a second review was opened while one is open"
            gate = self.policy.gate(result.gate_number)
            assert gate is not None
            self.review = ReviewModel(gate=gate, opener=actor)

    @rule(
        pick=st.integers(0, 20), status=st.sampled_from(STATUSES), note=st.sampled_from(NOTES), who=st.integers(0, 10)
    )
    def assess(self, pick: int, status: str, note: str, who: int) -> None:
        criteria = self.gate().criteria
        criterion = criteria[pick % len(criteria)].id
        expires = self.today + timedelta(days=30) if status == "waived" else None
        result = self.attempt(
            service.assess,
            criterion_id=criterion,
            status=status,
            note=note,
            expires=expires,
            actor=self.person_for(None, who),
        )
        if not self.refused(result):
            assert self.review is not None
            self.review.evidence[("criterion", criterion)] = (status, note, expires)

    @rule(pick=st.integers(0, 20), content=st.sampled_from(CONTENTS), who=st.integers(0, 10))
    def attach(self, pick: int, content: bytes | str, who: int) -> None:
        specs = self.gate().artifacts
        artifact = specs[pick % len(specs)].id
        actor = self.person_for(None, who)
        if isinstance(content, str):
            result = self.attempt(service.attach, artifact_id=artifact, actor=actor, url=content)
        else:
            result = self.attempt(
                service.attach,
                artifact_id=artifact,
                actor=actor,
                content=io.BytesIO(content),
                filename=f"{artifact}.pdf",
            )
        if not self.refused(result):
            assert self.review is not None
            self.review.evidence[("artifact", artifact)] = result.version

    @rule(
        by=st.sampled_from(BY),
        pick=st.integers(0, 20),
        who=st.integers(0, 10),
        choice=st.sampled_from(("approve", "approve", "reject", "abstain")),
    )
    def vote(self, by: str, pick: int, who: int, choice: str) -> None:
        roles = self.gate().required_roles("medium")
        if by == "every holder":
            for role in roles:
                self.cast(self.person_for(role, 0), "approve")
            return
        self.cast(self.person_for(roles[pick % len(roles)] if by == "holder" else None, who), choice)

    def cast(self, actor: str, choice: str) -> None:
        result = self.attempt(service.vote, choice=choice, actor=actor, comment="needs another look")
        if not self.refused(result):
            assert self.review is not None
            self.review.votes[result.role] = (actor, choice, self.review.current())

    @rule()
    def make_ready(self) -> None:
        """Meet every criterion, attach every artifact and approve, as a diligent team would."""
        gate, actor = self.gate(), self.person_for("program_lead", 0)
        evidence = self.review.evidence if self.review is not None else {}
        for criterion in gate.criteria:
            if evidence.get(("criterion", criterion.id), ("",))[0] != "met":
                self.assess(gate.criteria.index(criterion), "met", NOTES[0], self.people.index(actor))
        for index, spec in enumerate(gate.artifacts):
            if ("artifact", spec.id) not in evidence:
                self.attach(index, CONTENTS[0], self.people.index(actor))
        self.vote("every holder", 0, 0, "approve")

    @rule(kind=st.sampled_from(KINDS), by=st.sampled_from(BY[:3]), pick=st.integers(0, 20), who=st.integers(0, 10))
    def decide(self, kind: str, by: str, pick: int, who: int) -> None:
        roles = self.gate().required_roles("medium")
        actor = self.person_for(roles[pick % len(roles)] if by == "holder" else None, who)
        due = (self.today + timedelta(days=60)).isoformat()
        conditions = [f"Close the data gap|{self.people[0]}|{due}"] if kind == "conditional_go" else None
        ready = self.review is not None and self.review.ready(self.holders)
        result = self.attempt(
            service.decide, decision=kind, actor=actor, conditions=conditions, rationale="state machine"
        )
        event(f"decide {kind}: {type(result).__name__}")
        if isinstance(result, GateBlocked):
            assert not ready, f"go refused although the model finds the review ready: {result.reasons}"
        if not self.refused(result):
            if kind in ("go", "conditional_go"):
                assert ready, "go was taken although an approval is missing, stale or no longer counts"
            self.review = None

    @rule(role=st.sampled_from(ROLES), who=st.integers(0, 10))
    def reassign(self, role: str, who: int) -> None:
        email = self.person_for(None, who)
        result = self.attempt(usecases.assign, role=role, email=email, actor="admin@example.org")
        if not isinstance(result, PilotgateError):
            self.holders[role] = email

    # ---- invariants ---------------------------------------------------------------------------

    @invariant()
    def stage_changes_only_with_a_new_decision(self) -> None:
        with uow(read_only=True) as work:
            found = usecases.get_or_raise(work, self.key)
            decisions = [d.to_stage for d in repository.decisions_of(work, found.id)]
            stage = found.stage
        seen_stage, seen_count = self.seen
        assert len(decisions) in (seen_count, seen_count + 1), "several decisions in one step"
        if len(decisions) == seen_count:
            assert stage == seen_stage, f"moved from {seen_stage} to {stage} without a decision"
        expected = decisions[-1] if decisions else "discovery"
        assert stage == expected, f"the use case is in {stage}, its last decision says {expected}"
        self.seen = (stage, len(decisions))

    @invariant()
    def at_most_one_open_review_per_use_case(self) -> None:
        with uow(read_only=True) as work:
            counts = work.session.execute(
                select(Review.use_case_id, func.count(Review.id))
                .where(Review.state == "open")
                .group_by(Review.use_case_id)
            ).all()
        assert all(n <= 1 for _, n in counts), counts
        assert len(counts) == (self.review is not None), f"open reviews {counts}, the model has {self.review}"

    @invariant()
    def go_is_allowed_exactly_when_the_model_finds_the_review_ready(self) -> None:
        if self.review is None:
            return
        with uow(read_only=True) as work:
            reasons = rules.blockers(service.load_open(work, self.key).state)
        ready = self.review.ready(self.holders)
        assert (reasons == []) == ready, f"the model finds ready={ready}, the service's blockers: {reasons}"

    @invariant()
    def every_go_was_frozen_ready_with_fresh_approvals(self) -> None:
        with uow(read_only=True) as work:
            decisions = (
                work.session.execute(select(Decision).where(Decision.kind.in_(("go", "conditional_go"))))
                .scalars()
                .all()
            )
            for decision in decisions:
                frozen = json.loads(decision.snapshot)
                assert hashlib.sha256(decision.snapshot.encode()).hexdigest() == decision.snapshot_sha256
                assert frozen["decision"] == decision.kind
                assert frozen["blockers"] == [], frozen["blockers"]
                approvals = [v for v in frozen["votes"] if v["choice"] == "approve"]
                assert approvals and not any(v["stale"] for v in approvals), frozen["votes"]
                stored = (
                    work.session.execute(
                        select(Vote.evidence_digest).where(
                            Vote.review_id == decision.review_id, Vote.choice == "approve"
                        )
                    )
                    .scalars()
                    .all()
                )
                assert stored and set(stored) == {frozen["evidence_digest"]}

    @invariant()
    def audit_trail_verifies(self) -> None:
        with uow(read_only=True) as work:
            result = audit.verify(work)
        assert result.ok, (result.chain.problem, result.problems)


GateWorkflow.TestCase.settings = settings(
    max_examples=15,
    stateful_step_count=20,
    deadline=None,
    database=None,  # no .hypothesis directory in the repository; a failure prints its reproduction
    suppress_health_check=[HealthCheck.too_slow],  # every step runs real transactions
)
TestGateWorkflow = GateWorkflow.TestCase
