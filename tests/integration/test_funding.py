"""Production funding on SQLite and PostgreSQL: lines, approvals, the transition, the computed checks,
every refusal (with nothing changed), and the portfolio view on the demo."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pilotgate.audit.models import AuditEvent
from pilotgate.errors import InvalidInput
from pilotgate.funding import service as funding
from pilotgate.funding.models import BudgetLine, FundingTransition
from pilotgate.gates import computed
from pilotgate.policy.model import Criterion
from pilotgate.usecases import service as usecases
from pilotgate.usecases.models import StageHistory, UseCase
from tests.builders import cli, ok, person, uow, use_case

ROLES = ("program_lead", "sponsor", "bu_head")
YEAR = ("--from", "2026-01-01", "--to", "2030-12-31")


def add(key: str, actor: str, *extra: str, source: str = "operational", owner: str | None = None) -> int:
    args = ["--source", source, "--amount", "120000", "--currency", "EUR", "--cost-centre", "CC-123"]
    out = ok("funding", "add", key, *args, "--owner", owner or actor, *YEAR, *extra, "--as", actor)
    return int(out.split("#", 1)[1].split()[0])


def summary(key: str) -> dict:
    return json.loads(ok("funding", "list", key, "--json"))


def counts() -> tuple[int, int, int]:
    with uow(read_only=True) as unit:
        lines = unit.session.scalar(select(func.count()).select_from(BudgetLine)) or 0
        moves = unit.session.scalar(select(func.count()).select_from(FundingTransition)) or 0
        events = unit.session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    return lines, moves, events


def test_propose_approve_and_move_to_operational_funding_through_the_cli(home: Path) -> None:
    key, people = use_case(roles=ROLES, business_unit="Finance")
    lead, sponsor, head = people["program_lead"], people["sponsor"], people["bu_head"]
    project = add(key, lead, "--business-unit", "AI Programme", source="project")
    ok("funding", "approve", str(project), "--as", sponsor)
    checks = summary(key)["checks"]
    assert checks["pathway_identified"]["status"] == "not_met"  # project money is no production pathway
    assert f"pilotgate funding add {key} --source operational" in checks["pathway_identified"]["note"]

    line = add(key, sponsor, "--note", "Run cost <b>FY27</b>", owner=head)
    state = summary(key)
    assert state["checks"]["pathway_identified"]["status"] == "met"
    assert state["checks"]["production_funded"]["status"] == "not_met"
    operational = next(x for x in state["lines"] if x["id"] == line)
    assert operational == {
        **operational,
        "source": "operational",
        "status": "proposed",
        "amount": "120000.00",
        "currency": "EUR",
        "business_unit": "Finance",  # the use case's, by default
        "cost_centre": "CC-123",
        "owner": head,
        "note": "Run cost <b>FY27</b>",
        "approved_by": None,
    }
    approved = " ".join(ok("funding", "approve", str(line), "--as", head).split())
    assert f"budget line #{line} (operational, EUR 120,000.00) approved by {head}" in approved
    assert "no approved transition names Finance" in summary(key)["checks"]["production_funded"]["note"]
    moved = " ".join(
        ok("funding", "transition", key, "--line", str(line), "--effective", "2026-02-01", "--as", head).split()
    )
    assert "owned by Finance (CC-123)" in moved
    state = summary(key)
    assert state["checks"]["production_funded"]["status"] == "met", state["checks"]
    assert state["transitions"][0] | {"approved_at": None} == {
        "id": state["transitions"][0]["id"],
        "use_case": key,
        "from": "project",
        "to": "operational",
        "business_unit": "Finance",
        "cost_centre": "CC-123",
        "effective_date": "2026-02-01",
        "budget_line_id": line,
        "approved_by": head,
        "approved_at": None,
        "note": "",
    }
    table = " ".join(ok("funding", "list", key).split())
    assert "EUR 120,000.00" in table and "production funded: met" in table
    actions = [e["action"] for e in json.loads(ok("audit", "log", "--json")) if e["action"].startswith("funding.")]
    assert actions == ["funding.line_added", "funding.line_approved"] * 2 + ["funding.transitioned"]
    assert "audit trail intact" in ok("audit", "verify")


def test_the_service_checks_are_judged_as_of_the_unit_s_clock(home: Path) -> None:
    key, people = use_case(roles=ROLES)
    start = datetime.now(UTC)
    with uow(clock=lambda: start) as unit:
        row = funding.add_line(
            unit,
            key=key,
            source="operational",
            amount=Decimal("250000.50"),
            currency="usd",
            cost_centre="OPS 7",
            owner=people["bu_head"],
            period_start=date(2026, 1, 1),
            period_end="2031-12-31",
            actor=people["sponsor"],
        )
        line_id = row.id
    with uow(clock=lambda: start + timedelta(hours=1)) as unit:
        funding.approve_line(unit, line_id=line_id, actor=people["bu_head"])
        funding.transition(unit, key=key, line_id=line_id, effective_date=start.date(), actor=people["bu_head"])
    before, after = start - timedelta(minutes=1), start + timedelta(hours=2)
    with uow(read_only=True, clock=lambda: before) as unit:
        found = usecases.get_or_raise(unit, key)
        assert funding.check(unit, found, "pathway_identified").status == "not_met"  # nothing recorded yet
    with uow(read_only=True, clock=lambda: start + timedelta(minutes=1)) as unit:
        found = usecases.get_or_raise(unit, key)
        assert funding.check(unit, found, "funding.pathway_identified").status == "met"
        assert funding.check(unit, found, "production_funded").status == "not_met"  # proposed, not approved yet
    with uow(read_only=True, clock=lambda: after) as unit:
        found = usecases.get_or_raise(unit, key)
        result = funding.check(unit, found, "production_funded")
        assert result.status == "met" and "USD 250,000.50" in result.note
        with pytest.raises(InvalidInput, match="not one of"):
            funding.check(unit, found, "funding.approved_by_magic")
        # the gates evaluate the policy's computed criteria through the same functions
        criteria = [
            Criterion(id="p", title="P", requirement="r", kind="computed", check="funding.pathway_identified"),
            Criterion(id="f", title="F", requirement="r", kind="computed", check="funding.production_funded"),
        ]
        measured = computed.evaluate(unit, [(found.id, c) for c in criteria])[found.id]
        assert (measured["p"].status, measured["f"].status) == ("met", "met")


def test_every_bad_input_is_refused_clearly_and_changes_nothing(home: Path) -> None:
    key, people = use_case(roles=ROLES)
    other_key, _ = use_case("Other", roles=ROLES)
    lead, sponsor, head = people["program_lead"], people["sponsor"], people["bu_head"]
    outsider = person("outsider")
    proposed = add(key, sponsor, owner=head)
    project = add(key, lead, source="project")
    approved = add(key, sponsor, owner=head)
    ok("funding", "approve", str(approved), "--as", head)
    ok("funding", "transition", key, "--line", str(approved), "--effective", "2027-01-01", "--as", head)
    foreign = add(other_key, lead, source="project")

    base = ["funding", "add", key, "--source", "operational", "--currency", "EUR", "--cost-centre", "CC-1"]
    good = {"--amount": "1000", "--owner": head, "--from": "2027-01-01", "--to": "2027-12-31", "--as": sponsor}

    def adding(**changes: str) -> list[str]:
        values = {**good, **{f"--{k.replace('_', '-')}": v for k, v in changes.items()}}
        return [*base, *(part for pair in values.items() for part in pair)]

    cases = [
        (adding(amount="-5"), 1, "amount: -5 is not more than zero"),
        (adding(amount="0"), 1, "amount: 0 is not more than zero"),
        (adding(amount="12.345"), 1, "more than two decimal places"),
        (adding(amount="lots"), 1, "'lots' is not an amount"),
        ([*adding()[:6], "EURO", *adding()[7:]], 1, "currency: 'EURO' is not an ISO 4217 currency code"),
        (adding(to="2026-12-31"), 1, "to: the period ends on 2026-12-31, before it starts on 2027-01-01"),
        (adding(**{"from": "01/01/2027"}), 1, "from: '01/01/2027' is not a date"),
        (adding(owner="ghost@example.org"), 3, "no person with e-mail ghost@example.org"),
        (adding(**{"as": "ghost@example.org"}), 3, "no person with e-mail ghost@example.org"),
        ([*adding()[:2], "UC-9999", *adding()[3:]], 3, "no use case 'UC-9999'"),
        ([*adding()[:3], "--source", "loan", *adding()[5:]], 1, "source: 'loan' is not one of project, operational"),
        (["funding", "approve", str(proposed), "--as", sponsor], 5, "only the use case's bu_head may approve"),
        (["funding", "approve", str(proposed), "--as", outsider], 5, "holds no role"),
        (["funding", "approve", str(project), "--as", lead], 5, "proposed budget line"),
        (["funding", "approve", str(approved), "--as", head], 4, "already approved"),
        (["funding", "approve", "99999", "--as", head], 3, "no budget line #99999"),
        (["funding", "approve", str(proposed), "--as", "ghost@example.org"], 3, "no person"),
        (["funding", "transition", key, "--line", str(proposed), "--effective", "2027-01-01", "--as", head], 4,
         "is proposed, not approved"),
        (["funding", "transition", key, "--line", str(project), "--effective", "2027-01-01", "--as", head], 1,
         "is a project line"),
        (["funding", "transition", key, "--line", str(approved), "--effective", "2027-01-01", "--as", sponsor], 5,
         "is not " + key + "'s business-unit head"),
        (["funding", "transition", key, "--line", str(approved), "--effective", "2027-01-01", "--as", outsider], 5,
         "business-unit head"),
        (["funding", "transition", key, "--line", str(foreign), "--effective", "2027-01-01", "--as", head], 3,
         f"{key} has no budget line #{foreign}"),
        (["funding", "transition", key, "--line", str(approved), "--effective", "2025-01-01", "--as", head], 1,
         "is outside line"),
        (["funding", "transition", key, "--line", str(approved), "--effective", "2027-02-01", "--as", head], 4,
         "already moved"),
        (["funding", "transition", key, "--line", str(approved), "--effective", "2027-01-01"], 1,
         "--as EMAIL is required"),
    ]  # fmt: skip
    before = counts()
    for args, code, message in cases:
        result = cli(*args)
        assert (result.code, result.stdout) == (code, ""), (args, result.output)
        assert message in result.stderr, (args, result.stderr)
        assert result.stderr.startswith("error: ") and len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert counts() == before, args
    with uow(read_only=True) as unit:
        states = {row.id: row.status for row in unit.session.scalars(select(BudgetLine))}
    assert states[proposed] == "proposed" and states[project] == "proposed"


def test_the_portfolio_view_on_the_demo(demo_home: Path) -> None:
    view = json.loads(ok("funding", "portfolio", "--json"))
    now = datetime.now(UTC)
    today = now.date().isoformat()
    with uow(read_only=True) as unit:
        live = list(
            unit.session.scalars(
                select(UseCase).where(UseCase.stage.in_(("production", "scale")), UseCase.status != "stopped")
            )
        )
        keys = {u.key: u for u in live}
        by_hand: dict[str, Decimal] = {"project": Decimal(0), "operational": Decimal(0)}
        funded = set()
        for u in live:
            for row in funding.lines_of(unit, u):
                if row.status == "approved" and row.period_start.isoformat() <= today <= row.period_end.isoformat():
                    by_hand[row.source] += row.amount
                    funded |= {u.key} if row.source == "operational" else set()
        # every Gate 2 and Gate 3 "go" had its funding facts in place when it was decided
        entries = unit.session.execute(
            select(UseCase.id, StageHistory.stage, StageHistory.entered_at)
            .join(StageHistory, StageHistory.use_case_id == UseCase.id)
            .where(StageHistory.stage.in_(("pilot", "production")), StageHistory.decision_id.is_not(None))
        ).all()
    assert len(live) == view["operational_use_cases"] >= 5
    assert view["approved_by_source"] == {
        "project": {"EUR": f"{by_hand['project']:.2f}"},
        "operational": {"EUR": f"{by_hand['operational']:.2f}"},
    }
    assert view["operationally_funded"] == len(funded) == len(live) - 1
    (warning,) = view["production_on_project_money"]
    assert warning["key"] not in funded and keys[warning["key"]].title == "Customer email auto-reply"
    assert warning["funding"] == "project" and warning["project_amount"] == {"EUR": "180000.00"}
    assert warning["months_in_operation"] >= 9
    assert len(entries) > 8
    for use_case_id, stage, at in entries:
        with uow(read_only=True, clock=lambda at=at: at) as unit:
            found = unit.session.get_one(UseCase, use_case_id)
            which = "pathway_identified" if stage == "pilot" else "production_funded"
            result = funding.check(unit, found, which)
            assert result.status == "met", (found.key, stage, at, result.note)
    text = ok("funding", "portfolio")
    assert "1 on project money" in text and warning["key"] in text
