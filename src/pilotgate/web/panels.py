"""The sections of the use case page that capabilities contribute: each names its template, the
variable the template reads, and the function that builds it from (uow, use case).

A capability adds its section by adding one line here; the page renders them in this order.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any, NamedTuple

from pilotgate.db.uow import UnitOfWork
from pilotgate.usecases.models import UseCase


class Panel(NamedTuple):
    name: str  # the template variable
    template: str
    build: str  # "module:function", called with (uow, use_case)


USE_CASE_PANELS: tuple[Panel, ...] = (Panel("funding", "_funding.html", "pilotgate.funding.panels:funding_panel"),)


def _function(target: str) -> Callable[[UnitOfWork, UseCase], Any]:
    module, _, name = target.partition(":")
    found: Callable[[UnitOfWork, UseCase], Any] = getattr(import_module(module), name)
    return found


def use_case_panels(uow: UnitOfWork, use_case: UseCase) -> dict[str, Any]:
    """Each contributed section's data by its template variable, plus `panel_templates` in order."""
    data: dict[str, Any] = {panel.name: _function(panel.build)(uow, use_case) for panel in USE_CASE_PANELS}
    data["panel_templates"] = [panel.template for panel in USE_CASE_PANELS]
    return data
