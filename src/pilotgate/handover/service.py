"""Handover of a use case's operations from the AI programme to the team that runs it.

Authority (service rules on top of the `handover.write` permission): the use case's named
program_lead proposes a handover; anyone named on the use case, or the receiving operations owner,
ticks off its checklist; only the named bu_head accepts it — never the person who proposed it — and
only once every item is done. Acceptance generates the operations ownership transfer document and
attaches it to the open gate review that asks for it (Gate 4 in the shipped policy).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import lazyload

from pilotgate.audit import service as audit
from pilotgate.db.bulk import among
from pilotgate.db.uow import UnitOfWork
from pilotgate.errors import Conflict, Forbidden, InvalidInput, NotFound
from pilotgate.gates import repository as reviews
from pilotgate.gates import service as gates
from pilotgate.gates.models import Artifact
from pilotgate.handover import rules
from pilotgate.handover.models import Handover, HandoverItem
from pilotgate.handover.views import handover_dict
from pilotgate.policy import service as policies
from pilotgate.usecases import service as usecases
from pilotgate.usecases.models import Person, UseCase


def _text(field: str, value: str, limit: int, *, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise InvalidInput(field, "must not be empty")
    if len(value) > limit:
        raise InvalidInput(field, f"is {len(value)} characters long; at most {limit} are allowed")
    return value


def _roles_of(use_case: UseCase, person: Person) -> list[str]:
    return sorted(a.role for a in use_case.assignments if a.person_id == person.id)


def _require_role(use_case: UseCase, person: Person, role: str, what: str) -> None:
    held = _roles_of(use_case, person)
    if problem := rules.role_problem(role, held, what):
        holds = f"holds {', '.join(held)}" if held else "holds no role"
        raise Forbidden(f"{person.email} {holds} on {use_case.key}; {problem}")


def _require_operational(uow: UnitOfWork, use_case: UseCase) -> None:
    if use_case.status not in ("active", "on_hold"):
        raise Conflict(f"{use_case.key} is {use_case.status}; a stopped or retired use case hands nothing over")
    stage = usecases.policy_of(uow, use_case).stage(use_case.stage)
    if stage is None or not stage.operational:
        raise Conflict(
            f"{use_case.key} is in {use_case.stage}; operations are handed over once it runs in production "
            "(an operational stage), after its Gate 3 decision"
        )


def handovers_of(uow: UnitOfWork, use_case: UseCase) -> list[Handover]:
    """Every handover of a use case, newest first."""
    query = select(Handover).where(Handover.use_case_id == use_case.id)
    return list(uow.session.scalars(query.order_by(Handover.proposed_at.desc(), Handover.id.desc())))


def pending_or_raise(uow: UnitOfWork, use_case: UseCase) -> Handover:
    pending = next((h for h in handovers_of(uow, use_case) if h.status == "proposed"), None)
    if pending is None:
        raise NotFound(
            f"{use_case.key} has no handover in progress; its program lead proposes one with "
            f"`pilotgate handover propose {use_case.key} --team TEAM --ops-owner EMAIL`"
        )
    return pending


def latest_accepted_or_raise(uow: UnitOfWork, use_case: UseCase) -> Handover:
    accepted = next((h for h in handovers_of(uow, use_case) if h.status == "accepted"), None)
    if accepted is None:
        raise NotFound(
            f"{use_case.key} has no accepted handover; its business-unit head accepts one with "
            f"`pilotgate handover accept {use_case.key}`"
        )
    return accepted


def _audit(uow: UnitOfWork, actor: str, action: str, row: Handover, key: str, before: Any = None) -> None:
    audit.record(
        uow,
        actor=actor,
        action=action,
        entity_type="handover",
        entity_id=row.id,
        use_case_key=key,
        before=before,
        after=handover_dict(row, key),
    )


def propose(
    uow: UnitOfWork,
    *,
    key: str,
    team: str,
    ops_owner: str,
    actor: str,
    business_unit: str | None = None,
    note: str = "",
) -> Handover:
    """Propose handing operations to a receiving team, with the checklist of what moves (all open)."""
    use_case = usecases.get_or_raise(uow, key)
    person = usecases.person_get_or_raise(uow, actor)
    team = _text("team", team, rules.TEAM_LIMIT)
    unit = _text("business-unit", business_unit if business_unit is not None else use_case.business_unit, 120)
    note = _text("note", note, rules.NOTE_LIMIT, required=False)
    owner = usecases.person_get_or_raise(uow, ops_owner)
    _require_role(use_case, person, rules.PROPOSER_ROLE, "propose a handover of its operations")
    _require_operational(uow, use_case)
    pending = next((h for h in handovers_of(uow, use_case) if h.status == "proposed"), None)
    if pending is not None:
        raise Conflict(
            f"{use_case.key} already has handover #{pending.id} to {pending.team} in progress; "
            "finish or accept it first"
        )
    row = Handover(
        use_case_id=use_case.id,
        team=team,
        business_unit=unit,
        ops_owner_id=owner.id,
        status="proposed",
        note=note,
        proposed_by=person.email,
        proposed_at=uow.now(),
        items=[HandoverItem(item=item, done=False, note="") for item in rules.ITEMS],
    )
    uow.session.add(row)
    uow.session.flush()
    uow.session.refresh(row)
    _audit(uow, person.email, "handover.proposed", row, use_case.key)
    return row


def check_item(
    uow: UnitOfWork, *, key: str, item: str, actor: str, done: bool = True, note: str | None = None
) -> Handover:
    """Mark one checklist item of the handover in progress done (or not done again)."""
    use_case = usecases.get_or_raise(uow, key)
    person = usecases.person_get_or_raise(uow, actor)
    item = item.strip().lower()
    if problem := rules.item_problem(item):
        raise InvalidInput("item", problem)
    text = _text("note", note, rules.NOTE_LIMIT, required=False) if note is not None else None
    row = pending_or_raise(uow, use_case)
    if not _roles_of(use_case, person) and person.id != row.ops_owner_id:
        raise Forbidden(
            f"{person.email} holds no role on {use_case.key} and is not the receiving operations owner; "
            "they may not tick off its handover"
        )
    before = handover_dict(row, use_case.key)
    entry = next(i for i in row.items if i.item == item)
    entry.done = done
    entry.done_by = person.email if done else None
    entry.done_at = uow.now() if done else None
    if text is not None:
        entry.note = text
    uow.session.flush()
    _audit(uow, person.email, "handover.item_checked", row, use_case.key, before)
    return row


def facts(row: Handover, use_case: UseCase) -> rules.HandoverFacts:
    assert row.acceptor is not None and row.accepted_at is not None
    return rules.HandoverFacts(
        id=row.id,
        key=use_case.key,
        title=use_case.title,
        use_case_unit=use_case.business_unit,
        team=row.team,
        business_unit=row.business_unit,
        ops_owner=f"{row.ops_owner.name} <{row.ops_owner.email}>",
        proposed_by=row.proposed_by,
        proposed_at=row.proposed_at,
        accepted_by=row.acceptor.email,
        accepted_at=row.accepted_at,
        items=[rules.ItemFacts(i.item, i.done, i.done_by, i.done_at, i.note) for i in row.items],
        note=row.note,
    )


def accept(uow: UnitOfWork, *, key: str, actor: str, attach: bool = True) -> Handover:
    """The business-unit head accepts the handover in progress; the document is generated and, when
    an open gate review asks for it and `attach` is set, attached to that review."""
    use_case = usecases.get_or_raise(uow, key)
    person = usecases.person_get_or_raise(uow, actor)
    row = pending_or_raise(uow, use_case)
    _require_role(use_case, person, rules.ACCEPTOR_ROLE, "accept the handover of its operations")
    if row.proposed_by == person.email:
        raise Forbidden(f"{person.email} proposed handover #{row.id} and may not accept it too")
    _require_operational(uow, use_case)
    if problem := rules.acceptance_problem({i.item: i.done for i in row.items}):
        raise Conflict(f"handover #{row.id} cannot be accepted yet: {problem}")
    before = handover_dict(row, use_case.key)
    row.status = "accepted"
    row.accepted_by_id = person.id
    row.accepted_at = uow.now()
    uow.session.flush()
    uow.session.refresh(row)
    row.document = rules.document(facts(row, use_case))
    uow.session.flush()
    _audit(uow, person.email, "handover.accepted", row, use_case.key, before)
    if attach and review_wants_document(uow, use_case):
        _attach(uow, use_case, row, person)
    return row


def review_wants_document(uow: UnitOfWork, use_case: UseCase) -> bool:
    review = reviews.open_review(uow, use_case.id)
    if review is None:
        return False
    gate = policies.parsed(review.policy_version).gate(review.gate_number)
    return gate is not None and gate.artifact(rules.ARTIFACT) is not None


def _attach(uow: UnitOfWork, use_case: UseCase, row: Handover, person: Person) -> Artifact:
    assert row.document is not None
    artifact = gates.attach(
        uow,
        key=use_case.key,
        artifact_id=rules.ARTIFACT,
        actor=person.email,
        content=io.BytesIO(row.document.encode("utf-8")),
        filename=f"{use_case.key}-operations-ownership-transfer.md",
    )
    before = handover_dict(row, use_case.key)
    row.attached_review_id = artifact.review_id
    row.attached_at = uow.now()
    uow.session.flush()
    _audit(uow, person.email, "handover.attached", row, use_case.key, before)
    return artifact


def attach(uow: UnitOfWork, *, key: str, actor: str) -> Artifact:
    """Attach the latest accepted handover's document to the open gate review as
    `operations_ownership_transfer` (the actor must hold a role on the use case, as for any artifact)."""
    use_case = usecases.get_or_raise(uow, key)
    person = usecases.person_get_or_raise(uow, actor)
    row = latest_accepted_or_raise(uow, use_case)
    review = reviews.open_review(uow, use_case.id)
    if review is not None and row.attached_review_id == review.id:
        raise Conflict(
            f"handover #{row.id} is already attached to {use_case.key}'s open Gate {review.gate_number} review"
        )
    return _attach(uow, use_case, row, person)


def document_of(uow: UnitOfWork, use_case: UseCase) -> tuple[str, str]:
    """The latest accepted handover's document: a file name and its Markdown."""
    row = latest_accepted_or_raise(uow, use_case)
    assert row.document is not None
    return f"{use_case.key}-operations-ownership-transfer.md", row.document


