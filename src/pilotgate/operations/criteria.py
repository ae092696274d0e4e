"""The three computed gate checks of AI operations, and the readiness rubric as of a moment.

- `operations.ready` (Gate 3, operations readiness): monitoring with alerting, an escalation path
  of at least two people on call today, a runbook, a passed incident-response drill in the last 90
  days, and an ML Test Score of at least readiness.READY_SCORE.
- `operations.owned` (Gate 4, operations ownership): an owning team that is not the AI programme,
  with a named lead, today's on-call all from that team, and its accepted handover.
- `operations.sustainable` (Gate 4, sustainability): the owning team is not the AI programme, the
  last three incidents of the last 90 days were all handled by it, retraining is not overdue,
  monitoring is automated, and no sev1 or sev2 incident is open.

Pure: no database, web or CLI import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any, Literal, NamedTuple

from pilotgate.operations import readiness
from pilotgate.operations.rules import WINDOW_DAYS, State

SECTION = "#h-operations"
LAST_INCIDENTS = 3
BLOCKING_SEVERITIES = ("sev1", "sev2")


class CheckResult(NamedTuple):
    """A computed criterion's answer: met or not, one sentence why, and the records it rests on."""

    status: Literal["met", "not_met"]
    note: str
    detail: dict[str, object]


@dataclass(frozen=True)
class Handover:
    """An accepted ownership handover (recorded by pilotgate.handover)."""

    accepted_at: datetime
    accepted_by: str
    team: str
    business_unit: str = ""


def _fact(label: str, value: str, ok: bool | None) -> dict[str, object]:
    return {"label": label, "value": value, "ok": ok}


def _result(facts: list[dict[str, object]], missing: list[str], met: str, **extra: object) -> CheckResult:
    detail: dict[str, object] = {"facts": facts, "section": SECTION, **extra}
    if missing:
        return CheckResult("not_met", "; ".join(missing), detail)
    return CheckResult("met", met, detail)


# ---------------------------------------------------------------- the rubric as of a moment


def signals(state: State) -> readiness.Signals:
    monitoring = state.monitoring
    alerting = monitoring is not None and monitoring.alerting
    return readiness.Signals(
        alerting=alerting,
        automated_monitoring_with_connector=alerting
        and monitoring is not None
        and monitoring.automated
        and monitoring.connector_id is not None,
        cadence_set=state.retrain.cadence_days is not None,
        retraining_on_cadence=state.retrain.cadence_days is not None and not state.retrain.overdue,
        last_retraining_automated=state.retrain.last is not None and state.retrain.last.automated,
        passed_drill_recently=state.recent_passed_drill() is not None,
        drift_notes=state.drift_notes > 0,
    )


def rubric(state: State) -> dict[str, Any]:
    return readiness.score(state.marks, readiness.derive(signals(state)))


def _rubric_score(state: State) -> dict[str, Any]:
    """The rubric as a gate check reads it (never changed by the reader): most use cases share
    their marks and derived signals, so ten thousand checks score a few distinct rubrics."""
    derived = readiness.derive(signals(state))
    return _scored(tuple(sorted(state.marks.items())), tuple(sorted(derived.items())))


@lru_cache(maxsize=256)
def _scored(marks: tuple[tuple[str, str], ...], derived: tuple[tuple[str, readiness.Derived], ...]) -> dict[str, Any]:
    return readiness.score(dict(marks), dict(derived))


def _sections(score: dict[str, Any]) -> str:
    parts = ", ".join(f"{s['id']} {s['score']:g}" for s in score["sections"])
    return f"{score['score']:g} (the lowest section; {parts})"


# ---------------------------------------------------------------- operations.ready


