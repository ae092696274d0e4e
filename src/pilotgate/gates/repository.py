"""Queries over reviews and what they hold."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from pilotgate.db.uow import UnitOfWork
from pilotgate.gates.models import Artifact, Assessment, Decision, Review, Vote


def open_review(uow: UnitOfWork, use_case_id: int) -> Review | None:
    return uow.session.execute(
        select(Review).where(Review.use_case_id == use_case_id, Review.state == "open")
    ).scalar_one_or_none()


def reviews_of(uow: UnitOfWork, use_case_id: int) -> Sequence[Review]:
    return (
        uow.session.execute(select(Review).where(Review.use_case_id == use_case_id).order_by(Review.id)).scalars().all()
    )


def assessments(uow: UnitOfWork, review_id: int) -> Sequence[Assessment]:
    return uow.session.execute(select(Assessment).where(Assessment.review_id == review_id)).scalars().all()


def artifacts(uow: UnitOfWork, review_id: int) -> Sequence[Artifact]:
    return (
        uow.session.execute(
            select(Artifact).where(Artifact.review_id == review_id).order_by(Artifact.artifact_id, Artifact.version)
        )
        .scalars()
        .all()
    )


def votes(uow: UnitOfWork, review_id: int) -> Sequence[Vote]:
    return uow.session.execute(select(Vote).where(Vote.review_id == review_id).order_by(Vote.id)).scalars().all()


def decision_of(uow: UnitOfWork, review_id: int) -> Decision | None:
    return uow.session.execute(select(Decision).where(Decision.review_id == review_id)).scalar_one_or_none()


def decisions_of(uow: UnitOfWork, use_case_id: int) -> Sequence[Decision]:
    return (
        uow.session.execute(
            select(Decision).join(Review).where(Review.use_case_id == use_case_id).order_by(Decision.id)
        )
        .scalars()
        .all()
    )
