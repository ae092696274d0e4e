"""CLI: gate reviews."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from pilotgate.cli_support import AS_OPTION, JSON_OPTION, console, escape, fail, print_json, table, unit_of_work

gate_app = typer.Typer(
    rich_markup_mode=None, help="Gate reviews: open, assess, attach, vote, decide.", no_args_is_help=True
)


@gate_app.command("open")
def gate_open(key: str, actor: str = AS_OPTION) -> None:
    """Open a review of the use case's next gate."""
    from pilotgate.gates import service

    with unit_of_work() as uow:
        review = service.open_review(uow, key=key, actor=actor)
        typer.echo(
            f"opened Gate {review.gate_number} review of {key.upper()} ({review.from_stage} → {review.to_stage})"
        )


@gate_app.command("status")
def gate_status(key: str, as_json: bool = JSON_OPTION) -> None:
    """Show the open review: criteria, artifacts, votes and what blocks go."""
    from pilotgate.gates import service, views

    with unit_of_work(read_only=True) as uow:
        out = views.status(service.load_open(uow, key))
    if as_json:
        print_json(out)
        return
    _print_status(out)


STATUS_STYLE = {"met": "green", "waived": "yellow", "not_met": "red", "pending": "dim", "waiver_expired": "red"}


def _print_status(out: dict) -> None:  # type: ignore[type-arg]
    screen = console()
    screen.print(
        f"[bold]{out['use_case']} · {escape(out['gate']['title'])}[/bold]  "
        f"(policy {out['policy']['name']} v{out['policy']['version']})"
    )
    criteria = table("Criterion", "Kind", "Status", "Note")
    for c in out["criteria"]:
        style = STATUS_STYLE.get(c["status"], "")
        criteria.add_row(escape(c["title"]), c["kind"], f"[{style}]{c['status']}[/{style}]", escape(c["note"] or ""))
    screen.print(criteria)
    artifacts = table("Artifact", "Attached", "Version", "File or URL")
    for a in out["artifacts"]:
        artifacts.add_row(
            escape(a["title"]),
            "yes" if a["attached"] else "[red]no[/red]",
            str(a["version"] or ""),
            escape(a["filename"] or a["url"] or ""),
        )
    screen.print(artifacts)
    votes = {v["role"]: v for v in out["votes"]}
    approvers = table("Approver role", "Person", "Vote", "Comment")
    for a in out["approvers"]:
        v = votes.get(a["role"])
        choice = (v["choice"] + (" (stale)" if v["stale"] else "")) if v else "—"
        approvers.add_row(
            escape(a["title"]), escape(a["person"] or "unassigned"), choice, escape(v["comment"] if v else "")
        )
    screen.print(approvers)
    if out["blockers"]:
        screen.print(f"[bold red]Go is blocked ({len(out['blockers'])}):[/bold red]")
        for reason in out["blockers"]:
            screen.print(f"  • {escape(reason)}")
    else:
        screen.print("[bold green]Ready: go is allowed.[/bold green]")


def _parse_date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"--expires: {value!r} is not a date like 2026-12-31")


@gate_app.command("assess")
def gate_assess(
    key: str,
    criterion: str,
    status: str = typer.Argument(..., help="met, not_met or waived"),
    actor: str = AS_OPTION,
    note: str = typer.Option(..., "--note", help="Justification."),
    expires: str | None = typer.Option(None, "--expires", help="Expiry date of a waiver (YYYY-MM-DD)."),
    evidence: list[str] = typer.Option([], "--evidence", help="A link to supporting evidence; repeatable."),
) -> None:
    """Record a criterion as met, not_met or waived."""
    from pilotgate.gates import service

    with unit_of_work() as uow:
        row = service.assess(
            uow,
            key=key,
            criterion_id=criterion,
            status=status,
            actor=actor,
            note=note,
            expires=_parse_date(expires),
            evidence=evidence,
        )
        typer.echo(f"{key.upper()}: {row.criterion_id} is {row.status}")


@gate_app.command("attach")
def gate_attach(
    key: str,
    artifact: str,
    file_or_url: str = typer.Argument(..., metavar="FILE_OR_URL"),
    actor: str = AS_OPTION,
) -> None:
    """Attach a file (stored by SHA-256) or a URL as a required artifact."""
    from pilotgate.gates import service

    with unit_of_work() as uow:
        if file_or_url.startswith(("http://", "https://")):
            row = service.attach(uow, key=key, artifact_id=artifact, actor=actor, url=file_or_url)
        else:
            row = service.attach_path(uow, key=key, artifact_id=artifact, actor=actor, path=Path(file_or_url))
        what = f"sha256 {row.sha256[:12]}…, {row.size:,} bytes" if row.sha256 else row.url
        typer.echo(f"{key.upper()}: attached {row.artifact_id} version {row.version} ({what})")


@gate_app.command("vote")
def gate_vote(
    key: str,
    choice: str = typer.Argument(..., help="approve, reject or abstain"),
    actor: str = AS_OPTION,
    role: str | None = typer.Option(None, "--role", help="The approver role you vote for, if you hold several."),
    comment: str = typer.Option("", "--comment"),
) -> None:
    """Vote as a named approver of the open review."""
    from pilotgate.gates import service

    with unit_of_work() as uow:
        row = service.vote(uow, key=key, choice=choice, actor=actor, role=role, comment=comment)
        typer.echo(f"{key.upper()}: {row.role} {row.choice}s")