def ready(state: State, key: str = "KEY") -> CheckResult:
    facts: list[dict[str, object]] = []
    missing: list[str] = []
    monitoring = state.monitoring
    if monitoring is None:
        facts.append(_fact("Monitoring with alerting", "none recorded", False))
        missing.append(f"no monitoring is recorded (`pilotgate ops monitoring set {key} --alerting …`)")
    else:
        alerting = "alerting configured" if monitoring.alerting else "no alerting"
        facts.append(_fact("Monitoring with alerting", f"{monitoring.description} ({alerting})", monitoring.alerting))
        if not monitoring.alerting:
            missing.append(
                f"the monitoring has no alerting configured (`pilotgate ops monitoring set {key} --alerting`)"
            )
    people = state.escalation_people()
    levels = {entry.level for entry in state.on_call}
    path = ", ".join(f"{e.level}. {e.person}" for e in state.on_call) or "nobody on call today"
    escalates = len(people) >= 2 and len(levels) >= 2
    facts.append(_fact("On-call escalation path today", path, escalates))
    if not escalates:
        missing.append(
            f"today's on-call has {len(people)} person(s) over {len(levels)} escalation level(s); an escalation "
            f"path needs two people at two levels (`pilotgate ops oncall add {key} EMAIL --level 2 …`)"
        )
    runbook = state.runbook
    if runbook is None:
        facts.append(_fact("Runbook", "none recorded", False))
        missing.append(f"no runbook is recorded (`pilotgate ops runbook set {key} --url …` or `--artifact ID`)")
    else:
        reviewed = f", last reviewed {runbook.last_reviewed}" if runbook.last_reviewed else ""
        facts.append(_fact("Runbook", runbook.where() + reviewed, True))
    drill = state.recent_passed_drill()
    if drill is None:
        last = state.drills[0] if state.drills else None
        shown = f"last drill {last.held_on}: {last.outcome}" if last else "no drill recorded"
        facts.append(_fact(f"Passed incident-response drill in the last {WINDOW_DAYS} days", shown, False))
        missing.append(
            f"no incident-response drill passed since {state.today - timedelta(days=WINDOW_DAYS)} "
            f"(`pilotgate ops drill add {key} --outcome passed …`)"
        )
    else:
        shown = f"{drill.held_on}: {drill.scenario} (passed)"
        facts.append(_fact(f"Passed incident-response drill in the last {WINDOW_DAYS} days", shown, True))
    score = _rubric_score(state)
    enough = bool(score["ready"])
    facts.append(_fact(f"ML Test Score (at least {readiness.READY_SCORE:g})", _sections(score), enough))
    if not enough:
        weakest = " and ".join(score["weakest"])
        missing.append(
            f"the ML Test Score is {score['score']:g}, under {readiness.READY_SCORE:g} ({weakest} the weakest; "
            f"`pilotgate ops check set {key} CHECK manual|automated`)"
        )
    met = (
        f"monitoring with alerting, an escalation path of {len(people)} people on call, runbook "
        f"{runbook.where() if runbook else ''}, a drill passed on {drill.held_on if drill else ''} and an "
        f"ML Test Score of {score['score']:g}"
    )
    return _result(facts, missing, met, score=score["score"])


# ---------------------------------------------------------------- operations.owned


def _names_team(handover: Handover, state: State) -> bool:
    team = state.team
    if team is None:
        return False
    ours = {team.name.strip().casefold(), team.business_unit.strip().casefold()}
    theirs = {handover.team.strip().casefold(), handover.business_unit.strip().casefold()} - {""}
    return bool(ours & theirs)


def owned(state: State, handover: Handover | None, key: str = "KEY") -> CheckResult:
    facts: list[dict[str, object]] = []
    missing: list[str] = []
    team = state.team
    if team is None:
        facts.append(_fact("Owning team", "none recorded", False))
        missing.append(f"no owning team is recorded (`pilotgate ops team set {key} --name … --lead EMAIL …`)")
    else:
        facts.append(_fact("Owning team", team.title(), not team.is_programme))
        facts.append(_fact("Team lead", team.lead, True))
        if team.is_programme:
            missing.append(
                f"the owning team {team.name} is the AI programme itself; a business unit or AI ops team must own it"
            )
    on_call = state.escalation_people()
    outside = [p for p in on_call if team is None or not team.includes(p)]
    facts.append(
        _fact("On call today, all from the owning team", ", ".join(on_call) or "nobody", bool(on_call) and not outside)
    )
    if not on_call:
        missing.append(f"nobody is on call today (`pilotgate ops oncall add {key} EMAIL …`)")
    elif outside and team is not None:
        missing.append(f"{', '.join(outside)} on call today {'is' if len(outside) == 1 else 'are'} not in {team.name}")
    accepted = handover if handover is not None and handover.accepted_at <= state.now else None
    if accepted is None:
        facts.append(_fact("Accepted ownership handover", "none recorded", False))
        missing.append("no accepted ownership handover is recorded")
    else:
        shown = f"to {accepted.team}, accepted by {accepted.accepted_by} on {accepted.accepted_at.date()}"
        names = _names_team(accepted, state)
        facts.append(_fact("Accepted ownership handover", shown, names))
        if not names and team is not None:
            missing.append(f"the accepted handover names {accepted.team}, not the owning team {team.name}")
    met = (
        f"{team.name if team else ''} owns and operates it: {team.lead if team else ''} leads it, today's on-call "
        f"is its own, and it accepted the handover on {accepted.accepted_at.date() if accepted else ''}"
    )
    return _result(facts, missing, met)


