"""CLI: `pilotgate import` — an inventory spreadsheet into the registry."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import typer

from pilotgate.cli_support import console, errors_rendered, escape, local_actor, local_only, print_json, unit_of_work


def import_inventory(
    file: Path,
    mapping: str = typer.Option(..., "--mapping", help="A mapping file, or a shipped mapping such as federal-2024."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check and preview; write nothing."),
    encoding: str | None = typer.Option(None, "--encoding", help="Text encoding of a CSV (default: detected)."),
    policy: str | None = typer.Option(None, "--policy", help="Policy for new use cases (default: pilotgate-default)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    actor: str | None = typer.Option(None, "--as", help="Recorded as the importer (default: the local user)."),
) -> None:
    """Import use cases from a CSV (any encoding) or XLSX inventory, by a mapping."""
    from rich.progress import Progress

    from pilotgate.policy import service as policies
    from pilotgate.portfolio import importer
    from pilotgate.portfolio.inventory import ImportRow, RowError, Transformer, read_rows
    from pilotgate.portfolio.mapping import load_mapping

    local_only("import")
    with errors_rendered():
        spec = load_mapping(mapping)
        header, rows = read_rows(file, encoding)
    summary = importer.Summary(dry_run=dry_run)
    with unit_of_work() as uow:
        version = policies.ensure_shipped(uow) if policy is None else policies.get_or_raise(uow, policy)
        parsed = policies.parsed(version)
        transformer = Transformer(spec, parsed.stage_ids(), parsed.risk_tiers, parsed.default_risk_tier)
        transformer.check_header(header)
        with Progress(transient=True, disable=as_json, console=console()) as progress:
            task = progress.add_task(f"importing {file.name}", total=None)

            def stream() -> Iterator[ImportRow | RowError]:
                for number, cells in rows:
                    progress.advance(task)
                    yield transformer.transform(number, cells)

            importer.apply(uow, stream(), policy_name=version.name, actor=local_actor(actor), summary=summary)
        if dry_run:
            uow.discard()
    out = summary.as_dict()
    if as_json:
        print_json(out)
        return
    screen = console()
    verb = "would import" if dry_run else "imported"
    screen.print(
        f"{file.name}: {out['rows']} rows — {verb} {out['imported']}, updated {out['updated']}, "
        f"unchanged {out['skipped']}, {len(out['errors'])} error(s), {len(out['warnings'])} warning(s)"
    )
    for stage, count in sorted(out["by_stage"].items()):
        screen.print(f"  {stage}: {count}")
    for error in out["errors"][:50]:
        screen.print(f"  [red]row {error['row']}[/red]: {escape(error['reason'])}")
    if len(out["errors"]) > 50:
        screen.print(f"  … and {len(out['errors']) - 50} more errors (use --json for all)")


portfolio_app = typer.Typer(
    rich_markup_mode=None, help="Portfolio intelligence: the funnel report and stalled use cases.", no_args_is_help=True
)


@portfolio_app.command("stalled")
def portfolio_stalled(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Zombie and stalled use cases, each with why and the kill-or-commit review it calls for."""
    from pilotgate.cli_support import remote, table

    if client := remote():
        with errors_rendered():
            found = client.get("/portfolio/stalled")
    else:
        from pilotgate.portfolio.stalled_queries import stalled

        with unit_of_work(read_only=True) as uow:
            found = [f.as_dict() for f in stalled(uow)]
    if as_json:
        print_json(found)
        return
    grid = table("Key", "Use case", "Stage", "Why", "Review due", title=f"{len(found)} finding(s)")
    for f in found:
        grid.add_row(f["key"], escape(f["title"]), f["stage"], escape(f["explanation"]), f["review_due"])
    console().print(grid)


@portfolio_app.command("report")
def portfolio_report(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """The funnel: counts, conversions, kill rates, time in stage, production rate and benchmarks."""
    from pilotgate.cli_support import remote, table

    if client := remote():
        with errors_rendered():
            out = client.get("/portfolio/report")
    else:
        from pilotgate.portfolio import flow

        with unit_of_work(read_only=True) as uow:
            out = flow.report(uow).as_dict()
    if as_json:
        print_json(out)
        return
    screen = console()
    screen.print(
        f"[bold]Portfolio[/bold]: {out['total']} use cases · "
        + ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in out["by_status"].items() if n)
    )
    stages = table("Stage", "Use cases", "Median days", "p25–p75", "Over the maximum")
    times = {t["stage"]: t for t in out["time_in_stage"]}
    for s in out["stages"]:
        t = times.get(s["stage"], {})
        spread = f"{t.get('p25_days')}–{t.get('p75_days')}" if t.get("n") else ""
        over = f"{t['over_max_share']:.0%}" if t.get("over_max_share") is not None else ""
        stages.add_row(s["title"], str(s["total"]), str(t.get("median_days") or ""), spread, over)
    screen.print(stages)
    gates = table("Gate", "Conversion", "Kill rate", "Decisions")
    conversions = {(c["from_stage"], c["to_stage"]): c for c in out["conversions"]}
    for g in out["gates"]:
        c = conversions.get((g["from_stage"], g["to_stage"]), {})
        rate = f"{c['rate']:.0%}" if c.get("rate") is not None else ""
        kill = f"{g['kill_rate']:.0%}" if g.get("kill_rate") is not None else ""
        gates.add_row(escape(g["title"]), rate, kill, ", ".join(f"{n} {k}" for k, n in g["decisions"].items()))
    screen.print(gates)
    production = out["production"]
    screen.print(f"Production rate: {production['rate']:.0%} ({production['reached']} of {production['started']})")
    for b in out["benchmarks"]:
        screen.print(f"  • {escape(b['source'])}: {escape(b['claim'])} — {escape(b.get('comparison') or '')}")
