"""Use cases of the registry: people, use cases and the named role assignments."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select

from pilotgate.audit import service as audit
from pilotgate.db.uow import UnitOfWork
from pilotgate.errors import Conflict, InvalidInput, NotFound
from pilotgate.policy import service as policies
from pilotgate.policy.model import Policy
from pilotgate.usecases import repository
from pilotgate.usecases.models import Person, RoleAssignment, StageHistory, UseCase, UseCaseTag

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TAG = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


def _clean(field: str, value: str, *, limit: int, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise InvalidInput(field, "must not be empty")
    if len(value) > limit:
        raise InvalidInput(field, f"is {len(value)} characters long; at most {limit} are allowed")
    return value


def person_create(uow: UnitOfWork, *, email: str, name: str, actor: str) -> Person:
    email = email.strip().lower()
    if not EMAIL.match(email) or len(email) > 320:
        raise InvalidInput("email", f"{email!r} is not an e-mail address like name@example.org")
    if repository.person_by_email(uow, email) is not None:
        raise Conflict(f"{email} is already registered")
    person = Person(email=email, name=_clean("name", name, limit=200), created_at=uow.now())
    uow.session.add(person)
    uow.session.flush()
    audit.record(
        uow,
        actor=actor,
        action="person.created",
        entity_type="person",
        entity_id=email,
        after={"email": email, "name": person.name},
    )
    return person


def person_get_or_raise(uow: UnitOfWork, email: str) -> Person:
    person = repository.person_by_email(uow, email)
    if person is None:
        raise NotFound(
            f"no person with e-mail {email.strip().lower()}; add them with `pilotgate person add EMAIL --name NAME`"
        )
    return person


def person_list(uow: UnitOfWork) -> Sequence[Person]:
    return repository.people(uow)


def get_or_raise(uow: UnitOfWork, key: str) -> UseCase:
    use_case = repository.use_case_by_key(uow, key)
    if use_case is None:
        raise NotFound(f"no use case {key.strip().upper()!r}; list them with `pilotgate usecase list`")
    return use_case


def policy_of(uow: UnitOfWork, use_case: UseCase) -> Policy:
    return policies.parsed(policies.get_or_raise(uow, use_case.policy_name))


def _tags(values: Sequence[str]) -> list[str]:
    tags = sorted({t.strip().lower() for t in values if t.strip()})
    for tag in tags:
        if not TAG.match(tag):
            raise InvalidInput("tag", f"{tag!r} is not a tag: use lower-case letters, digits, '-', '_' or '.'")
    return tags


def snapshot(use_case: UseCase) -> dict[str, Any]:
    return {
        "key": use_case.key,
        "title": use_case.title,
        "description": use_case.description,
        "business_unit": use_case.business_unit,
        "risk_tier": use_case.risk_tier,
        "status": use_case.status,
        "stage": use_case.stage,
        "stage_entered_at": use_case.stage_entered_at.isoformat(),
        "policy": use_case.policy_name,
        "tags": use_case.tag_names,
    }


def create(
    uow: UnitOfWork,
    *,
    title: str,
    business_unit: str,
    actor: str,
    risk_tier: str | None = None,
    description: str = "",
    tags: Sequence[str] = (),
    policy_name: str | None = None,
) -> UseCase:
    """Register a use case; it starts in the policy's first stage."""
    version = policies.ensure_shipped(uow) if policy_name is None else policies.get_or_raise(uow, policy_name)
    policy = policies.parsed(version)
    tier = (risk_tier or policy.default_risk_tier).strip().lower()
    if tier not in policy.risk_tiers:
        raise InvalidInput("risk-tier", f"{tier!r} is not one of {', '.join(policy.risk_tiers)}")
    now = uow.now()
    use_case = UseCase(
        key=f"UC-{repository.next_key_number(uow):04d}",
        title=_clean("title", title, limit=200),
        description=_clean("description", description, limit=10_000, required=False),
        business_unit=_clean("business-unit", business_unit, limit=120),
        risk_tier=tier,
        status="active",
        stage=policy.first_stage().id,
        stage_entered_at=now,
        policy_name=version.name,
        created_at=now,
        tags=[UseCaseTag(tag=t) for t in _tags(tags)],
    )
    uow.session.add(use_case)
    uow.session.flush()
    uow.session.add(StageHistory(use_case_id=use_case.id, stage=use_case.stage, entered_at=now, reason="registered"))
    audit.record(
        uow,
        actor=actor,
        action="usecase.created",
        entity_type="use_case",
        entity_id=use_case.key,
        use_case_key=use_case.key,
        after=snapshot(use_case),
    )
    return use_case


