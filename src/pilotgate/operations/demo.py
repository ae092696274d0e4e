"""AI operations records for the demo portfolio, through the operations services on the demo clock.

Every use case that entered production (or whose Gate 3 review is ready) had its operations ready
before its Gate 3 review opened: the AI programme's operations team on call at two levels, a
runbook, alerting monitoring, a drill passed in the weeks before, and two checks of every ML Test
Score section done by hand. Those that reached scale (and the knowledge-search assistant, whose
Gate 4 review is ready) then moved to their business unit's team: its own on-call, automated
monitoring, automated monthly retraining, and the last incidents handled by that team. The
cash-flow copilot is the counter-example: still run by the AI programme, its retraining long
overdue and its incidents handled by the programme's engineers — one sev2 still open.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from pilotgate.db.uow import UnitOfWork
from pilotgate.operations import incidents, service
from pilotgate.operations.readiness import SECTIONS

PROGRAMME_TEAM = "AI Programme Operations"
POORLY_RUN = "Cash-flow forecasting copilot"
OPS_LEAD = "kofi.mensah@demo.pilotgate.org"
CADENCE = 30
TEAMS = {  # the business units' teams that take operations over (the handover demo names the same)
    "Finance": "Finance Systems Operations",
    "Customer Service": "Customer Service Digital Operations",
    "Supply Chain": "Supply Chain Systems Team",
    "Human Resources": "HR Digital Operations",
    "Legal": "Legal Technology Operations",
    "Marketing": "Marketing Technology Team",
}
INCIDENTS = (
    ("sev3", "Latency above the SLO for twenty minutes", 95),
    ("sev4", "Nightly feature job retried twice", 40),
    ("sev3", "Upstream schema change dropped a field", 180),
    ("sev4", "Alert noise from a flapping health check", 25),
)


class _Recorder:
    """Writes one use case's operations records, each on its own back-dated day."""

    def __init__(self, uow: UnitOfWork, clock: Any, key: str, roles: dict[str, str]) -> None:
        self.uow, self.clock, self.key, self.roles = uow, clock, key, roles
        self.today: date = clock.today.date()
        self.actor = roles["program_lead"]
        self.rng = random.Random(f"operations:{key}")

    def on(self, ago: float, action: Any, **values: Any) -> Any:
        self.clock.set_days_ago(ago)
        return action(self.uow, key=self.key, actor=self.actor, **values)

    def day(self, days: float) -> date:
        return self.today - timedelta(days=round(days))

    def ready(self, setup: int, handover: int | None) -> None:
        """The programme's operations in place `setup` days ago (until `handover` days ago, if given)."""
        tech = self.roles["technical_lead"]
        until = self.day(handover + 1) if handover is not None else None
        self.on(setup, service.set_team, name=PROGRAMME_TEAM, kind="ai_programme", lead=OPS_LEAD, members=[tech])
        self.on(setup, service.add_oncall, email=tech, level=1, starts_on=self.day(setup), ends_on=until)
        self.on(setup, service.add_oncall, email=OPS_LEAD, level=2, starts_on=self.day(setup), ends_on=until)
        url = f"https://wiki.demo.pilotgate.org/ai-programme/{self.key}/runbook"
        self.on(setup, service.set_runbook, url=url, last_reviewed=self.day(setup))
        description = "Dashboards of latency, error rate and prediction mix; alerts page the on-call engineer"
        self.on(setup, service.set_monitoring, description=description, alerting=True)
        self.on(setup, service.set_cadence, days=CADENCE)
        for section in SECTIONS:
            for check in self.rng.sample(section.checks, 3)[: 2 + self.rng.randrange(2)]:
                self.on(setup, service.set_check, check=check.id, status="manual", note="Reviewed in the pilot")
        self.on(setup - 4, service.add_drift_note, note="Input mix stable against the training data.")
        self.on(
            setup - 10, service.add_drill, scenario="Roll back to the previous model version under load",
            outcome="passed", participants=[tech, OPS_LEAD], held_on=self.day(setup - 10),
        )  # fmt: skip

    def retrain(self, start: int, end: int, *, automated: bool) -> None:
        for days in range(start, end, -(CADENCE - 2)):
            self.on(days, service.record_retraining, retrained_on=self.day(days), automated=automated)

    def incident(self, days: float, severity: str, title: str, handler: str, minutes: int | None) -> None:
        row = self.on(days, incidents.open_incident, severity=severity, title=title, handled_by=handler)
        if minutes is not None:
            self.on(days - minutes / 1440, incidents.resolve_incident, incident_id=row.id, resolution="Fixed.")

    def business_unit_takes_over(self, unit: str, handover: int) -> None:
        sponsor, head = self.roles["sponsor"], self.roles["bu_head"]
        team = TEAMS.get(unit, f"{unit} Operations")
        self.on(handover, service.set_team, name=team, kind="business_unit", lead=sponsor, members=[head])
        self.on(handover, service.add_oncall, email=sponsor, level=1, starts_on=self.day(handover))
        self.on(handover, service.add_oncall, email=head, level=2, starts_on=self.day(handover))
        description = "Automated SLO and drift monitors; alerts route to the team's on-call tool"
        self.on(handover, service.set_monitoring, description=description, alerting=True, automated=True)
        for check in ("monitoring.data_invariants", "infrastructure.pipeline_integration"):
            self.on(handover, service.set_check, check=check, status="automated", note="Runs in the team's pipeline")
        self.retrain(handover - 2, 0, automated=True)
        # Three incidents before the Gate 4 review opens (a dozen days after the handover): the last
        # three of the window are the team's own by the time anyone votes.
        for index, (severity, title, minutes) in enumerate(self.rng.sample(INCIDENTS, 3)):
            handler = sponsor if index % 2 == 0 else head
            self.incident(handover - 2 - index * 3, severity, title, handler, minutes)
        self.on(handover - 3, service.add_drift_note, note="Seasonal shift in inputs; within the retraining budget.")


