"""The change management API and page forms through the real app on SQLite and PostgreSQL: plan,
add, complete, read back; every refusal is problem+json (or the section with its error) and writes
nothing. Who may call these routes at all is tests/web/test_authz_matrix.py."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from pilotgate.accounts import service as accounts
from tests.web.conftest import PASSWORD, Portfolio

API = "/api/v1"
PROBLEM = "application/problem+json"
TODAY = date.today().isoformat()
PLAN = {"population": "pilot", "owner": "sponsor@example.org", "target_users": 80}
TRAINING = {
    "population": "pilot",
    "kind": "training",
    "title": "Hands-on",
    "owner": "sponsor@example.org",
    "session_date": TODAY,
    "attendance_target": 20,
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


def events(client: TestClient, key: str) -> list[str]:
    found = ok(client.get(f"{API}/audit", params={"use_case": key, "limit": 100}))
    return [e["action"] for e in found if e["action"].startswith("change.")]


def test_plan_add_complete_and_read_back(app: object, portfolio: Portfolio) -> None:
    key = portfolio.key
    clients = {who: portfolio.client(app, who) for who in ("lead", "sponsor", "viewer")}
    plan = ok(clients["lead"].post(f"{API}/use-cases/{key}/change/plans", json=PLAN), 201)
    assert plan | {"id": 0, "created_at": None} == {
        "id": 0, "use_case": key, "population": "pilot", "expansion": False, "cohort": "pilot", "target_users": 80,
        "owner": "sponsor@example.org", "note": "", "created_at": None, "created_by": "lead@example.org", "items": [],
    }  # fmt: skip
    url = f"{API}/use-cases/{key}/change/items"
    session = ok(clients["sponsor"].post(url, json=TRAINING), 201)
    assert (session["audience"], session["attendance_target"], session["attendance"]) == ("pilot", 20, None)
    redesign = ok(clients["lead"].post(url, json={**TRAINING, "kind": "workflow_redesign", "session_date": None,
                                                  "attendance_target": None, "title": "Queue"}), 201)  # fmt: skip
    briefing = {
        **TRAINING,
        "kind": "manager_briefing",
        "title": "Leads",
        "session_date": None,
        "attendance_target": None,
    }
    briefing = ok(clients["lead"].post(url, json=briefing), 201)
    held = ok(clients["sponsor"].post(f"{API}/change/items/{session['id']}/complete", json={"attendance": 21}))
    assert (held["attendance"], held["completed_by"]) == (21, "sponsor@example.org")
    ok(clients["sponsor"].post(f"{API}/change/items/{redesign['id']}/complete"))  # no body at all is fine
    state = ok(clients["viewer"].get(f"{API}/use-cases/{key}/change"))
    assert state["checks"]["complete"]["status"] == "not_met"
    assert state["checks"]["complete"]["note"] == "pilot: no manager briefing complete"
    ok(clients["lead"].post(f"{API}/change/items/{briefing['id']}/complete", json={"note": "done in the QBR"}))
    state = ok(clients["viewer"].get(f"{API}/use-cases/{key}/change"))
    assert state["checks"]["complete"]["status"] == "met"
    assert [i["completion_note"] for i in state["plans"][0]["items"]][-1] == "done in the QBR"
    assert state["plans"][0]["adoption"]["rate"] is None
    assert (
        events(clients["viewer"], key)
        == ["change.plan_added"] + ["change.item_added"] * 3 + ["change.item_completed"] * 3
    )
    for client in clients.values():
        client.close()


def test_bad_requests_are_problems_and_change_nothing(app: object, portfolio: Portfolio) -> None:
    key = portfolio.key
    with portfolio.client(app, "lead") as lead, portfolio.client(app, "viewer") as viewer:
        plans, items = f"{API}/use-cases/{key}/change/plans", f"{API}/use-cases/{key}/change/items"
        problem(lead.post(items, json=TRAINING), 404, "has no change plan for population 'pilot'")
        ok(lead.post(plans, json=PLAN), 201)
        problem(lead.post(plans, json={**PLAN, "population": "Pilot"}), 409, "already has a change plan")
        problem(lead.post(plans, json={**PLAN, "population": "full", "target_users": -3}), 422, "-3 is negative")
        problem(lead.post(plans, json={**PLAN, "population": "full", "owner": "ghost@example.org"}), 404, "ghost")
        problem(lead.post(plans, json={**PLAN, "population": "full", "created_by": "x"}), 422)  # no mass assignment
        problem(lead.post(f"{API}/use-cases/UC-9999/change/plans", json=PLAN), 404, "UC-9999")
        problem(lead.post(items, json={**TRAINING, "attendance_target": -1}), 422, "-1 is negative")
        problem(lead.post(items, json={**TRAINING, "kind": "webinar"}), 422)
        problem(lead.post(items, json={**TRAINING, "owner": "ghost@example.org"}), 404, "ghost@example.org")
        problem(
            lead.post(items, json={**TRAINING, "due_date": "2000-01-01"}), 422, "before the use case was registered"
        )
        problem(lead.post(items, json={**TRAINING, "completed_at": TODAY}), 422)
        problem(viewer.post(items, json=TRAINING), 403)
        session = ok(lead.post(items, json=TRAINING), 201)
        done = f"{API}/change/items/{session['id']}/complete"
        problem(lead.post(done, json={}), 422, "give its attendance")
        problem(lead.post(done, json={"attendance": -2}), 422, "-2 is negative")
        problem(viewer.post(done, json={"attendance": 5}), 403)
        problem(lead.post(f"{API}/change/items/424242/complete", json={"attendance": 5}), 404, "#424242")
        ok(lead.post(done, json={"attendance": 19}))
        problem(lead.post(done, json={"attendance": 25}), 409, "already complete")
        state = ok(viewer.get(f"{API}/use-cases/{key}/change"))
        assert [p["population"] for p in state["plans"]] == ["pilot"]
        assert [(i["id"], i["attendance"]) for i in state["plans"][0]["items"]] == [(session["id"], 19)]
        assert events(viewer, key) == ["change.plan_added", "change.item_added", "change.item_completed"]


def browser(app: object, email: str) -> tuple[TestClient, str]:
    """A browser signed in through the login form, with its session's CSRF token."""
    client = TestClient(app, raise_server_exceptions=False)  # type: ignore[arg-type]
    form = client.get("/login")
    match = re.search(r'name="login_csrf" value="([^"]+)"', form.text)
    assert match
    data = {"email": email, "password": PASSWORD, "login_csrf": match.group(1), "next": "/"}
    assert client.post("/login", data=data, follow_redirects=False).status_code == 303
    token = re.search(r'<meta name="csrf-token" content="([^"]+)">', client.get("/").text)
    assert token
    return client, token.group(1)


