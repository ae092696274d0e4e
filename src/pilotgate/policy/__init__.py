"""Gate policy: the stage-gate framework as data, loaded from YAML and validated.

Names load lazily so that importing the CLI (for ``--help``) does not import pydantic.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "load_policy_file": "pilotgate.policy.loader",
    "load_policy_text": "pilotgate.policy.loader",
    "shipped_policy": "pilotgate.policy.loader",
    "Criterion": "pilotgate.policy.model",
    "Gate": "pilotgate.policy.model",
    "Policy": "pilotgate.policy.model",
    "Stage": "pilotgate.policy.model",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'pilotgate.policy' has no attribute {name!r}")
