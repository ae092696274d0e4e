"""Recording readiness assessments and reading their history; services flush, never commit."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from pilotgate.audit import service as audit
from pilotgate.audit.chain import canonical_json
from pilotgate.db.uow import UnitOfWork
from pilotgate.errors import InvalidInput, NotFound
from pilotgate.maturity import rules
from pilotgate.maturity.models import MaturityAssessment
from pilotgate.maturity.questionnaire import VERSION
from pilotgate.maturity.signals import signals


def create(uow: UnitOfWork, *, answers: object, actor: str) -> MaturityAssessment:
    """Check every answer, score them with the data as it stands now, store the snapshot and audit it."""
    taken_by = actor.strip().lower()
    if not taken_by:
        raise InvalidInput("as", "name the person who takes the assessment")
    valid = rules.validate_answers(answers)
    result = rules.score(valid, signals(uow))
    row = MaturityAssessment(
        taken_at=uow.now(),
        taken_by=taken_by,
        questionnaire=VERSION,
        answers=canonical_json(valid),
        scores=canonical_json(result.as_dict()),
    )
    uow.session.add(row)
    uow.session.flush()
    audit.record(
        uow,
        actor=taken_by,
        action="maturity.assessed",
        entity_type="maturity_assessment",
        entity_id=row.id,
        after={
            "level": result.level.number,
            "overall": round(result.overall, 1),
            "capabilities": {c.id: round(c.combined, 1) for c in result.capabilities},
        },
    )
    return row


def history(uow: UnitOfWork) -> list[MaturityAssessment]:
    """Every assessment, oldest first."""
    query = select(MaturityAssessment).order_by(MaturityAssessment.taken_at, MaturityAssessment.id)
    return list(uow.session.scalars(query))


def latest(uow: UnitOfWork) -> MaturityAssessment | None:
    query = select(MaturityAssessment).order_by(MaturityAssessment.taken_at.desc(), MaturityAssessment.id.desc())
    return uow.session.scalars(query.limit(1)).first()


def latest_or_raise(uow: UnitOfWork) -> MaturityAssessment:
    found = latest(uow)
    if found is None:
        raise NotFound(
            "no readiness assessment has been recorded yet; take one with "
            "`pilotgate maturity assess --answers FILE --as EMAIL` or on the Maturity page"
        )
    return found


def view(row: MaturityAssessment) -> dict[str, Any]:
    """An assessment as JSON: who and when, the answers, and the scores snapshot taken with them."""
    scores: dict[str, Any] = json.loads(row.scores)
    return {
        "id": row.id,
        "taken_at": row.taken_at.isoformat(),
        "taken_by": row.taken_by,
        "questionnaire": row.questionnaire,
        **scores,
        "answers": json.loads(row.answers),
    }


def summary(row: MaturityAssessment) -> dict[str, Any]:
    """One point of the history: when, by whom, the level and the score of every capability."""
    scores = json.loads(row.scores)
    return {
        "id": row.id,
        "taken_at": row.taken_at.isoformat(),
        "taken_by": row.taken_by,
        "questionnaire": row.questionnaire,
        "overall": scores["overall"],
        "level": scores["level"]["number"],
        "level_name": scores["level"]["name"],
        "capabilities": {c["id"]: c["combined"] for c in scores["capabilities"]},
    }
