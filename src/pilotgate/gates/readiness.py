"""Readiness of every open review at once: a few set-based queries, then the pure rules."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from typing import cast

from sqlalchemy import Connection, select

from pilotgate.db import bulk
from pilotgate.db.bulk import BULK, paused_gc
from pilotgate.db.uow import UnitOfWork
from pilotgate.evidence.evaluation import evaluate_all
from pilotgate.evidence.rules import to_ms
from pilotgate.gates import computed, rules
from pilotgate.gates.models import Artifact, Assessment, Review, Vote
from pilotgate.policy import service as policies
from pilotgate.policy.model import Policy
from pilotgate.policy.models import PolicyVersion
from pilotgate.usecases.models import Person, RoleAssignment, UseCase


def _day(value: date | str | None) -> date | None:
    """A date column read from the driver: SQLite gives its ISO text, PostgreSQL a date."""
    return date.fromisoformat(value) if isinstance(value, str) else value


@dataclass(frozen=True)
class Readiness:
    key: str
    title: str
    business_unit: str
    gate: int
    blockers: list[str]

    @property
    def go_allowed(self) -> bool:
        return not self.blockers


def all_open(uow: UnitOfWork, *, keys: Collection[str] | None = None) -> list[Readiness]:
    """The blockers of every open review in the portfolio (or of the named use cases), by key."""
    with paused_gc(BULK if keys is None else len(keys)):
        return _all_open(uow, keys)


def _all_open(uow: UnitOfWork, keys: Collection[str] | None) -> list[Readiness]:
    session = uow.session
    # Plain Core rows: no ORM identity map or entity loading for tens of thousands of rows.
    connection = session.connection()
    opened = Review.state == "open"
    if keys is not None:
        opened = opened & Review.use_case_id.in_(select(UseCase.id).where(UseCase.key.in_(list(keys))))
    reviews = connection.execute(
        select(
            Review.id,
            Review.gate_number,
            Review.policy_version_id,
            UseCase.id,
            UseCase.key,
            UseCase.title,
            UseCase.business_unit,
            UseCase.risk_tier,
            Person.email,
        )
        .join(UseCase, Review.use_case_id == UseCase.id)
        .join(Person, Review.opened_by_id == Person.id)
        .where(opened)
        .order_by(UseCase.key)
    ).all()
    versions = (
        {
            v.id: policies.parsed(v)
            for v in session.execute(
                select(PolicyVersion).where(PolicyVersion.id.in_({r[2] for r in reviews}))
            ).scalars()
        }
        if reviews
        else {}
    )
    assignments: dict[int, dict[str, str]] = defaultdict(dict)
    for use_case_id, role, email in bulk.rows(
        connection,
        select(RoleAssignment.use_case_id, RoleAssignment.role, Person.email)
        .join(Person, RoleAssignment.person_id == Person.id)
        .join(Review, (Review.use_case_id == RoleAssignment.use_case_id) & opened),
    ):
        assignments[use_case_id][role] = email
    assessed: dict[int, dict[str, rules.Assessment]] = defaultdict(dict)
    for review_id, criterion, status, justification, expires, links, email in bulk.rows(
        connection,
        select(
            Assessment.review_id,
            Assessment.criterion_id,
            Assessment.status,
            Assessment.justification,
            Assessment.waiver_expires,
            Assessment.evidence_links,
            Person.email,
        )
        .join(Person, Assessment.assessed_by_id == Person.id)
        .join(Review, (Review.id == Assessment.review_id) & opened),
    ):
        evidence = tuple(json.loads(links)) if links and links != "[]" else ()
        assessed[review_id][criterion] = rules.Assessment(
            criterion, cast(rules.AssessmentStatus, status), email, justification, _day(expires), evidence
        )
    attached: dict[int, dict[str, rules.Artifact]] = defaultdict(dict)
    for review_id, artifact_id, version, sha, url, email in bulk.rows(
        connection,
        select(Artifact.review_id, Artifact.artifact_id, Artifact.version, Artifact.sha256, Artifact.url, Person.email)
        .join(Person, Artifact.uploaded_by_id == Person.id)
        .join(Review, (Review.id == Artifact.review_id) & opened)
        .order_by(Artifact.review_id, Artifact.artifact_id, Artifact.version),
    ):
        attached[review_id][artifact_id] = rules.Artifact(artifact_id, version, sha, url, email)
    votes: dict[int, list[rules.Vote]] = defaultdict(list)
    for review_id, role, email, choice, digest, comment in bulk.rows(
        connection,
        select(Vote.review_id, Vote.role, Person.email, Vote.choice, Vote.evidence_digest, Vote.comment)
        .join(Person, Vote.person_id == Person.id)
        .join(Review, (Review.id == Vote.review_id) & opened),
    ):
        votes[review_id].append(rules.Vote(role, email, cast(rules.VoteChoice, choice), digest, comment))
    today = uow.now().date()
    plans = [(uc, number, version) for _, number, version, uc, *_ in reviews]
    measured = _measurements(connection, plans, versions, now_ms=to_ms(uow.now()))
    for use_case_id, results in _computed(uow, plans, versions).items():
        measured.setdefault(use_case_id, {}).update(results)
    found = []
    for review_id, gate_number, version_id, use_case_id, key, title, unit, tier, opener in reviews:
        policy = versions[version_id]
        gate = policy.gate(gate_number)
        if gate is None:
            continue
        state = rules.ReviewState(
            policy=policy,
            gate=gate,
            risk_tier=tier,
            opener=opener,
            today=today,
            assignments=assignments[use_case_id],
            assessments=assessed[review_id],
            artifacts=attached[review_id],
            votes=tuple(votes[review_id]),
            measurements=measured.get(use_case_id, {}),
        )
        found.append(Readiness(key, title, unit, gate_number, rules.blockers(state)))
    return found


def _measurements(
    connection: Connection, reviews: Sequence[tuple[int, int, int]], versions: dict[int, Policy], *, now_ms: int
) -> dict[int, dict[str, rules.Measurement]]:
    """Every open review's metric criteria, evaluated in bulk (a few aggregate queries in all)."""
    items = []
    for use_case_id, gate_number, version_id in reviews:
        gate = versions[version_id].gate(gate_number)
        if gate is not None:
            items += [(use_case_id, c, versions[version_id]) for c in gate.criteria if c.kind == "metric"]
    found: dict[int, dict[str, rules.Measurement]] = defaultdict(dict)
    for (use_case_id, criterion_id), evaluation in evaluate_all(connection, items, now_ms=now_ms).items():
        found[use_case_id][criterion_id] = rules.Measurement(evaluation.status, evaluation.note, {})
    return found


def _computed(
    uow: UnitOfWork, reviews: Sequence[tuple[int, int, int]], versions: dict[int, Policy]
) -> dict[int, dict[str, rules.Measurement]]:
    """Every open review's computed criteria, one bulk query set per check."""
    items = []
    for use_case_id, gate_number, version_id in reviews:
        gate = versions[version_id].gate(gate_number)
        if gate is not None:
            items += [(use_case_id, c) for c in gate.criteria if c.kind == "computed"]
    return computed.evaluate(uow, items)
