"""Scale on SQLite and PostgreSQL: an expansion is a new use case linked to its parent in production,
started from the parent's metric definitions and SLO (not its points), named on by its people, with
its own change plan; its capability-reuse assessment; every refusal with nothing changed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from pilotgate.audit.models import AuditEvent
from pilotgate.evidence.models import MetricDefinition, MetricPoint
from pilotgate.scale.models import Expansion, ReuseAssessment
from pilotgate.usecases.models import UseCase
from tests.builders import at_stage, cli, ok, person, points_csv, uow

ROLES = ("program_lead", "sponsor", "bu_head")


def counts() -> tuple[int, int, int, int]:
    with uow(read_only=True) as unit:
        return tuple(  # type: ignore[return-value]
            unit.session.scalar(select(func.count()).select_from(table)) or 0
            for table in (UseCase, Expansion, ReuseAssessment, AuditEvent)
        )


def refused(args: list[str], code: int, *fragments: str) -> None:
    before = counts()
    result = cli(*args)
    assert result.code == code, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in " ".join(result.stderr.split()), result.stderr
    assert counts() == before


def parent_in_production(tmp: Path) -> tuple[str, dict[str, str]]:
    """A production use case measuring uptime (with points) under its own SLO."""
    key, people = at_stage("production", roles=ROLES, title="Invoice triage")
    lead = people["program_lead"]
    ok("metrics", "define", key, "uptime", "--cadence", "1h", "--target", "99.9", "--as", lead)
    ok("metrics", "define", key, "hours_saved", "--kind", "leading", "--unit", "h", "--baseline", "0", "--as", lead)
    ok("slo", "set", key, "--uptime", "99.7", "--as", lead)
    now = datetime.now(UTC)
    rows = [(key, "uptime", now - timedelta(hours=h), 99.95, "") for h in range(1, 25)]
    ok("metrics", "import", str(points_csv(tmp, rows)), "--as", lead)
    return key, people


def expand(parent: str, actor: str, *extra: str) -> str:
    out = ok(
        "scale", "expand", parent, "--title", "Invoice triage — Nordics", "--kind", "geography",
        "--scope", "Stockholm and Oslo shared-service centre", *extra, "--as", actor,
    )  # fmt: skip
    return out.split(":", 1)[0].strip()


def test_an_expansion_starts_from_its_parents_evidence(home: Path, tmp_path: Path) -> None:
    parent, people = parent_in_production(tmp_path)
    lead = people["program_lead"]
    child = expand(parent, lead, "--population", "Nordic AP clerks", "--business-unit", "Finance Nordics")
    assert child != parent

    shown = json.loads(ok("usecase", "show", child, "--json"))
    assert shown["stage"] == "discovery" and shown["business_unit"] == "Finance Nordics"
    assert "expansion" in shown["tags"] and shown["risk_tier"] == "medium"
    assert {r: p["email"] for r, p in shown["roles"].items()} == people  # the parent's people, until reassigned
    metrics = {m["key"]: m for m in json.loads(ok("metrics", "list", child, "--json"))["indicators"]}
    assert set(metrics) == {"uptime", "hours_saved"}
    assert metrics["uptime"]["target"] == 99.9 and metrics["uptime"]["cadence"] == "1h"
    assert metrics["hours_saved"]["kind"] == "leading" and metrics["hours_saved"]["baseline"] == 0
    slo = json.loads(ok("slo", "show", child, "--json"))
    assert slo["uptime_pct"] == 99.7 and slo["sources"]["uptime_pct"] == "this use case's SLO"
    with uow(read_only=True) as unit:
        per_case = dict(
            unit.session.execute(
                select(UseCase.key, func.count(MetricPoint.ts_ms))
                .join(MetricDefinition, MetricDefinition.use_case_id == UseCase.id)
                .join(MetricPoint, MetricPoint.metric_id == MetricDefinition.id)
                .group_by(UseCase.key)
            ).all()
        )
    assert per_case == {parent: 24}  # the definitions are copied, the points stay with the parent

    listed = json.loads(ok("scale", "list", parent, "--json"))
    [expansion] = listed["expansions"]
    assert (expansion["key"], expansion["kind"], expansion["population"]) == (child, "geography", "Nordic AP clerks")
    assert expansion["reuse_summary"]["percent"] is None and listed["expansion"] is None
    mine = json.loads(ok("scale", "list", child, "--json"))["expansion"]
    assert mine["parent"] == parent and mine["scope"] == "Stockholm and Oslo shared-service centre"

    plans = json.loads(ok("change", "show", child, "--json"))["plans"]
    assert [(p["population"], p["expansion"]) for p in plans] == [("Nordic AP clerks", True)]
    with uow(read_only=True) as unit:
        event = unit.session.scalars(select(AuditEvent).where(AuditEvent.action == "scale.expansion_created")).one()
    after = json.loads(event.after)
    assert event.use_case_key == child and after["parent"] == parent
    assert sorted(after["copied_metrics"]) == ["hours_saved", "uptime"] and after["change_plan"] is not None


def test_only_a_production_use_case_is_expanded_and_bad_input_changes_nothing(home: Path, tmp_path: Path) -> None:
    pilot, people = at_stage("pilot", roles=ROLES, title="Claims triage")
    lead = people["program_lead"]
    base = ["scale", "expand", pilot, "--title", "Claims — Spain", "--kind", "geography", "--scope", "Spain"]
    refused([*base, "--as", lead], 4, f"{pilot} is in pilot", "must be in production or scale")
    parent, people = parent_in_production(tmp_path)
    lead = people["program_lead"]
    good = ["--title", "Invoice triage — Spain", "--scope", "Madrid"]
    refused(["scale", "expand", parent, *good, "--kind", "planet", "--as", lead], 1, "kind: 'planet' is not")
    refused(["scale", "expand", parent, *good[:2], "--kind", "geography", "--scope", " ", "--as", lead], 1, "scope:")
    refused(
        ["scale", "expand", parent, "--title", " ", "--kind", "geography", "--scope", "x", "--as", lead], 1, "title"
    )
    refused(["scale", "expand", "UC-9999", *good, "--kind", "geography", "--as", lead], 3, "no use case")
    refused(["scale", "expand", parent, *good, "--kind", "geography", "--as", "nobody@example.org"], 3, "no person")
    long = "p" * 81
    refused(
        ["scale", "expand", parent, *good, "--kind", "geography", "--population", long, "--as", lead], 1, "population"
    )


def test_the_capability_reuse_assessment(home: Path, tmp_path: Path) -> None:
    parent, people = parent_in_production(tmp_path)
    lead = people["program_lead"]
    child = expand(parent, lead)
    assessor = person("assessor")
    for component, status in (("model", "adapted"), ("data_pipeline", "reused"), ("training_material", "new")):
        out = " ".join(
            ok("scale", "reuse", child, "--component", component, "--status", status, "--as", assessor).split()
        )
    assert out.endswith("50% reuse over 3 of 7 capabilities (1 reused, 1 adapted, 1 new); not assessed: "
                        "infrastructure, monitoring, runbook, integration")  # fmt: skip
    ok("scale", "reuse", child, "--component", "model", "--status", "reused", "--note", "same model", "--as", lead)
    mine = json.loads(ok("scale", "list", child, "--json"))["expansion"]
    assert mine["reuse_summary"]["percent"] == 67 and len(mine["reuse"]) == 3
    model = next(r for r in mine["reuse"] if r["component"] == "model")
    assert (model["status"], model["note"], model["assessed_by"]) == ("reused", "same model", lead)
    listed = json.loads(ok("scale", "list", parent, "--json"))["expansions"]
    assert listed[0]["reuse_summary"]["percent"] == 67

    refused(["scale", "reuse", child, "--component", "gpu", "--status", "reused", "--as", lead], 1, "'gpu' is not")
    refused(["scale", "reuse", child, "--component", "model", "--status", "borrowed", "--as", lead], 1, "reuse status")
    refused(
        ["scale", "reuse", parent, "--component", "model", "--status", "reused", "--as", lead], 3, "not an expansion"
    )
    with uow(read_only=True) as unit:
        actions = [e.action for e in unit.session.scalars(select(AuditEvent).where(AuditEvent.use_case_key == child))]
    assert actions.count("scale.reuse_assessed") == 4
