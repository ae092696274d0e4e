"""Two readiness assessments for the demo portfolio, nine months apart, so the page has a history."""

from __future__ import annotations

from typing import Protocol

from pilotgate.db.uow import UnitOfWork
from pilotgate.maturity import service

# Nine months ago: pilots run, gates are new, little is owned or measured beyond the pilots.
EARLIER = {
    "funding.budget_transition": 1,
    "funding.business_owner": 2,
    "funding.run_costs": 1,
    "funding.zombie_exit": 1,
    "funding.roi_horizon": 1,
    "change.embedded_resource": 1,
    "change.workflow_redesign": 1,
    "change.training": 2,
    "change.adoption_tracking": 2,
    "change.resistance": 1,
    "operations.team": 1,
    "operations.monitoring": 2,
    "operations.retraining": 1,
    "operations.incidents": 1,
    "operations.on_call": 0,
    "governance.named_approvers": 3,
    "governance.cadence": 2,
    "governance.criteria": 2,
    "governance.poc_is_not_funding": 2,
    "governance.stop_decisions": 1,
    "measurement.defined_before_production": 2,
    "measurement.leading_and_lagging": 1,
    "measurement.reporting_cadence": 1,
    "measurement.accountability": 2,
    "measurement.benefits_review": 0,
}
# Now: the gates decide and stop, owners and metrics come first; change and on-call lag behind.
RECENT = {
    **EARLIER,
    "funding.budget_transition": 2,
    "funding.business_owner": 3,
    "funding.run_costs": 2,
    "funding.zombie_exit": 2,
    "funding.roi_horizon": 2,
    "change.embedded_resource": 2,
    "change.adoption_tracking": 3,
    "operations.team": 2,
    "operations.monitoring": 3,
    "operations.retraining": 2,
    "operations.incidents": 2,
    "operations.on_call": 1,
    "governance.named_approvers": 4,
    "governance.cadence": 3,
    "governance.criteria": 3,
    "governance.poc_is_not_funding": 3,
    "governance.stop_decisions": 3,
    "measurement.defined_before_production": 3,
    "measurement.leading_and_lagging": 3,
    "measurement.reporting_cadence": 2,
    "measurement.accountability": 3,
    "measurement.benefits_review": 1,
}


class BackDated(Protocol):
    def set_days_ago(self, days: float) -> None: ...


def record_demo_assessments(uow: UnitOfWork, clock: BackDated, *, actor: str) -> None:
    """The programme lead's assessment nine months ago and a week ago, each scored with the data of its day."""
    for days, answers in ((270, EARLIER), (7, RECENT)):
        clock.set_days_ago(days)
        service.create(uow, answers=answers, actor=actor)
