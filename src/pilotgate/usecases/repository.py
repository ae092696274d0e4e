"""Queries over the registry."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Select, func, or_, select

from pilotgate.db import bulk
from pilotgate.db.bulk import among
from pilotgate.db.uow import UnitOfWork
from pilotgate.usecases.models import Person, RoleAssignment, UseCase, UseCaseTag

SORTABLE = {
    "key": UseCase.key,
    "title": UseCase.title,
    "stage": UseCase.stage,
    "status": UseCase.status,
    "business_unit": UseCase.business_unit,
    "stage_entered_at": UseCase.stage_entered_at,
    "created_at": UseCase.created_at,
}


def person_by_email(uow: UnitOfWork, email: str) -> Person | None:
    return uow.session.execute(select(Person).where(Person.email == email.strip().lower())).scalar_one_or_none()


def people(uow: UnitOfWork) -> Sequence[Person]:
    return uow.session.execute(select(Person).order_by(Person.email)).scalars().all()


def use_case_by_key(uow: UnitOfWork, key: str) -> UseCase | None:
    return uow.session.execute(select(UseCase).where(UseCase.key == key.strip().upper())).scalar_one_or_none()


def next_key_number(uow: UnitOfWork) -> int:
    newest = uow.session.execute(select(UseCase.key).order_by(UseCase.id.desc()).limit(1)).scalar_one_or_none()
    return int(newest.split("-")[1]) + 1 if newest else 1


def filtered(
    *,
    stage: str | None = None,
    status: str | None = None,
    business_unit: str | None = None,
    tag: str | None = None,
    text: str | None = None,
) -> Select[Any]:
    query = select(UseCase)
    if stage:
        query = query.where(UseCase.stage == stage)
    if status:
        query = query.where(UseCase.status == status)
    if business_unit:
        query = query.where(func.lower(UseCase.business_unit) == business_unit.lower())
    if tag:
        query = query.where(UseCase.tags.any(UseCaseTag.tag == tag.lower()))
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(
            or_(
                func.lower(UseCase.title).like(pattern),
                func.lower(UseCase.description).like(pattern),
                func.lower(UseCase.key).like(pattern),
            )
        )
    return query


def count(uow: UnitOfWork, query: Select[Any]) -> int:
    return uow.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()


def assignments_of(uow: UnitOfWork, use_case_id: int) -> dict[str, Person]:
    rows = uow.session.execute(select(RoleAssignment).where(RoleAssignment.use_case_id == use_case_id)).scalars()
    return {row.role: row.person for row in rows}


def business_units(uow: UnitOfWork) -> list[str]:
    return list(uow.session.scalars(select(UseCase.business_unit).distinct()))


def keys_of(uow: UnitOfWork, ids: Collection[int]) -> dict[int, str]:
    """The keys of these use cases by id (of those that exist), read as plain rows: bulk checks ask
    for thousands at once."""
    wanted = set(ids)
    query = select(UseCase.id, UseCase.key).where(among(UseCase.id, wanted))
    return {i: key for i, key in bulk.rows(uow.session.connection(), query) if i in wanted}