# ---------------------------------------------------------------- operations.sustainable


def sustainable(state: State, key: str = "KEY") -> CheckResult:
    facts: list[dict[str, object]] = []
    missing: list[str] = []
    team = state.team
    independent = team is not None and not team.is_programme
    facts.append(_fact("Owning team is not the AI programme", team.title() if team else "none recorded", independent))
    if team is None:
        missing.append(f"no owning team is recorded (`pilotgate ops team set {key} …`)")
    elif team.is_programme:
        missing.append(f"the AI programme still owns it ({team.name})")
    since = state.now - timedelta(days=WINDOW_DAYS)
    recent = [i for i in state.incidents if i.opened_at >= since][:LAST_INCIDENTS]
    by_programme = [i for i in recent if i.handled_by_team != "owning_team"]
    shown = ", ".join(f"#{i.id} {i.handled_by} ({i.handled_by_team.replace('_', ' ')})" for i in recent)
    facts.append(
        _fact(
            f"Last {LAST_INCIDENTS} incidents of {WINDOW_DAYS} days handled by the owning team",
            shown or f"no incident in the last {WINDOW_DAYS} days",
            not by_programme,
        )
    )
    if by_programme:
        ids = ", ".join(f"#{i.id}" for i in by_programme)
        missing.append(f"incident(s) {ids} of the last {LAST_INCIDENTS} were handled by the AI programme")
    retrain = state.retrain
    if retrain.cadence_days is None:
        facts.append(_fact("Retraining on cadence", "no cadence set", False))
        missing.append(f"no retraining cadence is set (`pilotgate ops retrain set-cadence {key} DAYS`)")
    else:
        last = f"last {retrain.last.retrained_on}" if retrain.last else "never retrained"
        late = f", overdue by {retrain.days_overdue} days" if retrain.overdue else ""
        facts.append(
            _fact(
                "Retraining on cadence",
                f"every {retrain.cadence_days} days; {last}; next due {retrain.next_due}{late}",
                not retrain.overdue,
            )
        )
        if retrain.overdue:
            missing.append(
                f"retraining is overdue since {retrain.next_due} (`pilotgate ops retrain record {key} --on DATE`)"
            )
    monitoring = state.monitoring
    automated = monitoring is not None and monitoring.automated
    facts.append(
        _fact("Monitoring automated", "none recorded" if monitoring is None else monitoring.description, automated)
    )
    if not automated:
        missing.append(f"monitoring is not automated (`pilotgate ops monitoring set {key} --automated …`)")
    blocking = [i for i in state.open_incidents() if i.severity in BLOCKING_SEVERITIES]
    listed = ", ".join(f"#{i.id} {i.severity} {i.title}" for i in blocking)
    facts.append(_fact("No open sev1 or sev2 incident", listed or "none open", not blocking))
    if blocking:
        missing.append(f"{listed} {'is' if len(blocking) == 1 else 'are'} still open")
    met = (
        f"{team.name if team else ''} runs it without the AI programme: its last incidents were its own, "
        f"retraining is due {retrain.next_due}, monitoring is automated and no sev1/sev2 is open"
    )
    return _result(facts, missing, met)
