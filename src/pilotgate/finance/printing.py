"""Rich tables of business cases for the CLI (the data comes from the service or the API alike)."""

from __future__ import annotations

from typing import Any

from pilotgate.cli_support import console, escape, table

STATUS_STYLE = {"met": "green", "behind": "red", "pending": "yellow", "no_data": "yellow", "not_defined": "red"}


def money(value: float | None, currency: str = "") -> str:
    if value is None:
        return "—"
    return f"{currency} {value:,.0f}" if currency else f"{value:,.0f}"


def number(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.4g}"


def pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:.{digits}f}%"


def irr(value: float | None) -> str:
    """An annual IRR (0.12 = 12%); beyond 1,000% the figure says nothing more."""
    if value is None:
        return "—"
    return "> 1,000%" if value > 10 else f"{value * 100:.1f}%"


def payback(month: int | None, horizon: int | None = None) -> str:
    if month is None:
        return f"not within {horizon} months" if horizon else "not within the horizon"
    return f"month {month}"


def _warnings(found: list[str]) -> None:
    screen = console()
    for warning in found:
        screen.print(f"[bold yellow]warning:[/bold yellow] {escape(warning)}")


def case(out: dict[str, Any], *, monthly: bool = False) -> None:
    screen = console()
    currency, horizon = out["currency"], out["horizon_months"]
    title = f" — {escape(out['title'])}" if out.get("title") else ""
    screen.print(
        f"{out['use_case']}{title}, version {out['version']} by {escape(out['author'])}: {horizon} months from "
        f"{out['start']}, discount rate {out['discount_rate'] * 100:.1f}%, go-live month {out['go_live_month']}"
    )
    _warnings(out["warnings"])
    grid = table("Scenario", f"NPV ({currency})", "IRR", "Payback", "ROI", "Costs", "Benefits")
    for name, f in out["scenarios"].items():
        label = f"[bold]{name}[/bold] ◀" if name == out["scenario"] else name
        grid.add_row(
            label,
            money(f["npv"]),
            irr(f["irr"]),
            payback(f["payback_month"], horizon),
            pct(f["roi_pct"]),
            money(f["total_investment"] + f["total_run_costs"]),
            money(f["total_benefits"]),
        )
    screen.print(grid)
    if monthly:
        lines = table("Month", "", "Investment", "Run costs", "Benefits", "Net", "Cumulative")
        lines.title = f"{out['scenario']} scenario, {currency}"
        for m in out["monthly"]:
            lines.add_row(
                str(m["month"]),
                m["label"],
                *(money(m[k]) for k in ("investment", "run_costs", "benefits", "net", "cumulative")),
            )
        screen.print(lines)


def versions(key: str, out: list[dict[str, Any]]) -> None:
    if not out:
        console().print(f"{key.upper()} has no business case; start from `pilotgate case template`")
        return
    grid = table("Version", "Set by", "When", "Note")
    for v in out:
        grid.add_row(str(v["version"]), escape(v["author"]), v["created_at"], escape(v["note"]))
    console().print(grid)


def sensitivity(out: dict[str, Any]) -> None:
    currency = out["currency"]
    screen = console()
    screen.print(
        f"{out['use_case']}: {out['scenario']} scenario, NPV {money(out['npv'], currency)}, payback "
        f"{payback(out['payback_month'])}; each driver moved ±{out['pct']:g}%"
    )
    step = f"{out['pct']:g}%"
    grid = table("Driver", f"NPV −{step}", f"NPV +{step}", f"Swing ({currency})", f"Payback −{step}", f"+{step}")
    for d in out["drivers"]:
        grid.add_row(
            escape(d["label"]),
            money(d["low_npv"]),
            money(d["high_npv"]),
            money(d["npv_effect"]),
            payback(d["low_payback"]),
            payback(d["high_payback"]),
        )
    screen.print(grid)
    screen.print("Ranked by payback shift: " + ", ".join(out["by_payback"]))


