"""What reports read from capabilities that may not be installed: the business case (finance) and the
timeline. Each is looked up when a report is built; when its module or function is absent the report
says so ("No business case recorded") instead of failing."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from pilotgate.db.uow import UnitOfWork
from pilotgate.usecases.models import UseCase


def _function(module: str, name: str) -> Any:
    try:
        return getattr(import_module(module), name)
    except (ImportError, AttributeError):
        return None


def business_case(uow: UnitOfWork, use_case: UseCase) -> dict[str, Any] | None:
    """The use case's business case summary (scenario, currency, npv, irr, payback_month, roi_pct,
    warnings, monte_carlo, charts), or None when none is recorded or finance is not installed."""
    summary = _function("pilotgate.finance.service", "case_summary")
    if summary is None:
        return None
    found = summary(uow, use_case)
    return dict(found) if found else None


def gantt_mermaid(uow: UnitOfWork, use_case: UseCase) -> str | None:
    """The use case's timeline as Mermaid gantt text, or None."""
    gantt = _function("pilotgate.reports.timeline", "gantt_mermaid")
    if gantt is None:
        return None
    text = gantt(uow, use_case)
    return str(text) if text else None


def gantt_spec(uow: UnitOfWork, use_case: UseCase) -> dict[str, Any] | None:
    """The use case's timeline as the Vega-Lite spec its page draws, or None."""
    spec = _function("pilotgate.reports.timeline", "gantt_spec")
    if spec is None:
        return None
    found = spec(uow, use_case)
    return dict(found) if found else None


def expected_values(uow: UnitOfWork) -> dict[int, tuple[float, str | None]] | None:
    """Use case id → (the conservative NPV of its newest business case, its currency when known);
    None when finance is not installed. The currency comes from prioritisation's reading of the
    cases when that is installed too."""
    with_currency = _function("pilotgate.prioritisation.business_cases", "expected_values")
    if with_currency is not None:
        return {int(k): (float(v), c) for k, (v, c) in (with_currency(uow) or {}).items()}
    values = _function("pilotgate.finance.service", "expected_values")
    if values is None:
        return None
    return {int(k): (float(v), None) for k, v in (values(uow) or {}).items() if v is not None}
