"""Builders for test data, through the real services and the real CLI."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from typer.testing import CliRunner

from pilotgate.cli import app
from pilotgate.config import Settings
from pilotgate.db.uow import UnitOfWork

_runner = CliRunner()
_counter = itertools.count(1)


class CliResult:
    def __init__(self, code: int, stdout: str, stderr: str) -> None:
        self.code, self.stdout, self.stderr = code, stdout, stderr

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def cli(*args: str) -> CliResult:
    """Run the CLI in-process; returns exit code, stdout and stderr."""
    result = _runner.invoke(app, list(args), catch_exceptions=False)
    return CliResult(result.exit_code, result.stdout, result.stderr)


def ok(*args: str) -> str:
    result = cli(*args)
    assert result.code == 0, f"pilotgate {' '.join(args)} failed ({result.code}): {result.output}"
    return result.stdout


def uow(*, read_only: bool = False, clock: Callable[[], datetime] | None = None) -> UnitOfWork:
    if clock is None:
        return UnitOfWork(Settings.from_env(), read_only=read_only)
    return UnitOfWork(Settings.from_env(), read_only=read_only, clock=clock)


ROLES_GATE1 = ("program_lead", "sponsor")


def person(name: str | None = None) -> str:
    n = next(_counter)
    email = f"{(name or 'person').lower()}{n}@example.org"
    ok("person", "add", email, "--name", (name or "Person") + f" {n}")
    return email


def use_case(
    title: str = "Claims triage",
    *,
    business_unit: str = "Operations",
    risk_tier: str = "medium",
    roles: tuple[str, ...] = ROLES_GATE1,
) -> tuple[str, dict[str, str]]:
    """A registered use case with a distinct person assigned to each role; returns key and people."""
    key = ok("usecase", "add", title, "--business-unit", business_unit, "--risk-tier", risk_tier).strip()
    people = {}
    for role in roles:
        people[role] = person(role.replace("_", ""))
        ok("assign", key, role, people[role])
    return key, people


GATE1_CRITERIA = ("business_value", "data_availability", "process_maturity", "risk", "sponsorship")
GATE1_ARTIFACTS = (
    "use_case_scorecard",
    "data_availability_assessment",
    "preliminary_risk_assessment",
    "business_value_hypothesis",
)


def evidence_file(directory: Path, name: str = "evidence.pdf", content: bytes = b"%PDF-1.4\n% evidence\n") -> Path:
    path = directory / name
    path.write_bytes(content)
    return path


def ready_gate1(directory: Path, *, vote: bool = True) -> tuple[str, dict[str, str]]:
    """A use case whose Gate 1 review has every criterion met, artifact attached and approval cast."""
    key, people = use_case()
    lead, sponsor = people["program_lead"], people["sponsor"]
    ok("gate", "open", key, "--as", lead)
    for criterion in GATE1_CRITERIA:
        ok("gate", "assess", key, criterion, "met", "--as", lead, "--note", "verified")
    for artifact in GATE1_ARTIFACTS:
        ok("gate", "attach", key, artifact, str(evidence_file(directory, f"{artifact}.pdf")), "--as", lead)
    if vote:
        ok("gate", "vote", key, "approve", "--as", lead)
        ok("gate", "vote", key, "approve", "--as", sponsor)
    return key, people


def days_ago(days: int) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


# Measured evidence


def at_stage(
    stage: str, *, roles: tuple[str, ...] = ROLES_GATE1, risk_tier: str = "medium", title: str = "Claims triage"
) -> tuple[str, dict[str, str]]:
    """A use case moved straight into a stage by the authorised path a decision takes (skipping gates)."""
    from pilotgate.usecases import service as usecases

    key, people = use_case(title, risk_tier=risk_tier, roles=roles)
    with uow() as unit:
        usecases.enter_stage(unit, usecases.get_or_raise(unit, key), stage=stage, at=unit.now(), reason="test set-up")
    return key, people


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def points_csv(
    directory: Path,
    rows: list[tuple[object, ...]],
    *,
    name: str = "points.csv",
    header: str = "use_case,metric,timestamp,value,cohort",
) -> Path:
    """A CSV file of metric points; datetimes in the rows are written as ISO-8601 UTC."""
    path = directory / name
    lines = [header] + [",".join(iso(v) if isinstance(v, datetime) else str(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def funded(key: str, people: dict[str, str]) -> None:
    """Production funding in place: an operational line proposed by the program lead, approved by
    the business-unit head, and the move to it (Gate 2's pathway and Gate 3's funding criteria)."""
    from datetime import date, timedelta

    from pilotgate.funding import service as funding

    today = date.today()
    with uow() as unit:
        line = funding.add_line(
            unit,
            key=key,
            source="operational",
            amount="250000",
            currency="EUR",
            cost_centre="CC-4100",
            owner=people["bu_head"],
            period_start=today - timedelta(days=30),
            period_end=today + timedelta(days=335),
            actor=people["program_lead"],
        )
        funding.approve_line(unit, line_id=line.id, actor=people["bu_head"])
        funding.transition(unit, key=key, line_id=line.id, effective_date=today, actor=people["bu_head"])


def change_complete(key: str, people: dict[str, str]) -> None:
    """Change management complete for the pilot population (Gate 3's change_management criterion):
    a workflow redesign done, a training session held at its attendance target, managers briefed."""
    from pilotgate.change import service as change

    lead = people["program_lead"]
    with uow() as unit:
        change.add_plan(unit, key=key, population="pilot", owner=lead, actor=lead, target_users=40)
        done = [
            change.add_item(unit, key=key, population="pilot", kind=kind, title=kind, owner=lead, actor=lead, **extra)
            for kind, extra in (
                ("workflow_redesign", {}),
                ("manager_briefing", {}),
                ("training", {"session_date": unit.now().date(), "attendance_target": 40}),
            )
        ]
        for item in done:
            attendance = 40 if item.kind == "training" else None
            change.complete_item(unit, item_id=item.id, actor=lead, attendance=attendance)


def operations_ready(key: str, people: dict[str, str]) -> None:
    """AI operations ready (Gate 3's operations_readiness): monitoring with alerting, a two-level
    escalation path on call today, a runbook, a drill passed today, two checks of every rubric section
    done by hand (an ML Test Score of 1)."""
    from pilotgate.operations import service as ops
    from pilotgate.operations.readiness import SECTIONS

    lead = people["program_lead"]
    with uow() as unit:
        ops.set_monitoring(unit, key=key, description="Latency and error alerts", alerting=True, actor=lead)
        ops.add_oncall(unit, key=key, email=lead, level=1, actor=lead)
        second = next(email for email in people.values() if email != lead)
        ops.add_oncall(unit, key=key, email=second, level=2, actor=lead)
        ops.set_runbook(unit, key=key, url="https://wiki.example.org/runbook", actor=lead)
        ops.add_drill(unit, key=key, scenario="Model rollback", outcome="passed", participants=[lead], actor=lead)
        for section in SECTIONS:
            for check in section.checks[:2]:
                ops.set_check(unit, key=key, check=check.id, status="manual", actor=lead)


def operations_owned(key: str, people: dict[str, str], *, team: str = "Claims Ops") -> None:
    """A business-unit team owns operations (Gate 4's operations_ownership, all but the accepted
    handover, which the handover records add): the business-unit head leads it, both on call are in it."""
    from pilotgate.operations import service as ops

    head, lead = people["bu_head"], people["program_lead"]
    with uow() as unit:
        ops.set_team(unit, key=key, name=team, kind="business_unit", lead=head, members=[lead], actor=lead)
        ops.add_oncall(unit, key=key, email=head, level=1, actor=lead)
        ops.add_oncall(unit, key=key, email=lead, level=2, actor=lead)
