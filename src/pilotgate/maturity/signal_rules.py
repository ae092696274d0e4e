"""What the registry's data shows about each capability: pure signals over facts as of a moment.

`signals.py` loads the facts with a few set-based queries; here each signal is a share (`met` of
`of`) with the use cases that fall short. A signal whose population is empty — no use case in
production yet, no open review — is "not measurable yet", which scoring leaves out rather than
counting as zero. Each use case is judged by its own policy: which stages are operational
(production and scale in the shipped one), each stage's expected maximum duration, the approver
roles of each gate and the adoption threshold.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from pilotgate.evidence.rules import is_stale, parse_duration, to_ms
from pilotgate.maturity.rules import Signal
from pilotgate.policy.model import Policy

OUTCOME_KINDS = frozenset({"leading", "lagging", "adoption"})
ADOPTION_WINDOW = timedelta(days=28)
DECISION_WINDOW = timedelta(days=365)  # decisions of the last 12 months: improvement shows within a year
OWNER_ROLE, OPS_ROLE, SPONSOR_ROLE = "bu_head", "ops_owner", "sponsor"
NO_PRODUCTION = "no live use case is in an operational stage (production, scale) yet"
NO_PILOT = "no live use case has reached the stage before production (pilot) yet"


@dataclass(frozen=True, slots=True)
class MetricFacts:
    kind: str
    created_at: datetime
    has_baseline_and_target: bool
    cadence_seconds: int | None = None
    last_point_ms: int | None = None  # the newest point at or before the moment


@dataclass(frozen=True, slots=True)
class UseCaseFacts:
    """One use case as it stood at the moment: stage, whether live, roles, metrics, adoption."""

    key: str
    policy: str
    stage: str
    stage_entered_at: datetime
    live: bool
    roles: frozenset[str] = frozenset()
    first_operational_entry: datetime | None = None
    metrics: tuple[MetricFacts, ...] = ()
    adoption: float | None = None  # the widest cohort's adoption rate over the last 28 days


@dataclass(frozen=True, slots=True)
class DecisionFacts:
    key: str
    policy: str
    gate: int
    from_stage: str
    decided_at: datetime
    entered_from_stage_at: datetime  # the last entry into from_stage before the decision


@dataclass(frozen=True, slots=True)
class ReviewFacts:
    key: str
    gate: int
    required_roles: tuple[str, ...]
    named_roles: frozenset[str]


@dataclass(frozen=True)
class Facts:
    at: datetime
    use_cases: Sequence[UseCaseFacts]
    decisions: Sequence[DecisionFacts] = ()
    reviews: Sequence[ReviewFacts] = ()


def operational_stages(policy: Policy) -> frozenset[str]:
    return frozenset(s.id for s in policy.stages if s.operational)


def stages_from_pilot(policy: Policy) -> frozenset[str]:
    """The stage just before the first operational one (pilot), and every stage after it."""
    ids = policy.stage_ids()
    first = next((i for i, s in enumerate(policy.stages) if s.operational), len(ids))
    return frozenset(ids[max(first - 1, 0) :])


def _keys(items: Iterable[UseCaseFacts]) -> tuple[str, ...]:
    return tuple(sorted(u.key for u in items))


def _listing(missing: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(missing[:limit])
    return shown + (f" and {len(missing) - limit} more" if len(missing) > limit else "")


def _share(
    ident: str,
    capability: str,
    title: str,
    population: Sequence[UseCaseFacts],
    test: Callable[[UseCaseFacts], bool],
    unmeasured: str,
    action: str,
) -> Signal:
    short = _keys(u for u in population if not test(u))
    return Signal(
        ident,
        capability,
        title,
        len(population) - len(short),
        len(population),
        unmeasured,
        action.format(missing=_listing(short)) if short else "Keep it so for every new use case.",
        short,
    )


def _defined_before(use_case: UseCaseFacts) -> bool:
    entry = use_case.first_operational_entry
    return entry is not None and any(m.kind in OUTCOME_KINDS and m.created_at <= entry for m in use_case.metrics)


def _monitored(use_case: UseCaseFacts, policy: Policy, at: datetime) -> bool:
    rules = policy.evidence
    return any(
        m.kind == "sla"
        and m.last_point_ms is not None
        and not is_stale(
            m.last_point_ms,
            m.cadence_seconds,
            to_ms(at),
            ratio=rules.grace_ratio,
            minimum_seconds=parse_duration(rules.min_grace),
        )
        for m in use_case.metrics
    )


def _pilots_on_time(use_case: UseCaseFacts, policy: Policy, at: datetime) -> bool:
    stage = policy.stage(use_case.stage)
    return stage is None or not stage.overdue((at - use_case.stage_entered_at).days)


def _decision_on_time(decision: DecisionFacts, policy: Policy) -> bool | None:
    """Within the from-stage's expected maximum; None when that stage has none, or is operational."""
    stage = policy.stage(decision.from_stage)
    if stage is None or stage.operational or stage.expected_duration.max_weeks is None:
        return None
    return decision.decided_at - decision.entered_from_stage_at <= timedelta(weeks=stage.expected_duration.max_weeks)


