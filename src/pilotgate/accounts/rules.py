"""What each application role may do. The right to *sign* a gate is not here: it comes only
from the named role assignment on the use case, checked by the gate rules."""

from __future__ import annotations

from typing import Literal

AppRole = Literal["admin", "program_lead", "contributor", "viewer"]
APP_ROLES: tuple[str, ...] = ("admin", "program_lead", "contributor", "viewer")

# Each action lists the application roles allowed to attempt it.
PERMISSIONS: dict[str, frozenset[str]] = {
    "read": frozenset(APP_ROLES),
    "review.work": frozenset({"admin", "program_lead", "contributor"}),  # open, assess, attach, vote, decide
    "usecase.create": frozenset({"admin", "program_lead", "contributor"}),
    "usecase.edit": frozenset({"admin", "program_lead"}),
    "role.assign": frozenset({"admin", "program_lead"}),
    "person.create": frozenset({"admin", "program_lead"}),
    "policy.publish": frozenset({"admin", "program_lead"}),
    "evidence.write": frozenset({"admin", "program_lead", "contributor"}),  # metrics, points, SLOs
    # Connector settings hold URLs the server will call: only those who run the programme.
    "connector.manage": frozenset({"admin", "program_lead"}),
    "user.manage": frozenset({"admin"}),
    "maturity.assess": frozenset({"admin", "program_lead"}),  # organisational readiness assessments
    # Propose budget lines and record funding moves; approving needs a named role (funding service).
    "funding.write": frozenset({"admin", "program_lead", "contributor"}),
    # Score use cases (the Discovery scorecard); outside the leads, only someone named on the use case.
    "score.write": frozenset({"admin", "program_lead", "contributor"}),
    # Business cases and their actuals: named on the use case unless a lead (finance API).
    "finance.write": frozenset({"admin", "program_lead", "contributor"}),
    # Handovers: the program lead proposes, the business-unit head accepts (handover service).
    "handover.write": frozenset({"admin", "program_lead", "contributor"}),
    # Expansions and their reuse assessments: named on the use case unless a lead (scale API).
    "scale.write": frozenset({"admin", "program_lead", "contributor"}),
    # Change plans and their items: named on the use case unless a lead (change service, API).
    "change.write": frozenset({"admin", "program_lead", "contributor"}),
    # Record AI operations (team, on-call, incidents, drills, retraining, readiness): named on the use
    # case or in its owning team unless a lead (operations API).
    "operations.write": frozenset({"admin", "program_lead", "contributor"}),
}


def allowed(role: str, action: str) -> bool:
    return role in PERMISSIONS.get(action, frozenset())
