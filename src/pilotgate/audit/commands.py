"""CLI: the audit trail."""

from __future__ import annotations

import typer

from pilotgate.cli_support import JSON_OPTION, console, errors_rendered, escape, print_json, remote, table, unit_of_work

audit_app = typer.Typer(rich_markup_mode=None, help="The tamper-evident audit trail.", no_args_is_help=True)


@audit_app.command("log")
def audit_log(
    key: str | None = typer.Argument(None, help="Only this use case's history."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Only the newest N events."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show the history of changes."""
    if client := remote():
        with errors_rendered():
            events = client.get("/audit", use_case=key, limit=limit or 5000)
    else:
        from pilotgate.audit import service
        from pilotgate.audit.api import event_view

        with unit_of_work(read_only=True) as uow:
            if key is not None:
                from pilotgate.usecases import service as usecases

                key = usecases.get_or_raise(uow, key).key
            events = [event_view(e) for e in service.history(uow, use_case_key=key, limit=limit)]
    if as_json:
        print_json(events)
        return
    grid = table("#", "When", "Who", "Action", "Entity", "Change")
    for e in events:
        change = ", ".join(f"{k}={v}" for k, v in e["after"].items() if v not in (None, "", []))
        grid.add_row(
            str(e["seq"]),
            e["at"][:19].replace("T", " "),
            escape(e["actor"]),
            e["action"],
            escape(f"{e['entity_type']} {e['entity_id']}"),
            escape(change[:80]),
        )
    console().print(grid)


@audit_app.command("verify")
def audit_verify(as_json: bool = JSON_OPTION) -> None:
    """Recompute the hash chain and check it against the signed checkpoints."""
    if client := remote():
        with errors_rendered():
            out = client.get("/audit/verify")
    else:
        from pilotgate.audit import service
        from pilotgate.audit.api import verification_view

        with unit_of_work(read_only=True) as uow:
            out = verification_view(service.verify(uow))
    if as_json:
        print_json(out)
    elif out["ok"]:
        typer.echo(
            f"audit trail intact: {out['events']} events, head #{out['head_seq']} "
            f"{out['head_hash'][:16]}…, {out['checkpoints_checked']} signed checkpoint(s) match"
        )
    else:
        for problem in out["problems"]:
            typer.echo(f"TAMPERED: {problem}", err=True)
    if not out["ok"]:
        raise typer.Exit(6)
