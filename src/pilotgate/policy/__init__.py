"""Gate policy: the stage-gate framework as data, loaded from YAML and validated."""

from pilotgate.policy.loader import load_policy_file, load_policy_text, shipped_policy
from pilotgate.policy.model import Criterion, Gate, Policy, Stage

__all__ = [
    "Criterion",
    "Gate",
    "Policy",
    "Stage",
    "load_policy_file",
    "load_policy_text",
    "shipped_policy",
]
