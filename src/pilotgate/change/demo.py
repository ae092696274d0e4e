"""Change records for the demo portfolio, recorded through the change service on the demo clock.

Every use case that entered production had its pilot population's change plan complete before its
Gate 3 review opened: workflow redesign done, training held with attendance at target, managers
briefed. Those at Scale also completed the full rollout's plan, and have an additional population
under way. The HR chatbot went live on a Conditional Go whose condition — briefing managers in the
two remaining regions — is still open in its full rollout plan. Of the pilots still running, one
has its training scheduled, one zombie pilot stalled half-way through its change work, and the
other never started any.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from pilotgate.change import service
from pilotgate.db.uow import UnitOfWork

PILOT_USERS, FULL_USERS = 120, 1500  # the demo metrics' eligible users per cohort
CONDITIONAL = "HR policy chatbot"
SCHEDULED = "Call summarisation"
STALLED = "Churn early-warning model"


class _Recorder:
    """Writes one use case's change records, each on its own back-dated day."""

    def __init__(self, uow: UnitOfWork, clock: Any, key: str, roles: dict[str, str]) -> None:
        self.uow, self.clock, self.key, self.roles = uow, clock, key, roles
        self.today: date = clock.today.date()

    def day(self, days: float) -> date:
        return self.today - timedelta(days=round(days))

    def plan(self, days: float, population: str, users: int | None, *, expansion: bool = False, **extra: Any) -> None:
        self.clock.set_days_ago(days)
        service.add_plan(
            self.uow,
            key=self.key,
            population=population,
            owner=self.roles["sponsor"],
            actor=self.roles["program_lead"],
            target_users=users,
            expansion=expansion,
            **extra,
        )

    def item(
        self, days: float, population: str, kind: str, title: str, *, due: float | None = None, **extra: Any
    ) -> int:
        self.clock.set_days_ago(days)
        owner = {"workflow_redesign": "technical_lead", "manager_briefing": "bu_head"}.get(kind, "sponsor")
        row = service.add_item(
            self.uow,
            key=self.key,
            population=population,
            kind=kind,
            title=title,
            owner=self.roles[owner],
            actor=self.roles["program_lead"],
            due_date=self.day(due) if due is not None else None,
            **extra,
        )
        return int(row.id)

    def done(self, days: float, item_id: int, attendance: int | None = None) -> None:
        self.clock.set_days_ago(days)
        service.complete_item(self.uow, item_id=item_id, actor=self.roles["sponsor"], attendance=attendance)

    def complete_plan(self, start: float, end: float, population: str, users: int, unit: str) -> None:
        """A plan delivered between `start` and `end` days ago: every required item done."""

        def at(share: float) -> int:
            return round(start - (start - end) * share)

        self.plan(at(0.02), population, users)
        redesign = [
            self.item(at(0.05), population, "workflow_redesign", f"Redesign the {unit} work queue", due=at(0.45)),
            self.item(
                at(0.05), population, "workflow_redesign", "Update the exception-handling procedure", due=at(0.5)
            ),
        ]
        size = max(10, users // 2)
        sessions = [
            self.item(at(0.06), population, "training", f"Hands-on session {n}", due=at(share),
                      session_date=self.day(at(share)), attendance_target=size)
            for n, share in ((1, 0.6), (2, 0.7))
        ]  # fmt: skip
        briefing = self.item(at(0.06), population, "manager_briefing", f"{unit} team leads briefing", due=at(0.55))
        note = self.item(at(0.06), population, "communication", "Launch note to every user", due=at(0.3))
        self.done(at(0.3), note)
        self.done(at(0.4), redesign[0])
        self.done(at(0.5), redesign[1])
        self.done(at(0.55), briefing)
        self.done(at(0.6), sessions[0], attendance=size - 2)
        self.done(at(0.7), sessions[1], attendance=size + 3)


def _stages(plan: Any) -> list[int]:
    return list(plan.entered[:-1] if plan.ending in ("stop", "hold", "recycle") else plan.entered)


def record_demo_change(uow: UnitOfWork, clock: Any, *, plan: Any, key: str, roles: dict[str, str]) -> None:
    """Record the change plans and items of one demo use case."""
    entered = _stages(plan)
    if len(entered) < 3:
        return  # no pilot yet: no users to bring along
    resume = clock.at
    rec = _Recorder(uow, clock, key, roles)
    pilot = entered[2]
    unit = plan.unit
    if len(entered) > 3:
        rec.complete_plan(pilot, entered[3] + 4, "pilot", PILOT_USERS, unit)
        if len(entered) > 4:
            rec.complete_plan(entered[3] - 1, entered[4] + 4, "full", FULL_USERS, unit)
            _expansion(rec, entered[4], unit)
        elif plan.title == CONDITIONAL:
            _conditional(rec, entered[3])
    elif plan.in_flight == 3:  # ready for its Gate 3 decision
        rec.complete_plan(pilot, max(1, plan.entered[-1] // 3) + 2, "pilot", PILOT_USERS, unit)
    elif plan.title == SCHEDULED:
        _scheduled(rec, pilot)
    elif plan.title == STALLED:
        _stalled(rec, pilot)
    clock.at = resume


def _expansion(rec: _Recorder, scale: int, unit: str) -> None:
    """The Scale stage's additional population, under way."""
    name = f"EMEA {unit}"
    rec.plan(scale - 2, name, 400, expansion=True, cohort="emea")
    first = rec.item(scale - 3, name, "workflow_redesign", "Localise the workflow for EMEA", due=scale - 30)
    rec.item(scale - 3, name, "training", "EMEA onboarding", due=-20, session_date=rec.day(-20), attendance_target=60)
    rec.item(scale - 3, name, "manager_briefing", "EMEA managers briefing", due=-10)
    rec.done(scale - 25, first)


def _conditional(rec: _Recorder, production: int) -> None:
    """The full rollout, with the Conditional Go's briefings still open."""
    rec.plan(production - 1, "full", FULL_USERS)
    redesign = rec.item(production - 2, "full", "workflow_redesign", "Route HR questions to the chatbot first")
    rec.done(production - 20, redesign)
    for region in ("Americas", "APAC"):
        rec.item(production - 2, "full", "manager_briefing", f"Manager briefing, {region}", due=-30)


def _scheduled(rec: _Recorder, pilot: int) -> None:
    """A young pilot: redesign done, training booked, briefing planned."""
    rec.plan(pilot - 1, "pilot", PILOT_USERS, note="Agents on the two pilot teams.")
    redesign = rec.item(
        pilot - 2, "pilot", "workflow_redesign", "Wrap-up step replaced by the call summary", due=pilot - 14
    )
    rec.item(pilot - 2, "pilot", "training", "Summaries in the CRM: hands-on", due=-5, session_date=rec.day(-5),
             attendance_target=60)  # fmt: skip
    rec.item(pilot - 2, "pilot", "manager_briefing", "Team leads: reading the summaries", due=-10)
    rec.done(pilot - 12, redesign)


def _stalled(rec: _Recorder, pilot: int) -> None:
    """A zombie pilot: half the redesign done, one poorly attended session, no manager briefed."""
    rec.plan(pilot - 3, "pilot", PILOT_USERS)
    first = rec.item(
        pilot - 4, "pilot", "workflow_redesign", "Retention call list from the weekly scores", due=pilot - 30
    )
    rec.item(pilot - 4, "pilot", "workflow_redesign", "Account review playbook", due=pilot - 60)
    session = rec.item(pilot - 4, "pilot", "training", "Reading churn scores", due=pilot - 40,
                       session_date=rec.day(pilot - 40), attendance_target=60)  # fmt: skip
    rec.item(pilot - 4, "pilot", "manager_briefing", "Regional managers briefing", due=pilot - 50)
    rec.done(pilot - 28, first)
    rec.done(pilot - 40, session, attendance=17)
