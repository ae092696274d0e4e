"""A Mermaid gantt drawn without Mermaid: its text parsed into tasks and charted with Vega-Lite.

The server has no Mermaid renderer (it needs a browser). A report therefore reads the subset of
gantt syntax a timeline uses — ``dateFormat YYYY-MM-DD``, ``section``, tasks with the tags done,
active, crit and milestone, an optional id, a start date or ``after ID``, an end date or a duration
(``30d``, ``6w``, ``12h``) — and draws it with the same chart engine as every other report chart.
Anything outside that subset makes :func:`parse` answer None, and the report shows the Mermaid
source instead (see docs/reports.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
TAGS = frozenset({"done", "active", "crit", "milestone"})
IGNORED = ("title", "axisFormat", "tickInterval", "todayMarker", "excludes", "includes", "weekday",
           "inclusiveEndDates", "topAxis", "accTitle", "accDescr", "click", "displayMode")  # fmt: skip
DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*([hdwMy])$")
ENTITY = re.compile(r"#(\d{1,7});")
UNIT_DAYS = {"h": 1 / 24, "d": 1.0, "w": 7.0, "M": 30.0, "y": 365.0}
SECTION_COLOURS = ["#1f4fd1", "#0f8a5f", "#8a4fd1", "#d9822b", "#5b6b82", "#b42318", "#2a9fb8"]


@dataclass(frozen=True)
class Task:
    section: str
    name: str
    start: datetime
    end: datetime
    tags: frozenset[str]


@dataclass(frozen=True)
class Gantt:
    title: str
    tasks: tuple[Task, ...]


def _date(text: str) -> datetime | None:
    try:
        return datetime.combine(date.fromisoformat(text.strip()), datetime.min.time())
    except ValueError:
        return None


def _duration(text: str) -> timedelta | None:
    match = DURATION.match(text.strip())
    if match is None:
        return None
    return timedelta(days=float(match.group(1)) * UNIT_DAYS[match.group(2)])


def _text(value: str) -> str:
    """Mermaid text with its entity codes (``#58;`` for ':') read back as characters."""
    return ENTITY.sub(lambda m: chr(int(m.group(1))) if int(m.group(1)) < 0x110000 else m.group(0), value).strip()


def _task(section: str, line: str, ends: dict[str, datetime], previous: datetime | None) -> tuple[str, Task] | None:
    name, _, meta = line.partition(":")
    items = [item.strip() for item in meta.split(",") if item.strip()]
    tags = frozenset(item for item in items if item in TAGS)
    items = [item for item in items if item not in TAGS]
    task_id = items.pop(0) if len(items) == 3 else ""
    if len(items) == 1:
        start_text, end_text = "", items[0]
    elif len(items) == 2:
        start_text, end_text = items
    else:
        return None
    if start_text.startswith("after "):
        after = [ends.get(ref) for ref in start_text[6:].split()]
        start = max((a for a in after if a is not None), default=None)
    else:
        start = _date(start_text) if start_text else previous
    if start is None:
        return None
    length = _duration(end_text)
    end = start + length if length is not None else _date(end_text)
    if end is None or end < start:
        return None
    return task_id, Task(section, _text(name), start, end, tags)


def parse(text: str) -> Gantt | None:
    """The tasks of a Mermaid gantt, or None when the text uses syntax outside the subset."""
    lines = [line.strip() for line in text.splitlines()]
    lines = [line for line in lines if line and not line.startswith("%%")]
    if not lines or lines[0] != "gantt":
        return None
    title, section = "", ""
    tasks: list[Task] = []
    ends: dict[str, datetime] = {}
    for line in lines[1:]:
        word = line.split(None, 1)[0]
        if word == "dateFormat":
            if line.split(None, 1)[1:] != ["YYYY-MM-DD"]:
                return None
        elif word == "section":
            section = _text(line.split(None, 1)[1]) if " " in line else ""
        elif word == "title":
            title = _text(line.split(None, 1)[1]) if " " in line else ""
        elif word in IGNORED:
            continue
        elif ":" in line:
            parsed = _task(section, line, ends, tasks[-1].end if tasks else None)
            if parsed is None:
                return None
            task_id, task = parsed
            tasks.append(task)
            if task_id:
                ends[task_id] = task.end
        else:
            return None
    return Gantt(title, tuple(tasks)) if tasks else None


def _iso(moment: datetime) -> str:
    return moment.date().isoformat()


def chart(gantt: Gantt, *, today: date | None = None) -> dict[str, Any]:
    """A Vega-Lite gantt: a bar per task coloured by section, diamonds for milestones, a rule for today."""
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for task in gantt.tasks:
        label = task.name
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:  # the y axis needs distinct rows
            label = f"{label} ({seen[label]})"
        rows.append(
            {
                "task": label,
                "section": task.section or "timeline",
                "start": _iso(task.start),
                "end": _iso(task.end),
                "state": "done" if "done" in task.tags else "active" if "active" in task.tags else "planned",
                "milestone": "milestone" in task.tags or task.start == task.end,
                "crit": "crit" in task.tags,
            }
        )
    order = [row["task"] for row in rows]
    sections = list(dict.fromkeys(row["section"] for row in rows))
    y = {"field": "task", "type": "nominal", "sort": order, "title": None, "axis": {"labelLimit": 220}}
    colour = {
        "field": "section",
        "type": "nominal",
        "title": None,
        "scale": {"domain": sections, "range": SECTION_COLOURS[: len(sections)] or SECTION_COLOURS[:1]},
        "legend": {"orient": "bottom"},
    }
    layers: list[dict[str, Any]] = [
        {
            "transform": [{"filter": "!datum.milestone"}],
            "mark": {"type": "bar", "cornerRadius": 2, "height": {"band": 0.6}},
            "encoding": {
                "x": {"field": "start", "type": "temporal", "title": None, "axis": {"format": "%b %Y"}},
                "x2": {"field": "end"},
                "y": y,
                "color": colour,
                "opacity": {"condition": {"test": "datum.state === 'done'", "value": 0.55}, "value": 1},
                "stroke": {"condition": {"test": "datum.crit", "value": "#b42318"}, "value": None},
            },
        },
        {
            "transform": [{"filter": "datum.milestone"}],
            "mark": {"type": "point", "shape": "diamond", "filled": True, "size": 110, "color": "#14213d"},
            "encoding": {"x": {"field": "start", "type": "temporal"}, "y": y},
        },
    ]
    if today is not None:
        layers.append(
            {
                "data": {"values": [{"today": today.isoformat()}]},
                "mark": {"type": "rule", "color": "#b42318", "strokeDash": [4, 3]},
                "encoding": {"x": {"field": "today", "type": "temporal"}},
            }
        )
    return {
        "$schema": SCHEMA,
        "width": "container",
        "height": {"step": 18},
        "data": {"values": rows},
        "layer": layers,
    }
