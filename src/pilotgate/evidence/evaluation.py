"""Evaluate metric criteria for one use case or ten thousand: one aggregate query per distinct
series, then the pure evaluator."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from functools import lru_cache, partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from pilotgate.db.bulk import paused_gc
from pilotgate.evidence import repository
from pilotgate.evidence.criteria import (
    Aggregate,
    Evaluation,
    Judge,
    Measured,
    Series,
    SeriesInfo,
    calls_in,
    compile_judge,
    evaluate,
    measure_call,
    series_of,
)
from pilotgate.evidence.models import ServiceLevelObjective
from pilotgate.evidence.rules import parse_duration
from pilotgate.policy.expressions import Call, Condition, parse
from pilotgate.policy.model import Criterion, Policy

Item = tuple[int, Criterion, Policy]  # (use case id, metric criterion, the policy it is judged under)
Calls = tuple[tuple[Call, tuple[Series, ...]], ...]  # each indicator call and the series it reads
Plan = tuple[int, Criterion, Policy, Condition, Calls]


@lru_cache(maxsize=512)
def parsed(expression: str) -> Condition:
    return parse(expression)


@lru_cache(maxsize=512)
def _series(call: Call, default_window: int) -> tuple[Series, ...]:
    return series_of(call, default_window, parse_duration)


@lru_cache(maxsize=64)
def _seconds(duration: str) -> int:
    return parse_duration(duration)


@lru_cache(maxsize=512)
def _plan(expression: str, default_window: str) -> tuple[Condition, Calls]:
    """A criterion's condition and the series its calls read: worked out once, not once per use case."""
    condition = parsed(expression)
    window = _seconds(default_window)
    return condition, tuple((call, _series(call, window)) for call in calls_in(condition))


@lru_cache(maxsize=512)
def _judge(condition: Condition, calls: Calls) -> Judge:
    return compile_judge(condition, dict(calls))


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
    with paused_gc(len(items)):
        return _evaluate_all(connection, items, now_ms)


def _evaluate_all(connection: Connection, items: list[Item], now_ms: int) -> dict[tuple[int, str], Evaluation]:
    use_case_ids = {uc for uc, _, _ in items}
    wanted: dict[Series, None] = {}
    plans: list[Plan] = []
    for use_case_id, criterion, policy in items:
        condition, calls = _plan(criterion.expression or "", policy.evidence.default_window)
        plans.append((use_case_id, criterion, policy, condition, calls))
    for _, _, _, _, calls in {id(plan[4]): plan for plan in plans}.values():
        for _, read in calls:
            wanted.update(dict.fromkeys(read))
    scope: Collection[int] | None = use_case_ids
    infos = _infos(connection, {s.key for s in wanted}, use_case_ids, plans, now_ms)
    defined = {key for mine in infos.values() for key in mine}
    aggregates: dict[int, dict[Series, Aggregate]] = defaultdict(dict)  # by use case, then series
    measured = [series for series in wanted if series.key in defined]  # the rest are unknown anyway
    for group in repository.groups(measured):
        named = {s.cohort: s for s in measured if (s.key, s.agg, s.window_seconds) == group[:1] + group[2:]}
        found = repository.aggregate_group(connection, group, now_ms=now_ms, use_case_ids=scope)
        for (use_case_id, cohort), value in found.items():
            series = named.get(cohort)
            if series is not None:
                aggregates[use_case_id][series] = value
    slos = _slos(connection, use_case_ids)
    results: dict[tuple[int, str], Evaluation] = {}
    references_cache: dict[tuple[str, int | None], dict[str, Measured]] = {}
    # A use case that measures none of what a criterion reads gets the same answer as every
    # other such use case under the same references: judge and explain it once.
    unmeasured: dict[tuple[str, int, int], Evaluation] = {}
    for use_case_id, criterion, policy, condition, calls in plans:
        own = slos.get(use_case_id)
        refs_key = (policy.name, use_case_id if own is not None else None)
        refs = references_cache.get(refs_key)
        if refs is None:
            refs = references_cache[refs_key] = slo_references(policy, own)
        mine = infos.get(use_case_id, _NONE)
        theirs = aggregates.get(use_case_id, _NONE)
        expression = criterion.expression or ""
        if not mine and not theirs:
            shared_key = (criterion.id, id(calls), id(refs))
            shared = unmeasured.get(shared_key)
            if shared is None:
                shared = unmeasured[shared_key] = _evaluation(expression, condition, calls, theirs, mine, refs)
            results[(use_case_id, criterion.id)] = shared
            continue
        results[(use_case_id, criterion.id)] = _evaluation(expression, condition, calls, theirs, mine, refs)
    return results


_NONE: dict[Any, Any] = {}


def _evaluation(
    expression: str,
    condition: Condition,
    calls: Calls,
    aggregates: dict[Series, Aggregate],
    infos: dict[str, SeriesInfo],
    references: dict[str, Measured],
) -> Evaluation:
    return Evaluation(
        expression,
        _judge(condition, calls)(aggregates, infos, references),
        build=partial(_explain, expression, condition, calls, aggregates, infos, references),
    )


def _explain(
    expression: str,
    condition: Condition,
    calls: Calls,
    aggregates: dict[Series, Aggregate],
    infos: dict[str, SeriesInfo],
    references: dict[str, Measured],
) -> tuple[Any, ...]:
    """Each comparison with its measured sides: what a page, the CLI or a decision snapshot shows."""
    measured = {call: measure_call(call, series, aggregates, infos) for call, series in calls}
    return evaluate(expression, condition, measured, references).comparisons


def _infos(
    connection: Connection,
    keys: set[str],
    use_case_ids: set[int],
    plans: list[Plan],
    now_ms: int,
) -> dict[int, dict[str, SeriesInfo]]:
    staleness = {uc: policy.evidence for uc, _, policy, _, _ in plans}
    scope = use_case_ids if len(use_case_ids) <= repository.ID_FILTER_LIMIT else None
    infos: dict[int, dict[str, SeriesInfo]] = defaultdict(dict)
    grace: dict[int, tuple[float, int]] = {}  # by id of the policy's evidence settings
    for use_case_id, key, unit, cadence, last in repository.definitions(connection, keys=keys, use_case_ids=scope):
        rules = staleness.get(use_case_id)
        if rules is None:
            continue
        stale = False
        if cadence is not None and last is not None:  # rules.is_stale, inlined: it runs once per series
            ratio, minimum = grace.get(id(rules)) or grace.setdefault(
                id(rules), (rules.grace_ratio, _seconds(rules.min_grace))
            )
            allowed = cadence + max(int(cadence * ratio), minimum)
            stale = now_ms - last > allowed * 1000
        infos[use_case_id][key] = SeriesInfo(unit, cadence, last, stale)
    return infos


def _slos(connection: Connection, use_case_ids: set[int]) -> dict[int, ServiceLevelObjective]:
    table = ServiceLevelObjective.__table__
    query = select(table)
    if len(use_case_ids) <= repository.ID_FILTER_LIMIT:
        query = query.where(table.c.use_case_id.in_(list(use_case_ids)))
    return {row.use_case_id: row for row in connection.execute(query)}  # type: ignore[misc]
