"""Scorecards as plain data for the CLI, the API, the pages, the document and the audit trail."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from pilotgate.policy.model import Policy
from pilotgate.prioritisation import rules
from pilotgate.prioritisation.models import Scorecard


def criteria_of(policy: Policy) -> tuple[list[rules.Criterion], rules.Scale]:
    """The policy's scorecard criteria and scale as the rules see them."""
    section = policy.prioritisation
    criteria = [rules.Criterion(c.id, c.title, c.weight, c.inverse) for c in section.criteria]
    return criteria, rules.Scale(section.scale.min, section.scale.max)


def snapshot(criteria: list[rules.Criterion]) -> str:
    return json.dumps(
        [{"id": c.id, "title": c.title, "weight": c.weight, "inverse": c.inverse} for c in criteria],
        separators=(",", ":"),
    )


def scored_against(row: Scorecard) -> tuple[list[rules.Criterion], rules.Scale]:
    """The criteria and scale this version was scored against (its own snapshot)."""
    stored = json.loads(row.criteria)
    criteria = [rules.Criterion(c["id"], c["title"], float(c["weight"]), bool(c["inverse"])) for c in stored]
    return criteria, rules.Scale(row.scale_min, row.scale_max)


def money(amount: Decimal | str | float | None, currency: str | None) -> str:
    if amount is None or currency is None:
        return "—"
    return f"{currency} {Decimal(str(amount)):,.2f}"


def scorecard_dict(row: Scorecard, use_case: str) -> dict[str, Any]:
    criteria, scale = scored_against(row)
    scores = [rules.Score(s.criterion_id, s.score, s.rationale) for s in row.scores]
    parts = rules.contributions(scores, criteria, scale)
    return {
        "use_case": use_case,
        "version": row.version,
        "total": float(row.total),
        "policy": {"name": row.policy_name, "version": row.policy_version},
        "scale": {"min": scale.low, "max": scale.high},
        "scores": [
            {
                "criterion": p.criterion.id,
                "title": p.criterion.title,
                "weight": p.criterion.weight,
                "weight_share": round(p.weight_share, 4),
                "inverse": p.criterion.inverse,
                "score": p.score,
                "points": round(p.points, 2),
                "rationale": p.rationale,
            }
            for p in parts
        ],
        "expected_value": f"{row.expected_value:.2f}" if row.expected_value is not None else None,
        "currency": row.currency,
        "note": row.note,
        "scored_by": row.scorer.email,
        "scored_by_name": row.scorer.name,
        "scored_at": row.scored_at.isoformat(timespec="seconds"),
    }


def version_summary(row: Scorecard) -> dict[str, Any]:
    return {
        "version": row.version,
        "total": float(row.total),
        "expected_value": f"{row.expected_value:.2f}" if row.expected_value is not None else None,
        "currency": row.currency,
        "scored_by": row.scorer.email,
        "scored_at": row.scored_at.isoformat(timespec="seconds"),
    }


def criteria_dict(policy: Policy) -> dict[str, Any]:
    section = policy.prioritisation
    total = sum(c.weight for c in section.criteria)
    return {
        "scale": {"min": section.scale.min, "max": section.scale.max},
        "criteria": [
            {
                "id": c.id,
                "title": c.title,
                "weight": c.weight,
                "weight_share": round(c.weight / total, 4),
                "inverse": c.inverse,
                "guide": c.guide,
            }
            for c in section.criteria
        ],
        "artifact": section.artifact,
        "currency": section.currency,
        "top_n": section.top_n,
    }
