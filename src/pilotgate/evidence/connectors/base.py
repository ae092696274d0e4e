"""The connector plugin contract: a connector pulls measured points from a system of record.

A connector is configured per use case with a JSON object its ``Config`` model validates. The
evidence layer calls :meth:`Connector.pull` on a schedule or on demand and stores what it
returns as metric points (idempotently: a point pulled twice replaces itself).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime
from typing import Any, ClassVar, NamedTuple

from pydantic import BaseModel, ConfigDict, ValidationError

from pilotgate.errors import InvalidInput, PilotgateError


class PulledPoint(NamedTuple):
    """One measured value for one metric series of the use case the connector serves."""

    metric: str  # the metric key in pilotgate, e.g. "uptime" or "mlflow.f1"
    ts: datetime  # timezone-aware, UTC
    value: float
    cohort: str = ""


class ConnectorError(PilotgateError):
    """The source could not be read: unreachable, refused the query, or answered nonsense."""

    status = 502
    title = "Connector failed"


class ConnectorConfig(BaseModel):
    """Base of every connector's configuration: unknown keys are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # How often the scheduler pulls, in seconds; on-demand pulls ignore it.
    interval_seconds: int = 300


class Connector(ABC):
    """Base class of connector plugins; subclasses set ``kind``, ``title`` and ``Config``."""

    kind: ClassVar[str]
    title: ClassVar[str]
    Config: ClassVar[type[ConnectorConfig]]

    def __init__(self, config: ConnectorConfig) -> None:
        self.config = config

    @classmethod
    def from_config(cls, raw: dict[str, Any]) -> Connector:
        """Validate a raw configuration, or raise InvalidInput naming each bad field."""
        try:
            return cls(cls.Config.model_validate(raw))
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'config'}: {e['msg']}" for e in error.errors()
            )
            raise InvalidInput("config", f"{cls.kind} connector: {problems}") from None

    @abstractmethod
    def metric_keys(self) -> list[str]:
        """The metric keys this connector writes, so they can be defined before the first pull."""

    @abstractmethod
    def pull(self, *, since: datetime, until: datetime) -> list[PulledPoint]:
        """Measured points in ``[since, until]``; raise ConnectorError when the source fails."""
