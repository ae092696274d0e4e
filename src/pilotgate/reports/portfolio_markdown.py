"""The portfolio report as Markdown: the same sections as the PDF, every figure in a table."""

from __future__ import annotations

from typing import Any

from pilotgate.reports.html import money, pct, when
from pilotgate.reports.markdown import CHARTS_NOTE, esc, label, table


def portfolio(p: dict[str, Any]) -> str:
    r, f, titles = p["report"], p["funding"], p["stage_titles"]
    production = r["production"]
    lines = [
        "# AI use-case portfolio report",
        "",
        f"As of {esc(r['as_of'][:10])} · policy {esc(r['policy'])} · generated {esc(when(p['generated_at']))}",
        "",
        f"**{r['total']} use cases** ("
        + ", ".join(f"{n} {label(s)}" for s, n in r["by_status"].items() if n)
        + f"); production rate {esc(pct(production['rate']))} ({production['reached']} of {production['started']}); "
        f"{p['stalled_use_cases']} stalled or zombie use case(s).",
        "",
        "## Funnel",
        "",
    ]
    statuses = list(r["stages"][0]["by_status"]) if r["stages"] else []
    lines += table(
        ["Stage", *[label(s) for s in statuses], "Total"],
        [[esc(s["title"]), *[str(n) for n in s["by_status"].values()], str(s["total"])] for s in r["stages"]],
    )
    lines += ["### Gates: conversion and kill rate", ""]
    lines += table(
        ["Gate", "Entered the stage", "Advanced", "Still there", "Conversion", "Kill rate", "Decisions"],
        [
            [esc(g["title"]), *("—" if g[k] is None else str(g[k]) for k in ("entered", "advanced", "still_open")),
             esc(pct(g["rate"])), esc(pct(g["kill_rate"])),
             esc(", ".join(f"{n} {k.replace('_', ' ')}" for k, n in g["decisions"].items()) or "—")]
            for g in p["gates"]
        ],
    )  # fmt: skip
    lines += ["### Time in stage against the policy", ""]
    lines += table(
        ["Stage", "Visits", "Median days", "p25–p75", "Expected", "Over the maximum"],
        [
            [esc(t["title"]), str(t["n"]), "—" if t["median_days"] is None else str(t["median_days"]),
             f"{t['p25_days']}–{t['p75_days']}" if t["n"] else "",
             f"{t['expected']['min_weeks']}–{t['expected']['max_weeks']} weeks" if t["expected"]["max_weeks"]
             else "open-ended", esc(pct(t["over_max_share"]))]
            for t in r["time_in_stage"]
        ],
    )  # fmt: skip
    lines += [CHARTS_NOTE, "", "## Against the benchmarks", ""]
    lines += table(
        ["Source", "The framework cites", "This portfolio"],
        [[esc(b["source"]), esc(b["claim"]), esc(b["comparison"])] for b in r["benchmarks"]],
    )
    lines += ["## Stalled and zombie use cases", ""]
    if p["stalled"]:
        lines += table(
            ["Use case", "Stage", "Rule", "Why", "Review due"],
            [[esc(f"{s['key']} {s['title']}"), esc(titles.get(s["stage"], s["stage"])), label(s["rule"]),
              esc(s["explanation"]), esc(s["review_due"])] for s in p["stalled"]],
        )  # fmt: skip
        more = p["stalled_total"] - len(p["stalled"])
        lines += [f"… and {more} more findings (`pilotgate portfolio stalled --json`).", ""] if more else []
    else:
        lines += ["Nothing is stalled.", ""]
    lines += ["## Production AI on project money", ""]
    lines += table(
        ["In production or scale", "On an approved operational budget", "On project money", "No approved funding"],
        [[str(f["operational_use_cases"]), str(f["operationally_funded"]), str(f["on_project_money"]),
          str(f["unfunded"])]],
    )  # fmt: skip
    if f["production_on_project_money"]:
        lines += table(
            ["Use case", "Stage", "Business unit", "Project money covering today", "Months in operation"],
            [[esc(f"{w['key']} {w['title']}"), esc(titles.get(w["stage"], w["stage"])), esc(w["business_unit"]),
              esc(", ".join(w["project_shown"]) or "none approved"), str(w["months_in_operation"])]
             for w in f["production_on_project_money"]],
        )  # fmt: skip
        lines += [f"… and {f['more']} more (`pilotgate funding portfolio --json`).", ""] if f.get("more") else []
    lines += ["## Value", ""]
    value = p["value"]
    if value is None:
        lines += ["Expected value needs business cases, which this installation does not record.", ""]
    elif not value["rows"]:
        lines += ["No business cases recorded: expected value appears here once use cases have business cases.", ""]
    else:
        totals = ", ".join(money(amount, currency or None) for currency, amount in value["totals"].items())
        lines += [f"Expected value (conservative NPV of each business case) across {value['count']} use case(s): "
                  f"**{esc(totals)}**.", ""]  # fmt: skip
        if value["top_share"] is not None:
            lines += [f"The top {value['top']} hold {esc(pct(value['top_share']))} of it.", ""]
        lines += table(
            ["Use case", "Stage", "Status", "Expected value"],
            [[esc(f"{r['key']} {r['title']}"), esc(titles.get(r["stage"], r["stage"])), label(r["status"]),
              esc(money(r["value"], r["currency"] or None))] for r in value["rows"]],
        )  # fmt: skip
    return "\n".join(lines).rstrip() + "\n"
