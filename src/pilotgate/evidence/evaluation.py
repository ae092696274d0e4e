"""Evaluate metric criteria for one use case or ten thousand: one aggregate query per distinct
series, then the pure evaluator."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.engine import Connection

from pilotgate.evidence import repository
from pilotgate.evidence.criteria import (
    Aggregate,
    Evaluation,
    Measured,
    Series,
    SeriesInfo,
    calls_in,
    evaluate,
    measure_call,
    series_of,
)
from pilotgate.evidence.models import ServiceLevelObjective
from pilotgate.evidence.rules import is_stale, parse_duration
from pilotgate.policy.expressions import Call, Condition, parse
from pilotgate.policy.model import Criterion, Policy

Item = tuple[int, Criterion, Policy]  # (use case id, metric criterion, the policy it is judged under)


@lru_cache(maxsize=512)
def parsed(expression: str) -> Condition:
    return parse(expression)


@lru_cache(maxsize=512)
def _series(call: Call, default_window: int) -> tuple[Series, ...]:
    return series_of(call, default_window, parse_duration)


def slo_references(policy: Policy, own: ServiceLevelObjective | None) -> dict[str, Measured]:
    """The values `slo.*` and `rules.*` references take for a use case."""
    defaults = policy.evidence.slo

    def pick(label: str, mine: float | None, default: float) -> Measured:
        if mine is not None:
            return Measured(label, mine, "this use case's SLO")
        return Measured(label, default, f"policy {policy.name} default")

    return {
        "slo.uptime": pick("slo.uptime", own.uptime_pct if own else None, defaults.uptime_pct),
        "slo.latency_ms": pick("slo.latency_ms", own.latency_p95_ms if own else None, defaults.latency_p95_ms),
        "slo.error_rate": pick("slo.error_rate", own.error_rate_pct if own else None, defaults.error_rate_pct),
        "rules.adoption_threshold": Measured(
            "rules.adoption_threshold", policy.rules.adoption_threshold, f"policy {policy.name}"
        ),
    }


def evaluate_all(connection: Connection, items: Iterable[Item], *, now_ms: int) -> dict[tuple[int, str], Evaluation]:
    """Every item's evaluation, keyed by (use case id, criterion id)."""
    items = list(items)
    if not items:
        return {}
    use_case_ids = {uc for uc, _, _ in items}
    wanted: dict[Series, None] = {}
    plans: list[tuple[int, Criterion, Policy, Condition, dict[Call, tuple[Series, ...]]]] = []
    for use_case_id, criterion, policy in items:
        condition = parsed(criterion.expression or "")
        default_window = parse_duration(policy.evidence.default_window)
        calls = {call: _series(call, default_window) for call in calls_in(condition)}
        for series in calls.values():
            wanted.update(dict.fromkeys(series))
        plans.append((use_case_id, criterion, policy, condition, calls))
    scope: Collection[int] | None = use_case_ids
    aggregates: dict[Series, dict[int, Aggregate]] = {
        series: repository.aggregate(connection, series, now_ms=now_ms, use_case_ids=scope) for series in wanted
    }
    infos = _infos(connection, {s.key for s in wanted}, use_case_ids, plans, now_ms)
    slos = _slos(connection, use_case_ids)
    results: dict[tuple[int, str], Evaluation] = {}
    references_cache: dict[tuple[int, str], dict[str, Measured]] = {}
    for use_case_id, criterion, policy, condition, calls in plans:
        refs_key = (use_case_id, policy.name)
        if refs_key not in references_cache:
            references_cache[refs_key] = slo_references(policy, slos.get(use_case_id))
        mine = infos.get(use_case_id, {})
        measured = {
            call: measure_call(
                call, series, {s: aggregates[s][use_case_id] for s in series if use_case_id in aggregates[s]}, mine
            )
            for call, series in calls.items()
        }
        results[(use_case_id, criterion.id)] = evaluate(
            criterion.expression or "", condition, measured, references_cache[refs_key]
        )
    return results


def _infos(
    connection: Connection,
    keys: set[str],
    use_case_ids: set[int],
    plans: list[tuple[int, Criterion, Policy, Condition, dict[Call, tuple[Series, ...]]]],
    now_ms: int,
) -> dict[int, dict[str, SeriesInfo]]:
    staleness = {uc: policy.evidence for uc, _, policy, _, _ in plans}
    scope = use_case_ids if len(use_case_ids) <= repository.ID_FILTER_LIMIT else None
    infos: dict[int, dict[str, SeriesInfo]] = defaultdict(dict)
    for use_case_id, key, unit, cadence, last in repository.definitions(connection, keys=keys, use_case_ids=scope):
        rules = staleness.get(use_case_id)
        if rules is None:
            continue
        stale = is_stale(
            last, cadence, now_ms, ratio=rules.grace_ratio, minimum_seconds=parse_duration(rules.min_grace)
        )
        infos[use_case_id][key] = SeriesInfo(unit, cadence, last, stale)
    return infos


def _slos(connection: Connection, use_case_ids: set[int]) -> dict[int, ServiceLevelObjective]:
    table = ServiceLevelObjective.__table__
    query = select(table)
    if len(use_case_ids) <= repository.ID_FILTER_LIMIT:
        query = query.where(table.c.use_case_id.in_(list(use_case_ids)))
    return {row.use_case_id: row for row in connection.execute(query)}  # type: ignore[misc]
