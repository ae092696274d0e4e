"""MLflow connector: the metrics of one run, named by its id or by a registered model version.

MLflow is an optional dependency (``pip install 'pilotgate[mlflow]'``), imported only on use.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from pydantic import Field, model_validator

from pilotgate.evidence.connectors.base import Connector, ConnectorConfig, ConnectorError, PulledPoint

if TYPE_CHECKING:
    from mlflow import MlflowClient
    from mlflow.entities import Metric

SQLITE_PREFIX = "sqlite:///"


def metric_key(name: str) -> str:
    """The pilotgate key of an MLflow metric: ``Recall@5`` becomes ``mlflow.recall_5``."""
    return "mlflow." + re.sub(r"[^a-z0-9_]", "_", name.lower())


class MlflowConfig(ConnectorConfig):
    """Which tracking server to read and which run: by ``run_id``, or by ``model_name`` and ``model_version``."""

    tracking_uri: str = Field(min_length=1)
    run_id: str = ""
    model_name: str = ""
    model_version: str = Field(default="", coerce_numbers_to_str=True)
    metrics: list[str] = Field(default_factory=list)  # empty: every metric of the run

    @model_validator(mode="after")
    def _one_run(self) -> MlflowConfig:
        by_model = bool(self.model_name or self.model_version)
        if self.run_id and by_model:
            raise ValueError("give either run_id, or model_name with model_version, not both")
        if not self.run_id and not (self.model_name and self.model_version):
            raise ValueError("give run_id, or both model_name and model_version")
        return self


class MlflowConnector(Connector):
    """Reads a run's metric history from an MLflow tracking server or store.

    A metric with no point in the pull window still yields its latest value, stamped with the time
    MLflow logged it (so possibly before ``since``): the final value of a finished run is what
    Gate 2 judges, and it must be there however long after training the first pull happens.
    """

    kind: ClassVar[str] = "mlflow"
    title: ClassVar[str] = "MLflow"
    Config: ClassVar[type[ConnectorConfig]] = MlflowConfig
    config: MlflowConfig

    def metric_keys(self) -> list[str]:
        """The keys of the configured metrics; empty when every metric of the run is read."""
        return [metric_key(name) for name in self.config.metrics]

    def pull(self, *, since: datetime, until: datetime) -> list[PulledPoint]:
        """Each metric's finite values in ``[since, until]``, or its latest value when none falls there."""
        client = self._client()
        with self._errors():
            run_id = self._run_id(client)
            logged = set(client.get_run(run_id).data.metrics)
            missing = [name for name in self.config.metrics if name not in logged]
            if missing:
                known = ", ".join(sorted(logged)) or "none"
                raise ConnectorError(f"MLflow run {run_id} has no metric {', '.join(missing)}; it has: {known}")
            points: list[PulledPoint] = []
            for name in self.config.metrics or sorted(logged):
                points.extend(self._points(name, client.get_metric_history(run_id, name), since, until))
        return points

    def _client(self) -> MlflowClient:
        uri = self.config.tracking_uri
        # MLflow would silently create an empty store at a mistyped path.
        if uri.startswith(SQLITE_PREFIX) and not Path(uri.removeprefix(SQLITE_PREFIX)).is_file():
            raise ConnectorError(f"no MLflow database at {uri}; check tracking_uri")
        # MLflow retries an unreachable server seven times with backoff (minutes); a pull should
        # fail fast and be retried at the next schedule. An operator's own setting wins.
        os.environ.setdefault("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "1")
        os.environ.setdefault("MLFLOW_HTTP_REQUEST_TIMEOUT", "20")
        try:
            from mlflow import MlflowClient
        except ImportError:
            raise ConnectorError("the mlflow connector needs MLflow: pip install 'pilotgate[mlflow]'") from None
        return MlflowClient(tracking_uri=uri)

    def _run_id(self, client: MlflowClient) -> str:
        if self.config.run_id:
            return self.config.run_id
        name, version = self.config.model_name, self.config.model_version
        run_id = client.get_model_version(name, version).run_id
        if not run_id:
            raise ConnectorError(f"MLflow model {name} version {version} was not registered from a run; give run_id")
        return run_id

    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Turn MLflow's errors (unknown run or model version, unreachable server) into ConnectorError."""
        from mlflow.exceptions import MlflowException

        try:
            yield
        except MlflowException as error:
            message = " ".join(str(error.message).split())
            raise ConnectorError(f"MLflow at {self.config.tracking_uri}: {message}") from None

    def _points(self, name: str, history: list[Metric], since: datetime, until: datetime) -> list[PulledPoint]:
        key = metric_key(name)
        finite = sorted((m for m in history if math.isfinite(m.value)), key=lambda m: (m.timestamp, m.step))
        points = [PulledPoint(key, _moment(m), m.value) for m in finite if since <= _moment(m) <= until]
        if not points and finite:
            latest = max(finite, key=lambda m: (m.step, m.timestamp))
            points = [PulledPoint(key, _moment(latest), latest.value)]
        return points


def _moment(metric: Metric) -> datetime:
    """MLflow stamps metrics in milliseconds since the epoch."""
    return datetime.fromtimestamp(metric.timestamp / 1000, tz=UTC)
