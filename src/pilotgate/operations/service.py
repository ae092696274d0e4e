"""Recording a use case's operations: owning team, on-call, runbook, monitoring, drills,
retraining, drift notes and readiness marks. Incidents are in incidents.py.

Every write validates everything first and changes nothing on a refusal; every write is an audit
event (`operations.*`) with the record as it was after the change. Settings (team, runbook,
monitoring, cadence, marks) are appended as dated rows, so a past gate keeps its facts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import select

from pilotgate.audit import service as audit
from pilotgate.db.uow import UnitOfWork
from pilotgate.errors import InvalidInput, NotFound
from pilotgate.evidence.models import ConnectorConfigRow
from pilotgate.gates.models import Artifact, Review
from pilotgate.operations import readiness, repository, rules, views
from pilotgate.operations.models import (
    OpsDriftNote,
    OpsDrill,
    OpsDrillParticipant,
    OpsMonitoring,
    OpsOnCall,
    OpsReadinessMark,
    OpsRetrainCadence,
    OpsRetraining,
    OpsRunbook,
    OpsTeam,
    OpsTeamMember,
)
from pilotgate.usecases import service as usecases
from pilotgate.usecases.models import Person, UseCase

Parsed = TypeVar("Parsed")
Added = TypeVar("Added")
TEXT_LIMIT = 4000
MAX_LEVEL = 9


# ---------------------------------------------------------------- shared validation


def text(field: str, value: str, limit: int = TEXT_LIMIT, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise InvalidInput(field, "must not be empty")
    if len(value) > limit:
        raise InvalidInput(field, f"is {len(value)} characters long; at most {limit} are allowed")
    return value


def parsed(field: str, parse: Callable[[Any], Parsed], value: Any) -> Parsed:
    try:
        return parse(value)
    except ValueError as error:
        raise InvalidInput(field, str(error)) from None


def day(uow: UnitOfWork, field: str, value: date | str | None, *, what: str) -> date:
    """A day no later than today (today when not given)."""
    today = uow.now().date()
    found: date = today if value is None or value == "" else parsed(field, rules.parse_day, value)
    if problem := rules.not_after(found, today, what):
        raise InvalidInput(field, problem)
    return found


def person(uow: UnitOfWork, field: str, email: str) -> Person:
    try:
        return usecases.person_get_or_raise(uow, email)
    except NotFound as error:
        raise NotFound(f"{field}: {error.message}") from None


def record(uow: UnitOfWork, use_case: UseCase, actor: str, action: str, entity: str, row_id: int, after: Any) -> None:
    audit.record(
        uow, actor=actor, action=f"operations.{action}", entity_type=entity, entity_id=row_id,
        use_case_key=use_case.key, after=after,
    )  # fmt: skip


def _added(uow: UnitOfWork, row: Added) -> Added:
    uow.session.add(row)
    uow.session.flush()
    uow.session.refresh(row)
    return row


def may_write(uow: UnitOfWork, use_case: UseCase, email: str) -> bool:
    """Whether someone outside the programme's leads may record operations of this use case: anyone
    named to a role on it, or in its current owning team."""
    if any(a.person.email == email for a in use_case.assignments):
        return True
    team = repository.current(uow, OpsTeam, use_case.id, uow.now())
    return team is not None and repository.team_facts(team).includes(email)


# ---------------------------------------------------------------- the owning team


def set_team(
    uow: UnitOfWork,
    *,
    key: str,
    name: str,
    kind: str,
    lead: str,
    actor: str,
    business_unit: str | None = None,
    members: Iterable[str] = (),
) -> OpsTeam:
    """Record the team that owns and operates the system from now on (its lead is a member)."""
    use_case = usecases.get_or_raise(uow, key)
    who = usecases.person_get_or_raise(uow, actor)
    kind = parsed("kind", lambda v: rules.parse_choice(v, rules.TEAM_KINDS, "team kind"), kind)
    team_name = text("name", name, 120)
    unit = text("business-unit", business_unit if business_unit else use_case.business_unit, 120)
    leader = person(uow, "lead", lead)
    people: dict[int, Person] = {}
    for email in members:
        if email.strip():
            found = person(uow, "member", email)
            people.setdefault(found.id, found)
    people.pop(leader.id, None)
    row = OpsTeam(
        use_case_id=use_case.id, name=team_name, business_unit=unit, kind=kind, lead_id=leader.id,
        recorded_at=uow.now(), recorded_by=who.email,
    )  # fmt: skip
    _added(uow, row)
    for member in people.values():
        uow.session.add(OpsTeamMember(team_id=row.id, person_id=member.id))
    uow.session.flush()
    uow.session.refresh(row)
    record(uow, use_case, who.email, "team_set", "ops_team", row.id, views.team_dict(row))
    return row


# ---------------------------------------------------------------- on-call


def add_oncall(
    uow: UnitOfWork,
    *,
    key: str,
    email: str,
    actor: str,
    level: int | str = 1,
    starts_on: date | str | None = None,
    ends_on: date | str | None = None,
) -> OpsOnCall:
    """Put someone on the rotation at an escalation level (1 answers first) over a period."""
    use_case = usecases.get_or_raise(uow, key)
    who = usecases.person_get_or_raise(uow, actor)
    try:
        order = int(str(level).strip())
    except ValueError:
        raise InvalidInput("level", f"{level!r} is not an escalation level 1 to {MAX_LEVEL}") from None
    if not 1 <= order <= MAX_LEVEL:
        raise InvalidInput("level", f"{order} is not an escalation level 1 to {MAX_LEVEL} (1 answers first)")
    start = uow.now().date() if starts_on in (None, "") else parsed("from", rules.parse_day, starts_on)
    end = None if ends_on in (None, "") else parsed("to", rules.parse_day, ends_on)
    if problem := rules.period_problem(start, end):
        raise InvalidInput("to", problem)
    on_call = person(uow, "person", email)
    row = _added(
        uow,
        OpsOnCall(
            use_case_id=use_case.id, person_id=on_call.id, level=order, starts_on=start, ends_on=end,
            recorded_at=uow.now(), recorded_by=who.email,
        ),
    )  # fmt: skip
    record(uow, use_case, who.email, "oncall_added", "ops_oncall", row.id, views.oncall_dict(row))
    return row


# ---------------------------------------------------------------- runbook and monitoring


def set_runbook(
    uow: UnitOfWork,
    *,
    key: str,
    actor: str,
    artifact_id: int | None = None,
    url: str | None = None,
    last_reviewed: date | str | None = None,
) -> OpsRunbook:
    """Say where the runbook is: an artifact attached at one of the use case's gates, or a URL."""
    use_case = usecases.get_or_raise(uow, key)
    who = usecases.person_get_or_raise(uow, actor)
    link = (url or "").strip() or None
    if (artifact_id is None) == (link is None):
        raise InvalidInput("runbook", "give either an attached artifact's id (--artifact) or a URL (--url), not both")
    if link is not None and (problem := rules.url_problem(link)):
        raise InvalidInput("url", problem)
    if artifact_id is not None:
        owner = uow.session.scalar(
            select(Review.use_case_id).join(Artifact, Artifact.review_id == Review.id).where(Artifact.id == artifact_id)
        )
        if owner != use_case.id:
            raise InvalidInput(
                "artifact", f"#{artifact_id} is not an artifact attached at {use_case.key}'s gates; attach it first"
            )
    reviewed = None if last_reviewed in (None, "") else day(uow, "reviewed", last_reviewed, what="the review on")
    row = _added(
        uow,
        OpsRunbook(
            use_case_id=use_case.id, artifact_id=artifact_id, url=link, last_reviewed=reviewed,
            recorded_at=uow.now(), recorded_by=who.email,
        ),
    )  # fmt: skip
    record(uow, use_case, who.email, "runbook_set", "ops_runbook", row.id, views.runbook_dict(row))
    return row


