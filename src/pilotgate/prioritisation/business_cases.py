"""What prioritisation and the timeline read from business cases (`pilotgate.finance`), when that
capability is installed: each use case's conservative NPV and its currency, and the ramp months
of its benefits. Without it (or without a case) they fall back to the scorecard's estimate and the
framework's typical timeline.
"""

from __future__ import annotations

from datetime import date
from importlib import import_module
from types import ModuleType
from typing import Any

from pilotgate.db.uow import UnitOfWork
from pilotgate.usecases.models import UseCase

CONSERVATIVE = "conservative"


def _finance(name: str) -> ModuleType | None:
    try:
        return import_module(f"pilotgate.finance.{name}")
    except ModuleNotFoundError as error:
        if error.name not in ("pilotgate.finance", f"pilotgate.finance.{name}"):
            raise  # a broken import inside an installed finance module is a bug to see, not to hide
        return None


def _currencies(uow: UnitOfWork) -> dict[int, str]:
    repository, validation = _finance("repository"), _finance("validation")
    newest = getattr(repository, "newest_specs", None)
    parse = getattr(validation, "parse_case", None)
    if newest is None or parse is None:
        return {}
    return {int(use_case_id): str(parse(spec).currency) for use_case_id, spec in newest(uow)}


def expected_values(uow: UnitOfWork) -> dict[int, tuple[float, str | None]]:
    """Use case id → (conservative NPV of its newest business case, its currency when known)."""
    service = _finance("service")
    expected = getattr(service, "expected_values", None)
    if expected is None:
        return {}
    found = {int(i): float(v) for i, v in (expected(uow) or {}).items() if v is not None}
    currencies = _currencies(uow) if found else {}
    return {i: (v, currencies.get(i)) for i, v in found.items()}


def ramp_months(uow: UnitOfWork, use_case: UseCase) -> dict[str, Any] | None:
    """The ramp of the business case's largest benefit, stretched by its conservative ramp timing:
    early, measurable and full months, the horizon, and the calendar start of month 0 (or None)."""
    repository, service = _finance("repository"), _finance("service")
    current, case_of = getattr(repository, "current", None), getattr(service, "case_of", None)
    row = current(uow, use_case) if current else None
    if row is None or case_of is None:
        return None
    case = case_of(row)
    if not case.benefits:
        return None
    main = max(case.benefits, key=lambda b: b.annual_value)
    timing = float((case.scenarios.get(CONSERVATIVE) or {}).get("ramp_timing", 1.0))
    start = None
    if case.start:
        year, month = (int(part) for part in case.start.split("-"))
        start = date(year, month, 1)
    return {
        "early": main.ramp.early_month * timing,
        "measurable": main.ramp.measurable_month * timing,
        "full": main.ramp.full_month * timing,
        "horizon": float(case.horizon_months),
        "start": start,
        "version": row.version,
    }
