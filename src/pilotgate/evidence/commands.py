"""CLI: `pilotgate metrics` and `pilotgate slo` — what a use case measures and against what."""

from __future__ import annotations

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

metrics_app = typer.Typer(
    rich_markup_mode=None, help="Metrics: definitions, imports and live indicators.", no_args_is_help=True
)
slo_app = typer.Typer(rich_markup_mode=None, help="Service-level objectives of a use case.", no_args_is_help=True)

NAME = typer.Option(None, "--name", help="Display name (default: from the standard metric, or the key).")
UNIT = typer.Option(None, "--unit", help="Unit, e.g. %, ms, users, USD, ratio (% and ratio are range-checked).")
KIND = typer.Option(None, "--kind", help="adoption, sla, technical, leading or lagging.")
DIRECTION = typer.Option(None, "--direction", help="higher or lower: which way is better.")
BASELINE = typer.Option(None, "--baseline", help="The value before the AI system.")
TARGET = typer.Option(None, "--target", help="The value the business case promises.")
CADENCE = typer.Option(None, "--cadence", help="Expected reporting cadence, e.g. 1d, 7d, 15m; 'none' never stale.")


def _values(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}


@metrics_app.command("define")
def metrics_define(
    key: str,
    metric: str,
    name: str | None = NAME,
    unit: str | None = UNIT,
    kind: str | None = KIND,
    direction: str | None = DIRECTION,
    baseline: float | None = BASELINE,
    target: float | None = TARGET,
    cadence: str | None = CADENCE,
    actor: str | None = AS_OPTION,
) -> None:
    """Define a metric on a use case (uptime, latency_ms, error_rate, active_users… need no options)."""
    values = _values(
        name=name, unit=unit, kind=kind, direction=direction, baseline=baseline, target=target, cadence=cadence
    )
    email = acting_as(actor)
    if client := remote():
        with errors_rendered():
            out = client.post(f"/use-cases/{key}/metrics", json={"key": metric, **values})
    else:
        from pilotgate.evidence import service

        with unit_of_work() as uow:
            row = service.define_metric(uow, key=key, metric=metric, actor=email, **values)
            out = service.definition_dict(row)
    console().print(
        f"{key.upper()}: defined {escape(out['key'])} ({escape(out['name'])}, {out['kind']}, {out['indicator']})"
    )


@metrics_app.command("edit")
def metrics_edit(
    key: str,
    metric: str,
    name: str | None = NAME,
    unit: str | None = UNIT,
    kind: str | None = KIND,
    direction: str | None = DIRECTION,
    baseline: float | None = BASELINE,
    target: float | None = TARGET,
    cadence: str | None = CADENCE,
    actor: str | None = AS_OPTION,
) -> None:
    """Change a metric's name, unit, kind, direction, baseline, target or cadence."""
    values = _values(
        name=name, unit=unit, kind=kind, direction=direction, baseline=baseline, target=target, cadence=cadence
    )
    if not values:
        fail(
            "nothing to change: give at least one of --name, --unit, --kind, --direction, --baseline, "
            "--target or --cadence"
        )
    email = acting_as(actor)
    if client := remote():
        with errors_rendered():
            client.patch(f"/use-cases/{key}/metrics/{metric}", values)
    else:
        from pilotgate.evidence import service

        with unit_of_work() as uow:
            service.edit_metric(uow, key=key, metric=metric, actor=email, **values)
    console().print(f"{key.upper()}: {escape(metric)} updated")


