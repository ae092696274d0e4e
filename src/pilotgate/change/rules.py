"""Change management rules: input validation, plan completeness and the two computed checks.

Pure: no database, web or CLI import. Like the funding checks, every judgement is made *as of* a
moment, so a gate decided in the past is judged on the change records kept by then: a plan or item
recorded later, or an item completed later, does not count yet.

A plan is for one **population** of users (e.g. "pilot", "full", or at Scale an additional
population such as "EMEA sales"). Plans flagged as an **expansion** are the Scale stage's
additional populations; every other plan is part of the change that Gate 3 judges.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, NamedTuple

KINDS = ("workflow_redesign", "training", "manager_briefing", "communication")
KIND_LABELS = {
    "workflow_redesign": "workflow redesign",
    "training": "training session",
    "manager_briefing": "manager briefing",
    "communication": "communication",
}
MAX_COUNT = 10_000_000  # more people than any one population holds; keeps the int columns safe
POPULATION_LIMIT = 80
COHORT_LIMIT = 64  # what the evidence layer's cohort column holds


# ---------------------------------------------------------------- validation


def parse_kind(value: str) -> str:
    kind = value.strip().lower().replace("-", "_").replace(" ", "_")
    if kind not in KINDS:
        raise ValueError(f"{value!r} is not one of {', '.join(KINDS)}")
    return kind


def parse_count(value: object, *, positive: bool = False) -> int:
    """A whole number of people: not negative (or, with `positive`, at least one)."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a whole number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value.strip())
    else:
        raise ValueError(f"{value!r} is not a whole number, e.g. 40")
    if number < 0:
        raise ValueError(f"{number} is negative; count people from 0 up")
    if positive and number == 0:
        raise ValueError("0 is not a population; give the number of users it holds (at least 1)")
    if number > MAX_COUNT:
        raise ValueError(f"{number:,} is more than pilotgate counts ({MAX_COUNT:,})")
    return number


