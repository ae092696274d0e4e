"""Metric criteria in the gate workflow: measured, never asserted, frozen into the decision."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from pilotgate.gates import readiness
from tests.builders import (
    at_stage,
    change_complete,
    cli,
    evidence_file,
    funded,
    ok,
    operations_ready,
    points_csv,
    ready_gate1,
    uow,
)

GATE3_ROLES = ("program_lead", "cio_cto", "bu_head")
GATE3_ATTESTATIONS = ("outcome_evidence",)  # change_management and operations_readiness are computed
GATE3_ARTIFACTS = (
    "pilot_outcomes_report",
    "adoption_metrics",
    "operations_runbook",
    "production_funding_approval",
    "change_management_summary",
    "updated_risk_assessment",
)
ADOPTION = (
    'criterion adoption (Adoption) is unknown (missing or stale data): adoption_rate(cohort="pilot", window="28d")'
)
DAYS = (1, 2, 3)  # the adoption points are this many days old
# One clock for every import in the run: a re-import must hit the same timestamps to replace the
# points, and two calls to now() may fall either side of a second boundary.
ANCHOR = datetime.now(UTC).replace(microsecond=0)


def status(key: str) -> dict:
    return json.loads(ok("gate", "status", key, "--json"))


def criterion(key: str, criterion_id: str) -> dict:
    return next(c for c in status(key)["criteria"] if c["id"] == criterion_id)


def stale_approvals(blockers: list[str]) -> int:
    return sum("is stale (evidence changed after it)" in b for b in blockers)


def import_points(directory: Path, actor: str, rows: list[tuple[object, ...]], name: str) -> None:
    ok("metrics", "import", str(points_csv(directory, rows, name=name)), "--as", actor)


def import_adoption(directory: Path, key: str, actor: str, active: int, *, name: str = "adoption.csv") -> None:
    """Pilot adoption of active/100 over the last three days."""
    rows: list[tuple[object, ...]] = []
    for days in DAYS:
        moment = ANCHOR - timedelta(days=days)
        rows += [(key, "active_users", moment, active, "pilot"), (key, "eligible_users", moment, 100, "pilot")]
    import_points(directory, actor, rows, name)


def in_gate3(directory: Path, *, stable: bool = True, risk_tier: str = "medium") -> tuple[str, dict[str, str]]:
    """A pilot with its Gate 3 review open, every attestation and artifact in, system stability measured."""
    key, people = at_stage("pilot", roles=GATE3_ROLES, risk_tier=risk_tier, title="Invoice matching")
    lead = people["program_lead"]
    ok("gate", "open", key, "--as", lead)
    funded(key, people)  # production_funding is computed from the funding records
    change_complete(key, people)  # and change_management from the change records
    operations_ready(key, people)  # and operations_readiness from the operations records
    for criterion_id in GATE3_ATTESTATIONS:
        ok("gate", "assess", key, criterion_id, "met", "--as", lead, "--note", "verified")
    for artifact in GATE3_ARTIFACTS:
        ok("gate", "attach", key, artifact, str(evidence_file(directory, f"{artifact}.pdf")), "--as", lead)
    for metric in ("uptime", "latency_ms", "error_rate", "active_users", "eligible_users"):
        ok("metrics", "define", key, metric, "--as", lead)
    if stable:
        now = datetime.now(UTC).replace(microsecond=0)
        rows: list[tuple[object, ...]] = []
        for hours in (1, 25, 49):
            moment = now - timedelta(hours=hours)
            rows += [(key, "uptime", moment, 99.9, ""), (key, "latency_ms", moment, 240, "")]
            rows += [(key, "error_rate", moment, 0.2, "")]
        import_points(directory, lead, rows, f"{key}-stability.csv")
    return key, people


def vote_all(key: str, people: dict[str, str]) -> None:
    for role in GATE3_ROLES:
        ok("gate", "vote", key, "approve", "--as", people[role])


def test_go_waits_for_adoption_data_then_for_adoption_to_reach_the_threshold(home: Path, tmp_path: Path) -> None:
    key, people = in_gate3(tmp_path)
    lead, cio = people["program_lead"], people["cio_cto"]
    vote_all(key, people)
    assert criterion(key, "system_stability")["status"] == "met"
    assert status(key)["blockers"] == [f"{ADOPTION}: no active_users data for cohort 'pilot' in the window of 28d"]
    refused = cli("gate", "decide", key, "go", "--as", cio)
    assert refused.code == 4 and "criterion adoption (Adoption) is unknown (missing or stale data)" in refused.stderr

    import_adoption(tmp_path, key, lead, 30)
    blockers = status(key)["blockers"]
    assert blockers[0] == (
        'criterion adoption (Adoption) is not met: adoption_rate(cohort="pilot", window="28d") = 0.3 '
        "≥ rules.adoption_threshold = 0.6"
    )
    assert stale_approvals(blockers) == 3  # unknown → not_met changed what the votes covered
    assert cli("gate", "decide", key, "go", "--as", cio).code == 4

    import_adoption(tmp_path, key, lead, 75, name="better.csv")  # same times: the values are replaced
    adoption = criterion(key, "adoption")
    assert adoption["status"] == "met"
    assert adoption["evaluation"]["comparisons"][0]["left"]["value"] == 0.75
    assert status(key)["blockers"][-1].endswith("is stale (evidence changed after it); vote again")
    vote_all(key, people)
    assert status(key)["blockers"] == []
    ok("gate", "decide", key, "go", "--as", cio)
    assert json.loads(ok("usecase", "show", key, "--json"))["stage"] == "production"


def test_unstable_system_blocks_with_the_failing_measurement(home: Path, tmp_path: Path) -> None:
    key, people = in_gate3(tmp_path)
    ok("slo", "set", key, "--latency-ms", "200", "--as", people["program_lead"])
    stability = criterion(key, "system_stability")
    assert stability["status"] == "not_met"
    assert stability["note"] == 'p95_latency(window="30d") = 240 ≤ slo.latency_ms = 200'
    assert any(
        b == f"criterion system_stability (System stability) is not met: {stability['note']}"
        for b in status(key)["blockers"]
    )


def test_a_metric_criterion_cannot_be_asserted_met_but_can_be_waived(home: Path, tmp_path: Path) -> None:
    key, people = in_gate3(tmp_path)
    lead, cio = people["program_lead"], people["cio_cto"]
    asserted = cli("gate", "assess", key, "adoption", "met", "--as", lead, "--note", "looks fine to me")
    assert asserted.code == 1
    assert "adoption is measured, not asserted" in asserted.stderr
    assert criterion(key, "adoption")["status"] == "unknown"

    expires = (date.today() + timedelta(days=30)).isoformat()
    ok("gate", "assess", key, "adoption", "waived", "--as", cio, "--note", "pilot users offline", "--expires", expires)
    assert criterion(key, "adoption")["status"] == "waived"
    vote_all(key, people)
    assert status(key)["blockers"] == []
    ok("gate", "decide", key, "go", "--as", cio)


def test_votes_go_stale_when_a_measured_status_flips_not_on_every_new_point(home: Path, tmp_path: Path) -> None:
    key, people = in_gate3(tmp_path)
    lead = people["program_lead"]
    import_adoption(tmp_path, key, lead, 75)
    vote_all(key, people)
    assert status(key)["blockers"] == []

    moment = (datetime.now(UTC) - timedelta(hours=5)).replace(microsecond=0)
    more = [(key, "active_users", moment, 80, "pilot"), (key, "eligible_users", moment, 100, "pilot")]
    import_points(tmp_path, lead, more, "more.csv")
    adoption = criterion(key, "adoption")
    assert adoption["status"] == "met" and adoption["evaluation"]["comparisons"][0]["left"]["points"] == 8
    assert status(key)["blockers"] == []  # still met: the approvals still cover the evidence

    import_adoption(tmp_path, key, lead, 10, name="drop.csv")  # (10 × 3 + 80) / 4 = 27.5 %
    blockers = status(key)["blockers"]
    assert criterion(key, "adoption")["status"] == "not_met"
    assert stale_approvals(blockers) == 3
    assert blockers[0].startswith("criterion adoption (Adoption) is not met: ")


def test_the_decision_snapshot_freezes_each_measurement(home: Path, tmp_path: Path) -> None:
    key, people = in_gate3(tmp_path)
    import_adoption(tmp_path, key, people["program_lead"], 75)
    vote_all(key, people)
    ok("gate", "decide", key, "go", "--as", people["bu_head"])

    record = json.loads(ok("gate", "decision", key, "--json"))
    assert record["snapshot_intact"] and record["decision"] == "go"
    frozen = {c["id"]: c for c in record["snapshot"]["criteria"]}
    assert "evaluation" not in frozen["outcome_evidence"]
    adoption = frozen["adoption"]["evaluation"]
    assert adoption["status"] == "met" and adoption["expression"].startswith('adoption_rate(cohort="pilot"')
    [comparison] = adoption["comparisons"]
    left, right = comparison["left"], comparison["right"]
    assert (left["value"], left["points"], comparison["op"], comparison["outcome"]) == (0.75, 6, ">=", True)
    assert (right["label"], right["value"]) == ("rules.adoption_threshold", 0.6)
    start, end = datetime.fromisoformat(left["window_start"]), datetime.fromisoformat(left["window_end"])
    assert end - start == timedelta(days=28)
    stability = frozen["system_stability"]["evaluation"]
    assert [c["left"]["label"] for c in stability["comparisons"]] == [
        'uptime(window="30d")',
        'p95_latency(window="30d")',
        'error_rate(window="30d")',
    ]
    assert [c["left"]["value"] for c in stability["comparisons"]] == pytest.approx([99.9, 240.0, 0.2])
    assert [c["right"]["value"] for c in stability["comparisons"]] == [99.5, 1000.0, 1.0]

    # New data after the decision changes nothing frozen; the check still says intact.
    import_adoption(tmp_path, key, people["program_lead"], 5, name="after.csv")
    again = cli("gate", "decision", key)
    assert again.code == 0 and "intact" in again.stdout
    assert json.loads(ok("gate", "decision", key, "--json"))["snapshot"] == record["snapshot"]


def test_portfolio_readiness_gives_the_same_blockers_as_each_review(home: Path, tmp_path: Path) -> None:
    unknown, _ = in_gate3(tmp_path)
    below, people = in_gate3(tmp_path)
    import_adoption(tmp_path, below, people["program_lead"], 30)
    ready, people = in_gate3(tmp_path)
    import_adoption(tmp_path, ready, people["program_lead"], 75)
    vote_all(ready, people)
    no_data, _ = in_gate3(tmp_path, stable=False, risk_tier="high")
    gate1, _ = ready_gate1(tmp_path)

    with uow(read_only=True) as unit:
        found = {r.key: r for r in readiness.all_open(unit)}

    assert set(found) == {unknown, below, ready, no_data, gate1}
    for key, row in found.items():
        assert row.blockers == status(key)["blockers"], key
    assert found[ready].go_allowed and found[gate1].go_allowed
    assert not found[below].go_allowed and not found[no_data].go_allowed
    assert any("system_stability" in b and "is unknown" in b for b in found[no_data].blockers)
    listed = {r["key"]: r["blockers"] for r in json.loads(ok("gate", "readiness", "--json"))}
    assert listed == {key: row.blockers for key, row in found.items()}
