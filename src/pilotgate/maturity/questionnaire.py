"""The shipped organisational readiness questionnaire: the five capabilities the framework names
before an organisation runs a production AI programme, five questions each, answered 0–4.

Every answer has an anchor text, so two people scoring the same organisation pick the same
number, and the next anchor up is the concrete next step. Pure data: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

VERSION = "2026.1"
SCALE = (0, 1, 2, 3, 4)


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    capability: str
    text: str
    anchors: tuple[str, str, str, str, str]  # what answer 0, 1, 2, 3 and 4 mean

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "capability": self.capability,
            "text": self.text,
            "anchors": [{"score": score, "text": text} for score, text in enumerate(self.anchors)],
        }


@dataclass(frozen=True, slots=True)
class Capability:
    id: str
    title: str
    requires: str  # what the framework says the capability requires
    questions: tuple[Question, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "requires": self.requires,
            "questions": [q.as_dict() for q in self.questions],
        }


def _questions(capability: str, *entries: tuple[str, str, tuple[str, str, str, str, str]]) -> tuple[Question, ...]:
    return tuple(Question(f"{capability}.{name}", capability, text, anchors) for name, text, anchors in entries)


FUNDING = Capability(
    "funding",
    "Production funding model",
    "A decision process for moving from project to operational budget; a named business-unit owner "
    "for each production system.",
    _questions(
        "funding",
        (
            "budget_transition",
            "How does an AI system move from the project budget that funded its pilot to an operational budget?",
            (
                "It does not: pilots are funded as projects and nobody decides what happens after them.",
                "Case by case, usually negotiated only after the pilot has ended.",
                "A documented process exists, but only some systems go through it.",
                "Every pilot-to-production gate applies the process, with finance taking part in the decision.",
                "Every pilot-to-production gate applies it, and the operational budget is agreed in principle before "
                "the pilot starts.",
            ),
        ),
        (
            "business_owner",
            "Does every AI system in production have a named business-unit owner who carries it in their budget?",
            (
                "None does: production systems stay in the AI programme's budget.",
                "A few do, by informal agreement.",
                "About half do; the rest remain on the AI programme's budget.",
                "All do, formalised in the Gate 3 (pilot to production) decision.",
                "All do, and ownership and budget are reconfirmed in every annual budget cycle.",
            ),
        ),
        (
            "run_costs",
            "Are the running costs of a production system (maintenance, monitoring, retraining, support) "
            "budgeted as open-ended operating costs?",
            (
                "Only the build is costed.",
                "Running costs are mentioned in business cases but not quantified.",
                "They are quantified for some systems.",
                "They are quantified for every system entering production and sit in the owner's budget.",
                "Quantified for every system, carried in the owner's budget, tracked against actuals and re-forecast "
                "yearly.",
            ),
        ),
        (
            "zombie_exit",
            "What happens to a pilot that works but has no production funding when it ends?",
            (
                "It keeps running on the AI programme's budget indefinitely.",
                "Someone eventually notices and asks questions.",
                "Stalled pilots are listed, but rarely stopped or funded.",
                "Each one gets a kill-or-commit review within a set time: stopped, or funded with a named owner.",
                "Kill-or-commit reviews run on a schedule, and the budget freed by stops moves to the strongest use "
                "cases.",
            ),
        ),
        (
            "roi_horizon",
            "Over what horizon are returns planned and agreed with sponsors?",
            (
                "No return is planned.",
                "A return is expected within 12 months.",
                "A multi-year view exists but is not agreed with the sponsor up front.",
                "Returns are planned over 3 years with leading indicators for the first 6–12 months, "
                "agreed with the sponsor before the pilot.",
                "A 3-year plan agreed before the pilot, on conservative assumptions with documented sensitivity, "
                "revisited at every gate.",
            ),
        ),
    ),
)

CHANGE = Capability(
    "change",
    "Change management",
    "A change resource embedded in the AI programme; workflow redesign as a standard deliverable; "
    "adoption tracked beside technical metrics.",
    _questions(
        "change",
        (
            "embedded_resource",
            "Is there a change-management resource embedded in the AI programme?",
            (
                "No: adoption is left to the project team.",
                "Borrowed from HR or communications now and then.",
                "A change lead is assigned to some pilots.",
                "A dedicated change resource works on every pilot from its start.",
                "A change function with capacity for the whole portfolio, involved from discovery.",
            ),
        ),
        (
            "workflow_redesign",
            "Is redesigning the users' workflow a standard deliverable?",
            (
                "No: the AI is dropped into the existing workflow.",
                "Workflow changes are discussed informally.",
                "Workflows are redesigned for some use cases, after the build.",
                "A redesigned workflow is a required deliverable before the pilot-to-production gate.",
                "Workflows are redesigned alongside the build with the affected teams, and reviewed after rollout.",
            ),
        ),
        (
            "training",
            "How are the people whose work changes prepared?",
            (
                "Release notes at most.",
                "Generic AI-awareness training.",
                "Tool training at launch.",
                "In-context training on the redesigned workflow, with manager briefings, before go-live.",
                "In-context training before go-live, refreshed as the system changes, with trained champions in "
                "every team.",
            ),
        ),
        (
            "adoption_tracking",
            "Is adoption measured as seriously as model performance?",
            (
                "Adoption is not measured.",
                "Anecdotes and the occasional survey.",
                "Usage counts, looked at now and then.",
                "An adoption rate against a threshold, reported at every gate beside the technical metrics.",
                "Adoption against a threshold at every gate, broken down by team, with agreed actions when a team "
                "falls below it.",
            ),
        ),
        (
            "resistance",
            "How is resistance to a new AI system found and handled?",
            (
                "It is not considered until users refuse the tool.",
                "Reactively, through escalations.",
                "Concerns are collected during the pilot.",
                "A stakeholder and impact analysis is done early and revisited at every gate.",
                "Impact analysis revisited at every gate, and user feedback changes the product and the workflow on "
                "a regular cycle.",
            ),
        ),
    ),
)

OPERATIONS = Capability(
    "operations",
    "AI operations",
    "An MLOps team or function with monitoring, alerting, retraining and incident response; an on-call "
    "rotation for production AI.",
    _questions(
        "operations",
        (
            "team",
            "Who operates AI systems once they are in production?",
            (
                "Nobody in particular: the data scientists who built them, when they have time.",
                "IT operations runs the servers, not the models.",
                "A small team supports some systems, best effort.",
                "A named MLOps or AI operations team operates every production AI system.",
                "A named team operates every production system, with hand-over criteria at the gates and capacity "
                "planned ahead.",
            ),
        ),
        (
            "monitoring",
            "How are production models monitored?",
            (
                "Not at all: users report failures.",
                "Infrastructure up/down checks only.",
                "Model and data-quality metrics are collected, but nothing alerts on them.",
                "Service-level objectives (uptime, latency, error rate) and drift are monitored, with alerts "
                "to the operating team.",
                "SLO and drift alerts to the operating team, plus alerts on business impact, with alert quality "
                "reviewed regularly.",
            ),
        ),
        (
            "retraining",
            "How are data drift and retraining handled?",
            (
                "Models are never retrained.",
                "Retrained when someone notices a problem.",
                "Retrained on a calendar, without drift detection.",
                "Drift is detected automatically and retraining follows a documented, tested procedure.",
                "Retraining is automated end to end, with validation before release and rollback.",
            ),
        ),
        (
            "incidents",
            "How are incidents with production AI handled?",
            (
                "There is no defined process.",
                "Whoever can be reached fixes it.",
                "Incidents are logged; the response is best effort.",
                "A runbook for every production system, tested before go-live, and a review after every incident.",
                "Tested runbooks and post-incident reviews, plus regular exercises whose lessons are applied across "
                "the portfolio.",
            ),
        ),
        (
            "on_call",
            "Is there an on-call rotation for production AI?",
            (
                "No.",
                "Informally: the builder's phone number.",
                "Business hours only.",
                "An on-call rotation covers the service hours of every production AI system.",
                "A rotation covering every production system, with escalation paths to model owners and vendors and "
                "measured response times.",
            ),
        ),
    ),
)

GOVERNANCE = Capability(
    "governance",
    "Stage-gate governance",
    "Named approvers at each gate with authority to stop, proceed or redirect; a regular governance "
    "cadence run by the AI programme lead.",
    _questions(
        "governance",
        (
            "named_approvers",
            "Are there named approvers at each gate with the authority to stop, proceed or redirect?",
            (
                "There are no gates: use cases proceed on their own momentum.",
                "Gates exist on paper; decisions are taken informally.",
                "Approvers are named for some gates, or lack the authority to stop.",
                "Named approvers at every gate, and stop decisions do happen.",
                "Named approvers at every gate, every decision recorded with its rationale and evidence, one person "
                "per approver role.",
            ),
        ),
        (
            "cadence",
            "Is there a regular governance cadence run by the AI programme lead?",
            (
                "No.",
                "Meetings when something goes wrong.",
                "Periodic portfolio reviews that take no decisions.",
                "A regular cadence (e.g. monthly) run by the programme lead, where gate decisions are taken.",
                "A regular cadence run by the programme lead, its agenda driven by reviews that are due and use "
                "cases that have stalled.",
            ),
        ),
        (
            "criteria",
            "Does each gate have explicit criteria and required artifacts?",
            (
                "No.",
                "A generic checklist.",
                "Criteria for some gates.",
                "Written criteria and required artifacts for every gate, applied to every use case.",
                "Written criteria and artifacts for every gate, versioned as policy, with measured criteria "
                "evaluated from live data.",
            ),
        ),
        (
            "poc_is_not_funding",
            "Does a successful proof of concept move on to a pilot and production automatically?",
            (
                "Yes: a working POC goes straight on.",
                "Usually, after a light review.",
                "A review is held, but it seldom changes the course.",
                "The POC-to-pilot gate is a real decision: some successful POCs are stopped or redirected.",
                "The POC-to-pilot gate is a real decision, and it requires a production funding pathway.",
            ),
        ),
        (
            "stop_decisions",
            "Are use cases that should end actually stopped?",
            (
                "Never: everything keeps going.",
                "Only when the sponsor leaves or the money runs out.",
                "Occasionally, after long delays.",
                "Stop decisions are taken at gates, on evidence, with the reasons recorded.",
                "Stops are taken at gates on evidence, and their lessons feed the prioritisation of new use cases.",
            ),
        ),
    ),
)

MEASUREMENT = Capability(
    "measurement",
    "Outcome measurement",
    "Business outcome metrics defined before production; a reporting cadence; the business unit accountable "
    "for the numbers.",
    _questions(
        "measurement",
        (
            "defined_before_production",
            "When are business outcome metrics defined?",
            (
                "Never: only technical metrics exist.",
                "After go-live, if at all.",
                "Before production for some use cases.",
                "Before the pilot for every use case, each with a baseline and a target.",
                "Defined with a baseline and a target before the pilot, and agreed with the business unit and finance.",
            ),
        ),
        (
            "leading_and_lagging",
            "Are leading indicators (adoption, task time, error rate) separated from lagging ones "
            "(revenue, margin, cost)?",
            (
                "Only technical metrics are tracked.",
                "Lagging results only, looked at once a year.",
                "Both are tracked, but not told apart.",
                "Leading indicators carry the first 6–12 months, lagging ones follow; each has a target.",
                "Both kinds each have a target, and how the leading ones predict the lagging ones is tested and used "
                "to forecast.",
            ),
        ),
        (
            "reporting_cadence",
            "Is there a reporting cadence for the outcomes of production systems?",
            (
                "No.",
                "On request.",
                "At gate reviews only.",
                "A regular cadence (e.g. monthly) for every production system.",
                "A regular cadence that is part of the business unit's own reporting, fed from live data.",
            ),
        ),
        (
            "accountability",
            "Who is accountable for the outcome numbers?",
            (
                "Nobody.",
                "The AI programme.",
                "Shared, with no named person.",
                "The owning business unit, with a named person for every system.",
                "A named person in the owning unit for every system, with the numbers in that unit's performance "
                "objectives.",
            ),
        ),
        (
            "benefits_review",
            "Are the realised benefits compared with the business case?",
            (
                "Never.",
                "Anecdotally.",
                "Once, after rollout.",
                "At the production-to-scale gate and every year after.",
                "Compared at the production-to-scale gate and yearly, and the results steer which use cases get "
                "funding next.",
            ),
        ),
    ),
)

CAPABILITIES: tuple[Capability, ...] = (FUNDING, CHANGE, OPERATIONS, GOVERNANCE, MEASUREMENT)
QUESTIONS: dict[str, Question] = {q.id: q for c in CAPABILITIES for q in c.questions}
TITLES: dict[str, str] = {c.id: c.title for c in CAPABILITIES}


def as_dict() -> dict[str, Any]:
    """The questionnaire as JSON: its version, the answer scale and every capability's questions."""
    return {
        "version": VERSION,
        "scale": {"min": SCALE[0], "max": SCALE[-1]},
        "capabilities": [c.as_dict() for c in CAPABILITIES],
    }
