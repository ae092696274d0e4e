"""The pure parts of reports: reading a Mermaid gantt, escaping user text for Markdown, formatting."""

from __future__ import annotations

import re
from datetime import date, datetime

from hypothesis import given
from hypothesis import strategies as st

from pilotgate.reports import gantt, markdown
from pilotgate.reports.html import for_print, money, pct, pct_points, size, when

TIMELINE = """gantt
    title UC-0001 Claims #58; triage #60;b#62; plan vs actual
    dateFormat YYYY-MM-DD
    axisFormat %Y-%m
    %% a comment
    section Plan
    Discovery (2–4 wk) :p1, 2026-01-05, 2026-02-02
    Proof of Concept :crit, p2, after p1, 6w
    Pilot :12d
    Scale (open-ended) :milestone, p5, 2026-06-01, 0d
    section Gates
    Gate 1 due :milestone, g1, 2026-02-02, 0d
    Gate 1 due :done, g2, 2026-02-03, 2026-02-04
"""


def test_a_timeline_gantt_is_read_into_tasks() -> None:
    parsed = gantt.parse(TIMELINE)
    assert parsed is not None and parsed.title == "UC-0001 Claims : triage <b> plan vs actual"
    rows = [(t.section, t.name, t.start.date(), t.end.date(), sorted(t.tags)) for t in parsed.tasks]
    assert rows == [
        ("Plan", "Discovery (2–4 wk)", date(2026, 1, 5), date(2026, 2, 2), []),
        ("Plan", "Proof of Concept", date(2026, 2, 2), date(2026, 3, 16), ["crit"]),  # after p1, six weeks
        ("Plan", "Pilot", date(2026, 3, 16), date(2026, 3, 28), []),  # after the task before it
        ("Plan", "Scale (open-ended)", date(2026, 6, 1), date(2026, 6, 1), ["milestone"]),
        ("Gates", "Gate 1 due", date(2026, 2, 2), date(2026, 2, 2), ["milestone"]),
        ("Gates", "Gate 1 due", date(2026, 2, 3), date(2026, 2, 4), ["done"]),
    ]


def test_a_gantt_is_charted_with_bars_milestones_and_today() -> None:
    parsed = gantt.parse(TIMELINE)
    assert parsed is not None
    spec = gantt.chart(parsed, today=date(2026, 3, 1))
    rows = spec["data"]["values"]
    assert [r["task"] for r in rows][-2:] == ["Gate 1 due", "Gate 1 due (2)"]  # distinct rows on the y axis
    assert [r["milestone"] for r in rows] == [False, False, False, True, True, False]
    assert rows[1]["crit"] and rows[-1]["state"] == "done"
    bars, diamonds, today = spec["layer"]
    assert bars["mark"]["type"] == "bar" and diamonds["mark"]["shape"] == "diamond"
    assert today["data"]["values"] == [{"today": "2026-03-01"}]
    assert bars["encoding"]["y"]["sort"] == [r["task"] for r in rows]


def test_syntax_outside_the_subset_is_not_guessed_at() -> None:
    for text in (
        "flowchart LR\n a --> b",
        "gantt\n dateFormat DD-MM-YYYY\n A :a1, 05-01-2026, 3d",
        "gantt\n A :a1, after nothing, 3d",
        "gantt\n A :a1, 2026-01-05, 2026-01-01",  # ends before it starts
        "gantt\n A :a1, 2026-01-05, 3 fortnights",
        "gantt\n something unknown",
        "gantt\n title only",
        "",
    ):
        assert gantt.parse(text) is None, text


def test_markdown_escapes_everything_that_could_become_markup() -> None:
    hostile = "<script>x</script> *bold* _it_ [a](javascript:x) `code` | # ~~s~~ & ![i](u)"
    escaped = markdown.esc(hostile)
    assert escaped == (
        "\\<script\\>x\\</script\\> \\*bold\\* \\_it\\_ \\[a\\](javascript:x) \\`code\\` \\| \\# \\~\\~s\\~\\~ \\& "
        "\\!\\[i\\](u)"
    )
    assert markdown.esc("two\nlines\r\n here") == "two lines here"
    assert markdown.line("1. not a list") == "1\\. not a list" and markdown.line("- nor this") == "\\- nor this"
    assert markdown.esc("36.0% of 9") == "36.0% of 9"  # inside a line nothing needs escaping
    assert markdown.quote_block("first\n\n> second") == ["> first", ">", "> \\> second"]


@given(st.text(max_size=60))
def test_no_user_text_opens_markup_or_leaves_its_table_cell(text: str) -> None:
    cell = markdown.esc(text)
    assert "\n" not in cell and "\r" not in cell
    assert not re.search(r"(?<!\\)[<>|\[\]`*_]", cell.replace("\\\\", "")), cell


def test_code_spans_links_and_fences_hold_whatever_they_carry() -> None:
    assert markdown.code("a `tick` | b") == "`` a `tick` \\| b ``"
    assert markdown.code('uptime(window="30d")') == '`uptime(window="30d")`'
    assert markdown.link("https://x.example/a b<c>") == "<https://x.example/a%20b%3Cc%3E>"
    fenced = markdown.fence("gantt\n```\nnot the end", "mermaid")
    assert fenced[0] == "````mermaid" and fenced[-2] == "````"
    assert markdown.table(["A", "B"], [["1", "x\ny"]]) == ["| A | B |", "|---|---|", "| 1 | x y |", ""]


def test_figures_are_formatted_for_a_board() -> None:
    assert money("1234567.891", "EUR") == "EUR 1,234,568" and money(None, "EUR") == "—" and money("12.5") == "12.50"
    assert pct(0.2345) == "23.4%" and pct(None) == "—" and pct_points(23.45) == "23.4%"
    assert size(66) == "66 bytes" and size(12_345) == "12.3 kB" and size(4_500_000) == "4.5 MB"
    assert when("2026-04-12T14:03:09+00:00") == "2026-04-12 14:03 UTC" and when(None) == ""
    assert when(datetime(2026, 4, 12, 14, 3).isoformat()) == "2026-04-12 14:03"
    printed = for_print("gantt\n  title x")
    assert printed.startswith('%%{init: {"flowchart": {"htmlLabels": false}}}%%\ngantt')
    assert for_print(printed) == printed
