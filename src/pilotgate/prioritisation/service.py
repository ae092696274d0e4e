"""Use case scorecards: score, keep every version, attach the generated document to Gate 1.

Who may score: the `score.write` permission (checked by the API and pages), and outside the
programme's leads only someone named on the use case (the API). The generated document is
attached to an open review whose gate asks for the policy's scorecard artifact (Gate 1's
`use_case_scorecard`) through the gates service, as the scorer — so its rules hold: the scorer
must hold a role on the use case, and a newer artifact version makes earlier votes stale.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from pilotgate.audit import service as audit
from pilotgate.db.uow import UnitOfWork
from pilotgate.errors import Conflict, InvalidInput, NotFound
from pilotgate.gates import repository as reviews
from pilotgate.gates import service as gates
from pilotgate.gates.models import Artifact
from pilotgate.policy import service as policies
from pilotgate.prioritisation import rules, views
from pilotgate.prioritisation.document import scorecard_markdown
from pilotgate.prioritisation.models import Scorecard, ScorecardScore
from pilotgate.usecases import service as usecases
from pilotgate.usecases.models import Person, UseCase

NOTE_LIMIT = 2000


@dataclass(frozen=True)
class Recorded:
    """A saved scorecard version, and what became of its document."""

    scorecard: Scorecard
    attached: Artifact | None
    not_attached: str | None  # why no document was attached, when a review could have taken it


def _parsed(field: str, parse: Any, value: Any) -> Any:
    try:
        return parse(value)
    except ValueError as error:
        raise InvalidInput(field, str(error)) from None


def _refuse(problems: list[tuple[str, str]]) -> None:
    if len(problems) == 1:
        raise InvalidInput(*problems[0])
    raise InvalidInput("criterion", "; ".join(f"{field}: {why}" for field, why in problems))


def versions(uow: UnitOfWork, use_case: UseCase) -> list[Scorecard]:
    query = select(Scorecard).where(Scorecard.use_case_id == use_case.id).order_by(Scorecard.version)
    return list(uow.session.scalars(query))


def latest(uow: UnitOfWork, use_case: UseCase) -> Scorecard | None:
    query = select(Scorecard).where(Scorecard.use_case_id == use_case.id).order_by(Scorecard.version.desc())
    return uow.session.scalars(query.limit(1)).first()


def get_or_raise(uow: UnitOfWork, use_case: UseCase, version: int | None = None) -> Scorecard:
    if version is None:
        row = latest(uow, use_case)
    else:
        query = select(Scorecard).where(Scorecard.use_case_id == use_case.id, Scorecard.version == version)
        row = uow.session.scalars(query).first()
    if row is None:
        which = f"scorecard version {version}" if version is not None else "scorecard"
        raise NotFound(
            f"{use_case.key} has no {which}; score it with `pilotgate score set {use_case.key} --criterion id=score …`"
        )
    return row


def record(
    uow: UnitOfWork,
    *,
    key: str,
    scores: Mapping[str, object],
    actor: str,
    expected_value: object = None,
    currency: str | None = None,
    note: str = "",
    attach: bool = True,
) -> Recorded:
    """Score a use case (a new version) against its policy's criteria; with an open review that asks
    for the scorecard artifact, the generated document is attached to it as the scorer."""
    use_case = usecases.get_or_raise(uow, key)
    person = usecases.person_get_or_raise(uow, actor)
    stored_policy = policies.get_or_raise(uow, use_case.policy_name)
    policy = policies.parsed(stored_policy)
    criteria, scale = views.criteria_of(policy)
    checked, problems = rules.check_scores(scores, criteria, scale)
    if problems:
        _refuse(problems)
    value = (
        None if expected_value in (None, "") else _parsed("expected-value", rules.parse_expected_value, expected_value)
    )
    code = _parsed("currency", rules.parse_currency, currency) if currency not in (None, "") else None
    if value is not None and code is None:
        code = policy.prioritisation.currency
    if value is None and code is not None:
        raise InvalidInput("currency", "is given without an expected value; add --expected-value or drop it")
    note = (note or "").strip()
    if len(note) > NOTE_LIMIT:
        raise InvalidInput("note", f"is {len(note)} characters long; at most {NOTE_LIMIT} are allowed")
    newest = uow.session.scalar(select(func.max(Scorecard.version)).where(Scorecard.use_case_id == use_case.id))
    row = Scorecard(
        use_case_id=use_case.id,
        version=(newest or 0) + 1,
        policy_name=stored_policy.name,
        policy_version=stored_policy.version,
        scale_min=scale.low,
        scale_max=scale.high,
        criteria=views.snapshot(criteria),
        total=rules.weighted_score(checked, criteria, scale),
        expected_value=value,
        currency=code,
        note=note,
        scored_by_id=person.id,
        scored_at=uow.now(),
        scores=[ScorecardScore(criterion_id=s.criterion, score=s.score, rationale=s.rationale) for s in checked],
    )
    uow.session.add(row)
    try:
        uow.session.flush()
    except IntegrityError:  # two people scoring the same use case at the same moment
        raise Conflict(f"{use_case.key} was scored by someone else at the same moment; score it again") from None
    uow.session.refresh(row)
    audit.record(
        uow,
        actor=person.email,
        action="scorecard.scored",
        entity_type="scorecard",
        entity_id=row.id,
        use_case_key=use_case.key,
        after=views.scorecard_dict(row, use_case.key),
    )
    attached, reason = _attach_if_asked(uow, use_case, person, row) if attach else (None, None)
    return Recorded(row, attached, reason)


def _wanted_by_open_review(uow: UnitOfWork, use_case: UseCase) -> tuple[bool, str]:
    """Whether the open review asks for the scorecard artifact, and a sentence saying why not."""
    review = reviews.open_review(uow, use_case.id)
    if review is None:
        return False, f"{use_case.key} has no open gate review; the scorecard is attached when Gate 1's is open"
    policy = policies.parsed(review.policy_version)
    gate = policy.gate(review.gate_number)
    artifact = policy.prioritisation.artifact
    if gate is None or gate.artifact(artifact) is None:
        return False, f"the open review is Gate {review.gate_number}, which asks for no {artifact} artifact"
    return True, ""


def _attach_if_asked(
    uow: UnitOfWork, use_case: UseCase, person: Person, row: Scorecard
) -> tuple[Artifact | None, str | None]:
    wanted, _ = _wanted_by_open_review(uow, use_case)
    if not wanted:
        return None, None
    if not any(a.person_id == person.id for a in use_case.assignments):
        return None, (
            f"{person.email} holds no role on {use_case.key}, so the document was not attached to the open review; "
            f"someone named on it attaches it with `pilotgate score attach {use_case.key}`"
        )
    return _attach(uow, use_case, person.email, row), None


def _attach(uow: UnitOfWork, use_case: UseCase, actor: str, row: Scorecard) -> Artifact:
    review = reviews.open_review(uow, use_case.id)
    artifact = policies.parsed(review.policy_version).prioritisation.artifact if review else "use_case_scorecard"
    body = document(use_case, row).encode("utf-8")
    return gates.attach(
        uow,
        key=use_case.key,
        artifact_id=artifact,
        actor=actor,
        content=io.BytesIO(body),
        filename=f"{use_case.key}-use-case-scorecard-v{row.version}.md",
    )


def attach(uow: UnitOfWork, *, key: str, actor: str) -> tuple[Artifact, Scorecard]:
    """Attach the newest scorecard's document to the open review (Gate 1) as `actor`."""
    use_case = usecases.get_or_raise(uow, key)
    usecases.person_get_or_raise(uow, actor)
    row = get_or_raise(uow, use_case)
    wanted, why = _wanted_by_open_review(uow, use_case)
    if not wanted:
        raise Conflict(why)
    return _attach(uow, use_case, actor, row), row


