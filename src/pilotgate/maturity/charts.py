"""Vega-Lite specs of readiness: scores per capability against the level bands, and their history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pilotgate.maturity.questionnaire import CAPABILITIES
from pilotgate.maturity.rules import LEVELS

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
LEVEL_COLOURS = ("#b42318", "#d9822b", "#b08900", "#1f4fd1", "#17803d")
CAPABILITY_COLOURS = ("#1f4fd1", "#0f8a5f", "#8a4fd1", "#d9822b", "#5b6b82")
OVERALL = "Overall"
SCORE_AXIS = {"scale": {"domain": [0, 100]}, "axis": {"values": [0, 20, 40, 60, 80, 100]}}


def _level_rules(axis: str) -> dict[str, Any]:
    """Dotted lines where each level starts, labelled with its name."""
    values = [{"at": level.floor, "label": f"{level.number} {level.name}"} for level in LEVELS[1:]]
    label = (
        {"align": "left", "baseline": "top", "dx": 3, "dy": 2, "y": 0}
        if axis == "x"
        else {"align": "right", "baseline": "bottom", "dy": -2, "x": "width"}
    )
    return {
        "data": {"values": values},
        "layer": [
            {
                "mark": {"type": "rule", "color": "#aab3c2", "strokeDash": [2, 3]},
                "encoding": {axis: {"field": "at", "type": "quantitative"}},
            },
            {
                "mark": {"type": "text", "color": "#8a94a6", "fontSize": 10, **label},
                "encoding": {axis: {"field": "at", "type": "quantitative"}, "text": {"field": "label"}},
            },
        ],
    }


def capability_chart(result: dict[str, Any]) -> dict[str, Any]:
    """One bar per capability (combined score, coloured by its level), with the answers and data marked."""
    order = [c.title for c in CAPABILITIES]
    names = [level.name for level in LEVELS]
    bars = [
        {
            "capability": c["title"],
            "combined": c["combined"],
            "level": names[c["level"] - 1],
            "answers": c["questionnaire"],
            "data": "not measurable yet" if c["data"] is None else c["data"],
        }
        for c in result["capabilities"]
    ]
    marks = [
        {"capability": c["title"], "source": source, "score": c[field]}
        for c in result["capabilities"]
        for source, field in (("answers", "questionnaire"), ("data", "data"))
        if c[field] is not None
    ]
    y = {"field": "capability", "type": "nominal", "sort": order, "title": None, "axis": {"labelLimit": 220}}
    return {
        "$schema": SCHEMA,
        "width": "container",
        "height": 230,
        "layer": [
            {
                "data": {"values": bars},
                "mark": {"type": "bar", "cornerRadiusEnd": 3, "height": {"band": 0.6}},
                "encoding": {
                    "y": y,
                    "x": {"field": "combined", "type": "quantitative", "title": "combined score", **SCORE_AXIS},
                    "color": {
                        "field": "level",
                        "type": "nominal",
                        "title": "level",
                        "scale": {"domain": names, "range": list(LEVEL_COLOURS)},
                        "legend": {"orient": "bottom"},
                    },
                    "tooltip": [
                        {"field": "capability"},
                        {"field": "combined", "title": "combined"},
                        {"field": "answers", "title": "answers"},
                        {"field": "data", "title": "data"},
                        {"field": "level"},
                    ],
                },
            },
            {
                "data": {"values": bars},
                "mark": {"type": "text", "align": "left", "dx": 4, "fontWeight": "bold", "fontSize": 12},
                "encoding": {
                    "y": y,
                    "x": {"field": "combined", "type": "quantitative"},
                    "text": {"field": "combined", "type": "quantitative", "format": ".0f"},
                },
            },
            {
                "data": {"values": marks},
                "mark": {"type": "point", "filled": True, "size": 70, "color": "#14213d", "opacity": 0.9},
                "encoding": {
                    "y": y,
                    "x": {"field": "score", "type": "quantitative"},
                    "shape": {
                        "field": "source",
                        "type": "nominal",
                        "title": "marked",
                        "scale": {"domain": ["answers", "data"], "range": ["circle", "diamond"]},
                        "legend": {"orient": "bottom"},
                    },
                    "tooltip": [{"field": "capability"}, {"field": "source"}, {"field": "score"}],
                },
            },
            _level_rules("x"),
        ],
    }


def history_chart(summaries: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The overall score (thick) and each capability's over time, against the level bands."""
    titles = {c.id: c.title for c in CAPABILITIES}
    rows = [
        {"taken_at": s["taken_at"], "series": titles[cid], "score": score, "level": ""}
        for s in summaries
        for cid, score in s["capabilities"].items()
        if cid in titles
    ]
    overall = [
        {
            "taken_at": s["taken_at"],
            "series": OVERALL,
            "score": s["overall"],
            "level": f"{s['level']} {s['level_name']}",
        }
        for s in summaries
    ]
    encoding = {
        "x": {"field": "taken_at", "type": "temporal", "title": None, "axis": {"format": "%b %Y", "tickCount": 6}},
        "y": {"field": "score", "type": "quantitative", "title": "score", **SCORE_AXIS},
        "color": {
            "field": "series",
            "type": "nominal",
            "title": None,
            "scale": {"domain": [*titles.values(), OVERALL], "range": [*CAPABILITY_COLOURS, "#14213d"]},
            "legend": {"orient": "bottom", "columns": 3},
        },
        "tooltip": [
            {"field": "series"},
            {"field": "taken_at", "type": "temporal", "title": "taken", "format": "%Y-%m-%d"},
            {"field": "score"},
            {"field": "level"},
        ],
    }
    return {
        "$schema": SCHEMA,
        "width": "container",
        "height": 240,
        "layer": [
            _level_rules("y"),
            {
                "data": {"values": rows},
                "mark": {"type": "line", "point": True, "strokeWidth": 1.5, "opacity": 0.85},
                "encoding": encoding,
            },
            {
                "data": {"values": overall},
                "mark": {"type": "line", "point": {"size": 70}, "strokeWidth": 4},
                "encoding": encoding,
            },
        ],
    }