def accepted_handovers(uow: UnitOfWork, ids: Sequence[int]) -> dict[int, rules.Accepted]:
    """By use case id, the latest handover accepted by now (the unit of work's clock, so a gate judged
    as of a past moment sees the handovers of then) of each use case that has one; one query."""
    found: dict[int, rules.Accepted] = {}
    if not ids:
        return found
    query = (
        select(Handover)
        .options(lazyload(Handover.items))
        .where(among(Handover.use_case_id, ids), Handover.status == "accepted", Handover.accepted_at <= uow.now())
        .order_by(Handover.accepted_at, Handover.id)
    )
    for row in uow.session.scalars(query):
        assert row.accepted_at is not None and row.acceptor is not None
        found[row.use_case_id] = rules.Accepted(  # later rows replace earlier ones: the latest wins
            handover_id=row.id,
            use_case_id=row.use_case_id,
            team=row.team,
            business_unit=row.business_unit,
            ops_owner=row.ops_owner.email,
            accepted_at=row.accepted_at,
            accepted_by=row.acceptor.email,
        )
    return found


def summary(uow: UnitOfWork, use_case: UseCase) -> dict[str, Any]:
    """A use case's handovers (newest first) and its hypercare status, as plain data."""
    from pilotgate.handover import hypercare

    status = hypercare.status_of(uow, use_case)
    rows = handovers_of(uow, use_case)
    accepted = next((row for row in rows if row.status == "accepted"), None)
    return {
        "use_case": use_case.key,
        "handovers": [handover_dict(row, use_case.key) for row in rows],
        "document": accepted.document if accepted else None,
        "hypercare": status.as_dict() if status else None,
    }


def key_of(uow: UnitOfWork, use_case_id: int) -> str:
    return uow.session.get_one(UseCase, use_case_id).key
