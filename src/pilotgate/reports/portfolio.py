"""The portfolio report as plain data: the funnel and conversions, stalled use cases with their
reasons, the framework's benchmarks, production AI on project money, and expected value."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import select

from pilotgate.db.uow import UnitOfWork
from pilotgate.funding.panels import portfolio_panel
from pilotgate.portfolio import flow
from pilotgate.portfolio.charts import portfolio_charts
from pilotgate.portfolio.stalled_queries import stalled
from pilotgate.reports import sources
from pilotgate.usecases.models import UseCase

MAX_ROWS = 200  # rows of one table in a printed report; the rest are counted, and in the JSON API


def _gates(report: dict[str, Any]) -> list[dict[str, Any]]:
    conversions = {c["from_stage"]: c for c in report["conversions"]}
    rows = []
    for gate in report["gates"]:
        conversion = conversions.get(gate["from_stage"], {})
        rows.append(
            {
                "title": gate["title"],
                "entered": conversion.get("entered"),
                "advanced": conversion.get("advanced"),
                "still_open": conversion.get("still_open"),
                "rate": conversion.get("rate"),
                "kill_rate": gate["kill_rate"],
                "decisions": gate["decisions"],
            }
        )
    return rows


TOP = 5  # the value concentration the report states: the share the top few hold


def _value(uow: UnitOfWork) -> dict[str, Any] | None:
    """Each use case's expected value (its business case's conservative NPV), largest first, with
    totals per currency and the share the top few hold; None when finance is not installed."""
    found = sources.expected_values(uow)
    if found is None:
        return None
    use_cases = {
        row.id: row
        for row in uow.session.execute(
            select(UseCase.id, UseCase.key, UseCase.title, UseCase.stage, UseCase.status).where(
                UseCase.id.in_(sorted(found))
            )
        )
    }
    rows = sorted(
        (
            {"key": u.key, "title": u.title, "stage": u.stage, "status": u.status, "value": v, "currency": c or ""}
            for i, (v, c) in found.items()
            if (u := use_cases.get(i)) is not None
        ),
        key=lambda r: (-r["value"], r["key"]),
    )
    totals: dict[str, float] = defaultdict(float)
    for row in rows:
        totals[row["currency"]] += row["value"]
    positive = [r["value"] for r in rows if r["value"] > 0]
    share = sum(positive[:TOP]) / sum(positive) if len(totals) == 1 and len(positive) > TOP else None
    return {
        "rows": rows[:MAX_ROWS],
        "more": max(0, len(rows) - MAX_ROWS),
        "count": len(rows),
        "totals": dict(totals),
        "top": TOP,
        "top_share": share,
    }


def build(uow: UnitOfWork) -> dict[str, Any]:
    """Everything the portfolio report shows, as of now."""
    report = flow.report(uow).as_dict()
    findings = [f.as_dict() for f in stalled(uow)]
    funding = portfolio_panel(uow)
    on_project_money = funding["production_on_project_money"]
    funding["production_on_project_money"] = on_project_money[:MAX_ROWS]
    funding["more"] = max(0, len(on_project_money) - MAX_ROWS)
    by_rule = Counter(f["rule"] for f in findings)
    return {
        "generated_at": uow.now().isoformat(timespec="seconds"),
        "report": report,
        "charts": portfolio_charts(report),
        "gates": _gates(report),
        "stalled": findings[:MAX_ROWS],
        "stalled_total": len(findings),
        "stalled_use_cases": len({f["key"] for f in findings}),
        "stalled_by_rule": dict(by_rule.most_common()),
        "funding": funding,
        "value": _value(uow),
        "stage_titles": {s["stage"]: s["title"] for s in report["stages"]},
        "max_rows": MAX_ROWS,
    }
