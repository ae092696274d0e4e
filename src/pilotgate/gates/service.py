"""Gate reviews as application use cases: open, assess, attach, vote, decide."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO, cast
from urllib.parse import urlparse

from sqlalchemy import update

from pilotgate.audit import service as audit
from pilotgate.audit.chain import canonical_json
from pilotgate.db.uow import UnitOfWork
from pilotgate.errors import Conflict, Forbidden, GateBlocked, InvalidInput, NotFound
from pilotgate.evidence import service as evidence
from pilotgate.evidence import store
from pilotgate.gates import computed, repository, rules
from pilotgate.gates.models import Artifact, Assessment, Condition, Decision, Review, Vote
from pilotgate.policy import service as policies
from pilotgate.policy.checks import CHECKS
from pilotgate.policy.model import Gate, Policy
from pilotgate.usecases import service as usecases
from pilotgate.usecases.models import Person, UseCase


@dataclass(frozen=True)
class OpenReview:
    """A loaded open review with its policy, gate and the state the rules judge."""

    use_case: UseCase
    review: Review
    policy: Policy
    gate: Gate
    state: rules.ReviewState
    artifact_rows: list[Artifact]
    vote_rows: list[Vote]
    assessment_rows: list[Assessment]

    def uploaders(self) -> set[str]:
        return {a.uploaded_by.email for a in self.artifact_rows}


def _roles_held(use_case: UseCase, person: Person) -> list[str]:
    return [a.role for a in use_case.assignments if a.person_id == person.id]


def _require_role_holder(use_case: UseCase, person: Person, what: str) -> None:
    if not _roles_held(use_case, person):
        raise Forbidden(f"{person.email} holds no role on {use_case.key} and may not {what}")


def _gate_for(policy: Policy, review: Review) -> Gate:
    gate = policy.gate(review.gate_number)
    if gate is None:  # the stored version is immutable, so this means a corrupted row
        raise Conflict(f"review {review.id} names gate {review.gate_number}, absent from its policy")
    return gate


def load_open(uow: UnitOfWork, key: str, *, measure: bool = True) -> OpenReview:
    """The open review of a use case; ``measure=False`` skips evaluating its metric criteria, for
    writes that need neither blockers nor the evidence digest (assessing, attaching)."""
    use_case = usecases.get_or_raise(uow, key)
    review = repository.open_review(uow, use_case.id)
    if review is None:
        raise NotFound(
            f"{use_case.key} has no open gate review; open one with `pilotgate gate open {use_case.key} --as EMAIL`"
        )
    policy = policies.parsed(review.policy_version)
    gate = _gate_for(policy, review)
    assessments = list(repository.assessments(uow, review.id))
    artifacts = list(repository.artifacts(uow, review.id))
    votes = list(repository.votes(uow, review.id))
    latest: dict[str, Artifact] = {}
    for artifact in artifacts:
        latest[artifact.artifact_id] = artifact
    evaluations = evidence.evaluate_criteria(uow, use_case, policy, gate.criteria) if measure else {}
    checked = computed.evaluate(uow, [(use_case.id, c) for c in gate.criteria]).get(use_case.id, {}) if measure else {}
    state = rules.ReviewState(
        policy=policy,
        gate=gate,
        risk_tier=use_case.risk_tier,
        opener=review.opened_by.email,
        today=uow.now().date(),
        assignments={a.role: a.person.email for a in use_case.assignments},
        assessments={
            a.criterion_id: rules.Assessment(
                a.criterion_id,
                cast(rules.AssessmentStatus, a.status),
                a.assessed_by.email,
                a.justification,
                a.waiver_expires,
                tuple(json.loads(a.evidence_links or "[]")),
            )
            for a in assessments
        },
        artifacts={
            aid: rules.Artifact(aid, a.version, a.sha256, a.url, a.uploaded_by.email) for aid, a in latest.items()
        },
        votes=tuple(
            rules.Vote(v.role, v.person.email, cast(rules.VoteChoice, v.choice), v.evidence_digest, v.comment)
            for v in votes
        ),
        measurements={
            **{cid: rules.Measurement(e.status, e.note, e.as_dict()) for cid, e in evaluations.items()},
            **checked,
        },
    )
    return OpenReview(use_case, review, policy, gate, state, artifacts, votes, assessments)


def _record(
    uow: UnitOfWork,
    loaded: OpenReview,
    *,
    actor: str,
    action: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """An audit event about the open review of a use case."""
    audit.record(
        uow,
        actor=actor,
        action=action,
        entity_type="review",
        entity_id=loaded.review.id,
        use_case_key=loaded.use_case.key,
        before=before,
        after=after,
    )


def open_review(uow: UnitOfWork, *, key: str, actor: str) -> Review:
    """Open a review for the use case's next gate under the newest version of its policy."""
    use_case = usecases.get_or_raise(uow, key)
    person = usecases.person_get_or_raise(uow, actor)
    if use_case.status in ("stopped", "retired"):
        raise Conflict(f"{use_case.key} is {use_case.status}; a {use_case.status} use case has no further gates")
    if repository.open_review(uow, use_case.id) is not None:
        raise Conflict(f"{use_case.key} already has an open review; decide it before opening another")
    version = policies.get_or_raise(uow, use_case.policy_name)
    policy = policies.parsed(version)
    gate = policy.gate_from(use_case.stage)
    if gate is None:
        raise Conflict(
            f"{use_case.key} is in {use_case.stage}, the final stage of policy {policy.name}: no gate follows"
        )
    _require_role_holder(use_case, person, "open a gate review")
    if use_case.status == "on_hold":
        use_case.status = "active"
        audit.record(
            uow,
            actor=person.email,
            action="usecase.resumed",
            entity_type="use_case",
            entity_id=use_case.key,
            use_case_key=use_case.key,
            before={"status": "on_hold"},
            after={"status": "active"},
        )
    review = Review(
        use_case_id=use_case.id,
        gate_number=gate.number,
        from_stage=gate.from_stage,
        to_stage=gate.to_stage,
        policy_version_id=version.id,
        state="open",
        opened_by_id=person.id,
        opened_at=uow.now(),
    )
    uow.session.add(review)
    uow.session.flush()
    audit.record(
        uow,
        actor=person.email,
        action="review.opened",
        entity_type="review",
        entity_id=review.id,
        use_case_key=use_case.key,
        after={"gate": gate.number, "policy": version.name, "policy_version": version.version},
    )
    return review


