"""Report downloads: the REST API (token) and the pages (session) serve the same files.

Every route needs a signed-in account ("read" is every application role); the files are served as
attachments, never rendered inline by the app.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from pilotgate.reports import service
from pilotgate.reports.service import FORMATS, Rendered
from pilotgate.web.auth import CurrentPrincipal, unit_of_work

Format = Literal["pdf", "html", "md"]
FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report as a file (Content-Disposition: attachment)",
        "content": {FORMATS["pdf"].split(";")[0]: {}, "text/html": {}, "text/markdown": {}},
    }
}
router = APIRouter(tags=["reports"])
pages = APIRouter(include_in_schema=False)
GateParam = Annotated[
    int | None,
    Query(ge=1, le=1000, description="The latest review of this gate (default: the open review, else the latest)"),
]


def _file(rendered: Rendered) -> Response:
    return Response(
        rendered.content,
        media_type=rendered.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{rendered.filename}"',
            "Cache-Control": "no-store",
        },
    )


def gate_packet_file(
    request: Request, principal: CurrentPrincipal, key: str, fmt: Format, gate: int | None
) -> Response:
    principal.require("read", "read gate reviews")
    with unit_of_work(request, read_only=True) as uow:
        data = service.gate_packet(uow, key, gate=gate)
    return _file(service.render_packet(data, fmt))


def portfolio_file(request: Request, principal: CurrentPrincipal, fmt: Format) -> Response:
    principal.require("read", "read the portfolio")
    with unit_of_work(request, read_only=True) as uow:
        data = service.portfolio_report(uow)
    return _file(service.render_portfolio(data, fmt))


@router.get(
    "/use-cases/{key}/review/packet.{fmt}",
    summary="A gate review packet as PDF, HTML or Markdown",
    response_class=Response,
    responses=FILE_RESPONSES,
)
def api_gate_packet(
    request: Request, principal: CurrentPrincipal, key: str, fmt: Format, gate: GateParam = None
) -> Response:
    return gate_packet_file(request, principal, key, fmt, gate)


@router.get(
    "/portfolio/report.{fmt}",
    summary="The portfolio report as PDF, HTML or Markdown",
    response_class=Response,
    responses=FILE_RESPONSES,
)
def api_portfolio_report(request: Request, principal: CurrentPrincipal, fmt: Format) -> Response:
    return portfolio_file(request, principal, fmt)


@pages.get("/use-cases/{key}/review/packet.{fmt}")
def page_gate_packet(
    request: Request, principal: CurrentPrincipal, key: str, fmt: Format, gate: GateParam = None
) -> Response:
    return gate_packet_file(request, principal, key, fmt, gate)


@pages.get("/portfolio/report.{fmt}")
def page_portfolio_report(request: Request, principal: CurrentPrincipal, fmt: Format) -> Response:
    return portfolio_file(request, principal, fmt)
