"""Vega-Lite specs: the Pareto chart of value concentration and a use case's Gantt timeline."""

from __future__ import annotations

from typing import Any

from pilotgate.reports.timeline import Timeline

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
SOURCE_COLOURS = {"business_case": "#1f4fd1", "scorecard_estimate": "#8fa8e6"}
SOURCE_LABELS = {"business_case": "business case (conservative NPV)", "scorecard_estimate": "scorecard estimate"}
BAR_COLOURS = {
    "planned": "#c9d3e3",
    "done": "#1f4fd1",
    "active": "#0f8a5f",
    "overdue": "#b42318",
    "stopped": "#5b6b82",
    "Investment": "#d9822b",
    "Early indicators": "#9fd3b5",
    "Measurable ROI": "#4caf7d",
    "Full value": "#17803d",
}
GATE_COLOURS = {
    "planned": "#9aa9c4",
    "due": "#8a94a6",
    "overdue": "#b42318",
    "passed": "#17803d",
    "refused": "#7a1010",
    "open": "#1f4fd1",
}


def pareto_chart(view: dict[str, Any]) -> dict[str, Any]:
    """Bars: each use case's expected value, largest first; line: the cumulative share; a rule at 80%."""
    order = [p["key"] for p in view["series"]]
    values = [
        {
            "key": p["key"],
            "title": p["title"],
            "value": p["value"],
            "cumulative_pct": round(100 * (p["cumulative_share"] or 0), 1),
            "source": SOURCE_LABELS.get(p["source"], p["source"]),
        }
        for p in view["series"]
    ]
    x = {"field": "key", "type": "ordinal", "sort": order, "title": None, "axis": {"labelAngle": -40}}
    sources = [SOURCE_LABELS[s] for s in SOURCE_COLOURS if any(v["source"] == SOURCE_LABELS[s] for v in values)]
    percent = {"type": "quantitative", "scale": {"domain": [0, 100]}}
    return {
        "$schema": SCHEMA,
        "width": "container",
        "height": 260,
        "data": {"values": values},
        "resolve": {"scale": {"y": "independent"}},
        "layer": [
            {
                "mark": {"type": "bar", "cornerRadiusEnd": 2},
                "encoding": {
                    "x": x,
                    "y": {
                        "field": "value",
                        "type": "quantitative",
                        "title": f"expected value ({view['currency']})",
                        "axis": {"format": "~s"},
                    },
                    "color": {
                        "field": "source",
                        "type": "nominal",
                        "title": None,
                        "legend": {"orient": "bottom"},
                        "scale": {
                            "domain": sources,
                            "range": [c for s, c in SOURCE_COLOURS.items() if SOURCE_LABELS[s] in sources],
                        },
                    },
                    "tooltip": [
                        {"field": "key"},
                        {"field": "title", "title": "use case"},
                        {"field": "value", "type": "quantitative", "format": ",.0f", "title": view["currency"]},
                        {"field": "cumulative_pct", "title": "cumulative %"},
                        {"field": "source"},
                    ],
                },
            },
            {
                "layer": [
                    {
                        "mark": {"type": "line", "color": "#b42318", "point": {"color": "#b42318"}},
                        "encoding": {
                            "x": x,
                            "y": {
                                "field": "cumulative_pct",
                                **percent,
                                "title": "cumulative share of value (%)",
                                "axis": {"orient": "right"},
                            },
                        },
                    },
                    {
                        "data": {"values": [{"line": 100 * view["line"], "label": f"{100 * view['line']:g}%"}]},
                        "mark": {"type": "rule", "color": "#5b6b82", "strokeDash": [5, 4]},
                        "encoding": {"y": {"field": "line", **percent}},
                    },
                ],
            },
        ],
    }


def gantt_chart(timeline: Timeline) -> dict[str, Any]:
    """Bars planned against actual per stage, the gates as diamonds, the returns phases, today."""
    rows = list(timeline.rows)
    y = {"field": "row", "type": "nominal", "title": None, "sort": rows, "scale": {"domain": rows}}
    bars = [
        {"row": i.row, "label": i.label, "start": i.start.isoformat(), "end": i.end.isoformat(), "kind": i.kind}
        for i in timeline.items
        if not i.milestone
    ]
    points = [
        {"row": i.row, "label": i.label, "at": i.start.isoformat(), "kind": i.kind}
        for i in timeline.items
        if i.milestone
    ]
    ticks = [{"row": i.row, "at": i.earliest.isoformat()} for i in timeline.items if i.earliest]
    kinds = [k for k in BAR_COLOURS if any(b["kind"] == k for b in bars)]
    outcomes = [k for k in GATE_COLOURS if any(p["kind"] == k for p in points)]
    when = [
        {"field": "label", "title": "item"},
        {"field": "start", "type": "temporal"},
        {"field": "end", "type": "temporal"},
    ]
    today = {"today": timeline.today.isoformat(), "label": "today"}
    return {
        "$schema": SCHEMA,
        "width": "container",
        "height": 24 * len(rows),
        "resolve": {"scale": {"color": "independent"}},
        "layer": [
            {
                "data": {"values": bars},
                "mark": {"type": "bar", "cornerRadius": 2, "height": {"band": 0.7}},
                "encoding": {
                    "y": y,
                    "x": {"field": "start", "type": "temporal", "title": None},
                    "x2": {"field": "end"},
                    "color": _colour(kinds, BAR_COLOURS, None),
                    "tooltip": when,
                },
            },
            {
                "data": {"values": ticks},
                "mark": {"type": "tick", "color": "#1f2a44", "thickness": 2},
                "encoding": {"y": y, "x": {"field": "at", "type": "temporal"}, "tooltip": {"value": "earliest finish"}},
            },
            {
                "data": {"values": points},
                "mark": {"type": "point", "shape": "diamond", "filled": True, "size": 140, "opacity": 1},
                "encoding": {
                    "y": y,
                    "x": {"field": "at", "type": "temporal"},
                    "color": _colour(outcomes, GATE_COLOURS, "gates"),
                    "tooltip": [{"field": "label", "title": "milestone"}, {"field": "at", "type": "temporal"}],
                },
            },
            {
                "data": {"values": [today]},
                "layer": [
                    {
                        "mark": {"type": "rule", "color": "#b42318", "strokeDash": [4, 3]},
                        "encoding": {"x": {"field": "today", "type": "temporal"}},
                    },
                    {
                        "mark": {"type": "text", "color": "#b42318", "align": "left", "dx": 3, "y": -6},
                        "encoding": {"x": {"field": "today", "type": "temporal"}, "text": {"field": "label"}},
                    },
                ],
            },
        ],
    }


def _colour(domain: list[str], colours: dict[str, str], title: str | None) -> dict[str, Any]:
    return {
        "field": "kind",
        "type": "nominal",
        "title": title,
        "legend": {"orient": "bottom"},
        "scale": {"domain": domain, "range": [colours[k] for k in domain]},
    }
