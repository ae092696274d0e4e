"""The business case model without a database: cash flows, NPV, IRR, payback and ROI computed by hand
on small cases; ramp shapes; scenarios; sensitivity; Monte Carlo; honesty warnings; the re-forecast;
every validation error naming its field; the charts drawn by Vega-Lite v5 and v6."""

from __future__ import annotations

import copy
import math
from dataclasses import replace
from typing import Any

import numpy as np
import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pilotgate.errors import InvalidInput
from pilotgate.finance import charts, montecarlo, months, scenarios, sensitivity, tracking
from pilotgate.finance.model import Ramp, evaluate, flows, npv_many, payback_many, ramp_shares
from pilotgate.finance.template import template_data
from pilotgate.finance.validation import case_dict, parse_case
from pilotgate.finance.warnings import case_warnings


def flat() -> dict[str, dict[str, float]]:
    """Every scenario at multiplier 1: the case as written, whichever scenario is asked for."""
    return {
        s: {"investment": 1, "run_costs": 1, "ramp_timing": 1, "benefits": 1}
        for s in ("conservative", "base", "optimistic")
    }


def step(month: float) -> dict[str, Any]:
    return {"early_month": month, "measurable_month": month, "full_month": month, "shape": "step"}


def small(**changes: Any) -> dict[str, Any]:
    """Pilot months 0–1 and production month 2 at 100 a month, run cost 10 a month from go-live
    (month 3), benefit 100 a month from month 3; eight months, no discounting."""
    data: dict[str, Any] = {
        "currency": "EUR",
        "horizon_months": 8,
        "discount_rate": 0,
        "phases": [
            {"kind": "pilot", "start_month": 0, "end_month": 2, "monthly_cost": 100},
            {"kind": "production", "start_month": 2, "end_month": 3, "monthly_cost": 100},
        ],
        "run_costs": [{"category": "support", "monthly": 10}],
        "benefits": [{"id": "savings", "annual_value": 1200, "ramp": step(3)}],
        "scenarios": flat(),
    }
    data.update(changes)
    return data


# ---------------------------------------------------------------- hand-computed figures


def test_cash_flows_npv_payback_and_roi_of_a_small_case_by_hand() -> None:
    case = parse_case(small())
    assert case.go_live_month == 3  # the end of the production phase
    result = evaluate(case, "base")
    assert list(result.costs) == [100, 100, 100, 10, 10, 10, 10, 10]
    assert list(result.benefits) == [0, 0, 0, 100, 100, 100, 100, 100]
    assert list(result.cumulative) == [-100, -200, -300, -210, -120, -30, 60, 150]
    assert result.npv == pytest.approx(150)  # no discounting: the sum
    assert result.payback_month == 7  # month index 6 is the first at or above zero for good
    assert result.roi_pct == pytest.approx((500 - 350) / 350 * 100)


def test_npv_irr_and_payback_of_a_two_month_case_by_hand() -> None:
    data = small(
        horizon_months=2,
        discount_rate=0.10,
        phases=[{"kind": "production", "start_month": 0, "end_month": 1, "monthly_cost": 100}],
        run_costs=[],
        benefits=[{"id": "savings", "annual_value": 1320, "ramp": step(1)}],
    )
    result = evaluate(parse_case(data), "base")
    monthly = 1.10 ** (1 / 12) - 1
    assert list(result.net) == pytest.approx([-100, 110])
    assert result.npv == pytest.approx(-100 + 110 / (1 + monthly))  # month 0 is not discounted
    assert result.irr == pytest.approx(1.10**12 - 1)  # 10% a month, annualised
    assert result.payback_month == 2
    assert result.roi_pct == pytest.approx(10.0)


def test_irr_is_none_without_a_sign_change_and_payback_none_when_never_reached() -> None:
    data = small(benefits=[{"id": "savings", "annual_value": 0, "ramp": step(3)}])
    result = evaluate(parse_case(data), "base")
    assert result.irr is None and result.payback_month is None
    assert result.roi_pct == pytest.approx(-100.0)


