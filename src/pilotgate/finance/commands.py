"""CLI: `pilotgate case` — business cases: template, set, show, sensitivity, Monte Carlo, actuals,
variance, re-forecast and the indicators tied to a case."""

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
    print_json,
    remote,
    unit_of_work,
)
from pilotgate.finance import printing

case_app = typer.Typer(
    rich_markup_mode=None,
    help="Business cases: monthly 3-year models, scenarios, sensitivity, Monte Carlo and actuals.",
    no_args_is_help=True,
)
actual_app = typer.Typer(rich_markup_mode=None, help="Actual costs and realised benefits.", no_args_is_help=True)
case_app.add_typer(actual_app, name="actual")
SCENARIO = typer.Option(None, "--scenario", help="conservative (the default), base or optimistic.")


def _read_case(path: Path) -> Any:
    import yaml

    from pilotgate.errors import InvalidInput

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput("file", f"cannot read {path}: {error}") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise InvalidInput("file", f"{path} is not YAML or JSON: {error}") from None


def _local(call: Any, key: str, *, read_only: bool = True, **kwargs: Any) -> Any:
    from pilotgate.usecases import service as usecases

    with unit_of_work(read_only=read_only) as uow:
        return call(uow, usecases.get_or_raise(uow, key), **kwargs)


@case_app.command("template")
def case_template() -> None:
    """Print the default case skeleton (the framework's typical timeline) as YAML to edit."""
    from pilotgate.finance.template import template_text

    typer.echo(template_text(), nl=False)


@case_app.command("set")
def case_set(
    key: str,
    file: Path = typer.Argument(..., help="The case as YAML or JSON (start from `pilotgate case template`)."),
    note: str = typer.Option("", "--note", help="What changed, or where the case was agreed."),
    actor: str | None = AS_OPTION,
) -> None:
    """Set a use case's business case; every version is kept."""
    email = acting_as(actor)
    with errors_rendered():
        data = _read_case(file)
    if client := remote():
        with errors_rendered():
            out = client.put(f"/use-cases/{key}/business-case", {"case": data, "note": note})
    else:
        from pilotgate.finance import service
        from pilotgate.usecases import service as usecases

        with unit_of_work() as uow:
            row, created = service.set_case(uow, key=key, spec=data, actor=email, note=note)
            use_case = usecases.get_or_raise(uow, key)
            out = {**service.show(uow, use_case, version=row.version), "created": created}
    state = "set as version" if out["created"] else "unchanged, still version"
    console().print(f"{out['use_case']}: business case {state} {out['version']}")
    printing.case(out)


@case_app.command("show")
def case_show(
    key: str,
    scenario: str | None = SCENARIO,
    version: int | None = typer.Option(None, "--version", help="An earlier version (default: the newest)."),
    monthly: bool = typer.Option(False, "--monthly", help="Also list every month of the scenario."),
    as_json: bool = JSON_OPTION,
) -> None:
    """A business case on a scenario (conservative unless asked), with its warnings."""
    if client := remote():
        with errors_rendered():
            out = client.get(f"/use-cases/{key}/business-case", scenario=scenario, version=version)
    else:
        from pilotgate.finance import service

        out = _local(service.show, key, scenario=scenario, version=version)
    if as_json:
        print_json(out)
        return
    printing.case(out, monthly=monthly)


@case_app.command("versions")
def case_versions(key: str, as_json: bool = JSON_OPTION) -> None:
    """Every version of a use case's business case: who set it, when and why."""
    if client := remote():
        with errors_rendered():
            out = client.get(f"/use-cases/{key}/business-case/versions")
    else:
        from pilotgate.finance import service, views

        out = _local(lambda uow, uc: [views.version_dict(r, uc.key) for r in service.versions(uow, uc)], key)
    if as_json:
        print_json(out)
        return
    printing.versions(key, out)


@case_app.command("sensitivity")
def case_sensitivity(
    key: str,
    pct: float = typer.Option(20.0, "--pct", help="How far each driver moves, in % (default 20)."),
    scenario: str | None = SCENARIO,
    as_json: bool = JSON_OPTION,
) -> None:
    """Each driver moved ±pct%: its effect on NPV and on the payback month, largest first."""
    if client := remote():
        with errors_rendered():
            out = client.get(f"/use-cases/{key}/business-case/sensitivity", pct=pct, scenario=scenario)
    else:
        from pilotgate.finance import service

        out = _local(service.sensitivity_of, key, pct=pct, scenario=scenario)
    if as_json:
        print_json({k: v for k, v in out.items() if k != "chart"})
        return
    printing.sensitivity(out)


