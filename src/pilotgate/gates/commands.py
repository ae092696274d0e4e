"""CLI: gate reviews, on the local database or (with --server) through the REST API."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import typer

from pilotgate.cli_support import (
    AS_OPTION,
    JSON_OPTION,
    acting_as,
    console,
    errors_rendered,
    escape,
    fail,
    print_json,
    remote,
    table,
    unit_of_work,
)

gate_app = typer.Typer(
    rich_markup_mode=None, help="Gate reviews: open, assess, attach, vote, decide.", no_args_is_help=True
)


@gate_app.command("open")
def gate_open(key: str, actor: str | None = AS_OPTION) -> None:
    """Open a review of the use case's next gate."""
    actor = acting_as(actor)
    if client := remote():
        with errors_rendered():
            out = client.post(f"/use-cases/{key}/review")
    else:
        from pilotgate.gates import service, views

        with unit_of_work() as uow:
            service.open_review(uow, key=key, actor=actor)
            out = views.status(service.load_open(uow, key))
    gate = out["gate"]
    typer.echo(f"opened Gate {gate['number']} review of {out['use_case']} ({gate['from']} → {gate['to']})")


@gate_app.command("status")
def gate_status(key: str, as_json: bool = JSON_OPTION) -> None:
    """Show the open review: criteria, artifacts, votes and what blocks go."""
    if client := remote():
        with errors_rendered():
            out = client.get(f"/use-cases/{key}/review")
    else:
        from pilotgate.gates import service, views

        with unit_of_work(read_only=True) as uow:
            out = views.status(service.load_open(uow, key))
    if as_json:
        print_json(out)
        return
    _print_status(out)


STATUS_STYLE = {
    "met": "green",
    "waived": "yellow",
    "not_met": "red",
    "pending": "dim",
    "waiver_expired": "red",
    "unknown": "magenta",
}


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
    _print_measurements([c for c in out["criteria"] if c["kind"] == "metric" and c.get("evaluation")])
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


def _print_measurements(measured: list[dict]) -> None:  # type: ignore[type-arg]
    """The data behind each metric criterion: value, threshold, window and how many points."""
    if not measured:
        return
    grid = table("Criterion", "Indicator", "Value", "Threshold", "Window", "Points", title="Measured evidence")
    symbols = {"<=": "≤", ">=": "≥", "!=": "≠", "==": "=", "<": "<", ">": ">"}
    for c in measured:
        for comparison in c["evaluation"]["comparisons"]:
            left, right = comparison["left"], comparison["right"]
            start, end = left["window_start"], left["window_end"]
            threshold = f"{symbols[comparison['op']]} {_number(right['value'])}"
            grid.add_row(
                escape(c["id"]),
                escape(left["label"]),
                _number(left["value"]) + (" [red]stale[/red]" if left["stale"] else ""),
                escape(threshold if right["label"] == _number(right["value"]) else f"{threshold} ({right['label']})"),
                f"{start[5:10]} → {end[5:10]}" if start and end else "latest",
                str(left["points"]),
            )
    console().print(grid)


def _number(value: float | None) -> str:
    return "?" if value is None else f"{value:.4g}"


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
    actor: str | None = AS_OPTION,
    note: str = typer.Option(..., "--note", help="Justification."),
    expires: str | None = typer.Option(None, "--expires", help="Expiry date of a waiver (YYYY-MM-DD)."),
    evidence: list[str] = typer.Option([], "--evidence", help="A link to supporting evidence; repeatable."),
) -> None:
    """Record a criterion as met, not_met or waived."""
    actor = acting_as(actor)
    when = _parse_date(expires)
    if client := remote():
        body = {"status": status, "note": note, "expires": when.isoformat() if when else None, "evidence": evidence}
        with errors_rendered():
            client.put(f"/use-cases/{key}/review/assessments/{criterion}", body)
    else:
        from pilotgate.gates import service

        with unit_of_work() as uow:
            service.assess(
                uow,
                key=key,
                criterion_id=criterion,
                status=status,
                actor=actor,
                note=note,
                expires=when,
                evidence=evidence,
            )
    typer.echo(f"{key.upper()}: {criterion} is {status}")


@gate_app.command("attach")
def gate_attach(
    key: str,
    artifact: str,
    file_or_url: str = typer.Argument(..., metavar="FILE_OR_URL"),
    actor: str | None = AS_OPTION,
) -> None:
    """Attach a file (stored by SHA-256) or a URL as a required artifact."""
    actor = acting_as(actor)
    is_url = file_or_url.startswith(("http://", "https://"))
    if client := remote():
        path = f"/use-cases/{key}/review/artifacts/{artifact}"
        with errors_rendered():
            if is_url:
                row = client.post(path, data={"url": file_or_url})
            else:
                source = Path(file_or_url)
                if not source.is_file():
                    fail(f"file: {source} is not a readable file (for a link, give an http(s) URL)")
                with source.open("rb") as handle:
                    row = client.post(path, files={"file": (source.name, handle)})
        version, sha, size, url = row["version"], row["sha256"], row["size"], row["url"]
    else:
        from pilotgate.gates import service

        with unit_of_work() as uow:
            if is_url:
                stored = service.attach(uow, key=key, artifact_id=artifact, actor=actor, url=file_or_url)
            else:
                stored = service.attach_path(uow, key=key, artifact_id=artifact, actor=actor, path=Path(file_or_url))
            version, sha, size, url = stored.version, stored.sha256, stored.size, stored.url
    what = f"sha256 {sha[:12]}…, {size:,} bytes" if sha else url
    typer.echo(f"{key.upper()}: attached {artifact} version {version} ({what})")


