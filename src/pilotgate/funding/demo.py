"""Funding facts for the demo portfolio, recorded through the funding service on the demo clock.

Every use case that reached its POC has the AI programme's project budget behind it. Every one
that passed (or is ready to pass) Gate 2 had an operational line proposed before that decision;
every one that entered production had that line approved by its business-unit head, and the move
to operational funding recorded, before its Gate 3 decision. The two zombie pilots keep a proposed
operational line nobody ever approved — they live on project money — and one production system's
operational budget lapsed, so the AI programme pays its run cost again: the portfolio warning.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from pilotgate.db.uow import UnitOfWork
from pilotgate.funding import service

PROGRAMME = ("AI Programme", "CC-AIP-100")
COST_CENTRES = {
    "Finance": "CC-FIN-210",
    "Customer Service": "CC-CS-410",
    "Supply Chain": "CC-SC-520",
    "Human Resources": "CC-HR-310",
    "Legal": "CC-LEG-150",
    "Marketing": "CC-MKT-610",
}
LAPSED = "Customer email auto-reply"  # its operational budget ran out and was not renewed
PILOT_WEEKS = 16  # the pilot length a Gate 2 funding plan assumes


def _stages(plan: Any) -> list[int]:
    """Days ago the use case entered each stage it reached (a stop, hold or recycle is not an entry)."""
    return list(plan.entered[:-1] if plan.ending in ("stop", "hold", "recycle") else plan.entered)


def record_demo_funding(uow: UnitOfWork, clock: Any, *, plan: Any, key: str, roles: dict[str, str]) -> None:
    """Record the budget lines and transition of one demo use case, each on its own back-dated day."""
    entered = _stages(plan)
    if len(entered) < 2:
        return  # never reached its POC: no money spent yet
    resume = clock.at
    rng = random.Random(f"funding:{key}")
    today: date = clock.today.date()
    lead, sponsor, head = roles["program_lead"], roles["sponsor"], roles["bu_head"]

    def on(days: int, action: Any, **values: Any) -> Any:
        clock.set_days_ago(days)
        return action(uow, **values)

    def day(days: int) -> date:
        return today - timedelta(days=days)

    poc = entered[1]
    project = on(
        poc + 2,
        service.add_line,
        key=key,
        source="project",
        amount=f"{rng.randrange(40, 95) * 1000}",
        currency="EUR",
        business_unit=PROGRAMME[0],
        cost_centre=PROGRAMME[1],
        owner=lead,
        period_start=day(poc),
        period_end=day(poc) + timedelta(days=364),
        actor=lead,
        note="POC and pilot build, from the AI programme's annual budget.",
    )
    on(poc + 1, service.approve_line, line_id=project.id, actor=sponsor)

    gate2 = entered[2] if len(entered) > 2 else None
    ready_for_gate2 = len(entered) == 2 and plan.in_flight == 3
    if gate2 is None and not ready_for_gate2:
        _restore(clock, resume)
        return
    in_production = len(entered) > 3
    ready_for_gate3 = len(entered) == 3 and plan.in_flight == 3
    proposed_on = gate2 + 6 if gate2 is not None else max(1, plan.entered[-1] // 3) + 2
    if in_production:
        starts = day(entered[3] + 3)  # production money from the Gate 3 review on
    elif ready_for_gate3:
        starts = day(max(1, plan.entered[-1] // 3))
    else:
        starts = day(proposed_on - PILOT_WEEKS * 7)  # the planned start of production
    lapsed = plan.title == LAPSED
    operational = on(
        proposed_on,
        service.add_line,
        key=key,
        source="operational",
        amount=f"{rng.randrange(150, 600) * 1000}",
        currency="EUR",
        business_unit=plan.unit,
        cost_centre=COST_CENTRES[plan.unit],
        owner=head,
        period_start=starts,
        period_end=starts + timedelta(days=240 if lapsed else 364),
        actor=sponsor,
        note=f"Run, monitoring and retraining in {plan.unit}'s operating budget.",
    )
    if in_production or ready_for_gate3:
        approve_on = (entered[3] if in_production else max(1, plan.entered[-1] // 3)) + 10
        on(approve_on, service.approve_line, line_id=operational.id, actor=head)
        on(
            approve_on - 2,
            service.transition,
            key=key,
            line_id=operational.id,
            effective_date=starts,
            actor=head,
            note=f"{plan.unit} takes ownership of the production system.",
        )
    if lapsed:
        _bridge(uow, clock, key=key, lead=lead, sponsor=sponsor, starts=starts + timedelta(days=241), today=today)
    _restore(clock, resume)


def _bridge(uow: UnitOfWork, clock: Any, *, key: str, lead: str, sponsor: str, starts: date, today: date) -> None:
    """The lapsed system's run cost back on the AI programme's project budget."""
    days = (today - starts).days
    clock.set_days_ago(days + 2)
    line = service.add_line(
        uow,
        key=key,
        source="project",
        amount="180000",
        currency="EUR",
        business_unit=PROGRAMME[0],
        cost_centre=PROGRAMME[1],
        owner=lead,
        period_start=starts,
        period_end=starts + timedelta(days=364),
        actor=lead,
        note="Bridge: the operating budget was not renewed at year end; the programme pays the run cost meanwhile.",
    )
    clock.set_days_ago(days + 1)
    service.approve_line(uow, line_id=line.id, actor=sponsor)


def _restore(clock: Any, at: Any) -> None:
    clock.at = at