def _stages(plan: Any) -> list[int]:
    return list(plan.entered[:-1] if plan.ending in ("stop", "hold", "recycle") else plan.entered)


def record_demo_operations(uow: UnitOfWork, clock: Any, *, plan: Any, key: str, roles: dict[str, str]) -> None:
    """Record the operations of one demo use case that reached (or is ready for) production."""
    entered = _stages(plan)
    reached = len(entered) >= 4
    gate3_ready = len(entered) == 3 and plan.in_flight == 3
    if not (reached or gate3_ready):
        return
    resume = clock.at
    review3 = (entered[3] if reached else max(1, entered[-1] // 3)) + 3
    review4 = None
    if len(entered) == 5:
        review4 = entered[4] + 3
    elif len(entered) == 4 and plan.in_flight == 3:
        review4 = max(1, entered[-1] // 3)
    handover = review4 + 12 if review4 is not None else None
    recorder = _Recorder(uow, clock, key, roles)
    setup = review3 + 20
    recorder.ready(setup, handover)
    tech = roles["technical_lead"]
    if handover is not None:
        recorder.retrain(setup, handover, automated=False)
        recorder.incident(setup - 12, "sev3", "Pilot users saw stale answers after a data refresh", tech, 180)
        recorder.business_unit_takes_over(plan.unit, handover)
    elif plan.title == POORLY_RUN:
        recorder.retrain(setup, setup - 2 * CADENCE, automated=False)  # then never again: overdue
        for days, severity, title, minutes in (
            (70, "sev3", "Forecast job failed on a holiday calendar", 300),
            (35, "sev2", "Treasury saw a forecast off by an order of magnitude", 1440),
            (12, "sev2", "Driver explanations missing for two entities", None),
        ):
            recorder.incident(days, severity, title, tech if days != 35 else OPS_LEAD, minutes)
        recorder.on(20, service.add_drift_note, note="Rate regime change since training; errors creeping up.")
    else:
        recorder.retrain(setup, 0, automated=False)
    clock.at = resume