def simulation(out: dict[str, Any]) -> None:
    currency, horizon = out["currency"], out["horizon_months"]
    grid = table("", "P10", "P50", "P90", title=f"{out['use_case']}: {out['draws']:,} draws, seed {out['seed']}")
    grid.add_row("NPV", *(money(out[f"npv_p{p}"], currency) for p in (10, 50, 90)))
    grid.add_row("Payback", *(payback(out[f"payback_p{p}"], horizon) for p in (10, 50, 90)))
    screen = console()
    screen.print(grid)
    screen.print(
        "Probability of payback within 12, 24, 36 months: "
        + ", ".join(pct(out[f"p_payback_{m}"] * 100, 0) for m in (12, 24, 36))
        + f"; of a negative NPV: {pct(out['p_npv_negative'] * 100, 0)}"
    )


def actuals(key: str, out: list[dict[str, Any]]) -> None:
    if not out:
        console().print(f"{key.upper()} has no actual recorded; add one with `pilotgate case actual add {key} …`")
        return
    grid = table("Month", "Kind", "Category", "Amount", "Source", "Recorded by", "Note")
    for a in out:
        grid.add_row(
            a["month"], a["kind"], escape(a["category"]), a["amount"], escape(a["source"]),
            escape(a["recorded_by"]), escape(a["note"]),
        )  # fmt: skip
    console().print(grid)


def variance(out: dict[str, Any]) -> None:
    currency = out["currency"]
    screen = console()
    if not out["months"]:
        screen.print(f"{out['use_case']} has no actual recorded yet; nothing to compare with the plan")
        return
    grid = table("Month", "Plan cost", "Actual cost", "Δ cost", "Plan benefit", "Actual benefit", "Δ benefit", "Δ cum.")
    for m in out["months"]:
        grid.add_row(
            m["label"],
            *(money(m[k]) for k in ("plan_cost", "actual_cost", "cost_variance", "plan_benefit")),
            *(money(m[k]) for k in ("actual_benefit", "benefit_variance", "cumulative_variance")),
        )
    grid.title = (
        f"{out['use_case']}: plan ({out['scenario']}) against actual in {currency}, {out['elapsed_months']} month(s)"
    )
    screen.print(grid)
    t = out["totals"]
    screen.print(
        f"Costs {money(t['actual_cost'], currency)} against {money(t['plan_cost'], currency)} planned "
        f"({pct(t['cost_variance_pct'])}); benefits {money(t['actual_benefit'], currency)} against "
        f"{money(t['plan_benefit'], currency)} ({pct(t['benefit_variance_pct'])})"
    )
    if out["outside_horizon"]:
        screen.print(
            f"[yellow]{out['outside_horizon']} actual(s) fall outside the case's horizon and are left out[/yellow]"
        )


def reforecast(out: dict[str, Any]) -> None:
    currency = out["currency"]
    plan, fresh = out["plan"], out["reforecast"]
    grid = table("", f"Plan ({out['scenario']})", "Re-forecast")
    grid.add_row("NPV", money(plan["npv"], currency), money(fresh["npv"], currency))
    grid.add_row("Payback", payback(plan["payback_month"]), payback(fresh["payback_month"]))
    grid.add_row("ROI", pct(plan["roi_pct"]), pct(fresh["roi_pct"]))
    grid.add_row("IRR", irr(plan["irr"]), irr(fresh["irr"]))
    grid.title = (
        f"{out['use_case']}: {out['elapsed_months']} month(s) of actuals, benefits realised at "
        f"{out['benefit_ratio'] * 100:.0f}% of plan"
    )
    screen = console()
    screen.print(grid)
    screen.print(f"[dim]{escape(out['method'])}[/dim]")


def indicators(out: dict[str, Any]) -> None:
    screen = console()
    if not out["indicators"]:
        screen.print(f"{out['use_case']}: no indicator is tied to the case; add them under `indicators:` in its file")
        return
    grid = table("Indicator", "Class", "Expected by", "Measured", "Status")
    for i in out["indicators"]:
        style = STATUS_STYLE.get(i["status"], "white")
        unit = f" {escape(i['unit'])}" if i["unit"] else ""
        measured = "—" if i["measured"] is None else f"{number(i['measured'])}{unit}"
        note = f"\n[dim]{escape(i['note'])}[/dim]" if i["note"] else ""
        grid.add_row(
            f"{i['metric']}{note}",
            i["class"],
            f"{number(i['expected'])}{unit} by month {i['by_month']} ({i['by']})",
            measured,
            f"[{style}]{i['status'].replace('_', ' ')}[/{style}]",
        )
    grid.title = f"{out['use_case']}: indicators tied to the case (now month {out['month_now']})"
    screen.print(grid)
