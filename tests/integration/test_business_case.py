"""Business cases on SQLite and PostgreSQL through the CLI and the services: set, show and versions;
actuals recorded one by one and imported all or none; variance, re-forecast, tied indicators
against measured evidence; the summary other capabilities read; every refusal changes nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from pilotgate.audit.models import AuditEvent
from pilotgate.finance import months, service, variance
from pilotgate.finance.model import evaluate
from pilotgate.finance.models import BusinessCase, BusinessCaseActual, IndicatorTie
from pilotgate.finance.template import template_data
from pilotgate.finance.validation import parse_case
from pilotgate.usecases import service as usecases
from pilotgate.usecases.models import UseCase
from tests.builders import cli, ok, uow, use_case

TODAY = datetime.now(UTC).date()


def months_ago(n: int) -> str:
    return months.label(months.this_month(TODAY), -n)


def write_case(tmp_path: Path, name: str = "case.yaml", **changes: Any) -> Path:
    data = template_data()
    data.update(changes)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def counts() -> tuple[int, int, int, int]:
    with uow(read_only=True) as unit:
        return tuple(  # type: ignore[return-value]
            unit.session.scalar(select(func.count()).select_from(model)) or 0
            for model in (BusinessCase, BusinessCaseActual, IndicatorTie, AuditEvent)
        )


def shown(key: str, *extra: str) -> dict[str, Any]:
    return json.loads(ok("case", "show", key, "--json", *extra))


def test_set_show_and_keep_every_version(home: Path, tmp_path: Path) -> None:
    key, people = use_case()
    lead = people["program_lead"]
    first = write_case(tmp_path, start=months_ago(6))
    out = " ".join(ok("case", "set", key, str(first), "--as", lead, "--note", "Agreed with <b>sponsor</b>").split())
    assert f"{key}: business case set as version 1" in out and "month 32" in out
    case = shown(key)
    assert (case["version"], case["scenario"], case["author"], case["note"]) == (
        1,
        "conservative",
        lead,
        "Agreed with <b>sponsor</b>",
    )
    expected = evaluate(parse_case({**template_data(), "start": months_ago(6)}), "conservative")
    assert case["figures"]["npv"] == pytest.approx(expected.npv, abs=0.01)
    assert case["figures"]["payback_month"] == expected.payback_month == 32
    assert case["scenarios"]["base"]["npv"] > case["figures"]["npv"]
    assert len(case["monthly"]) == 36 and case["monthly"][0]["label"] == months_ago(6)
    assert shown(key, "--scenario", "base")["figures"]["payback_month"] == 22
    assert "unchanged, still version 1" in ok("case", "set", key, str(first), "--as", lead)

    changed = write_case(tmp_path, "v2.yaml", start=months_ago(6), horizon_months=24)
    ok("case", "set", key, str(changed), "--as", people["sponsor"])
    newest = shown(key)
    assert newest["version"] == 2 and newest["horizon_months"] == 24
    assert any("horizon is 24 months" in w for w in newest["warnings"])
    assert shown(key, "--version", "1")["horizon_months"] == 36
    listed = json.loads(ok("case", "versions", key, "--json"))
    assert [(v["version"], v["author"]) for v in listed] == [(1, lead), (2, people["sponsor"])]
    no_start = write_case(tmp_path, "v3.yaml", start=None, discount_rate=0.12)
    ok("case", "set", key, str(no_start), "--as", lead)
    assert shown(key)["start"] == months_ago(6)  # a case without a start keeps its previous one
    with uow(read_only=True) as unit:
        ties = unit.session.scalars(select(IndicatorTie)).all()
        assert len(ties) == 9  # three per version, each version keeps its own
        actions = [e.action for e in unit.session.scalars(select(AuditEvent).order_by(AuditEvent.seq))]
    assert actions.count("business_case.set") == 3
    assert "audit trail intact" in ok("audit", "verify")


def test_a_bad_case_is_refused_naming_the_field_and_nothing_is_stored(home: Path, tmp_path: Path) -> None:
    key, people = use_case()
    lead = people["program_lead"]
    before = counts()
    bad = {
        "phases": [{"kind": "pilot", "start_month": 5, "end_month": 3, "monthly_cost": 1}],
        "horizon_months": 0,
    }
    for field, value, message in (
        ("phases", bad["phases"], "phases[0].end_month: month 3 is not after start_month 5"),
        ("horizon_months", 0, "horizon_months: 0 is below 1"),
        ("ranges", {"savings": {"min": 2, "max": 1}}, "ranges.savings.max: 1 is below min 2"),
    ):
        result = cli("case", "set", key, str(write_case(tmp_path, **{field: value})), "--as", lead)
        assert result.code != 0 and message in result.stderr, result.output
        assert "Traceback" not in result.output
    (tmp_path / "broken.yaml").write_text("phases: [unclosed", encoding="utf-8")
    result = cli("case", "set", key, str(tmp_path / "broken.yaml"), "--as", lead)
    assert result.code != 0 and "file:" in result.stderr and "not YAML or JSON" in result.stderr
    result = cli("case", "set", "UC-9999", str(write_case(tmp_path)), "--as", lead)
    assert result.code == 3 and "no use case 'UC-9999'" in result.stderr
    result = cli("case", "show", key)
    assert result.code == 3 and f"pilotgate case set {key} FILE" in result.stderr
    assert counts() == before


def test_actuals_import_all_or_none_then_variance_and_reforecast(home: Path, tmp_path: Path) -> None:
    key, people = use_case()
    other, _ = use_case("Other")
    lead = people["program_lead"]
    start = months_ago(13)
    ok("case", "set", key, str(write_case(tmp_path, start=start)), "--as", lead)
    ok("case", "set", other, str(write_case(tmp_path, "other.yaml", start=months_ago(2))), "--as", lead)
    plan = evaluate(parse_case({**template_data(), "start": start}), "conservative")
    lines = ["use_case,month,kind,category,amount,note"]
    for t in range(13):
        lines.append(f"{key},{months.label(start, t)},cost,programme,{plan.costs[t]:.2f},ledger")
        if plan.benefits[t] > 0:
            lines.append(f"{key},{months.label(start, t)},benefit,savings,{plan.benefits[t] / 2:.2f},")
    lines.append(f"{other},{months_ago(1)},cost,poc,1000,")
    good = "\n".join(lines) + "\n"
    future = months.label(months.this_month(TODAY), 1)
    bad = good + "\n".join(
        [
            f"{key},{future},cost,pilot,10,",
            f"{key},{months.label(start, -1)},cost,pilot,10,",
            f"{key},{months_ago(3)},refund,pilot,10,",
            f"{key},{months_ago(3)},cost,pilot,-10,",
            f"{key},{months_ago(3)},cost,pilot,,",
            f"{key},{months_ago(3)},cost,pilot,1.234,",
            f"UC-9999,{months_ago(3)},cost,pilot,1,",
            f"{key},March,cost,pilot,1,",
        ]
    )
    (tmp_path / "bad.csv").write_text(bad + "\n", encoding="utf-8")
    before = counts()
    result = cli("case", "actual", "import", str(tmp_path / "bad.csv"), "--as", lead)
    assert result.code != 0
    row = len(lines) + 1
    for fragment in (
        f"row {row}: month: {future} has not started yet",
        f"row {row + 1}: month: {months.label(start, -1)} is outside {key}'s business case",
        f"row {row + 2}: kind: 'refund' is not one of cost, benefit",
        f"row {row + 3}: amount: -10 is negative",
        f"row {row + 4}: amount: is missing",
        f"row {row + 5}: amount: 1.234 has more than two decimal places",
        f"row {row + 6}: use_case: unknown use case 'UC-9999'",
        f"row {row + 7}: month: 'March' is not a month",
    ):
        assert fragment in result.stderr, (fragment, result.stderr)
    assert counts() == before  # not one row of the batch was kept

    (tmp_path / "good.csv").write_text(good, encoding="utf-8")
    out = ok("case", "actual", "import", str(tmp_path / "good.csv"), "--as", lead)
    recorded = len(lines) - 1
    assert f"{recorded} actual(s) recorded, 0 replaced, across 2 use case(s)" in " ".join(out.split())
    again = ok("case", "actual", "import", str(tmp_path / "good.csv"), "--as", lead)
    assert f"0 actual(s) recorded, {recorded} replaced" in " ".join(again.split())
    assert counts()[1] == before[1] + recorded  # resending replaces, never duplicates

    gap = json.loads(ok("case", "variance", key, "--json"))
    assert gap["elapsed_months"] == 13 and gap["scenario"] == "conservative"
    assert all(abs(m["cost_variance"]) < 0.01 for m in gap["months"])
    planned = sum(float(plan.benefits[t]) for t in range(13))
    assert gap["totals"]["plan_benefit"] == pytest.approx(planned, abs=0.05)
    assert gap["totals"]["actual_benefit"] == pytest.approx(planned / 2, abs=0.05)
    assert gap["months"][-1]["cumulative_variance"] == pytest.approx(-planned / 2, abs=0.05)

    fresh = json.loads(ok("case", "reforecast", key, "--json"))
    assert fresh["benefit_ratio"] == pytest.approx(0.5, abs=1e-3) and fresh["elapsed_months"] == 13
    assert fresh["reforecast"]["npv"] < fresh["plan"]["npv"]
    assert fresh["monthly"][12]["actual"] and not fresh["monthly"][13]["actual"]
    assert fresh["monthly"][20]["benefit"] == pytest.approx(plan.benefits[20] / 2, abs=0.05)
    assert "scaled by benefits realised" in fresh["method"]
    table = " ".join(ok("case", "reforecast", key).split())
    assert "benefits realised at 50% of plan" in table


def test_one_actual_recorded_and_replaced_with_its_audit(home: Path, tmp_path: Path) -> None:
    key, people = use_case()
    lead = people["program_lead"]
    ok("case", "set", key, str(write_case(tmp_path, start=months_ago(4))), "--as", lead)
    month = months_ago(1)
    args = ["case", "actual", "add", key, "--month", month, "--kind", "cost", "--category", "Pilot"]
    out = " ".join(ok(*args, "--amount", "12500", "--note", "invoice 17", "--as", lead).split())
    assert f"{key}: cost pilot of {month} recorded: 12500.00" in out
    out = " ".join(ok(*args, "--amount", "13000.50", "--as", lead).split())
    assert "replaced: 13000.50" in out
    listed = json.loads(ok("case", "actual", "list", key, "--json"))
    assert [(a["category"], a["amount"], a["source"]) for a in listed] == [("pilot", "13000.50", "cli")]
    with uow(read_only=True) as unit:
        events = [e for e in unit.session.scalars(select(AuditEvent)) if e.action == "business_case.actual_recorded"]
    assert len(events) == 2 and events[1].before is not None
    no_case, _ = use_case("No case")
    before = counts()
    for option, value, message in (
        ("--amount", "-1", "amount: -1 is negative"),
        ("--month", "2026-13", "month: '2026-13' is not a calendar date"),
        ("--kind", "gain", "kind: 'gain' is not one of cost, benefit"),
    ):
        base = {"--month": month, "--kind": "cost", "--amount": "10"}
        base[option] = value
        flat = [item for pair in base.items() for item in pair]
        result = cli("case", "actual", "add", key, *flat, "--category", "x", "--as", lead)
        assert result.code != 0 and message in result.stderr, result.output
    result = cli(
        "case",
        "actual",
        "add",
        no_case,
        "--month",
        month,
        "--kind",
        "cost",
        "--category",
        "x",
        "--amount",
        "1",
        "--as",
        lead,
    )
    assert result.code != 0 and "has no business case yet" in result.stderr
    assert counts() == before


def test_indicators_tied_to_the_case_against_measured_evidence(home: Path, tmp_path: Path) -> None:
    key, people = use_case()
    lead = people["program_lead"]
    ties = [
        {"metric": "active_users", "expected": 300, "by_month": 3},  # due, reached
        {"metric": "task_completion_minutes", "expected": 10, "by_month": 4},  # due, not reached (lower is better)
        {"metric": "error_rate", "expected": 0.5, "by_month": 30},  # not due, not reached
        {"metric": "revenue", "expected": 1000, "by_month": 24},  # not measured at all
        {"metric": "cost", "expected": 90_000, "by_month": 18},  # defined, no data
    ]
    ok("case", "set", key, str(write_case(tmp_path, start=months_ago(6), indicators=ties)), "--as", lead)
    for metric in ("active_users", "task_completion_minutes", "error_rate", "cost"):
        ok("metrics", "define", key, metric, "--as", lead)
    points = tmp_path / "points.csv"
    day = (TODAY - timedelta(days=2)).isoformat()
    points.write_text(
        "use_case,metric,timestamp,value\n"
        f"{key},active_users,{day}T09:00:00Z,320\n"
        f"{key},task_completion_minutes,{day}T09:00:00Z,12.5\n"
        f"{key},error_rate,{day}T09:00:00Z,0.9\n",
        encoding="utf-8",
    )
    ok("metrics", "import", str(points), "--as", lead)
    found = json.loads(ok("case", "indicators", key, "--json"))
    assert found["month_now"] == 6
    by = {i["metric"]: i for i in found["indicators"]}
    assert {m: i["status"] for m, i in by.items()} == {
        "active_users": "met",
        "task_completion_minutes": "behind",
        "error_rate": "pending",
        "revenue": "not_defined",
        "cost": "no_data",
    }
    assert by["active_users"]["measured"] == 320 and by["active_users"]["class"] == "leading"
    assert by["revenue"]["class"] == "lagging" and by["cost"]["class"] == "lagging"
    assert by["task_completion_minutes"]["by"] == months.label(months_ago(6), 4)
    table = " ".join(ok("case", "indicators", key).split())
    assert "behind" in table and "not defined" in table


def test_the_summary_and_expected_values_other_capabilities_read(home: Path, tmp_path: Path) -> None:
    key, people = use_case()
    plain, _ = use_case("No case")
    ok("case", "set", key, str(write_case(tmp_path, start=months_ago(3))), "--as", people["program_lead"])
    with uow(read_only=True) as unit:
        found = usecases.get_or_raise(unit, key)
        summary = service.case_summary(unit, found)
        assert service.case_summary(unit, plain) is None
        values = service.expected_values(unit)
        assert summary is not None
        assert service.case_summary(unit, key) == summary  # a key does as well as the use case
    assert set(summary) >= {
        "scenario",
        "currency",
        "horizon_months",
        "npv",
        "irr",
        "payback_month",
        "roi_pct",
        "warnings",
        "monte_carlo",
        "charts",
    }
    assert summary["scenario"] == "conservative" and summary["payback_month"] == 32
    assert set(summary["monte_carlo"]) == {
        "npv_p10",
        "npv_p50",
        "npv_p90",
        "payback_p10",
        "payback_p50",
        "payback_p90",
        "p_payback_12",
        "p_payback_24",
        "p_payback_36",
    }
    assert set(summary["charts"]) == {"cash_flow", "tornado", "monte_carlo", "plan_vs_actual"}
    assert summary["charts"]["plan_vs_actual"] is None  # no actual yet
    assert all(
        summary["charts"][c]["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
        for c in ("cash_flow", "tornado", "monte_carlo")
    )
    assert values == {found.id: summary["npv"]}
    assert not any("No indicator tied" in w for w in summary["warnings"])  # the template ties three
    ok(
        "case",
        "actual",
        "add",
        key,
        "--month",
        months_ago(1),
        "--kind",
        "cost",
        "--category",
        "poc",
        "--amount",
        "30000",
        "--as",
        people["program_lead"],
    )
    with uow(read_only=True) as unit:
        found = usecases.get_or_raise(unit, key)
        chart = service.case_summary(unit, found)["charts"]["plan_vs_actual"]  # type: ignore[index]
        assert variance.variance_of(unit, found)["elapsed_months"] == 3
    series = {v["series"] for v in chart["layer"][0]["data"]["values"]}
    assert series == {"plan (conservative)", "actual", "re-forecast"}


def test_sensitivity_and_simulation_through_the_cli(home: Path, tmp_path: Path) -> None:
    key, people = use_case()
    ok("case", "set", key, str(write_case(tmp_path, start=months_ago(1))), "--as", people["program_lead"])
    tornado = json.loads(ok("case", "sensitivity", key, "--pct", "10", "--json"))
    assert tornado["pct"] == 10 and tornado["drivers"][0]["npv_effect"] >= tornado["drivers"][-1]["npv_effect"]
    first = json.loads(ok("case", "simulate", key, "--draws", "2000", "--seed", "5", "--json"))
    again = json.loads(ok("case", "simulate", key, "--draws", "2000", "--seed", "5", "--json"))
    assert first == again and first["draws"] == 2000
    assert first["p_payback_12"] <= first["p_payback_24"] <= first["p_payback_36"]
    text = " ".join(ok("case", "simulate", key, "--draws", "500").split())
    assert "500 draws" in text and "Probability of payback within 12, 24, 36 months" in text
    for args, message in (
        (("sensitivity", key, "--pct", "0"), "pct: 0 is outside"),
        (("simulate", key, "--draws", "5"), "draws: 5 is outside"),
        (("show", key, "--scenario", "rosy"), "scenario: 'rosy' is not one of"),
    ):
        result = cli("case", *args)
        assert result.code != 0 and message in result.stderr, result.output
    assert "horizon_months: 36" in ok("case", "template")


def test_the_demo_has_business_cases_and_one_over_optimistic(demo_home: Path) -> None:
    with uow(read_only=True) as unit:
        values = service.expected_values(unit)
        assert 3 <= len(values) <= 4
        summaries = {}
        for use_case_id in values:
            found = unit.session.get_one(UseCase, use_case_id)
            summaries[found.title] = service.case_summary(unit, found)
    rosy = summaries["Expense policy checker"]
    assert rosy is not None and rosy["payback_month"] < 12 and len(rosy["warnings"]) >= 4
    triage = summaries["Invoice exception triage"]
    assert triage is not None and triage["charts"]["plan_vs_actual"] is not None