def test_payback_counts_the_last_dip_below_zero() -> None:
    net = np.array([[-10.0, 20, -15, 10, 10], [5, 5, 5, 5, 5], [-1, -1, -1, -1, -1], [-10, 10, 0, 0, 0]])
    assert list(payback_many(net)) == [4.0, 1.0, math.inf, 2.0]


def test_batched_npv_is_numpy_financial_npv_row_by_row() -> None:
    rows = np.random.default_rng(3).normal(size=(5, 36)) * 1000
    rate = 1.08 ** (1 / 12) - 1
    assert npv_many(rows, 0.08) == pytest.approx([npf.npv(rate, row) for row in rows])


def test_run_costs_start_at_go_live_and_never_end() -> None:
    result = evaluate(parse_case(small(horizon_months=36, go_live_month=5)), "base")
    assert list(result.run[:5]) == [0] * 5 and set(result.run[5:]) == {10}


# ---------------------------------------------------------------- the ramp


@pytest.mark.parametrize(
    ("shape", "expected"),
    [
        ("linear", [0, 0.2, 0.4, 0.6, 0.8, 1, 1]),
        ("s_curve", [0, 0.2, 0.4, 0.6, 0.8, 1, 1]),  # halfway along each segment, the ease is 0.5 too
        ("step", [0, 0.2, 0.2, 0.6, 0.6, 1, 1]),
    ],
)
def test_ramp_shares_through_early_measurable_and_full(shape: str, expected: list[float]) -> None:
    ramp = Ramp(2, 4, 8, early_share=0.2, measurable_share=0.6, shape=shape)
    t = np.array([1.0, 2, 3, 4, 6, 8, 10])
    assert list(ramp_shares(t, ramp)) == pytest.approx(expected)


def test_an_s_curve_starts_slowly_and_a_linear_ramp_does_not() -> None:
    t = np.array([2.5])  # a quarter of the way from early (2) to measurable (4)
    linear = ramp_shares(t, Ramp(2, 4, 8, 0.2, 0.6, "linear"))[0]
    eased = ramp_shares(t, Ramp(2, 4, 8, 0.2, 0.6, "s_curve"))[0]
    assert linear == pytest.approx(0.3)
    assert eased == pytest.approx(0.2 + 0.4 * (0.25**2 * (3 - 2 * 0.25)))


def test_ramp_timing_stretches_every_ramp_point() -> None:
    data = small(
        horizon_months=24,
        benefits=[
            {"id": "savings", "annual_value": 1200, "ramp": {"early_month": 3, "measurable_month": 6, "full_month": 9}}
        ],
    )
    case = parse_case(data)
    plain = case.multipliers("base")
    later = plain.copy()
    later[2] = 2.0
    _, _, benefits = flows(case, np.stack([plain, later]))
    t = np.arange(24.0)
    assert benefits[1] == pytest.approx(100 * ramp_shares(t / 2, case.benefits[0].ramp))
    assert benefits[1][6] == pytest.approx(100 * 0.1)  # month 6 is the stretched early month


def test_the_template_is_the_framework_timeline_and_round_trips() -> None:
    case = parse_case(template_data())
    assert [(p.kind, p.start_month, p.end_month) for p in case.phases] == [
        ("discovery", 0, 1),
        ("poc", 1, 3),
        ("pilot", 3, 7),
        ("production", 7, 10),
        ("scale", 10, 16),
    ]
    ramp = case.benefits[0].ramp
    assert (case.horizon_months, case.go_live_month) == (36, 10)
    assert (ramp.early_month, ramp.measurable_month, ramp.full_month) == (9, 12, 18)
    assert parse_case(case_dict(case)) == case
    assert case_warnings(case, scenarios.evaluate_all(case)) == []


# ---------------------------------------------------------------- scenarios and warnings


def test_the_conservative_scenario_is_the_default_and_worse_than_base() -> None:
    case = parse_case(template_data())
    outcomes = scenarios.evaluate_all(case)
    assert outcomes["conservative"].npv < outcomes["base"].npv < outcomes["optimistic"].npv
    assert scenarios.scenario_or_raise(None) == "conservative"
    with pytest.raises(InvalidInput) as error:
        scenarios.scenario_or_raise("rosy")
    assert error.value.field == "scenario"


