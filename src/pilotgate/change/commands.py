"""CLI: `pilotgate change` — change plans per user population, their items, and the Gate 3 check."""

from __future__ import annotations

from typing import Any

import typer

from pilotgate.cli_support import (
    AS_OPTION,
    JSON_OPTION,
    acting_as,
    console,
    errors_rendered,
    escape,
    print_json,
    remote,
    table,
    unit_of_work,
)

change_app = typer.Typer(
    rich_markup_mode=None,
    help="Change management: plans per user population, training, briefings, and adoption beside them.",
    no_args_is_help=True,
)
NOTE = typer.Option("", "--note", help="Context, or where the material is kept.")
POPULATION = typer.Option(..., "--population", help='The user population, e.g. "pilot", "full" or "EMEA sales".')
STYLE = {"met": "green", "not_met": "red"}


@change_app.command("plan")
def change_plan(
    key: str,
    population: str = POPULATION,
    owner: str = typer.Option(..., "--owner", help="E-mail of the person who owns the change for this population."),
    target_users: int | None = typer.Option(None, "--target-users", help="How many users the population holds."),
    cohort: str | None = typer.Option(
        None, "--cohort", help="The adoption cohort measuring it in the metrics (default: the population)."
    ),
    expansion: bool = typer.Option(
        False, "--expansion", help="An additional population at Scale; Gate 3 does not judge it."
    ),
    note: str = NOTE,
    actor: str | None = AS_OPTION,
) -> None:
    """Start the change plan of one user population of a use case."""
    email = acting_as(actor)
    body = {
        "population": population,
        "owner": owner,
        "target_users": target_users,
        "cohort": cohort,
        "expansion": expansion,
        "note": note,
    }
    if client := remote():
        with errors_rendered():
            out = client.post(f"/use-cases/{key}/change/plans", json=body)
    else:
        from pilotgate.change import service, views

        with unit_of_work() as uow:
            row = service.add_plan(uow, key=key, actor=email, **body)  # type: ignore[arg-type]
            out = views.plan_dict(row, service.key_of(uow, row.use_case_id), items=False)
    users = f", {out['target_users']} users" if out["target_users"] else ""
    console().print(
        f"{out['use_case']}: change plan #{out['id']} for {escape(out['population'])}"
        f"{' (expansion)' if out['expansion'] else ''}{users}, owned by {escape(out['owner'])}, adoption cohort "
        f"{escape(out['cohort'])}. Add items with `pilotgate change add {out['use_case']} --population …`"
    )


@change_app.command("add")
def change_add(
    key: str,
    population: str = POPULATION,
    kind: str = typer.Option(..., "--kind", help="workflow_redesign, training, manager_briefing or communication."),
    title: str = typer.Option(..., "--title", help="What is delivered, e.g. 'Redesign the exception queue'."),
    owner: str = typer.Option(..., "--owner", help="E-mail of the person who delivers it."),
    due: str | None = typer.Option(None, "--due", help="Due date, e.g. 2027-03-31."),
    audience: str | None = typer.Option(
        None, "--audience", help="Training only: who attends (default: the population)."
    ),
    session_date: str | None = typer.Option(
        None, "--session-date", help="Training only: the day it is held (default: the due date)."
    ),
    attendance_target: int | None = typer.Option(
        None, "--attendance-target", help="Training only (required): the number of people expected."
    ),
    note: str = NOTE,
    actor: str | None = AS_OPTION,
) -> None:
    """Add an item to a population's change plan."""
    email = acting_as(actor)
    body = {
        "population": population,
        "kind": kind,
        "title": title,
        "owner": owner,
        "due_date": due,
        "audience": audience,
        "session_date": session_date,
        "attendance_target": attendance_target,
        "note": note,
    }
    if client := remote():
        with errors_rendered():
            out = client.post(f"/use-cases/{key}/change/items", json=body)
    else:
        from pilotgate.change import service, views

        with unit_of_work() as uow:
            row = service.add_item(uow, key=key, actor=email, **body)  # type: ignore[arg-type]
            out = views.item_dict(row, service.key_of(uow, row.plan.use_case_id))
    due_text = f", due {out['due_date']}" if out["due_date"] else ""
    session = (
        f", session on {out['session_date']} for {escape(out['audience'])} (target {out['attendance_target']})"
        if out["kind"] == "training"
        else ""
    )
    console().print(
        f"{out['use_case']}: change item #{out['id']} added to {escape(out['population'])} — "
        f"{out['kind'].replace('_', ' ')} {escape(out['title'])!r}, owner {escape(out['owner'])}{due_text}{session}. "
        f"Mark it done with `pilotgate change complete {out['id']}`"
    )


