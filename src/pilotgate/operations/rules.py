"""AI operations rules: input validation, the records as the rules see them, and the state of a
use case's operations as of a moment (current team, today's on-call, MTTR, retraining due).

Pure: no database, web or CLI import. Everything is judged *as of* a moment, so a gate decided in
the past is judged on the operations records known by then.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

TEAM_KINDS = ("ai_programme", "business_unit", "ai_ops")
TEAM_KIND_TITLES = {
    "ai_programme": "the AI programme",
    "business_unit": "a business-unit team",
    "ai_ops": "an AI operations team",
}
HANDLED_BY = ("owning_team", "ai_programme")
SEVERITIES = ("sev1", "sev2", "sev3", "sev4")
OUTCOMES = ("passed", "failed")
MAX_CADENCE_DAYS = 3650
WINDOW_DAYS = 90  # MTTR, recent drills and recent incidents look back this far


# ---------------------------------------------------------------- validation


def parse_day(value: date | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a date like 2027-01-31") from None


def parse_moment(value: datetime | str) -> datetime:
    """An ISO 8601 moment, e.g. 2027-01-31T14:05 or 2027-01-31T14:05:00+02:00; naive means UTC."""
    if isinstance(value, datetime):
        moment = value
    else:
        text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"{value!r} is not a moment like 2027-01-31T14:05 (UTC) or 2027-01-31T14:05+02:00"
            ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def parse_choice(value: str, choices: Sequence[str], what: str) -> str:
    cleaned = value.strip().lower().replace("-", "_")
    if what == "severity" and cleaned in ("1", "2", "3", "4"):
        cleaned = f"sev{cleaned}"
    if cleaned not in choices:
        raise ValueError(f"{value!r} is not a {what}; use one of {', '.join(choices)}")
    return cleaned


def parse_cadence(value: int | str) -> int:
    try:
        days = int(str(value).strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a number of days, e.g. 30") from None
    if not 1 <= days <= MAX_CADENCE_DAYS:
        raise ValueError(f"{days} is not between 1 and {MAX_CADENCE_DAYS} days")
    return days


def not_after(day: date, today: date, what: str) -> str | None:
    if day > today:
        return f"{what} {day} is in the future (today is {today}); record it once it happened"
    return None


def period_problem(start: date, end: date | None) -> str | None:
    if end is not None and end < start:
        return f"the rotation ends on {end}, before it starts on {start}"
    return None


def resolution_problem(opened_at: datetime, resolved_at: datetime, now: datetime) -> str | None:
    if resolved_at < opened_at:
        return f"resolved at {_moment(resolved_at)}, before the incident was opened at {_moment(opened_at)}"
    if resolved_at > now:
        return f"resolved at {_moment(resolved_at)}, which is in the future (now is {_moment(now)})"
    return None


def url_problem(url: str) -> str | None:
    if not url.startswith(("https://", "http://")) or len(url) > 2000 or any(c.isspace() for c in url):
        return f"{url[:80]!r} is not an http(s) URL of at most 2000 characters"
    return None


def _moment(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


# ---------------------------------------------------------------- the records as the rules see them


@dataclass(frozen=True)
class Team:
    """The team that owns and operates the system; `members` holds the lead too."""

    id: int
    name: str
    business_unit: str
    kind: str
    lead: str
    members: frozenset[str]
    recorded_at: datetime

    @property
    def is_programme(self) -> bool:
        return self.kind == "ai_programme"

    def includes(self, email: str) -> bool:
        return email == self.lead or email in self.members

    def title(self) -> str:
        return f"{self.name} ({self.business_unit}, {TEAM_KIND_TITLES[self.kind]})"


@dataclass(frozen=True)
class OnCall:
    id: int
    person: str
    level: int  # escalation order: 1 answers first
    starts_on: date
    ends_on: date | None
    recorded_at: datetime

    def covers(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


@dataclass(frozen=True)
class Runbook:
    id: int
    artifact_id: int | None
    url: str | None
    last_reviewed: date | None
    recorded_at: datetime

    def where(self) -> str:
        return f"artifact #{self.artifact_id}" if self.artifact_id is not None else str(self.url)


@dataclass(frozen=True)
class Monitoring:
    id: int
    description: str
    alerting: bool
    automated: bool
    connector_id: int | None
    recorded_at: datetime


@dataclass(frozen=True)
class Incident:
    id: int
    severity: str
    title: str
    opened_at: datetime
    resolved_at: datetime | None
    handled_by: str
    handled_by_team: str  # owning_team | ai_programme

    def open_at(self, now: datetime) -> bool:
        return self.resolved_at is None or self.resolved_at > now


@dataclass(frozen=True)
class Drill:
    id: int
    held_on: date
    scenario: str
    outcome: str
    participants: tuple[str, ...]
    recorded_at: datetime


@dataclass(frozen=True)
class Retraining:
    id: int
    retrained_on: date
    automated: bool
    recorded_at: datetime


@dataclass(frozen=True)
class Cadence:
    days: int
    recorded_at: datetime


@dataclass(frozen=True)
class Records:
    """Everything recorded about a use case's operations (of any time: `as_of` picks what counts)."""

    teams: Sequence[Team] = ()
    oncall: Sequence[OnCall] = ()
    runbooks: Sequence[Runbook] = ()
    monitoring: Sequence[Monitoring] = ()
    incidents: Sequence[Incident] = ()
    drills: Sequence[Drill] = ()
    cadences: Sequence[Cadence] = ()
    retrainings: Sequence[Retraining] = ()
    drift_notes: int = 0  # how many drift notes are known as of the moment (the service counts them)
    marks: Mapping[str, str] = field(default_factory=dict)  # readiness check id -> status, as of the moment