def test_scenario_multipliers_merge_with_the_defaults_and_the_benefits_shorthand() -> None:
    data = template_data()
    data["scenarios"] = {"conservative": {"benefits": 0.6, "savings": 0.7}}
    case = parse_case(data)
    assert case.scenarios["conservative"]["savings"] == 0.7  # named beats the shorthand
    assert case.scenarios["conservative"]["investment"] == 1.15  # unnamed keeps the default
    assert case.scenarios["optimistic"]["savings"] == 1.15


def over_optimistic() -> dict[str, Any]:
    return {
        "currency": "EUR",
        "horizon_months": 12,
        "phases": [
            {"kind": "poc", "start_month": 0, "end_month": 1, "monthly_cost": 10_000},
            {"kind": "pilot", "start_month": 2, "end_month": 3, "monthly_cost": 20_000},
            {"kind": "production", "start_month": 3, "end_month": 4, "monthly_cost": 20_000},
        ],
        "benefits": [
            {
                "id": "magic",
                "annual_value": 1_200_000,
                "ramp": {"early_month": 1, "measurable_month": 2, "full_month": 3},
            }
        ],
        "scenarios": {"conservative": {"investment": 0.9, "benefits": 1.0, "ramp_timing": 1.0, "run_costs": 1.0}},
    }


def test_an_over_optimistic_case_gets_every_warning() -> None:
    case = parse_case(over_optimistic())
    found = {w.code: w.message for w in case_warnings(case, scenarios.evaluate_all(case))}
    assert set(found) == {
        "payback_under_12_months",
        "horizon_under_3_years",
        "no_run_costs",
        "benefits_before_pilot",
        "full_value_before_go_live",
        "conservative_not_conservative",
    }
    assert "6% of organisations" in found["payback_under_12_months"]
    assert "investment" in found["conservative_not_conservative"]


def test_a_fast_payback_only_in_the_optimistic_scenario_is_no_claim() -> None:
    case = parse_case(template_data())
    outcomes = scenarios.evaluate_all(case)
    assert case_warnings(case, {**outcomes, "optimistic": replace(outcomes["optimistic"], payback_month=9)}) == []
    claims = case_warnings(case, {**outcomes, "base": replace(outcomes["base"], payback_month=11)})
    assert [w.code for w in claims] == ["payback_under_12_months"] and "11 months on the base" in claims[0].message


# ---------------------------------------------------------------- validation


