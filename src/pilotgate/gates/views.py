"""The readiness of an open review as plain data, for the CLI (and the API and pages)."""

from __future__ import annotations

import json
from typing import Any

from pilotgate.gates import rules
from pilotgate.gates.service import OpenReview


def status(loaded: OpenReview) -> dict[str, Any]:
    state = loaded.state
    digest = rules.evidence_digest(state)
    rows = {a.criterion_id: a for a in loaded.assessment_rows}
    criteria = []
    for criterion in loaded.gate.criteria:
        result = rules.criterion_result(state, criterion)
        row = rows.get(criterion.id)
        item: dict[str, Any] = {
            "id": criterion.id,
            "title": criterion.title,
            "requirement": criterion.requirement,
            "kind": criterion.kind,
            "status": result.status,
            "note": result.note,
            "assessed_by": row.assessed_by.email if row else None,
            "assessed_at": row.assessed_at.isoformat() if row else None,
            "evidence": json.loads(row.evidence_links) if row else [],
            "waiver_expires": row.waiver_expires.isoformat() if row and row.waiver_expires else None,
        }
        if criterion.kind == "computed":
            measured = state.measurements.get(criterion.id)
            item["check"] = criterion.check
            item["evaluation"] = measured.detail if measured else None
        if criterion.kind == "metric":
            item["expression"] = criterion.expression
            measured = state.measurements.get(criterion.id)
            item["evaluation"] = measured.detail if measured else None
        criteria.append(item)
    latest = {a.artifact_id: a for a in loaded.artifact_rows}
    artifacts = []
    for spec in loaded.gate.artifacts:
        attached = latest.get(spec.id)
        artifacts.append(
            {
                "id": spec.id,
                "title": spec.title,
                "attached": attached is not None,
                "version": attached.version if attached else None,
                "sha256": attached.sha256 if attached else None,
                "filename": attached.filename if attached else None,
                "size": attached.size if attached else None,
                "media_type": attached.media_type if attached else None,
                "url": attached.url if attached else None,
                "uploaded_by": attached.uploaded_by.email if attached else None,
                "uploaded_at": attached.uploaded_at.isoformat() if attached else None,
            }
        )
    votes = [
        {
            "role": v.role,
            "person": v.person.email,
            "choice": v.choice,
            "comment": v.comment,
            "cast_at": v.cast_at.isoformat(),
            "stale": v.evidence_digest != digest,
        }
        for v in loaded.vote_rows
    ]
    reasons = rules.blockers(state)
    version = loaded.review.policy_version
    return {
        "use_case": loaded.use_case.key,
        "gate": {
            "number": loaded.gate.number,
            "title": loaded.gate.title,
            "from": loaded.gate.from_stage,
            "to": loaded.gate.to_stage,
            "note": loaded.gate.note,
        },
        "policy": {"name": version.name, "version": version.version},
        "review": {
            "id": loaded.review.id,
            "opened_by": loaded.review.opened_by.email,
            "opened_at": loaded.review.opened_at.isoformat(),
        },
        "criteria": criteria,
        "artifacts": artifacts,
        "approvers": [
            {"role": role, "title": state.role_title(role), "person": state.assignments.get(role)}
            for role in rules.required_roles(state)
        ],
        "votes": votes,
        "blockers": reasons,
        "go_allowed": not reasons,
    }
