"""Queries of business cases and their actuals."""

from __future__ import annotations

from sqlalchemy import func, select

from pilotgate.db.uow import UnitOfWork
from pilotgate.finance.models import BusinessCase, BusinessCaseActual, IndicatorTie
from pilotgate.usecases.models import UseCase


def current(uow: UnitOfWork, use_case: UseCase) -> BusinessCase | None:
    """The newest version of a use case's business case, if it has one."""
    query = select(BusinessCase).where(BusinessCase.use_case_id == use_case.id)
    return uow.session.scalars(query.order_by(BusinessCase.version.desc()).limit(1)).first()


def version(uow: UnitOfWork, use_case: UseCase, number: int) -> BusinessCase | None:
    query = select(BusinessCase).where(BusinessCase.use_case_id == use_case.id, BusinessCase.version == number)
    return uow.session.scalars(query).first()


def versions(uow: UnitOfWork, use_case: UseCase) -> list[BusinessCase]:
    query = select(BusinessCase).where(BusinessCase.use_case_id == use_case.id)
    return list(uow.session.scalars(query.order_by(BusinessCase.version)))


def newest_specs(uow: UnitOfWork) -> list[tuple[int, dict]]:  # type: ignore[type-arg]
    """(use case id, spec) of the newest version of every business case."""
    newest = (
        select(BusinessCase.use_case_id, func.max(BusinessCase.version).label("version"))
        .group_by(BusinessCase.use_case_id)
        .subquery()
    )
    query = select(BusinessCase.use_case_id, BusinessCase.spec).join(
        newest, (BusinessCase.use_case_id == newest.c.use_case_id) & (BusinessCase.version == newest.c.version)
    )
    return [(use_case_id, spec) for use_case_id, spec in uow.session.execute(query)]


def actuals(uow: UnitOfWork, use_case: UseCase) -> list[BusinessCaseActual]:
    query = select(BusinessCaseActual).where(BusinessCaseActual.use_case_id == use_case.id)
    order = (BusinessCaseActual.month, BusinessCaseActual.kind, BusinessCaseActual.category)
    return list(uow.session.scalars(query.order_by(*order)))


def ties(uow: UnitOfWork, row: BusinessCase) -> list[IndicatorTie]:
    query = select(IndicatorTie).where(IndicatorTie.business_case_id == row.id)
    return list(uow.session.scalars(query.order_by(IndicatorTie.by_month, IndicatorTie.metric_key)))
