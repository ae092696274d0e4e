"""The portfolio funnel: counts, conversions, kill rates, time in stage, production rate, benchmarks.

Pure: plain facts in, a ``PortfolioReport`` out, no database (``flow.py`` loads the facts). A use
case "reached" a stage when its history or current stage is that stage or a later one in the
policy's order, so a use case recycled back from pilot still counts as having reached pilot.
A visit whose entry date is unknown (``dated=False``: an imported row with no date for it) counts
for reaching stages, in the "undated" cohort, and never for time in stage.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from itertools import pairwise
from typing import Any

from pilotgate.policy.model import Policy

LIVE = ("active", "on_hold")
UNDATED = "undated"
DAY = 86400.0


@dataclass(frozen=True, slots=True)
class StageVisit:
    stage: str
    entered_at: datetime
    left_at: datetime | None
    dated: bool = True


@dataclass(frozen=True, slots=True)
class DecisionFact:
    gate: int
    kind: str
    decided_at: datetime


@dataclass(frozen=True, slots=True)
class UseCaseFacts:
    key: str
    business_unit: str
    status: str
    stage: str
    stage_entered_at: datetime
    history: tuple[StageVisit, ...] = ()
    decisions: tuple[DecisionFact, ...] = ()

    @property
    def live(self) -> bool:
        return self.status in LIVE

    def visits(self) -> tuple[StageVisit, ...]:
        """The recorded history, or the current stage alone when none was recorded."""
        return self.history or (StageVisit(self.stage, self.stage_entered_at, None),)


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class StageCount:
    stage: str
    title: str
    by_status: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


@dataclass(frozen=True)
class Cohort:
    """Use cases that first entered a stage in one quarter, and where they went next."""

    quarter: str  # e.g. 2024-Q1, or "undated"
    entered: int = 0
    advanced: int = 0
    ended: int = 0  # stopped or retired without reaching the next stage
    still_open: int = 0  # active or on hold, not (yet) past the stage

    @property
    def rate(self) -> float | None:
        return _rate(self.advanced, self.entered)


@dataclass(frozen=True)
class Conversion:
    from_stage: str
    to_stage: str
    cohorts: tuple[Cohort, ...]

    def _sum(self, name: str) -> int:
        return sum(getattr(c, name) for c in self.cohorts)

    @property
    def entered(self) -> int:
        return self._sum("entered")

    @property
    def advanced(self) -> int:
        return self._sum("advanced")

    @property
    def ended(self) -> int:
        return self._sum("ended")

    @property
    def still_open(self) -> int:
        return self._sum("still_open")

    @property
    def rate(self) -> float | None:
        return _rate(self.advanced, self.entered)


@dataclass(frozen=True)
class GateKills:
    """Stops at a gate: recorded decisions, and for use cases without any there, what their history shows."""

    gate: int
    title: str
    from_stage: str
    to_stage: str
    decisions: dict[str, int]  # decided reviews at the gate by kind
    passed_without_decision: int
    ended_without_decision: int  # stopped in the gate's stage, or retired there before operating

    @property
    def decided(self) -> int:
        return sum(self.decisions.values())

    @property
    def stopped(self) -> int:
        return self.decisions.get("stop", 0)

    @property
    def decision_kill_rate(self) -> float | None:
        return _rate(self.stopped, self.decided)

    @property
    def kill_rate(self) -> float | None:
        whole = self.decided + self.passed_without_decision + self.ended_without_decision
        return _rate(self.stopped + self.ended_without_decision, whole)


@dataclass(frozen=True)
class StageTime:
    """Days spent in a stage per visit: finished visits, and the running visits of live use cases."""

    stage: str
    title: str
    days: tuple[float, ...]
    ongoing: int
    undated: int  # visits left out: their entry date is unknown
    min_weeks: int | None
    max_weeks: int | None
    operational: bool

    @property
    def n(self) -> int:
        return len(self.days)

    @property
    def median(self) -> float | None:
        return percentile(self.days, 0.5)

    @property
    def p25(self) -> float | None:
        return percentile(self.days, 0.25)

    @property
    def p75(self) -> float | None:
        return percentile(self.days, 0.75)

    @property
    def over_max(self) -> int | None:
        """Visits past the maximum expected duration; None where staying on is the point."""
        if self.operational or self.max_weeks is None:
            return None
        return sum(1 for d in self.days if d > self.max_weeks * 7)

    @property
    def over_max_share(self) -> float | None:
        over = self.over_max
        return None if over is None else _rate(over, self.n)


@dataclass(frozen=True)
class ProductionRate:
    stage: str  # the first operational stage: reaching it or any later one counts
    started: int
    reached: int

    @property
    def rate(self) -> float | None:
        return _rate(self.reached, self.started)


@dataclass(frozen=True)
class Benchmark:
    id: str
    source: str
    claim: str
    figure: float  # the published figure the portfolio is set against
    portfolio: float | None  # None when the portfolio has no comparable figure (context only)
    position: str  # above | below | at | context | no data
    comparison: str


@dataclass(frozen=True)
class PortfolioReport:
    as_of: datetime
    policy: str
    stages: tuple[StageCount, ...]
    conversions: tuple[Conversion, ...]
    gates: tuple[GateKills, ...]
    time_in_stage: tuple[StageTime, ...]
    production: ProductionRate
    benchmarks: tuple[Benchmark, ...]
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    def stage(self, stage_id: str) -> StageCount:
        return next(s for s in self.stages if s.stage == stage_id)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: rates rounded to 4 places, days to 1."""
        return _as_dict(self)


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (as numpy's default); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def quarter(when: datetime) -> str:
    return f"{when.year}-Q{(when.month - 1) // 3 + 1}"


@dataclass(frozen=True, slots=True)
class _Journey:
    facts: UseCaseFacts
    first_visits: dict[str, StageVisit]  # the first visit to each stage reached
    furthest: int  # index of the latest stage reached in the policy's order; -1 for none known


def _journeys(facts: Iterable[UseCaseFacts], order: dict[str, int]) -> list[_Journey]:
    found = []
    for f in facts:
        first: dict[str, StageVisit] = {}
        for visit in f.visits():
            if visit.stage not in first or visit.entered_at < first[visit.stage].entered_at:
                first[visit.stage] = visit
        first.setdefault(f.stage, StageVisit(f.stage, f.stage_entered_at, None))
        furthest = max((order.get(s, -1) for s in first), default=-1)
        found.append(_Journey(f, first, furthest))
    return found


def stage_counts(facts: Iterable[UseCaseFacts], policy: Policy) -> tuple[StageCount, ...]:
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for f in facts:
        table[f.stage][f.status] += 1
    ids = policy.stage_ids()
    statuses = [*policy.statuses, *sorted({s for c in table.values() for s in c} - set(policy.statuses))]
    stages = [*ids, *sorted(set(table) - set(ids))]
    titles = {s.id: s.title for s in policy.stages}
    return tuple(StageCount(s, titles.get(s, s), {st: table[s][st] for st in statuses}) for s in stages)


def conversions(journeys: Sequence[_Journey], policy: Policy) -> tuple[Conversion, ...]:
    ids = policy.stage_ids()
    found = []
    for index, (here, there) in enumerate(pairwise(ids)):
        tallies: dict[str, Counter[str]] = defaultdict(Counter)
        for journey in journeys:
            entered = journey.first_visits.get(here)
            if entered is None:
                continue
            tally = tallies[quarter(entered.entered_at) if entered.dated else UNDATED]
            tally["entered"] += 1
            if journey.furthest > index:
                tally["advanced"] += 1
            else:
                tally["still_open" if journey.facts.live else "ended"] += 1
        cohorts = tuple(
            Cohort(q, t["entered"], t["advanced"], t["ended"], t["still_open"]) for q, t in sorted(tallies.items())
        )
        found.append(Conversion(here, there, cohorts))
    return tuple(found)


def _ended_in_stage(facts: UseCaseFacts, policy: Policy) -> bool:
    """Stopped there, or retired before it ever operated (retiring a live system is not a kill)."""
    stage = policy.stage(facts.stage)
    operational = stage is not None and stage.operational
    return facts.status == "stopped" or (facts.status == "retired" and not operational)


def gate_kills(journeys: Sequence[_Journey], policy: Policy) -> tuple[GateKills, ...]:
    order = {s: i for i, s in enumerate(policy.stage_ids())}
    found = []
    for gate in policy.gates:
        index = order[gate.from_stage]
        kinds: Counter[str] = Counter()
        passed = ended = 0
        for journey in journeys:
            decided = [d.kind for d in journey.facts.decisions if d.gate == gate.number]
            if decided:
                kinds.update(decided)
            elif journey.furthest > index:
                passed += 1
            elif journey.facts.stage == gate.from_stage and _ended_in_stage(journey.facts, policy):
                ended += 1
        found.append(GateKills(gate.number, gate.title, gate.from_stage, gate.to_stage, dict(kinds), passed, ended))
    return tuple(found)


def _visit_end(facts: UseCaseFacts, visit: StageVisit, now: datetime) -> tuple[datetime | None, bool]:
    """When a visit ended and whether it is still running; (None, False) when unknown."""
    if visit.left_at is not None:
        return visit.left_at, False
    if facts.live:
        return (now, True) if visit.stage == facts.stage else (None, False)
    # A stop leaves the stage open: the clock stopped with the last decision taken in it.
    ends = [d.decided_at for d in facts.decisions if d.decided_at >= visit.entered_at]
    return (max(ends), False) if ends else (None, False)


def stage_times(facts: Iterable[UseCaseFacts], policy: Policy, now: datetime) -> tuple[StageTime, ...]:
    """Time per stage visit; a finished visit of zero length (a stage with no date of its own) tells nothing."""
    days: dict[str, list[float]] = defaultdict(list)
    ongoing: Counter[str] = Counter()
    undated: Counter[str] = Counter()
    for f in facts:
        for visit in f.visits():
            if not visit.dated:
                undated[visit.stage] += 1
                continue
            end, running = _visit_end(f, visit, now)
            if end is None:
                continue
            length = (end - visit.entered_at).total_seconds() / DAY
            if length < 0 or (length == 0 and not running):
                continue
            days[visit.stage].append(length)
            ongoing[visit.stage] += int(running)
    return tuple(
        StageTime(
            stage=s.id,
            title=s.title,
            days=tuple(days[s.id]),
            ongoing=ongoing[s.id],
            undated=undated[s.id],
            min_weeks=s.expected_duration.min_weeks,
            max_weeks=s.expected_duration.max_weeks,
            operational=s.operational,
        )
        for s in policy.stages
    )


def production_rate(journeys: Sequence[_Journey], policy: Policy) -> ProductionRate:
    ids = policy.stage_ids()
    stage = next((s.id for s in policy.stages if s.operational), ids[-1])
    index = ids.index(stage)
    return ProductionRate(stage, len(journeys), sum(1 for j in journeys if j.furthest >= index))


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%".replace(".0%", "%")


def _position(value: float, figure: float) -> str:
    return "above" if value > figure else "below" if value < figure else "at"


def benchmarks(production: ProductionRate) -> tuple[Benchmark, ...]:
    """The figures the framework cites, each with its source, set against this portfolio."""
    rate = production.rate
    reached = f"{production.reached} of {production.started}"
    if rate is None:
        gartner = deloitte = ("no data", "No use cases yet: nothing to compare.")
    else:
        gartner = (
            _position(rate, 0.05),
            f"{_pct(rate)} of this portfolio's use cases reached production ({reached}), against about 5%.",
        )
        moved = "has" if rate >= 0.40 else "has not"
        deloitte = (
            "above" if rate >= 0.40 else "below",
            f"This portfolio {moved} moved 40% or more of its use cases to production ({_pct(rate)}, {reached}); "
            "only 25% of organisations have.",
        )
    return (
        Benchmark(
            "gartner_production_rate",
            "Gartner",
            "About 5% of AI experiments reach full-scale production.",
            0.05,
            rate,
            *gartner,
        ),
        Benchmark(
            "deloitte_moved_to_production",
            "Deloitte, State of AI in the Enterprise, 7th edition (March 2026)",
            "Only 25% of organisations have moved 40% or more of their AI experiments to production.",
            0.40,
            rate,
            *deloitte,
        ),
        Benchmark(
            "gartner_roi_payoff",
            "Gartner (November 2025)",
            "6% of organisations see AI ROI payoff in under a year; most that reach production report 2–4 years.",
            0.06,
            None,
            "context",
            "Context: plan a use case's return over 2–4 years, not 12 months.",
        ),
    )


def build_report(facts: Sequence[UseCaseFacts], policy: Policy, now: datetime) -> PortfolioReport:
    """Everything the portfolio dashboard, `pilotgate portfolio report` and the API show."""
    journeys = _journeys(facts, {s: i for i, s in enumerate(policy.stage_ids())})
    stages = stage_counts(facts, policy)
    by_status: Counter[str] = Counter()
    for count in stages:
        by_status.update(count.by_status)
    production = production_rate(journeys, policy)
    return PortfolioReport(
        as_of=now,
        policy=policy.name,
        stages=stages,
        conversions=conversions(journeys, policy),
        gates=gate_kills(journeys, policy),
        time_in_stage=stage_times(facts, policy, now),
        production=production,
        benchmarks=benchmarks(production),
        by_status=dict(by_status),
    )


def _r(value: float | None, places: int = 4) -> float | None:
    return None if value is None else round(value, places)


def _as_dict(report: PortfolioReport) -> dict[str, Any]:
    return {
        "as_of": report.as_of.isoformat(),
        "policy": report.policy,
        "total": report.total,
        "by_status": report.by_status,
        "stages": [
            {"stage": s.stage, "title": s.title, "total": s.total, "by_status": s.by_status} for s in report.stages
        ],
        "conversions": [
            {
                "from_stage": c.from_stage,
                "to_stage": c.to_stage,
                "entered": c.entered,
                "advanced": c.advanced,
                "ended": c.ended,
                "still_open": c.still_open,
                "rate": _r(c.rate),
                "cohorts": [{**asdict(k), "rate": _r(k.rate)} for k in c.cohorts],
            }
            for c in report.conversions
        ],
        "gates": [
            {
                "gate": g.gate,
                "title": g.title,
                "from_stage": g.from_stage,
                "to_stage": g.to_stage,
                "decided": g.decided,
                "stopped": g.stopped,
                "decisions": g.decisions,
                "passed_without_decision": g.passed_without_decision,
                "ended_without_decision": g.ended_without_decision,
                "decision_kill_rate": _r(g.decision_kill_rate),
                "kill_rate": _r(g.kill_rate),
            }
            for g in report.gates
        ],
        "time_in_stage": [
            {
                "stage": t.stage,
                "title": t.title,
                "n": t.n,
                "ongoing": t.ongoing,
                "undated": t.undated,
                "median_days": _r(t.median, 1),
                "p25_days": _r(t.p25, 1),
                "p75_days": _r(t.p75, 1),
                "expected": {"min_weeks": t.min_weeks, "max_weeks": t.max_weeks},
                "operational": t.operational,
                "over_max": t.over_max,
                "over_max_share": _r(t.over_max_share),
            }
            for t in report.time_in_stage
        ],
        "production": {
            "stage": report.production.stage,
            "started": report.production.started,
            "reached": report.production.reached,
            "rate": _r(report.production.rate),
        },
        "benchmarks": [{**asdict(b), "portfolio": _r(b.portfolio)} for b in report.benchmarks],
    }
