"""The rows of a gate review packet: the use case header, artifacts, approvals and the decision,
as plain data with display names beside e-mails."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select

from pilotgate.db.uow import UnitOfWork
from pilotgate.gates.models import Artifact, Decision, Vote
from pilotgate.policy.model import Gate, Policy
from pilotgate.usecases.models import Person, UseCase

DECISION_LABELS = {
    "go": "Go",
    "conditional_go": "Conditional Go",
    "hold": "Hold",
    "recycle": "Recycle",
    "stop": "Stop",
}


def display_names(uow: UnitOfWork, emails: set[str]) -> dict[str, str]:
    rows = uow.session.execute(select(Person.email, Person.name).where(Person.email.in_(sorted(emails))))
    return {email: name for email, name in rows}


def stage_title(policy: Policy, stage_id: str) -> str:
    stage = policy.stage(stage_id)
    return stage.title if stage else stage_id


def header(use_case: UseCase, policy: Policy) -> dict[str, Any]:
    titles = policy.role_titles()
    return {
        "key": use_case.key,
        "title": use_case.title,
        "description": use_case.description,
        "business_unit": use_case.business_unit,
        "risk_tier": use_case.risk_tier,
        "stage": stage_title(policy, use_case.stage),
        "status": use_case.status,
        "tags": use_case.tag_names,
        "roles": [
            {"role": a.role, "title": titles.get(a.role, a.role), "name": a.person.name, "email": a.person.email}
            for a in use_case.assignments
        ],
    }


def artifacts(gate: Gate, rows: list[Artifact]) -> list[dict[str, Any]]:
    latest = {row.artifact_id: row for row in rows}  # rows come ordered by artifact and version
    found = []
    for spec in gate.artifacts:
        row = latest.get(spec.id)
        found.append(
            {
                "id": spec.id,
                "title": spec.title,
                "attached": row is not None,
                "version": row.version if row else None,
                "filename": row.filename if row else None,
                "size": row.size if row else None,
                "sha256": row.sha256 if row else None,
                "url": row.url if row else None,
                "uploaded_by": row.uploaded_by.email if row else None,
                "uploaded_at": row.uploaded_at.isoformat() if row else None,
            }
        )
    return found


def approvals(
    state_roles: list[str], policy: Policy, use_case: UseCase, votes: list[Vote], stale: dict[str, bool]
) -> list[dict[str, Any]]:
    titles = policy.role_titles()
    assigned = {a.role: a.person for a in use_case.assignments}
    cast = {v.role: v for v in votes}
    found = []
    for role in [*state_roles, *(r for r in cast if r not in state_roles)]:
        vote = cast.get(role)
        person = vote.person if vote else assigned.get(role)
        found.append(
            {
                "role": role,
                "title": titles.get(role, role),
                "person": person.email if person else None,
                "name": person.name if person else None,
                "choice": vote.choice if vote else None,
                "comment": vote.comment if vote else "",
                "cast_at": vote.cast_at.isoformat() if vote else None,
                "stale": bool(vote and stale.get(role)),
            }
        )
    return found


def decision(row: Decision, policy: Policy) -> dict[str, Any]:
    intact = hashlib.sha256(row.snapshot.encode()).hexdigest() == row.snapshot_sha256
    return {
        "kind": row.kind,
        "label": DECISION_LABELS.get(row.kind, row.kind),
        "decided_by": row.decided_by.email,
        "decided_by_name": row.decided_by.name,
        "decided_at": row.decided_at.isoformat(),
        "rationale": row.rationale,
        "from_stage": stage_title(policy, row.from_stage),
        "to_stage": stage_title(policy, row.to_stage),
        "resulting_status": row.resulting_status,
        "snapshot_sha256": row.snapshot_sha256,
        "snapshot_intact": intact,
        "conditions": [
            {
                "text": c.text,
                "owner": c.owner.email,
                "owner_name": c.owner.name,
                "due": c.due_date.isoformat(),
                "status": c.status,
            }
            for c in row.conditions
        ],
    }


def add_names(uow: UnitOfWork, packet: dict[str, Any]) -> None:
    """The display name beside each e-mail the packet shows (assessors, uploaders)."""
    emails = {c["assessed_by"] for c in packet["criteria"] if c["assessed_by"]}
    emails |= {a["uploaded_by"] for a in packet["artifacts"] if a["uploaded_by"]}
    names = display_names(uow, emails) if emails else {}
    for criterion in packet["criteria"]:
        criterion["assessed_by_name"] = names.get(criterion["assessed_by"] or "")
    for artifact in packet["artifacts"]:
        artifact["uploaded_by_name"] = names.get(artifact["uploaded_by"] or "")
