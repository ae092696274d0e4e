"""CLI: `pilotgate funding` — budget lines, their approval, the move to operational money."""

from __future__ import annotations

from decimal import Decimal
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

funding_app = typer.Typer(
    rich_markup_mode=None,
    help="Production funding: budget lines, approvals and the move to operational money.",
    no_args_is_help=True,
)
NOTE = typer.Option("", "--note", help="Why, or where the budget decision is recorded.")
STATUS_STYLE = {"approved": "green", "proposed": "yellow", "met": "green", "not_met": "red"}


def money(amount: str, currency: str) -> str:
    return f"{currency} {Decimal(amount):,.2f}"


@funding_app.command("add")
def funding_add(
    key: str,
    source: str = typer.Option(..., "--source", help="project (the AI programme's budget) or operational."),
    amount: str = typer.Option(..., "--amount", help="A positive amount to the cent, e.g. 120000 or 120000.50."),
    currency: str = typer.Option(..., "--currency", help="ISO 4217 currency code, e.g. EUR."),
    cost_centre: str = typer.Option(..., "--cost-centre", help="The cost centre that carries it, e.g. CC-123."),
    business_unit: str | None = typer.Option(
        None, "--business-unit", help="The business unit whose budget it is (default: the use case's)."
    ),
    owner: str = typer.Option(..., "--owner", help="E-mail of the person accountable for the line."),
    period_start: str = typer.Option(..., "--from", help="First day of the period, e.g. 2027-01-01."),
    period_end: str = typer.Option(..., "--to", help="Last day of the period, e.g. 2027-12-31."),
    note: str = NOTE,
    actor: str | None = AS_OPTION,
) -> None:
    """Propose a budget line for a use case; it counts as approved only once a named role approves it."""
    email = acting_as(actor)
    body = {
        "source": source,
        "amount": amount,
        "currency": currency,
        "cost_centre": cost_centre,
        "business_unit": business_unit,
        "owner": owner,
        "period_start": period_start,
        "period_end": period_end,
        "note": note,
    }
    if client := remote():
        with errors_rendered():
            out = client.post(f"/use-cases/{key}/funding", json=body)
    else:
        from pilotgate.funding import service, views

        with unit_of_work() as uow:
            row = service.add_line(uow, key=key, actor=email, **body)  # type: ignore[arg-type]
            out = views.line_dict(row, service.key_of(uow, row.use_case_id))
    console().print(
        f"{out['use_case']}: budget line #{out['id']} proposed — {out['source']}, "
        f"{money(out['amount'], out['currency'])}, {escape(out['business_unit'])} {escape(out['cost_centre'])}, "
        f"{out['period_start']} to {out['period_end']}. Approve it with `pilotgate funding approve {out['id']}`"
    )


@funding_app.command("list")
def funding_list(key: str, as_json: bool = JSON_OPTION) -> None:
    """A use case's budget lines, transitions and the two computed funding checks."""
    if client := remote():
        with errors_rendered():
            out = client.get(f"/use-cases/{key}/funding")
    else:
        from pilotgate.funding import service
        from pilotgate.usecases import service as usecases

        with unit_of_work(read_only=True) as uow:
            out = service.summary(uow, usecases.get_or_raise(uow, key))
    if as_json:
        print_json(out)
        return
    _print_summary(out)


def _print_summary(out: dict[str, Any]) -> None:
    screen = console()
    if out["lines"]:
        grid = table("#", "Source", "Amount", "Business unit · cost centre", "Period", "Owner", "Status")
        for column in grid.columns:  # wrap, never cut: an id or e-mail shown in part misleads
            column.overflow = "fold"
        for line in out["lines"]:
            style = STATUS_STYLE[line["status"]]
            status = f"[{style}]{line['status']}[/{style}]"
            if line["approved_by"]:
                status += f" by {escape(line['approved_by'])}"
            grid.add_row(
                str(line["id"]),
                line["source"],
                money(line["amount"], line["currency"]),
                f"{escape(line['business_unit'])} · {escape(line['cost_centre'])}",
                f"{line['period_start']} → {line['period_end']}",
                escape(line["owner"]),
                status,
            )
        screen.print(grid)
    else:
        key = out["use_case"]
        screen.print(f"{key} has no budget line; propose one with `pilotgate funding add {key} --source …`")
    for t in out["transitions"]:
        screen.print(
            f"Transition #{t['id']}: project → operational, owned by {escape(t['business_unit'])} "
            f"({escape(t['cost_centre'])}) from {t['effective_date']}, line #{t['budget_line_id']}, "
            f"approved by {escape(t['approved_by'])}"
        )
    for name, result in out["checks"].items():
        style = STATUS_STYLE[result["status"]]
        label = name.replace("_", " ")
        screen.print(f"{label}: [{style}]{result['status'].replace('_', ' ')}[/{style}] — {escape(result['note'])}")


