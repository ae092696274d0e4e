"""How `pilotgate ops` prints operations records (user content always escaped)."""

from __future__ import annotations

from typing import Any

from pilotgate.cli_support import console, escape, table

STYLE = {"met": "green", "not_met": "red", "passed": "green", "failed": "red"}
CHECK_TITLES = {
    "ready": "Gate 3 · operations readiness",
    "owned": "Gate 4 · operations ownership",
    "sustainable": "Gate 4 · sustainability",
}


def _styled(value: str) -> str:
    style = STYLE.get(value, "yellow")
    return f"[{style}]{value.replace('_', ' ')}[/{style}]"


def team_line(key: str, team: dict[str, Any]) -> str:
    others = [m for m in team["members"] if m != team["lead"]]
    members = f", with {', '.join(escape(m) for m in others)}" if others else ""
    kind = team["kind"].replace("_", " ")
    return (
        f"{key}: owned by {escape(team['name'])} ({escape(team['business_unit'])}, {kind}), "
        f"led by {escape(team['lead'])}{members}"
    )


def runbook_line(key: str, runbook: dict[str, Any]) -> str:
    where = f"artifact #{runbook['artifact_id']}" if runbook["artifact_id"] else escape(runbook["url"] or "")
    reviewed = f", last reviewed {runbook['last_reviewed']}" if runbook["last_reviewed"] else ""
    return f"{key}: runbook at {where}{reviewed}"


def monitoring_line(key: str, monitoring: dict[str, Any]) -> str:
    alerting = "alerting" if monitoring["alerting"] else "no alerting"
    automated = "automated" if monitoring["automated"] else "by hand"
    connector = f", connector #{monitoring['connector_id']}" if monitoring["connector_id"] else ""
    return f"{key}: monitoring — {escape(monitoring['description'])} ({alerting}, {automated}{connector})"


def incident_line(key: str, incident: dict[str, Any], what: str) -> str:
    line = (
        f"{key}: incident #{incident['id']} ({incident['severity']}) {what} — {escape(incident['title'])}, "
        f"handled by {escape(incident['handled_by'])} ({incident['handled_by_team'].replace('_', ' ')})"
    )
    if what == "resolved" and incident["minutes_to_resolve"] is not None:
        from pilotgate.operations.rules import duration

        line += f" in {duration(incident['minutes_to_resolve'])}"
    return line


def print_incidents(out: dict[str, Any]) -> None:
    screen = console()
    mttr = out["mttr"]
    screen.print(
        f"{out['use_case']}: MTTR {mttr['shown']} over {mttr['resolved']} incident(s) resolved in the last "
        f"{mttr['window_days']} days; {mttr['open']} open"
    )
    if not out["incidents"]:
        screen.print(f"No incident logged; log one with `pilotgate ops incident open {out['use_case']} …`")
        return
    grid = table("#", "Sev", "Title", "Opened", "Resolved", "Handled by")
    for column in grid.columns:
        column.overflow = "fold"
    for i in out["incidents"]:
        resolved = (i["resolved_at"] or "[red]open[/red]").replace("T", " ")
        who = f"{escape(i['handled_by'])} ({i['handled_by_team'].replace('_', ' ')})"
        grid.add_row(str(i["id"]), i["severity"], escape(i["title"]), i["opened_at"].replace("T", " "), resolved, who)
    screen.print(grid)


def print_summary(out: dict[str, Any]) -> None:
    screen = console()
    key = out["use_case"]
    screen.print(team_line(key, out["team"]) if out["team"] else f"{key}: no owning team recorded")
    current = [e for e in out["oncall"] if e["current"]]
    path = ", ".join(f"{e['level']}. {escape(e['person'])}" for e in current) or "nobody"
    screen.print(f"On call today: {path}")
    screen.print(runbook_line(key, out["runbook"]) if out["runbook"] else "No runbook recorded")
    screen.print(monitoring_line(key, out["monitoring"]) if out["monitoring"] else "No monitoring recorded")
    retrain = out["retraining"]
    if retrain["cadence_days"]:
        late = f" [red]overdue by {retrain['days_overdue']} days[/red]" if retrain["overdue"] else ""
        screen.print(
            f"Retraining every {retrain['cadence_days']} days; last {retrain['last'] or 'never'}; "
            f"next due {retrain['next_due']}{late}"
        )
    else:
        screen.print("No retraining cadence set")
    for drill in out["drills"][:3]:
        screen.print(f"Drill {drill['held_on']}: {escape(drill['scenario'])} — {_styled(drill['outcome'])}")
    for note in out["drift_notes"][:3]:
        screen.print(f"Drift {note['noted_on']} ({escape(note['author'])}): {escape(note['text'])}")
    print_incidents(out)
    score = out["readiness"]
    screen.print(f"ML Test Score: {score['score']:g} (lowest section: {', '.join(score['weakest'])}) — {score['band']}")
    for name, result in out["checks"].items():
        screen.print(f"{CHECK_TITLES[name]}: {_styled(result['status'])} — {escape(result['note'])}")


def print_readiness(out: dict[str, Any]) -> None:
    screen = console()
    grid = table("Check", "Title", "Recorded", "Derived from the records", "Counts")
    for column in grid.columns:
        column.overflow = "fold"
    for section in out["sections"]:
        grid.add_row(f"[bold]{section['title']}[/bold]", "", "", "", f"[bold]{section['score']:g}[/bold]")
        for row in section["checks"]:
            derived = f"{row['derived']} ({row['derived_from']})" if row["derived"] else ""
            grid.add_row(row["id"], row["title"], row["recorded"].replace("_", " "), derived, f"{row['points']:g}")
    screen.print(grid)
    verdict = "[green]ready[/green]" if out["ready"] else "[red]under the bar[/red]"
    screen.print(
        f"{out['use_case']}: ML Test Score {out['score']:g} (the minimum over sections; "
        f"{', '.join(out['weakest'])} the weakest) — {out['band']}; {verdict} (at least {out['ready_score']:g})"
    )
