"""The CLI's remote mode: `pilotgate --server URL` talks to the REST API with a personal token."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx

from pilotgate.errors import Conflict, Forbidden, GateBlocked, InvalidInput, NotFound, PilotgateError


class RemoteError(PilotgateError):
    """A problem the server reported, or a server we could not reach."""


def _raise_problem(response: httpx.Response) -> None:
    try:
        body = response.json()
    except ValueError:
        body = {}
    detail = body.get("detail") or response.text[:300] or response.reason_phrase
    status = response.status_code
    if status == 401:
        raise RemoteError(f"the server refused the token: {detail} (check PILOTGATE_TOKEN)")
    if status == 403:
        raise Forbidden(detail)
    if status == 404:
        raise NotFound(detail)
    if status == 409 and body.get("reasons"):
        raise GateBlocked(list(body["reasons"]))
    if status == 409:
        raise Conflict(detail)
    if status == 422:
        error = InvalidInput("", detail)
        rows = body.get("errors") or []
        if len(rows) > 1:  # a rejected batch: keep one line per bad row
            error.errors = [f"{e.get('field')}: {e.get('message')}" for e in rows]  # type: ignore[attr-defined]
        raise error
    raise RemoteError(f"the server answered {status}: {detail}")


class Remote:
    """A thin client of /api/v1; every call returns the decoded JSON or raises a typed error."""

    def __init__(self, server: str, token: str | None) -> None:
        if not token:
            raise RemoteError("set PILOTGATE_TOKEN to a personal API token (create one with `pilotgate token create`)")
        self.server = server.rstrip("/")
        self.http = httpx.Client(
            base_url=f"{self.server}/api/v1", headers={"Authorization": f"Bearer {token}"}, timeout=60
        )

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            raise RemoteError(f"cannot reach {self.server}: {error}") from None
        if response.status_code >= 400:
            _raise_problem(response)
        return response.json() if response.content else None

    def get(self, path: str, **params: Any) -> Any:
        return self.call("GET", path, params={k: v for k, v in params.items() if v is not None})

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.call("POST", path, **kwargs)

    def put(self, path: str, body: Any) -> Any:
        return self.call("PUT", path, json=body)

    def patch(self, path: str, body: Any) -> Any:
        return self.call("PATCH", path, json=body)

    def delete(self, path: str) -> Any:
        return self.call("DELETE", path)

    def download(self, path: str, target: Path, **params: Any) -> int:
        with self.http.stream("GET", path, params=params) as response:
            if response.status_code >= 400:
                response.read()
                _raise_problem(response)
            size = 0
            with target.open("xb") as sink:
                for chunk in response.iter_bytes():
                    sink.write(chunk)
                    size += len(chunk)
        return size

    def import_metrics(self, source: Path | list[dict[str, Any]]) -> Any:
        """Send metric points: a CSV file (streamed) or a list of point objects. All or none."""
        if isinstance(source, Path):
            with source.open("rb") as stream:
                return self.call("POST", "/metrics/points", content=stream, headers={"Content-Type": "text/csv"})
        return self.call("POST", "/metrics/points", json={"points": source})

    def me(self) -> str:
        return str(self.get("/me")["email"])


def from_environment(server: str | None) -> Remote | None:
    server = server or os.environ.get("PILOTGATE_SERVER")
    return Remote(server, os.environ.get("PILOTGATE_TOKEN")) if server else None
