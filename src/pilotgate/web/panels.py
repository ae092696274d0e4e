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
    """A section: its data is `build(uow, use_case)`, read by `_NAME.html` under NAME; its heading's id
    is `h-NAME` (with '-' for '_'), linked from the page's "On this page" navigation as `title`."""

    name: str
    build: str  # "module:function"
    title: str

    @property
    def template(self) -> str:
        return f"_{self.name}.html"

    @property
    def anchor(self) -> str:
        return "h-" + self.name.replace("_", "-")


# In the order a use case travels: why it was chosen, what it is worth, when, who pays, who is
# trained, who runs it, who took it over, where it went next.
USE_CASE_PANELS: tuple[Panel, ...] = (
    Panel("scorecard", "pilotgate.prioritisation.panels:scorecard_panel", "Scorecard"),
    Panel("business_case", "pilotgate.finance.panels:business_case_panel", "Business case"),
    Panel("timeline", "pilotgate.reports.timeline:timeline_panel", "Timeline"),
    Panel("funding", "pilotgate.funding.panels:funding_panel", "Funding"),
    Panel("change", "pilotgate.change.panels:change_panel", "Change"),
    Panel("operations", "pilotgate.operations.panels:operations_panel", "Operations"),
    Panel("handover", "pilotgate.handover.panels:handover_panel", "Handover"),
    Panel("scale", "pilotgate.scale.panels:scale_panel", "Scale"),
)


def _function(target: str) -> Callable[[UnitOfWork, UseCase], Any]:
    module, _, name = target.partition(":")
    found: Callable[[UnitOfWork, UseCase], Any] = getattr(import_module(module), name)
    return found


def use_case_panels(uow: UnitOfWork, use_case: UseCase) -> dict[str, Any]:
    """Each contributed section's data by its template variable, plus `panel_templates` in order
    and `panel_links` (anchor, title) for the page's navigation."""
    data: dict[str, Any] = {panel.name: _function(panel.build)(uow, use_case) for panel in USE_CASE_PANELS}
    data["panel_templates"] = [panel.template for panel in USE_CASE_PANELS]
    data["panel_links"] = [(panel.anchor, panel.title) for panel in USE_CASE_PANELS]
    return data
