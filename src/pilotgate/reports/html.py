"""Reports as standalone HTML (charts drawn on the server, inline; no script, nothing fetched) and as
PDF, printed from that HTML by WeasyPrint with paged-media CSS (page numbers, running header)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from pilotgate.reports import charts

TEMPLATES = Path(__file__).parent / "templates"
MERMAID_PRINT = '%%{init: {"flowchart": {"htmlLabels": false}}}%%'
OPS = {"<=": "≤", ">=": "≥", "<": "<", ">": ">", "==": "=", "!=": "≠"}


def _decimal(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def when(iso: str | None) -> str:
    """An ISO timestamp as "2026-04-12 14:03 UTC"."""
    if not iso:
        return ""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return str(iso)
    return moment.strftime("%Y-%m-%d %H:%M") + (" UTC" if moment.utcoffset() is not None else "")


def num(value: Any) -> str:
    return "—" if value is None else f"{value:.4g}" if isinstance(value, int | float) else str(value)


def money(value: Any, currency: str | None = None) -> str:
    amount = _decimal(value)
    if amount is None:
        return "—"
    shown = f"{amount:,.0f}" if abs(amount) >= 100 else f"{amount:,.2f}"
    return f"{currency} {shown}" if currency else shown


def pct(fraction: Any) -> str:
    """A fraction (0.234) as a percentage (23.4%)."""
    value = _decimal(fraction)
    return "—" if value is None else f"{value * 100:.1f}%"


def pct_points(percent: Any) -> str:
    """A figure already in percent (23.4) as 23.4%."""
    value = _decimal(percent)
    return "—" if value is None else f"{value:.1f}%"


def figure(value: Any) -> str:
    """A scalar of unknown meaning, readably: big numbers grouped, small ones to four digits."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return str(value)
    number = float(value)
    return f"{number:,.0f}" if abs(number) >= 1000 else f"{number:.4g}"


def size(value: int | None) -> str:
    """A file size for people: 66 bytes, 12.3 kB, 4.5 MB."""
    if value is None:
        return ""
    if value < 1000:
        return f"{value:,} bytes"
    scaled = value / 1000
    for unit in ("kB", "MB"):
        if scaled < 1000:
            return f"{scaled:.1f} {unit}"
        scaled /= 1000
    return f"{scaled:,.1f} GB"


def scalars(mapping: Any) -> list[tuple[str, Any]]:
    """The scalar entries of a mapping (nested lists and mappings left out), in order."""
    if not isinstance(mapping, dict):
        return []
    return [(str(k), v) for k, v in mapping.items() if not isinstance(v, dict | list | tuple) and v is not None]


def irr(value: Any) -> str:
    """An annual IRR (0.12 is 12%); beyond 1,000% the figure says nothing more."""
    rate = _decimal(value)
    if rate is None:
        return "—"
    return "above 1,000%" if rate > 10 else f"{rate * 100:.1f}%"


def payback(month: Any, horizon: Any = None) -> str:
    if month is None:
        return f"not within {horizon} months" if horizon else "not within the horizon"
    return f"month {month}"


PERCENTILES = {"p10": "10th percentile", "p50": "median", "p90": "90th percentile"}


def simulated(figures: Any, currency: str | None = None) -> list[tuple[str, str]]:
    """Monte Carlo figures as (what, value) rows: NPV and payback percentiles, payback chances."""
    rows = []
    for name, value in scalars(figures):
        kind, _, tail = name.rpartition("_")
        if kind == "npv" and tail in PERCENTILES:
            rows.append((f"NPV, {PERCENTILES[tail]}", money(value, currency)))
        elif kind == "payback" and tail in PERCENTILES:
            rows.append((f"Payback, {PERCENTILES[tail]}", payback(value)))
        elif kind == "p_payback" and tail.isdigit():
            rows.append((f"Chance of payback within {tail} months", pct(value)))
        else:
            rows.append((name.replace("_", " ").capitalize(), figure(value)))
    return rows


def for_print(mermaid: str) -> str:
    """Mermaid source as printed: SVG text labels, since HTML labels do not survive a PDF."""
    return mermaid if "htmlLabels" in mermaid else f"{MERMAID_PRINT}\n{mermaid}"


environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
environment.filters.update(
    label=lambda value: str(value).replace("_", " "),
    day=lambda iso: str(iso)[:10] if iso else "",
    when=when,
    num=num,
    op=lambda op: OPS.get(op, op),
    money=money,
    pct=pct,
    pct_points=pct_points,
    irr=irr,
    payback=payback,
    simulated=simulated,
    figure=figure,
    bytes=size,
    scalars=scalars,
    mermaid_for_print=for_print,
)
environment.globals["chart"] = lambda spec, width=620: charts.data_uri(spec, width=width)


def html(template: str, **context: Any) -> str:
    return environment.get_template(template).render(**context)


def pdf(document: str) -> tuple[bytes, int]:
    """The HTML printed to PDF, and its number of pages. Only data: URIs are fetched (the inline
    charts): a link or image address in user content never makes the server reach out."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    laid_out = HTML(string=document, url_fetcher=URLFetcher(allowed_protocols={"data"})).render()
    printed: bytes = laid_out.write_pdf()
    return printed, len(laid_out.pages)
