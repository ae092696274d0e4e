"""API schemas of the evidence layer."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class MetricFields(Strict):
    name: str | None = Field(default=None, max_length=200)
    unit: str | None = Field(default=None, max_length=32, description="e.g. %, ms, users, USD, ratio")
    kind: Literal["adoption", "sla", "technical", "leading", "lagging"] | None = None
    direction: Literal["higher", "lower"] | None = Field(default=None, description="Which way is better")
    baseline: float | None = None
    target: float | None = None
    cadence: str | None = Field(default=None, max_length=16, description="e.g. 1d, 7d, 15m; 'none': never stale")


class MetricWrite(MetricFields):
    key: str = Field(min_length=1, max_length=64, description="e.g. uptime, latency_ms, active_users")


class PointWrite(Strict):
    use_case: str = Field(max_length=32)
    metric: str = Field(max_length=64)
    timestamp: str = Field(max_length=64, description="ISO-8601, e.g. 2026-11-28T09:00:00Z")
    value: Any = Field(description="A number")
    cohort: str = Field(default="", max_length=64)
    segment: str = Field(default="", max_length=64)


class PointsWrite(BaseModel):
    # Items are validated row by row by the ingester so every error carries its row number.
    points: list[Any] = Field(max_length=1_000_000)


class SloWrite(Strict):
    uptime_pct: float | None = None
    latency_p95_ms: float | None = None
    error_rate_pct: float | None = None
    reset: list[Literal["uptime_pct", "latency_p95_ms", "error_rate_pct"]] = Field(default_factory=list)


class ConnectorWrite(Strict):
    kind: str = Field(max_length=32, description="prometheus, mlflow, or a plugin's kind")
    config: dict[str, Any]


class PullRequest(Strict):
    connector: int | None = Field(default=None, ge=1, le=2_147_483_647)
    use_case: str | None = Field(default=None, max_length=32)
    due: bool = False
