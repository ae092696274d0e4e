"""CLI: the audit trail."""

from __future__ import annotations

import typer

from pilotgate.cli_support import JSON_OPTION, console, escape, print_json, table, unit_of_work

audit_app = typer.Typer(rich_markup_mode=None, help="The tamper-evident audit trail.", no_args_is_help=True)


@audit_app.command("log")
def audit_log(
    key: str | None = typer.Argument(None, help="Only this use case's history."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Only the newest N events."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show the history of changes."""
    import json

    from pilotgate.audit import service

    with unit_of_work(read_only=True) as uow:
        if key is not None:
            from pilotgate.usecases import service as usecases

            key = usecases.get_or_raise(uow, key).key
        events = [
            {
                "seq": e.seq,
                "at": e.at.isoformat(),
                "actor": e.actor,
                "action": e.action,
                "entity_type": e.entity_type,
                "entity_id": e.entity_id,
                "use_case": e.use_case_key,
                "before": json.loads(e.before),
                "after": json.loads(e.after),
                "hash": e.hash,
            }
            for e in service.history(uow, use_case_key=key, limit=limit)
        ]
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
    from pilotgate.audit import service

    with unit_of_work(read_only=True) as uow:
        result = service.verify(uow)
    problems = ([result.chain.problem] if result.chain.problem else []) + result.problems
    if as_json:
        print_json(
            {
                "ok": result.ok,
                "events": result.chain.events,
                "head_seq": result.chain.head_seq,
                "head_hash": result.chain.head_hash,
                "first_bad_seq": result.chain.first_bad_seq,
                "checkpoints_checked": result.checkpoints,
                "problems": problems,
            }
        )
    elif result.ok:
        typer.echo(
            f"audit trail intact: {result.chain.events} events, head #{result.chain.head_seq} "
            f"{result.chain.head_hash[:16]}…, {result.checkpoints} signed checkpoint(s) match"
        )
    else:
        for problem in problems:
            typer.echo(f"TAMPERED: {problem}", err=True)
    if not result.ok:
        raise typer.Exit(6)
