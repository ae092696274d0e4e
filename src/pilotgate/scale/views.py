"""Expansions as plain data for the CLI, the API, the pages and the audit trail."""

from __future__ import annotations

from typing import Any

from pilotgate.scale import rules
from pilotgate.scale.models import Expansion, ReuseAssessment
from pilotgate.usecases.models import UseCase


def reuse_dict(row: ReuseAssessment) -> dict[str, Any]:
    return {
        "component": row.component,
        "title": rules.COMPONENTS.get(row.component, row.component),
        "status": row.status,
        "note": row.note,
        "assessed_at": row.assessed_at.isoformat(timespec="seconds"),
        "assessed_by": row.assessed_by,
    }


def expansion_dict(row: Expansion, use_case: UseCase, parent: UseCase) -> dict[str, Any]:
    return {
        "id": row.id,
        "key": use_case.key,
        "title": use_case.title,
        "stage": use_case.stage,
        "status": use_case.status,
        "business_unit": use_case.business_unit,
        "parent": parent.key,
        "parent_title": parent.title,
        "kind": row.kind,
        "kind_title": rules.KINDS.get(row.kind, row.kind),
        "scope": row.scope,
        "population": row.population,
        "created_at": row.created_at.isoformat(timespec="seconds"),
        "created_by": row.created_by,
        "reuse": [reuse_dict(r) for r in row.reuse],
        "reuse_summary": rules.reuse_summary({r.component: r.status for r in row.reuse}).as_dict(),
    }