def update(uow: UnitOfWork, *, key: str, actor: str, changes: dict[str, Any]) -> UseCase:
    """Edit descriptive fields; the stage is not among them (only a decision moves it)."""
    use_case = get_or_raise(uow, key)
    allowed = {"title", "description", "business_unit", "risk_tier", "tags"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(", ".join(sorted(unknown)), f"cannot be edited here; editable: {', '.join(sorted(allowed))}")
    before = snapshot(use_case)
    if "title" in changes:
        use_case.title = _clean("title", changes["title"], limit=200)
    if "description" in changes:
        use_case.description = _clean("description", changes["description"], limit=10_000, required=False)
    if "business_unit" in changes:
        use_case.business_unit = _clean("business-unit", changes["business_unit"], limit=120)
    if "risk_tier" in changes:
        policy = policy_of(uow, use_case)
        tier = str(changes["risk_tier"]).strip().lower()
        if tier not in policy.risk_tiers:
            raise InvalidInput("risk-tier", f"{tier!r} is not one of {', '.join(policy.risk_tiers)}")
        if tier != use_case.risk_tier and _has_open_review(uow, use_case):
            raise Conflict(
                f"{use_case.key}'s risk tier decides who must approve its open review; "
                "change it after that review is decided"
            )
        use_case.risk_tier = tier
    if "tags" in changes:
        use_case.tags = [UseCaseTag(tag=t) for t in _tags(changes["tags"])]
    uow.session.flush()
    audit.record(
        uow,
        actor=actor,
        action="usecase.updated",
        entity_type="use_case",
        entity_id=use_case.key,
        use_case_key=use_case.key,
        before=before,
        after=snapshot(use_case),
    )
    return use_case


def enter_stage(
    uow: UnitOfWork, use_case: UseCase, *, stage: str, at: datetime, reason: str, decision_id: int | None = None
) -> None:
    """Move a use case into a stage: close its open stage-history entry and open the next one.

    Only the authorised paths call this (a gate decision; an import of history from before
    pilotgate); the stage guard refuses any other stage change.
    """
    with uow.stage_change():
        for open_entry in uow.session.scalars(
            select(StageHistory).where(StageHistory.use_case_id == use_case.id, StageHistory.left_at.is_(None))
        ):
            open_entry.left_at = at
        use_case.stage = stage
        use_case.stage_entered_at = at
        uow.session.add(
            StageHistory(use_case_id=use_case.id, stage=stage, entered_at=at, decision_id=decision_id, reason=reason)
        )


def _has_open_review(uow: UnitOfWork, use_case: UseCase) -> bool:
    from pilotgate.gates import repository as reviews

    return reviews.open_review(uow, use_case.id) is not None


def assign(uow: UnitOfWork, *, key: str, role: str, email: str, actor: str) -> RoleAssignment:
    """Name the person who holds a role on a use case (replacing any earlier holder)."""
    use_case = get_or_raise(uow, key)
    policy = policy_of(uow, use_case)
    role = role.strip().lower()
    if role not in policy.role_ids():
        raise InvalidInput(
            "role", f"{role!r} is not a role in policy {policy.name}; one of {', '.join(policy.role_ids())}"
        )
    person = person_get_or_raise(uow, email)
    current = next((a for a in use_case.assignments if a.role == role), None)
    before = {"role": role, "person": current.person.email} if current else {}
    if current is not None and current.person_id == person.id:
        return current
    if current is None:
        current = RoleAssignment(use_case_id=use_case.id, role=role, person_id=person.id, assigned_at=uow.now())
        uow.session.add(current)
    else:
        current.person_id = person.id
        current.assigned_at = uow.now()
    uow.session.flush()
    uow.session.refresh(current)
    uow.session.expire(use_case, ["assignments"])
    audit.record(
        uow,
        actor=actor,
        action="role.assigned",
        entity_type="use_case",
        entity_id=use_case.key,
        use_case_key=use_case.key,
        before=before,
        after={"role": role, "person": person.email},
    )
    return current


def list_use_cases(
    uow: UnitOfWork,
    *,
    stage: str | None = None,
    status: str | None = None,
    business_unit: str | None = None,
    tag: str | None = None,
    text: str | None = None,
    sort: str = "key",
    limit: int | None = None,
    offset: int = 0,
) -> tuple[list[UseCase], int]:
    """A page of use cases and the total that match the filters."""
    descending = sort.startswith("-")
    column = repository.SORTABLE.get(sort.lstrip("-"))
    if column is None:
        raise InvalidInput(
            "sort", f"{sort!r} is not sortable; use one of {', '.join(repository.SORTABLE)} (prefix - for descending)"
        )
    query = repository.filtered(stage=stage, status=status, business_unit=business_unit, tag=tag, text=text)
    total = repository.count(uow, query)
    query = query.order_by(column.desc() if descending else column, UseCase.id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return list(uow.session.scalars(query).all()), total


def stage_history(uow: UnitOfWork, use_case: UseCase) -> list[StageHistory]:
    from sqlalchemy import select

    return list(
        uow.session.execute(
            select(StageHistory).where(StageHistory.use_case_id == use_case.id).order_by(StageHistory.id)
        ).scalars()
    )
