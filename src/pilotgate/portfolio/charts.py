"""Vega-Lite specs of the portfolio report: the same JSON renders in the browser (vega-embed)
and, later, server-side for PDF reports."""

from __future__ import annotations

from typing import Any

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
STATUS_COLOURS = {"active": "#1f4fd1", "on_hold": "#d9822b", "stopped": "#b42318", "retired": "#8a94a6"}


def portfolio_charts(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    order = [s["title"] for s in report["stages"]]
    funnel_rows = [
        {"stage": s["title"], "status": status.replace("_", " "), "count": n}
        for s in report["stages"]
        for status, n in s["by_status"].items()
        if n
    ]
    funnel = {
        "$schema": SCHEMA,
        "width": "container",
        "height": 180,
        "data": {"values": funnel_rows},
        "mark": {"type": "bar", "cornerRadiusEnd": 3},
        "encoding": {
            "y": {"field": "stage", "type": "nominal", "sort": order, "title": None},
            "x": {
                "field": "count",
                "type": "quantitative",
                "title": "use cases",
                "stack": "zero",
                "axis": {"tickMinStep": 1, "format": "d"},
            },
            "color": {
                "field": "status",
                "type": "nominal",
                "title": "status",
                "scale": {
                    "domain": [k.replace("_", " ") for k in STATUS_COLOURS],
                    "range": list(STATUS_COLOURS.values()),
                },
            },
            "tooltip": [{"field": "stage"}, {"field": "status"}, {"field": "count"}],
        },
    }
    timing_rows = [
        {
            "stage": t["title"],
            "median": t["median_days"],
            "max": None if t["operational"] else (t["expected"]["max_weeks"] or 0) * 7 or None,
        }
        for t in report["time_in_stage"]
        if t["median_days"] is not None
    ]
    time_in_stage = {
        "$schema": SCHEMA,
        "width": "container",
        "height": 180,
        "data": {"values": timing_rows},
        "encoding": {"y": {"field": "stage", "type": "nominal", "sort": order, "title": None}},
        "layer": [
            {
                "mark": {"type": "bar", "color": "#1f4fd1", "cornerRadiusEnd": 3},
                "encoding": {
                    "x": {"field": "median", "type": "quantitative", "title": "days"},
                    "tooltip": [
                        {"field": "stage"},
                        {"field": "median", "title": "median days"},
                        {"field": "max", "title": "expected at most"},
                    ],
                },
            },
            {
                "mark": {"type": "tick", "color": "#b42318", "thickness": 3, "size": 22},
                "encoding": {"x": {"field": "max", "type": "quantitative"}},
            },
        ],
    }
    return {"funnel": funnel, "time_in_stage": time_in_stage}
