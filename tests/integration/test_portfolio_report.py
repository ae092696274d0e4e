"""The portfolio report on the real 2024 federal inventory and on the demo, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from pilotgate.gates.models import Decision, Review
from pilotgate.portfolio import flow
from pilotgate.portfolio.funnel import PortfolioReport
from tests.builders import cli, ok, uow

FEDERAL = Path(__file__).resolve().parents[1] / "data" / "federal-ai-inventory-2024.csv"
LEAD = "priya.raman@demo.pilotgate.org"


def current_report() -> PortfolioReport:
    with uow(read_only=True) as unit:
        return flow.report(unit)


def test_the_report_on_the_federal_inventory_matches_the_import(home: Path) -> None:
    summary = json.loads(ok("import", str(FEDERAL), "--mapping", "federal-2024", "--json"))
    by_stage = summary["by_stage"]
    report = current_report()

    assert report.total == summary["imported"] == 2129
    for stage, count in by_stage.items():
        if stage == "retired":
            assert report.by_status["retired"] == count
        else:
            assert report.stage(stage).by_status["active"] == count, stage
    # The federal mapping retires use cases in production: every one of them reached it.
    assert report.stage("production").by_status["retired"] == by_stage["retired"]
    reached = by_stage["production"] + by_stage["retired"]
    assert (report.production.started, report.production.reached) == (2129, reached)
    assert report.production.rate == reached / 2129

    # Imported history is contiguous: whoever passed a stage entered the next one.
    discovery, poc, pilot, production = report.conversions
    assert discovery.entered == 2129
    assert (discovery.advanced, poc.advanced, pilot.advanced) == (poc.entered, pilot.entered, production.entered)
    assert pilot.advanced == reached and production.ended == by_stage["retired"]
    assert discovery.still_open == by_stage["discovery"] and pilot.still_open == by_stage["pilot"]
    assert sum(c.entered for c in discovery.cohorts) == 2129 and len(discovery.cohorts) > 20

    # No decisions in an inventory: gates are judged from history, and nothing was stopped before production.
    assert all(g.decided == 0 for g in report.gates)
    assert [g.kill_rate for g in report.gates] == [0.0, 0.0, 0.0, None]
    assert report.gates[0].passed_without_decision == discovery.advanced

    times = {t.stage: t for t in report.time_in_stage}
    for stage in ("discovery", "poc", "pilot", "production"):
        assert times[stage].n > 100 and times[stage].undated > 0, stage
        assert times[stage].p25 is not None and times[stage].p75 is not None
        assert times[stage].p25 <= (times[stage].median or 0) <= times[stage].p75
    assert times["pilot"].over_max_share is not None and times["pilot"].over_max_share > 0.5
    assert times["production"].over_max is None

    gartner, deloitte, _ = report.benchmarks
    assert gartner.portfolio == report.production.rate and gartner.position == "above"
    assert deloitte.position == ("above" if reached / 2129 >= 0.40 else "below")
    out = json.loads(json.dumps(report.as_dict()))
    assert out["total"] == 2129 and out["production"]["reached"] == reached


def test_the_report_on_the_demo_counts_real_decisions(demo_home: Path) -> None:
    before = current_report()
    with uow(read_only=True) as unit:
        per_gate = dict(
            unit.session.execute(
                select(Review.gate_number, func.count())
                .join(Decision, Decision.review_id == Review.id)
                .group_by(Review.gate_number)
            ).all()
        )
    assert {g.gate: g.decided for g in before.gates if g.decided} == per_gate
    stopped = json.loads(ok("usecase", "list", "--status", "stopped", "--json"))["total"]
    assert sum(g.stopped for g in before.gates) == stopped == before.by_status["stopped"] > 0
    assert before.gates[0].kill_rate is not None and before.gates[0].kill_rate > 0
    assert all(c.entered and c.rate is not None for c in before.conversions)
    assert before.conversions[0].entered == before.total == 26
    pilot = next(t for t in before.time_in_stage if t.stage == "pilot")
    assert pilot.over_max is not None and pilot.over_max >= 2

    # Stop a POC at Gate 2 through the CLI: the kill rate there moves off zero.
    in_poc = json.loads(ok("usecase", "list", "--stage", "poc", "--status", "active", "--json"))["items"]
    key = in_poc[0]["key"]
    cli("gate", "open", key, "--as", LEAD)  # the demo may have opened it already
    ok("gate", "decide", key, "stop", "--as", LEAD, "--rationale", "No production funding pathway.")
    after = current_report()
    gate2 = after.gates[1]
    assert gate2.stopped == before.gates[1].stopped + 1
    assert gate2.kill_rate is not None and gate2.kill_rate > 0
    assert after.conversions[1].ended == before.conversions[1].ended + 1
    assert after.production.rate == before.production.rate