@change_app.command("complete")
def change_complete(
    item_id: int,
    attendance: int | None = typer.Option(
        None, "--attendance", help="Training only (required): how many people attended the session."
    ),
    note: str = typer.Option("", "--note", help="The outcome, or where it is recorded."),
    actor: str | None = AS_OPTION,
) -> None:
    """Mark a change item complete; a training session is complete once held, with its attendance."""
    email = acting_as(actor)
    if client := remote():
        with errors_rendered():
            out = client.post(f"/change/items/{item_id}/complete", json={"attendance": attendance, "note": note})
    else:
        from pilotgate.change import service, views

        with unit_of_work() as uow:
            row = service.complete_item(uow, item_id=item_id, actor=email, attendance=attendance, note=note)
            out = views.item_dict(row, service.key_of(uow, row.plan.use_case_id))
    attended = f", attendance {out['attendance']} of {out['attendance_target']}" if out["kind"] == "training" else ""
    console().print(
        f"{out['use_case']}: change item #{out['id']} ({out['kind'].replace('_', ' ')}, "
        f"{escape(out['population'])}) complete{attended}, recorded by {escape(out['completed_by'])}"
    )


def _summary(key: str) -> dict[str, Any]:
    if client := remote():
        with errors_rendered():
            out: dict[str, Any] = client.get(f"/use-cases/{key}/change")
            return out
    from pilotgate.change import service
    from pilotgate.usecases import service as usecases

    with unit_of_work(read_only=True) as uow:
        return service.summary(uow, usecases.get_or_raise(uow, key))


@change_app.command("show")
def change_show(key: str, as_json: bool = JSON_OPTION) -> None:
    """A use case's change plans with their items, adoption beside each plan, and the change checks."""
    out = _summary(key)
    if as_json:
        print_json(out)
        return
    screen = console()
    if not out["plans"]:
        screen.print(
            f"{out['use_case']} has no change plan; start one with `pilotgate change plan {out['use_case']} …`"
        )
    for plan in out["plans"]:
        _print_plan(screen, plan)
    _print_checks(screen, out)


def _print_plan(screen: Any, plan: dict[str, Any]) -> None:
    users = f", {plan['target_users']} users" if plan["target_users"] else ""
    state = "[green]complete[/green]" if plan["status"]["complete"] else "[yellow]in progress[/yellow]"
    adoption = plan["adoption"]
    rate = f"{adoption['rate']:.0%}" if adoption["rate"] is not None else "no data"
    screen.print(
        f"[bold]{escape(plan['population'])}[/bold]{' (expansion)' if plan['expansion'] else ''} — plan "
        f"#{plan['id']}{users}, owner {escape(plan['owner'])}, {state}; adoption (cohort "
        f"{escape(adoption['cohort'])}, {adoption['window']}): {rate}"
    )
    if not plan["items"]:
        screen.print("  no item yet")
        return
    grid = table("#", "Kind", "Title", "Owner", "Due", "Done", "Attendance")
    for column in grid.columns:
        column.overflow = "fold"
    for item in plan["items"]:
        done = item["completed_at"][:10] if item["completed_at"] else "[yellow]open[/yellow]"
        attendance = ""
        if item["kind"] == "training":
            held = item["attendance"] if item["attendance"] is not None else "—"
            attendance = f"{held} / {item['attendance_target']} ({item['session_date']})"
        grid.add_row(
            str(item["id"]),
            item["kind"].replace("_", " "),
            escape(item["title"]),
            escape(item["owner"]),
            item["due_date"] or "—",
            done,
            attendance,
        )
    screen.print(grid)


def _print_checks(screen: Any, out: dict[str, Any]) -> None:
    for name, result in out["checks"].items():
        style = STYLE[result["status"]]
        label = f"change.{name}"
        screen.print(f"{label}: [{style}]{result['status'].replace('_', ' ')}[/{style}] — {escape(result['note'])}")


@change_app.command("check")
def change_check(key: str, as_json: bool = JSON_OPTION) -> None:
    """Gate 3's `change.complete` check: met, or exactly what is missing (exit 0 either way)."""
    out = _summary(key)
    result = out["checks"]["complete"]
    if as_json:
        print_json(result)
        return
    screen = console()
    style = STYLE[result["status"]]
    screen.print(f"change.complete: [{style}]{result['status'].replace('_', ' ')}[/{style}] — {escape(result['note'])}")
    for fact in result["detail"].get("facts", []):
        mark = {True: "[green]yes[/green]", False: "[red]no[/red]", None: "—"}[fact["ok"]]
        screen.print(f"  {escape(fact['label'])}: {escape(fact['value'])} {mark}")
