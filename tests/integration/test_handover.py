"""Handover and hypercare on SQLite and PostgreSQL: propose, tick off, accept (only the business-unit
head, only when complete), the transfer document attached to the open Gate 4 review, every refusal
with nothing changed, the `accepted_handovers` contract, and hypercare's tighter alerting — including
the hypercare section `pilotgate check` sends to a real webhook receiver and a real SMTP server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from pilotgate.audit.models import AuditEvent
from pilotgate.evidence import service as evidence
from pilotgate.gates import repository as reviews
from pilotgate.handover import hypercare, service
from pilotgate.handover.models import Handover, HandoverItem
from pilotgate.handover.rules import ITEMS
from pilotgate.usecases import service as usecases
from tests.builders import at_stage, cli, ok, person, points_csv, uow
from tests.integration.test_alerts import Inbox, Receiver
from tests.web.conftest import free_port

ROLES = ("program_lead", "sponsor", "bu_head", "ops_owner")


def counts() -> tuple[int, int, int]:
    with uow(read_only=True) as unit:
        handovers = unit.session.scalar(select(func.count()).select_from(Handover)) or 0
        done = unit.session.scalar(select(func.count()).select_from(HandoverItem).where(HandoverItem.done)) or 0
        events = unit.session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    return handovers, done, events


def show(key: str) -> dict:
    return json.loads(ok("handover", "show", key, "--json"))


def refused(args: list[str], code: int, *fragments: str) -> None:
    """The command fails with `code`, says what is wrong in one line, and changes nothing."""
    before = counts()
    result = cli(*args)
    assert result.code == code, result.output
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in " ".join(result.stderr.split()), result.stderr
    assert counts() == before


def tick_all(key: str, actor: str) -> None:
    for item in ITEMS:
        ok("handover", "check-item", key, "--item", item, "--note", f"{item} handed over", "--as", actor)


def test_propose_tick_off_and_accept_through_the_cli(home: Path) -> None:
    key, people = at_stage("production", roles=ROLES)
    lead, sponsor, head, ops = (people[r] for r in ROLES)
    stranger = person("stranger")

    refused(
        ["handover", "propose", key, "--team", "Ops", "--ops-owner", ops, "--as", sponsor],
        5,
        "only the use case's program_lead",
    )
    refused(
        ["handover", "propose", key, "--team", "Ops", "--ops-owner", "nobody@example.org", "--as", lead], 3, "no person"
    )
    refused(
        ["handover", "propose", key, "--team", "  ", "--ops-owner", ops, "--as", lead], 1, "team: must not be empty"
    )
    out = " ".join(ok("handover", "propose", key, "--team", "Finance Ops", "--ops-owner", ops, "--as", lead).split())
    assert f"{key}: handover #" in out and "proposed, operations owner" in out
    refused(
        ["handover", "propose", key, "--team", "Other", "--ops-owner", ops, "--as", lead], 4, "already has handover"
    )

    refused(["handover", "check-item", key, "--item", "pager", "--as", ops], 1, "'pager' is not a handover item")
    refused(["handover", "check-item", key, "--item", "runbook", "--as", stranger], 5, "holds no role")
    refused(["handover", "accept", key, "--as", head], 4, "6 of 6 handover items are not done")
    ok("handover", "check-item", key, "--item", "runbook", "--as", ops)  # the receiving ops owner ticks it
    ok("handover", "check-item", key, "--item", "runbook", "--undo", "--as", lead)
    assert show(key)["handovers"][0]["missing"] == list(ITEMS)
    tick_all(key, ops)
    refused(["handover", "accept", key, "--as", sponsor], 5, "only the use case's bu_head")
    refused(["handover", "accept", key, "--as", stranger], 5, "holds no role")

    accepted = " ".join(ok("handover", "accept", key, "--as", head).split())
    assert f"accepted by {head}" in accepted and f"`pilotgate handover attach {key}`" in accepted
    [handover] = show(key)["handovers"]
    assert handover["status"] == "accepted" and handover["accepted_by"] == head and handover["team"] == "Finance Ops"
    assert all(item["done"] and item["done_by"] == ops for item in handover["items"])
    refused(["handover", "accept", key, "--as", head], 3, "no handover in progress")
    refused(["handover", "check-item", key, "--item", "runbook", "--as", ops], 3, "no handover in progress")

    document = ok("handover", "show", key, "--document")
    assert document.startswith(f"# Operations ownership transfer: {key} Claims triage")
    assert "**Finance Ops** (Operations)" in document and f"by {head} (business-unit head)" in document
    assert "| Operations runbook | yes, " in document and "runbook handed over" in document

    with uow(read_only=True) as unit:
        use_case = usecases.get_or_raise(unit, key)
        found = service.accepted_handovers(unit, [use_case.id, use_case.id + 999])
        actions = [e.action for e in unit.session.scalars(select(AuditEvent).where(AuditEvent.use_case_key == key))]
    assert list(found) == [use_case.id]
    assert (found[use_case.id].team, found[use_case.id].accepted_by) == ("Finance Ops", head)
    assert found[use_case.id].accepted_at.tzinfo is not None
    assert actions.count("handover.item_checked") == 8 and "handover.proposed" in actions
    assert actions[-1] == "handover.accepted"


def test_a_handover_needs_a_use_case_in_production(home: Path) -> None:
    key, people = at_stage("pilot", roles=ROLES)
    refused(
        [
            "handover",
            "propose",
            key,
            "--team",
            "Ops",
            "--ops-owner",
            people["ops_owner"],
            "--as",
            people["program_lead"],
        ],
        4,
        "operations are handed over once it runs in production",
    )
    refused(["handover", "show", "UC-9999"], 3, "no use case")


def test_the_latest_accepted_handover_is_the_one_that_counts(home: Path) -> None:
    key, people = at_stage("production", roles=ROLES)
    lead, head, ops = people["program_lead"], people["bu_head"], people["ops_owner"]
    for team in ("First Ops", "Second Ops"):
        ok("handover", "propose", key, "--team", team, "--ops-owner", ops, "--as", lead)
        tick_all(key, ops)
        ok("handover", "accept", key, "--as", head)
    with uow(read_only=True) as unit:
        use_case = usecases.get_or_raise(unit, key)
        assert service.accepted_handovers(unit, [use_case.id])[use_case.id].team == "Second Ops"
        assert service.accepted_handovers(unit, []) == {}
        first = service.handovers_of(unit, use_case)[-1].accepted_at
        assert first is not None
    # a gate judged as of a past moment sees only what was accepted by then
    with uow(read_only=True, clock=lambda: first) as unit:
        assert service.accepted_handovers(unit, [use_case.id])[use_case.id].team == "First Ops"
    with uow(read_only=True, clock=lambda: first - timedelta(seconds=1)) as unit:
        assert service.accepted_handovers(unit, [use_case.id]) == {}
    assert [h["team"] for h in show(key)["handovers"]] == ["Second Ops", "First Ops"]


def accepted_document(key: str, people: dict[str, str]) -> None:
    ok(
        "handover",
        "propose",
        key,
        "--team",
        "Finance Ops",
        "--ops-owner",
        people["ops_owner"],
        "--as",
        people["program_lead"],
    )
    tick_all(key, people["ops_owner"])


def gate_artifacts(key: str) -> dict:
    return {a["id"]: a for a in json.loads(ok("gate", "status", key, "--json"))["artifacts"]}


def test_acceptance_attaches_the_document_to_the_open_gate_4_review(home: Path) -> None:
    key, people = at_stage("production", roles=ROLES)
    ok("gate", "open", key, "--as", people["program_lead"])
    accepted_document(key, people)
    out = " ".join(ok("handover", "accept", key, "--as", people["bu_head"]).split())
    assert "attached to the open gate review as operations_ownership_transfer" in out
    artifact = gate_artifacts(key)["operations_ownership_transfer"]
    assert artifact["version"] == 1 and artifact["uploaded_by"] == people["bu_head"], artifact
    with uow(read_only=True) as unit:
        review = reviews.open_review(unit, usecases.get_or_raise(unit, key).id)
        assert review is not None
        [row] = [a for a in reviews.artifacts(unit, review.id) if a.artifact_id == "operations_ownership_transfer"]
        assert row.filename == f"{key}-operations-ownership-transfer.md" and row.media_type == "text/plain"
    refused(["handover", "attach", key, "--as", people["sponsor"]], 4, "already attached")


def test_attach_when_asked_once_the_review_is_open(home: Path) -> None:
    key, people = at_stage("production", roles=ROLES)
    refused(["handover", "attach", key, "--as", people["sponsor"]], 3, "no accepted handover")
    accepted_document(key, people)
    ok("handover", "accept", key, "--as", people["bu_head"])
    refused(["handover", "attach", key, "--as", people["sponsor"]], 3, "no open gate review")
    ok("gate", "open", key, "--as", people["program_lead"])
    refused(["handover", "attach", key, "--as", person("outsider")], 5, "holds no role")
    out = ok("handover", "attach", key, "--as", people["sponsor"])
    assert "operations_ownership_transfer v1 attached" in out
    assert gate_artifacts(key)["operations_ownership_transfer"]["uploaded_by"] == people["sponsor"]
    assert show(key)["handovers"][0]["attached_review_id"] is not None


# ---------------------------------------------------------------- hypercare


def production_with_metrics(tmp: Path) -> tuple[str, dict[str, str]]:
    """In production since now, measuring uptime hourly; its last day's uptime under the SLO."""
    key, people = at_stage("production", roles=ROLES)
    lead = people["program_lead"]
    ok("metrics", "define", key, "uptime", "--cadence", "1h", "--as", lead)
    now = datetime.now(UTC).replace(microsecond=0)
    rows = [(key, "uptime", now - timedelta(hours=h), 97.0 if h < 20 else 99.9, "") for h in range(1, 60)]
    ok("metrics", "import", str(points_csv(tmp, rows)), "--as", lead)
    return key, people


