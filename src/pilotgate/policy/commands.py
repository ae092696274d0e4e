"""CLI: policies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from pilotgate.cli_support import (
    JSON_OPTION,
    console,
    errors_rendered,
    escape,
    fail,
    local_actor,
    print_json,
    remote,
    table,
    unit_of_work,
)

policy_app = typer.Typer(rich_markup_mode=None, help="Gate policies: the framework as code.", no_args_is_help=True)


@policy_app.command("validate")
def policy_validate(file: Path) -> None:
    """Check a policy file; every problem names the offending key."""
    from pilotgate.errors import PolicyError
    from pilotgate.policy.loader import load_policy_file

    try:
        policy, _ = load_policy_file(file)
    except PolicyError as error:
        typer.echo(f"error: {error.source} is not a valid policy ({len(error.problems)} problem(s)):", err=True)
        for problem in error.problems:
            typer.echo(f"  - {problem}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"{file}: valid policy {policy.name!r} with {len(policy.stages)} stages and {len(policy.gates)} gates")


@policy_app.command("publish")
def policy_publish(file: Path, actor: str | None = typer.Option(None, "--as")) -> None:
    """Store a policy file as the next version of its name (reviews keep the version they opened with)."""
    from pilotgate.errors import PolicyError
    from pilotgate.policy import load_policy_file, service

    try:
        _, text = load_policy_file(file)
    except PolicyError as error:
        fail(error.message)
    if client := remote():
        with errors_rendered():
            out = client.post("/policies", content=text.encode(), headers={"content-type": "application/yaml"})
        name, number, created = out["name"], out["version"], out["created"]
    else:
        with unit_of_work() as uow:
            version, created = service.publish(uow, text=text, source=str(file), actor=local_actor(actor))
            name, number = version.name, version.version
    state = "published" if created else "unchanged; already"
    typer.echo(f"{state} {name} version {number}")


@policy_app.command("list")
def policy_list(as_json: bool = JSON_OPTION) -> None:
    """List policies and their versions."""
    if client := remote():
        with errors_rendered():
            rows = client.get("/policies")
        _print_policies(rows, as_json)
        return
    from pilotgate.policy import service

    with unit_of_work() as uow:
        service.ensure_shipped(uow)
        rows = [
            {
                "name": v.name,
                "version": v.version,
                "title": v.title,
                "sha256": v.sha256,
                "created_at": v.created_at.isoformat(),
                "source": v.source,
                "versions": [x.version for x in service.versions(uow, v.name)],
            }
            for v in service.list_latest(uow)
        ]
    _print_policies(rows, as_json)


def _print_policies(rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print_json(rows)
        return
    grid = table("Name", "Latest version", "Title", "Published", "Source")
    for r in rows:
        grid.add_row(r["name"], str(r["version"]), escape(r["title"]), r["created_at"][:10], escape(r["source"]))
    console().print(grid)


@policy_app.command("show")
def policy_show(
    name: str = typer.Argument("pilotgate-default"),
    version: int | None = typer.Option(None, "--version", help="A past version (default: the newest)."),
    as_json: bool = JSON_OPTION,
    as_yaml: bool = typer.Option(False, "--yaml", help="Print the policy's YAML text."),
) -> None:
    """Show a policy's stages and gates."""
    from pilotgate.policy import service
    from pilotgate.policy.loader import load_policy_text

    if client := remote():
        with errors_rendered():
            out = client.get(f"/policies/{name}", version=version)
            text, number = out["yaml"], out["version"]
            policy = load_policy_text(text, f"{name} version {number}")
    else:
        with unit_of_work() as uow:
            service.ensure_shipped(uow)
            stored = service.get_or_raise(uow, name, version)
            policy = service.parsed(stored)
            text, number = stored.content, stored.version
    if as_yaml:
        typer.echo(text)
        return
    if as_json:
        print_json({"version": number, **policy.model_dump(mode="json", by_alias=True)})
        return
    screen = console()
    screen.print(f"[bold]{escape(policy.title)}[/bold] ({policy.name} version {number})")
    stages = table("Stage", "Expected", "Purpose")
    for s in policy.stages:
        stages.add_row(f"{s.title} ({s.id})", s.expected_duration.describe(), escape(s.purpose))
    screen.print(stages)
    for gate in policy.gates:
        grid = table("Criterion", "Kind", "Requirement", title=gate.title)
        for c in gate.criteria:
            grid.add_row(c.title, c.kind, escape(c.expression or c.requirement))
        screen.print(grid)
        screen.print("  Artifacts: " + escape(", ".join(a.title for a in gate.artifacts)))
        approvers = [
            a.role + (f" (when risk tier is {'/'.join(a.when.risk_tier)})" if a.when else "") for a in gate.approvers
        ]
        screen.print("  Approvers: " + ", ".join(approvers))
