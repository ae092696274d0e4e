"""CLI: `pilotgate scale` — expansions of production use cases and their capability reuse."""

from __future__ import annotations

from typing import Any

import typer

from pilotgate.cli_support import (
    AS_OPTION,
    JSON_OPTION,
    acting_as,
    console,
    errors_rendered,
    escape,
    print_json,
    remote,
    table,
    unit_of_work,
)

scale_app = typer.Typer(
    rich_markup_mode=None,
    help="Scale: expansions of production use cases, started from their evidence, and capability reuse.",
    no_args_is_help=True,
)


@scale_app.command("expand")
def scale_expand(
    parent: str,
    title: str = typer.Option(..., "--title", help="The expansion's title, e.g. 'Invoice triage — Nordics'."),
    kind: str = typer.Option(..., "--kind", help="geography, business_unit or adjacent_application."),
    scope: str = typer.Option(..., "--scope", help="What the expansion covers, in words."),
    population: str | None = typer.Option(
        None, "--population", help="The users it reaches: its change plan's population (default: its title)."
    ),
    business_unit: str | None = typer.Option(
        None, "--business-unit", help="The expansion's business unit (default: the parent's)."
    ),
    actor: str | None = AS_OPTION,
) -> None:
    """Register an expansion of a use case in production or scale, started from the parent's evidence."""
    email = acting_as(actor)
    body = {"title": title, "kind": kind, "scope": scope, "population": population, "business_unit": business_unit}
    if client := remote():
        with errors_rendered():
            out = client.post(f"/use-cases/{parent}/expansions", json=body)
    else:
        from pilotgate.scale import service, views
        from pilotgate.usecases import service as usecases
        from pilotgate.usecases.models import UseCase

        with unit_of_work() as uow:
            row = service.expand(uow, parent=parent, actor=email, **body)  # type: ignore[arg-type]
            child = uow.session.get_one(UseCase, row.use_case_id)
            out = views.expansion_dict(row, child, usecases.get_or_raise(uow, parent))
    console().print(
        f"{out['key']}: {escape(out['title'])} registered as an expansion of {out['parent']} to "
        f"{out['kind_title']}, in {out['stage']}. Assess what it reuses with "
        f"`pilotgate scale reuse {out['key']} --component model --status reused`"
    )


@scale_app.command("list")
def scale_list(parent: str, as_json: bool = JSON_OPTION) -> None:
    """The expansions of a use case, with their stage and reuse; and its own parent if it is one."""
    if client := remote():
        with errors_rendered():
            out = client.get(f"/use-cases/{parent}/scale")
    else:
        from pilotgate.scale import service
        from pilotgate.usecases import service as usecases

        with unit_of_work(read_only=True) as uow:
            out = service.summary(uow, usecases.get_or_raise(uow, parent))
    if as_json:
        print_json(out)
        return
    _print(out)


def _print(out: dict[str, Any]) -> None:
    screen = console()
    key = out["use_case"]
    mine = out["expansion"]
    if mine:
        screen.print(
            f"{key} is an expansion of {mine['parent']} ({escape(mine['parent_title'])}) to {mine['kind_title']}: "
            f"{escape(mine['scope'].rstrip('.'))}. Reuse: {escape(mine['reuse_summary']['text'])}"
        )
    if not out["expansions"]:
        hint = "" if mine else f"; once in production, expand it with `pilotgate scale expand {key} --title … --kind …`"
        screen.print(f"{key} has no expansion{hint}")
        return
    grid = table("Key", "Expansion", "Kind", "Scope", "Stage", "Reuse")
    for e in out["expansions"]:
        percent = e["reuse_summary"]["percent"]
        grid.add_row(
            e["key"],
            escape(e["title"]),
            e["kind"],
            escape(e["scope"]),
            e["stage"],
            "not assessed" if percent is None else f"{percent}%",
        )
    screen.print(grid)


@scale_app.command("reuse")
def scale_reuse(
    key: str,
    component: str = typer.Option(
        ...,
        "--component",
        help="model, data_pipeline, infrastructure, monitoring, runbook, training_material or integration.",
    ),
    status: str = typer.Option(..., "--status", help="reused, adapted or new."),
    note: str = typer.Option("", "--note", help="What is reused or what changes."),
    actor: str | None = AS_OPTION,
) -> None:
    """Record whether an expansion reuses, adapts or builds new one capability of its parent."""
    email = acting_as(actor)
    if client := remote():
        with errors_rendered():
            out = client.put(f"/use-cases/{key}/reuse/{component}", {"status": status, "note": note})
    else:
        from pilotgate.scale import service
        from pilotgate.usecases import service as usecases

        with unit_of_work() as uow:
            service.assess_reuse(uow, key=key, component=component, status=status, actor=email, note=note)
            out = service.summary(uow, usecases.get_or_raise(uow, key))["expansion"]
    console().print(
        f"{out['key']}: {component.strip().lower()} {status.strip().lower()} — {escape(out['reuse_summary']['text'])}"
    )
