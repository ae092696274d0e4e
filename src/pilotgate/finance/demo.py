"""Business cases for four demo use cases, set and tracked through the finance services on the demo clock.

Three production systems have a case set when they entered discovery and actuals recorded every
month since, against the plan as presented (the conservative scenario): invoice triage realises
its benefits close to plan; the customer e-mail auto-reply well below it, so its re-forecast
falls; the cash-flow copilot has just begun to realise any.
The expense policy checker carries the over-optimistic case the warnings exist for: a 12-month
horizon, payback within a year, no run costs, value before the pilot.
"""

from __future__ import annotations

import random
from typing import Any

from pilotgate.db.uow import UnitOfWork
from pilotgate.finance import actuals, months, service
from pilotgate.finance.actuals_files import RawActual
from pilotgate.finance.model import evaluate
from pilotgate.finance.template import template_data

TIMELINE = [
    {"kind": "discovery", "start_month": 0, "end_month": 1},
    {"kind": "poc", "start_month": 1, "end_month": 3},
    {"kind": "pilot", "start_month": 3, "end_month": 7},
    {"kind": "production", "start_month": 7, "end_month": 10},
    {"kind": "scale", "start_month": 10, "end_month": 16},
]
CASES: dict[str, dict[str, Any]] = {
    "Invoice exception triage": {
        "costs": (12_000, 28_000, 42_000, 55_000, 22_000),
        "run": (5_000, 2_500, 3_500, 4_000),
        "benefits": [{"id": "ap_hours", "name": "AP clerk hours saved", "annual_value": 960_000}],
        "realised": 0.95,
        "indicators": [
            {"metric": "active_users", "expected": 1000, "by_month": 9, "note": "AP clerks using it weekly"},
            {"metric": "task_completion_minutes", "expected": 11, "by_month": 12},
            {"metric": "cost", "expected": 95_000, "by_month": 18, "note": "monthly process cost"},
        ],
    },
    "Customer email auto-reply": {
        "costs": (10_000, 25_000, 40_000, 60_000, 30_000),
        "run": (7_000, 3_000, 5_000, 8_000),
        "benefits": [
            {"id": "agent_time", "name": "Agent time on routine e-mail", "annual_value": 900_000},
            {
                "id": "faster_replies",
                "name": "Retention from faster replies",
                "annual_value": 240_000,
                "ramp": {"early_month": 12, "measurable_month": 18, "full_month": 24},
            },
        ],
        "realised": 0.55,
        "indicators": [
            {"metric": "active_users", "expected": 1100, "by_month": 12},
            {"metric": "error_rate", "expected": 0.5, "by_month": 9, "note": "drafts sent back by agents"},
        ],
    },
    "Cash-flow forecasting copilot": {
        "costs": (15_000, 30_000, 48_000, 65_000, 25_000),
        "run": (6_000, 3_000, 6_000, 4_000),
        "benefits": [{"id": "treasury", "name": "Treasury working-capital gain", "annual_value": 1_250_000}],
        "realised": 1.0,
        "indicators": [{"metric": "task_completion_minutes", "expected": 12, "by_month": 9}],
    },
    "Expense policy checker": {"optimistic": True},
}


def _spec(title: str, start: str) -> dict[str, Any]:
    given = CASES[title]
    if given.get("optimistic"):
        return {
            "title": "Expense checks pay for themselves in a quarter",
            "currency": "EUR",
            "start": start,
            "horizon_months": 12,
            "phases": [
                {"kind": "discovery", "start_month": 0, "end_month": 1, "monthly_cost": 8_000},
                {"kind": "poc", "start_month": 1, "end_month": 2, "monthly_cost": 15_000},
                {"kind": "pilot", "start_month": 2, "end_month": 4, "monthly_cost": 25_000},
                {"kind": "production", "start_month": 4, "end_month": 5, "monthly_cost": 30_000},
            ],
            "run_costs": [],
            "benefits": [
                {
                    "id": "leakage",
                    "name": "Out-of-policy spend stopped",
                    "annual_value": 1_400_000,
                    "ramp": {"early_month": 1, "measurable_month": 3, "full_month": 5, "shape": "linear"},
                },
            ],
            "scenarios": {"conservative": {"investment": 1.0, "run_costs": 1.0, "ramp_timing": 1.0, "benefits": 0.95}},
        }
    data = template_data()
    data.update(title=f"{title}: production business case", start=start, indicators=given["indicators"])
    data["phases"] = [{**phase, "monthly_cost": cost} for phase, cost in zip(TIMELINE, given["costs"], strict=True)]
    data["run_costs"] = [{**line, "monthly": cost} for line, cost in zip(data["run_costs"], given["run"], strict=True)]
    ramp = data["benefits"][0]["ramp"]
    data["benefits"] = [{"ramp": dict(ramp), **b} for b in given["benefits"]]
    return data


def record_demo_business_case(uow: UnitOfWork, clock: Any, *, plan: Any, key: str, roles: dict[str, str]) -> None:
    """Set the case of a demo use case when it entered discovery and record its actuals to this month."""
    if plan.title not in CASES:
        return
    resume = clock.at
    today = clock.today.date()
    clock.set_days_ago(plan.entered[0])
    start = months.this_month(clock().date())
    clock.set_days_ago(plan.entered[0] - 5)
    lead = roles["program_lead"]
    row, _ = service.set_case(uow, key=key, spec=_spec(plan.title, start), actor=lead, note="Agreed with the sponsor")
    given = CASES[plan.title]
    if not given.get("optimistic"):
        clock.at = clock.today
        planned = evaluate(service.case_of(row), "conservative")
        rng = random.Random(f"case:{key}")
        elapsed = min(months.month_index(start, today), row.spec["horizon_months"] - 1)
        rows: list[RawActual] = []
        for t in range(elapsed + 1):
            month = months.label(start, t)
            cost = float(planned.costs[t]) * rng.uniform(0.92, 1.06)
            benefit = float(planned.benefits[t]) * given["realised"] * rng.uniform(0.9, 1.1)
            rows.append(RawActual(len(rows) + 1, key, month, "cost", "programme", f"{cost:.2f}"))
            if benefit >= 0.01:
                rows.append(RawActual(len(rows) + 1, key, month, "benefit", "realised", f"{benefit:.2f}"))
        actuals.ingest(uow, rows, actor=roles["sponsor"], source="demo: finance ledger")
    clock.at = resume
