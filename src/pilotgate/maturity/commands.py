"""CLI: `pilotgate maturity` — the readiness questionnaire, assessments, the latest result and its history."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from pilotgate.cli_support import (
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

maturity_app = typer.Typer(
    rich_markup_mode=None,
    help="Organisational readiness: the five capabilities, self-assessed and measured.",
    no_args_is_help=True,
)


# Column heads of the history table, narrow enough for an 80-column terminal.
SHORT = {
    "funding": "Funding",
    "change": "Change",
    "operations": "AI ops",
    "governance": "Gates",
    "measurement": "Outcomes",
}


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"


@maturity_app.command("questions")
def questions(as_json: bool = JSON_OPTION) -> None:
    """The questionnaire: five capabilities, five questions each, every answer 0–4 with what it means."""
    from pilotgate.maturity import questionnaire

    if client := remote():
        with errors_rendered():
            shipped = client.get("/maturity/questions")
    else:
        shipped = questionnaire.as_dict()
    if as_json:
        print_json(shipped)
        return
    screen = console()
    screen.print(f"[bold]Readiness questionnaire[/bold] {shipped['version']}: answer every question 0–4.")
    for capability in shipped["capabilities"]:
        screen.print(f"\n[bold]{escape(capability['title'])}[/bold] — {escape(capability['requires'])}")
        for question in capability["questions"]:
            screen.print(f"  [bold]{question['id']}[/bold]: {escape(question['text'])}")
            for anchor in question["anchors"]:
                screen.print(f"    {anchor['score']}  {escape(anchor['text'])}")


def _read_answers(path: Path) -> Any:
    """The answers file: YAML or JSON (JSON is YAML), either `id: score` or `answers: {id: score}`."""
    import yaml

    from pilotgate.errors import InvalidInput

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise InvalidInput("answers", f"{path}: no such file") from error
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidInput("answers", f"{path}: cannot be read as UTF-8 text ({error})") from error
    try:
        loaded = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(error, "problem", None) or "malformed"
        raise InvalidInput("answers", f"{path} is not valid YAML or JSON{where}: {problem}") from error
    if isinstance(loaded, dict) and set(loaded) == {"answers"}:
        return loaded["answers"]
    return loaded


@maturity_app.command("assess")
def assess(
    answers: Path = typer.Option(..., "--answers", help="A YAML or JSON file: question id → score 0–4."),
    actor: str | None = typer.Option(None, "--as", help="E-mail of the person taking the assessment."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Record an assessment from an answers file, scored with what the data shows now."""
    from pilotgate.maturity import rules, service

    with errors_rendered():
        given = rules.validate_answers(_read_answers(answers))  # before anything is sent or opened
    who = acting_as(actor)
    if client := remote():
        with errors_rendered():
            result = client.post("/maturity/assessments", json={"answers": given})
    else:
        with unit_of_work() as uow:
            result = service.view(service.create(uow, answers=given, actor=who))
    if as_json:
        print_json(result)
        return
    _print_result(result)


@maturity_app.command("show")
def show(as_json: bool = JSON_OPTION) -> None:
    """The latest assessment: scores per capability, the maturity level, the signals and the gaps to close."""
    if client := remote():
        with errors_rendered():
            result = client.get("/maturity/latest")
    else:
        from pilotgate.maturity import service

        with unit_of_work(read_only=True) as uow:
            result = service.view(service.latest_or_raise(uow))
    if as_json:
        print_json(result)
        return
    _print_result(result)


@maturity_app.command("history")
def history(as_json: bool = JSON_OPTION) -> None:
    """Every assessment, oldest first: the level and the score of each capability."""
    if client := remote():
        with errors_rendered():
            rows = client.get("/maturity/assessments")
    else:
        from pilotgate.maturity import service

        with unit_of_work(read_only=True) as uow:
            rows = [service.summary(row) for row in service.history(uow)]
    if as_json:
        print_json(rows)
        return
    grid = table("Taken, by", "Level", "Overall", *SHORT.values(), title=f"{len(rows)} assessment(s)")
    grid.box, grid.pad_edge = None, False
    for column in grid.columns:
        column.no_wrap, column.min_width = True, len(str(column.header))
    for row in rows:
        grid.add_row(
            # the name part of the address keeps the table within 80 columns; --json has it whole
            f"{row['taken_at'][:10]}\n{escape(row['taken_by'].split('@')[0])}",
            f"{row['level']} {row['level_name']}",
            _pct(row["overall"]),
            *(_pct(row["capabilities"].get(c)) for c in SHORT),
        )
    console().print(grid)


def _print_result(result: dict[str, Any]) -> None:
    screen = console()
    level = result["level"]
    screen.print(
        f"[bold]Maturity level {level['number']} — {level['name']}[/bold] (overall {result['overall']:.0f}/100), "
        f"taken {result['taken_at'][:10]} by {escape(result['taken_by'])}"
    )
    screen.print(f"  {escape(level['description'])}")
    for reason in level["capped_by"]:
        screen.print(
            f"  [yellow]held at this level[/yellow] (level {level['uncapped']} by score alone): {escape(reason)}"
        )
    signals = {s["id"]: s for s in result["signals"]}
    for c in result["capabilities"]:
        screen.print(
            f"\n[bold]{escape(c['title'])}[/bold]: {c['combined']:.0f} (level {c['level']}) — "
            f"answers {_pct(c['questionnaire'])}, data {_pct(c['data'])}"
        )
        for signal_id in c["signals"]:
            s = signals[signal_id]
            if not s["measurable"]:
                screen.print(f"  [dim]–  {escape(s['title'])}: not measurable yet ({escape(s['note'])})[/dim]")
                continue
            mark = "[green]✓[/green]" if not s["missing"] else "[yellow]✗[/yellow]"
            short = (
                f" — short: {', '.join(s['missing'][:6])}{' …' if len(s['missing']) > 6 else ''}"
                if s["missing"]
                else ""
            )
            screen.print(f"  {mark} {s['met']} of {s['of']}  {escape(s['title'])}{escape(short)}")
    screen.print("\n[bold]Gaps to close, first things first[/bold]")
    if not result["gaps"]:
        screen.print("  none: every capability is at or above the next level")
    for gap in result["gaps"]:
        screen.print(f"  {gap['priority']}. {escape(gap['title'])} [dim]({escape(gap['current'])})[/dim]")
        screen.print(f"     → {escape(gap['action'])}")
