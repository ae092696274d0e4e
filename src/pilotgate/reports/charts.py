"""Vega-Lite specs drawn on the server: the same specs the pages hand to vega-embed, rendered to SVG by
vl-convert (no browser, no network), for PDF and standalone HTML reports.

A page spec is `"width": "container"`; a report has a fixed column width, so the spec is copied with
that width. The SVG goes into the report as an ``<img>`` data URI: an image cannot run script, so
whatever text the spec carries stays inert.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import threading
from collections import OrderedDict
from typing import Any

# Print-friendly defaults shared by every report chart: the report's font, no chart border.
CONFIG: dict[str, Any] = {
    "font": "Liberation Sans, DejaVu Sans, Arial, sans-serif",
    "view": {"stroke": None},
    "axis": {"labelFontSize": 10, "titleFontSize": 10, "labelColor": "#3b4457", "titleColor": "#3b4457"},
    "axisTemporal": {"format": "%b %d"},  # not vega's mixed "Fri 09" / "Oct 25" ticks
    "legend": {"labelFontSize": 10, "titleFontSize": 10},
    "background": "white",
}
_lock = threading.Lock()  # one vl-convert engine per process: calls are serialised
_cache: OrderedDict[str, str] = OrderedDict()
CACHE_SIZE = 256


def fixed_width(spec: dict[str, Any], width: int) -> dict[str, Any]:
    """A copy of the spec with a container width (anywhere in it) replaced by ``width`` pixels."""
    fixed = copy.deepcopy(spec)

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("width") == "container":
                node["width"] = width
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(fixed)
    return fixed


def svg(spec: dict[str, Any], *, width: int = 620) -> str:
    """The chart as SVG text; the same spec and width are drawn once per process."""
    fixed = fixed_width(spec, width)
    key = hashlib.sha256(json.dumps(fixed, sort_keys=True, default=str).encode()).hexdigest()
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
        import vl_convert

        # allowed_base_urls=[]: a spec carries its data inline; nothing is fetched from anywhere.
        drawn: str = vl_convert.vegalite_to_svg(fixed, config=CONFIG, allowed_base_urls=[])
        _cache[key] = drawn
        if len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return drawn


def _start() -> None:
    with _lock:
        import vl_convert

        vl_convert.vegalite_to_svg({"mark": "point", "data": {"values": [{"x": 0}]}}, allowed_base_urls=[])


def start_engine() -> None:
    """Start vl-convert's JavaScript engine in the background (about half a second), so a process
    that will draw charts overlaps that start with its own imports and queries: the CLI calls this
    before it gathers a report. The first chart waits for it on the lock."""
    threading.Thread(target=_start, name="pilotgate-chart-engine", daemon=True).start()


def clear_cache() -> None:
    """Forget the charts drawn so far (the next ones are drawn again)."""
    with _lock:
        _cache.clear()


def data_uri(spec: dict[str, Any], *, width: int = 620) -> str:
    """The chart as an ``<img src>``: a base64 SVG data URI."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg(spec, width=width).encode()).decode()