@metrics_app.command("list")
def metrics_list(
    key: str,
    window: str | None = typer.Option(None, "--window", help="Window of the indicators, e.g. 28d (default: policy)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """A use case's metrics with live indicators: value over the window, trend, progress, staleness."""
    if client := remote():
        with errors_rendered():
            out = client.get(f"/use-cases/{key}/indicators", window=window)
    else:
        from pilotgate.evidence import service
        from pilotgate.usecases import service as usecases

        with unit_of_work(read_only=True) as uow:
            use_case = usecases.get_or_raise(uow, key)
            policy = usecases.policy_of(uow, use_case)
            out = {
                "use_case": use_case.key,
                "slo": service.slo_of(uow, use_case, policy).as_dict(),
                "indicators": [i.as_dict() for i in service.indicators(uow, use_case, policy, window=window)],
            }
    if as_json:
        print_json(out)
        return
    _print_indicators(out)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:+.0%}"


def _print_indicators(out: dict[str, Any]) -> None:
    screen = console()
    if not out["indicators"]:
        screen.print(
            f"{out['use_case']} has no metrics; define one with `pilotgate metrics define {out['use_case']} uptime`"
        )
        return
    for group in ("leading", "lagging"):
        rows = [i for i in out["indicators"] if i["indicator"] == group]
        if not rows:
            continue
        grid = table(
            "Metric", "Current", "Base → target", "Trend", "Progress", "Last point", title=f"{group.title()} indicators"
        )
        for i in rows:
            unit = f" {i['unit']}" if i["unit"] else ""
            last = (i["last_point_at"] or "never")[:16].replace("T", " ")
            base = "—" if i["baseline"] is None else f"{i['baseline']:.4g}"
            goal = "—" if i["target"] is None else f"{i['target']:.4g}"
            grid.add_row(
                escape(i["key"]),
                "—" if i["current"] is None else f"{i['current']:.4g}{escape(unit)}",
                f"{base} → {goal}",
                _pct(i["trend_vs_baseline"]),
                _pct(i["progress_to_target"]),
                last + (" [red]stale[/red]" if i["stale"] else ""),
            )
        screen.print(grid)
    slo = out["slo"]
    screen.print(
        f"SLO: uptime ≥ {slo['uptime_pct']:g}% · p95 latency ≤ {slo['latency_p95_ms']:g} ms · "
        f"error rate ≤ {slo['error_rate_pct']:g}%"
    )


@metrics_app.command("import")
def metrics_import(
    file: Path,
    actor: str | None = AS_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Import points from CSV: use_case,metric,timestamp,value[,cohort][,segment]. All rows or none."""
    if not file.is_file():
        fail(f"{file}: no such file")
    email = acting_as(actor)
    if client := remote():
        with errors_rendered():
            out = client.import_metrics(file)
    else:
        out = _import_locally(file, email, quiet=as_json)
    if as_json:
        print_json(out)
        return
    console().print(
        f"{file.name}: imported {out['points']:,} point(s) into {out['metrics']} series "
        f"of {out['use_cases']} use case(s)"
    )


def _import_locally(file: Path, actor: str, *, quiet: bool) -> dict[str, Any]:
    from rich.progress import DownloadColumn, Progress, TimeRemainingColumn

    from pilotgate.evidence import csv_import

    size = file.stat().st_size
    columns = (*Progress.get_default_columns()[:-1], DownloadColumn(), TimeRemainingColumn())
    with (
        file.open("rb") as raw,
        Progress(*columns, transient=True, disable=quiet or not console().is_terminal, console=console()) as progress,
    ):
        task = progress.add_task(f"importing {file.name}", total=size)
        with unit_of_work() as uow:
            report = csv_import.ingest_csv(
                uow,
                raw,
                actor=actor,
                source=file.name,
                progress=lambda _: progress.update(task, completed=size if raw.closed else raw.tell()),
            )
    return {"points": report.points, "metrics": report.metrics, "use_cases": report.use_cases}


@metrics_app.command("points")
def metrics_points(
    key: str,
    metric: str,
    since: str | None = typer.Option(None, "--since", help="Only points at or after this ISO-8601 time."),
    as_json: bool = JSON_OPTION,
) -> None:
    """The points of one series, oldest first."""
    if client := remote():
        with errors_rendered():
            out = client.get(f"/use-cases/{key}/metrics/{metric}/points", since=since)
    else:
        out = _points_locally(key, metric, since)
    if as_json:
        print_json(out)
        return
    grid = table("Timestamp", "Cohort", "Value", "Segment", title=f"{out['use_case']} · {out['metric']}")
    for p in out["points"]:
        grid.add_row(p["timestamp"], escape(p["cohort"]), f"{p['value']:.6g}", escape(p["segment"]))
    console().print(grid)


def _points_locally(key: str, metric: str, since: str | None) -> dict[str, Any]:
    from pilotgate.errors import InvalidInput
    from pilotgate.evidence import rules, service, views
    from pilotgate.usecases import service as usecases

    with unit_of_work(read_only=True) as uow:
        since_ms = None
        if since:
            try:
                since_ms = rules.parse_timestamp_ms(since)
            except ValueError:
                with errors_rendered():
                    raise InvalidInput("since", f"{since!r} is not an ISO-8601 time") from None
        use_case = usecases.get_or_raise(uow, key)
        rows = service.points(uow, use_case, metric, since_ms=since_ms)
        return views.points(use_case.key, metric, rows)


@slo_app.command("show")
def slo_show(key: str, as_json: bool = JSON_OPTION) -> None:
    """The SLO a use case is judged against, and where each value comes from."""
    if client := remote():
        with errors_rendered():
            out = client.get(f"/use-cases/{key}/slo")
    else:
        from pilotgate.evidence import service
        from pilotgate.usecases import service as usecases

        with unit_of_work(read_only=True) as uow:
            use_case = usecases.get_or_raise(uow, key)
            out = service.slo_of(uow, use_case, usecases.policy_of(uow, use_case)).as_dict()
    if as_json:
        print_json(out)
        return
    grid = table("Objective", "Value", "Source")
    grid.add_row("Uptime", f"≥ {out['uptime_pct']:g} %", escape(out["sources"]["uptime_pct"]))
    grid.add_row("Latency (p95)", f"≤ {out['latency_p95_ms']:g} ms", escape(out["sources"]["latency_p95_ms"]))
    grid.add_row("Error rate", f"≤ {out['error_rate_pct']:g} %", escape(out["sources"]["error_rate_pct"]))
    console().print(grid)


@slo_app.command("set")
def slo_set(
    key: str,
    uptime: float | None = typer.Option(None, "--uptime", help="Uptime objective in percent, e.g. 99.9."),
    latency_ms: float | None = typer.Option(None, "--latency-ms", help="p95 latency objective in milliseconds."),
    error_rate: float | None = typer.Option(None, "--error-rate", help="Error-rate objective in percent."),
    reset: list[str] = typer.Option([], "--reset", help="Return a field to the policy default: uptime_pct, …"),
    actor: str | None = AS_OPTION,
) -> None:
    """Set a use case's own SLO values (the rest keep the policy's defaults)."""
    if uptime is None and latency_ms is None and error_rate is None and not reset:
        fail("nothing to set: give --uptime, --latency-ms, --error-rate or --reset FIELD")
    email = acting_as(actor)
    body = {"uptime_pct": uptime, "latency_p95_ms": latency_ms, "error_rate_pct": error_rate, "reset": reset}
    if client := remote():
        with errors_rendered():
            client.put(f"/use-cases/{key}/slo", body)
    else:
        from pilotgate.evidence import service

        with unit_of_work() as uow:
            service.set_slo(uow, key=key, actor=email, **body)  # type: ignore[arg-type]
    console().print(f"{key.upper()}: SLO updated")
