"""CLI: `pilotgate score` — the Discovery scorecard, the ranking and value concentration — and
`pilotgate timeline`, a use case's Gantt."""

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

score_app = typer.Typer(
    rich_markup_mode=None,
    help="Use-case prioritisation: the Discovery scorecard, the ranking and value concentration.",
    no_args_is_help=True,
)
SOURCES = {"business_case": "business case", "scorecard_estimate": "estimate", None: "—"}


def _money(amount: Any, currency: str | None) -> str:
    return "—" if amount is None else f"{currency or ''} {float(amount):,.2f}".strip()


def _from_file(path: Path) -> dict[str, Any]:
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        fail(f"--file: {path} does not exist")
    except (UnicodeDecodeError, IsADirectoryError, PermissionError) as error:
        fail(f"--file: cannot read {path} as UTF-8 text ({error.__class__.__name__})")
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        fail(f"--file: {path} is not valid YAML{where}")
    if not isinstance(data, dict) or not isinstance(data.get("scores", {}), dict):
        fail(f"--file: {path} needs a mapping with `scores:` (criterion id → score or {{score, rationale}})")
    unknown = sorted(set(data) - {"scores", "expected_value", "currency", "note"})
    if unknown:
        fail(f"--file: unknown key(s) {', '.join(map(str, unknown))}; use scores, expected_value, currency, note")
    return data


def _from_options(options: list[str]) -> dict[str, Any]:
    from pilotgate.prioritisation import rules

    scores: dict[str, Any] = {}
    for option in options:
        try:
            criterion, score, rationale = rules.parse_option(option)
        except ValueError as error:
            fail(f"--criterion: {error}")
        if criterion in scores:
            fail(f"--criterion: {criterion} is given twice; give each criterion once")
        scores[criterion] = {"score": score, "rationale": rationale}
    return scores


@score_app.command("set")
def score_set(
    key: str,
    criterion: list[str] = typer.Option(
        [], "--criterion", "-c", help="id=score[:rationale], once per criterion of the policy, e.g. risk=2:no PII."
    ),
    file: Path | None = typer.Option(None, "--file", help="A YAML file with scores, expected_value, currency, note."),
    expected_value: str | None = typer.Option(None, "--expected-value", help="Expected annual value, e.g. 250000."),
    currency: str | None = typer.Option(None, "--currency", help="ISO 4217 code (default: the policy's)."),
    note: str | None = typer.Option(None, "--note", help="Context for the scorecard as a whole."),
    actor: str | None = AS_OPTION,
) -> None:
    """Score a use case on every prioritisation criterion: a new scorecard version, its document
    attached to the open Gate 1 review."""
    email = acting_as(actor)
    body: dict[str, Any] = _from_file(file) if file else {}
    body["scores"] = {**(body.get("scores") or {}), **_from_options(criterion)}
    for name, value in (("expected_value", expected_value), ("currency", currency), ("note", note)):
        if value is not None:
            body[name] = value
    if client := remote():
        with errors_rendered():
            out = client.post(f"/use-cases/{key}/scorecard", json=body)
    else:
        from pilotgate.prioritisation import service
        from pilotgate.usecases import service as usecases

        with unit_of_work() as uow:
            result = service.record(uow, key=key, actor=email, **body)
            out = service.recorded_dict(result, usecases.get_or_raise(uow, key).key)
    card = out["scorecard"]
    screen = console()
    screen.print(
        f"{card['use_case']}: scorecard version {card['version']} — {card['total']:g}/100, "
        f"expected value {_money(card['expected_value'], card['currency'])}, scored by {escape(card['scored_by'])}"
    )
    if out["attached"]:
        screen.print(f"Attached to the open review as {out['attached']['artifact']} v{out['attached']['version']}")
    if out["not_attached"]:
        screen.print(f"[yellow]Not attached:[/yellow] {escape(out['not_attached'])}")


