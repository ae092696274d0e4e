"""Handovers for the demo portfolio, recorded through the handover service on the demo clock.

Every use case that reached scale handed its operations to its business unit before its Gate 4
decision. In production: the knowledge-search assistant's handover was accepted before its Gate 4
review opened (that review already holds its evidence and votes, so nothing is attached to it); the
supplier-risk radar's was accepted last week and attached itself to its open Gate 4 review; the
cash-flow copilot's is under way; and the HR policy chatbot went live three weeks ago — it is in
hypercare, its handover just proposed.
"""

from __future__ import annotations

from collections.abc import Container
from typing import Any

from sqlalchemy import select

from pilotgate.db.uow import UnitOfWork
from pilotgate.handover import rules, service
from pilotgate.usecases.models import UseCase

TEAMS = {
    "Finance": "Finance Systems Operations",
    "Customer Service": "Customer Service Digital Operations",
    "Supply Chain": "Supply Chain Systems Team",
    "Human Resources": "HR Digital Operations",
    "Legal": "Legal Technology Operations",
    "Marketing": "Marketing Technology Team",
}
NOTES = {
    "runbook": "Runbook in the team's wiki space, reviewed in a walkthrough.",
    "monitoring": "Dashboards and alert routes moved to the team's on-call tool.",
    "on_call": "Added to the team's weekly rotation.",
    "retraining": "Monthly retraining job owned by the team; data science on call for drift.",
    "access": "Service accounts and secrets rotated to the team's vault.",
    "knowledge_transfer": "Three sessions with the AI programme's engineers, recorded.",
}
# title -> (days ago proposed, days ago accepted or None, items done when not accepted, attach to the open review)
PLAN = {
    "Invoice exception triage": (235, 190, 6, False),
    "Customer email auto-reply": (315, 268, 6, False),
    "Demand sensing": (285, 238, 6, False),
    "Campaign copy generator": (105, 58, 6, False),
    "Agent assist knowledge search": (80, 40, 6, False),
    "Supplier risk radar": (45, 6, 6, True),
    "Cash-flow forecasting copilot": (30, None, 4, False),
    "HR policy chatbot": (9, None, 2, False),
}


def record_demo_handovers(uow: UnitOfWork, clock: Any, *, titles: Container[str] | None = None) -> None:
    """The demo's handovers, each step on its own back-dated day: only those of `titles` when given
    (the walk records one just before its Gate 4 review), never a second time for a use case."""
    resume = clock.at
    for title, (proposed, accepted, done, attach) in PLAN.items():
        if titles is not None and title not in titles:
            continue
        use_case = uow.session.scalar(select(UseCase).where(UseCase.title == title))
        if use_case is None or service.handovers_of(uow, use_case):
            continue
        roles = {a.role: a.person.email for a in use_case.assignments}
        clock.set_days_ago(proposed)
        service.propose(
            uow,
            key=use_case.key,
            team=TEAMS.get(use_case.business_unit, f"{use_case.business_unit} Operations"),
            ops_owner=roles["ops_owner"],
            actor=roles["program_lead"],
            note="Operations move to the business unit; the AI programme stays on call for model issues.",
        )
        last = accepted if accepted is not None else 1
        for index, item in enumerate(list(rules.ITEMS)[:done]):
            clock.set_days_ago(proposed - (proposed - last) * (index + 1) / (done + 1))
            service.check_item(uow, key=use_case.key, item=item, actor=roles["ops_owner"], note=NOTES[item])
        if accepted is not None:
            clock.set_days_ago(accepted)
            service.accept(uow, key=use_case.key, actor=roles["bu_head"], attach=attach)
    clock.at = resume
