"""Operations records as plain data for the CLI, the API, the pages and the audit trail."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pilotgate.operations.models import (
    OpsDriftNote,
    OpsDrill,
    OpsIncident,
    OpsMonitoring,
    OpsOnCall,
    OpsReadinessMark,
    OpsRetraining,
    OpsRunbook,
    OpsTeam,
)


def _at(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def team_dict(row: OpsTeam) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "business_unit": row.business_unit,
        "kind": row.kind,
        "lead": row.lead.email,
        "members": sorted({row.lead.email, *(m.person.email for m in row.members)}),
        "recorded_at": _at(row.recorded_at),
        "recorded_by": row.recorded_by,
    }


def oncall_dict(row: OpsOnCall, today: date | None = None) -> dict[str, Any]:
    found = {
        "id": row.id,
        "person": row.person.email,
        "name": row.person.name,
        "level": row.level,
        "from": _day(row.starts_on),
        "to": _day(row.ends_on),
        "recorded_by": row.recorded_by,
    }
    if today is not None:
        found["current"] = row.starts_on <= today and (row.ends_on is None or today <= row.ends_on)
    return found


def runbook_dict(row: OpsRunbook) -> dict[str, Any]:
    return {
        "id": row.id,
        "artifact_id": row.artifact_id,
        "url": row.url,
        "last_reviewed": _day(row.last_reviewed),
        "recorded_at": _at(row.recorded_at),
        "recorded_by": row.recorded_by,
    }


def monitoring_dict(row: OpsMonitoring) -> dict[str, Any]:
    return {
        "id": row.id,
        "description": row.description,
        "alerting": row.alerting,
        "automated": row.automated,
        "connector_id": row.connector_id,
        "recorded_at": _at(row.recorded_at),
        "recorded_by": row.recorded_by,
    }


def incident_dict(row: OpsIncident) -> dict[str, Any]:
    minutes = None
    if row.resolved_at is not None:
        minutes = round((row.resolved_at - row.opened_at).total_seconds() / 60, 1)
    return {
        "id": row.id,
        "severity": row.severity,
        "title": row.title,
        "opened_at": _at(row.opened_at),
        "resolved_at": _at(row.resolved_at),
        "minutes_to_resolve": minutes,
        "handled_by": row.handled_by.email,
        "handled_by_team": row.handled_by_team,
        "team_name": row.team_name,
        "resolution": row.resolution,
        "resolved_by": row.resolved_by,
        "recorded_by": row.recorded_by,
    }


def drill_dict(row: OpsDrill) -> dict[str, Any]:
    return {
        "id": row.id,
        "held_on": _day(row.held_on),
        "scenario": row.scenario,
        "outcome": row.outcome,
        "participants": [p.person.email for p in row.participants],
        "note": row.note,
        "recorded_by": row.recorded_by,
    }


def retraining_dict(row: OpsRetraining) -> dict[str, Any]:
    return {
        "id": row.id,
        "retrained_on": _day(row.retrained_on),
        "automated": row.automated,
        "note": row.note,
        "recorded_by": row.recorded_by,
    }


def drift_dict(row: OpsDriftNote) -> dict[str, Any]:
    return {"id": row.id, "noted_on": _day(row.noted_on), "text": row.text, "author": row.author.email}


def mark_dict(row: OpsReadinessMark) -> dict[str, Any]:
    return {
        "check": row.check_id,
        "status": row.status,
        "note": row.note,
        "recorded_at": _at(row.recorded_at),
        "recorded_by": row.recorded_by,
    }


def check_dict(result: Any) -> dict[str, Any]:
    return {"status": result.status, "note": result.note, "detail": result.detail}
