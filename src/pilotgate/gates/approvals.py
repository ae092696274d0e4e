"""What waits for one person: votes to cast (or re-cast) and decisions to take."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from pilotgate.db.uow import UnitOfWork
from pilotgate.gates import rules, service
from pilotgate.gates.models import Review
from pilotgate.usecases.models import Person, RoleAssignment, UseCase


def waiting_for(uow: UnitOfWork, email: str) -> list[dict[str, Any]]:
    keys = uow.session.scalars(
        select(UseCase.key)
        .join(RoleAssignment, RoleAssignment.use_case_id == UseCase.id)
        .join(Person, Person.id == RoleAssignment.person_id)
        .join(Review, (Review.use_case_id == UseCase.id) & (Review.state == "open"))
        .where(Person.email == email.strip().lower())
        .distinct()
        .order_by(UseCase.key)
    ).all()
    waiting = []
    for key in keys:
        loaded = service.load_open(uow, key)
        state = loaded.state
        mine = [r for r in rules.required_roles(state) if state.assignments.get(r) == email]
        if not mine:
            continue
        digest = rules.evidence_digest(state)
        votes = {v.role: v for v in state.votes}
        blockers = rules.blockers(state)
        for role in mine:
            vote = votes.get(role)
            if vote is None:
                action = "vote"
            elif vote.choice == "approve" and vote.evidence_digest != digest:
                action = "vote again (evidence changed)"
            elif not blockers:
                action = "decide"
            else:
                continue
            waiting.append(
                {
                    "key": key,
                    "title": loaded.use_case.title,
                    "business_unit": loaded.use_case.business_unit,
                    "gate": loaded.gate.number,
                    "gate_title": loaded.gate.title,
                    "role": role,
                    "role_title": state.role_title(role),
                    "action": action,
                    "your_vote": vote.choice if vote else None,
                    "blockers": len(blockers),
                    "opened_at": loaded.review.opened_at.isoformat(),
                }
            )
    return waiting
