"""Evidence as plain data for the CLI, the API and the pages."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from pilotgate.evidence.models import ConnectorConfigRow, MetricPoint
from pilotgate.evidence.rules import from_ms


def points(key: str, metric: str, rows: Sequence[MetricPoint]) -> dict[str, Any]:
    return {
        "use_case": key,
        "metric": metric,
        "points": [
            {
                "timestamp": from_ms(p.ts_ms).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "cohort": p.cohort,
                "value": p.value,
                "segment": p.segment,
            }
            for p in rows
        ],
    }


def connector_dict(row: ConnectorConfigRow, use_case: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "use_case": use_case,
        "kind": row.kind,
        "config": json.loads(row.config),
        "enabled": row.enabled,
        "last_run_at": row.last_run_at.isoformat() if row.last_run_at else None,
        "last_status": row.last_status,
        "last_error": row.last_error,
        "pulled_until": from_ms(row.pulled_until_ms).isoformat() if row.pulled_until_ms else None,
        "created_by": row.created_by,
    }
