"""An expansion for the demo portfolio: the invoice triage that runs at scale in Finance, taken to
the Nordic shared-service centre, with its capability-reuse assessment (recorded through the scale
service on the demo clock, after every other demo use case so their keys stay as they are)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from pilotgate.db.uow import UnitOfWork
from pilotgate.scale import service
from pilotgate.usecases.models import UseCase

PARENT = "Invoice exception triage"
REUSE = (
    ("data_pipeline", "reused", "Same ERP extract; the Nordic company codes are already in it."),
    ("infrastructure", "reused", "Runs on the same serving cluster."),
    ("monitoring", "reused", "Dashboards gain a region filter."),
    ("model", "adapted", "Fine-tuned on 9,000 Swedish and Norwegian invoice exceptions."),
    ("runbook", "adapted", "Adds the Nordic AP escalation contacts."),
    ("integration", "adapted", "Second ERP instance; same connector, new mapping."),
    ("training_material", "new", "Clerk training in Swedish and Norwegian."),
)


def record_demo_expansion(uow: UnitOfWork, clock: Any, *, actor: str) -> None:
    resume = clock.at
    parent = uow.session.scalar(select(UseCase).where(UseCase.title == PARENT))
    if parent is None:
        return
    clock.set_days_ago(12)
    row = service.expand(
        uow,
        parent=parent.key,
        title=f"{PARENT} — Nordics",
        kind="geography",
        scope="The Stockholm and Oslo shared-service centre: Swedish and Norwegian supplier invoices.",
        population="Nordic AP clerks",
        actor=actor,
    )
    key = uow.session.get_one(UseCase, row.use_case_id).key
    for days, (component, status, note) in zip(range(10, 3, -1), REUSE, strict=False):
        clock.set_days_ago(days)
        service.assess_reuse(uow, key=key, component=component, status=status, note=note, actor=actor)
    clock.at = resume
