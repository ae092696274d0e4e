"""Jinja2 rendering with autoescaping everywhere, and the shared page context."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES = Path(__file__).parent / "templates"
environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)
STAGE_LABELS = {
    "discovery": "Discovery",
    "poc": "Proof of Concept",
    "pilot": "Pilot",
    "production": "Production",
    "scale": "Scale",
}
environment.filters["stage_label"] = lambda stage: STAGE_LABELS.get(stage, str(stage).replace("_", " ").title())
environment.filters["label"] = lambda value: str(value).replace("_", " ")
environment.filters["day"] = lambda iso: str(iso)[:10] if iso else ""


def render(request: Request, template: str, context: dict[str, Any], *, status_code: int = 200) -> HTMLResponse:
    principal = getattr(request.state, "principal", None)
    page = environment.get_template(template).render(
        request=request,
        principal=principal,
        csrf_token=principal.csrf_token if principal else "",
        path=request.url.path,
        **context,
    )
    return HTMLResponse(page, status_code=status_code)
