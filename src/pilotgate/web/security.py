"""Security headers on every response: nothing loads from another host."""

from __future__ import annotations

import json
import os
from typing import Any

from pilotgate.errors import PilotgateError

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeaders:
    """A plain ASGI middleware (cheaper than BaseHTTPMiddleware on the hot path)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


class RequestTooLarge(PilotgateError):
    status = 413
    title = "Request too large"


DEFAULT_MAX_REQUEST = 27 * 1024 * 1024  # the default artifact limit (25 MiB) and room for the form around it


DEFAULT_MAX_IMPORT = 2 * 1024 * 1024 * 1024  # metric imports stream to a spool file, never into memory
STREAMED_IMPORTS = ("/api/v1/metrics/points",)


def max_request_bytes() -> int:
    return int(os.environ.get("PILOTGATE_MAX_REQUEST_BYTES") or DEFAULT_MAX_REQUEST)


def max_import_bytes() -> int:
    return int(os.environ.get("PILOTGATE_MAX_IMPORT_BYTES") or DEFAULT_MAX_IMPORT)


class BodyLimit:
    """Refuses request bodies over the limit before anything parses them (uploads included).

    A declared Content-Length over the limit is answered 413 at once; a body sent without one
    is counted as it arrives and refused as soon as it passes the limit.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.default_limit = max_request_bytes()
        self.import_limit = max_import_bytes()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.import_limit if scope.get("path") in STREAMED_IMPORTS else self.default_limit
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(scope, send, limit)
            return
        seen = 0

        async def counted() -> Any:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise RequestTooLarge(f"the request is larger than {limit:,} bytes")
            return message

        await self.app(scope, counted, send)


async def _too_large(scope: Any, send: Any, limit: int) -> None:
    body = json.dumps(
        {
            "type": "https://pilotgate.dev/problems/too-large",
            "title": "Request too large",
            "status": 413,
            "detail": f"the request is larger than {limit:,} bytes; upload a smaller file",
            "instance": scope.get("path", ""),
        }
    ).encode()
    headers = [(b"content-type", b"application/problem+json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