@score_app.command("show")
def score_show(
    key: str,
    version: int | None = typer.Option(None, "--version", help="An earlier version (default: the newest)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """A use case's scorecard: each criterion's score, weight, points and rationale, and its versions."""
    if client := remote():
        with errors_rendered():
            out = client.get(f"/use-cases/{key}/scorecard", version=version)
    else:
        from pilotgate.prioritisation import service
        from pilotgate.usecases import service as usecases

        with unit_of_work(read_only=True) as uow:
            out = service.summary(uow, usecases.get_or_raise(uow, key), version)
    if as_json:
        print_json(out)
        return
    card, screen = out["scorecard"], console()
    if card is None:
        key = out["use_case"]
        screen.print(f"{key} has no scorecard yet; score it with `pilotgate score set {key} --criterion id=score …`")
        return
    grid = table("Criterion", "Weight", "Score", "Points", "Rationale")
    for s in card["scores"]:
        title = escape(s["title"]) + (" (inverse)" if s["inverse"] else "")
        share = f"{100 * s['weight_share']:.0f}%"
        grid.add_row(title, share, f"{s['score']}/{card['scale']['max']}", f"{s['points']:.1f}", escape(s["rationale"]))
    grid.title = f"{card['use_case']} scorecard v{card['version']}: {card['total']:g}/100"
    screen.print(grid)
    screen.print(
        f"Expected value {_money(card['expected_value'], card['currency'])}; scored by {escape(card['scored_by'])} "
        f"at {card['scored_at']} against {card['policy']['name']} v{card['policy']['version']}; "
        f"{len(out['versions'])} version(s)"
    )


@score_app.command("rank")
def score_rank(
    stage: str | None = typer.Option(None, "--stage", help="Only use cases in this stage, e.g. discovery."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Scored use cases still in play, highest weighted score first (ties: higher expected value, then key)."""
    if client := remote():
        with errors_rendered():
            out = client.get("/prioritisation/ranking", stage=stage)
    else:
        from pilotgate.prioritisation import portfolio

        with unit_of_work(read_only=True) as uow:
            out = portfolio.ranking(uow, stage=stage)
    if as_json:
        print_json(out)
        return
    if not out["ranked"]:
        console().print(
            "No use case in play is scored yet; score one with `pilotgate score set KEY --criterion id=score …`"
        )
    grid = table("#", "Key", "Use case", "Stage", "Score", "Expected value", "From", title="Ranked use cases")
    for r in out["ranked"]:
        value = _money(r["expected_value"], r["currency"])
        grid.add_row(
            str(r["rank"]),
            r["key"],
            escape(r["title"]),
            r["stage"],
            f"{r['score']:g}",
            value,
            SOURCES[r["value_source"]],
        )
    if out["ranked"]:
        console().print(grid)
    if out["unscored"]:
        keys = ", ".join(u["key"] for u in out["unscored"])
        console().print(f"Not scored yet ({len(out['unscored'])}): {keys}")


@score_app.command("concentration")
def score_concentration(
    top: int | None = typer.Option(None, "--top", help="N: the share held by the N most valuable (default: policy)."),
    stage: str | None = typer.Option(None, "--stage", help="Only use cases in this stage."),
    currency: str | None = typer.Option(None, "--currency", help="The currency of the view (default: the policy's)."),
    as_json: bool = JSON_OPTION,
) -> None:
    """Value concentration: the share of expected value held by the top N use cases, and the Pareto series."""
    if client := remote():
        with errors_rendered():
            out = client.get("/prioritisation/concentration", top=top, stage=stage, currency=currency)
    else:
        from pilotgate.prioritisation import portfolio

        with unit_of_work(read_only=True) as uow:
            out = portfolio.concentration(uow, top=top, stage=stage, currency=currency)
    if as_json:
        print_json(out)
        return
    screen = console()
    if out["series"]:
        share = "—" if out["top_share"] is None else f"{100 * out['top_share']:.1f}%"
        reach = f"; {out['to_reach_line']} hold {100 * out['line']:g}% of it" if out["to_reach_line"] else ""
        screen.print(
            f"The top {out['counted']} of {out['use_cases']} use case(s) hold {share} of "
            f"{_money(out['total'], out['currency'])} expected value{reach}"
        )
        grid = table("#", "Key", "Use case", "Expected value", "Cumulative", "From")
        for p in out["series"]:
            cumulative = "—" if p["cumulative_share"] is None else f"{100 * p['cumulative_share']:.1f}%"
            value = _money(p["value"], out["currency"])
            grid.add_row(str(p["position"]), p["key"], escape(p["title"]), value, cumulative, SOURCES[p["source"]])
        screen.print(grid)
    else:
        screen.print("No use case in play has an expected value yet (from a business case or a scorecard estimate)")
    for e in out["excluded"]:
        screen.print(f"Left out: {e['key']} — {escape(e['reason'])}")


@score_app.command("attach")
def score_attach(key: str, actor: str | None = AS_OPTION) -> None:
    """Attach the newest scorecard's document to the open Gate 1 review (as someone named on the use case)."""
    email = acting_as(actor)
    if client := remote():
        with errors_rendered():
            out = client.post(f"/use-cases/{key}/scorecard/attach")
    else:
        from pilotgate.prioritisation import service

        with unit_of_work() as uow:
            artifact, row = service.attach(uow, key=key, actor=email)
            out = {"use_case": key.strip().upper(), "scorecard_version": row.version}
            out |= {"artifact": artifact.artifact_id, "version": artifact.version}
    console().print(
        f"{out['use_case']}: scorecard v{out['scorecard_version']} attached as {out['artifact']} v{out['version']}"
    )


def timeline_command(
    key: str,
    format: str = typer.Option("mermaid", "--format", help="mermaid (Gantt text) or json (items and Vega-Lite)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write to this file instead of printing."),
) -> None:
    """A use case's Gantt — plan vs actual per stage, gates, returns — as Mermaid `gantt` text or JSON."""
    import json

    if format not in ("mermaid", "json"):
        fail(f"--format: {format!r} is not mermaid or json")
    if client := remote():
        with errors_rendered():
            out = client.get(f"/use-cases/{key}/timeline")
    else:
        from pilotgate.reports import timeline
        from pilotgate.usecases import service as usecases

        with unit_of_work(read_only=True) as uow:
            out = timeline.timeline_dict(uow, usecases.get_or_raise(uow, key))
    text = out["mermaid"] if format == "mermaid" else json.dumps(out, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        fail(f"--output: cannot write {output} ({error.strerror or error.__class__.__name__})")
    typer.echo(f"{out['use_case']}: timeline written to {output}")