@gate_app.command("vote")
def gate_vote(
    key: str,
    choice: str = typer.Argument(..., help="approve, reject or abstain"),
    actor: str | None = AS_OPTION,
    role: str | None = typer.Option(None, "--role", help="The approver role you vote for, if you hold several."),
    comment: str = typer.Option("", "--comment"),
) -> None:
    """Vote as a named approver of the open review."""
    actor = acting_as(actor)
    if client := remote():
        with errors_rendered():
            out = client.put(f"/use-cases/{key}/review/votes", {"choice": choice, "role": role, "comment": comment})
        voted = next(
            (v["role"] for v in out["votes"] if v["person"] == actor and (role is None or v["role"] == role)), role
        )
    else:
        from pilotgate.gates import service

        with unit_of_work() as uow:
            voted = service.vote(uow, key=key, choice=choice, actor=actor, role=role, comment=comment).role
    typer.echo(f"{key.upper()}: {voted} {choice}s")


def _conditions_for_api(conditions: list[str]) -> list[dict[str, str]]:
    from pilotgate.gates.service import parse_condition

    with errors_rendered():
        parsed = [parse_condition(c) for c in conditions]
    return [{"text": text, "owner": owner, "due": due.isoformat()} for text, owner, due in parsed]


@gate_app.command("decide")
def gate_decide(
    key: str,
    decision: str = typer.Argument(..., help="go, conditional_go, hold, recycle or stop"),
    actor: str | None = AS_OPTION,
    to_stage: str | None = typer.Option(None, "--to-stage", help="For recycle: the stage to return to."),
    condition: list[str] = typer.Option([], "--condition", help='For conditional_go: "TEXT|OWNER_EMAIL|DUE_DATE".'),
    rationale: str = typer.Option("", "--rationale", help="Why this decision."),
) -> None:
    """Take the gate decision; go and conditional_go are refused while anything blocks them."""
    actor = acting_as(actor)
    if client := remote():
        body = {
            "decision": decision,
            "to_stage": to_stage,
            "conditions": _conditions_for_api(condition),
            "rationale": rationale,
        }
        with errors_rendered():
            out = client.post(f"/use-cases/{key}/review/decision", json=body)
        kind, stage, status, sha = out["decision"], out["to_stage"], out["status"], out["snapshot_sha256"]
    else:
        from pilotgate.gates import service

        with unit_of_work() as uow:
            row = service.decide(
                uow,
                key=key,
                decision=decision,
                actor=actor,
                to_stage=to_stage,
                conditions=condition,
                rationale=rationale,
            )
            kind, stage, status, sha = row.kind, row.to_stage, row.resulting_status, row.snapshot_sha256
    typer.echo(f"{key.upper()}: {kind} → stage {stage}, status {status} (snapshot {sha[:12]}…)")


@gate_app.command("readiness")
def gate_readiness(
    blocked_only: bool = typer.Option(False, "--blocked", help="Only reviews where go is blocked."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Every open review in the portfolio and what blocks its go decision."""
    from pilotgate.gates import readiness

    if client := remote():
        with errors_rendered():
            rows = client.get("/reviews/readiness")
    else:
        with unit_of_work(read_only=True) as uow:
            rows = [
                {
                    "key": r.key,
                    "title": r.title,
                    "business_unit": r.business_unit,
                    "gate": r.gate,
                    "go_allowed": r.go_allowed,
                    "blockers": r.blockers,
                }
                for r in readiness.all_open(uow)
            ]
    rows = [r for r in rows if not (blocked_only and r["go_allowed"])]
    if as_json:
        print_json(rows)
        return
    grid = table("Key", "Title", "Gate", "Go", "Blockers", title=f"{len(rows)} open review(s)")
    for r in rows:
        first = ""
        if r["blockers"]:
            more = len(r["blockers"]) - 1
            first = escape(r["blockers"][0]) + (f" (+{more} more)" if more else "")
        go = "[green]ready[/green]" if r["go_allowed"] else "[red]blocked[/red]"
        grid.add_row(r["key"], escape(r["title"]), str(r["gate"]), go, first)
    console().print(grid)


@gate_app.command("download")
def gate_download(
    key: str,
    artifact: str,
    version: int | None = typer.Option(None, "--version", min=1, help="A past version (default: the newest)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Where to write it (default: its stored name)."),
) -> None:
    """Download a stored artifact file (a URL artifact prints its URL)."""
    if client := remote():
        target = output or Path(f"{artifact}-v{version}" if version else artifact)
        if target.exists():
            fail(f"{target} exists; choose another path with --output")
        with errors_rendered():
            size = client.download(
                f"/use-cases/{key}/artifacts/{artifact}", target, **({"version": version} if version else {})
            )
        typer.echo(f"wrote {target} ({size:,} bytes)")
        return
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
    if client := remote():
        with errors_rendered():
            out = client.get(f"/use-cases/{key}/decisions/latest", gate=gate)
    else:
        from pilotgate.gates import service
        from pilotgate.gates.api import decision_view

        with unit_of_work(read_only=True) as uow:
            row, intact = service.decision_record(uow, key=key, gate=gate)
            out = decision_view(row, intact=intact)
    out = {"use_case": key.upper(), **out}
    if as_json:
        print_json(out)
    else:
        _print_decision(out)
    if not out["snapshot_intact"]:
        raise typer.Exit(6)


def _print_decision(out: dict[str, Any]) -> None:
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
    state = "[green]intact[/green]" if out["snapshot_intact"] else "[red]ALTERED[/red]"
    screen.print(f"snapshot sha256 {out['snapshot_sha256']}: {state}")
