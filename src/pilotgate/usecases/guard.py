"""Nothing proceeds without a gate decision: the ORM refuses any other stage change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, attributes

from pilotgate.errors import Conflict
from pilotgate.usecases.models import UseCase


@event.listens_for(Session, "before_flush")
def _refuse_stage_change_outside_decisions(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get("stage_change_authorised"):
        return
    for instance in session.dirty:
        if not isinstance(instance, UseCase):
            continue
        for name in ("stage", "stage_entered_at"):
            if attributes.get_history(instance, name).has_changes():
                raise Conflict(
                    f"{instance.key}: a use case's stage changes only through a gate decision; "
                    "open a review and decide it"
                )
