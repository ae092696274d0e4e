"""The default case skeleton: the framework's typical timeline, ready to be edited (`pilotgate case template`).

Investment from month 0: discovery and POC months 0–3, pilot development 3–7, production
deployment 7–10, scale and optimisation 10–16; run costs from go-live (month 10) with no end;
early indicators around month 9, measurable ROI from month 12, full value from month 18.
The amounts are placeholders to replace with the use case's own.
"""

from __future__ import annotations

from typing import Any

import yaml

TEMPLATE = """\
# A business case for one use case: months count from `start` (month 0).
# Edit the amounts, then: pilotgate case set UC-0001 case.yaml --as you@example.org
title: Business case
currency: EUR
start: null                 # the calendar month of month 0, e.g. 2026-01 (default: the month you set the case)
horizon_months: 36          # project AI ROI over 3 years, not 12 months
discount_rate: 0.10         # annual; NPV uses the equivalent monthly rate

# Investment by phase (the framework's typical timeline). A phase costs monthly_cost in each
# month from start_month up to, not including, end_month.
phases:
  - {kind: discovery, start_month: 0, end_month: 1, monthly_cost: 15000}
  - {kind: poc, start_month: 1, end_month: 3, monthly_cost: 30000}
  - {kind: pilot, start_month: 3, end_month: 7, monthly_cost: 45000}
  - {kind: production, start_month: 7, end_month: 10, monthly_cost: 60000}
  - {kind: scale, start_month: 10, end_month: 16, monthly_cost: 25000}

# Production is operational infrastructure: these run every month from go-live, with no end date.
# go_live_month defaults to the end of the production phase (month 10 here).
run_costs:
  - {category: maintenance, monthly: 6000}
  - {category: monitoring, monthly: 3000}
  - {category: retraining, monthly: 4000}
  - {category: support, monthly: 5000}

# Benefit drivers: the annual value at full realisation, reached along a ramp — early indicators,
# measurable ROI, full value (shape: s_curve, linear or step).
benefits:
  - id: savings
    name: Handling time saved
    annual_value: 1100000
    ramp: {early_month: 9, measurable_month: 12, full_month: 18,
           early_share: 0.1, measurable_share: 0.5, shape: s_curve}

# Multipliers per driver: investment, run_costs, ramp_timing (1.25 = every ramp point 25% later),
# each benefit id, or `benefits` for all of them. The case is presented on the conservative one.
scenarios:
  conservative: {investment: 1.15, run_costs: 1.15, ramp_timing: 1.25, benefits: 0.8}
  base: {}
  optimistic: {investment: 0.95, run_costs: 0.95, ramp_timing: 0.9, benefits: 1.15}

# Monte Carlo ranges of each multiplier (default: from the conservative to the optimistic value,
# the base one most likely), drawn from a PERT or triangular distribution.
distribution: pert
ranges: {}

# Leading indicators move first (adoption, task time, error rate); lagging ones (revenue, margin,
# cost) confirm the outcome later. Tie each to a metric of the evidence layer: the value
# expected by a month of the case.
indicators:
  - {metric: active_users, expected: 300, by_month: 9, note: adoption in the production cohort}
  - {metric: task_completion_minutes, expected: 12, by_month: 12}
  - {metric: cost, expected: 95000, by_month: 18, note: monthly process cost}
"""


def template_text() -> str:
    return TEMPLATE


def template_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(TEMPLATE)
    return data
