"""The portfolio funnel on hand-built facts and the shipped policy; no database."""

from __future__ import annotations

import ast
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pilotgate.policy import shipped_policy
from pilotgate.portfolio import funnel
from pilotgate.portfolio.funnel import DecisionFact, PortfolioReport, StageVisit, UseCaseFacts, build_report, percentile

POLICY = shipped_policy()
START = datetime(2024, 1, 1, tzinfo=UTC)  # day 0; 2024-Q2 starts on day 91
NOW = START + timedelta(days=200)


def day(n: int) -> datetime:
    return START + timedelta(days=n)


def visits(*spans: tuple[str, int, int | None]) -> tuple[StageVisit, ...]:
    return tuple(StageVisit(stage, day(entered), None if left is None else day(left)) for stage, entered, left in spans)


def decided(*items: tuple[int, str, int]) -> tuple[DecisionFact, ...]:
    return tuple(DecisionFact(gate, kind, day(at)) for gate, kind, at in items)


def facts(
    key: str, status: str, history: tuple[StageVisit, ...], decisions: tuple[DecisionFact, ...] = ()
) -> UseCaseFacts:
    last = history[-1]
    return UseCaseFacts(key, "Operations", status, last.stage, last.entered_at, history, decisions)


# Eight use cases: decided in pilotgate (A–D, H), imported without decisions (E–G).
PORTFOLIO = (
    facts(
        "A",
        "active",
        visits(("discovery", 0, 20), ("poc", 20, 60), ("pilot", 60, None)),
        decided((1, "go", 20), (2, "go", 60)),
    ),
    facts("B", "stopped", visits(("discovery", 10, 40), ("poc", 40, None)), decided((1, "go", 40), (2, "stop", 100))),
    facts("C", "active", visits(("discovery", 30, 100), ("poc", 100, None)), decided((1, "go", 100))),
    facts("D", "stopped", visits(("discovery", 95, None)), decided((1, "stop", 105))),
    facts(
        "E",
        "retired",
        visits(("discovery", -400, -380), ("poc", -380, -330), ("pilot", -330, -230), ("production", -230, -30)),
    ),
    # No date for poc in the source: the importer gave it pilot's date, a visit of zero length.
    facts("F", "retired", visits(("discovery", -300, -290), ("poc", -290, -290), ("pilot", -290, -100))),
    # No date at all: entered at the import itself.
    facts("G", "active", (StageVisit("discovery", day(199), None, dated=False),)),
    facts("H", "on_hold", visits(("discovery", 150, None)), decided((1, "hold", 170))),
)


@pytest.fixture(scope="module")
def report() -> PortfolioReport:
    return build_report(PORTFOLIO, POLICY, NOW)


def test_counts_per_stage_and_status(report: PortfolioReport) -> None:
    assert report.total == 8
    assert report.by_status == {"active": 3, "on_hold": 1, "stopped": 2, "retired": 2}
    assert [(s.stage, s.total) for s in report.stages] == [
        ("discovery", 3),
        ("poc", 2),
        ("pilot", 2),
        ("production", 1),
        ("scale", 0),
    ]
    assert report.stage("discovery").by_status == {"active": 1, "on_hold": 1, "stopped": 1, "retired": 0}
    assert report.stage("pilot").by_status == {"active": 1, "on_hold": 0, "stopped": 0, "retired": 1}


