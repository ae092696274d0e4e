"""Change management of a use case: plans per user population, their items, completing them, and
the computed checks Gate 3 (and, in a policy that wants it, Scale) reads.

Writing needs the `change.write` permission (checked by the API and the pages, which also require a
named role on the use case for anyone outside the programme's leads). Every write is audited.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from pilotgate.audit import service as audit
from pilotgate.change import rules
from pilotgate.change.checks import CHECKS, check, facts
from pilotgate.change.models import ChangeItem, ChangePlan
from pilotgate.change.views import check_dict, item_dict, plan_dict
from pilotgate.db.uow import UnitOfWork
from pilotgate.errors import Conflict, InvalidInput, NotFound
from pilotgate.usecases import service as usecases
from pilotgate.usecases.models import UseCase

NOTE_LIMIT = 2000


def _text(field: str, value: str, limit: int) -> str:
    value = value.strip()
    if not value:
        raise InvalidInput(field, "must not be empty")
    if len(value) > limit:
        raise InvalidInput(field, f"is {len(value)} characters long; at most {limit} are allowed")
    return value


def _note(value: str, field: str = "note") -> str:
    value = value.strip()
    if len(value) > NOTE_LIMIT:
        raise InvalidInput(field, f"is {len(value)} characters long; at most {NOTE_LIMIT} are allowed")
    return value


def _parsed(field: str, parse: Any, value: Any, **options: Any) -> Any:
    try:
        return parse(value, **options)
    except ValueError as error:
        raise InvalidInput(field, str(error)) from None


def _given(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


# ---------------------------------------------------------------- reading


def plans_of(uow: UnitOfWork, use_case: UseCase) -> list[ChangePlan]:
    query = select(ChangePlan).where(ChangePlan.use_case_id == use_case.id)
    return list(uow.session.scalars(query.order_by(ChangePlan.expansion, ChangePlan.id)))


def plan_for(uow: UnitOfWork, use_case: UseCase, population: str) -> ChangePlan:
    wanted = population.strip().casefold()
    plans = plans_of(uow, use_case)
    for plan in plans:
        if plan.population.casefold() == wanted:
            return plan
    known = ", ".join(repr(p.population) for p in plans) or "none yet"
    raise NotFound(
        f"{use_case.key} has no change plan for population {population.strip()!r} (plans: {known}); "
        f"add one with `pilotgate change plan {use_case.key} --population NAME --owner EMAIL`"
    )


def item_get_or_raise(uow: UnitOfWork, item_id: int) -> ChangeItem:
    row = uow.session.get(ChangeItem, item_id)
    if row is None:
        raise NotFound(f"no change item #{item_id}; list a use case's items with `pilotgate change show KEY`")
    return row


def key_of(uow: UnitOfWork, use_case_id: int) -> str:
    return uow.session.get_one(UseCase, use_case_id).key


# ---------------------------------------------------------------- writing


def add_plan(
    uow: UnitOfWork,
    *,
    key: str,
    population: str,
    owner: str,
    actor: str,
    target_users: int | str | None = None,
    cohort: str | None = None,
    expansion: bool = False,
    note: str = "",
) -> ChangePlan:
    """Start the change plan of one user population; its adoption cohort defaults to the population."""
    use_case = usecases.get_or_raise(uow, key)
    person = usecases.person_get_or_raise(uow, actor)
    name = _text("population", population, rules.POPULATION_LIMIT)
    measured_by = _text("cohort", cohort if _given(cohort) else name, rules.COHORT_LIMIT)  # type: ignore[arg-type]
    target = _parsed("target-users", rules.parse_count, target_users, positive=True) if _given(target_users) else None
    holder = usecases.person_get_or_raise(uow, owner)
    taken = next((p for p in plans_of(uow, use_case) if p.population.casefold() == name.casefold()), None)
    if taken is not None:
        raise Conflict(f"{use_case.key} already has a change plan for population {taken.population!r} (#{taken.id})")
    row = ChangePlan(
        use_case_id=use_case.id,
        population=name,
        expansion=bool(expansion),
        cohort=measured_by,
        target_users=target,
        owner_id=holder.id,
        note=_note(note),
        created_at=uow.now(),
        created_by=person.email,
    )
    uow.session.add(row)
    try:
        uow.session.flush()
    except IntegrityError:  # a simultaneous request recorded the same population first
        raise Conflict(f"{use_case.key} already has a change plan for population {name!r}") from None
    uow.session.refresh(row)
    audit.record(
        uow,
        actor=person.email,
        action="change.plan_added",
        entity_type="change_plan",
        entity_id=row.id,
        use_case_key=use_case.key,
        after=plan_dict(row, use_case.key, items=False),
    )
    return row


def add_item(
    uow: UnitOfWork,
    *,
    key: str,
    population: str,
    kind: str,
    title: str,
    owner: str,
    actor: str,
    due_date: date | str | None = None,
    audience: str | None = None,
    session_date: date | str | None = None,
    attendance_target: int | str | None = None,
    note: str = "",
) -> ChangeItem:
    """Add an item to a population's plan; a training session also names its audience (default: the
    population), its date (default: the due date) and its attendance target."""
    use_case = usecases.get_or_raise(uow, key)
    person = usecases.person_get_or_raise(uow, actor)
    plan = plan_for(uow, use_case, population)
    which = _parsed("kind", rules.parse_kind, kind)
    name = _text("title", title, 200)
    registered = use_case.created_at.date()
    due = _parsed("due", rules.parse_day, due_date) if _given(due_date) else None
    if due is not None and (problem := rules.due_problem(due, registered)):
        raise InvalidInput("due", problem)
    training = _training_fields(which, plan, due, registered, audience, session_date, attendance_target)
    holder = usecases.person_get_or_raise(uow, owner)
    row = ChangeItem(
        plan_id=plan.id,
        kind=which,
        title=name,
        owner_id=holder.id,
        due_date=due,
        note=_note(note),
        created_at=uow.now(),
        created_by=person.email,
        completion_note="",
        **training,
    )
    uow.session.add(row)
    uow.session.flush()
    uow.session.refresh(row)
    audit.record(
        uow,
        actor=person.email,
        action="change.item_added",
        entity_type="change_item",
        entity_id=row.id,
        use_case_key=use_case.key,
        after=item_dict(row, use_case.key),
    )
    return row


def _training_fields(
    kind: str,
    plan: ChangePlan,
    due: date | None,
    registered: date,
    audience: str | None,
    session_date: date | str | None,
    attendance_target: int | str | None,
) -> dict[str, Any]:
    given = [f for f, v in (("audience", audience), ("session-date", session_date)) if _given(v)]
    given += ["attendance-target"] if _given(attendance_target) else []
    if kind != "training":
        if given:
            label = rules.KIND_LABELS[kind]
            raise InvalidInput(given[0], f"only a training session has an audience, a date and a target, not a {label}")
        return {}
    if not _given(attendance_target):
        raise InvalidInput("attendance-target", "a training session needs the number of people expected, e.g. 25")
    target = _parsed("attendance-target", rules.parse_count, attendance_target)
    held_on: date | None = _parsed("session-date", rules.parse_day, session_date) if _given(session_date) else due
    if held_on is None:
        raise InvalidInput("session-date", "a training session needs its date (or a due date), e.g. 2027-03-15")
    if problem := rules.session_problem(held_on, due, registered):
        raise InvalidInput("session-date", problem)
    who = _text("audience", audience if _given(audience) else plan.population, 120)  # type: ignore[arg-type]
    return {"audience": who, "session_date": held_on, "attendance_target": target}


def complete_item(
    uow: UnitOfWork,
    *,
    item_id: int,
    actor: str,
    attendance: int | str | None = None,
    note: str = "",
    key: str | None = None,
) -> ChangeItem:
    """Mark an item complete; a training session is complete once held, with its attendance."""
    row = item_get_or_raise(uow, item_id)
    use_case = uow.session.get_one(UseCase, row.plan.use_case_id)
    if key is not None and usecases.get_or_raise(uow, key).id != use_case.id:
        raise NotFound(f"{key.strip().upper()} has no change item #{item_id}; see `pilotgate change show {key}`")
    person = usecases.person_get_or_raise(uow, actor)
    if row.completed_at is not None:
        by = row.completer.email if row.completer else "someone"
        raise Conflict(f"change item #{row.id} is already complete (by {by} on {row.completed_at.date()})")
    today = uow.now().date()
    if row.kind == "training":
        if not _given(attendance):
            raise InvalidInput("attendance", "a training session is complete once held: give its attendance, e.g. 24")
        if row.session_date is not None and row.session_date > today:
            raise InvalidInput(
                "attendance", f"the session is on {row.session_date}; record its attendance once it is held"
            )
        counted: int | None = _parsed("attendance", rules.parse_count, attendance)
    elif _given(attendance):
        label = rules.KIND_LABELS[row.kind]
        raise InvalidInput("attendance", f"only a training session records attendance; #{row.id} is a {label}")
    else:
        counted = None
    before = item_dict(row, use_case.key)
    done = uow.session.execute(
        update(ChangeItem)
        .where(ChangeItem.id == row.id, ChangeItem.completed_at.is_(None))
        .values(completed_at=uow.now(), completed_by_id=person.id, attendance=counted, completion_note=_note(note))
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(f"change item #{row.id} was completed by someone else meanwhile")
    uow.session.refresh(row)
    audit.record(
        uow,
        actor=person.email,
        action="change.item_completed",
        entity_type="change_item",
        entity_id=row.id,
        use_case_key=use_case.key,
        before=before,
        after=item_dict(row, use_case.key),
    )
    return row


# ---------------------------------------------------------------- the whole picture


def summary(uow: UnitOfWork, use_case: UseCase) -> dict[str, Any]:
    """A use case's plans with their items, each plan's completeness and adoption, and both checks."""
    from pilotgate.change.adoption import adoption_by_cohort

    rows = plans_of(uow, use_case)
    now = uow.now()
    measured = adoption_by_cohort(uow, use_case, {row.cohort for row in rows})
    plans = []
    for row in rows:
        status = rules.plan_status(facts(row), now)
        plans.append(
            {
                **plan_dict(row, use_case.key),
                "status": {"complete": status.complete, "missing": list(status.missing), "facts": list(status.facts)},
                "adoption": measured[row.cohort],
            }
        )
    return {
        "use_case": use_case.key,
        "plans": plans,
        "checks": {name: check_dict(check(uow, use_case, name)) for name in CHECKS},
    }
