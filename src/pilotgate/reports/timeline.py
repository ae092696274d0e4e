"""A use case's Gantt: the plan per stage against what happened, its gates, and when returns come.

Plan: from the use case's start (the day it entered its first stage), each stage in turn for its
policy's *maximum* expected duration — the point past which it is overdue — with the minimum as
its earliest finish. Actual: its stage history; an open stay runs to today. Gates: each gate due
at the end of its planned stage, and every decision taken. Returns: the framework's honest ROI
timeline from the same start — investment from month 0, early indicators from month 9,
measurable ROI from month 12 for about six months, full value from month 18 for about a year —
or the ramp of the use case's business case when it has one.

Rendered as Mermaid `gantt` text (exportable, like the framework's own diagram) and as a
Vega-Lite chart. Every title is escaped for Mermaid, so a use case called "a: b; #c" cannot
break or extend the diagram.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pilotgate.db.uow import UnitOfWork
    from pilotgate.usecases.models import UseCase

SECTIONS = ("Plan", "Actual", "Gates", "Returns")
DAYS_PER_MONTH = 365.25 / 12
IN_PLAY = ("active", "on_hold")
PASSED = ("go", "conditional_go")
# A task line starting with one of these would read as a Mermaid gantt statement.
KEYWORDS = (
    "title", "dateformat", "axisformat", "tickinterval", "todaymarker", "weekday", "weekend", "includes",
    "excludes", "inclusiveenddates", "topaxis", "section", "click", "acctitle", "accdescr", "displaymode", "gantt",
)  # fmt: skip
_ENTITIES = {c: f"#{ord(c)};" for c in ':#;%<>"`{}\\'}


@dataclass(frozen=True)
class StagePlan:
    id: str
    title: str
    min_weeks: int
    max_weeks: int | None
    operational: bool = False
    gate: int | None = None  # the gate that leads out of it


@dataclass(frozen=True)
class Stay:
    stage: str
    entered: date
    left: date | None = None


@dataclass(frozen=True)
class GateEvent:
    gate: int
    kind: str  # a decision (go, conditional_go, hold, stop, recycle) or "open" for an open review
    at: date
    from_stage: str = ""


@dataclass(frozen=True)
class Ramp:
    """Months from the start when each returns phase begins, and when the view ends."""

    early: float = 9
    measurable: float = 12
    full: float = 18
    horizon: float = 30
    source: str = "the framework's typical timeline"
    start: date | None = None  # the business case's month 0, when it names one


@dataclass(frozen=True)
class Item:
    section: str
    label: str
    start: date
    end: date
    tags: tuple[str, ...] = ()
    kind: str = ""  # the chart's colour: planned, done, active, overdue, stopped, a returns phase, an outcome
    row: str = ""
    earliest: date | None = None  # a planned stage's earliest finish

    @property
    def milestone(self) -> bool:
        return "milestone" in self.tags


@dataclass(frozen=True)
class Timeline:
    key: str
    title: str
    start: date
    today: date
    items: tuple[Item, ...]
    ramp_source: str
    rows: tuple[str, ...]


def after_months(start: date, months: float) -> date:
    return start + timedelta(days=round(months * DAYS_PER_MONTH))


def _plan(stages: Sequence[StagePlan], start: date) -> tuple[list[Item], dict[str, date]]:
    items, due, cursor = [], {}, start
    for stage in stages:
        row = f"{stage.title}: plan"
        if stage.max_weeks is None:
            items.append(Item("Plan", f"{stage.title} (open-ended)", cursor, cursor, ("milestone",), "planned", row))
            continue
        end = cursor + timedelta(weeks=stage.max_weeks)
        label = f"{stage.title} ({stage.min_weeks}–{stage.max_weeks} wk)"
        earliest = cursor + timedelta(weeks=stage.min_weeks)
        items.append(Item("Plan", label, cursor, end, (), "planned", row, earliest))
        due[stage.id] = end
        cursor = end
    return items, due


def _actual(
    stages: dict[str, StagePlan], stays: Sequence[Stay], events: Sequence[GateEvent], status: str, today: date
) -> list[Item]:
    items = []
    decided = sorted(e.at for e in events if e.kind != "open")
    for stay in stays:
        stage = stages.get(stay.stage)
        title = stage.title if stage else stay.stage
        ended = stay.left is not None or status not in IN_PLAY
        end = stay.left or (max([d for d in decided if d >= stay.entered], default=today) if ended else today)
        limit = stage.max_weeks if stage and not stage.operational else None
        overdue = limit is not None and (end - stay.entered).days > limit * 7
        tags = ("done",) if ended else ("active",)
        kind = "overdue" if overdue else ("stopped" if stay.left is None and ended else tags[0])
        label = title + (" (overdue)" if overdue else "") + (f" ({status})" if stay.left is None and ended else "")
        items.append(
            Item("Actual", label, stay.entered, end, ("crit", *tags) if overdue else tags, kind, f"{title}: actual")
        )
    return items


def _gates(
    stages: Sequence[StagePlan], due: dict[str, date], events: Sequence[GateEvent], status: str, today: date
) -> list[Item]:
    items = []
    passed = {e.from_stage for e in events if e.kind in PASSED}
    for stage in stages:
        if stage.gate is None or stage.id not in due:
            continue
        late = due[stage.id] < today and stage.id not in passed and status in IN_PLAY
        tags, kind = (("crit", "milestone"), "overdue") if late else (("milestone",), "due")
        items.append(Item("Gates", f"Gate {stage.gate} due", due[stage.id], due[stage.id], tags, kind, "Gates"))
    for event in events:
        if event.kind == "open":
            label, tags, kind = f"Gate {event.gate} review open", ("active", "milestone"), "open"
        elif event.kind in PASSED:
            label, tags, kind = f"Gate {event.gate} {event.kind.replace('_', ' ')}", ("done", "milestone"), "passed"
        else:
            label, tags, kind = f"Gate {event.gate} {event.kind}", ("crit", "milestone"), "refused"
        items.append(Item("Gates", label, event.at, event.at, tags, kind, "Gates"))
    return items


def _returns(start: date, ramp: Ramp, today: date) -> list[Item]:
    bounds = (
        ("Investment", 0.0, ramp.early),
        ("Early indicators", ramp.early, ramp.measurable),
        ("Measurable ROI", ramp.measurable, ramp.full),
        ("Full value", ramp.full, max(ramp.horizon, ramp.full)),
    )
    items = []
    for name, begin, finish in bounds:
        first, last = after_months(start, begin), after_months(start, finish)
        tags = ("done",) if last <= today else ("active",) if first <= today else ()
        items.append(Item("Returns", f"{name} (month {begin:g})", first, last, tags, name, "Returns"))
    return items


def build(
    *,
    key: str,
    title: str,
    stages: Sequence[StagePlan],
    stays: Sequence[Stay],
    events: Sequence[GateEvent],
    status: str,
    today: date,
    start: date,
    ramp: Ramp | None = None,
) -> Timeline:
    """The whole timeline from plain facts (pure: the loader below gathers them)."""
    ramp = ramp or Ramp()
    plan, due = _plan(stages, start)
    actual = _actual({s.id: s for s in stages}, stays, events, status, today)
    items = [*plan, *actual, *_gates(stages, due, events, status, today), *_returns(ramp.start or start, ramp, today)]
    rows = (*(r for s in stages for r in (f"{s.title}: plan", f"{s.title}: actual")), "Gates", "Returns")
    known = set(rows)
    extra = tuple(dict.fromkeys(i.row for i in items if i.row not in known))  # stages the policy no longer has
    return Timeline(key, title, start, today, tuple(items), ramp.source, rows + extra)


# ---------------------------------------------------------------- Mermaid


def mermaid_text(value: object) -> str:
    """Text safe in a Mermaid gantt title, section or task name: one line, with ':', '#', ';' and
    the other characters the grammar or the renderer reads written as Mermaid entity codes."""
    flat = " ".join(str(value).split())
    out = "".join(_ENTITIES.get(c, c) for c in flat if c.isprintable())
    if out.casefold().startswith(KEYWORDS):
        out = f"#{ord(out[0])};{out[1:]}"
    return out or "untitled"


def render_mermaid(timeline: Timeline) -> str:
    lines = [
        "gantt",
        f"    title {mermaid_text(f'{timeline.key} {timeline.title}')} plan vs actual",
        "    dateFormat YYYY-MM-DD",
        "    axisFormat %Y-%m",
    ]
    ids = {"Plan": "p", "Actual": "a", "Gates": "g", "Returns": "r"}
    for section in SECTIONS:
        chosen = [i for i in timeline.items if i.section == section]
        if not chosen:
            continue
        lines.append(f"    section {section}")
        for number, item in enumerate(chosen, start=1):
            data = [*item.tags, f"{ids[section]}{number}", item.start.isoformat()]
            data.append("0d" if item.milestone else item.end.isoformat())
            lines.append(f"    {mermaid_text(item.label)} :{', '.join(data)}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- from the database


def _ramp(uow: UnitOfWork, use_case: UseCase) -> Ramp:
    """The business case's ramp when the use case has one, else the framework's typical timeline."""
    from pilotgate.prioritisation.business_cases import ramp_months

    found = ramp_months(uow, use_case)
    if not found:
        return Ramp()
    early, measurable, full = found["early"], found["measurable"], found["full"]
    source = f"its business case (version {found['version']}, conservative ramp)"
    return Ramp(early, measurable, full, max(found["horizon"], full), source, found["start"])


def load(uow: UnitOfWork, use_case: UseCase) -> Timeline:
    """Gather the facts of one use case and build its timeline."""
    from pilotgate.gates import repository as reviews
    from pilotgate.usecases import service as usecases

    policy = usecases.policy_of(uow, use_case)
    stages = [
        StagePlan(
            s.id,
            s.title,
            s.expected_duration.min_weeks,
            s.expected_duration.max_weeks,
            s.operational,
            gate.number if (gate := policy.gate_from(s.id)) else None,
        )
        for s in policy.stages
    ]
    stays = [
        Stay(h.stage, h.entered_at.date(), h.left_at.date() if h.left_at else None)
        for h in usecases.stage_history(uow, use_case)
    ]
    events = [
        GateEvent(d.review.gate_number, d.kind, d.decided_at.date(), d.from_stage)
        for d in reviews.decisions_of(uow, use_case.id)
    ]
    review = reviews.open_review(uow, use_case.id)
    if review is not None:
        events.append(GateEvent(review.gate_number, "open", review.opened_at.date(), review.from_stage))
    start = min((s.entered for s in stays), default=use_case.created_at.date())
    today = uow.now().date()
    return build(
        key=use_case.key,
        title=use_case.title,
        stages=stages,
        stays=stays,
        events=events,
        status=use_case.status,
        today=today,
        start=start,
        ramp=_ramp(uow, use_case),
    )


def gantt_mermaid(uow: UnitOfWork, use_case: UseCase) -> str:
    """The use case's Gantt as Mermaid `gantt` text (sections Plan, Actual, Gates, Returns)."""
    return render_mermaid(load(uow, use_case))