def mutate(path: str, value: Any) -> dict[str, Any]:
    data = template_data()
    node: Any = data
    keys = path.replace("]", "").replace("[", ".").split(".")
    for key in keys[:-1]:
        node = node[int(key)] if key.isdigit() else node[key]
    last = keys[-1]
    if value is KeyError:
        del node[last]
    elif last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "field", "fragment"),
    [
        ("phases[2].end_month", 2, "phases[2].end_month", "not after start_month 3"),
        ("phases[0].monthly_cost", -5, "phases[0].monthly_cost", "negative"),
        ("phases[1].monthly_cost", KeyError, "phases[1].monthly_cost", "missing"),
        ("phases[1].monthly_cost", "lots", "phases[1].monthly_cost", "not a number"),
        ("phases[0].kind", "build", "phases[0].kind", "discovery, poc, pilot, production, scale"),
        ("benefits[0].annual_value", KeyError, "benefits[0].annual_value", "missing"),
        ("benefits[0].ramp.full_month", 6, "benefits[0].ramp.full_month", "cannot end before it starts"),
        ("benefits[0].ramp.measurable_month", 3, "benefits[0].ramp.measurable_month", "before early_month 9"),
        ("benefits[0].ramp.shape", "zigzag", "benefits[0].ramp.shape", "linear"),
        ("horizon_months", 0, "horizon_months", "at least 1"),
        ("horizon_months", 12.5, "horizon_months", "whole number"),
        ("discount_rate", 10, "discount_rate", "largest value allowed, 1"),
        ("currency", "EURO", "currency", "ISO 4217"),
        ("start", "2026-13", "start", "not a month"),
        ("start", "9999-12", "start", "between 1970 and 2200"),
        ("run_costs[0].category", "snacks", "run_costs[0].category", "maintenance"),
        ("run_costs[1].monthly", -1, "run_costs[1].monthly", "negative"),
        ("ranges", {"investment": {"min": 1.3, "max": 0.9}}, "ranges.investment.max", "below min 1.3"),
        ("ranges", {"investment": {"min": 0.9, "mode": 2, "max": 1.3}}, "ranges.investment.mode", "outside"),
        ("ranges", {"speed": {"min": 1, "max": 2}}, "ranges.speed", "not a known field"),
        ("scenarios", {"base": {"speed": 2}}, "scenarios.base.speed", "not a known field"),
        ("scenarios", {"rosy": {}}, "scenarios.rosy", "not a known field"),
        ("scenarios", {"base": {"ramp_timing": 0}}, "scenarios.base.ramp_timing", "below 0.01"),
        ("indicators[0].by_month", 40, "indicators[0].by_month", "above the largest value allowed, 36"),
        ("indicators[1].metric", "Task Time!", "indicators[1].metric", "not a metric key"),
        ("horizn", 36, "horizn", "not a known field"),
        ("benefits", [], "benefits", "empty"),
        (
            "phases",
            [{"kind": "pilot", "start_month": 0, "end_month": 1, "monthly_cost": 1}] * 51,
            "phases",
            "at most 50",
        ),
        ("phases", KeyError, "phases", "missing"),
    ],
)
def test_every_bad_input_names_its_field(path: str, value: Any, field: str, fragment: str) -> None:
    with pytest.raises(InvalidInput) as error:
        parse_case(mutate(path, value))
    assert error.value.field == field, error.value.message
    assert fragment in error.value.why, error.value.why


def test_a_case_needs_a_production_go_live_and_distinct_drivers() -> None:
    data = template_data()
    data["phases"] = [p for p in data["phases"] if p["kind"] != "production"]
    with pytest.raises(InvalidInput) as error:
        parse_case(data)
    assert error.value.field == "go_live_month"
    data = template_data()
    data["benefits"].append(copy.deepcopy(data["benefits"][0]))
    with pytest.raises(InvalidInput) as error:
        parse_case(data)
    assert error.value.field == "benefits[1].id" and "already a driver" in error.value.why
    for bad in (None, [], "a case"):
        with pytest.raises(InvalidInput):
            parse_case(bad)


# ---------------------------------------------------------------- sensitivity


def test_sensitivity_moves_each_driver_and_sorts_by_its_effect() -> None:
    case = parse_case(template_data())
    result = sensitivity.sensitivity(case, "conservative", 20)
    effects = [s.npv_effect for s in result.swings]
    assert effects == sorted(effects, reverse=True) and len(effects) == len(case.drivers) + 1
    by = {s.driver: s for s in result.swings}
    assert by["savings"].high_npv > result.npv > by["savings"].low_npv
    assert by["investment"].high_npv < result.npv < by["investment"].low_npv
    assert by["ramp_timing"].high_npv < result.npv  # value later is worth less
    assert by["discount_rate"].payback_effect == 0 and by["discount_rate"].low_payback == result.payback_month
    # Investment enters linearly: +20% costs exactly a fifth of its discounted stream more.
    plain = evaluate(case, "conservative")
    stream = float(npv_many(plain.investment, case.discount_rate))
    assert result.npv - by["investment"].high_npv == pytest.approx(0.2 * stream)
    assert result.by_payback[0] in ("savings", "ramp_timing")
    assert by["savings"].low_payback is None or by["savings"].low_payback >= result.payback_month


@pytest.mark.parametrize("pct", [0, -5, 95, math.nan])
def test_sensitivity_refuses_a_move_out_of_range(pct: float) -> None:
    with pytest.raises(InvalidInput) as error:
        sensitivity.sensitivity(parse_case(template_data()), "base", pct)
    assert error.value.field == "pct"


