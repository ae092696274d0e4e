"""The handover and scale API through the real app on SQLite and PostgreSQL: propose, tick off,
accept, download the transfer document, attach it to the open Gate 4 review; expand and assess reuse;
every refusal is problem+json and writes nothing. Who may call these routes at all is
tests/web/test_authz_matrix.py."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher

from pilotgate.accounts import service as accounts
from pilotgate.audit import service as audit
from pilotgate.db.uow import UnitOfWork
from pilotgate.handover.rules import ITEMS
from pilotgate.usecases import service as usecases
from tests.web.conftest import Portfolio

API = "/api/v1"
PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def fast_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def head(portfolio: Portfolio) -> int:
    with UnitOfWork(portfolio.settings, read_only=True) as uow:
        newest = audit.history(uow, limit=1)
    return newest[0].seq if newest else 0


def problem(portfolio: Portfolio, response: httpx.Response, status: int, *fragments: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM, response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"], body
    for fragment in fragments:
        assert fragment in str(body["detail"]), body
    return body


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def in_production(portfolio: Portfolio) -> str:
    """UC-0001 in production; the outsider heads its business unit, the viewer will run it."""
    key = portfolio.key
    with UnitOfWork(portfolio.settings) as uow:
        usecases.assign(uow, key=key, role="bu_head", email="outsider@example.org", actor="test")
        use_case = usecases.get_or_raise(uow, key)
        usecases.enter_stage(uow, use_case, stage="production", at=uow.now(), reason="test set-up")
    return key


def test_the_handover_through_the_api(app: object, portfolio: Portfolio) -> None:
    key = in_production(portfolio)
    lead, sponsor, outsider, viewer = (portfolio.client(app, who) for who in ("lead", "sponsor", "outsider", "viewer"))
    url = f"{API}/use-cases/{key}/handover"
    body = {"team": "Claims Operations", "ops_owner": "viewer@example.org"}

    before = head(portfolio)
    problem(portfolio, sponsor.post(url, json=body), 403, "only the use case's program_lead")
    problem(portfolio, lead.post(url, json={**body, "ops_owner": "ghost@example.org"}), 404, "no person")
    problem(portfolio, lead.post(url, json={**body, "team": ""}), 422, "team")
    problem(portfolio, lead.post(url, json={**body, "owner": "x"}), 422)  # no mass assignment
    assert head(portfolio) == before
    proposed = ok(lead.post(url, json=body), 201)
    assert proposed["status"] == "proposed" and proposed["business_unit"] == "Claims"
    assert proposed["missing"] == list(ITEMS) and proposed["proposed_by"] == "lead@example.org"

    before = head(portfolio)
    problem(portfolio, outsider.post(f"{url}/accept"), 409, "6 of 6 handover items are not done")
    problem(portfolio, sponsor.put(f"{url}/items/pager", json={}), 422, "'pager' is not a handover item")
    problem(portfolio, viewer.put(f"{url}/items/runbook", json={}), 403)  # a viewer account writes nothing
    assert head(portfolio) == before
    for item in ITEMS:
        ticked = ok(sponsor.put(f"{url}/items/{item}", json={"note": f"{item}: see the wiki"}))
    assert ticked["missing"] == [] and ticked["items"][0]["note"] == "runbook: see the wiki"
    problem(portfolio, lead.post(f"{url}/accept"), 403, "only the use case's bu_head")
    problem(portfolio, lead.get(f"{url}/document"), 404, "no accepted handover")

    accepted = ok(outsider.post(f"{url}/accept"))
    assert accepted["status"] == "accepted" and accepted["accepted_by"] == "outsider@example.org"
    assert accepted["attached_review_id"] is None  # no review open
    document = viewer.get(f"{url}/document")
    assert document.status_code == 200 and document.headers["content-type"].startswith("text/markdown")
    assert document.headers["content-disposition"] == f'attachment; filename="{key}-operations-ownership-transfer.md"'
    assert "**Claims Operations** (Claims)" in document.text
    summary = ok(viewer.get(url))
    assert (
        summary["document"] == document.text and summary["hypercare"]["until"] > summary["handovers"][0]["accepted_at"]
    )

    problem(portfolio, sponsor.post(f"{url}/attach"), 404, "no open gate review")
    ok(lead.post(f"{API}/use-cases/{key}/review"), 201)
    attached = ok(sponsor.post(f"{url}/attach"), 201)
    assert attached["artifact"] == "operations_ownership_transfer" and attached["version"] == 1
    review = ok(viewer.get(f"{API}/use-cases/{key}/review"))
    assert review["gate"]["number"] == 4
    [artifact] = [a for a in review["artifacts"] if a["id"] == "operations_ownership_transfer"]
    assert artifact["uploaded_by"] == "sponsor@example.org"
    problem(portfolio, sponsor.post(f"{url}/attach"), 409, "already attached")


def test_scale_through_the_api(app: object, portfolio: Portfolio) -> None:
    key = in_production(portfolio)
    lead, sponsor, outsider = (portfolio.client(app, who) for who in ("lead", "sponsor", "outsider"))
    body = {"title": "Claims triage — Spain", "kind": "geography", "scope": "Madrid claims centre"}
    before = head(portfolio)
    problem(portfolio, lead.post(f"{API}/use-cases/{portfolio.other_key}/expansions", json=body), 409, "in discovery")
    problem(portfolio, lead.post(f"{API}/use-cases/{key}/expansions", json={**body, "kind": "moon"}), 422, "kind")
    problem(portfolio, lead.post(f"{API}/use-cases/{key}/expansions", json={**body, "stage": "scale"}), 422)
    problem(portfolio, lead.post(f"{API}/use-cases/UC-9999/expansions", json=body), 404)
    assert head(portfolio) == before

    child = ok(sponsor.post(f"{API}/use-cases/{key}/expansions", json=body), 201)
    assert child["parent"] == key and child["stage"] == "discovery" and child["reuse_summary"]["percent"] is None
    reuse = f"{API}/use-cases/{child['key']}/reuse"
    assessed = ok(outsider.put(f"{reuse}/model", json={"status": "reused", "note": "same model"}))
    assert assessed["reuse_summary"]["percent"] == 100 and assessed["reuse"][0]["note"] == "same model"
    problem(portfolio, outsider.put(f"{reuse}/model", json={"status": "maybe"}), 422, "reuse status")
    problem(
        portfolio, outsider.put(f"{API}/use-cases/{key}/reuse/model", json={"status": "new"}), 404, "not an expansion"
    )
    view = ok(lead.get(f"{API}/use-cases/{key}/scale"))
    assert [e["key"] for e in view["expansions"]] == [child["key"]] and view["expansion"] is None
    assert ok(lead.get(f"{API}/use-cases/{child['key']}/scale"))["expansion"]["parent"] == key
