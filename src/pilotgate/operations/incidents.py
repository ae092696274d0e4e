"""The incident log: open an incident (who handled it, and for which team), resolve it."""

from __future__ import annotations

from datetime import datetime

from pilotgate.audit import service as audit
from pilotgate.db.uow import UnitOfWork
from pilotgate.errors import Conflict, InvalidInput, NotFound
from pilotgate.operations import repository, rules, views
from pilotgate.operations.models import OpsIncident, OpsTeam
from pilotgate.operations.service import parsed, person, record, text
from pilotgate.usecases import service as usecases


def handled_by_team(team: rules.Team | None, email: str, asked: str | None) -> str:
    """Which team handled an incident: said explicitly, or derived from the person's membership of
    the owning team. `owning_team` needs them in it; the AI programme as owner is `ai_programme`."""
    choice = None
    if asked not in (None, ""):
        choice = parsed("team", lambda v: rules.parse_choice(v, rules.HANDLED_BY, "handling team"), asked)
    if choice == "ai_programme":
        return choice
    if team is None:
        raise InvalidInput(
            "team",
            "no owning team is recorded; record it first (`pilotgate ops team set`), or say the AI programme "
            "handled it (--team ai_programme)",
        )
    if team.is_programme:
        if choice == "owning_team":
            raise InvalidInput("team", f"the owning team {team.name} is the AI programme; use --team ai_programme")
        return "ai_programme"
    if team.includes(email):
        return "owning_team"
    raise InvalidInput(
        "team",
        f"{email} is not in the owning team {team.name}; add them to it (`pilotgate ops team set`), or say the "
        "AI programme handled it (--team ai_programme)",
    )


def open_incident(
    uow: UnitOfWork,
    *,
    key: str,
    severity: str,
    title: str,
    handled_by: str,
    actor: str,
    opened_at: datetime | str | None = None,
    team: str | None = None,
) -> OpsIncident:
    use_case = usecases.get_or_raise(uow, key)
    who = usecases.person_get_or_raise(uow, actor)
    now = uow.now()
    level = parsed("severity", lambda v: rules.parse_choice(v, rules.SEVERITIES, "severity"), severity)
    heading = text("title", title, 200)
    opened = now if opened_at in (None, "") else parsed("opened", rules.parse_moment, opened_at)
    if opened > now:
        raise InvalidInput("opened", f"{opened:%Y-%m-%d %H:%M} UTC is in the future; log an incident once it began")
    handler = person(uow, "handled-by", handled_by)
    current = repository.current(uow, OpsTeam, use_case.id, now)
    owner = repository.team_facts(current) if current is not None else None
    side = handled_by_team(owner, handler.email, team)
    row = OpsIncident(
        use_case_id=use_case.id, severity=level, title=heading, opened_at=opened, handled_by_id=handler.id,
        handled_by_team=side, team_name=owner.name if owner else "", resolution="", recorded_at=now,
        recorded_by=who.email,
    )  # fmt: skip
    uow.session.add(row)
    uow.session.flush()
    uow.session.refresh(row)
    record(uow, use_case, who.email, "incident_opened", "ops_incident", row.id, views.incident_dict(row))
    return row


def incident_get_or_raise(uow: UnitOfWork, key: str, incident_id: int) -> OpsIncident:
    use_case = usecases.get_or_raise(uow, key)
    row = uow.session.get(OpsIncident, incident_id)
    if row is None or row.use_case_id != use_case.id:
        raise NotFound(
            f"{use_case.key} has no incident #{incident_id}; see `pilotgate ops incident list {use_case.key}`"
        )
    return row


def resolve_incident(
    uow: UnitOfWork,
    *,
    key: str,
    incident_id: int,
    actor: str,
    resolved_at: datetime | str | None = None,
    resolution: str = "",
) -> OpsIncident:
    use_case = usecases.get_or_raise(uow, key)
    who = usecases.person_get_or_raise(uow, actor)
    row = incident_get_or_raise(uow, key, incident_id)
    if row.resolved_at is not None:
        raise Conflict(f"incident #{row.id} was already resolved at {row.resolved_at:%Y-%m-%d %H:%M} UTC")
    now = uow.now()
    moment = now if resolved_at in (None, "") else parsed("resolved", rules.parse_moment, resolved_at)
    if problem := rules.resolution_problem(row.opened_at, moment, now):
        raise InvalidInput("resolved", problem)
    before = views.incident_dict(row)
    row.resolved_at = moment
    row.resolution = text("resolution", resolution, 4000, required=False)
    row.resolved_by = who.email
    uow.session.flush()
    audit.record(
        uow, actor=who.email, action="operations.incident_resolved", entity_type="ops_incident", entity_id=row.id,
        use_case_key=use_case.key, before=before, after=views.incident_dict(row),
    )  # fmt: skip
    return row
