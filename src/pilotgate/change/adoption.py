"""Adoption beside each change plan, read from the evidence layer: the plan's cohort's active ÷
eligible users, averaged over the same window Gate 3's adoption criterion reads."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from pilotgate.db.uow import UnitOfWork
from pilotgate.evidence import repository
from pilotgate.evidence.criteria import Series
from pilotgate.evidence.rules import from_ms, parse_duration, to_ms
from pilotgate.usecases import service as usecases
from pilotgate.usecases.models import UseCase

WINDOW = "28d"


def adoption_by_cohort(uow: UnitOfWork, use_case: UseCase, cohorts: Collection[str]) -> dict[str, dict[str, Any]]:
    """Per cohort: the adoption rate (None when there is no data), what it rests on, and the policy's
    threshold for comparison."""
    if not cohorts:
        return {}
    threshold = usecases.policy_of(uow, use_case).rules.adoption_threshold
    connection = uow.session.connection()
    now_ms = to_ms(uow.now())
    seconds = parse_duration(WINDOW)
    found: dict[str, dict[str, Any]] = {}
    for cohort in sorted(cohorts):
        values = []
        for key in ("active_users", "eligible_users"):
            got = repository.aggregate(
                connection, Series(key, cohort, "avg", seconds), now_ms=now_ms, use_case_ids=[use_case.id]
            )
            values.append(got.get(use_case.id))
        active, eligible = values
        shown: dict[str, Any] = {"cohort": cohort, "window": WINDOW, "threshold": threshold, "rate": None}
        if active is None or eligible is None or active.value is None or not eligible.value:
            shown["detail"] = f"no data: no active_users and eligible_users points for cohort {cohort!r}"
        else:
            shown["rate"] = round(active.value / eligible.value, 4)
            shown["active"], shown["eligible"] = round(active.value, 2), round(eligible.value, 2)
            shown["until"] = from_ms(active.end_ms).date().isoformat() if active.end_ms else None
            shown["detail"] = (
                f"{active.value:.4g} active ÷ {eligible.value:.4g} eligible users "
                f"(average over {WINDOW} to {shown['until']})"
            )
        found[cohort] = shown
    return found