def assess(
    uow: UnitOfWork,
    *,
    key: str,
    criterion_id: str,
    status: str,
    actor: str,
    note: str,
    expires: date | None = None,
    evidence: list[str] | None = None,
) -> Assessment:
    """Record a criterion as met, not met or waived (a waiver needs authority and an expiry)."""
    loaded = load_open(uow, key, measure=False)
    person = usecases.person_get_or_raise(uow, actor)
    criterion = loaded.gate.criterion(criterion_id)
    if criterion is None:
        ids = ", ".join(c.id for c in loaded.gate.criteria)
        raise InvalidInput("criterion", f"{criterion_id!r} is not a criterion of {loaded.gate.title}; one of {ids}")
    if status not in rules.ASSESSMENT_STATUSES:
        raise InvalidInput("status", f"{status!r} is not one of {', '.join(rules.ASSESSMENT_STATUSES)}")
    if criterion.kind == "computed" and status != "waived":
        raise InvalidInput(
            "criterion",
            f"{criterion_id} is computed from pilotgate's records "
            f"({CHECKS.get(criterion.check or '', criterion.check)}); record them, or waive it with a justification",
        )
    if criterion.kind == "metric" and status != "waived":
        raise InvalidInput(
            "criterion",
            f"{criterion_id} is measured, not asserted: `{criterion.expression}` decides it from the data; "
            "import the metrics it reads, or waive it with a justification",
        )
    if criterion.kind == "artifact" and status != "waived":
        raise InvalidInput(
            "criterion", f"{criterion_id} is met by attaching artifact {criterion.artifact}, not by assessment"
        )
    _require_role_holder(loaded.use_case, person, "assess criteria")
    if not note.strip():
        raise InvalidInput("note", "an assessment needs a justification")
    if status == "waived":
        rules.check_waiver(loaded.state, person=person.email, expires=expires, justification=note)
    elif expires is not None:
        raise InvalidInput("expires", "only a waiver has an expiry date")
    links = [_check_url(link) for link in (evidence or [])]
    row = next((a for a in loaded.assessment_rows if a.criterion_id == criterion_id), None)
    before = _assessment_dict(row) if row else {}
    if row is None:
        row = Assessment(review_id=loaded.review.id, criterion_id=criterion_id)
        uow.session.add(row)
    row.status = status
    row.justification = note.strip()
    row.evidence_links = json.dumps(links)
    row.waiver_expires = expires if status == "waived" else None
    row.assessed_by_id = person.id
    row.assessed_at = uow.now()
    uow.session.flush()
    uow.session.refresh(row)
    _record(
        uow,
        loaded,
        actor=person.email,
        action="criterion.assessed",
        before=before,
        after=_assessment_dict(row),
    )
    return row