@funding_app.command("approve")
def funding_approve(line_id: int, actor: str | None = AS_OPTION) -> None:
    """Approve a budget line: project lines by the program lead, sponsor or BU head; operational by the BU head."""
    email = acting_as(actor)
    if client := remote():
        with errors_rendered():
            out = client.post(f"/funding/lines/{line_id}/approve")
    else:
        from pilotgate.funding import service, views

        with unit_of_work() as uow:
            row = service.approve_line(uow, line_id=line_id, actor=email)
            out = views.line_dict(row, service.key_of(uow, row.use_case_id))
    console().print(
        f"{out['use_case']}: budget line #{out['id']} ({out['source']}, {money(out['amount'], out['currency'])}) "
        f"approved by {escape(out['approved_by'])}"
    )


@funding_app.command("transition")
def funding_transition(
    key: str,
    line: int = typer.Option(..., "--line", help="The approved operational budget line the use case moves to."),
    effective: str = typer.Option(..., "--effective", help="The day operational funding starts, e.g. 2027-01-01."),
    note: str = NOTE,
    actor: str | None = AS_OPTION,
) -> None:
    """Move a use case from project to operational funding; its business-unit head approves by recording it."""
    email = acting_as(actor)
    if client := remote():
        with errors_rendered():
            out = client.post(
                f"/use-cases/{key}/funding/transition",
                json={"line_id": line, "effective_date": effective, "note": note},
            )
    else:
        from pilotgate.funding import service, views

        with unit_of_work() as uow:
            row = service.transition(uow, key=key, line_id=line, effective_date=effective, actor=email, note=note)
            out = views.transition_dict(row, service.key_of(uow, row.use_case_id))
    console().print(
        f"{out['use_case']}: moves to operational funding on {out['effective_date']} — owned by "
        f"{escape(out['business_unit'])} ({escape(out['cost_centre'])}), line #{out['budget_line_id']}, "
        f"approved by {escape(out['approved_by'])}"
    )


@funding_app.command("portfolio")
def funding_portfolio(as_json: bool = JSON_OPTION) -> None:
    """How production AI is funded today, and which production use cases still live on project money."""
    if client := remote():
        with errors_rendered():
            out = client.get("/funding/portfolio")
    else:
        from pilotgate.funding import service

        with unit_of_work(read_only=True) as uow:
            out = service.portfolio(uow)
    if as_json:
        print_json(out)
        return
    screen = console()
    screen.print(
        f"Production AI as of {out['as_of']}: {out['operational_use_cases']} use case(s) in operation, "
        f"{out['operationally_funded']} on operational budgets, {out['on_project_money']} on project money, "
        f"{out['unfunded']} with no approved funding"
    )
    totals = table("Source", "Approved, covering today", title="Approved funding of production AI")
    for source, amounts in out["approved_by_source"].items():
        shown = ", ".join(money(amount, currency) for currency, amount in amounts.items()) or "—"
        totals.add_row(source, shown)
    screen.print(totals)
    warnings = out["production_on_project_money"]
    if not warnings:
        screen.print("[green]No production use case lives on project money.[/green]")
        return
    grid = table("Key", "Use case", "Stage", "Business unit", "Project money", "Months in operation")
    for w in warnings:
        amounts = ", ".join(money(a, c) for c, a in w["project_amount"].items()) or "[red]none approved[/red]"
        months = str(w["months_in_operation"])
        grid.add_row(w["key"], escape(w["title"]), w["stage"], escape(w["business_unit"]), amounts, months)
    grid.title = "Production AI on project money — the zombie warning sign"
    screen.print(grid)
