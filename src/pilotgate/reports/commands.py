"""CLI: `pilotgate report gate KEY` and `pilotgate report portfolio` — PDF, HTML or Markdown files."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer

from pilotgate.cli_support import errors_rendered, fail, remote, unit_of_work

report_app = typer.Typer(
    rich_markup_mode=None,
    help="Reports: gate review packets and the portfolio report, as PDF, HTML or Markdown.",
    no_args_is_help=True,
)
SUFFIXES = {".pdf": "pdf", ".html": "html", ".htm": "html", ".md": "md", ".markdown": "md"}
FORMAT_HELP = "pdf, html or md (default: from the extension of -o FILE; md for -o -)."
OUTPUT_HELP = "The file to write (written whole or not at all); - writes to standard output (md, html)."


def _format(fmt: str | None, output: str) -> str:
    from pilotgate.reports.service import check_format

    if fmt is not None:
        with errors_rendered():
            return check_format(fmt)
    if output == "-":
        return "md"
    found = SUFFIXES.get(Path(output).suffix.lower())
    if found is None:
        fail(f"--format: give pdf, html or md ({output} has no .pdf, .html or .md extension)")
    return found


def _target(output: str, fmt: str | None) -> tuple[Path | None, str]:
    """The file to write (None for standard output) and the format, checked before any work."""
    target = None if output == "-" else Path(output).expanduser()
    if target is not None and target.is_dir():
        fail(f"-o: {output} is a directory; name the file to write, e.g. {target / 'report.pdf'}")
    if target is not None and not target.parent.is_dir():
        fail(f"-o: the directory {target.parent} does not exist; create it first")
    fmt = _format(fmt, output)
    if target is None and fmt == "pdf" and sys.stdout.isatty():
        fail("-o -: a PDF is binary; write it to a file (-o FILE.pdf) or pipe it")
    return target, fmt


def _write(target: Path | None, produce: Callable[[Path], None]) -> int:
    """Produce the report into a temporary file beside the target, then rename it into place: the
    target is either the whole new report or untouched. Returns the size written."""
    directory = target.parent if target is not None else None
    handle, name = tempfile.mkstemp(prefix=".pilotgate-report-", suffix=".tmp", dir=directory)
    os.close(handle)
    temporary = Path(name)
    try:
        temporary.unlink()  # produce() creates it exclusively
        produce(temporary)
        size = temporary.stat().st_size
        if target is None:
            sys.stdout.buffer.write(temporary.read_bytes())
            sys.stdout.flush()
        else:
            with temporary.open("rb") as written:
                os.fsync(written.fileno())
            os.replace(temporary, target)
        return size
    finally:
        temporary.unlink(missing_ok=True)


def _save(target: Path | None, fmt: str, api_path: str, params: dict[str, Any], build: Callable[[], Any]) -> None:
    client = remote()
    pages: list[int | None] = [None]

    def produce(path: Path) -> None:
        if client is not None:
            with errors_rendered():
                client.download(api_path, path, **{k: v for k, v in params.items() if v is not None})
            return
        rendered = build()
        pages[0] = rendered.pages
        with path.open("xb") as sink:
            sink.write(rendered.content)

    size = _write(target, produce)
    if target is not None:
        detail = f", {pages[0]} page{'s' if pages[0] != 1 else ''}" if pages[0] else ""
        typer.echo(f"wrote {target} ({fmt.upper()}{detail}, {size:,} bytes)")


@report_app.command("gate")
def report_gate(
    key: str,
    output: str = typer.Option(..., "-o", "--output", help=OUTPUT_HELP),
    fmt: str | None = typer.Option(None, "--format", help=FORMAT_HELP),
    gate: int | None = typer.Option(
        None, "--gate", min=1, help="The latest review of this gate (default: the open review, else the latest)."
    ),
) -> None:
    """A gate review packet: criteria and evidence, metric charts, approvals, decision, business case."""
    from pilotgate.reports import charts, service

    target, fmt = _target(output, fmt)

    def build() -> Any:
        if fmt != "md":
            charts.start_engine()
        with unit_of_work(read_only=True) as uow:
            data = service.gate_packet(uow, key, gate=gate)
        return service.render_packet(data, fmt)

    _save(target, fmt, f"/use-cases/{key.strip().upper()}/review/packet.{fmt}", {"gate": gate}, build)


@report_app.command("portfolio")
def report_portfolio(
    output: str = typer.Option(..., "-o", "--output", help=OUTPUT_HELP),
    fmt: str | None = typer.Option(None, "--format", help=FORMAT_HELP),
) -> None:
    """The portfolio report: funnel, conversion, stalled use cases, benchmarks, funding and value."""
    from pilotgate.reports import charts, service

    target, fmt = _target(output, fmt)

    def build() -> Any:
        if fmt != "md":
            charts.start_engine()
        with unit_of_work(read_only=True) as uow:
            data = service.portfolio_report(uow)
        return service.render_portfolio(data, fmt)

    _save(target, fmt, f"/portfolio/report.{fmt}", {}, build)
