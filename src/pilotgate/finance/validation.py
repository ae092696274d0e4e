"""Reading a business case from plain data (a parsed YAML or JSON document), field by field.

Every problem raises InvalidInput naming the field as a path (`phases[2].end_month`,
`benefits[0].ramp.full_month`, `ranges.investment.max`) and saying how to fix it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from pilotgate.errors import InvalidInput
from pilotgate.finance import fields
from pilotgate.finance.model import (
    DISTRIBUTIONS,
    FIXED_DRIVERS,
    PHASE_KINDS,
    RAMP_SHAPES,
    RUN_COST_CATEGORIES,
    SCENARIOS,
    Benefit,
    Case,
    DriverRange,
    Phase,
    Ramp,
    RunCost,
)
from pilotgate.funding.rules import CURRENCIES

MAX_HORIZON = 240
MAX_AMOUNT = fields.MAX_AMOUNT
MAX_BENEFITS = 20  # each is a (draws × months) ramp in the Monte Carlo
MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
DRIVER_ID = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
METRIC_KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)?$")
BENEFITS = "benefits"  # in scenarios and ranges: every benefit driver not named on its own
DEFAULT_SCENARIOS: dict[str, dict[str, float]] = {
    "conservative": {"investment": 1.15, "run_costs": 1.15, "ramp_timing": 1.25, BENEFITS: 0.8},
    "base": {},
    "optimistic": {"investment": 0.95, "run_costs": 0.95, "ramp_timing": 0.9, BENEFITS: 1.15},
}
TOP_KEYS = (
    "title",
    "currency",
    "start",
    "horizon_months",
    "discount_rate",
    "go_live_month",
    "phases",
    "run_costs",
    "benefits",
    "scenarios",
    "ranges",
    "distribution",
    "indicators",
)


def _phase(item: Any, path: str) -> Phase:
    data = fields.mapping(item, path, ("kind", "name", "start_month", "end_month", "monthly_cost"))
    start = int(fields.number(data, "start_month", path, integer=True, maximum=MAX_HORIZON, example="0"))
    end = int(fields.number(data, "end_month", path, integer=True, maximum=MAX_HORIZON, example="3"))
    if end <= start:
        raise InvalidInput(
            f"{path}.end_month", f"month {end} is not after start_month {start}: a phase ends after it starts"
        )
    return Phase(
        kind=fields.choice(data, "kind", path, PHASE_KINDS),
        start_month=start,
        end_month=end,
        monthly_cost=fields.number(data, "monthly_cost", path, example="25000"),
        name=fields.text(data, "name", path),
    )


def _run_cost(item: Any, path: str) -> RunCost:
    data = fields.mapping(item, path, ("category", "name", "monthly"))
    return RunCost(
        category=fields.choice(data, "category", path, RUN_COST_CATEGORIES),
        monthly=fields.number(data, "monthly", path, example="4000"),
        name=fields.text(data, "name", path),
    )


def _ramp(item: Any, path: str) -> Ramp:
    data = fields.mapping(
        item, path, ("early_month", "measurable_month", "full_month", "early_share", "measurable_share", "shape")
    )
    months = [
        fields.number(data, key, path, maximum=MAX_HORIZON, example=example)
        for key, example in (("early_month", "9"), ("measurable_month", "12"), ("full_month", "18"))
    ]
    if months[1] < months[0]:
        raise InvalidInput(
            f"{path}.measurable_month", f"month {months[1]:g} is before early_month {months[0]:g}: reorder the ramp"
        )
    if months[2] < months[1]:
        raise InvalidInput(
            f"{path}.full_month",
            f"month {months[2]:g} is before measurable_month {months[1]:g}: a ramp cannot end before it starts",
        )
    early = fields.number(data, "early_share", path, default=0.1, maximum=1.0)
    measurable = fields.number(data, "measurable_share", path, default=0.5, maximum=1.0)
    if measurable < early:
        raise InvalidInput(f"{path}.measurable_share", f"{measurable:g} is below early_share {early:g}")
    shape = fields.choice(data, "shape", path, RAMP_SHAPES, default="s_curve")
    return Ramp(months[0], months[1], months[2], early, measurable, shape)


def _benefit(item: Any, path: str, taken: set[str]) -> Benefit:
    data = fields.mapping(item, path, ("id", "name", "annual_value", "ramp"))
    name = fields.text(data, "name", path)
    ident = fields.text(data, "id", path, default=re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")[:40])
    if not DRIVER_ID.match(ident):
        raise InvalidInput(f"{path}.id", f"{ident!r} is not an id: lower-case letters, digits and '_', e.g. savings")
    if ident in taken or ident in FIXED_DRIVERS or ident == BENEFITS:
        raise InvalidInput(f"{path}.id", f"{ident!r} is already a driver; give each benefit its own id")
    taken.add(ident)
    ramp = data.get("ramp")
    if ramp is None:
        raise InvalidInput(f"{path}.ramp", "is missing; give early_month, measurable_month and full_month")
    return Benefit(
        ident, name or ident, fields.number(data, "annual_value", path, example="600000"), _ramp(ramp, f"{path}.ramp")
    )


def _per_driver(values: Any, path: str, drivers: Sequence[str]) -> Mapping[str, Any]:
    return fields.mapping(values if values is not None else {}, path, (*drivers, BENEFITS))


def _scenarios(
    data: Mapping[str, Any], drivers: Sequence[str], benefit_ids: Sequence[str]
) -> dict[str, dict[str, float]]:
    given = fields.mapping(data.get("scenarios") or {}, "scenarios", SCENARIOS)
    found: dict[str, dict[str, float]] = {}
    for scenario in SCENARIOS:
        path = f"scenarios.{scenario}"
        values = _per_driver(given.get(scenario), path, drivers)
        merged = {**DEFAULT_SCENARIOS[scenario], **{k: v for k, v in values.items() if v is not None}}
        every_benefit = fields.number(merged, BENEFITS, path, default=1.0, minimum=0.0, maximum=100.0)
        chosen = {}
        for driver in drivers:
            default = every_benefit if driver in benefit_ids else 1.0
            low = 0.01 if driver == "ramp_timing" else 0.0
            chosen[driver] = fields.number(merged, driver, path, default=default, minimum=low, maximum=100.0)
        found[scenario] = chosen
    return found


def _ranges(
    data: Mapping[str, Any], scenarios: dict[str, dict[str, float]], drivers: Sequence[str], benefit_ids: Sequence[str]
) -> dict[str, DriverRange]:
    distribution = fields.choice(data, "distribution", "", DISTRIBUTIONS, default="pert")
    given = _per_driver(data.get("ranges"), "ranges", drivers)
    found = {}
    for driver in drivers:
        path = f"ranges.{driver}"
        spec = given.get(driver, given.get(BENEFITS) if driver in benefit_ids else None)
        if spec is not None and driver not in given:
            path = f"ranges.{BENEFITS}"
        points = [scenarios[s][driver] for s in SCENARIOS]
        if spec is None:
            found[driver] = DriverRange(min(points), scenarios["base"][driver], max(points), distribution)
            continue
        values = fields.mapping(spec, path, ("min", "mode", "max", "distribution"))
        low = 0.01 if driver == "ramp_timing" else 0.0
        lowest = fields.number(values, "min", path, minimum=low, maximum=100.0, example="0.8")
        highest = fields.number(values, "max", path, minimum=low, maximum=100.0, example="1.2")
        if highest < lowest:
            raise InvalidInput(f"{path}.max", f"{highest:g} is below min {lowest:g}: a range runs from min to max")
        mode = fields.number(values, "mode", path, default=scenarios["base"][driver], minimum=low, maximum=100.0)
        if not lowest <= mode <= highest:
            raise InvalidInput(f"{path}.mode", f"{mode:g} is outside min {lowest:g} … max {highest:g}")
        kind = fields.choice(values, "distribution", path, DISTRIBUTIONS, default=distribution)
        found[driver] = DriverRange(lowest, mode, highest, kind)
    return found


def _indicator(item: Any, path: str, horizon: int) -> dict[str, Any]:
    data = fields.mapping(item, path, ("metric", "expected", "by_month", "note"))
    metric = fields.text(data, "metric", path, limit=64).lower()
    if not METRIC_KEY.match(metric):
        raise InvalidInput(f"{path}.metric", f"{metric!r} is not a metric key, e.g. task_completion_minutes")
    return {
        "metric": metric,
        "expected": fields.number(data, "expected", path, minimum=-MAX_AMOUNT, example="10.5"),
        "by_month": int(fields.number(data, "by_month", path, integer=True, maximum=horizon, example="9")),
        "note": fields.text(data, "note", path, limit=500),
    }


def _go_live(data: Mapping[str, Any], phases: Sequence[Phase]) -> int:
    if data.get("go_live_month") is not None:
        return int(fields.number(data, "go_live_month", "", integer=True, maximum=MAX_HORIZON))
    production = [p for p in phases if p.kind == "production"]
    if not production:
        raise InvalidInput(
            "go_live_month", "no phase of kind production: add one, or say when the system goes live (a month)"
        )
    return min(p.end_month for p in production)


def parse_case(data: Any) -> Case:
    """A validated Case from plain data, with every default filled in."""
    data = fields.mapping(data, "", TOP_KEYS)
    currency = fields.text(data, "currency", "", limit=8).upper()
    if currency not in CURRENCIES:
        raise InvalidInput("currency", f"{currency or 'nothing'!r} is not an ISO 4217 currency code, e.g. EUR")
    horizon = int(fields.number(data, "horizon_months", "", default=36, minimum=1, maximum=MAX_HORIZON, integer=True))
    rate = fields.number(data, "discount_rate", "", default=0.10, maximum=1.0, example="0.10 for 10% a year")
    start = fields.text(data, "start", "", limit=7) or None
    if start is not None and not MONTH.match(start):
        raise InvalidInput("start", f"{start!r} is not a month, e.g. 2026-01")
    if start is not None and not 1970 <= int(start[:4]) <= 2200:
        raise InvalidInput("start", f"{start!r} is not a month between 1970 and 2200")
    phases = tuple(_phase(p, f"phases[{i}]") for i, p in enumerate(fields.items(data, "phases", required=True)))
    run_costs = tuple(
        _run_cost(r, f"run_costs[{i}]") for i, r in enumerate(fields.items(data, "run_costs", required=False))
    )
    taken: set[str] = set()
    benefits = tuple(
        _benefit(b, f"benefits[{i}]", taken)
        for i, b in enumerate(fields.items(data, "benefits", required=True, limit=MAX_BENEFITS))
    )
    ids = [b.id for b in benefits]
    drivers = [*FIXED_DRIVERS, *ids]
    scenarios = _scenarios(data, drivers, ids)
    return Case(
        currency=currency,
        horizon_months=horizon,
        discount_rate=rate,
        phases=phases,
        run_costs=run_costs,
        benefits=benefits,
        go_live_month=_go_live(data, phases),
        scenarios=scenarios,
        ranges=_ranges(data, scenarios, drivers, ids),
        start=start,
        title=fields.text(data, "title", ""),
        indicators=_indicators(data, horizon),
    )


def _indicators(data: Mapping[str, Any], horizon: int) -> tuple[dict[str, Any], ...]:
    found: list[dict[str, Any]] = []
    for i, item in enumerate(fields.items(data, "indicators", required=False)):
        tie = _indicator(item, f"indicators[{i}]", horizon)
        if any((t["metric"], t["by_month"]) == (tie["metric"], tie["by_month"]) for t in found):
            raise InvalidInput(
                f"indicators[{i}].by_month", f"{tie['metric']} is already expected by month {tie['by_month']}"
            )
        found.append(tie)
    return tuple(found)


def case_dict(case: Case) -> dict[str, Any]:
    """The case as plain data with every default spelled out: what is stored, and parses back the same."""
    return {
        "title": case.title,
        "currency": case.currency,
        "start": case.start,
        "horizon_months": case.horizon_months,
        "discount_rate": case.discount_rate,
        "go_live_month": case.go_live_month,
        "phases": [
            {
                "kind": p.kind,
                "name": p.name,
                "start_month": p.start_month,
                "end_month": p.end_month,
                "monthly_cost": p.monthly_cost,
            }
            for p in case.phases
        ],
        "run_costs": [{"category": r.category, "name": r.name, "monthly": r.monthly} for r in case.run_costs],
        "benefits": [
            {"id": b.id, "name": b.name, "annual_value": b.annual_value, "ramp": asdict(b.ramp)} for b in case.benefits
        ],
        "scenarios": {name: dict(values) for name, values in case.scenarios.items()},
        "ranges": {
            d: {"min": r.low, "mode": r.mode, "max": r.high, "distribution": r.distribution}
            for d, r in case.ranges.items()
        },
        "indicators": [dict(x) for x in case.indicators],
    }
