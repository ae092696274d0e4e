"""Vega-Lite specs of metric series: the line, its target and threshold lines, the window shaded."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from pilotgate.evidence.rules import from_ms

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
COHORT_COLOURS = ["#1f4fd1", "#0f8a5f", "#8a4fd1", "#d9822b", "#5b6b82"]


class Line(NamedTuple):
    """A horizontal reference: a target, a baseline or a criterion's threshold."""

    label: str
    value: float
    colour: str
    dash: tuple[int, ...] = (6, 4)


def _iso(ms: int) -> str:
    return from_ms(ms).isoformat(timespec="seconds")


def series_chart(
    points: Sequence[tuple[str, int, float]],
    *,
    unit: str,
    lines: Sequence[Line] = (),
    window: tuple[int, int] | None = None,
    span: tuple[int, int] | None = None,
    height: int = 140,
) -> dict[str, Any]:
    """A line per cohort over time, with reference lines and the evaluation window shaded."""
    cohorts = sorted({cohort or "all" for cohort, _, _ in points})
    values = [{"t": _iso(ts), "value": value, "cohort": cohort or "all"} for cohort, ts, value in points]
    layers: list[dict[str, Any]] = []
    if window is not None:
        layers.append(
            {
                "data": {"values": [{"start": _iso(window[0]), "end": _iso(window[1]), "label": "window"}]},
                "mark": {"type": "rect", "color": "#1f4fd1", "opacity": 0.08},
                "encoding": {"x": {"field": "start", "type": "temporal"}, "x2": {"field": "end"}},
            }
        )
    colour: dict[str, Any] = {
        "field": "cohort",
        "type": "nominal",
        "title": "cohort",
        "scale": {"domain": cohorts, "range": COHORT_COLOURS[: len(cohorts)]},
        "legend": None if len(cohorts) == 1 else {"orient": "bottom"},
    }
    layers.append(
        {
            "data": {"values": values},
            "mark": {"type": "line", "point": len(values) <= 60, "strokeWidth": 2},
            "encoding": {
                "x": {
                    "field": "t",
                    "type": "temporal",
                    "title": None,
                    **({"scale": {"domain": [_iso(span[0]), _iso(span[1])]}} if span else {}),
                },
                "y": {"field": "value", "type": "quantitative", "title": unit or None, "scale": {"zero": False}},
                "color": colour,
                "tooltip": [
                    {"field": "t", "type": "temporal", "title": "time", "format": "%Y-%m-%d %H:%M"},
                    {"field": "cohort"},
                    {"field": "value", "format": ".4~g"},
                ],
            },
        }
    )
    for line in lines:
        layers.append(
            {
                "data": {"values": [{"value": line.value, "label": f"{line.label} {line.value:.4g}"}]},
                "layer": [
                    {
                        "mark": {"type": "rule", "color": line.colour, "strokeDash": list(line.dash)},
                        "encoding": {"y": {"field": "value", "type": "quantitative"}},
                    },
                    {
                        "mark": {"type": "text", "align": "right", "dy": -6, "color": line.colour, "fontSize": 11},
                        "encoding": {
                            "y": {"field": "value", "type": "quantitative"},
                            "x": {"value": "width"},
                            "text": {"field": "label"},
                        },
                    },
                ],
            }
        )
    return {"$schema": SCHEMA, "width": "container", "height": height, "layer": layers}
