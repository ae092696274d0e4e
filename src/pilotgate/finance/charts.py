"""Vega-Lite specs of a business case, with their data inline: cumulative cash flow per scenario,
the tornado, the Monte Carlo distribution of NPV, and plan against actual. Drawn in the browser by
static/js/charts.js and on the server by vl-convert; no expressions, so both render them alike.

They use only what Vega-Lite v5 already had (the unit tests draw them with v5 and v6), and declare
the v6 schema of the vendored library, as the other charts of the pages do, so that vega-embed
does not warn about a version mismatch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pilotgate.finance.model import SCENARIOS, Outcome
from pilotgate.finance.sensitivity import Sensitivity

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
SCENARIO_COLOURS = {"conservative": "#b42318", "base": "#1f4fd1", "optimistic": "#0f8a5f"}
SIDE_COLOURS = ("#d9822b", "#1f4fd1")
MONEY = "~s"


def _spec(layers: list[dict[str, Any]], *, height: int, title: str | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"$schema": SCHEMA, "width": "container", "height": height, "layer": layers}
    if title:
        spec["title"] = {"text": title, "anchor": "start", "fontSize": 12, "fontWeight": "normal"}
    return spec


def _zero_rule(axis: str = "y") -> dict[str, Any]:
    return {
        "data": {"values": [{"zero": 0}]},
        "mark": {"type": "rule", "color": "#5b6b82", "strokeWidth": 1},
        "encoding": {axis: {"field": "zero", "type": "quantitative"}},
    }


def cash_flow_chart(
    outcomes: Mapping[str, Outcome], presented: str, currency: str, payback_month: int | None = None
) -> dict[str, Any]:
    """Cumulative cash flow of each scenario by month, the presented one's monthly net as bars."""
    lines = [
        {"month": t, "scenario": name, "cumulative": round(float(value), 2)}
        for name in SCENARIOS
        if name in outcomes
        for t, value in enumerate([0.0, *outcomes[name].cumulative])
    ]
    shown = outcomes[presented]
    bars = [
        {
            "from": t,
            "month": t + 1,
            "net": round(float(value), 2),
            "flow": "net inflow" if value >= 0 else "net outflow",
        }
        for t, value in enumerate(shown.net)
    ]
    span = {"domain": [0, len(bars)], "nice": False}
    month_axis = {
        "field": "month",
        "type": "quantitative",
        "title": "Months from start",
        "scale": span,
        "axis": {"tickMinStep": 1, "format": "d"},
    }
    layers: list[dict[str, Any]] = [
        {
            "data": {"values": bars},
            "mark": {"type": "bar", "opacity": 0.35},
            "encoding": {
                "x": {**month_axis, "field": "from", "bin": {"binned": True}},
                "x2": {"field": "month"},
                "y": {"field": "net", "type": "quantitative", "title": currency, "axis": {"format": MONEY}},
                "color": {
                    "field": "flow",
                    "type": "nominal",
                    "title": f"{presented} month",
                    "scale": {"domain": ["net outflow", "net inflow"], "range": ["#d9822b", "#0f8a5f"]},
                },
                "tooltip": [{"field": "month"}, {"field": "net", "format": ",.0f", "title": f"net ({currency})"}],
            },
        },
        {
            "data": {"values": lines},
            "mark": {"type": "line", "strokeWidth": 2},
            "encoding": {
                "x": month_axis,
                "y": {"field": "cumulative", "type": "quantitative"},
                "strokeDash": {
                    "field": "scenario",
                    "type": "nominal",
                    "title": "cumulative",
                    "scale": {
                        "domain": list(SCENARIOS),
                        "range": [[1, 0] if s == presented else [5, 3] for s in SCENARIOS],
                    },
                },
                "stroke": {
                    "field": "scenario",
                    "type": "nominal",
                    "title": "cumulative",
                    "scale": {"domain": list(SCENARIOS), "range": [SCENARIO_COLOURS[s] for s in SCENARIOS]},
                },
                "tooltip": [
                    {"field": "scenario"},
                    {"field": "month"},
                    {"field": "cumulative", "format": ",.0f", "title": f"cumulative ({currency})"},
                ],
            },
        },
        _zero_rule(),
    ]
    if payback_month is not None:
        side = {"align": "right", "dx": -4} if payback_month > len(bars) / 2 else {"align": "left", "dx": 4}
        layers.append(
            {
                "data": {
                    "values": [{"month": payback_month, "label": f"payback ({presented}): month {payback_month}"}]
                },
                "layer": [
                    {"mark": {"type": "rule", "color": "#0f8a5f", "strokeDash": [2, 2]}, "encoding": {"x": month_axis}},
                    {
                        "mark": {"type": "text", "color": "#0f8a5f", "fontSize": 11, "dy": -4, **side},
                        "encoding": {"x": month_axis, "y": {"value": 0}, "text": {"field": "label"}},
                    },
                ],
            }
        )
    return _spec(layers, height=220)