# ---------------------------------------------------------------- Monte Carlo


def test_monte_carlo_is_deterministic_with_a_seed() -> None:
    case = parse_case(template_data())
    first, again = montecarlo.simulate(case, 2000, seed=7), montecarlo.simulate(case, 2000, seed=7)
    other = montecarlo.simulate(case, 2000, seed=8)
    assert np.array_equal(first.npv, again.npv) and montecarlo.summary(first) == montecarlo.summary(again)
    assert not np.array_equal(first.npv, other.npv)


@pytest.mark.parametrize("distribution", ["triangular", "pert"])
def test_a_range_with_min_mode_max_equal_collapses_to_the_deterministic_result(distribution: str) -> None:
    data = template_data()
    base = parse_case(data).scenarios["conservative"]
    data["ranges"] = {d: {"min": v, "mode": v, "max": v, "distribution": distribution} for d, v in base.items()}
    case = parse_case(data)
    fixed = evaluate(case, "conservative")
    stats = montecarlo.summary(montecarlo.simulate(case, 500, seed=1))
    for p in (10, 50, 90):
        assert stats[f"npv_p{p}"] == pytest.approx(fixed.npv, abs=0.01)
        assert stats[f"payback_p{p}"] == fixed.payback_month
    assert stats["p_payback_24"] == 0.0 and stats["p_payback_36"] == 1.0  # payback in month 32


def test_payback_probabilities_rise_with_the_months_allowed() -> None:
    data = template_data()
    data["ranges"] = {"benefits": {"min": 0.3, "mode": 1.0, "max": 2.5}, "ramp_timing": {"min": 0.5, "max": 2.0}}
    stats = montecarlo.summary(montecarlo.simulate(parse_case(data), 4000, seed=3))
    assert 0 <= stats["p_payback_12"] <= stats["p_payback_24"] <= stats["p_payback_36"] <= 1
    assert stats["p_payback_24"] < stats["p_payback_36"]  # wide enough to split them
    assert stats["npv_p10"] < stats["npv_p50"] < stats["npv_p90"]
    assert stats["payback_p90"] is None or stats["payback_p10"] <= stats["payback_p90"]


def test_triangular_and_pert_draws_have_their_textbook_means() -> None:
    from pilotgate.finance.model import DriverRange

    ranges = [DriverRange(0.8, 1.0, 1.4, "triangular"), DriverRange(0.8, 1.0, 1.4, "pert"), DriverRange(2, 2, 2)]
    drawn = montecarlo.draw_multipliers(ranges, 200_000, np.random.default_rng(5))
    assert drawn[:, 0].mean() == pytest.approx((0.8 + 1.0 + 1.4) / 3, abs=0.003)
    assert drawn[:, 1].mean() == pytest.approx((0.8 + 4 * 1.0 + 1.4) / 6, abs=0.003)
    assert drawn[:, 0].min() >= 0.8 and drawn[:, 0].max() <= 1.4 and set(drawn[:, 2]) == {2.0}


@pytest.mark.parametrize(
    ("draws", "seed", "field"), [(10, 1, "draws"), (10**7, 1, "draws"), (1000, -1, "seed"), (200_000, 1, "draws")]
)
def test_monte_carlo_refuses_bad_draws_and_seeds(draws: int, seed: int, field: str) -> None:
    with pytest.raises(InvalidInput) as error:
        montecarlo.simulate(parse_case({**template_data(), "horizon_months": 60}), draws, seed)
    assert error.value.field == field


# ---------------------------------------------------------------- plan against actual


