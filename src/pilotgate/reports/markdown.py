"""Reports as Markdown (GitHub-flavoured): tables for the figures, a ```mermaid block for the timeline.

Charts are not drawn here; each chart's figures are in a table beside it, and a note says the drawn
charts are in the PDF and HTML versions. Every piece of user text is escaped, so a title, note or
comment cannot open a link, an image, a table cell or raw HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

from pilotgate.reports.html import irr, money, num, payback, pct_points, simulated, when

PUNCTUATION = re.compile(r"([\\`*_{}\[\]<>|~#!&])")
BLOCK_START = re.compile(r"^(\d*)([-+=>.)])")  # a list item, quote or heading underline if it opens a line
CHARTS_NOTE = "_Charts are drawn in the PDF and HTML versions of this report; their figures are in the tables._"
OPS = {"<=": "≤", ">=": "≥", "==": "=", "!=": "≠"}


def esc(text: Any) -> str:
    """User text inside a line of Markdown: markup characters escaped, line breaks folded."""
    flat = " ".join(str(text if text is not None else "").split())
    return PUNCTUATION.sub(r"\\\1", flat)


def line(text: Any) -> str:
    """User text that opens a line (a paragraph, list item or quoted line): escaped as by :func:`esc`,
    and a leading list, quote or heading marker escaped too."""
    return BLOCK_START.sub(r"\1\\\2", esc(text), count=1)


def code(text: Any) -> str:
    """Inline code, fenced with more backticks than the text holds; pipes escaped for table cells."""
    flat = " ".join(str(text).split()).replace("|", "\\|")
    ticks = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (ticks + 1)
    return f"{fence} {flat} {fence}" if ticks else f"`{flat}`"


def link(url: str) -> str:
    """An autolink; characters that could end it are percent-encoded."""
    return "<" + quote(url.strip(), safe=":/?#[]@!$&'()*+,;=%~-._") + ">"


def quote_block(text: str) -> list[str]:
    """Multi-line user text as a block quote, each line escaped."""
    return [f"> {line(row)}" if row.strip() else ">" for row in str(text).splitlines()] or [">"]


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """A GFM table; cells are already escaped (or code) and keep to one line."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell.replace("\n", " ") or " " for cell in row) + " |" for row in rows]
    return [*lines, ""]


def fence(text: str, language: str = "") -> list[str]:
    """A fenced code block that the text itself cannot close."""
    ticks = max((len(run) for run in re.findall(r"`{3,}", text)), default=2)
    marks = "`" * (ticks + 1)
    return [f"{marks}{language}", *text.splitlines(), marks, ""]


def label(value: Any) -> str:
    return esc(str(value).replace("_", " "))


def _basis(c: dict[str, Any]) -> str:
    """A criterion's status note, justification, assessor and evidence links, in one table cell."""
    parts = [esc(c["note"])]
    if c.get("justification") and c["justification"] != c["note"]:
        parts.append(f"“{esc(c['justification'])}”")
    if c["assessed_by"]:
        parts.append(f"— {esc(c['assessed_by_name'] or c['assessed_by'])}, {esc(when(c['assessed_at']))}")
    if c["waiver_expires"]:
        parts.append(f"(waiver until {esc(c['waiver_expires'])})")
    parts += [f"evidence: {link(url)}" for url in c["evidence"]]
    return " ".join(part for part in parts if part)


def _criterion_details(c: dict[str, Any]) -> list[str]:
    lines = [f"#### {esc(c['title'])} — {label(c['status'])}", "", f"_{esc(c['requirement'])}_", ""]
    lines += [line(c["note"]), ""] if c["note"] and c["kind"] == "computed" else []
    comparisons = (c.get("evaluation") or {}).get("comparisons") or []
    if c["kind"] == "metric":
        lines += [f"Measured, not asserted: {code(c['expression'])}", ""]
        rows = [
            [
                code(cmp["left"]["label"]),
                esc(num(cmp["left"]["value"])) + (" (stale)" if cmp["left"].get("stale") else ""),
                esc(f"{OPS.get(cmp['op'], cmp['op'])} {num(cmp['right']['value'])}"),
                esc(f"{str(cmp['left']['window_start'])[:10]} → {str(cmp['left']['window_end'])[:10]}")
                if cmp["left"].get("window_start")
                else "latest",
                esc(cmp["left"].get("detail", "")),
            ]
            for cmp in comparisons
        ]
        lines += table(["Indicator", "Value", "Threshold", "Window", "Data"], rows) if rows else []
    if c["kind"] == "computed":
        lines += [f"Computed from pilotgate's records: {code(c['check'])}", ""]
        holds = {True: "yes", False: "no"}
        rows = [[esc(f.get("label")), esc(f.get("value")), holds.get(f.get("ok"), "—")] for f in c["facts"]]
        lines += table(["Record", "Value", "Holds"], rows) if rows else []
    return lines