def _assessment_dict(row: Assessment) -> dict[str, Any]:
    return {
        "criterion": row.criterion_id,
        "status": row.status,
        "justification": row.justification,
        "evidence": json.loads(row.evidence_links or "[]"),
        "waiver_expires": row.waiver_expires.isoformat() if row.waiver_expires else None,
    }


def _check_url(url: str) -> str:
    parsed = urlparse(url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.netloc or len(url) > 2000:
        raise InvalidInput("url", f"{url!r} is not an http(s) URL")
    return url.strip()


def _artifact_spec(loaded: OpenReview, artifact_id: str) -> None:
    if loaded.gate.artifact(artifact_id) is None:
        ids = ", ".join(a.id for a in loaded.gate.artifacts) or "none"
        raise InvalidInput("artifact", f"{artifact_id!r} is not an artifact of {loaded.gate.title}; one of {ids}")


def attach(
    uow: UnitOfWork,
    *,
    key: str,
    artifact_id: str,
    actor: str,
    content: BinaryIO | None = None,
    filename: str | None = None,
    url: str | None = None,
) -> Artifact:
    """Attach a new version of a gate artifact: a file (stored by SHA-256) or a URL."""
    loaded = load_open(uow, key, measure=False)
    person = usecases.person_get_or_raise(uow, actor)
    _artifact_spec(loaded, artifact_id)
    _require_role_holder(loaded.use_case, person, "attach artifacts")
    versions = [a.version for a in loaded.artifact_rows if a.artifact_id == artifact_id]
    row = Artifact(
        review_id=loaded.review.id,
        artifact_id=artifact_id,
        version=max(versions, default=0) + 1,
        uploaded_by_id=person.id,
        uploaded_at=uow.now(),
    )
    if (content is None) == (url is None):
        raise InvalidInput("artifact", "give either a file or a URL")
    if url is not None:
        row.url = _check_url(url)
    else:
        stored = store.store(
            uow.settings.artifacts_dir,
            content,  # type: ignore[arg-type]
            filename=filename or artifact_id,
            max_bytes=loaded.policy.rules.artifact_max_bytes,
        )
        row.sha256, row.size, row.media_type, row.filename = (
            stored.sha256,
            stored.size,
            stored.media_type,
            stored.filename,
        )
    uow.session.add(row)
    uow.session.flush()
    _record(
        uow,
        loaded,
        actor=person.email,
        action="artifact.attached",
        after={
            "artifact": artifact_id,
            "version": row.version,
            "sha256": row.sha256,
            "size": row.size,
            "filename": row.filename,
            "url": row.url,
        },
    )
    return row


def attach_path(uow: UnitOfWork, *, key: str, artifact_id: str, actor: str, path: Path) -> Artifact:
    if not path.is_file():
        raise InvalidInput("file", f"{path} is not a readable file (for a link, give an http(s) URL)")
    with path.open("rb") as handle:
        return attach(uow, key=key, artifact_id=artifact_id, actor=actor, content=handle, filename=path.name)


def vote(uow: UnitOfWork, *, key: str, choice: str, actor: str, role: str | None = None, comment: str = "") -> Vote:
    """Cast (or re-cast) the vote of one named approver role; it covers the current evidence."""
    if choice not in rules.VOTE_CHOICES:
        raise InvalidInput("vote", f"{choice!r} is not one of {', '.join(rules.VOTE_CHOICES)}")
    loaded = load_open(uow, key)
    person = usecases.person_get_or_raise(uow, actor)
    role = rules.check_vote(loaded.state, person=person.email, role=role, uploaders=loaded.uploaders())
    if choice == "reject" and not comment.strip():
        raise InvalidInput("comment", "a rejection needs a comment saying what must change")
    digest = rules.evidence_digest(loaded.state)
    row = next((v for v in loaded.vote_rows if v.role == role), None)
    before = {"role": row.role, "person": row.person.email, "choice": row.choice} if row else {}
    if row is None:
        row = Vote(review_id=loaded.review.id, role=role)
        uow.session.add(row)
    row.person_id = person.id
    row.exclusive_person_id = person.id if loaded.policy.rules.distinct_approvers else None
    row.choice = choice
    row.comment = comment.strip()
    row.evidence_digest = digest
    row.cast_at = uow.now()
    uow.session.flush()
    _record(
        uow,
        loaded,
        actor=person.email,
        action="vote.cast",
        before=before,
        after={
            "role": role,
            "person": person.email,
            "choice": choice,
            "comment": row.comment,
            "evidence_digest": digest,
        },
    )
    return row


def parse_condition(text: str) -> tuple[str, str, date]:
    parts = [p.strip() for p in text.split("|")]
    if len(parts) != 3 or not all(parts):
        raise InvalidInput("condition", f"{text!r} is not TEXT|OWNER_EMAIL|DUE_DATE")
    try:
        due = date.fromisoformat(parts[2])
    except ValueError:
        raise InvalidInput("condition", f"due date {parts[2]!r} is not a date like 2026-12-31") from None
    return parts[0], parts[1], due


def _frozen_criterion(state: rules.ReviewState, result: rules.CriterionResult) -> dict[str, Any]:
    frozen: dict[str, Any] = {
        "id": result.criterion.id,
        "kind": result.criterion.kind,
        "status": result.status,
        "note": result.note,
    }
    measured = state.measurements.get(result.criterion.id)
    if measured is not None:  # the values, thresholds, windows and data counts behind the verdict
        frozen["evaluation"] = measured.detail
    return frozen


def snapshot(loaded: OpenReview, decision: str) -> dict[str, Any]:
    """The evidence at decision time, frozen into the decision with its hash."""
    state = loaded.state
    digest = rules.evidence_digest(state)
    version = loaded.review.policy_version
    return {
        "use_case": loaded.use_case.key,
        "gate": loaded.gate.number,
        "decision": decision,
        "policy": {"name": version.name, "version": version.version, "sha256": version.sha256},
        "criteria": [
            _frozen_criterion(state, r) for r in (rules.criterion_result(state, c) for c in loaded.gate.criteria)
        ],
        "artifacts": [
            {"id": a.artifact_id, "version": a.version, "sha256": a.sha256, "url": a.url}
            for a in state.artifacts.values()
        ],
        "votes": [
            {
                "role": v.role,
                "person": v.person,
                "choice": v.choice,
                "comment": v.comment,
                "stale": v.evidence_digest != digest,
            }
            for v in state.votes
        ],
        "evidence_digest": digest,
        "risk_tier": state.risk_tier,
        "blockers": rules.blockers(state),
    }


def decide(
    uow: UnitOfWork,
    *,
    key: str,
    decision: str,
    actor: str,
    to_stage: str | None = None,
    conditions: list[str] | None = None,
    rationale: str = "",
) -> Decision:
    """Take the gate decision: the only way a use case's stage ever changes."""
    try:
        loaded = load_open(uow, key)
    except NotFound:
        _refuse_if_already_decided(uow, key)
        raise
    person = usecases.person_get_or_raise(uow, actor)
    outcome = rules.decision_outcome(loaded.policy, loaded.gate, decision, to_stage)
    if not set(_roles_held(loaded.use_case, person)) & set(rules.required_roles(loaded.state)):
        raise Forbidden(f"{person.email} is not a named approver of {loaded.gate.title} on {loaded.use_case.key}")
    parsed = [parse_condition(c) for c in conditions or []]
    if decision == "conditional_go" and not parsed:
        raise InvalidInput("condition", 'a conditional go needs at least one --condition "TEXT|OWNER_EMAIL|DUE_DATE"')
    if decision != "conditional_go" and parsed:
        raise InvalidInput("condition", "only a conditional go carries conditions")
    owners = {email: usecases.person_get_or_raise(uow, email) for _, email, _ in parsed}
    today = uow.now().date()
    for text, _, due in parsed:
        if due <= today:
            raise InvalidInput("condition", f"the due date of {text!r} ({due}) is not in the future")
    if decision in ("go", "conditional_go"):
        reasons = rules.blockers(loaded.state)
        if reasons:
            raise GateBlocked(reasons)
    frozen = snapshot(loaded, decision)
    now = uow.now()
    claimed = uow.session.execute(
        update(Review)
        .where(Review.id == loaded.review.id, Review.state == "open")
        .values(state="decided", decided_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(f"the review of {loaded.use_case.key} was decided concurrently; reload it")
    uow.session.expire(loaded.review)
    text = canonical_json(frozen)
    row = Decision(
        review_id=loaded.review.id,
        kind=decision,
        from_stage=loaded.use_case.stage,
        to_stage=outcome.stage,
        resulting_status=outcome.status,
        rationale=rationale.strip(),
        decided_by_id=person.id,
        decided_at=now,
        snapshot=text,
        snapshot_sha256=hashlib.sha256(text.encode()).hexdigest(),
        conditions=[Condition(text=t, owner_id=owners[e].id, due_date=d) for t, e, d in parsed],
    )
    uow.session.add(row)
    uow.session.flush()
    before = {"stage": loaded.use_case.stage, "status": loaded.use_case.status}
    _apply_outcome(uow, loaded.use_case, row, outcome, recycled=decision == "recycle")
    _record(
        uow,
        loaded,
        actor=person.email,
        action="gate.decided",
        before=before,
        after={
            "decision": decision,
            "stage": outcome.stage,
            "status": outcome.status,
            "snapshot_sha256": row.snapshot_sha256,
            "conditions": [list(map(str, c)) for c in parsed],
        },
    )
    return row


def _refuse_if_already_decided(uow: UnitOfWork, key: str) -> None:
    """A decision that finds its review already decided lost a race (or came late): a conflict."""
    use_case = usecases.get_or_raise(uow, key)
    reviews = repository.reviews_of(uow, use_case.id)
    decided = repository.decision_of(uow, reviews[-1].id) if reviews else None
    if decided is not None:
        raise Conflict(
            f"the Gate {reviews[-1].gate_number} review of {use_case.key} was already decided "
            f"({decided.kind} by {decided.decided_by.email}); open a new review to decide again"
        )


def _apply_outcome(
    uow: UnitOfWork, use_case: UseCase, decision: Decision, outcome: rules.Outcome, *, recycled: bool
) -> None:
    now = decision.decided_at
    use_case.status = outcome.status
    if outcome.stage == use_case.stage and not recycled:
        return
    usecases.enter_stage(uow, use_case, stage=outcome.stage, at=now, reason=decision.kind, decision_id=decision.id)


def find_artifact(uow: UnitOfWork, *, key: str, artifact_id: str, version: int | None = None) -> Artifact:
    """The newest version of an artifact (or the one asked for) across the use case's reviews."""
    use_case = usecases.get_or_raise(uow, key)
    candidates = [
        a
        for review in repository.reviews_of(uow, use_case.id)
        for a in repository.artifacts(uow, review.id)
        if a.artifact_id == artifact_id and (version is None or a.version == version)
    ]
    if not candidates:
        which = f"version {version} of " if version else ""
        raise NotFound(
            f"{use_case.key} has no {which}artifact {artifact_id!r}; see `pilotgate gate status {use_case.key}`"
        )
    return max(candidates, key=lambda a: (a.review_id, a.version))


def decision_record(uow: UnitOfWork, *, key: str, gate: int | None = None) -> tuple[Decision, bool]:
    """The latest decision (or the latest at one gate) and whether its snapshot still matches its hash."""
    use_case = usecases.get_or_raise(uow, key)
    decisions = [d for d in repository.decisions_of(uow, use_case.id) if gate is None or d.review.gate_number == gate]
    if not decisions:
        raise NotFound(f"{use_case.key} has no gate decision" + (f" at Gate {gate}" if gate else ""))
    decision = decisions[-1]
    intact = hashlib.sha256(decision.snapshot.encode()).hexdigest() == decision.snapshot_sha256
    return decision, intact