def test_the_page_section_and_its_forms(app: object, portfolio: Portfolio) -> None:
    key = portfolio.key
    lead, csrf = browser(app, "lead@example.org")
    viewer, viewer_csrf = browser(app, "viewer@example.org")
    page = lead.get(f"/use-cases/{key}")
    assert page.status_code == 200 and 'id="h-change"' in page.text and "No change plan yet" in page.text
    assert "Start a change plan" in page.text and "Start a change plan" not in viewer.get(f"/use-cases/{key}").text

    hx = {"HX-Request": "true"}
    started = lead.post(f"/use-cases/{key}/change/plans", headers=hx,
                        data={"csrf_token": csrf, "population": "<b>pilot</b>", "owner": "sponsor@example.org",
                              "target_users": "40"})  # fmt: skip
    assert started.status_code == 200 and started.text.lstrip().startswith('<section id="change-section"')
    assert "&lt;b&gt;pilot&lt;/b&gt;" in started.text and "<b>pilot</b>" not in started.text
    item = {"csrf_token": csrf, "population": "<b>pilot</b>", "kind": "training", "title": "Hands-on",
            "owner": "sponsor@example.org", "session_date": TODAY}  # fmt: skip
    refused = lead.post(f"/use-cases/{key}/change/items", headers=hx, data=item)
    assert refused.status_code == 422 and "attendance-target: a training session needs" in refused.text
    assert 'value="Hands-on"' in refused.text  # what was typed is kept
    added = lead.post(f"/use-cases/{key}/change/items", headers=hx, data={**item, "attendance_target": "30"})
    assert added.status_code == 200 and "Change item #" in added.text
    item_id = int(re.search(r"Change item #(\d+) added", added.text).group(1))  # type: ignore[union-attr]
    complete = f"/use-cases/{key}/change/items/{item_id}/complete"
    assert lead.post(complete, headers=hx, data={"csrf_token": csrf, "attendance": "-1"}).status_code == 422
    forbidden = viewer.post(complete, headers=hx, data={"csrf_token": viewer_csrf, "attendance": "5"})
    assert forbidden.status_code == 403 and "may not work on its change management" in forbidden.text
    assert lead.post(complete, data={"attendance": "5"}).status_code == 403  # no CSRF token: refused
    plain = lead.post(complete, data={"csrf_token": csrf, "attendance": "27"}, follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"] == f"/use-cases/{key}#h-change"
    again = lead.post(complete, data={"csrf_token": csrf, "attendance": "27"})
    assert again.status_code == 409 and "already complete" in again.text
    page = lead.get(f"/use-cases/{key}").text
    assert 'aria-valuenow="27"' in page and "27 of 30 attended" in page
    other = lead.post(f"/use-cases/{portfolio.other_key}/change/items/{item_id}/complete", headers=hx,
                      data={"csrf_token": csrf, "attendance": "1"})  # fmt: skip
    assert other.status_code == 404
    state = ok(
        lead.get(f"{API}/use-cases/{key}/change", headers={"Authorization": f"Bearer {portfolio.tokens['lead']}"})
    )
    assert [(i["attendance"], i["completed_by"]) for i in state["plans"][0]["items"]] == [(27, "lead@example.org")]
    lead.close()
    viewer.close()


def test_the_review_page_shows_the_records_behind_the_criterion(app: object, portfolio: Portfolio) -> None:
    from pilotgate.db.uow import UnitOfWork
    from pilotgate.usecases import service as usecases

    with UnitOfWork(portfolio.settings) as uow:
        found = usecases.get_or_raise(uow, portfolio.key)
        usecases.enter_stage(uow, found, stage="pilot", at=uow.now(), reason="test set-up")
    with portfolio.client(app, "lead") as lead:
        ok(lead.post(f"{API}/use-cases/{portfolio.key}/review"), 201)
        ok(lead.post(f"{API}/use-cases/{portfolio.key}/change/plans", json=PLAN), 201)
        page = lead.get(f"/use-cases/{portfolio.key}/review")
        assert page.status_code == 200
        assert "change.complete" in page.text and "pilot: no workflow redesign item is planned" in page.text
        assert "pilot: manager briefings" in page.text and f'href="/use-cases/{portfolio.key}#h-change"' in page.text