@case_app.command("simulate")
def case_simulate(
    key: str,
    draws: int = typer.Option(10_000, "--draws", help="How many draws (100 … 200000)."),
    seed: int = typer.Option(20_260_101, "--seed", help="The same seed gives the same answer."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Monte Carlo over the drivers' ranges: P10/P50/P90 of NPV and payback, P(payback within 12/24/36 months)."""
    if client := remote():
        with errors_rendered():
            out = client.get(f"/use-cases/{key}/business-case/simulation", draws=draws, seed=seed)
    else:
        from pilotgate.finance import service

        out = _local(service.simulate, key, draws=draws, seed=seed)
    if as_json:
        print_json({k: v for k, v in out.items() if k != "chart"})
        return
    printing.simulation(out)


@actual_app.command("add")
def actual_add(
    key: str,
    month: str = typer.Option(..., "--month", help="The calendar month, e.g. 2026-03."),
    kind: str = typer.Option(..., "--kind", help="cost or benefit."),
    category: str = typer.Option(..., "--category", help="e.g. pilot, maintenance, savings."),
    amount: str = typer.Option(..., "--amount", help="A non-negative amount to the cent, e.g. 12500."),
    note: str = typer.Option("", "--note", help="Where the figure comes from."),
    actor: str | None = AS_OPTION,
) -> None:
    """Record an actual cost or realised benefit of a month; the same month, kind and category replaces it."""
    email = acting_as(actor)
    body = {"month": month, "kind": kind, "category": category, "amount": amount, "note": note}
    if client := remote():
        with errors_rendered():
            out = client.post(f"/use-cases/{key}/business-case/actuals", json=body)
    else:
        from pilotgate.finance import actuals, views

        with unit_of_work() as uow:
            row, replaced = actuals.record(uow, key=key, actor=email, source="cli", **body)
            out = {**views.actual_dict(row, key.strip().upper()), "replaced": replaced}
    verb = "replaced" if out["replaced"] else "recorded"
    console().print(f"{out['use_case']}: {out['kind']} {out['category']} of {out['month']} {verb}: {out['amount']}")


@actual_app.command("import")
def actual_import(
    file: Path = typer.Argument(..., help="CSV: use_case,month,kind,category,amount[,note]."),
    actor: str | None = AS_OPTION,
) -> None:
    """Import actuals from a CSV file: every row valid, or nothing is recorded."""
    email = acting_as(actor)
    if client := remote():
        with errors_rendered(), file.open("rb") as binary:
            out = client.post("/business-cases/actuals", content=binary.read(), headers={"Content-Type": "text/csv"})
    else:
        from pilotgate.errors import InvalidInput
        from pilotgate.finance import actuals, actuals_files

        with unit_of_work() as uow:
            try:
                stream = file.open(encoding="utf-8-sig", newline="")
            except OSError as error:
                raise InvalidInput("file", f"cannot read {file}: {error}") from None
            with stream:
                report = actuals.ingest(uow, actuals_files.csv_actuals(stream), actor=email, source=f"csv:{file.name}")
        out = {"recorded": report.recorded, "replaced": report.replaced, "use_cases": report.use_cases}
    console().print(
        f"{out['recorded']} actual(s) recorded, {out['replaced']} replaced, across {out['use_cases']} use case(s)"
    )


@actual_app.command("list")
def actual_list(key: str, as_json: bool = JSON_OPTION) -> None:
    """The actuals recorded for a use case, month by month."""
    if client := remote():
        with errors_rendered():
            out = client.get(f"/use-cases/{key}/business-case/actuals")
    else:
        from pilotgate.finance import actuals, views

        out = _local(lambda uow, uc: [views.actual_dict(r, uc.key) for r in actuals.actuals_of(uow, uc)], key)
    if as_json:
        print_json(out)
        return
    printing.actuals(key, out)


@case_app.command("variance")
def case_variance(key: str, scenario: str | None = SCENARIO, as_json: bool = JSON_OPTION) -> None:
    """Plan against actual, month by month and cumulatively."""
    if client := remote():
        with errors_rendered():
            out = client.get(f"/use-cases/{key}/business-case/variance", scenario=scenario)
    else:
        from pilotgate.finance import variance

        out = _local(variance.variance_of, key, scenario=scenario)
    if as_json:
        print_json(out)
        return
    printing.variance(out)


@case_app.command("reforecast")
def case_reforecast(key: str, scenario: str | None = SCENARIO, as_json: bool = JSON_OPTION) -> None:
    """The case re-forecast from its actuals, beside the plan."""
    if client := remote():
        with errors_rendered():
            out = client.get(f"/use-cases/{key}/business-case/reforecast", scenario=scenario)
    else:
        from pilotgate.finance import variance

        out = _local(variance.reforecast_of, key, scenario=scenario)
    if as_json:
        print_json(out)
        return
    printing.reforecast(out)


@case_app.command("indicators")
def case_indicators(key: str, as_json: bool = JSON_OPTION) -> None:
    """The indicators tied to the case: expected by when, and what is measured now."""
    if client := remote():
        with errors_rendered():
            out = client.get(f"/use-cases/{key}/business-case/indicators")
    else:
        from pilotgate.finance import indicators

        out = _local(indicators.indicators_of, key)
    if as_json:
        print_json(out)
        return
    printing.indicators(out)
