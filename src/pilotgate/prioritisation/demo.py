"""Scorecards for the demo portfolio, recorded through the prioritisation service on the demo clock.

Every demo use case was scored by the AI program lead two days into its Discovery, with a
rationale per criterion and an expected annual value (a few large ones, many small: the value is
concentrated, as in real portfolios). The ones stopped later scored poorly on risk or data. A use
case still in Discovery whose Gate 1 review is open and not yet signed is scored again today,
which attaches the generated scorecard document to that review.
"""

from __future__ import annotations

import random
from typing import Any

from pilotgate.db.uow import UnitOfWork
from pilotgate.gates import repository as reviews
from pilotgate.prioritisation import service
from pilotgate.usecases import service as usecases

RATIONALES = {
    "business_value": ("Hours saved per week measured in the process audit.", "Sponsor signed the value estimate."),
    "feasibility": ("A proven pattern on our platform.", "Needs a model we have not built before."),
    "data_availability": ("Source systems identified; extracts tested.", "Data sits in two systems, one manual."),
    "process_maturity": ("Process documented and stable.", "Steps vary between teams."),
    "risk": ("No personal data; output reviewed by a person.", "Customer-facing output; regulated decision."),
    "sponsorship": ("Named sponsor with budget authority.", "Sponsor engaged but budget not yet committed."),
}


def _scores(rng: random.Random, plan: Any) -> dict[str, dict[str, Any]]:
    weak = plan.ending == "stop"
    out = {}
    for criterion, (good, poor) in RATIONALES.items():
        score = rng.randint(3, 5)
        if criterion == "risk":
            score = 6 - score if not weak else 5  # risk counts against: the stopped ones were risky
            score = max(score, 4 if plan.risk in ("high", "critical") else 1)
        elif weak and criterion in ("data_availability", "business_value"):
            score = rng.randint(1, 2)
        bad = score <= 2 if criterion != "risk" else score >= 4
        out[criterion] = {"score": score, "rationale": poor if bad else good}
    return out


def record_demo_scorecard(uow: UnitOfWork, clock: Any, *, plan: Any, key: str, roles: dict[str, str]) -> None:
    """Score one demo use case in its Discovery; again today when its Gate 1 review waits for it."""
    resume = clock.at
    rng = random.Random(f"scorecard:{key}")
    value = min(2_500_000, round(rng.paretovariate(1.1) * 60_000, -3))
    lead = roles["program_lead"]
    clock.set_days_ago(max(0.5, plan.entered[0] - 2))
    service.record(
        uow,
        key=key,
        scores=_scores(rng, plan),
        actor=lead,
        expected_value=value,
        currency="EUR",
        note=f"Scored in Discovery with the {plan.unit} sponsor.",
        attach=False,
    )
    use_case = usecases.get_or_raise(uow, key)
    review = reviews.open_review(uow, use_case.id)
    if use_case.stage == "discovery" and review is not None and not reviews.votes(uow, review.id):
        clock.at = clock.today
        service.record(
            uow,
            key=key,
            scores=_scores(rng, plan),
            actor=lead,
            expected_value=value,
            currency="EUR",
            note="Re-scored for the Gate 1 review after stakeholder interviews.",
        )
    clock.at = resume