def test_conversions_by_the_quarter_a_stage_was_entered(report: PortfolioReport) -> None:
    first, second, third, fourth = report.conversions
    assert (first.from_stage, first.to_stage, first.entered, first.advanced, first.ended, first.still_open) == (
        "discovery",
        "poc",
        8,
        5,
        1,
        2,
    )
    assert first.rate == 5 / 8
    assert [(c.quarter, c.entered, c.advanced, c.ended, c.still_open) for c in first.cohorts] == [
        ("2022-Q4", 1, 1, 0, 0),
        ("2023-Q1", 1, 1, 0, 0),
        ("2024-Q1", 3, 3, 0, 0),
        ("2024-Q2", 2, 0, 1, 1),
        ("undated", 1, 0, 0, 1),
    ]
    # Of the use cases that entered POC in 2024-Q1 (A and B), one reached pilot.
    cohort = next(c for c in second.cohorts if c.quarter == "2024-Q1")
    assert (cohort.entered, cohort.advanced, cohort.ended, cohort.rate) == (2, 1, 1, 0.5)
    assert (second.entered, second.advanced, second.rate) == (5, 3, 0.6)
    assert [(c.quarter, c.entered, c.advanced, c.ended) for c in third.cohorts] == [
        ("2023-Q1", 2, 1, 1),
        ("2024-Q1", 1, 0, 0),
    ]
    assert (fourth.from_stage, fourth.to_stage, fourth.entered, fourth.advanced, fourth.ended) == (
        "production",
        "scale",
        1,
        0,
        1,
    )


def test_kill_rate_per_gate_from_decisions_and_from_history(report: PortfolioReport) -> None:
    gate1, gate2, gate3, gate4 = report.gates
    assert gate1.decisions == {"go": 3, "stop": 1, "hold": 1}
    assert (gate1.decided, gate1.stopped, gate1.passed_without_decision, gate1.ended_without_decision) == (5, 1, 2, 0)
    assert gate1.decision_kill_rate == 0.2 and gate1.kill_rate == 1 / 7
    assert (gate2.decided, gate2.stopped, gate2.passed_without_decision) == (2, 1, 2)
    assert gate2.decision_kill_rate == 0.5 and gate2.kill_rate == 0.25
    # F was retired in pilot without a decision: a kill at Gate 3; E passed it.
    assert (gate3.decided, gate3.passed_without_decision, gate3.ended_without_decision) == (0, 1, 1)
    assert gate3.decision_kill_rate is None and gate3.kill_rate == 0.5
    # Retiring a system that ran in production is not a kill at Gate 4.
    assert (gate4.decided, gate4.passed_without_decision, gate4.ended_without_decision, gate4.kill_rate) == (
        0,
        0,
        0,
        None,
    )


def test_time_in_stage_against_the_expected_duration(report: PortfolioReport) -> None:
    discovery, poc, pilot, production, scale = report.time_in_stage
    # A 20, B 30, C 70, D 10 (until its stop), E 20, F 10, H 50 and running; G has no date.
    assert sorted(discovery.days) == [10, 10, 20, 20, 30, 50, 70]
    assert (discovery.n, discovery.ongoing, discovery.undated) == (7, 1, 1)
    assert (discovery.median, discovery.p25, discovery.p75) == (20, 15, 40)
    assert (discovery.max_weeks, discovery.over_max, discovery.over_max_share) == (4, 3, 3 / 7)
    # A 40, B 60 (until its stop), C 100 and running, E 50; F's zero-length visit tells nothing.
    assert sorted(poc.days) == [40, 50, 60, 100]
    assert (poc.median, poc.p25, poc.p75, poc.over_max_share) == (55, 47.5, 70, 0.5)
    assert (pilot.n, pilot.median, pilot.over_max, pilot.ongoing) == (3, 140, 2, 1)
    # Staying on in an operational stage is the point, not a stall.
    assert (production.n, production.median, production.over_max, production.over_max_share) == (1, 200, None, None)
    assert (scale.n, scale.median, scale.p25, scale.p75) == (0, None, None, None)


def test_production_rate_and_the_benchmarks_beside_it(report: PortfolioReport) -> None:
    assert (report.production.stage, report.production.started, report.production.reached) == ("production", 8, 1)
    assert report.production.rate == 0.125
    gartner, deloitte, roi = report.benchmarks
    assert gartner.source == "Gartner" and "5% of AI experiments reach full-scale production" in gartner.claim
    assert (gartner.figure, gartner.portfolio, gartner.position) == (0.05, 0.125, "above")
    assert deloitte.source == "Deloitte, State of AI in the Enterprise, 7th edition (March 2026)"
    assert (deloitte.figure, deloitte.position) == (0.40, "below")
    assert "has not moved 40% or more" in deloitte.comparison
    assert roi.source.startswith("Gartner") and "6% of organisations" in roi.claim and "2–4 years" in roi.claim
    assert (roi.portfolio, roi.position) == (None, "context")