def set_monitoring(
    uow: UnitOfWork,
    *,
    key: str,
    description: str,
    actor: str,
    alerting: bool = False,
    automated: bool = False,
    connector_id: int | None = None,
) -> OpsMonitoring:
    """Describe how the system is monitored, optionally fed by one of its evidence connectors."""
    use_case = usecases.get_or_raise(uow, key)
    who = usecases.person_get_or_raise(uow, actor)
    what = text("description", description)
    if connector_id is not None:
        connector = uow.session.get(ConnectorConfigRow, connector_id)
        if connector is None or connector.use_case_id != use_case.id:
            raise InvalidInput(
                "connector",
                f"#{connector_id} is not a connector of {use_case.key}; see `pilotgate connector list`",
            )
    row = _added(
        uow,
        OpsMonitoring(
            use_case_id=use_case.id, description=what, alerting=bool(alerting), automated=bool(automated),
            connector_id=connector_id, recorded_at=uow.now(), recorded_by=who.email,
        ),
    )  # fmt: skip
    record(uow, use_case, who.email, "monitoring_set", "ops_monitoring", row.id, views.monitoring_dict(row))
    return row


# ---------------------------------------------------------------- drills, retraining, drift


def add_drill(
    uow: UnitOfWork,
    *,
    key: str,
    scenario: str,
    outcome: str,
    participants: Iterable[str],
    actor: str,
    held_on: date | str | None = None,
    note: str = "",
) -> OpsDrill:
    """Record an incident-response drill that was held, with who took part and whether it passed."""
    use_case = usecases.get_or_raise(uow, key)
    who = usecases.person_get_or_raise(uow, actor)
    result = parsed("outcome", lambda v: rules.parse_choice(v, rules.OUTCOMES, "drill outcome"), outcome)
    held = day(uow, "on", held_on, what="the drill on")
    what = text("scenario", scenario, 2000)
    people: dict[int, Person] = {}
    for email in participants:
        if email.strip():
            found = person(uow, "participant", email)
            people.setdefault(found.id, found)
    if not people:
        raise InvalidInput("participant", "name at least one person who took part in the drill")
    row = _added(
        uow,
        OpsDrill(
            use_case_id=use_case.id, held_on=held, scenario=what, outcome=result,
            note=text("note", note, 2000, required=False), recorded_at=uow.now(), recorded_by=who.email,
        ),
    )  # fmt: skip
    for participant in people.values():
        uow.session.add(OpsDrillParticipant(drill_id=row.id, person_id=participant.id))
    uow.session.flush()
    uow.session.refresh(row)
    record(uow, use_case, who.email, "drill_added", "ops_drill", row.id, views.drill_dict(row))
    return row


