"""Connector plugins: built-ins plus any package registering the ``pilotgate.connectors`` entry point."""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import entry_points

from pilotgate.errors import InvalidInput
from pilotgate.evidence.connectors.base import Connector

BUILT_IN = {
    "prometheus": "pilotgate.evidence.connectors.prometheus:PrometheusConnector",
    "mlflow": "pilotgate.evidence.connectors.mlflow:MlflowConnector",
}


def available() -> dict[str, str]:
    """Every connector kind with the import path of its class (plugins may add or override)."""
    kinds = dict(BUILT_IN)
    for entry in entry_points(group="pilotgate.connectors"):
        kinds[entry.name] = entry.value
    return kinds


def connector_class(kind: str) -> type[Connector]:
    """The connector class of a kind, or InvalidInput listing the kinds there are."""
    kinds = available()
    if kind not in kinds:
        raise InvalidInput("kind", f"unknown connector {kind!r}; one of {', '.join(sorted(kinds))}")
    module, _, attribute = kinds[kind].partition(":")
    cls: type[Connector] = getattr(import_module(module), attribute)
    return cls
