"""CLI: `pilotgate ops` — the owning team, on-call, runbook, monitoring, incidents, drills,
retraining, drift notes and the readiness rubric of a use case."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer

from pilotgate.cli_support import AS_OPTION, JSON_OPTION, acting_as, console, errors_rendered, print_json, remote
from pilotgate.cli_support import unit_of_work as local_unit
from pilotgate.operations import output

ops_app = typer.Typer(
    rich_markup_mode=None,
    help="AI operations: owning team, on-call, runbook, monitoring, incidents, drills, retraining, readiness.",
    no_args_is_help=True,
)
team_app = typer.Typer(rich_markup_mode=None, help="The team that owns and operates the system.", no_args_is_help=True)
oncall_app = typer.Typer(
    rich_markup_mode=None, help="The on-call rotation and its escalation path.", no_args_is_help=True
)
runbook_app = typer.Typer(rich_markup_mode=None, help="Where the runbook is.", no_args_is_help=True)
monitoring_app = typer.Typer(rich_markup_mode=None, help="Monitoring and alerting.", no_args_is_help=True)
incident_app = typer.Typer(rich_markup_mode=None, help="The incident log.", no_args_is_help=True)
drill_app = typer.Typer(rich_markup_mode=None, help="Incident-response drills.", no_args_is_help=True)
retrain_app = typer.Typer(rich_markup_mode=None, help="Retraining cadence and retrainings.", no_args_is_help=True)
drift_app = typer.Typer(rich_markup_mode=None, help="Drift notes.", no_args_is_help=True)
check_app = typer.Typer(rich_markup_mode=None, help="The readiness (ML Test Score) checks.", no_args_is_help=True)
for name, group in (
    ("team", team_app),
    ("oncall", oncall_app),
    ("runbook", runbook_app),
    ("monitoring", monitoring_app),
    ("incident", incident_app),
    ("drill", drill_app),
    ("retrain", retrain_app),
    ("drift", drift_app),
    ("check", check_app),
):
    ops_app.add_typer(group, name=name)

NOTE = typer.Option("", "--note", help="Context worth keeping with the record.")


def _send(
    method: str, path: str, body: dict[str, Any], act: Callable[..., Any], view: Callable[[Any], Any], **local: Any
) -> dict[str, Any]:
    """A write against the server (with --server), or `act(uow, **local)` on the local database; the
    record as plain data."""
    if client := remote():
        with errors_rendered():
            out: dict[str, Any] = client.post(path, json=body) if method == "post" else client.put(path, body)
        return out
    with local_unit() as uow:
        found: dict[str, Any] = view(act(uow, **local))
        return found


def _read(path: str, local: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    if client := remote():
        with errors_rendered():
            out: dict[str, Any] = client.get(path)
        return out
    with local_unit(read_only=True) as uow:
        return local(uow)


def _summary(key: str) -> dict[str, Any]:
    from pilotgate.operations import checks
    from pilotgate.usecases import service as usecases

    return _read(f"/use-cases/{key}/operations", lambda uow: checks.summary(uow, usecases.get_or_raise(uow, key)))


@team_app.command("set")
def team_set(
    key: str,
    name: str = typer.Option(..., "--name", help="The team's name, e.g. 'Finance AP Ops'."),
    kind: str = typer.Option(..., "--kind", help="ai_programme, business_unit or ai_ops."),
    lead: str = typer.Option(..., "--lead", help="E-mail of the team lead."),
    business_unit: str | None = typer.Option(
        None, "--business-unit", help="Its business unit (default: the use case's)."
    ),
    members: list[str] = typer.Option([], "--member", help="E-mail of a member; repeat for each."),
    actor: str | None = AS_OPTION,
) -> None:
    """Record the team that owns and operates the system from now on."""
    email = acting_as(actor)
    body: dict[str, Any] = {
        "name": name,
        "kind": kind,
        "lead": lead,
        "business_unit": business_unit,
        "members": members,
    }
    from pilotgate.operations import service, views

    path = f"/use-cases/{key}/operations/team"
    out = _send("put", path, body, service.set_team, views.team_dict, key=key, actor=email, **body)
    console().print(output.team_line(key.upper(), out))


@oncall_app.command("add")
def oncall_add(
    key: str,
    person: str,
    level: int = typer.Option(1, "--level", help="Escalation order: 1 answers first."),
    starts_on: str | None = typer.Option(None, "--from", help="First day on the rotation (default: today)."),
    ends_on: str | None = typer.Option(None, "--to", help="Last day on the rotation (default: open-ended)."),
    actor: str | None = AS_OPTION,
) -> None:
    """Put someone on the on-call rotation at an escalation level."""
    email = acting_as(actor)
    body: dict[str, Any] = {"person": person, "level": level, "starts_on": starts_on, "ends_on": ends_on}
    from pilotgate.operations import service, views

    local = {"key": key, "email": person, "level": level, "starts_on": starts_on, "ends_on": ends_on, "actor": email}
    out = _send("post", f"/use-cases/{key}/operations/oncall", body, service.add_oncall, views.oncall_dict, **local)
    until = out["to"] or "further notice"
    console().print(f"{key.upper()}: {out['person']} on call at level {out['level']} from {out['from']} to {until}")


@runbook_app.command("set")
def runbook_set(
    key: str,
    artifact: int | None = typer.Option(None, "--artifact", help="Id of an artifact attached at the use case's gates."),
    url: str | None = typer.Option(None, "--url", help="Where the runbook lives, e.g. https://wiki/…"),
    reviewed: str | None = typer.Option(None, "--reviewed", help="The day it was last reviewed."),
    actor: str | None = AS_OPTION,
) -> None:
    """Say where the runbook is: an attached artifact or a URL."""
    email = acting_as(actor)
    body: dict[str, Any] = {"artifact_id": artifact, "url": url, "last_reviewed": reviewed}
    from pilotgate.operations import service, views

    path = f"/use-cases/{key}/operations/runbook"
    out = _send("put", path, body, service.set_runbook, views.runbook_dict, key=key, actor=email, **body)
    console().print(output.runbook_line(key.upper(), out))


@monitoring_app.command("set")
def monitoring_set(
    key: str,
    description: str = typer.Option(..., "--description", help="What is watched, and how."),
    alerting: bool = typer.Option(False, "--alerting/--no-alerting", help="Whether alerts page someone."),
    automated: bool = typer.Option(False, "--automated/--by-hand", help="Automated, or looked at by hand."),
    connector: int | None = typer.Option(None, "--connector", help="Id of the use case's evidence connector."),
    actor: str | None = AS_OPTION,
) -> None:
    """Describe the monitoring, whether it alerts and whether it is automated."""
    email = acting_as(actor)
    body: dict[str, Any] = {
        "description": description,
        "alerting": alerting,
        "automated": automated,
        "connector_id": connector,
    }
    from pilotgate.operations import service, views

    path = f"/use-cases/{key}/operations/monitoring"
    out = _send("put", path, body, service.set_monitoring, views.monitoring_dict, key=key, actor=email, **body)
    console().print(output.monitoring_line(key.upper(), out))


@incident_app.command("open")
def incident_open(
    key: str,
    severity: str = typer.Option(..., "--severity", help="sev1 (worst) to sev4."),
    title: str = typer.Option(..., "--title", help="What happened, in a line."),
    handled_by: str = typer.Option(..., "--handled-by", help="E-mail of the person handling it."),
    opened_at: str | None = typer.Option(None, "--opened-at", help="When it began, e.g. 2027-01-31T14:05 (UTC)."),
    team: str | None = typer.Option(None, "--team", help="owning_team or ai_programme (default: from membership)."),
    actor: str | None = AS_OPTION,
) -> None:
    """Log an incident."""
    email = acting_as(actor)
    body: dict[str, Any] = {
        "severity": severity,
        "title": title,
        "handled_by": handled_by,
        "opened_at": opened_at,
        "team": team,
    }
    from pilotgate.operations import incidents, views

    path = f"/use-cases/{key}/operations/incidents"
    out = _send("post", path, body, incidents.open_incident, views.incident_dict, key=key, actor=email, **body)
    console().print(output.incident_line(key.upper(), out, "opened"))


@incident_app.command("resolve")
def incident_resolve(
    key: str,
    incident_id: int,
    resolved_at: str | None = typer.Option(None, "--resolved-at", help="When it was resolved (default: now)."),
    resolution: str = typer.Option("", "--resolution", help="What fixed it."),
    actor: str | None = AS_OPTION,
) -> None:
    """Resolve an open incident."""
    email = acting_as(actor)
    body: dict[str, Any] = {"resolved_at": resolved_at, "resolution": resolution}
    from pilotgate.operations import incidents, views

    path = f"/use-cases/{key}/operations/incidents/{incident_id}/resolve"
    local = {"key": key, "incident_id": incident_id, "actor": email, **body}
    out = _send("post", path, body, incidents.resolve_incident, views.incident_dict, **local)
    console().print(output.incident_line(key.upper(), out, "resolved"))


@incident_app.command("list")
def incident_list(key: str, as_json: bool = JSON_OPTION) -> None:
    """The incident log, newest first, with the MTTR and the open count."""
    out = _summary(key)
    if as_json:
        print_json({"use_case": out["use_case"], "mttr": out["mttr"], "incidents": out["incidents"]})
        return
    output.print_incidents(out)


@drill_app.command("add")
def drill_add(
    key: str,
    scenario: str = typer.Option(..., "--scenario", help="The failure rehearsed."),
    outcome: str = typer.Option(..., "--outcome", help="passed or failed."),
    participants: list[str] = typer.Option(..., "--participant", help="E-mail of a participant; repeat for each."),
    held_on: str | None = typer.Option(None, "--on", help="The day it was held (default: today)."),
    note: str = NOTE,
    actor: str | None = AS_OPTION,
) -> None:
    """Record an incident-response drill."""
    email = acting_as(actor)
    body: dict[str, Any] = {
        "scenario": scenario,
        "outcome": outcome,
        "participants": participants,
        "held_on": held_on,
        "note": note,
    }
    from pilotgate.operations import service, views

    path = f"/use-cases/{key}/operations/drills"
    out = _send("post", path, body, service.add_drill, views.drill_dict, key=key, actor=email, **body)
    console().print(
        f"{key.upper()}: drill #{out['id']} on {out['held_on']} {out['outcome']} ({len(out['participants'])} took part)"
    )


@retrain_app.command("set-cadence")
def retrain_cadence(key: str, days: int, actor: str | None = AS_OPTION) -> None:
    """Set how often the model is retrained, in days."""
    email = acting_as(actor)
    from pilotgate.operations import service

    path = f"/use-cases/{key}/operations/retraining/cadence"
    out = _send("put", path, {"days": days}, service.set_cadence, lambda row: {"days": row.days}, key=key, days=days,
                actor=email)  # fmt: skip
    console().print(f"{key.upper()}: retrained every {out['days']} days")


@retrain_app.command("record")
def retrain_record(
    key: str,
    retrained_on: str | None = typer.Option(None, "--on", help="The day it was retrained (default: today)."),
    automated: bool = typer.Option(False, "--automated/--by-hand", help="Run by a pipeline, or by hand."),
    note: str = NOTE,
    actor: str | None = AS_OPTION,
) -> None:
    """Record a retraining."""
    email = acting_as(actor)
    body: dict[str, Any] = {"retrained_on": retrained_on, "automated": automated, "note": note}
    from pilotgate.operations import service, views

    path = f"/use-cases/{key}/operations/retraining"
    out = _send("post", path, body, service.record_retraining, views.retraining_dict, key=key, actor=email, **body)
    how = "automated" if out["automated"] else "by hand"
    console().print(f"{key.upper()}: retrained on {out['retrained_on']} ({how})")


@drift_app.command("add")
def drift_add(
    key: str,
    text: str,
    noted_on: str | None = typer.Option(None, "--on", help="The day it was observed (default: today)."),
    actor: str | None = AS_OPTION,
) -> None:
    """Add a drift note."""
    email = acting_as(actor)
    from pilotgate.operations import service, views

    path = f"/use-cases/{key}/operations/drift-notes"
    local = {"key": key, "note": text, "noted_on": noted_on, "actor": email}
    out = _send("post", path, {"text": text, "noted_on": noted_on}, service.add_drift_note, views.drift_dict, **local)
    console().print(f"{key.upper()}: drift note #{out['id']} of {out['noted_on']} by {out['author']}")


@check_app.command("set")
def check_set(key: str, check: str, status: str, note: str = NOTE, actor: str | None = AS_OPTION) -> None:
    """Mark a readiness check (e.g. monitoring.skew) not_done, manual or automated."""
    email = acting_as(actor)
    from pilotgate.operations import service, views

    path = f"/use-cases/{key}/operations/readiness/{check}"
    local = {"key": key, "check": check, "status": status, "note": note, "actor": email}
    out = _send("put", path, {"status": status, "note": note}, service.set_check, views.mark_dict, **local)
    console().print(f"{key.upper()}: {out['check']} is {out['status'].replace('_', ' ')}")


@ops_app.command("show")
def ops_show(key: str, as_json: bool = JSON_OPTION) -> None:
    """Everything recorded about a use case's operations, and the three computed checks."""
    out = _summary(key)
    if as_json:
        print_json(out)
        return
    output.print_summary(out)


@ops_app.command("readiness")
def ops_readiness(key: str, as_json: bool = JSON_OPTION) -> None:
    """The readiness rubric: every check, each section's score and the overall (minimum) score."""
    from pilotgate.operations import checks
    from pilotgate.usecases import service as usecases

    out = _read(
        f"/use-cases/{key}/operations/readiness", lambda uow: checks.readiness(uow, usecases.get_or_raise(uow, key))
    )
    if as_json:
        print_json(out)
        return
    output.print_readiness(out)
