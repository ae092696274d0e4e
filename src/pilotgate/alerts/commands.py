"""CLI: `pilotgate check` — evaluate the rules and send the alerts (for cron)."""

from __future__ import annotations

from datetime import timedelta

import typer

from pilotgate.cli_support import console, escape, local_only, print_json, unit_of_work

# Several instances may run the same cron line: within this period, only the first one checks.
CHECK_PERIOD = timedelta(minutes=1)


def check(
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the digests and the summary; send nothing."),
    force: bool = typer.Option(False, "--force", help="Check even if another instance checked within a minute."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Evaluate the stalled rules, approvals and due conditions; send digests and webhook alerts."""
    from pilotgate.alerts import service
    from pilotgate.jobs import lease
    from pilotgate.jobs.scheduler import holder_name

    local_only("check")
    if not dry_run and not force:
        with unit_of_work() as uow:
            won = lease.acquire(uow, name="alerts.check", holder=holder_name(), every=CHECK_PERIOD)
        if not won:
            console().print("another instance checked within the last minute; nothing to do (use --force to check)")
            return
    with unit_of_work() as uow:
        report = service.check(uow, dry_run=dry_run)
    if as_json:
        print_json(report.as_dict())
    else:
        _print(report, dry_run)
    if report.failed:
        raise typer.Exit(1)


def _print(report: object, dry_run: bool) -> None:
    from pilotgate.alerts.service import Report

    assert isinstance(report, Report)
    screen = console()
    for digest in report.digests:
        screen.print(f"[bold]{escape(digest.email)}[/bold] — {escape(digest.subject())}")
        for title, items in digest.sections():
            screen.print(f"  {escape(title)}:")
            for item in items:
                screen.print(f"    • {item.key}: {escape(item.text)}")
    if not report.digests:
        screen.print("nothing waits for anyone: no approvals, stalled use cases or due conditions")
    if dry_run:
        screen.print("dry run: nothing was sent")
        return
    for line in report.sent:
        screen.print(f"[green]sent[/green] {escape(line)}")
    for line in report.unchanged:
        screen.print(f"unchanged since the last send, not repeated: {escape(line)}")
    for line in report.failed:
        screen.print(f"[red]failed[/red] {escape(line)}")
    for line in report.not_configured:
        screen.print(f"not configured: {escape(line)}")
