"""Evidence as plain data for the CLI, the API and the pages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pilotgate.evidence.models import MetricPoint
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