@gate_app.command("decide")
def gate_decide(
    key: str,
    decision: str = typer.Argument(..., help="go, conditional_go, hold, recycle or stop"),
    actor: str = AS_OPTION,
    to_stage: str | None = typer.Option(None, "--to-stage", help="For recycle: the stage to return to."),
    condition: list[str] = typer.Option([], "--condition", help='For conditional_go: "TEXT|OWNER_EMAIL|DUE_DATE".'),
    rationale: str = typer.Option("", "--rationale", help="Why this decision."),
) -> None:
    """Take the gate decision; go and conditional_go are refused while anything blocks them."""
    from pilotgate.gates import service

    with unit_of_work() as uow:
        row = service.decide(
            uow, key=key, decision=decision, actor=actor, to_stage=to_stage, conditions=condition, rationale=rationale
        )
        typer.echo(
            f"{key.upper()}: {row.kind} → stage {row.to_stage}, status {row.resulting_status} "
            f"(snapshot {row.snapshot_sha256[:12]}…)"
        )


@gate_app.command("readiness")
def gate_readiness(
    blocked_only: bool = typer.Option(False, "--blocked", help="Only reviews where go is blocked."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Every open review in the portfolio and what blocks its go decision."""
    from pilotgate.gates import readiness

    with unit_of_work(read_only=True) as uow:
        found = [r for r in readiness.all_open(uow) if not (blocked_only and r.go_allowed)]
    if as_json:
        print_json(
            [
                {
                    "key": r.key,
                    "title": r.title,
                    "business_unit": r.business_unit,
                    "gate": r.gate,
                    "go_allowed": r.go_allowed,
                    "blockers": r.blockers,
                }
                for r in found
            ]
        )
        return
    grid = table("Key", "Title", "Gate", "Go", "Blockers", title=f"{len(found)} open review(s)")
    for r in found:
        first = (
            escape(r.blockers[0]) + (f" (+{len(r.blockers) - 1} more)" if len(r.blockers) > 1 else "")
            if r.blockers
            else ""
        )
        grid.add_row(
            r.key, escape(r.title), str(r.gate), "[green]ready[/green]" if r.go_allowed else "[red]blocked[/red]", first
        )
    console().print(grid)


@gate_app.command("download")
def gate_download(
    key: str,
    artifact: str,
    version: int | None = typer.Option(None, "--version", min=1, help="A past version (default: the newest)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Where to write it (default: its stored name)."),
) -> None:
    """Download a stored artifact file (a URL artifact prints its URL)."""
    import shutil

    from pilotgate.evidence import store
    from pilotgate.gates import service

    with unit_of_work(read_only=True) as uow:
        row = service.find_artifact(uow, key=key, artifact_id=artifact, version=version)
        if row.url:
            typer.echo(row.url)
            return
        target = output or Path(row.filename or f"{artifact}-v{row.version}")
        if target.exists():
            fail(f"{target} exists; choose another path with --output")
        with store.open_blob(uow.settings.artifacts_dir, row.sha256 or "") as source, target.open("xb") as sink:
            shutil.copyfileobj(source, sink)
        typer.echo(f"wrote {target} ({row.size:,} bytes, sha256 {row.sha256})")


@gate_app.command("decision")
def gate_decision(
    key: str,
    gate: int | None = typer.Option(None, "--gate", min=1, help="The decision at this gate (default: the latest)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Show a decision with its frozen evidence snapshot, and check the snapshot's hash."""
    import json

    from pilotgate.gates import service

    with unit_of_work(read_only=True) as uow:
        decision, intact = service.decision_record(uow, key=key, gate=gate)
        out = {
            "use_case": key.upper(),
            "gate": decision.review.gate_number,
            "decision": decision.kind,
            "from_stage": decision.from_stage,
            "to_stage": decision.to_stage,
            "status": decision.resulting_status,
            "decided_by": decision.decided_by.email,
            "decided_at": decision.decided_at.isoformat(),
            "rationale": decision.rationale,
            "snapshot_sha256": decision.snapshot_sha256,
            "snapshot_intact": intact,
            "snapshot": json.loads(decision.snapshot),
        }
    if as_json:
        print_json(out)
    else:
        screen = console()
        screen.print(
            f"[bold]{out['use_case']} · Gate {out['gate']}: {out['decision']}[/bold] by {escape(out['decided_by'])} "
            f"on {out['decided_at'][:10]} ({out['from_stage']} → {out['to_stage']}, {out['status']})"
        )
        if out["rationale"]:
            screen.print(escape(out["rationale"]))
        criteria = table("Criterion", "Kind", "Status at decision")
        for c in out["snapshot"]["criteria"]:
            criteria.add_row(c["id"], c["kind"], c["status"])
        screen.print(criteria)
        votes = table("Role", "Person", "Vote")
        for v in out["snapshot"]["votes"]:
            votes.add_row(v["role"], escape(v["person"]), v["choice"] + (" (stale)" if v["stale"] else ""))
        screen.print(votes)
        screen.print(
            f"snapshot sha256 {out['snapshot_sha256']}: "
            + ("[green]intact[/green]" if intact else "[red]ALTERED[/red]")
        )
    if not intact:
        raise typer.Exit(6)