def test_hypercare_watches_the_short_window_staleness_and_incidents(home: Path, tmp_path: Path) -> None:
    key, people = production_with_metrics(tmp_path)
    other, _ = at_stage("pilot", roles=ROLES)
    with uow(read_only=True) as unit:
        [status] = [s for s in hypercare.statuses(unit) if s.key == key]
        assert other not in [s.key for s in hypercare.statuses(unit)]
    assert status.until.date() == (datetime.now(UTC) + timedelta(days=30)).date()
    [breach] = status.breaches
    assert breach.startswith('uptime outside its SLO: uptime(window="1d")'), breach
    # 100 minutes after the last point of an hourly series: overdue under hypercare's 15-minute grace,
    # not yet under the normal one (an hour)
    later = datetime.now(UTC) + timedelta(minutes=40)
    with uow(read_only=True, clock=lambda: later) as unit:
        use_case = usecases.get_or_raise(unit, key)
        [status] = hypercare.statuses(unit, [use_case.id])
        normal = evidence.stale_keys(unit, use_case, usecases.policy_of(unit, use_case))
    assert any(b.startswith("series uptime has no point since") for b in status.breaches), status.breaches
    assert normal == []

    from pilotgate.operations import incidents

    ops = people["ops_owner"]
    with uow() as unit:
        for severity, title in (("sev1", "Answers in the wrong language"), ("sev3", "Slow dashboard")):
            incidents.open_incident(
                unit, key=key, severity=severity, title=title, handled_by=ops, actor=ops, team="ai_programme"
            )
    care = show(key)["hypercare"]
    assert any("open sev1 incident" in b and "Answers in the wrong language" in b for b in care["breaches"])
    assert not any("sev3" in b for b in care["breaches"])

    after = datetime.now(UTC) + timedelta(days=31)
    with uow(read_only=True, clock=lambda: after) as unit:
        assert hypercare.statuses(unit) == []


