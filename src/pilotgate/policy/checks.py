"""The computed checks a policy's `computed` criteria may name: decided from pilotgate's own
records (funding, change management, operations), never asserted by hand."""

from __future__ import annotations

CHECKS: dict[str, str] = {
    "funding.pathway_identified": (
        "a production funding pathway is identified: an operational budget line (proposed or approved) "
        "or an approved transition to operational funding"
    ),
    "funding.production_funded": (
        "production funding is approved and business-unit ownership formalised: an approved operational "
        "budget line covering today, an approved transition to it, and a named business-unit head"
    ),
    "change.complete": (
        "change management is complete for every population that is not an expansion: all workflow redesign "
        "items done, a training session held with attendance reaching its target, and a manager briefing done"
    ),
    "change.populations_planned": (
        "every user population in the use case's change plans, expansions included, has a training session "
        "and a manager briefing planned"
    ),
    "operations.ready": (
        "operations are ready: monitoring with alerting, an escalation path of two people on call, a runbook, "
        "a passed incident-response drill in the last 90 days and an ML Test Score of at least 1"
    ),
    "operations.owned": (
        "a business unit or AI ops team, not the AI programme, owns operations: a named team lead, today's "
        "on-call from that team, and its accepted ownership handover"
    ),
    "operations.sustainable": (
        "operations run without the AI programme: the last three incidents of 90 days handled by the owning "
        "team, retraining not overdue, monitoring automated, and no open sev1 or sev2 incident"
    ),
}
