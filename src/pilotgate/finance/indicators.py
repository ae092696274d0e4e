"""The indicators a business case is tied to: which metric should reach which value by which month,
against what the evidence layer has measured.

Leading indicators (adoption, task time, error rate) should move within the first 6–12 months;
lagging ones (revenue, margin, cost) confirm the outcome later. A tie is `met` when the latest
measured value has reached the expected one (in the metric's direction), `behind` when its month
has come and it has not, `pending` before then, `no_data` when the metric has no point yet and
`not_defined` when the use case does not measure it at all.
"""

from __future__ import annotations

from typing import Any

from pilotgate.db.uow import UnitOfWork
from pilotgate.evidence import rules as evidence_rules
from pilotgate.evidence import service as evidence
from pilotgate.finance import months, repository
from pilotgate.finance.service import get_or_raise
from pilotgate.usecases import service as usecases
from pilotgate.usecases.models import UseCase


def _reached(value: float, expected: float, direction: str) -> bool:
    return value <= expected if direction == "lower" else value >= expected


def _class_of(key: str, kind: str | None) -> str:
    if kind is not None:
        return evidence_rules.indicator_class(kind)
    standard = evidence_rules.standard_for(key)
    return evidence_rules.indicator_class(standard.kind) if standard else "unknown"


def indicators_of(uow: UnitOfWork, use_case: UseCase) -> dict[str, Any]:
    """Each tied indicator: expected by when, measured now, and its status."""
    row = get_or_raise(uow, use_case)
    start = row.spec["start"]
    now = months.month_index(start, uow.now().date())
    measured = {i.definition.key: i for i in evidence.indicators(uow, use_case, usecases.policy_of(uow, use_case))}
    found = []
    for tie in repository.ties(uow, row):
        indicator = measured.get(tie.metric_key)
        definition = indicator.definition if indicator else None
        latest = indicator.latest if indicator else None
        due = now >= tie.by_month
        if indicator is None:
            status = "not_defined"
        elif latest is None:
            status = "no_data"
        elif _reached(latest, tie.expected_value, indicator.definition.direction):
            status = "met"
        else:
            status = "behind" if due else "pending"
        found.append(
            {
                "metric": tie.metric_key,
                "name": definition.name if definition else tie.metric_key,
                "unit": definition.unit if definition else "",
                "class": _class_of(tie.metric_key, definition.kind if definition else None),
                "direction": definition.direction if definition else None,
                "expected": tie.expected_value,
                "by_month": tie.by_month,
                "by": months.label(start, tie.by_month),
                "due": due,
                "measured": latest,
                "window_value": indicator.current if indicator else None,
                "window": indicator.window if indicator else None,
                "status": status,
                "note": tie.note,
            }
        )
    return {"use_case": use_case.key, "version": row.version, "start": start, "month_now": now, "indicators": found}
