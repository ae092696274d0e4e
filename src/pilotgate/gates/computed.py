"""Computed criteria: each check the policy may name is a bulk function over use case ids, so a
gate review and portfolio readiness judge them the same way, from pilotgate's own records."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from importlib import import_module
from typing import Any

from pilotgate.db.uow import UnitOfWork
from pilotgate.gates.rules import Measurement
from pilotgate.policy.model import Criterion

# check name -> "module:function"; the function takes (uow, use case ids) and returns, by use case
# id, an object with status ("met" or "not_met"), note and detail.
IMPLEMENTATIONS = {
    "funding.pathway_identified": "pilotgate.funding.service:pathway_checks",
    "funding.production_funded": "pilotgate.funding.service:production_checks",
    "change.complete": "pilotgate.change.checks:complete_checks",
    "change.populations_planned": "pilotgate.change.checks:population_checks",
    "operations.ready": "pilotgate.operations.checks:ready_checks",
    "operations.owned": "pilotgate.operations.checks:owned_checks",
    "operations.sustainable": "pilotgate.operations.checks:sustainable_checks",
}


def _implementation(check: str) -> Callable[[UnitOfWork, list[int]], dict[int, Any]] | None:
    target = IMPLEMENTATIONS.get(check)
    if target is None:
        return None
    module, _, function = target.partition(":")
    try:
        found: Callable[[UnitOfWork, list[int]], dict[int, Any]] = getattr(import_module(module), function)
    except (ImportError, AttributeError):
        return None
    return found


def evaluate(uow: UnitOfWork, items: Iterable[tuple[int, Criterion]]) -> dict[int, dict[str, Measurement]]:
    """Each computed criterion's result, by use case id then criterion id; a check pilotgate cannot
    run leaves its criterion unknown (never met)."""
    by_check: dict[str, list[tuple[int, Criterion]]] = defaultdict(list)
    for use_case_id, criterion in items:
        if criterion.kind == "computed" and criterion.check:
            by_check[criterion.check].append((use_case_id, criterion))
    found: dict[int, dict[str, Measurement]] = defaultdict(dict)
    for check, wanted in by_check.items():
        run = _implementation(check)
        results = run(uow, sorted({uc for uc, _ in wanted})) if run is not None else {}
        for use_case_id, criterion in wanted:
            result = results.get(use_case_id)
            if result is None:
                found[use_case_id][criterion.id] = Measurement("unknown", f"check {check} could not be run", {})
            else:
                found[use_case_id][criterion.id] = Measurement(result.status, result.note, dict(result.detail))
    return found