@pytest.fixture
def receivers(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Inbox, type[Receiver]]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    hook = type("Hook", (Receiver,), {"received": [], "status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("PILOTGATE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PILOTGATE_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("PILOTGATE_ALERT_WEBHOOKS", f"http://127.0.0.1:{server.server_port}/hooks")
    monkeypatch.setenv("PILOTGATE_BASE_URL", "https://pilotgate.example.org")
    yield inbox, hook
    server.shutdown()
    controller.stop()


def test_check_sends_the_hypercare_section(home: Path, tmp_path: Path, receivers: tuple[Inbox, type[Receiver]]) -> None:
    inbox, hook = receivers
    key, people = production_with_metrics(tmp_path)
    report = json.loads(ok("check", "--json"))
    assert [s["key"] for s in report["hypercare"]] == [key]
    [summary] = hook.received
    [block] = [
        b["text"]["text"] for b in summary["blocks"] if "Use cases in hypercare" in b.get("text", {}).get("text", "")
    ]
    assert f"<https://pilotgate.example.org/use-cases/{key}#hypercare|{key}>" in block
    assert "in hypercare until" in block and "1 breach: uptime outside its SLO" in block
    # the business-unit head owns the outcome: the breach is in their digest, with a link to act on it
    [mail] = [m for tos, m in inbox.messages if tos == [people["bu_head"]]]
    assert "hypercare breach" in mail["Subject"]
    body = mail.get_content()
    assert "Your use cases in hypercare, with breaches (1):" in body and "uptime outside its SLO" in body
    assert f"https://pilotgate.example.org/use-cases/{key}#hypercare" in body
