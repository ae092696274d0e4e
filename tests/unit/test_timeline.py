"""The use case timeline without a database: the plan from the policy's durations, the actual stays,
gates and returns phases; the Mermaid `gantt` text (its structure, and hostile titles that must not
break or extend it); the Vega-Lite spec."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from pilotgate.prioritisation.charts import gantt_chart
from pilotgate.reports.timeline import (
    GateEvent,
    Ramp,
    StagePlan,
    Stay,
    Timeline,
    after_months,
    build,
    mermaid_text,
    render_mermaid,
)

STAGES = [
    StagePlan("discovery", "Discovery", 2, 4, gate=1),
    StagePlan("poc", "Proof of Concept", 4, 8, gate=2),
    StagePlan("pilot", "Pilot", 8, 16, gate=3),
    StagePlan("production", "Production", 4, 8, operational=True, gate=4),
    StagePlan("scale", "Scale", 0, None, operational=True),
]
START = date(2026, 1, 5)
TASK = re.compile(r"^    (?P<name>[^:#;\n]+) :(?P<data>[^:#;\n]+)$")
TAGS = {"crit", "done", "active", "milestone"}


def timeline(
    stays: list[Stay],
    events: list[GateEvent] | None = None,
    *,
    status: str = "active",
    today: date,
    ramp: Ramp | None = None,
) -> Timeline:
    return build(
        key="UC-0001",
        title="Claims triage",
        stages=STAGES,
        stays=stays,
        events=events or [],
        status=status,
        today=today,
        start=START,
        ramp=ramp,
    )


def parse(text: str) -> dict[str, list[dict[str, object]]]:
    """A strict reading of the gantt text: every line is a header, a section or a task."""
    lines = text.splitlines()
    assert text.endswith("\n") and lines[0] == "gantt"
    assert lines[1].startswith("    title ") and not re.search(r"[:;#]", _entities_out(lines[1]))
    assert lines[2:4] == ["    dateFormat YYYY-MM-DD", "    axisFormat %Y-%m"]
    sections: dict[str, list[dict[str, object]]] = {}
    current = None
    ids = set()
    for line in lines[4:]:
        if line.startswith("    section "):
            current = line.removeprefix("    section ")
            sections[current] = []
            continue
        match = TASK.match(_entities_out(line))  # no ':', '#' or ';' in a name but the entity codes
        assert match, f"not a task line: {line!r}"
        name = line[4 : line.index(" :")]
        parts = [p.strip() for p in match.group("data").split(",")]
        tags = [p for p in parts if p in TAGS]
        rest = parts[len(tags) :]
        assert parts[: len(tags)] == tags, f"tags come first: {line!r}"
        assert len(rest) == 3, line
        task_id, start, end = rest
        assert re.fullmatch(r"[pagr]\d+", task_id) and task_id not in ids
        ids.add(task_id)
        date.fromisoformat(start)
        if "milestone" in tags:
            assert end == "0d"
        else:
            assert date.fromisoformat(end) >= date.fromisoformat(start)
        assert current is not None
        sections[current].append({"name": name, "tags": tags, "start": start, "end": end, "line": line})
    return sections


def _entities_out(line: str) -> str:
    """The line as Mermaid's grammar sees it: entity codes (#58; and the like) are set aside first."""
    return re.sub(r"#\d+;", "\u00b6", line)


