"""Errors as RFC 9457 problem details for the API, and as pages for the browser."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from pilotgate.errors import Forbidden, GateBlocked, InvalidInput, PilotgateError

log = logging.getLogger("pilotgate.web")
auth_log = logging.getLogger("pilotgate.auth")
PROBLEM = "application/problem+json"
TYPES = {
    400: "invalid-request",
    401: "not-authenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "too-large",
    422: "invalid-input",
    429: "too-many-requests",
    500: "internal-error",
    503: "unavailable",
}


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    reasons: list[str] | None = None
    errors: list[dict[str, Any]] | None = None


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {PROBLEM: {}}, "description": description}
    for status, description in {
        400: "Malformed request",
        401: "No valid token or session",
        403: "Not allowed for this account, or not a named approver",
        404: "No such use case, person, review, policy or artifact",
        409: "Illegal transition, go blocked (with reasons), or a lost race",
        413: "Upload too large",
        422: "Invalid input, with the field and what is wrong",
        429: "Too many attempts",
        500: "Unexpected error; nothing was saved",
    }.items()
}


def problem(request: Request, status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {
        "type": f"https://pilotgate.dev/problems/{TYPES.get(status, 'error')}",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    headers = {"WWW-Authenticate": 'Bearer realm="pilotgate"'} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def log_refusal(request: Request, error: PilotgateError) -> None:
    """Log a refused authorisation once, whichever layer refused it (app role or named-approver rule)."""
    principal = getattr(request.state, "principal", None)
    who = f"{principal.email} ({principal.role})" if principal is not None else "anonymous"
    auth_log.warning("refused: %s on %s %s: %s", who, request.method, request.url.path, error.message)


def wants_page(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


def _page(request: Request, status: int, title: str, detail: str) -> Response:
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='/')}", status_code=303)
    from pilotgate.web.templating import render

    if request.headers.get("hx-request"):
        from fastapi.responses import HTMLResponse
        from markupsafe import escape

        return HTMLResponse(f'<div class="alert alert-error" role="alert">{escape(detail)}</div>', status_code=status)
    return render(request, "error.html", {"title": title, "detail": detail, "status": status}, status_code=status)


def install(app: FastAPI) -> None:
    @app.exception_handler(PilotgateError)
    async def _business(request: Request, error: PilotgateError) -> Response:
        if isinstance(error, Forbidden):
            log_refusal(request, error)
        if wants_page(request):
            return _page(request, error.status, error.title, error.message)
        extra: dict[str, Any] = {}
        if isinstance(error, GateBlocked):
            extra["reasons"] = error.reasons
        if isinstance(error, InvalidInput):
            rows = getattr(error, "errors", None)
            extra["errors"] = (
                [{"field": row.split(":", 1)[0], "message": row.split(": ", 1)[-1]} for row in rows]
                if isinstance(rows, list) and rows
                else [{"field": error.field, "message": error.why}]
            )
        return problem(request, error.status, error.title, error.message, **extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, error: RequestValidationError) -> Response:
        errors = [
            {
                "field": ".".join(str(p) for p in item["loc"] if p not in ("body", "query", "path", "form")),
                "message": item["msg"],
            }
            for item in error.errors()
        ]
        detail = "; ".join(f"{e['field'] or 'request'}: {e['message']}" for e in errors)
        if wants_page(request):
            return _page(request, 422, "Invalid input", detail)
        return problem(request, 422, "Invalid input", detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        detail = str(error.detail) if error.detail else "no such page or resource"
        title = {404: "Not found", 405: "Method not allowed"}.get(error.status_code, "Request refused")
        if wants_page(request):
            return _page(request, error.status_code, title, detail)
        return problem(request, error.status_code, title, detail)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        detail = "something went wrong on our side; nothing was saved. The error is in the server log."
        response = (
            _page(request, 500, "Internal error", detail)
            if wants_page(request)
            else problem(request, 500, "Internal error", detail)
        )
        # Unexpected errors are answered outside the middleware stack: add its headers here.
        from pilotgate.web.security import HEADERS

        for name, value in HEADERS:
            response.headers[name.decode()] = value.decode()
        return response
