"""What the use case page shows of the handover and of hypercare."""

from __future__ import annotations

from typing import Any

from pilotgate.db.uow import UnitOfWork
from pilotgate.handover import rules, service
from pilotgate.usecases import service as usecases
from pilotgate.usecases.models import UseCase


def handover_panel(uow: UnitOfWork, use_case: UseCase) -> dict[str, Any]:
    """The handovers (newest first), the hypercare status, and whether the section is worth showing:
    in an operational stage, or once a handover exists."""
    data = service.summary(uow, use_case)
    stage = usecases.policy_of(uow, use_case).stage(use_case.stage)
    operational = stage is not None and stage.operational
    data["operational"] = operational
    data["shown"] = operational or bool(data["handovers"])
    data["current"] = data["handovers"][0] if data["handovers"] else None
    data["items"] = rules.ITEMS
    data["artifact"] = rules.ARTIFACT
    data["attachable"] = service.review_wants_document(uow, use_case)
    return data
