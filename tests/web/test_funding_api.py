"""The funding API through the real app on SQLite and PostgreSQL: propose, approve, move to
operational funding, read the checks and the portfolio; every refusal is problem+json and writes
nothing. Who may call these routes at all is tests/web/test_authz_matrix.py."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher

from pilotgate.accounts import service as accounts
from pilotgate.db.uow import UnitOfWork
from pilotgate.usecases import service as usecases
from tests.web.conftest import Portfolio

API = "/api/v1"
PROBLEM = "application/problem+json"
LINE = {
    "source": "operational",
    "amount": "240000.00",
    "currency": "EUR",
    "cost_centre": "CC-CLM-7",
    "owner": "outsider@example.org",
    "period_start": "2026-01-01",
    "period_end": "2030-12-31",
}


@pytest.fixture(autouse=True)
def fast_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def problem(response: httpx.Response, status: int, *fragments: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM, response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"], body
    assert "Traceback" not in response.text
    for fragment in fragments:
        assert fragment in str(body["detail"]), body
    return body


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def test_propose_approve_transition_and_read_back(app: object, portfolio: Portfolio) -> None:
    key = portfolio.key
    with UnitOfWork(portfolio.settings) as uow:  # the "outsider" heads the business unit of this use case
        usecases.assign(uow, key=key, role="bu_head", email="outsider@example.org", actor="test")
    clients = {who: portfolio.client(app, who) for who in ("lead", "sponsor", "outsider", "viewer")}
    project = ok(clients["lead"].post(f"{API}/use-cases/{key}/funding", json={**LINE, "source": "project"}), 201)
    assert project["status"] == "proposed" and project["business_unit"] == "Claims" and project["amount"] == "240000.00"
    assert ok(clients["sponsor"].post(f"{API}/funding/lines/{project['id']}/approve"))["approved_by"] == (
        "sponsor@example.org"
    )
    line = ok(clients["sponsor"].post(f"{API}/use-cases/{key}/funding", json={**LINE, "amount": 99.5}), 201)
    assert line["amount"] == "99.50" and line["created_by"] == "sponsor@example.org"
    problem(clients["sponsor"].post(f"{API}/funding/lines/{line['id']}/approve"), 403, "bu_head")
    ok(clients["outsider"].post(f"{API}/funding/lines/{line['id']}/approve"))
    move = {"line_id": line["id"], "effective_date": "2026-06-01", "note": "Claims owns it"}
    problem(clients["lead"].post(f"{API}/use-cases/{key}/funding/transition", json=move), 403, "business-unit head")
    moved = ok(clients["outsider"].post(f"{API}/use-cases/{key}/funding/transition", json=move), 201)
    assert (moved["business_unit"], moved["cost_centre"], moved["approved_by"]) == (
        "Claims",
        "CC-CLM-7",
        "outsider@example.org",
    )
    state = ok(clients["viewer"].get(f"{API}/use-cases/{key}/funding"))
    assert [x["status"] for x in state["lines"]] == ["approved", "approved"]
    assert {name: c["status"] for name, c in state["checks"].items()} == {
        "pathway_identified": "met",
        "production_funded": "met",
    }
    view = ok(clients["viewer"].get(f"{API}/funding/portfolio"))
    assert view["operational_use_cases"] == 0 and view["production_on_project_money"] == []
    for client in clients.values():
        client.close()


def test_bad_requests_are_problems_and_change_nothing(app: object, portfolio: Portfolio) -> None:
    key = portfolio.key
    with portfolio.client(app, "lead") as lead, portfolio.client(app, "viewer") as viewer:
        url = f"{API}/use-cases/{key}/funding"
        problem(lead.post(url, json={**LINE, "amount": "-1"}), 422, "amount: -1 is not more than zero")
        problem(lead.post(url, json={**LINE, "amount": 0}), 422, "not more than zero")
        problem(lead.post(url, json={**LINE, "currency": "EURO"}), 422, "ISO 4217")
        problem(lead.post(url, json={**LINE, "period_end": "2025-12-31"}), 422, "before it starts")
        problem(lead.post(url, json={**LINE, "period_end": "someday"}), 422)
        problem(lead.post(url, json={**LINE, "owner": "ghost@example.org"}), 404, "ghost@example.org")
        problem(lead.post(url, json={**LINE, "approved_by": "lead@example.org"}), 422)  # no mass assignment
        problem(lead.post(url, json={**LINE, "status": "approved"}), 422)
        problem(lead.post(f"{API}/use-cases/UC-9999/funding", json=LINE), 404, "UC-9999")
        problem(viewer.post(url, json=LINE), 403)
        line = ok(lead.post(url, json=LINE), 201)
        move = {"line_id": line["id"], "effective_date": "2026-06-01"}
        problem(lead.post(f"{url}/transition", json=move), 403)  # not the bu_head
        problem(lead.post(f"{API}/funding/lines/{line['id']}/approve"), 403, "bu_head")
        problem(lead.post(f"{API}/funding/lines/424242/approve"), 404, "#424242")
        state = ok(viewer.get(url))
        assert [x["id"] for x in state["lines"]] == [line["id"]] and state["lines"][0]["status"] == "proposed"
        assert state["transitions"] == []
        events = ok(viewer.get(f"{API}/audit", params={"use_case": key, "limit": 100}))
        funding_events = [e for e in events if e["action"].startswith("funding.")]
        assert [e["action"] for e in funding_events] == ["funding.line_added"]


def test_the_page_shows_the_funding_panel_escaped(app: object, portfolio: Portfolio) -> None:
    with portfolio.client(app, "lead") as lead:
        body = {**LINE, "source": "project", "owner": "lead@example.org", "note": "<script>alert(1)</script>"}
        ok(lead.post(f"{API}/use-cases/{portfolio.key}/funding", json=body), 201)
        page = lead.get(f"/use-cases/{portfolio.key}")
        assert page.status_code == 200
        assert "Production funding" in page.text and "EUR 240,000.00" in page.text
        assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;" in page.text
        assert "proposed" in page.text
        board = lead.get("/portfolio")
        assert board.status_code == 200 and "Production AI on project money" in board.text