def gantt_spec(uow: UnitOfWork, use_case: UseCase) -> dict[str, Any]:
    """The use case's Gantt as a Vega-Lite spec: planned against actual per stage, gates, today."""
    from pilotgate.prioritisation.charts import gantt_chart

    return gantt_chart(load(uow, use_case))


def timeline_dict(uow: UnitOfWork, use_case: UseCase) -> dict[str, Any]:
    """Everything at once, for the API and the page: the items, the Mermaid text and the spec."""
    from pilotgate.prioritisation.charts import gantt_chart

    found = load(uow, use_case)
    return {
        "use_case": found.key,
        "start": found.start.isoformat(),
        "today": found.today.isoformat(),
        "returns_from": found.ramp_source,
        "items": [
            {
                "section": i.section,
                "label": i.label,
                "start": i.start.isoformat(),
                "end": i.end.isoformat(),
                "tags": list(i.tags),
                "earliest_end": i.earliest.isoformat() if i.earliest else None,
            }
            for i in found.items
        ],
        "mermaid": render_mermaid(found),
        "vega_lite": gantt_chart(found),
    }


def timeline_panel(uow: UnitOfWork, use_case: UseCase) -> dict[str, Any]:
    """The use case page's timeline section."""
    data = timeline_dict(uow, use_case)
    late = [i["label"] for i in data["items"] if "crit" in i["tags"]]
    data["late"] = late
    return data
