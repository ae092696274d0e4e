"""CLI: `pilotgate connector` — pull measured evidence from Prometheus, MLflow and plugins."""

from __future__ import annotations

import json
import time
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
    local_actor,
    print_json,
    remote,
    table,
    unit_of_work,
)

connector_app = typer.Typer(
    rich_markup_mode=None,
    help="Connectors that pull metrics from Prometheus, MLflow and plugins.",
    no_args_is_help=True,
)


def _config(config: str | None, config_file: Path | None, queries: list[str]) -> dict[str, Any]:
    if config and config_file:
        fail("give --config or --config-file, not both")
    raw = config_file.read_text(encoding="utf-8") if config_file else (config or "{}")
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError as error:
        fail(f"the configuration is not JSON: {error.msg} at line {error.lineno}, column {error.colno}")
    if not isinstance(parsed, dict):
        fail('the configuration must be a JSON object, e.g. {"url": "http://prometheus:9090", "queries": {...}}')
    for query in queries:
        metric, sep, promql = query.partition("=")
        if not sep or not metric.strip() or not promql.strip():
            fail(f"--query {query!r} is not METRIC=PROMQL, e.g. uptime='avg_over_time(up[5m]) * 100'")
        parsed.setdefault("queries", {})[metric.strip()] = promql.strip()
    return parsed


@connector_app.command("add")
def connector_add(
    key: str,
    kind: str,
    config: str | None = typer.Option(None, "--config", help="The configuration as a JSON object."),
    config_file: Path | None = typer.Option(None, "--config-file", help="A JSON file holding the configuration."),
    query: list[str] = typer.Option([], "--query", help="Prometheus: METRIC=PROMQL (repeatable)."),
    actor: str | None = AS_OPTION,
) -> None:
    """Configure a connector on a use case (kinds: prometheus, mlflow, and any plugin's)."""
    settings = _config(config, config_file, query)
    body: dict[str, Any] = {"kind": kind, "config": settings}
    email = acting_as(actor)
    if client := remote():
        with errors_rendered():
            out = client.post(f"/use-cases/{key}/connectors", json=body)
    else:
        from pilotgate.evidence import sync

        with unit_of_work() as uow:
            row = sync.add(uow, key=key, kind=kind, config=settings, actor=email)
            out = {"id": row.id}
    console().print(
        f"{key.upper()}: connector {out['id']} ({escape(kind)}) added; "
        f"pull it with `pilotgate connector pull {out['id']}`"
    )


@connector_app.command("list")
def connector_list(
    key: str | None = typer.Argument(None, help="Only this use case's connectors."), as_json: bool = JSON_OPTION
) -> None:
    """Connectors with their last pull."""
    if client := remote():
        with errors_rendered():
            out = client.get("/connectors", use_case=key)
    else:
        from pilotgate.evidence import sync, views

        with unit_of_work(read_only=True) as uow:
            out = [views.connector_dict(row, uc) for row, uc in sync.listed(uow, key=key)]
    if as_json:
        print_json(out)
        return
    grid = table("Id", "Use case", "Kind", "Enabled", "Last run", "Status", "Pulled until", "Message")
    for c in out:
        style = {"ok": "green", "failed": "red"}.get(c["last_status"], "dim")
        grid.add_row(
            str(c["id"]),
            c["use_case"],
            escape(c["kind"]),
            "yes" if c["enabled"] else "no",
            (c["last_run_at"] or "never")[:16].replace("T", " "),
            f"[{style}]{c['last_status']}[/{style}]",
            (c["pulled_until"] or "—")[:16].replace("T", " "),
            escape(c["last_error"]),
        )
    console().print(grid)


@connector_app.command("pull")
def connector_pull(
    connector: int | None = typer.Argument(None, help="A connector id (default: every connector)."),
    use_case: str | None = typer.Option(None, "--use-case", help="Only this use case's connectors."),
    due: bool = typer.Option(False, "--due", help="Only connectors whose interval has passed (for cron)."),
    every: int | None = typer.Option(
        None, "--every", min=5, help="Keep running: pull the due connectors every N seconds."
    ),
    actor: str | None = typer.Option(None, "--as", help="Recorded as the puller (default: the local user)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Pull connectors now; with --every, keep pulling those due (a scheduler for one machine)."""
    if client := remote():
        if every is not None:
            fail("--every runs on the server's machine; run it without --server")
        with errors_rendered():
            results = client.post("/connectors/pull", json={"connector": connector, "use_case": use_case, "due": due})
        _print_results(results, as_json)
        return
    while True:
        results = _pull_locally(connector, use_case, due or every is not None, local_actor(actor))
        _print_results(results, as_json)
        if every is None:
            if any(r["status"] == "failed" for r in results):
                raise typer.Exit(1)
            return
        time.sleep(every)


def _pull_locally(connector: int | None, use_case: str | None, only_due: bool, actor: str) -> list[dict[str, Any]]:
    from pilotgate.evidence import sync

    with unit_of_work() as uow:
        results = sync.pull_many(uow, actor=actor, key=use_case, connector_id=connector, only_due=only_due)
        return [r.as_dict() for r in results]


def _print_results(results: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print_json(results)
        return
    screen = console()
    if not results:
        screen.print("no connector to pull")
    for r in results:
        mark = "[green]ok[/green]" if r["status"] == "ok" else "[red]failed[/red]"
        screen.print(
            f"connector {r['connector']} ({escape(r['kind'])}, {r['use_case']}): {mark} — {escape(r['message'])}"
        )


@connector_app.command("remove")
def connector_remove(connector: int, actor: str | None = AS_OPTION) -> None:
    """Remove a connector (the points it pulled stay)."""
    email = acting_as(actor)
    if client := remote():
        with errors_rendered():
            client.delete(f"/connectors/{connector}")
    else:
        from pilotgate.evidence import sync

        with unit_of_work() as uow:
            sync.remove(uow, connector_id=connector, actor=email)
    console().print(f"connector {connector} removed")