def _use_case_signals(facts: Facts, policies: Mapping[str, Policy]) -> list[Signal]:
    at = facts.at
    live = [u for u in facts.use_cases if u.live and u.policy in policies]
    production = [u for u in live if u.stage in operational_stages(policies[u.policy])]
    from_pilot = [u for u in live if u.stage in stages_from_pilot(policies[u.policy])]
    pilots = [u for u in from_pilot if u.stage not in operational_stages(policies[u.policy])]
    adoption_measured = [u for u in from_pilot if u.adoption is not None]
    return [
        _share(
            "funding.production_owner",
            "funding",
            "Production use cases with a named business-unit owner (bu_head)",
            production,
            lambda u: OWNER_ROLE in u.roles,
            NO_PRODUCTION,
            "Name the business-unit head who owns and budgets each production system: {missing}.",
        ),
        _share(
            "funding.pilots_within_duration",
            "funding",
            "Pilots within the stage's expected duration (not lingering on the programme's budget)",
            pilots,
            lambda u: _pilots_on_time(u, policies[u.policy], at),
            NO_PILOT,
            "Hold a kill-or-commit review of each pilot past its expected duration: commit production funding "
            "and an owner, or stop it: {missing}.",
        ),
        _share(
            "change.adoption_tracked",
            "change",
            "Use cases from pilot on that track adoption beside their technical metrics",
            from_pilot,
            lambda u: any(m.kind == "adoption" for m in u.metrics),
            NO_PILOT,
            "Define adoption metrics (active_users and eligible_users per cohort) on: {missing}.",
        ),
        _share(
            "change.adoption_at_threshold",
            "change",
            "Use cases from pilot on whose adoption over the last 28 days meets the policy's threshold",
            adoption_measured,
            lambda u: u.adoption is not None and u.adoption >= policies[u.policy].rules.adoption_threshold,
            "no use case from pilot on has reported adoption in the last 28 days",
            "Adoption is under the threshold on {missing}: redesign the workflow with the team, train in context "
            "and brief their managers.",
        ),
        _share(
            "operations.production_ops_owner",
            "operations",
            "Production use cases with a named operations owner (ops_owner)",
            production,
            lambda u: OPS_ROLE in u.roles,
            NO_PRODUCTION,
            "Name the operations owner who monitors, retrains and answers incidents for: {missing}.",
        ),
        _share(
            "operations.production_monitored",
            "operations",
            "Production use cases whose service-level metrics report on time (monitoring is live)",
            production,
            lambda u: _monitored(u, policies[u.policy], at),
            NO_PRODUCTION,
            "Connect monitoring so uptime, latency and error rate report on their cadence for: {missing}.",
        ),
        _share(
            "measurement.defined_before_production",
            "measurement",
            "Production use cases with outcome metrics (leading, lagging or adoption) defined before production",
            production,
            _defined_before,
            NO_PRODUCTION,
            "These went into production without outcome metrics defined first — define them now, and require "
            "them before the pilot-to-production gate: {missing}.",
        ),
        _share(
            "measurement.outcome_targets",
            "measurement",
            "Production use cases with a business (lagging) metric that has a baseline and a target",
            production,
            lambda u: any(m.kind == "lagging" and m.has_baseline_and_target for m in u.metrics),
            NO_PRODUCTION,
            "Set a baseline and a target for a revenue, margin or cost metric, owned by the business unit: {missing}.",
        ),
        _share(
            "measurement.named_sponsor",
            "measurement",
            "Live use cases with a named business-unit sponsor accountable for the outcome",
            live,
            lambda u: SPONSOR_ROLE in u.roles,
            "no use case is live yet",
            "Name the business-unit sponsor who will own the outcome of: {missing}.",
        ),
    ]


def _governance_signals(facts: Facts, policies: Mapping[str, Policy]) -> list[Signal]:
    judged = [
        (d, on_time)
        for d in facts.decisions
        if d.policy in policies
        and facts.at - DECISION_WINDOW < d.decided_at <= facts.at
        and (on_time := _decision_on_time(d, policies[d.policy])) is not None
    ]
    late = tuple(f"{d.key} (Gate {d.gate})" for d, on_time in sorted(judged, key=lambda p: p[0].key) if not on_time)
    unstaffed = [r for r in facts.reviews if not set(r.required_roles) <= r.named_roles]
    missing_roles = tuple(
        f"{r.key} (Gate {r.gate}: {', '.join(x for x in r.required_roles if x not in r.named_roles)})"
        for r in sorted(unstaffed, key=lambda r: r.key)
    )
    return [
        Signal(
            "governance.decisions_on_time",
            "governance",
            "Gate decisions of the last 12 months taken within the stage's expected duration",
            len(judged) - len(late),
            len(judged),
            "no gate decision out of a time-boxed stage in the last 12 months",
            f"Put reviews that are due on the governance cadence's agenda; decided late: {_listing(late)}."
            if late
            else "Keep deciding every gate within its stage's expected duration.",
            late,
        ),
        Signal(
            "governance.open_reviews_staffed",
            "governance",
            "Open gate reviews with every required approver role named",
            len(facts.reviews) - len(missing_roles),
            len(facts.reviews),
            "no gate review is open",
            f"Name the missing approvers before these reviews reach a decision: {_listing(missing_roles)}."
            if missing_roles
            else "Keep naming every approver when a review opens.",
            missing_roles,
        ),
    ]


def measure(facts: Facts, policies: Mapping[str, Policy]) -> list[Signal]:
    """Every signal, in the order of the capabilities they inform."""
    found = _use_case_signals(facts, policies) + _governance_signals(facts, policies)
    order = {"funding": 0, "change": 1, "operations": 2, "governance": 3, "measurement": 4}
    return sorted(found, key=lambda s: order.get(s.capability, 9))