def test_a_portfolio_past_forty_percent_is_above_the_deloitte_mark() -> None:
    live = facts(
        "P", "active", visits(("discovery", 0, 10), ("poc", 10, 40), ("pilot", 40, 100), ("production", 100, None))
    )
    early = facts("Q", "active", visits(("discovery", 0, None)))
    report = build_report((live, early), POLICY, NOW)
    assert report.production.rate == 0.5
    assert report.benchmarks[1].position == "above" and "has moved 40% or more" in report.benchmarks[1].comparison


def test_a_recycled_use_case_still_counts_as_having_reached_the_later_stage() -> None:
    recycled = facts(
        "R",
        "active",
        visits(("discovery", 0, 10), ("poc", 10, 30), ("pilot", 30, 80), ("poc", 80, None)),
        decided((1, "go", 10), (2, "go", 30), (3, "recycle", 80)),
    )
    report = build_report((recycled,), POLICY, NOW)
    assert [c.advanced for c in report.conversions] == [1, 1, 0, 0]
    assert report.stage("poc").total == 1
    assert sorted(report.time_in_stage[1].days) == [20, 120]  # the first visit, and the running one


def test_an_empty_portfolio_reports_no_rates() -> None:
    report = build_report((), POLICY, NOW)
    assert report.total == 0 and report.production.rate is None
    assert all(c.rate is None and c.cohorts == () for c in report.conversions)
    assert all(g.kill_rate is None for g in report.gates)
    assert [b.position for b in report.benchmarks] == ["no data", "no data", "context"]
    json.dumps(report.as_dict())


def test_a_stage_the_policy_lacks_is_still_counted() -> None:
    odd = UseCaseFacts("X", "Ops", "active", "sandbox", day(0))
    report = build_report((odd,), POLICY, NOW)
    assert report.stages[-1].stage == "sandbox" and report.stages[-1].total == 1
    assert report.production.reached == 0


def test_as_dict_is_json_with_rounded_figures(report: PortfolioReport) -> None:
    out = json.loads(json.dumps(report.as_dict()))
    assert out["total"] == 8 and out["policy"] == "pilotgate-default"
    assert out["as_of"] == NOW.isoformat()
    assert out["stages"][0] == {
        "stage": "discovery",
        "title": "Discovery",
        "total": 3,
        "by_status": {"active": 1, "on_hold": 1, "stopped": 1, "retired": 0},
    }
    assert out["conversions"][0]["rate"] == 0.625 and out["conversions"][0]["cohorts"][-1]["quarter"] == "undated"
    assert out["gates"][0]["kill_rate"] == 0.1429 and out["gates"][0]["decisions"]["stop"] == 1
    assert out["time_in_stage"][0]["over_max_share"] == 0.4286
    assert out["time_in_stage"][0]["expected"] == {"min_weeks": 2, "max_weeks": 4}
    assert out["production"] == {"stage": "production", "started": 8, "reached": 1, "rate": 0.125}
    assert [b["source"] for b in out["benchmarks"]][:2] == [
        "Gartner",
        "Deloitte, State of AI in the Enterprise, 7th edition (March 2026)",
    ]


@pytest.mark.parametrize(
    ("values", "q", "expected"),
    [([], 0.5, None), ([7.0], 0.25, 7.0), ([1.0, 2.0], 0.5, 1.5), ([4.0, 1.0, 3.0, 2.0], 0.75, 3.25)],
)
def test_percentile_interpolates_between_closest_ranks(values: list[float], q: float, expected: float | None) -> None:
    assert percentile(values, q) == expected


def test_the_funnel_imports_no_database_web_or_cli_library() -> None:
    tree = ast.parse(Path(funnel.__file__).read_text(encoding="utf-8"))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
    }
    assert not {m for m in imported if m and m.split(".")[0] in ("sqlalchemy", "fastapi", "typer")}
