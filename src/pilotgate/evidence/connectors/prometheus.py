"""Prometheus connector: each configured PromQL expression becomes one pilotgate metric series.

Every expression must yield a single series (aggregate with ``avg()``/``sum()`` when it does not),
read over the pull window with ``/api/v1/query_range``.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx
from pydantic import Field, field_validator

from pilotgate.evidence.connectors.base import Connector, ConnectorConfig, ConnectorError, PulledPoint

METRIC_KEY = re.compile(r"^[a-z][a-z0-9_.]*$")
# Prometheus refuses a range query of more than 11,000 points per series.
MAX_POINTS = 11_000


class PrometheusConfig(ConnectorConfig):
    """Where Prometheus is and which PromQL expression feeds which pilotgate metric."""

    url: str
    queries: dict[str, str] = Field(min_length=1)
    step_seconds: int = Field(default=60, ge=1)
    timeout_seconds: float = Field(default=10, gt=0)
    cohort: str = ""

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(
                f"{url!r} is not an http(s) URL; give the Prometheus base URL, e.g. http://prometheus:9090"
            )
        return url.strip().rstrip("/")

    @field_validator("queries")
    @classmethod
    def _keys_and_expressions(cls, queries: dict[str, str]) -> dict[str, str]:
        for key, expression in queries.items():
            if not METRIC_KEY.match(key):
                raise ValueError(
                    f"metric key {key!r} must be lowercase letters, digits, '_' or '.', starting with a letter"
                )
            if not expression.strip():
                raise ValueError(f"the PromQL expression for {key!r} is empty")
        return queries


def query_step(step_seconds: int, since: datetime, until: datetime) -> int:
    """The configured step, widened so the window stays within Prometheus' points limit."""
    span = (until - since).total_seconds()
    return max(step_seconds, math.ceil(span / MAX_POINTS))


class PrometheusConnector(Connector):
    """Reads metric series from a Prometheus server's HTTP API."""

    kind: ClassVar[str] = "prometheus"
    title: ClassVar[str] = "Prometheus"
    Config: ClassVar[type[ConnectorConfig]] = PrometheusConfig
    config: PrometheusConfig

    def metric_keys(self) -> list[str]:
        """The pilotgate metric keys of the configured queries."""
        return list(self.config.queries)

    def pull(self, *, since: datetime, until: datetime) -> list[PulledPoint]:
        """The points of every query in ``[since, until]``, skipping NaN and infinite values."""
        step = query_step(self.config.step_seconds, since, until)
        points: list[PulledPoint] = []
        with httpx.Client(timeout=self.config.timeout_seconds) as client:
            for key, expression in self.config.queries.items():
                params = {"query": expression, "start": since.timestamp(), "end": until.timestamp(), "step": step}
                series = self._matrix(client, key, params)
                points.extend(self._points(key, series, since, until))
        return points

    def _matrix(self, client: httpx.Client, key: str, params: dict[str, Any]) -> list[list[Any]]:
        """The values of the one series the query returns, or [] when it returns none."""
        data = self._get(client, key, params)
        if data.get("resultType") != "matrix":
            raise ConnectorError(f"Prometheus answered {key!r} with a {data.get('resultType')!r}, not a matrix")
        result: list[dict[str, Any]] = data.get("result", [])
        if len(result) > 1:
            raise ConnectorError(
                f"the query for {key!r} returned {len(result)} series; pilotgate needs one: "
                f"aggregate it, e.g. avg({params['query']}) or sum({params['query']})"
            )
        return result[0].get("values", []) if result else []

    def _get(self, client: httpx.Client, key: str, params: dict[str, Any]) -> dict[str, Any]:
        """The ``data`` of a range query's answer; every failure becomes a ConnectorError."""
        url = self.config.url
        try:
            response = client.get(f"{url}/api/v1/query_range", params=params)
        except httpx.TimeoutException:
            raise ConnectorError(
                f"Prometheus at {url} did not answer within {self.config.timeout_seconds:g}s; "
                "check the url or raise timeout_seconds"
            ) from None
        except httpx.HTTPError as error:
            raise ConnectorError(f"cannot reach Prometheus at {url} ({error}); check the url") from None
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or "status" not in body:
            raise ConnectorError(
                f"{url} answered HTTP {response.status_code} without a Prometheus API response; "
                "is the url the Prometheus base URL?"
            )
        if body["status"] != "success":
            raise ConnectorError(
                f"Prometheus refused the query for {key!r}: {body.get('errorType', 'error')}: {body.get('error', '')}"
            )
        data: dict[str, Any] = body.get("data", {})
        return data

    def _points(self, key: str, values: list[list[Any]], since: datetime, until: datetime) -> list[PulledPoint]:
        """Finite values as points; Prometheus rounds times to ms, so the window is applied again."""
        points = []
        for ts, raw in values:
            value, moment = float(raw), datetime.fromtimestamp(float(ts), tz=UTC)
            if math.isfinite(value) and since <= moment <= until:
                points.append(PulledPoint(key, moment, value, self.config.cohort))
        return points
