"""Pure evidence rules: durations, the standard metrics, point validation and staleness."""

from __future__ import annotations

import math
import re
import sys
from datetime import UTC, datetime
from typing import Literal, NamedTuple

MetricKind = Literal["adoption", "sla", "technical", "leading", "lagging"]
Direction = Literal["higher", "lower"]
KINDS: tuple[str, ...] = ("adoption", "sla", "technical", "leading", "lagging")
DIRECTIONS: tuple[str, ...] = ("higher", "lower")
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)?$")
COHORT_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{0,64}$")
# Leading indicators move first and protect a programme's credibility in its first 6–12 months
# of production; lagging ones (revenue, margin, cost) confirm the outcome later.
INDICATOR_CLASS = {"adoption": "leading", "sla": "leading", "technical": "leading", "leading": "leading"}

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


class Standard(NamedTuple):
    """Defaults for a well-known metric key, so `metrics define UC-0001 uptime` is enough."""

    name: str
    unit: str
    kind: str
    direction: str
    cadence: str | None


STANDARD: dict[str, Standard] = {
    "uptime": Standard("Uptime", "%", "sla", "higher", "1d"),
    "latency_ms": Standard("Latency", "ms", "sla", "lower", "1d"),
    "error_rate": Standard("Error rate", "%", "sla", "lower", "1d"),
    "active_users": Standard("Active users", "users", "adoption", "higher", "7d"),
    "eligible_users": Standard("Eligible users", "users", "adoption", "higher", "7d"),
    "task_completion_minutes": Standard("Task completion time", "minutes", "leading", "lower", "7d"),
    "revenue": Standard("Revenue", "USD", "lagging", "higher", "30d"),
    "margin": Standard("Margin", "%", "lagging", "higher", "30d"),
    "cost": Standard("Cost", "USD", "lagging", "lower", "30d"),
}


def indicator_class(kind: str) -> str:
    """`leading` or `lagging`: how every page and report labels a metric of this kind."""
    return INDICATOR_CLASS.get(kind, "lagging")


def standard_for(key: str) -> Standard | None:
    """Defaults for a standard key; connector series (`mlflow.f1`) are technical, higher is better."""
    if key in STANDARD:
        return STANDARD[key]
    if key.startswith("mlflow."):
        lower = any(word in key for word in ("loss", "error", "rmse", "mae", "mse"))
        return Standard(f"MLflow {key.removeprefix('mlflow.')}", "", "technical", "lower" if lower else "higher", None)
    return None


def parse_duration(text: str) -> int:
    """Seconds in a duration such as `30d`, `12h`, `15m`, `4w` or `90s`; ValueError otherwise."""
    match = _DURATION.match(text or "")
    if match is None:
        raise ValueError(f"{text!r} is not a duration like 30d, 12h, 15m, 4w or 90s")
    seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if seconds <= 0:
        raise ValueError(f"{text!r} must be longer than zero")
    return seconds


def format_duration(seconds: int) -> str:
    for unit in ("w", "d", "h", "m"):
        if seconds % _UNIT_SECONDS[unit] == 0:
            return f"{seconds // _UNIT_SECONDS[unit]}{unit}"
    return f"{seconds}s"


def parse_timestamp_ms(text: str) -> int:
    """Milliseconds since the epoch of an ISO-8601 timestamp; a naive one is taken as UTC."""
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return round(moment.timestamp() * 1000)


def to_ms(moment: datetime) -> int:
    return round(moment.timestamp() * 1000)


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


_FINITE = (-sys.float_info.max, sys.float_info.max)
UNIT_RANGES = {"%": (0.0, 100.0), "ratio": (0.0, 1.0)}


def value_bounds(unit: str) -> tuple[float, float]:
    """The lowest and highest value a metric in this unit may take: `value_problem`'s rule as two
    bounds (NaN and the infinities fall outside every one)."""
    return UNIT_RANGES.get(unit, _FINITE)


def value_problem(value: float, unit: str) -> str | None:
    """Why a value cannot be stored for a metric in this unit, or None when it can."""
    if math.isnan(value) or math.isinf(value):
        return "value must be a finite number"
    if unit == "%" and not 0 <= value <= 100:
        return f"percentage {value:g} is out of range (0–100)"
    if unit == "ratio" and not 0 <= value <= 1:
        return f"ratio {value:g} is out of range (0–1)"
    return None


def grace_seconds(cadence_seconds: int, ratio: float, minimum_seconds: int) -> int:
    return max(int(cadence_seconds * ratio), minimum_seconds)


def is_stale(
    last_point_ms: int | None, cadence_seconds: int | None, now_ms: int, *, ratio: float, minimum_seconds: int
) -> bool:
    """No data past the cadence plus its grace period. A series without a cadence never goes stale,
    and one with no data at all is missing, which is reported as missing rather than stale."""
    if cadence_seconds is None or last_point_ms is None:
        return False
    allowed = cadence_seconds + grace_seconds(cadence_seconds, ratio, minimum_seconds)
    return now_ms - last_point_ms > allowed * 1000


def trend(current: float | None, baseline: float | None, direction: str) -> float | None:
    """Relative change against the baseline, signed so that positive is always better."""
    if current is None or baseline is None or baseline == 0:
        return None
    change = (current - baseline) / abs(baseline)
    return change if direction == "higher" else -change


def progress(current: float | None, baseline: float | None, target: float | None) -> float | None:
    """How far from baseline to target the current value has come (0 = baseline, 1 = target)."""
    if current is None or baseline is None or target is None or target == baseline:
        return None
    return (current - baseline) / (target - baseline)