def _business_case(bc: dict[str, Any] | None) -> list[str]:
    lines = ["## Business case", ""]
    if not bc:
        return [*lines, "No business case recorded.", ""]
    currency = bc.get("currency")
    lines += [f"Scenario: {label(bc.get('scenario', ''))}, in {esc(currency)}.", ""]
    lines += table(
        ["Net present value", "Internal rate of return (annual)", "Payback", "Return on investment"],
        [
            [
                esc(money(bc.get("npv"), currency)),
                esc(irr(bc.get("irr"))),
                esc(payback(bc.get("payback_month"), bc.get("horizon_months"))),
                esc(pct_points(bc.get("roi_pct"))),
            ]
        ],
    )
    warnings = bc.get("warnings") or []
    lines += ["**Warnings**", "", *[f"- {line(w)}" for w in warnings], ""] if warnings else []
    rows = [[esc(what), esc(shown)] for what, shown in simulated(bc.get("monte_carlo"), currency)]
    lines += ["**Monte Carlo simulation**", "", *table(["Figure", "Value"], rows)] if rows else []
    return lines


def gate_packet(p: dict[str, Any]) -> str:
    uc, gate, d = p["use_case"], p["gate"], p["decision"]
    lines = [
        f"# Gate {gate['number']} review packet: {esc(uc['key'])} · {esc(uc['title'])}",
        "",
        f"{esc(gate['title'])}: {esc(gate['from'])} → {esc(gate['to'])} · {esc(uc['business_unit'])} · "
        f"risk tier {esc(uc['risk_tier'])} · policy {esc(p['policy']['name'])} v{p['policy']['version']} · "
        f"generated {esc(when(p['generated_at']))}",
        "",
    ]
    if d:
        lines += [f"**Decision: {esc(d['label'])}** by {esc(d['decided_by_name'])} ({esc(d['decided_by'])}), "
                  f"{esc(when(d['decided_at']))}: {esc(d['from_stage'])} → {esc(d['to_stage'])}", ""]  # fmt: skip
    else:
        state = f"{len(p['blockers'])} requirement(s) unmet" if p["blockers"] else "ready for decision"
        lines += [f"**Decision pending** ({state}); review opened {esc(when(p['review']['opened_at']))}.", ""]
    if p["blockers"]:
        lines += ["**Unmet requirements**", "", *[f"- {line(b)}" for b in p["blockers"]], ""]
    lines += ["## The use case", ""]
    lines += [*quote_block(uc["description"]), ""] if uc["description"] else []
    lines += table(
        ["Role", "Name", "E-mail"], [[esc(r["title"]), esc(r["name"]), esc(r["email"])] for r in uc["roles"]]
    )
    lines += ["## Criteria and evidence", ""]
    lines += table(
        ["Criterion", "Kind", "Status", "Basis"],
        [[esc(c["title"]), esc(c["kind"]), label(c["status"]), _basis(c)] for c in p["criteria"]],
    )
    measured = [c for c in p["criteria"] if c["kind"] in ("metric", "computed") and c["evaluation"]]
    lines += ["### Measured and computed criteria: the data behind them", ""] if measured else []
    for criterion in measured:
        lines += _criterion_details(criterion)
    if any(c["charts"] for c in p["criteria"]):
        lines += [CHARTS_NOTE, ""]
    lines += ["## Artifacts", ""]
    lines += table(
        ["Required artifact", "Attached", "Version", "By", "SHA-256"],
        [
            [
                esc(a["title"]),
                (link(a["url"]) if a["url"] else esc(a["filename"])) if a["attached"] else "**missing**",
                f"v{a['version']}" if a["attached"] else "",
                esc(a["uploaded_by_name"] or a["uploaded_by"] or ""),
                code(a["sha256"][:16]) if a["sha256"] else "",
            ]
            for a in p["artifacts"]
        ],
    )
    lines += ["## Approvals", ""]
    lines += table(
        ["Approver role", "Named approver", "Vote", "Cast", "Comment"],
        [
            [
                esc(a["title"]),
                esc(f"{a['name']} ({a['person']})" if a["person"] else "unassigned"),
                esc((a["choice"] or ("no vote" if d else "waiting")) + (" (stale)" if a["stale"] else "")),
                esc(when(a["cast_at"])),
                esc(a["comment"]),
            ]
            for a in p["approvals"]
        ],
    )
    lines += ["## Decision", ""]
    if d:
        lines += [f"**{esc(d['label'])}** — status {label(d['resulting_status'])}", ""]
        lines += [*quote_block(d["rationale"]), ""] if d["rationale"] else ["No rationale recorded.", ""]
        intact = "intact" if d["snapshot_intact"] else "DOES NOT MATCH ITS HASH"
        lines += [f"Evidence snapshot: {code('sha256 ' + d['snapshot_sha256'])} ({intact})", ""]
        rows = [[esc(c["text"]), esc(f"{c['owner_name']} ({c['owner']})"), esc(c["due"]), label(c["status"])]
                for c in d["conditions"]]  # fmt: skip
        lines += ["**Conditions**", "", *table(["Condition", "Owner", "Due", "Status"], rows)] if rows else []
    else:
        lines += ["No decision yet.", ""]
    lines += _business_case(p["business_case"])
    if (p["business_case"] or {}).get("charts"):
        lines += [CHARTS_NOTE, ""]
    if p["timeline"]:
        lines += ["## Timeline", "", *fence(p["timeline"]["mermaid"], "mermaid")]
    return "\n".join(lines).rstrip() + "\n"