def tornado_chart(result: Sensitivity, currency: str) -> dict[str, Any]:
    """Each driver's NPV when moved down and up by pct, as bars from the scenario's NPV; largest first."""
    low, high = f"−{result.pct:g}%", f"+{result.pct:g}%"
    values = [
        {
            "driver": s.label,
            "move": move,
            "npv": round(npv, 2),
            "from": round(result.npv, 2),
            "payback": "beyond the horizon" if payback is None else f"month {payback}",
        }
        for s in result.swings
        for move, npv, payback in ((low, s.low_npv, s.low_payback), (high, s.high_npv, s.high_payback))
    ]
    order = [s.label for s in result.swings]
    return _spec(
        [
            {
                "data": {"values": values},
                "mark": {"type": "bar", "height": {"band": 0.7}},
                "encoding": {
                    "y": {"field": "driver", "type": "nominal", "sort": order, "title": None},
                    "x": {
                        "field": "npv",
                        "type": "quantitative",
                        "title": f"NPV ({currency})",
                        "axis": {"format": MONEY},
                        "scale": {"zero": False},
                    },
                    "x2": {"field": "from"},
                    "color": {
                        "field": "move",
                        "type": "nominal",
                        "title": "driver moved",
                        "scale": {"domain": [low, high], "range": list(SIDE_COLOURS)},
                    },
                    "tooltip": [
                        {"field": "driver"},
                        {"field": "move"},
                        {"field": "npv", "format": ",.0f", "title": f"NPV ({currency})"},
                        {"field": "payback"},
                    ],
                },
            },
            {
                "data": {"values": [{"npv": round(result.npv, 2)}]},
                "mark": {"type": "rule", "color": "#1b2433"},
                "encoding": {"x": {"field": "npv", "type": "quantitative"}},
            },
        ],
        height=max(60, 26 * len(order)),
        title=f"NPV sensitivity on the {result.scenario} scenario, each driver ±{result.pct:g}%",
    )


def monte_carlo_chart(bins: Sequence[Mapping[str, float]], stats: Mapping[str, Any], currency: str) -> dict[str, Any]:
    """The distribution of NPV over the draws, with P10, P50 and P90 marked and zero in red."""
    # Labels on three rows (pixels from the top), so that close percentiles stay readable.
    marks = [{"npv": stats[f"npv_p{p}"], "label": f"P{p}", "row": 11 * i} for i, p in enumerate((10, 50, 90))]
    x_title = f"NPV ({currency}), {stats['draws']:,} draws"
    return _spec(
        [
            {
                "data": {"values": list(bins)},
                "mark": {"type": "bar", "color": "#8a94a6", "opacity": 0.8},
                "encoding": {
                    "x": {
                        "field": "start",
                        "type": "quantitative",
                        "bin": {"binned": True},
                        "title": x_title,
                        "axis": {"format": MONEY},
                    },
                    "x2": {"field": "end"},
                    "y": {"field": "count", "type": "quantitative", "title": "draws"},
                    "tooltip": [
                        {"field": "start", "format": ",.0f", "title": "from"},
                        {"field": "end", "format": ",.0f", "title": "to"},
                        {"field": "count"},
                    ],
                },
            },
            {
                "data": {"values": marks},
                "layer": [
                    {
                        "mark": {"type": "rule", "color": "#1f4fd1", "strokeDash": [4, 3]},
                        "encoding": {"x": {"field": "npv", "type": "quantitative"}},
                    },
                    {
                        "mark": {
                            "type": "text",
                            "dy": -6,
                            "dx": 3,
                            "align": "left",
                            "color": "#1f4fd1",
                            "fontSize": 11,
                        },
                        "encoding": {
                            "x": {"field": "npv", "type": "quantitative"},
                            "y": {"field": "row", "type": "quantitative", "scale": None},
                            "text": {"field": "label"},
                        },
                    },
                ],
            },
            {
                "data": {"values": [{"zero": 0}]},
                "mark": {"type": "rule", "color": "#b42318", "strokeWidth": 1.5},
                "encoding": {"x": {"field": "zero", "type": "quantitative"}},
            },
        ],
        height=160,
    )


def plan_vs_actual_chart(
    months: Sequence[str],
    plan_cumulative: Sequence[float],
    actual_cumulative: Sequence[float],
    reforecast_cumulative: Sequence[float],
    *,
    scenario: str,
    currency: str,
) -> dict[str, Any]:
    """Cumulative net cash: the plan over the horizon, the actuals so far, and the re-forecast."""
    series = (
        (f"plan ({scenario})", plan_cumulative),
        ("actual", actual_cumulative),
        ("re-forecast", reforecast_cumulative),
    )
    elapsed = len(actual_cumulative)
    values = [
        {"month": f"{months[t]}-01", "series": name, "cumulative": round(float(v), 2)}
        for name, points in series
        for t, v in enumerate(points)
        if name != "re-forecast" or t >= elapsed - 1  # the re-forecast goes on from the latest actual
    ]
    names = [name for name, _ in series]
    return _spec(
        [
            {
                "data": {"values": values},
                "mark": {"type": "line", "strokeWidth": 2, "point": False},
                "encoding": {
                    "x": {"field": "month", "type": "temporal", "timeUnit": "yearmonth", "title": None},
                    "y": {
                        "field": "cumulative",
                        "type": "quantitative",
                        "title": f"cumulative net ({currency})",
                        "axis": {"format": MONEY},
                    },
                    "color": {
                        "field": "series",
                        "type": "nominal",
                        "title": None,
                        "scale": {"domain": names, "range": ["#8a94a6", "#1b2433", "#1f4fd1"]},
                    },
                    "strokeDash": {
                        "field": "series",
                        "type": "nominal",
                        "title": None,
                        "scale": {"domain": names, "range": [[5, 3], [1, 0], [2, 2]]},
                    },
                    "tooltip": [
                        {"field": "series"},
                        {"field": "month", "type": "temporal", "timeUnit": "yearmonth"},
                        {"field": "cumulative", "format": ",.0f"},
                    ],
                },
            },
            _zero_rule(),
        ],
        height=200,
    )