Dated = TypeVar("Dated", Team, Runbook, Monitoring, Cadence)


def _latest(rows: Sequence[Dated], now: datetime) -> Dated | None:
    """The newest row recorded by `now`; of rows recorded at the same moment, the last (rows come in
    the order they were written)."""
    found = None
    for row in rows:
        if row.recorded_at <= now and (found is None or row.recorded_at >= found.recorded_at):
            found = row
    return found


@dataclass(frozen=True)
class Retrain:
    """Where retraining stands: the cadence, the last retraining, when the next is due."""

    cadence_days: int | None
    last: Retraining | None
    next_due: date | None
    overdue: bool
    days_overdue: int


@dataclass(frozen=True)
class State:
    """A use case's operations as of `now`."""

    now: datetime
    team: Team | None
    on_call: tuple[OnCall, ...]  # covering today, by escalation order
    runbook: Runbook | None
    monitoring: Monitoring | None
    incidents: tuple[Incident, ...]  # opened by now, newest first
    drills: tuple[Drill, ...]  # held by today, newest first
    retrain: Retrain
    drift_notes: int
    marks: Mapping[str, str]

    @property
    def today(self) -> date:
        return self.now.date()

    def open_incidents(self) -> list[Incident]:
        return [i for i in self.incidents if i.open_at(self.now)]

    def recent_passed_drill(self, days: int = WINDOW_DAYS) -> Drill | None:
        since = self.today - timedelta(days=days)
        return next((d for d in self.drills if d.outcome == "passed" and d.held_on >= since), None)

    def escalation_people(self) -> list[str]:
        """Distinct people on today's rotation, first escalation level first."""
        seen: list[str] = []
        for entry in self.on_call:
            if entry.person not in seen:
                seen.append(entry.person)
        return seen


def retraining_due(cadences: Sequence[Cadence], retrainings: Sequence[Retraining], now: datetime) -> Retrain:
    """The next retraining is due a cadence after the last one (or after the cadence was set)."""
    today = now.date()
    cadence = _latest(cadences, now)
    done = [r for r in retrainings if r.recorded_at <= now and r.retrained_on <= today]
    last = max(done, key=lambda r: (r.retrained_on, r.id)) if done else None
    if cadence is None:
        return Retrain(None, last, None, False, 0)
    start = last.retrained_on if last is not None else cadence.recorded_at.date()
    due = start + timedelta(days=cadence.days)
    late = max(0, (today - due).days)
    return Retrain(cadence.days, last, due, late > 0, late)


def as_of(records: Records, now: datetime) -> State:
    today = now.date()
    on_call = sorted(
        (e for e in records.oncall if e.recorded_at <= now and e.covers(today)), key=lambda e: (e.level, e.id)
    )
    incidents = sorted((i for i in records.incidents if i.opened_at <= now), key=lambda i: i.opened_at, reverse=True)
    drills = sorted(
        (d for d in records.drills if d.recorded_at <= now and d.held_on <= today),
        key=lambda d: (d.held_on, d.id),
        reverse=True,
    )
    return State(
        now=now,
        team=_latest(records.teams, now),
        on_call=tuple(on_call),
        runbook=_latest(records.runbooks, now),
        monitoring=_latest(records.monitoring, now),
        incidents=tuple(incidents),
        drills=tuple(drills),
        retrain=retraining_due(records.cadences, records.retrainings, now),
        drift_notes=records.drift_notes,
        marks=records.marks,
    )


# ---------------------------------------------------------------- incidents: MTTR


@dataclass(frozen=True)
class Mttr:
    """Mean time to resolve of the incidents resolved in the window, and how many are open now."""

    window_days: int
    resolved: int
    minutes: float | None
    open: int

    def shown(self) -> str:
        return duration(self.minutes) if self.minutes is not None else "—"


def mttr(incidents: Sequence[Incident], now: datetime, window_days: int = WINDOW_DAYS) -> Mttr:
    since = now - timedelta(days=window_days)
    resolved = [
        i for i in incidents if i.resolved_at is not None and since <= i.resolved_at <= now and i.opened_at <= now
    ]
    still_open = sum(1 for i in incidents if i.opened_at <= now and i.open_at(now))
    if not resolved:
        return Mttr(window_days, 0, None, still_open)
    total = sum(((i.resolved_at or i.opened_at) - i.opened_at).total_seconds() for i in resolved)
    return Mttr(window_days, len(resolved), round(total / len(resolved) / 60, 1), still_open)


def duration(minutes: float) -> str:
    """A duration for people: 45 min, 3 h 20 min, 2 d 4 h."""
    whole = round(minutes)
    if whole < 60:
        return f"{whole} min"
    hours, rest = divmod(whole, 60)
    if hours < 48:
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"
