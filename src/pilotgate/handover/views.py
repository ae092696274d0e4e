"""Handovers as plain data for the CLI, the API, the pages and the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pilotgate.gates.models import Artifact
from pilotgate.handover import rules
from pilotgate.handover.models import Handover, HandoverItem


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment else None


def item_dict(row: HandoverItem) -> dict[str, Any]:
    return {
        "item": row.item,
        "title": rules.ITEMS.get(row.item, row.item),
        "done": row.done,
        "done_by": row.done_by,
        "done_at": _iso(row.done_at),
        "note": row.note,
    }


def handover_dict(row: Handover, use_case: str) -> dict[str, Any]:
    done = {item.item: item.done for item in row.items}
    return {
        "id": row.id,
        "use_case": use_case,
        "status": row.status,
        "team": row.team,
        "business_unit": row.business_unit,
        "ops_owner": row.ops_owner.email,
        "ops_owner_name": row.ops_owner.name,
        "note": row.note,
        "proposed_by": row.proposed_by,
        "proposed_at": _iso(row.proposed_at),
        "accepted_by": row.acceptor.email if row.acceptor else None,
        "accepted_at": _iso(row.accepted_at),
        "items": [item_dict(item) for item in row.items],
        "missing": rules.missing_items(done),
        "has_document": row.document is not None,
        "attached_review_id": row.attached_review_id,
        "attached_at": _iso(row.attached_at),
    }


def artifact_dict(row: Artifact, key: str) -> dict[str, Any]:
    return {
        "use_case": key,
        "review_id": row.review_id,
        "artifact": row.artifact_id,
        "version": row.version,
        "filename": row.filename,
        "sha256": row.sha256,
        "size": row.size,
    }
