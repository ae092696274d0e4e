"""Loading the facts the stalled rules judge, in a few set-based queries."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import ColumnElement, func, select

from pilotgate.audit.models import AuditEvent
from pilotgate.db.uow import UnitOfWork
from pilotgate.gates.models import Assessment, Condition, Decision, Review
from pilotgate.policy import service as policies
from pilotgate.portfolio.stalled import Facts, Finding, findings_for
from pilotgate.usecases.models import RoleAssignment, UseCase


def stalled(uow: UnitOfWork, *, keys: list[str] | None = None) -> list[Finding]:
    """Findings for every live use case (or the named ones), ordered by key."""
    session, now = uow.session, uow.now()
    live: ColumnElement[bool] = UseCase.status.in_(("active", "on_hold"))
    if keys is not None:
        live = live & UseCase.key.in_(keys)
    rows = session.execute(
        select(
            UseCase.id,
            UseCase.key,
            UseCase.title,
            UseCase.business_unit,
            UseCase.stage,
            UseCase.status,
            UseCase.stage_entered_at,
            UseCase.policy_name,
        )
        .where(live)
        .order_by(UseCase.key)
    ).all()
    roles: dict[int, set[str]] = defaultdict(set)
    for use_case_id, role in session.execute(
        select(RoleAssignment.use_case_id, RoleAssignment.role).join(UseCase).where(live)
    ):
        roles[use_case_id].add(role)
    activity = {
        key: at
        for key, at in session.execute(
            select(AuditEvent.use_case_key, func.max(AuditEvent.at))
            .join(UseCase, UseCase.key == AuditEvent.use_case_key)
            .where(live)
            .group_by(AuditEvent.use_case_key)
        )
    }
    today = now.date()
    conditions: dict[int, list[tuple[str, date]]] = defaultdict(list)
    for use_case_id, text, due in session.execute(
        select(Review.use_case_id, Condition.text, Condition.due_date)
        .join(Decision, Decision.id == Condition.decision_id)
        .join(Review, Review.id == Decision.review_id)
        .join(UseCase, UseCase.id == Review.use_case_id)
        .where(live, Condition.status == "open", Condition.due_date < today)
    ):
        conditions[use_case_id].append((text, due))
    waivers: dict[int, list[tuple[str, date]]] = defaultdict(list)
    for use_case_id, criterion, expires in session.execute(
        select(Review.use_case_id, Assessment.criterion_id, Assessment.waiver_expires)
        .join(Review, Review.id == Assessment.review_id)
        .join(UseCase, UseCase.id == Review.use_case_id)
        .where(live, Review.state == "open", Assessment.status == "waived", Assessment.waiver_expires < today)
    ):
        if expires is not None:  # the query asks for expired ones; this tells the type checker
            waivers[use_case_id].append((criterion, expires))
    parsed = {name: policies.parsed(policies.get_or_raise(uow, name)) for name in {r.policy_name for r in rows}}
    found: list[Finding] = []
    for use_case_id, key, title, unit, stage, status, entered, policy_name in rows:
        last = activity.get(key)
        facts = Facts(
            key,
            title,
            unit,
            stage,
            status,
            entered,
            frozenset(roles[use_case_id]),
            max(last, entered) if last else entered,
            tuple(conditions[use_case_id]),
            tuple(waivers[use_case_id]),
        )
        found += findings_for(parsed[policy_name], facts, now)
    return found
