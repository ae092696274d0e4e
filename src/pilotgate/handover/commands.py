"""CLI: `pilotgate handover` — hand operations to the owning team; hypercare status."""

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

handover_app = typer.Typer(
    rich_markup_mode=None,
    help="Handover of operations to the owning team (Gate 4), and hypercare after go-live.",
    no_args_is_help=True,
)


@handover_app.command("propose")
def handover_propose(
    key: str,
    team: str = typer.Option(..., "--team", help="The receiving team, e.g. 'Finance Systems Operations'."),
    ops_owner: str = typer.Option(..., "--ops-owner", help="E-mail of the receiving team's operations owner."),
    business_unit: str | None = typer.Option(
        None, "--business-unit", help="The receiving business unit (default: the use case's)."
    ),
    note: str = typer.Option("", "--note", help="Anything the receiving team should know."),
    actor: str | None = AS_OPTION,
) -> None:
    """Propose handing a production use case's operations to a receiving team (its program lead)."""
    email = acting_as(actor)
    body = {"team": team, "ops_owner": ops_owner, "business_unit": business_unit, "note": note}
    if client := remote():
        with errors_rendered():
            out = client.post(f"/use-cases/{key}/handover", json=body)
    else:
        from pilotgate.handover import service, views

        with unit_of_work() as uow:
            row = service.propose(uow, key=key, actor=email, **body)  # type: ignore[arg-type]
            out = views.handover_dict(row, service.key_of(uow, row.use_case_id))
    console().print(
        f"{out['use_case']}: handover #{out['id']} to {escape(out['team'])} ({escape(out['business_unit'])}) "
        f"proposed, operations owner {escape(out['ops_owner'])}. Tick off its {len(out['items'])} items with "
        f"`pilotgate handover check-item {out['use_case']} --item ITEM`"
    )


@handover_app.command("check-item")
def handover_check_item(
    key: str,
    item: str = typer.Option(
        ..., "--item", help="runbook, monitoring, on_call, retraining, access or knowledge_transfer."
    ),
    undo: bool = typer.Option(False, "--undo", help="Mark the item not done again."),
    note: str | None = typer.Option(None, "--note", help="Where it is or what was agreed, e.g. a runbook link."),
    actor: str | None = AS_OPTION,
) -> None:
    """Tick off one item of the handover in progress (anyone named on the use case, or the ops owner)."""
    email = acting_as(actor)
    if client := remote():
        with errors_rendered():
            out = client.put(f"/use-cases/{key}/handover/items/{item}", {"done": not undo, "note": note})
    else:
        from pilotgate.handover import service, views

        with unit_of_work() as uow:
            row = service.check_item(uow, key=key, item=item, actor=email, done=not undo, note=note)
            out = views.handover_dict(row, service.key_of(uow, row.use_case_id))
    left = out["missing"]
    state = "not done" if undo else "done"
    rest = f"{len(left)} left: {', '.join(left)}" if left else "every item is done; the business-unit head may accept"
    console().print(f"{out['use_case']}: handover #{out['id']} item {item.strip().lower()} {state} — {rest}")


@handover_app.command("accept")
def handover_accept(key: str, actor: str | None = AS_OPTION) -> None:
    """Accept the handover (the business-unit head), generating the ownership transfer document."""
    email = acting_as(actor)
    if client := remote():
        with errors_rendered():
            out = client.post(f"/use-cases/{key}/handover/accept")
    else:
        from pilotgate.handover import service, views

        with unit_of_work() as uow:
            row = service.accept(uow, key=key, actor=email)
            out = views.handover_dict(row, service.key_of(uow, row.use_case_id))
    attached = (
        "attached to the open gate review as operations_ownership_transfer"
        if out["attached_review_id"]
        else f"attach it to the Gate 4 review once open with `pilotgate handover attach {out['use_case']}`"
    )
    console().print(
        f"{out['use_case']}: handover #{out['id']} accepted by {escape(out['accepted_by'])} — "
        f"{escape(out['team'])} owns its operations. The transfer document is {attached}"
    )


@handover_app.command("attach")
def handover_attach(key: str, actor: str | None = AS_OPTION) -> None:
    """Attach the accepted handover's document to the open gate review as operations_ownership_transfer."""
    email = acting_as(actor)
    if client := remote():
        with errors_rendered():
            out = client.post(f"/use-cases/{key}/handover/attach")
    else:
        from pilotgate.handover import service
        from pilotgate.handover.views import artifact_dict
        from pilotgate.usecases import service as usecases

        with unit_of_work() as uow:
            artifact = service.attach(uow, key=key, actor=email)
            out = artifact_dict(artifact, usecases.get_or_raise(uow, key).key)
    console().print(
        f"{out['use_case']}: {out['artifact']} v{out['version']} attached ({out['filename']}, {out['size']} bytes)"
    )


@handover_app.command("show")
def handover_show(
    key: str,
    as_json: bool = JSON_OPTION,
    document: bool = typer.Option(False, "--document", help="Print the accepted handover's document (Markdown)."),
) -> None:
    """A use case's handovers with their checklist, and whether it is in hypercare (with breaches)."""
    if client := remote():
        with errors_rendered():
            out = client.get(f"/use-cases/{key}/handover")
    else:
        from pilotgate.handover import service
        from pilotgate.usecases import service as usecases

        with unit_of_work(read_only=True) as uow:
            out = service.summary(uow, usecases.get_or_raise(uow, key))
    if as_json:
        print_json(out)
    elif document:
        if out["document"] is None:
            typer.echo(f"error: {out['use_case']} has no accepted handover, so no document yet", err=True)
            raise typer.Exit(3)
        typer.echo(out["document"])
    else:
        _print(out)


def _print(out: dict[str, Any]) -> None:
    screen = console()
    key = out["use_case"]
    care = out["hypercare"]
    if care:
        breaches = care["breaches"]
        state = f"[red]{len(breaches)} breach(es)[/red]" if breaches else "[green]no breach[/green]"
        screen.print(f"{key} is in hypercare until {care['until'][:10]}: {state}")
        for breach in breaches:
            screen.print(f"  • {escape(breach)}")
    if not out["handovers"]:
        screen.print(f"{key} has no handover; its program lead proposes one with `pilotgate handover propose {key} …`")
        return
    for h in out["handovers"]:
        style = "green" if h["status"] == "accepted" else "yellow"
        who = f" by {escape(h['accepted_by'])} on {h['accepted_at'][:10]}" if h["accepted_by"] else ""
        screen.print(
            f"Handover #{h['id']} to {escape(h['team'])} ({escape(h['business_unit'])}), ops owner "
            f"{escape(h['ops_owner'])}: [{style}]{h['status']}[/{style}]{who}"
        )
        grid = table("Item", "Done", "By", "Note")
        for item in h["items"]:
            done = f"[green]yes[/green] {item['done_at'][:10]}" if item["done"] else "[red]no[/red]"
            grid.add_row(escape(item["title"]), done, escape(item["done_by"] or ""), escape(item["note"]))
        screen.print(grid)
