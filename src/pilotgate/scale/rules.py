"""Scale rules: the kinds of expansion, the capabilities an expansion may reuse, the reuse summary.

Pure: no database, web or CLI import. An expansion takes a use case that runs in production to
another geography, another business unit or an adjacent application; it starts from the parent's
evidence and says, capability by capability, what it reuses as is, adapts, or builds new.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

KINDS: dict[str, str] = {
    "geography": "another geography",
    "business_unit": "another business unit",
    "adjacent_application": "an adjacent application",
}
# The capabilities a production use case has built, in the order an assessment lists them.
COMPONENTS: dict[str, str] = {
    "model": "Model",
    "data_pipeline": "Data pipeline",
    "infrastructure": "Infrastructure",
    "monitoring": "Monitoring",
    "runbook": "Runbook",
    "training_material": "Training material",
    "integration": "Integration",
}
# How much of a capability an expansion gets for free: all of it, about half, none.
STATUSES: dict[str, float] = {"reused": 1.0, "adapted": 0.5, "new": 0.0}
SCOPE_LIMIT = 2000
POPULATION_LIMIT = 80  # what a change plan's population holds


def _choice(value: str, allowed: Mapping[str, object], what: str) -> str | None:
    if value in allowed:
        return None
    return f"{value!r} is not {what}; one of {', '.join(allowed)}"


def kind_problem(kind: str) -> str | None:
    return _choice(kind, KINDS, "a kind of expansion")


def component_problem(component: str) -> str | None:
    return _choice(component, COMPONENTS, "a capability an expansion reuses")


def status_problem(status: str) -> str | None:
    return _choice(status, STATUSES, "a reuse status")


def parent_problem(key: str, stage: str, operational: bool, status: str) -> str | None:
    """Why a use case cannot be expanded yet, or None: it must run in production (or scale)."""
    if status not in ("active", "on_hold"):
        return f"{key} is {status}; only a use case that runs in production is expanded"
    if not operational:
        return (
            f"{key} is in {stage}; an expansion starts from production evidence, so its parent must be in "
            "production or scale (passed Gate 3)"
        )
    return None


@dataclass(frozen=True)
class ReuseSummary:
    """How much of its parent's capability an expansion reuses."""

    percent: int | None  # over the assessed capabilities: reused counts 1, adapted 1/2, new 0
    counts: dict[str, int]
    assessed: int
    total: int
    missing: tuple[str, ...]

    def text(self) -> str:
        if self.percent is None:
            return f"no capability assessed yet (0 of {self.total})"
        parts = ", ".join(f"{n} {status}" for status, n in self.counts.items() if n)
        more = f"; not assessed: {', '.join(self.missing)}" if self.missing else ""
        return f"{self.percent}% reuse over {self.assessed} of {self.total} capabilities ({parts}){more}"

    def as_dict(self) -> dict[str, object]:
        return {
            "percent": self.percent,
            "counts": dict(self.counts),
            "assessed": self.assessed,
            "total": self.total,
            "missing": list(self.missing),
            "text": self.text(),
        }


def reuse_summary(assessed: Mapping[str, str]) -> ReuseSummary:
    """The reuse % of an assessment (component → status), and what is still to assess."""
    known = {c: s for c, s in assessed.items() if c in COMPONENTS and s in STATUSES}
    counts = {status: sum(1 for s in known.values() if s == status) for status in STATUSES}
    missing = tuple(c for c in COMPONENTS if c not in known)
    percent = round(100 * sum(STATUSES[s] for s in known.values()) / len(known)) if known else None
    return ReuseSummary(percent, counts, len(known), len(COMPONENTS), missing)
