"""The facts the readiness signals judge, as the registry stood at a moment, in set-based queries.

"As of" a moment, so that an assessment recorded on a back-dated clock (the demo, or a re-run of
an old date) sees what was there then: a use case's stage is its stage-history entry open at that
moment; it was live unless its status is stopped or retired and no decision came later; roles,
metrics, points, decisions and reviews count from their own timestamps. Two approximations: a
role re-assigned later counts from the re-assignment, and a status changed without a decision (an
import) is taken as it is now.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, or_, select

from pilotgate.db.uow import UnitOfWork
from pilotgate.evidence.models import MetricDefinition, MetricPoint
from pilotgate.evidence.rules import to_ms
from pilotgate.gates.models import Decision, Review
from pilotgate.maturity.rules import Signal
from pilotgate.maturity.signal_rules import (
    ADOPTION_WINDOW,
    DecisionFacts,
    Facts,
    MetricFacts,
    ReviewFacts,
    UseCaseFacts,
    measure,
    operational_stages,
)
from pilotgate.policy import service as policies
from pilotgate.policy.model import Policy
from pilotgate.policy.models import PolicyVersion
from pilotgate.usecases.models import RoleAssignment, StageHistory, UseCase

LIVE = ("active", "on_hold")
Visit = tuple[str, datetime, datetime | None, int | None]  # stage, entered, left, the decision behind it


def signals(uow: UnitOfWork, at: datetime | None = None) -> list[Signal]:
    """Every readiness signal as of `at` (default: the unit of work's clock)."""
    facts, parsed = load_facts(uow, at or uow.now())
    return measure(facts, parsed)


def load_facts(uow: UnitOfWork, at: datetime) -> tuple[Facts, dict[str, Policy]]:
    """Use cases, decisions and open reviews as they stood at the moment, and the policies they follow."""
    session = uow.session
    rows = session.execute(
        select(
            UseCase.id,
            UseCase.key,
            UseCase.policy_name,
            UseCase.status,
            UseCase.stage,
            UseCase.stage_entered_at,
            UseCase.created_at,
        ).order_by(UseCase.key)
    ).all()
    parsed = {name: policies.parsed(policies.get_or_raise(uow, name)) for name in {r.policy_name for r in rows}}
    visits: dict[int, list[Visit]] = defaultdict(list)
    for use_case_id, stage, entered_at, left_at, decision_id in session.execute(
        select(
            StageHistory.use_case_id,
            StageHistory.stage,
            StageHistory.entered_at,
            StageHistory.left_at,
            StageHistory.decision_id,
        )
        .where(StageHistory.entered_at <= at)
        .order_by(StageHistory.use_case_id, StageHistory.entered_at, StageHistory.id)
    ):
        visits[use_case_id].append((stage, entered_at, left_at, decision_id))
    roles: dict[int, set[str]] = defaultdict(set)
    for use_case_id, role in session.execute(
        select(RoleAssignment.use_case_id, RoleAssignment.role).where(RoleAssignment.assigned_at <= at)
    ):
        roles[use_case_id].add(role)
    decided_later = set(
        session.scalars(
            select(Review.use_case_id).join(Decision, Decision.review_id == Review.id).where(Decision.decided_at > at)
        )
    )
    metrics, adoption = _metrics(uow, at), _adoption(uow, at)
    use_cases = []
    for use_case_id, key, policy_name, status, stage, entered_at, created_at in rows:
        history = visits.get(use_case_id, [])
        if not history and created_at > at:
            continue  # not registered yet, and no history dates it earlier (an import can)
        if history:
            stage, entered_at = _open_at(history, at)
        operational = operational_stages(parsed[policy_name])
        use_cases.append(
            UseCaseFacts(
                key=key,
                policy=policy_name,
                stage=stage,
                stage_entered_at=entered_at,
                live=status in LIVE or use_case_id in decided_later,
                roles=frozenset(roles.get(use_case_id, ())),
                first_operational_entry=min((v[1] for v in history if v[0] in operational), default=None),
                metrics=tuple(metrics.get(use_case_id, ())),
                adoption=adoption.get(use_case_id),
            )
        )
    facts = Facts(at, use_cases, _decisions(uow, at, visits), _open_reviews(uow, at, roles))
    return facts, parsed


def _open_at(history: list[Visit], at: datetime) -> tuple[str, datetime]:
    """The stage the use case was in at the moment, and since when: the entry still open then."""
    open_then = [v for v in history if v[2] is None or v[2] > at]
    stage, entered_at, _, _ = (open_then or history)[-1]
    return stage, entered_at


def _metrics(uow: UnitOfWork, at: datetime) -> dict[int, list[MetricFacts]]:
    """Every metric defined by the moment, with the newest point at or before it."""
    newest = (
        select(MetricPoint.metric_id, func.max(MetricPoint.ts_ms).label("last_ms"))
        .join(MetricDefinition, MetricDefinition.id == MetricPoint.metric_id)
        .where(MetricDefinition.kind == "sla", MetricPoint.ts_ms <= to_ms(at))
        .group_by(MetricPoint.metric_id)
        .subquery()
    )
    found: dict[int, list[MetricFacts]] = defaultdict(list)
    for use_case_id, kind, created_at, baseline, target, cadence, last_ms in uow.session.execute(
        select(
            MetricDefinition.use_case_id,
            MetricDefinition.kind,
            MetricDefinition.created_at,
            MetricDefinition.baseline,
            MetricDefinition.target,
            MetricDefinition.cadence_seconds,
            newest.c.last_ms,
        )
        .outerjoin(newest, newest.c.metric_id == MetricDefinition.id)
        .where(MetricDefinition.created_at <= at)
    ):
        found[use_case_id].append(
            MetricFacts(kind, created_at, baseline is not None and target is not None, cadence, last_ms)
        )
    return found


def _adoption(uow: UnitOfWork, at: datetime) -> dict[int, float]:
    """Per use case, the adoption rate of its widest cohort (most eligible users) over the last 28 days."""
    averages: dict[tuple[int, str], dict[str, float]] = defaultdict(dict)
    for use_case_id, cohort, key, value in uow.session.execute(
        select(MetricDefinition.use_case_id, MetricPoint.cohort, MetricDefinition.key, func.avg(MetricPoint.value))
        .join(MetricDefinition, MetricDefinition.id == MetricPoint.metric_id)
        .where(
            MetricDefinition.key.in_(("active_users", "eligible_users")),
            MetricPoint.ts_ms > to_ms(at - ADOPTION_WINDOW),
            MetricPoint.ts_ms <= to_ms(at),
        )
        .group_by(MetricDefinition.use_case_id, MetricPoint.cohort, MetricDefinition.key)
    ):
        averages[(use_case_id, cohort)][key] = float(value)
    widest: dict[int, tuple[float, float]] = {}
    for (use_case_id, _), pair in averages.items():
        eligible, active = pair.get("eligible_users"), pair.get("active_users")
        if eligible and active is not None and eligible > widest.get(use_case_id, (0.0, 0.0))[0]:
            widest[use_case_id] = (eligible, active / eligible)
    return {use_case_id: rate for use_case_id, (_, rate) in widest.items()}


def _decisions(uow: UnitOfWork, at: datetime, visits: dict[int, list[Visit]]) -> list[DecisionFacts]:
    """Decisions by the moment, each with when the use case had entered the stage it decided on."""
    found = []
    for decision_id, use_case_id, key, policy_name, gate, from_stage, decided_at in uow.session.execute(
        select(
            Decision.id,
            Review.use_case_id,
            UseCase.key,
            UseCase.policy_name,
            Review.gate_number,
            Decision.from_stage,
            Decision.decided_at,
        )
        .join(Review, Review.id == Decision.review_id)
        .join(UseCase, UseCase.id == Review.use_case_id)
        .where(Decision.decided_at <= at)
    ):
        entries = [
            entered
            for stage, entered, _, made_by in visits.get(use_case_id, [])
            if stage == from_stage and entered <= decided_at and made_by != decision_id
        ]
        if entries:
            found.append(DecisionFacts(key, policy_name, gate, from_stage, decided_at, entries[-1]))
    return found


def _open_reviews(uow: UnitOfWork, at: datetime, roles: dict[int, set[str]]) -> list[ReviewFacts]:
    """Reviews open at the moment, with the approver roles their gate requires and those named."""
    rows = uow.session.execute(
        select(Review.use_case_id, UseCase.key, UseCase.risk_tier, Review.gate_number, Review.policy_version_id)
        .join(UseCase, UseCase.id == Review.use_case_id)
        .where(Review.opened_at <= at, or_(Review.decided_at.is_(None), Review.decided_at > at))
    ).all()
    versions = {r.policy_version_id for r in rows}
    parsed = {
        v.id: policies.parsed(v)
        for v in uow.session.scalars(select(PolicyVersion).where(PolicyVersion.id.in_(versions)))
    }
    found = []
    for use_case_id, key, risk_tier, gate_number, version_id in rows:
        gate = parsed[version_id].gate(gate_number)
        required = tuple(gate.required_roles(risk_tier)) if gate else ()
        found.append(ReviewFacts(key, gate_number, required, frozenset(roles.get(use_case_id, ()))))
    return found
