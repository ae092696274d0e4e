"""Loading the facts the stalled rules judge, in a few set-based queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import ColumnElement, func, select

from pilotgate.audit.models import AuditEvent
from pilotgate.db.uow import UnitOfWork
from pilotgate.evidence.models import MetricDefinition, MetricPoint
from pilotgate.evidence.rules import from_ms, to_ms
from pilotgate.gates.models import Assessment, Condition, Decision, Review
from pilotgate.policy import service as policies
from pilotgate.policy.model import Policy
from pilotgate.portfolio.stalled import Facts, Finding, findings_for
from pilotgate.usecases.models import RoleAssignment, UseCase

WEEK_MS = 7 * 86_400_000


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
    evidence = last_evidence(uow, live)
    adoption = weekly_adoption(uow, live, parsed.values())
    unfunded = missing_funding(uow, [(r.id, r.stage, parsed[r.policy_name]) for r in rows])
    found: list[Finding] = []
    for use_case_id, key, title, unit, stage, status, entered, policy_name in rows:
        last = max((t for t in (activity.get(key), evidence.get(use_case_id)) if t is not None), default=None)
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
            adoption.get((use_case_id, policy_name), ()),
            unfunded.get(use_case_id),
        )
        found += findings_for(parsed[policy_name], facts, now)
    return found


def last_evidence(uow: UnitOfWork, live: ColumnElement[bool]) -> dict[int, datetime]:
    """When each live use case last received a measured point: evidence is activity too."""
    rows = uow.session.execute(
        select(MetricDefinition.use_case_id, func.max(MetricDefinition.last_point_ms))
        .join(UseCase, UseCase.id == MetricDefinition.use_case_id)
        .where(live, MetricDefinition.last_point_ms.is_not(None))
        .group_by(MetricDefinition.use_case_id)
    )
    return {use_case_id: from_ms(ms) for use_case_id, ms in rows if ms is not None}


def weekly_adoption(
    uow: UnitOfWork, live: ColumnElement[bool], policies_in_use: Iterable[Policy]
) -> dict[tuple[int, str], tuple[float, ...]]:
    """Per (use case, policy): the low-adoption cohort's weekly adoption over the rule's last weeks."""
    found: dict[tuple[int, str], tuple[float, ...]] = {}
    now_ms = to_ms(uow.now())
    for policy in policies_in_use:
        rule = policy.stalled.low_adoption
        if not rule.enabled:
            continue
        since = now_ms - rule.weeks * WEEK_MS
        week = (MetricPoint.ts_ms - since) // WEEK_MS
        sums: dict[int, dict[int, dict[str, float]]] = defaultdict(lambda: defaultdict(dict))
        for use_case_id, key, bucket, value in uow.session.execute(
            select(MetricDefinition.use_case_id, MetricDefinition.key, week, func.avg(MetricPoint.value))
            .join(MetricDefinition, MetricDefinition.id == MetricPoint.metric_id)
            .join(UseCase, UseCase.id == MetricDefinition.use_case_id)
            .where(
                live,
                UseCase.policy_name == policy.name,
                MetricDefinition.key.in_(("active_users", "eligible_users")),
                MetricPoint.cohort == rule.cohort,
                MetricPoint.ts_ms > since,
                MetricPoint.ts_ms <= now_ms,
            )
            .group_by(MetricDefinition.use_case_id, MetricDefinition.key, week)
        ):
            sums[use_case_id][int(bucket)][key] = float(value)
        for use_case_id, weeks in sums.items():
            rates = [
                w["active_users"] / w["eligible_users"]
                for _, w in sorted(weeks.items())
                if w.get("eligible_users") and "active_users" in w
            ]
            found[(use_case_id, policy.name)] = tuple(rates)
    return found


def missing_funding(uow: UnitOfWork, rows: list[tuple[int, str, Policy]]) -> dict[int, str]:
    """Why each use case past its policy's funding gate has no production funding pathway."""
    past = []
    for use_case_id, stage, policy in rows:
        gate = policy.funding_gate()
        if gate is None or not policy.stalled.no_funding_pathway.enabled:
            continue
        order = policy.stage_ids()
        if stage in order and gate.from_stage in order and order.index(stage) > order.index(gate.from_stage):
            past.append(use_case_id)
    if not past:
        return {}
    from pilotgate.funding.service import pathway_checks

    return {uc: result.note for uc, result in pathway_checks(uow, past).items() if result.status != "met"}
