"""Hypercare: the use cases that entered production within the policy's `hypercare.days`, and what
breaches their tighter alerting now — SLOs over the short window, series overdue under a smaller
grace, open incidents of the watched severities (when pilotgate's operations records exist)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from importlib import import_module

from sqlalchemy import select

from pilotgate.alerts.rules import Item
from pilotgate.db.uow import UnitOfWork
from pilotgate.evidence import rules as evidence_rules
from pilotgate.evidence.evaluation import evaluate_all
from pilotgate.evidence.models import MetricDefinition
from pilotgate.handover import rules
from pilotgate.policy import service as policies
from pilotgate.policy.model import Criterion, Policy
from pilotgate.usecases.models import StageHistory, UseCase

# Each SLO watched in hypercare: a label and the indicator compared with the use case's SLO.
SLO_CHECKS = (
    ("uptime", 'uptime(window="{w}") >= slo.uptime'),
    ("p95 latency", 'p95_latency(window="{w}") <= slo.latency_ms'),
    ("error rate", 'error_rate(window="{w}") <= slo.error_rate'),
)


def hypercare_stage(policy: Policy) -> str | None:
    """Hypercare starts on entering the policy's first operational stage (production, shipped)."""
    return next((s.id for s in policy.stages if s.operational), None)


class Watched:
    """A use case in hypercare, with its policy and when it entered production."""

    def __init__(self, use_case_id: int, key: str, title: str, policy: Policy, entered: datetime) -> None:
        self.use_case_id, self.key, self.title, self.policy, self.entered = use_case_id, key, title, policy, entered

    @property
    def until(self) -> datetime:
        return rules.hypercare_until(self.entered, self.policy.hypercare.days)


def in_hypercare(uow: UnitOfWork, ids: Sequence[int] | None = None) -> list[Watched]:
    """Every use case (of `ids`, or all) active in an operational stage and within its hypercare period."""
    query = select(UseCase.id, UseCase.key, UseCase.title, UseCase.stage, UseCase.policy_name).where(
        UseCase.status.in_(("active", "on_hold"))
    )
    if ids is not None:
        query = query.where(UseCase.id.in_(list(ids)))
    rows = list(uow.session.execute(query.order_by(UseCase.key)))
    known = {name: policies.parsed(policies.get_or_raise(uow, name)) for name in {row.policy_name for row in rows}}
    live = {}
    for row in rows:
        policy = known[row.policy_name]
        current = policy.stage(row.stage)
        if policy.hypercare.enabled and current is not None and current.operational:
            live[row.id] = (row, policy, hypercare_stage(policy))
    if not live:
        return []
    entered: dict[int, datetime] = {}
    for use_case_id, stage, at in uow.session.execute(
        select(StageHistory.use_case_id, StageHistory.stage, StageHistory.entered_at)
        .where(StageHistory.use_case_id.in_(list(live)))
        .order_by(StageHistory.entered_at, StageHistory.id)
    ):
        if stage == live[use_case_id][2]:
            entered[use_case_id] = at  # ordered by time: the latest entry wins
    now = uow.now()
    return [
        Watched(row.id, row.key, row.title, policy, entered[row.id])
        for row, policy, _ in live.values()
        if row.id in entered and rules.in_hypercare(entered[row.id], now, policy.hypercare.days)
    ]


def _slo_breaches(uow: UnitOfWork, watched: list[Watched]) -> dict[int, list[str]]:
    items = []
    for w in watched:
        window = w.policy.hypercare.window
        for label, expression in SLO_CHECKS:
            criterion = Criterion(
                id=f"hypercare_{label.replace(' ', '_')}",
                title=f"Hypercare {label}",
                requirement=f"{label} over {window} within the SLO",
                kind="metric",
                expression=expression.format(w=window),
            )
            items.append((w.use_case_id, criterion, w.policy))
    results = evaluate_all(uow.session.connection(), items, now_ms=evidence_rules.to_ms(uow.now()))
    found: dict[int, list[str]] = defaultdict(list)
    for (use_case_id, criterion_id), evaluation in sorted(results.items()):
        if evaluation.status == "not_met":  # no data is reported by the staleness check, not here
            label = criterion_id.removeprefix("hypercare_").replace("_", " ")
            found[use_case_id].append(f"{label} outside its SLO: {evaluation.note}")
    return found


def _stale_breaches(uow: UnitOfWork, watched: list[Watched]) -> dict[int, list[str]]:
    by_id = {w.use_case_id: w for w in watched}
    now_ms = evidence_rules.to_ms(uow.now())
    found: dict[int, list[str]] = defaultdict(list)
    for row in uow.session.scalars(
        select(MetricDefinition)
        .where(MetricDefinition.use_case_id.in_(list(by_id)))
        .order_by(MetricDefinition.use_case_id, MetricDefinition.key)
    ):
        care = by_id[row.use_case_id].policy.hypercare
        breach = rules.stale_breach(
            row.key,
            row.last_point_ms,
            row.cadence_seconds,
            now_ms,
            ratio=care.grace_ratio,
            min_grace=evidence_rules.parse_duration(care.min_grace),
        )
        if breach:
            found[row.use_case_id].append(breach)
    return found


def _incident_breaches(uow: UnitOfWork, watched: list[Watched]) -> dict[int, list[str]]:
    """Open incidents of the watched severities, from pilotgate's operations records when installed."""
    try:
        incident = import_module("pilotgate.operations.models").OpsIncident
    except (ImportError, AttributeError):
        return {}
    by_id = {w.use_case_id: w for w in watched}
    found: dict[int, list[str]] = defaultdict(list)
    for row in uow.session.scalars(
        select(incident)
        .where(incident.use_case_id.in_(list(by_id)), incident.resolved_at.is_(None))
        .order_by(incident.opened_at, incident.id)
    ):
        if row.severity in by_id[row.use_case_id].policy.hypercare.incident_severities:
            opened = row.opened_at.isoformat(timespec="minutes").replace("+00:00", "Z")
            found[row.use_case_id].append(f"open {row.severity} incident #{row.id} since {opened}: {row.title}")
    return found


def statuses(uow: UnitOfWork, ids: Sequence[int] | None = None) -> list[rules.HypercareStatus]:
    """Every use case in hypercare (of `ids`, or all) with what breaches its tighter alerting now."""
    watched = in_hypercare(uow, ids)
    if not watched:
        return []
    breaches: dict[int, list[str]] = defaultdict(list)
    for found in (_slo_breaches(uow, watched), _stale_breaches(uow, watched), _incident_breaches(uow, watched)):
        for use_case_id, lines in found.items():
            breaches[use_case_id] += lines
    return [
        rules.HypercareStatus(
            use_case_id=w.use_case_id,
            key=w.key,
            title=w.title,
            entered=w.entered,
            until=w.until,
            breaches=tuple(breaches.get(w.use_case_id, ())),
        )
        for w in watched
    ]


def status_of(uow: UnitOfWork, use_case: UseCase) -> rules.HypercareStatus | None:
    """The use case's hypercare status, or None when it is not in hypercare."""
    found = statuses(uow, [use_case.id])
    return found[0] if found else None


def summary_section(watched: list[rules.HypercareStatus], link: str) -> list[tuple[str, list[Item]]]:
    """The webhook summary's hypercare section: every use case in hypercare, with its breaches."""
    items = [Item(s.key, s.text(), f"{link}/use-cases/{s.key}#hypercare") for s in watched]
    return [("Use cases in hypercare", items)] if items else []