def set_cadence(uow: UnitOfWork, *, key: str, days: int | str, actor: str) -> OpsRetrainCadence:
    use_case = usecases.get_or_raise(uow, key)
    who = usecases.person_get_or_raise(uow, actor)
    every = parsed("days", rules.parse_cadence, days)
    row = _added(
        uow, OpsRetrainCadence(use_case_id=use_case.id, days=every, recorded_at=uow.now(), recorded_by=who.email)
    )
    record(uow, use_case, who.email, "cadence_set", "ops_retrain_cadence", row.id, {"days": every})
    return row


def record_retraining(
    uow: UnitOfWork,
    *,
    key: str,
    actor: str,
    retrained_on: date | str | None = None,
    automated: bool = False,
    note: str = "",
) -> OpsRetraining:
    use_case = usecases.get_or_raise(uow, key)
    who = usecases.person_get_or_raise(uow, actor)
    on = day(uow, "on", retrained_on, what="the retraining on")
    row = _added(
        uow,
        OpsRetraining(
            use_case_id=use_case.id, retrained_on=on, automated=bool(automated),
            note=text("note", note, 2000, required=False), recorded_at=uow.now(), recorded_by=who.email,
        ),
    )  # fmt: skip
    record(uow, use_case, who.email, "retrained", "ops_retraining", row.id, views.retraining_dict(row))
    return row


def add_drift_note(
    uow: UnitOfWork, *, key: str, note: str, actor: str, noted_on: date | str | None = None
) -> OpsDriftNote:
    use_case = usecases.get_or_raise(uow, key)
    who = usecases.person_get_or_raise(uow, actor)
    on = day(uow, "on", noted_on, what="the note's date")
    row = _added(
        uow,
        OpsDriftNote(
            use_case_id=use_case.id, noted_on=on, text=text("text", note), author_id=who.id, recorded_at=uow.now()
        ),
    )
    record(uow, use_case, who.email, "drift_noted", "ops_drift_note", row.id, views.drift_dict(row))
    return row


def set_check(uow: UnitOfWork, *, key: str, check: str, status: str, actor: str, note: str = "") -> OpsReadinessMark:
    """Mark one readiness (ML Test Score) check as not_done, manual or automated."""
    use_case = usecases.get_or_raise(uow, key)
    who = usecases.person_get_or_raise(uow, actor)
    check_id = parsed("check", readiness.parse_check, check)
    mark = parsed("status", readiness.parse_status, status)
    row = _added(
        uow,
        OpsReadinessMark(
            use_case_id=use_case.id, check_id=check_id, status=mark, note=text("note", note, 2000, required=False),
            recorded_at=uow.now(), recorded_by=who.email,
        ),
    )  # fmt: skip
    record(uow, use_case, who.email, "check_set", "ops_readiness_mark", row.id, views.mark_dict(row))
    return row
