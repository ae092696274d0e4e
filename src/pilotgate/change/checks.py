"""The computed change checks: bulk functions over use case ids that the gates and portfolio
readiness call (`change.complete` for Gate 3, `change.populations_planned` for a Scale gate)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select

from pilotgate.change import rules
from pilotgate.change.models import ChangePlan
from pilotgate.db.bulk import among
from pilotgate.db.uow import UnitOfWork
from pilotgate.errors import InvalidInput
from pilotgate.usecases.models import UseCase
from pilotgate.usecases.repository import keys_of


def facts(row: ChangePlan) -> rules.Plan:
    return rules.Plan(
        id=row.id,
        population=row.population,
        owner=row.owner.email,
        created_at=row.created_at,
        expansion=row.expansion,
        cohort=row.cohort,
        target_users=row.target_users,
        items=tuple(
            rules.Item(
                id=item.id,
                kind=item.kind,
                title=item.title,
                owner=item.owner.email,
                created_at=item.created_at,
                due_date=item.due_date,
                completed_at=item.completed_at,
                session_date=item.session_date,
                attendance=item.attendance,
                attendance_target=item.attendance_target,
            )
            for item in row.items
        ),
    )


def _bulk(uow: UnitOfWork, ids: Sequence[int]) -> tuple[dict[int, list[rules.Plan]], dict[int, str]]:
    """The plans (with their items) and keys of many use cases in three queries."""
    plans: dict[int, list[rules.Plan]] = defaultdict(list)
    query = select(ChangePlan).where(among(ChangePlan.use_case_id, ids)).order_by(ChangePlan.expansion, ChangePlan.id)
    for row in uow.session.scalars(query):
        plans[row.use_case_id].append(facts(row))
    keys = keys_of(uow, ids)
    return plans, keys


def complete_checks(uow: UnitOfWork, ids: list[int]) -> dict[int, rules.CheckResult]:
    """Gate 3's `change.complete`, for many use cases at once."""
    plans, keys = _bulk(uow, ids)
    now = uow.now()
    return {i: rules.change_complete(plans[i], now=now, key=keys[i]) for i in ids if i in keys}


def population_checks(uow: UnitOfWork, ids: list[int]) -> dict[int, rules.CheckResult]:
    """`change.populations_planned` (for a Scale gate), for many use cases at once."""
    plans, keys = _bulk(uow, ids)
    now = uow.now()
    return {i: rules.populations_planned(plans[i], now=now, key=keys[i]) for i in ids if i in keys}


CHECKS = {"complete": complete_checks, "populations_planned": population_checks}


def check(uow: UnitOfWork, use_case: UseCase, which: str) -> rules.CheckResult:
    """One check on one use case: `complete` or `populations_planned` (a `change.` prefix is fine)."""
    name = which.strip().removeprefix("change.")
    if name not in CHECKS:
        raise InvalidInput("check", f"{which!r} is not one of {', '.join(CHECKS)}")
    return CHECKS[name](uow, [use_case.id])[use_case.id]