def test_the_mermaid_text_has_the_four_sections_in_order_with_valid_tasks() -> None:
    stays = [Stay("discovery", START, date(2026, 2, 20)), Stay("poc", date(2026, 2, 20))]
    events = [GateEvent(1, "go", date(2026, 2, 20), "discovery"), GateEvent(2, "open", date(2026, 5, 1), "poc")]
    sections = parse(render_mermaid(timeline(stays, events, today=date(2026, 6, 1))))
    assert list(sections) == ["Plan", "Actual", "Gates", "Returns"]
    plan = sections["Plan"]
    assert [t["name"] for t in plan] == [
        "Discovery (2–4 wk)",
        "Proof of Concept (4–8 wk)",
        "Pilot (8–16 wk)",
        "Production (4–8 wk)",
        "Scale (open-ended)",
    ]
    # Each stage planned for its maximum, one after the other from the start.
    assert [(t["start"], t["end"]) for t in plan[:4]] == [
        ("2026-01-05", "2026-02-02"),
        ("2026-02-02", "2026-03-30"),
        ("2026-03-30", "2026-07-20"),
        ("2026-07-20", "2026-09-14"),
    ]
    assert plan[4]["tags"] == ["milestone"] and plan[4]["start"] == "2026-09-14"
    actual = sections["Actual"]
    # Discovery took 46 days against a 28-day maximum: done, and marked critical; the POC is active
    # and at 101 days past its 56-day maximum too.
    assert [(t["name"], t["tags"]) for t in actual] == [
        ("Discovery (overdue)", ["crit", "done"]),
        ("Proof of Concept (overdue)", ["crit", "active"]),
    ]
    assert actual[1]["end"] == "2026-06-01"  # an open stay runs to today
    gates = {t["name"]: t["tags"] for t in sections["Gates"]}
    assert gates["Gate 1 go"] == ["done", "milestone"] and gates["Gate 2 review open"] == ["active", "milestone"]
    assert gates["Gate 1 due"] == ["milestone"]  # passed, if late
    assert gates["Gate 2 due"] == ["crit", "milestone"]  # due 2026-03-30, not passed by 2026-06-01
    assert gates["Gate 3 due"] == ["milestone"]
    returns = sections["Returns"]
    assert [t["name"] for t in returns] == [
        "Investment (month 0)",
        "Early indicators (month 9)",
        "Measurable ROI (month 12)",
        "Full value (month 18)",
    ]
    assert [t["start"] for t in returns] == [
        str(START),
        str(after_months(START, 9)),
        str(after_months(START, 12)),
        str(after_months(START, 18)),
    ]
    assert returns[-1]["end"] == str(after_months(START, 30))
    assert returns[0]["tags"] == ["active"] and returns[1]["tags"] == []


def test_on_time_stays_are_not_critical_and_phases_pass() -> None:
    stays = [Stay("discovery", START, START + timedelta(days=20)), Stay("poc", START + timedelta(days=20))]
    events = [GateEvent(1, "go", START + timedelta(days=20), "discovery")]
    today = START + timedelta(days=40)
    sections = parse(render_mermaid(timeline(stays, events, today=today)))
    assert [(t["name"], t["tags"]) for t in sections["Actual"]] == [
        ("Discovery", ["done"]),
        ("Proof of Concept", ["active"]),
    ]
    assert all("crit" not in t["tags"] for t in sections["Gates"])
    later = parse(render_mermaid(timeline(stays, events, today=after_months(START, 13))))
    assert [t["tags"] for t in later["Returns"]] == [["done"], ["done"], ["active"], []]


def test_operational_stages_are_never_overdue_and_a_stopped_use_case_ends_at_its_decision() -> None:
    long_ago = START + timedelta(days=400)
    stays = [
        Stay("discovery", START, START + timedelta(days=10)),
        Stay("poc", START + timedelta(days=10), START + timedelta(days=40)),
        Stay("pilot", START + timedelta(days=40), START + timedelta(days=100)),
        Stay("production", START + timedelta(days=100)),
    ]
    live = parse(render_mermaid(timeline(stays, today=long_ago)))
    assert live["Actual"][-1]["name"] == "Production" and live["Actual"][-1]["tags"] == ["active"]
    stopped = [Stay("discovery", START, START + timedelta(days=10)), Stay("poc", START + timedelta(days=10))]
    events = [
        GateEvent(1, "go", START + timedelta(days=10), "discovery"),
        GateEvent(2, "stop", START + timedelta(days=30), "poc"),
    ]
    sections = parse(render_mermaid(timeline(stopped, events, status="stopped", today=long_ago)))
    assert sections["Actual"][-1] == {
        **sections["Actual"][-1],
        "name": "Proof of Concept (stopped)",
        "tags": ["done"],
        "end": str(START + timedelta(days=30)),
    }
    gates = {t["name"]: t["tags"] for t in sections["Gates"]}
    assert gates["Gate 2 stop"] == ["crit", "milestone"]
    assert all("crit" not in tags for name, tags in gates.items() if name.endswith("due"))  # no longer in play


HOSTILE = 'Claims: triage; #1 %% section Evil\nclick p1 call alert(1) "quoted" <b>bold</b> `tick` {x}'