def parse_day(value: date | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a date like 2027-01-31") from None


def due_problem(due: date, registered: date) -> str | None:
    """A due date before the use case existed ends before it starts."""
    if due < registered:
        return f"{due} is before the use case was registered ({registered}); give a later date"
    return None


def session_problem(session: date, due: date | None, registered: date) -> str | None:
    if session < registered:
        return f"{session} is before the use case was registered ({registered}); give a later date"
    if due is not None and session > due:
        return f"the session on {session} would be held after the item is due ({due}); move one of them"
    return None


# ---------------------------------------------------------------- the facts the checks read


@dataclass(frozen=True)
class Item:
    """A change item as the rules see it."""

    id: int
    kind: str
    title: str
    owner: str
    created_at: datetime
    due_date: date | None = None
    completed_at: datetime | None = None
    session_date: date | None = None
    attendance: int | None = None
    attendance_target: int | None = None

    def known_at(self, moment: datetime) -> bool:
        return self.created_at <= moment

    def done_at(self, moment: datetime) -> bool:
        return self.completed_at is not None and self.completed_at <= moment

    def overdue_on(self, moment: datetime) -> bool:
        return self.due_date is not None and not self.done_at(moment) and self.due_date < moment.date()

    def label(self) -> str:
        return f"#{self.id} {self.title!r}"


@dataclass(frozen=True)
class Plan:
    """A change plan for one population of a use case, with its items."""

    id: int
    population: str
    owner: str
    created_at: datetime
    expansion: bool = False
    cohort: str = ""
    target_users: int | None = None
    items: Sequence[Item] = field(default_factory=tuple)

    def known_at(self, moment: datetime) -> bool:
        return self.created_at <= moment

    def items_at(self, moment: datetime, kind: str | None = None) -> list[Item]:
        return [i for i in self.items if i.known_at(moment) and (kind is None or i.kind == kind)]


class CheckResult(NamedTuple):
    """A computed criterion's answer: met or not, one sentence why, and the records it rests on."""

    status: Literal["met", "not_met"]
    note: str
    detail: dict[str, object]


SECTION = "#h-change"


@dataclass(frozen=True)
class Training:
    """What the held training sessions of a plan add up to."""

    held: int
    scheduled: int
    attendance: int
    target: int

    @property
    def delivered(self) -> bool:
        """At least one session held, and attendance over the held sessions reaches their targets."""
        return self.held > 0 and self.attendance >= self.target

    def describe(self) -> str:
        if not self.held:
            planned = f"{self.scheduled} scheduled" if self.scheduled else "none planned"
            return f"no session held ({planned})"
        more = f", {self.scheduled} more scheduled" if self.scheduled else ""
        return f"{self.held} held, attendance {self.attendance} of target {self.target}{more}"


def training_of(plan: Plan, moment: datetime) -> Training:
    sessions = plan.items_at(moment, "training")
    held = [s for s in sessions if s.done_at(moment)]
    return Training(
        held=len(held),
        scheduled=len(sessions) - len(held),
        attendance=sum(s.attendance or 0 for s in held),
        target=sum(s.attendance_target or 0 for s in held),
    )


@dataclass(frozen=True)
class PlanStatus:
    """Whether one plan is complete as of a moment: what is missing, and the facts behind it."""

    population: str
    complete: bool
    missing: tuple[str, ...]
    facts: tuple[dict[str, object], ...]


def _count(done: int, total: int, verb: str = "complete") -> str:
    return f"{done} of {total} {verb}"


def plan_status(plan: Plan, moment: datetime) -> PlanStatus:
    """Complete when every workflow redesign item is done (and there is at least one), training is
    delivered (see `Training.delivered`) and at least one manager briefing is done.
    Communications are shown but never required."""
    name = plan.population
    redesign = plan.items_at(moment, "workflow_redesign")
    redesigned = [i for i in redesign if i.done_at(moment)]
    training = training_of(plan, moment)
    briefings = plan.items_at(moment, "manager_briefing")
    briefed = [i for i in briefings if i.done_at(moment)]
    messages = plan.items_at(moment, "communication")
    sent = [i for i in messages if i.done_at(moment)]
    missing: list[str] = []
    if not redesign:
        missing.append(f"{name}: no workflow redesign item is planned")
    elif len(redesigned) < len(redesign):
        open_items = ", ".join(i.label() for i in redesign if not i.done_at(moment))
        missing.append(f"{name}: workflow redesign {open_items} not complete")
    if not training.held:
        missing.append(f"{name}: no training session held yet")
    elif not training.delivered:
        missing.append(f"{name}: training attendance {training.attendance} is short of the target {training.target}")
    if not briefed:
        missing.append(f"{name}: no manager briefing complete" + ("" if briefings else " (none planned)"))
    facts: tuple[dict[str, object], ...] = (
        {
            "label": f"{name}: workflow redesign",
            "value": _count(len(redesigned), len(redesign)) if redesign else "none planned",
            "ok": bool(redesign) and len(redesigned) == len(redesign),
        },
        {"label": f"{name}: training", "value": training.describe(), "ok": training.delivered},
        {
            "label": f"{name}: manager briefings",
            "value": _count(len(briefed), len(briefings)) if briefings else "none planned",
            "ok": bool(briefed),
        },
        {
            "label": f"{name}: communications",
            "value": _count(len(sent), len(messages), "sent") if messages else "none planned",
            "ok": None,
        },
    )
    return PlanStatus(name, not missing, tuple(missing), facts)


# ---------------------------------------------------------------- the computed checks


def change_complete(plans: Sequence[Plan], *, now: datetime, key: str = "KEY") -> CheckResult:
    """Gate 3: every plan that is not an expansion (the pilot population and, if planned, the full
    rollout) is complete — workflow redesign done, training delivered, a manager briefing done."""
    known = [p for p in plans if p.known_at(now)]
    judged = [p for p in known if not p.expansion]
    later = [p for p in known if p.expansion]
    detail: dict[str, object] = {"section": SECTION, "plans": [p.id for p in judged]}
    if not judged:
        facts: list[dict[str, object]] = [{"label": "Change plan", "value": "none recorded", "ok": False}]
        detail["facts"] = facts + [_expansion_fact(p) for p in later]
        return CheckResult(
            "not_met",
            f"no change plan is recorded for {key}; start one with "
            f"`pilotgate change plan {key} --population pilot --owner EMAIL`",
            detail,
        )
    statuses = [plan_status(p, now) for p in judged]
    detail["facts"] = [fact for s in statuses for fact in s.facts] + [_expansion_fact(p) for p in later]
    missing = [reason for s in statuses for reason in s.missing]
    if missing:
        return CheckResult("not_met", "; ".join(missing), detail)
    summaries = []
    for plan in judged:
        training = training_of(plan, now)
        redesigned = len(plan.items_at(now, "workflow_redesign"))
        briefed = sum(1 for i in plan.items_at(now, "manager_briefing") if i.done_at(now))
        summaries.append(
            f"{plan.population}: {redesigned} workflow redesign item(s) complete, {training.held} training "
            f"session(s) held (attendance {training.attendance} of target {training.target}), "
            f"{briefed} manager briefing(s) done"
        )
    return CheckResult("met", "; ".join(summaries), detail)


def _expansion_fact(plan: Plan) -> dict[str, object]:
    return {"label": f"{plan.population} (expansion)", "value": "judged at Scale, not at Gate 3", "ok": None}


def populations_planned(plans: Sequence[Plan], *, now: datetime, key: str = "KEY") -> CheckResult:
    """Scale: every population in the use case's plans (expansions included) has at least one
    training session and one manager briefing planned."""
    known = [p for p in plans if p.known_at(now)]
    detail: dict[str, object] = {"section": SECTION, "plans": [p.id for p in known]}
    if not known:
        detail["facts"] = [{"label": "Change plan", "value": "none recorded", "ok": False}]
        return CheckResult(
            "not_met",
            f"no change plan is recorded for {key}; add one per user population with "
            f"`pilotgate change plan {key} --population NAME --owner EMAIL`",
            detail,
        )
    facts: list[dict[str, object]] = []
    missing: list[str] = []
    for plan in known:
        trainings = len(plan.items_at(now, "training"))
        briefings = len(plan.items_at(now, "manager_briefing"))
        facts.append(
            {
                "label": f"{plan.population}" + (" (expansion)" if plan.expansion else ""),
                "value": f"{trainings} training session(s), {briefings} manager briefing(s) planned",
                "ok": trainings > 0 and briefings > 0,
            }
        )
        lacking = [what for what, n in (("a training session", trainings), ("a manager briefing", briefings)) if not n]
        if lacking:
            missing.append(f"{plan.population} has no {' and no '.join(w.removeprefix('a ') for w in lacking)} planned")
    detail["facts"] = facts
    if missing:
        return CheckResult("not_met", "; ".join(missing), detail)
    names = ", ".join(p.population for p in known)
    return CheckResult("met", f"every population ({names}) has training and manager briefings planned", detail)