def test_reforecast_replaces_elapsed_months_and_scales_remaining_benefits() -> None:
    plan = evaluate(parse_case(small(horizon_months=8)), "base")
    costs = np.array([100.0, 120, 100, 10, 10])
    benefits = np.array([0.0, 0, 0, 50, 50])  # half of the 100 a month planned
    result = tracking.reforecast(plan, costs, benefits, 0.0)
    assert result.benefit_ratio == pytest.approx(0.5)
    assert list(result.costs) == [100, 120, 100, 10, 10, 10, 10, 10]
    assert list(result.benefits) == [0, 0, 0, 50, 50, 50, 50, 50]
    assert result.npv == pytest.approx(250 - 370) and result.payback_month is None
    rows = tracking.variance_rows(plan, costs, benefits)
    assert rows[1]["cost_variance"] == 20 and rows[4]["benefit_variance"] == -50
    assert rows[4]["cumulative_variance"] == pytest.approx(-120)
    totals = tracking.variance_totals(rows)
    assert totals["cost_variance_pct"] == pytest.approx(20 / 320 * 100, abs=0.05)
    assert totals["benefit_variance_pct"] == pytest.approx(-50.0)


def test_reforecast_ratio_is_one_before_any_benefit_was_planned_and_at_most_two() -> None:
    plan = evaluate(parse_case(small(horizon_months=8)), "base")
    early = tracking.reforecast(plan, np.array([100.0, 100]), np.array([0.0, 40]), 0.0)
    assert early.benefit_ratio == 1.0 and list(early.benefits[3:]) == [100] * 5
    lucky = tracking.reforecast(plan, np.full(4, 50.0), np.array([0, 0, 0, 900.0]), 0.0)
    assert lucky.benefit_ratio == tracking.MAX_RATIO


def test_months_count_from_the_case_start() -> None:
    assert months.month_index("2025-11", months.parse_month("2026-02-17")) == 3
    assert months.label("2025-11", 14) == "2027-01"
    for bad in ("2026-00", "March", "2026-02-30"):
        with pytest.raises(ValueError):
            months.parse_month(bad)


# ---------------------------------------------------------------- charts


def test_every_chart_is_plain_vega_lite_drawn_by_v5_and_v6() -> None:
    import vl_convert

    case = parse_case(template_data())
    outcomes = scenarios.evaluate_all(case)
    result = montecarlo.simulate(case, 1000, seed=1)
    plan = outcomes["conservative"]
    actual = tracking.reforecast(plan, plan.costs[:6], plan.benefits[:6] * 0.5, case.discount_rate)
    specs = [
        charts.cash_flow_chart(outcomes, "conservative", "EUR", plan.payback_month),
        charts.tornado_chart(sensitivity.sensitivity(case), "EUR"),
        charts.monte_carlo_chart(montecarlo.histogram(result), montecarlo.summary(result), "EUR"),
        charts.plan_vs_actual_chart(
            [months.label("2026-01", t) for t in range(36)],
            list(plan.cumulative),
            list(actual.cumulative[:6]),
            list(actual.cumulative),
            scenario="conservative",
            currency="EUR",
        ),
    ]
    for spec in specs:
        assert spec["width"] == "container" and "url" not in str(spec["layer"])
        for version in ("5.20", "6.4"):
            drawn = vl_convert.vegalite_to_svg({**spec, "width": 500}, vl_version=version, allowed_base_urls=[])
            assert drawn.startswith("<svg") and "<path" in drawn, version


# ---------------------------------------------------------------- any input


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**15), 10**15) | st.floats(allow_nan=True) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
PATHS = [
    "currency",
    "horizon_months",
    "discount_rate",
    "start",
    "go_live_month",
    "phases",
    "phases[0]",
    "phases[1].end_month",
    "phases[2].monthly_cost",
    "run_costs",
    "run_costs[0].category",
    "benefits",
    "benefits[0]",
    "benefits[0].ramp",
    "benefits[0].ramp.shape",
    "benefits[0].annual_value",
    "scenarios",
    "ranges",
    "distribution",
    "indicators",
    "indicators[0].expected",
    "title",
]


@settings(max_examples=300, deadline=None)
@given(path=st.sampled_from(PATHS), value=JSON)
def test_any_value_anywhere_is_a_case_or_an_error_naming_a_field(path: str, value: Any) -> None:
    try:
        case = parse_case(mutate(path, value))
    except InvalidInput as error:
        assert error.why
        return
    result = evaluate(case, "conservative")  # whatever was accepted computes
    assert math.isfinite(result.npv)
