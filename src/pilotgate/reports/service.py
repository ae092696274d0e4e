"""Reports as files: a gate review packet or the portfolio report, as PDF, HTML or Markdown.

Gathering reads the database inside the caller's unit of work and returns plain data; rendering
needs no database, so a web request's transaction ends before the (slower) printing starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pilotgate.db.uow import UnitOfWork
from pilotgate.errors import InvalidInput
from pilotgate.reports import html, markdown, packet, portfolio, portfolio_markdown

FORMATS = {
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
}


@dataclass(frozen=True)
class Rendered:
    content: bytes
    media_type: str
    filename: str
    pages: int | None = None  # of a PDF


def check_format(fmt: str) -> str:
    wanted = fmt.strip().lower().lstrip(".")
    wanted = {"markdown": "md", "htm": "html"}.get(wanted, wanted)
    if wanted not in FORMATS:
        raise InvalidInput("format", f"{fmt!r} is not a report format; use pdf, html or md")
    return wanted


def gate_packet(uow: UnitOfWork, key: str, *, gate: int | None = None) -> dict[str, Any]:
    """The packet's data: the open review, else the latest decided one; ``gate`` picks a gate."""
    return packet.build(uow, key, gate=gate)


def portfolio_report(uow: UnitOfWork) -> dict[str, Any]:
    return portfolio.build(uow)


def _render(template: str, data: dict[str, Any], fmt: str, filename: str, as_markdown: Any) -> Rendered:
    fmt = check_format(fmt)
    if fmt == "md":
        return Rendered(as_markdown(data).encode(), FORMATS[fmt], f"{filename}.md")
    document = html.html(template, p=data, generated_at=data["generated_at"])
    if fmt == "html":
        return Rendered(document.encode(), FORMATS[fmt], f"{filename}.html")
    printed, pages = html.pdf(document)
    return Rendered(printed, FORMATS[fmt], f"{filename}.pdf", pages)


def render_packet(data: dict[str, Any], fmt: str) -> Rendered:
    name = f"{data['use_case']['key']}-gate-{data['gate']['number']}-packet"
    return _render("gate_packet.html", data, fmt, name, markdown.gate_packet)


def render_portfolio(data: dict[str, Any], fmt: str) -> Rendered:
    name = f"portfolio-report-{data['generated_at'][:10]}"
    return _render("portfolio.html", data, fmt, name, portfolio_markdown.portfolio)