def document(use_case: UseCase, row: Scorecard) -> str:
    """The Markdown document of one scorecard version."""
    facts = {"key": use_case.key, "title": use_case.title, "business_unit": use_case.business_unit}
    return scorecard_markdown(views.scorecard_dict(row, use_case.key), {**facts, "stage": use_case.stage})


def summary(uow: UnitOfWork, use_case: UseCase, version: int | None = None) -> dict[str, Any]:
    """The use case's criteria (from its policy now), its newest (or asked-for) scorecard and every version."""
    policy = usecases.policy_of(uow, use_case)
    rows = versions(uow, use_case)
    shown = get_or_raise(uow, use_case, version) if version is not None else (rows[-1] if rows else None)
    wanted, _ = _wanted_by_open_review(uow, use_case)
    return {
        "use_case": use_case.key,
        **views.criteria_dict(policy),
        "scorecard": views.scorecard_dict(shown, use_case.key) if shown else None,
        "versions": [views.version_summary(r) for r in rows],
        "open_review_takes_it": wanted,
    }


def recorded_dict(result: Recorded, key: str) -> dict[str, Any]:
    attached = result.attached
    return {
        "scorecard": views.scorecard_dict(result.scorecard, key),
        "attached": None
        if attached is None
        else {"artifact": attached.artifact_id, "version": attached.version, "sha256": attached.sha256},
        "not_attached": result.not_attached,
    }


def latest_of(uow: UnitOfWork, use_cases: Sequence[UseCase]) -> dict[int, Scorecard]:
    """The newest scorecard of each of many use cases, in one query."""
    ids = [u.id for u in use_cases]
    if not ids:
        return {}
    newest = (
        select(Scorecard.use_case_id, func.max(Scorecard.version).label("version"))
        .where(Scorecard.use_case_id.in_(ids))
        .group_by(Scorecard.use_case_id)
        .subquery()
    )
    query = select(Scorecard).join(
        newest, (Scorecard.use_case_id == newest.c.use_case_id) & (Scorecard.version == newest.c.version)
    )
    return {row.use_case_id: row for row in uow.session.scalars(query)}
