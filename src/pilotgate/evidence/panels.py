"""What the pages show of measured evidence: the SLO panel, leading and lagging indicators with
their charts, and the series behind each metric criterion of a review."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pilotgate.db.uow import UnitOfWork
from pilotgate.evidence import repository, rules, service
from pilotgate.evidence.charts import Line, series_chart
from pilotgate.evidence.criteria import normalise_mlflow_name
from pilotgate.evidence.models import MetricDefinition
from pilotgate.policy.model import Policy
from pilotgate.usecases.models import UseCase

CHART_DAYS = 120
TARGET, BASELINE, THRESHOLD = "#0f8a5f", "#8a94a6", "#b42318"
# The SLO objective each standard SLA series is held to, and which way it must stay.
SLO_OF = {
    "uptime": ("uptime_pct", ">="),
    "latency_ms": ("latency_p95_ms", "<="),
    "error_rate": ("error_rate_pct", "<="),
}


def _series(uow: UnitOfWork, metric: MetricDefinition, now_ms: int, days: int = CHART_DAYS) -> list[Any]:
    since = now_ms - days * 86_400_000
    return repository.chart_series(uow.session.connection(), metric.id, since_ms=since, until_ms=now_ms)


def _adoption(active: list[Any], eligible: list[Any]) -> list[tuple[str, int, float]]:
    """Adoption rate per cohort and time: active ÷ eligible users measured at the same moment."""
    denominators = {(cohort, ts): value for cohort, ts, value in eligible}
    return [
        (cohort, ts, value / denominators[(cohort, ts)])
        for cohort, ts, value in active
        if denominators.get((cohort, ts))
    ]


def _reference_lines(metric: MetricDefinition) -> list[Line]:
    lines = []
    if metric.target is not None:
        lines.append(Line("target", metric.target, TARGET))
    if metric.baseline is not None:
        lines.append(Line("baseline", metric.baseline, BASELINE, (2, 3)))
    return lines


def use_case_panel(uow: UnitOfWork, use_case: UseCase, policy: Policy) -> dict[str, Any]:
    """The use case page's evidence: SLO tiles, then leading and lagging indicator cards."""
    now_ms = rules.to_ms(uow.now())
    window = rules.parse_duration(policy.evidence.default_window) * 1000
    slo = service.slo_of(uow, use_case, policy)
    found = service.indicators(uow, use_case, policy)
    by_key = {i.definition.key: i for i in found}
    tiles = []
    for key, (field, op) in SLO_OF.items():
        objective = getattr(slo, field)
        indicator = by_key.get(key)
        current = indicator.current if indicator else None
        state = (
            "none"
            if current is None
            else ("ok" if (current >= objective if op == ">=" else current <= objective) else "breach")
        )
        if indicator is not None and indicator.stale:
            state = "stale"
        tiles.append(
            {
                "key": key,
                "title": key.replace("_ms", "").replace("_", " "),
                "current": current,
                "objective": objective,
                "op": op,
                "state": state,
                "source": slo.sources[field],
                "agg": "p95" if key == "latency_ms" else "average",
            }
        )
    cards: dict[str, list[dict[str, Any]]] = defaultdict(list)
    span = (now_ms - CHART_DAYS * 86_400_000, now_ms)  # every card on one time axis
    series = {i.definition.key: _series(uow, i.definition, now_ms) for i in found}
    if "active_users" in series and "eligible_users" in series:
        adoption = _adoption(series["active_users"], series["eligible_users"])
        cards["leading"].append(
            {
                "key": "adoption_rate",
                "name": "Adoption rate (active ÷ eligible users)",
                "kind": "adoption",
                "indicator": "leading",
                "current": adoption[-1][2] if adoption else None,
                "unit": "ratio",
                "stale": by_key["active_users"].stale,
                "charted": bool(adoption),
                "chart": series_chart(
                    adoption,
                    unit="share of eligible users",
                    lines=[Line("threshold", policy.rules.adoption_threshold, THRESHOLD)],
                    span=span,
                ),
            }
        )
    for indicator in found:
        metric = indicator.definition
        if metric.key == "eligible_users":
            continue  # the denominator of the adoption rate, charted there
        lines = _reference_lines(metric)
        if metric.key in SLO_OF:
            lines.append(Line("SLO", getattr(slo, SLO_OF[metric.key][0]), THRESHOLD))
        cards[rules.indicator_class(metric.kind)].append(
            {
                **indicator.as_dict(),
                "charted": bool(series[metric.key]),
                "chart": series_chart(
                    series[metric.key], unit=metric.unit, lines=lines, window=(now_ms - window, now_ms), span=span
                ),
            }
        )
    return {
        "slo": tiles,
        "window": policy.evidence.default_window,
        "leading": cards["leading"],
        "lagging": cards["lagging"],
        "count": len(found),
        "chart_days": CHART_DAYS,
    }


def criterion_charts(uow: UnitOfWork, use_case: UseCase, evaluation: dict[str, Any]) -> list[dict[str, Any]]:
    """A chart for each measured side of a metric criterion: its series, threshold and window."""
    metrics = {m.key: m for m in service.metrics_of(uow, use_case)}
    now_ms = rules.to_ms(uow.now())
    charts = []
    for comparison in evaluation.get("comparisons", []):
        left, right = comparison["left"], comparison["right"]
        label = left["label"]
        if "(" not in label:
            continue
        window = None
        if left["window_start"] and left["window_end"]:
            window = (rules.parse_timestamp_ms(left["window_start"]), rules.parse_timestamp_ms(left["window_end"]))
        lines = [Line(right["label"], right["value"], THRESHOLD)] if right["value"] is not None else []
        if label.startswith("adoption_rate"):
            if "active_users" not in metrics or "eligible_users" not in metrics:
                continue
            points = _adoption(
                _series(uow, metrics["active_users"], now_ms, 365), _series(uow, metrics["eligible_users"], now_ms, 365)
            )
            unit = "share of eligible users"
        else:
            key = _series_key(label)
            if key not in metrics:
                continue
            points, unit = (
                _series(uow, metrics[key], now_ms, 365 if key.startswith("mlflow.") else CHART_DAYS),
                metrics[key].unit,
            )
        charts.append(
            {
                "label": label,
                "points": len(points),
                "chart": series_chart(points, unit=unit, lines=lines, window=window, height=120),
            }
        )
    return charts


def _series_key(label: str) -> str:
    function = label.split("(", 1)[0]
    if function == "mlflow.metric":
        name = label.split('"')[1] if '"' in label else ""
        return f"mlflow.{normalise_mlflow_name(name)}"
    if function == "metric":
        return label.split('"')[1] if '"' in label else ""
    return {
        "uptime": "uptime",
        "error_rate": "error_rate",
        "p95_latency": "latency_ms",
        "latency_percentile": "latency_ms",
    }.get(function, "")
