"""The policy model: stages, gates, criteria, artifacts, approvers and rules."""

from __future__ import annotations

from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Identifier = Field(pattern=r"^[a-z][a-z0-9_]*$", min_length=1, max_length=64)
CriterionKind = Literal["attestation", "artifact", "metric", "computed"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Duration(Strict):
    """Expected time in a stage, in weeks; ``max_weeks`` is None for an open-ended stage."""

    min_weeks: int = Field(ge=0)
    max_weeks: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> Duration:
        if self.max_weeks is not None and self.max_weeks < self.min_weeks:
            raise ValueError("max_weeks must be at least min_weeks")
        return self

    def describe(self) -> str:
        if self.max_weeks is None:
            return "open-ended"
        return f"{self.min_weeks}–{self.max_weeks} weeks"


class Stage(Strict):
    id: str = Identifier
    title: str = Field(min_length=1)
    purpose: str = ""
    expected_duration: Duration
    activities: tuple[str, ...] = ()
    # An operational stage holds a live system: its expected duration covers the rollout only,
    # and staying on afterwards is the point, not a stall.
    operational: bool = False

    def overdue(self, days_in_stage: int) -> bool:
        """Past the stage's maximum expected duration (never, for an operational stage)."""
        limit = self.expected_duration.max_weeks
        return not self.operational and limit is not None and days_in_stage > limit * 7


class Role(Strict):
    id: str = Identifier
    title: str = Field(min_length=1)


class Criterion(Strict):
    id: str = Identifier
    title: str = Field(min_length=1)
    requirement: str = Field(min_length=1)
    kind: CriterionKind = "attestation"
    artifact: str | None = None
    expression: str | None = None
    check: str | None = None  # a computed criterion's check, e.g. funding.pathway_identified

    @model_validator(mode="after")
    def _kind_fields(self) -> Criterion:
        if self.kind == "computed" and not self.check:
            raise ValueError("a computed criterion names its 'check', e.g. funding.pathway_identified")
        if self.kind != "computed" and self.check:
            raise ValueError("'check' is only allowed on a computed criterion")
        if self.kind == "artifact" and not self.artifact:
            raise ValueError("an artifact criterion names the artifact it needs in 'artifact'")
        if self.kind == "metric" and not self.expression:
            raise ValueError("a metric criterion needs an 'expression', e.g. uptime(window=\"30d\") >= 99.5")
        if self.kind != "metric" and self.expression:
            raise ValueError("'expression' is only allowed on a metric criterion")
        if self.kind != "artifact" and self.artifact:
            raise ValueError("'artifact' is only allowed on an artifact criterion")
        return self


class ArtifactSpec(Strict):
    id: str = Identifier
    title: str = Field(min_length=1)


class ApproverCondition(Strict):
    """When an approver role applies; all listed facts must match the use case."""

    risk_tier: tuple[str, ...] = ()


class Approver(Strict):
    role: str = Identifier
    when: ApproverCondition | None = None

    def applies_to(self, risk_tier: str) -> bool:
        if self.when is None or not self.when.risk_tier:
            return True
        return risk_tier in self.when.risk_tier


class Gate(Strict):
    number: int = Field(ge=1)
    title: str = Field(min_length=1)
    from_stage: str = Field(alias="from")
    to_stage: str = Field(alias="to")
    note: str = ""
    criteria: tuple[Criterion, ...] = Field(min_length=1)
    artifacts: tuple[ArtifactSpec, ...] = ()
    approvers: tuple[Approver, ...] = Field(min_length=1)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def required_roles(self, risk_tier: str) -> list[str]:
        known = self._roles_by_tier.get(risk_tier)
        if known is None:
            known = self._roles_by_tier[risk_tier] = tuple(a.role for a in self.approvers if a.applies_to(risk_tier))
        return list(known)

    @cached_property
    def _roles_by_tier(self) -> dict[str, tuple[str, ...]]:
        # Asked once per open review by portfolio readiness: answered once per risk tier.
        return {}

    def approver_roles(self) -> set[str]:
        return {a.role for a in self.approvers}

    def criterion(self, criterion_id: str) -> Criterion | None:
        return next((c for c in self.criteria if c.id == criterion_id), None)

    def artifact(self, artifact_id: str) -> ArtifactSpec | None:
        return next((a for a in self.artifacts if a.id == artifact_id), None)


class Rules(Strict):
    distinct_approvers: bool = True
    opener_may_approve: bool = True
    uploader_may_approve: bool = True
    waiver_max_days: int = Field(default=180, ge=1)
    artifact_max_bytes: int = Field(default=25 * 1024 * 1024, ge=1)
    adoption_threshold: float = Field(default=0.60, ge=0, le=1)


class Toggle(Strict):
    enabled: bool = True


class InactiveRule(Strict):
    enabled: bool = True
    days: int = Field(default=60, ge=1)


class OwnerRule(Strict):
    enabled: bool = True
    sponsor_roles: tuple[str, ...] = ("sponsor",)
    owner_roles: tuple[str, ...] = ("bu_head", "ops_owner")


class LowAdoptionRule(Strict):
    """A pilot whose measured adoption stays under the policy's threshold week after week."""

    enabled: bool = True
    weeks: int = Field(default=4, ge=1, le=52)
    cohort: str = "pilot"


class StalledRules(Strict):
    """Zombie and stalled detection: each rule can be switched off or tuned."""

    review_due_days: int = Field(default=14, ge=1)
    overdue_stage: Toggle = Toggle()
    missing_owner: OwnerRule = OwnerRule()
    inactive: InactiveRule = InactiveRule()
    conditions_past_due: Toggle = Toggle()
    waivers_expired: Toggle = Toggle()
    low_adoption: LowAdoptionRule = LowAdoptionRule()
    no_funding_pathway: Toggle = Toggle()


class SloDefaults(Strict):
    """Service-level objectives a use case has unless it sets its own."""

    uptime_pct: float = Field(default=99.5, ge=0, le=100)
    latency_p95_ms: float = Field(default=1000, gt=0)
    error_rate_pct: float = Field(default=1.0, ge=0, le=100)


class EvidenceRules(Strict):
    """How measured evidence is judged: default SLOs, windows and when a series is stale."""

    slo: SloDefaults = SloDefaults()
    default_window: str = Field(default="30d", pattern=r"^\d+[smhdw]$")
    # A series is stale when its newest point is older than its cadence plus a grace period:
    # grace_ratio of the cadence, and never less than min_grace.
    grace_ratio: float = Field(default=0.5, ge=0)
    min_grace: str = Field(default="1h", pattern=r"^\d+[smhdw]$")


DURATION_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class HypercareRules(Strict):
    """The period after a use case enters production (the policy's first operational stage) when
    `pilotgate check` watches it closer: SLOs over a short window, a smaller staleness grace, and
    any open incident of the listed severities."""

    enabled: bool = True
    days: int = Field(default=30, ge=1, le=365)
    window: str = Field(default="1d", pattern=r"^\d+[smhdw]$")
    grace_ratio: float = Field(default=0.25, ge=0)
    min_grace: str = Field(default="15m", pattern=r"^\d+[smhdw]$")
    incident_severities: tuple[str, ...] = ("sev1", "sev2")

    @model_validator(mode="after")
    def _window_within_period(self) -> HypercareRules:
        seconds = int(self.window[:-1]) * DURATION_SECONDS[self.window[-1]]
        if not 0 < seconds <= self.days * 86400:
            raise ValueError(f"window {self.window} must be more than zero and at most {self.days} days (the period)")
        return self


class ScoreScale(Strict):
    """The whole-number scale every scorecard criterion is scored on, e.g. 1–5."""

    min: int = Field(default=1, ge=0, le=99)
    max: int = Field(default=5, ge=1, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> ScoreScale:
        if self.max <= self.min:
            raise ValueError(f"max ({self.max}) must be greater than min ({self.min})")
        return self


class ScoreCriterion(Strict):
    """One criterion of the use case scorecard. Weights are relative (normalised by their sum).
    An ``inverse`` criterion — risk — is scored as found (5 = very risky) and counts against the
    total: a high score lowers it."""

    id: str = Identifier
    title: str = Field(min_length=1)
    weight: float = Field(gt=0, le=1000)
    inverse: bool = False
    guide: str = ""  # what a low and a high score mean, shown beside the score


DEFAULT_SCORE_CRITERIA = (
    ScoreCriterion(id="business_value", title="Business value", weight=30, guide="1 marginal … 5 material, quantified"),
    ScoreCriterion(id="feasibility", title="Technical feasibility", weight=20, guide="1 research … 5 proven pattern"),
    ScoreCriterion(id="data_availability", title="Data availability", weight=15, guide="1 none … 5 accessible, clean"),
    ScoreCriterion(id="process_maturity", title="Process maturity", weight=10, guide="1 ad hoc … 5 standardised"),
    ScoreCriterion(id="risk", title="Risk", weight=15, inverse=True, guide="1 low … 5 severe (counts against)"),
    ScoreCriterion(id="sponsorship", title="Sponsorship", weight=10, guide="1 none … 5 committed, named owner"),
)


class Prioritisation(Strict):
    """The Discovery scorecard (Gate 1's use case scorecard) and the value-concentration view."""

    scale: ScoreScale = ScoreScale()
    criteria: tuple[ScoreCriterion, ...] = Field(default=DEFAULT_SCORE_CRITERIA, min_length=1, max_length=20)
    artifact: str = Field(default="use_case_scorecard", pattern=r"^[a-z][a-z0-9_]*$", max_length=64)
    currency: str = "EUR"  # what value concentration is reported in
    top_n: int = Field(default=5, ge=1, le=1000)

    @field_validator("currency")
    @classmethod
    def _currency_code(cls, value: str) -> str:
        if len(value) != 3 or not value.isascii() or not value.isalpha() or not value.isupper():
            raise ValueError(f"{value!r} is not a currency code: three capital letters (ISO 4217), e.g. EUR")
        return value

    @model_validator(mode="after")
    def _unique_ids(self) -> Prioritisation:
        seen: dict[str, int] = {}
        for index, criterion in enumerate(self.criteria):
            if criterion.id in seen:
                first = seen[criterion.id]
                raise ValueError(f"criteria[{index}].id: {criterion.id!r} is already criteria[{first}]'s id")
            seen[criterion.id] = index
        return self

    def criterion(self, criterion_id: str) -> ScoreCriterion | None:
        return next((c for c in self.criteria if c.id == criterion_id), None)


class Policy(Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", min_length=1, max_length=64)
    title: str = Field(min_length=1)
    description: str = ""
    risk_tiers: tuple[str, ...] = Field(min_length=1)
    default_risk_tier: str
    roles: tuple[Role, ...] = Field(min_length=1)
    stages: tuple[Stage, ...] = Field(min_length=2)
    gates: tuple[Gate, ...] = Field(min_length=1)
    rules: Rules = Rules()
    stalled: StalledRules = StalledRules()
    evidence: EvidenceRules = EvidenceRules()
    prioritisation: Prioritisation = Prioritisation()
    hypercare: HypercareRules = HypercareRules()
    statuses: tuple[str, ...] = ("active", "on_hold", "stopped", "retired")

    def stage_ids(self) -> list[str]:
        return [s.id for s in self.stages]

    def stage(self, stage_id: str) -> Stage | None:
        return next((s for s in self.stages if s.id == stage_id), None)

    def first_stage(self) -> Stage:
        return self.stages[0]

    def gate_from(self, stage_id: str) -> Gate | None:
        """The gate that leads out of a stage, or None in the final stage."""
        return next((g for g in self.gates if g.from_stage == stage_id), None)

    def gate(self, number: int) -> Gate | None:
        return self._gates_by_number.get(number)

    @cached_property
    def _gates_by_number(self) -> dict[int, Gate]:
        return {g.number: g for g in self.gates}

    def role_ids(self) -> list[str]:
        return [r.id for r in self.roles]

    @cached_property
    def _role_titles(self) -> dict[str, str]:
        return {r.id: r.title for r in self.roles}

    def role_titles(self) -> dict[str, str]:
        return self._role_titles

    def funding_gate(self) -> Gate | None:
        """The gate that asks for a production funding pathway (Gate 2 in the shipped policy)."""
        for gate in self.gates:
            if any(c.check == "funding.pathway_identified" for c in gate.criteria):
                return gate
        return None

    def earlier_stages(self, stage_id: str) -> list[str]:
        ids = self.stage_ids()
        return ids[: ids.index(stage_id)] if stage_id in ids else []
