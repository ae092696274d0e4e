"""Zombie and stalled detection as pure rules: each finding explains itself and proposes a
kill-or-commit review with a due date."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from pilotgate.policy.model import Policy


@dataclass(frozen=True)
class Facts:
    """What the rules need to know about one live use case."""

    key: str
    title: str
    business_unit: str
    stage: str
    status: str
    stage_entered_at: datetime
    roles: frozenset[str]
    last_activity: datetime | None
    overdue_conditions: tuple[tuple[str, date], ...] = ()
    expired_waivers: tuple[tuple[str, date], ...] = ()
    # Weekly adoption rates of the low-adoption rule's cohort, oldest first, over its last N weeks.
    weekly_adoption: tuple[float, ...] = ()
    # Past the funding gate without a production funding pathway: why (None when it has one or
    # has not passed that gate yet).
    no_funding_pathway: str | None = None


@dataclass(frozen=True)
class Finding:
    key: str
    title: str
    business_unit: str
    stage: str
    rule: str
    explanation: str
    action: str
    review_due: date

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "business_unit": self.business_unit,
            "stage": self.stage,
            "rule": self.rule,
            "explanation": self.explanation,
            "action": self.action,
            "review_due": self.review_due.isoformat(),
        }


@dataclass
class _Collector:
    policy: Policy
    facts: Facts
    today: date
    found: list[Finding] = field(default_factory=list)

    def add(self, rule: str, explanation: str) -> None:
        due = self.today + timedelta(days=self.policy.stalled.review_due_days)
        action = f"hold a kill-or-commit review of {self.facts.key} by {due.isoformat()}: stop it, or commit owner, "
        action += "funding and a dated plan"
        self.found.append(
            Finding(
                self.facts.key,
                self.facts.title,
                self.facts.business_unit,
                self.facts.stage,
                rule,
                explanation,
                action,
                due,
            )
        )


def findings_for(policy: Policy, facts: Facts, now: datetime) -> list[Finding]:
    """Every stalled-rule finding for one use case (only active or on-hold use cases are judged)."""
    if facts.status not in ("active", "on_hold"):
        return []
    rules, found = policy.stalled, _Collector(policy, facts, now.date())
    stage = policy.stage(facts.stage)
    days = (now - facts.stage_entered_at).days
    if rules.overdue_stage.enabled and stage is not None and stage.overdue(days):
        limit = (stage.expected_duration.max_weeks or 0) * 7
        found.add("overdue_stage", f"{days} days in {stage.title}, past the {limit} days the policy expects at most")
    owners, defined = rules.missing_owner, set(policy.role_ids())
    sponsors, keepers = set(owners.sponsor_roles) & defined, set(owners.owner_roles) & defined
    if owners.enabled:
        if sponsors and not facts.roles & sponsors:
            found.add("missing_owner", "no named business-unit sponsor who will own the outcome")
        elif keepers and stage is not None and stage.operational and not facts.roles & keepers:
            found.add("missing_owner", f"live in {stage.title} with no named owner ({', '.join(owners.owner_roles)})")
    if rules.inactive.enabled and facts.last_activity is not None:
        idle = (now - facts.last_activity).days
        if idle > rules.inactive.days and (stage is None or not stage.operational):
            found.add(
                "inactive",
                f"no gate activity and no new evidence for {idle} days (the policy allows {rules.inactive.days})",
            )
    if rules.conditions_past_due.enabled:
        for text, due in facts.overdue_conditions:
            found.add("conditions_past_due", f"condition of a Conditional Go past due since {due.isoformat()}: {text}")
    if rules.waivers_expired.enabled:
        for criterion, expired in facts.expired_waivers:
            found.add("waivers_expired", f"the waiver of criterion {criterion} expired on {expired.isoformat()}")
    low = rules.low_adoption
    weekly = facts.weekly_adoption
    threshold = policy.rules.adoption_threshold
    below = len(weekly) >= low.weeks and all(rate < threshold for rate in weekly[-low.weeks :])
    if low.enabled and below and (stage is None or not stage.operational):
        found.add(
            "low_adoption",
            f"{low.cohort} adoption under the {threshold:.0%} threshold in each of the last {low.weeks} weeks "
            f"(latest {weekly[-1]:.0%}): users are not taking it up",
        )
    if rules.no_funding_pathway.enabled and facts.no_funding_pathway is not None:
        gate = policy.funding_gate()
        found.add(
            "no_funding_pathway",
            f"passed {gate.title if gate else 'the funding gate'} but no production funding pathway is recorded: "
            f"{facts.no_funding_pathway}",
        )
    return found.found