def test_hostile_titles_cannot_break_or_extend_the_diagram() -> None:
    stages = [
        StagePlan("discovery", "section Injected: x", 2, 4, gate=1),
        StagePlan("poc", "click p1 call alert(1); #", 4, 8, gate=2),
        StagePlan("pilot", "%% comment", 8, 16),
    ]
    found = build(
        key="UC-0001",
        title=HOSTILE,
        stages=stages,
        stays=[Stay("discovery", START)],
        events=[],
        status="active",
        today=START + timedelta(days=3),
        start=START,
    )
    text = render_mermaid(found)
    sections = parse(text)  # every line is still a header, a section or a task
    assert list(sections) == ["Plan", "Actual", "Gates", "Returns"]  # no section was added
    assert "\n    section Evil" not in text and "\n    section Injected" not in text
    assert "\nclick" not in text and "\n    click" not in text and "%%" not in text
    title = text.splitlines()[1]
    assert title == (
        "    title UC-0001 Claims#58; triage#59; #35;1 #37;#37; section Evil click p1 call alert(1) "
        "#34;quoted#34; #60;b#62;bold#60;/b#62; #96;tick#96; #123;x#125; plan vs actual"
    )
    names = [t["name"] for t in sections["Plan"]]
    assert names[0].startswith("#115;ection Injected#58; x")  # a keyword at the start is defused
    assert names[1].startswith("#99;lick p1 call alert(1)#59; #35;")
    assert names[2].startswith("#37;#37; comment")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("a:b", "a#58;b"),
        ("a#b", "a#35;b"),
        ("a;b", "a#59;b"),
        ("#58;", "#35;58#59;"),  # an entity code typed by a person stays text, not a colon
        ("  two\nlines\t", "two lines"),
        ("\x00\x1b[31m", "[31m"),
        ("", "untitled"),
        ("Title case", "#84;itle case"),
        ("Dateformat x", "#68;ateformat x"),
    ],
)
def test_mermaid_text(value: str, expected: str) -> None:
    assert mermaid_text(value) == expected


def test_a_business_case_ramp_and_start_move_the_returns() -> None:
    ramp = Ramp(early=11.25, measurable=15, full=22.5, horizon=36, source="its business case", start=date(2026, 3, 1))
    found = timeline([Stay("discovery", START)], today=START, ramp=ramp)
    returns = [i for i in found.items if i.section == "Returns"]
    assert [(i.start, i.end) for i in returns] == [
        (date(2026, 3, 1), after_months(date(2026, 3, 1), 11.25)),
        (after_months(date(2026, 3, 1), 11.25), after_months(date(2026, 3, 1), 15)),
        (after_months(date(2026, 3, 1), 15), after_months(date(2026, 3, 1), 22.5)),
        (after_months(date(2026, 3, 1), 22.5), after_months(date(2026, 3, 1), 36)),
    ]
    assert found.ramp_source == "its business case"
    assert "Early indicators (month 11.25)" in render_mermaid(found)


def test_the_vega_lite_spec_has_planned_and_actual_bars_today_and_milestones() -> None:
    stays = [Stay("discovery", START, date(2026, 1, 25)), Stay("poc", date(2026, 1, 25))]
    events = [GateEvent(1, "go", date(2026, 1, 25), "discovery")]
    spec = gantt_chart(timeline(stays, events, today=date(2026, 3, 1)))
    bars, ticks, points, today = spec["layer"]
    rows = bars["encoding"]["y"]["sort"]
    assert rows[:4] == ["Discovery: plan", "Discovery: actual", "Proof of Concept: plan", "Proof of Concept: actual"]
    assert rows[-2:] == ["Gates", "Returns"]
    kinds = {(b["row"], b["kind"]) for b in bars["data"]["values"]}
    assert ("Discovery: plan", "planned") in kinds and ("Discovery: actual", "done") in kinds
    assert ("Proof of Concept: actual", "active") in kinds and ("Returns", "Full value") in kinds
    assert {p["label"] for p in points["data"]["values"]} >= {"Gate 1 go", "Gate 1 due", "Scale (open-ended)"}
    assert ticks["data"]["values"][0] == {"row": "Discovery: plan", "at": "2026-01-19"}  # earliest finish: 2 weeks
    assert today["data"]["values"] == [{"today": "2026-03-01", "label": "today"}]
    vl_convert = pytest.importorskip("vl_convert")
    svg = vl_convert.vegalite_to_svg(spec)
    assert svg.startswith("<svg") and "Discovery: plan" in svg and "today" in svg
