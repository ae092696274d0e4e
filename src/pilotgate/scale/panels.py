"""What the use case page shows of scaling: its parent with the parent's indicators as the baseline,
its capability reuse, and the expansions started from it."""

from __future__ import annotations

from typing import Any

from pilotgate.db.uow import UnitOfWork
from pilotgate.evidence import service as evidence
from pilotgate.scale import rules, service
from pilotgate.usecases import service as usecases
from pilotgate.usecases.models import UseCase


def _baseline(uow: UnitOfWork, use_case: UseCase, parent: UseCase) -> list[dict[str, Any]]:
    """Each metric the parent measures: its value now beside the expansion's own."""
    mine = {i.definition.key: i for i in evidence.indicators(uow, use_case, usecases.policy_of(uow, use_case))}
    rows = []
    for indicator in evidence.indicators(uow, parent, usecases.policy_of(uow, parent)):
        own = mine.get(indicator.definition.key)
        rows.append(
            {
                "key": indicator.definition.key,
                "name": indicator.definition.name,
                "unit": indicator.definition.unit,
                "window": indicator.window,
                "parent": indicator.current,
                "own": own.current if own else None,
            }
        )
    return rows


def scale_panel(uow: UnitOfWork, use_case: UseCase) -> dict[str, Any]:
    data = service.summary(uow, use_case)
    stage = usecases.policy_of(uow, use_case).stage(use_case.stage)
    operational = stage is not None and stage.operational and use_case.status in ("active", "on_hold")
    link = service.expansion_of(uow, use_case)
    data["baseline"] = _baseline(uow, use_case, uow.session.get_one(UseCase, link.parent_id)) if link else []
    data["operational"] = operational
    data["shown"] = operational or bool(data["expansion"]) or bool(data["expansions"])
    data["kinds"] = rules.KINDS
    data["components"] = rules.COMPONENTS
    data["statuses"] = tuple(rules.STATUSES)
    assessed = {r["component"]: r for r in data["expansion"]["reuse"]} if data["expansion"] else {}
    data["reuse_rows"] = [(title, assessed.get(component)) for component, title in rules.COMPONENTS.items()]
    return data
