"""Prioritisation and the timeline through the real app on SQLite and PostgreSQL: score over the API
(the document attached to an open Gate 1 review), read the ranking, the concentration and the
timeline (JSON and Mermaid), the pages with their form (CSRF) — and every refusal is problem+json
that writes nothing. Who may call these routes at all is tests/web/test_authz_matrix.py."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher

from pilotgate.accounts import service as accounts
from tests.web.conftest import Portfolio
from tests.web.test_maturity_pages import sign_in

API = "/api/v1"
PROBLEM = "application/problem+json"
CRITERIA = ("business_value", "feasibility", "data_availability", "process_maturity", "risk", "sponsorship")
SCORES = {c: {"score": 4, "rationale": f"{c} checked"} for c in CRITERIA} | {"risk": 2}


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


def audit_size(client: Any) -> int:
    return len(ok(client.get(f"{API}/audit", params={"limit": 500})))


def test_score_read_attach_and_rank(app: object, portfolio: Portfolio) -> None:
    key, other = portfolio.key, portfolio.other_key
    lead, viewer, admin = (portfolio.client(app, who) for who in ("lead", "viewer", "admin"))
    empty = ok(viewer.get(f"{API}/use-cases/{key}/scorecard"))
    assert empty["scorecard"] is None and [c["id"] for c in empty["criteria"]] == list(CRITERIA)
    assert empty["criteria"][4]["inverse"] is True and empty["open_review_takes_it"] is False

    body = {"scores": SCORES, "expected_value": "250000", "note": "first pass"}
    saved = ok(lead.post(f"{API}/use-cases/{key}/scorecard", json=body), 201)
    assert saved["scorecard"]["version"] == 1 and saved["scorecard"]["total"] == 75.0
    assert saved["attached"] is None and saved["not_attached"] is None
    assert saved["scorecard"]["scored_by"] == "lead@example.org" and saved["scorecard"]["currency"] == "EUR"
    # An admin scores a use case they are not named on (the programme's leads may); a number is fine too.
    ok(
        admin.post(
            f"{API}/use-cases/{other}/scorecard", json={"scores": dict.fromkeys(CRITERIA, 3), "expected_value": 100}
        ),
        201,
    )

    ok(lead.post(f"{API}/use-cases/{key}/review"), 201)
    again = ok(
        lead.post(f"{API}/use-cases/{key}/scorecard", json={**body, "scores": {**SCORES, "feasibility": 5}}), 201
    )
    assert again["attached"]["artifact"] == "use_case_scorecard" and again["attached"]["version"] == 1
    review = ok(viewer.get(f"{API}/use-cases/{key}/review"))
    assert any(a["id"] == "use_case_scorecard" and a["attached"] for a in review["artifacts"])
    document = lead.get(f"{API}/use-cases/{key}/artifacts/use_case_scorecard")
    assert document.status_code == 200 and "# Use case scorecard: " in document.text and "version 2" in document.text
    attached = ok(lead.post(f"{API}/use-cases/{key}/scorecard/attach"), 201)
    assert (attached["scorecard_version"], attached["version"]) == (2, 2)
    problem(admin.post(f"{API}/use-cases/{key}/scorecard/attach"), 403, "holds no role")
    problem(lead.post(f"{API}/use-cases/{other}/scorecard/attach"), 409, "has no open gate review")

    state = ok(viewer.get(f"{API}/use-cases/{key}/scorecard"))
    assert [v["version"] for v in state["versions"]] == [1, 2] and state["open_review_takes_it"] is True
    assert ok(viewer.get(f"{API}/use-cases/{key}/scorecard", params={"version": 1}))["scorecard"]["total"] == 75.0
    problem(viewer.get(f"{API}/use-cases/{key}/scorecard", params={"version": 9}), 404, "no scorecard version 9")

    ranked = ok(viewer.get(f"{API}/prioritisation/ranking"))
    assert [(r["key"], r["rank"]) for r in ranked["ranked"]] == [(key, 1), (other, 2)]
    assert ok(viewer.get(f"{API}/prioritisation/ranking", params={"stage": "pilot"}))["ranked"] == []
    view = ok(viewer.get(f"{API}/prioritisation/concentration", params={"top": 1}))
    assert (view["top_share"], view["to_reach_line"], [p["key"] for p in view["series"]]) == (0.9996, 1, [key, other])
    for client in (lead, viewer, admin):
        client.close()


def test_bad_requests_are_problems_and_change_nothing(app: object, portfolio: Portfolio) -> None:
    key = portfolio.key
    with portfolio.client(app, "lead") as lead, portfolio.client(app, "viewer") as viewer:
        url = f"{API}/use-cases/{key}/scorecard"
        before = audit_size(viewer)
        problem(
            lead.post(url, json={"scores": {**SCORES, "risk": 6}}), 422, "criterion.risk: 6 is outside the scale 1–5"
        )
        problem(lead.post(url, json={"scores": {**SCORES, "ethics": 3}}), 422, "'ethics' is not a criterion")
        missing = {k: v for k, v in SCORES.items() if k != "sponsorship"}
        problem(lead.post(url, json={"scores": missing}), 422, "criterion.sponsorship: is missing")
        both = problem(lead.post(url, json={"scores": {"risk": 9}}), 422)
        assert (
            "criterion.risk: 9 is outside" in both["detail"] and "criterion.feasibility: is missing" in both["detail"]
        )
        problem(lead.post(url, json={"scores": SCORES, "expected_value": "-1"}), 422, "expected-value: -1 is negative")
        problem(lead.post(url, json={"scores": SCORES, "expected_value": 5, "currency": "XX"}), 422, "ISO 4217")
        problem(lead.post(url, json={"scores": SCORES, "total": 100}), 422)  # no mass assignment
        problem(lead.post(url, json={"scores": SCORES, "scored_by": "admin@example.org"}), 422)
        problem(lead.post(f"{API}/use-cases/UC-9999/scorecard", json={"scores": SCORES}), 404, "UC-9999")
        problem(viewer.post(url, json={"scores": SCORES}), 403)
        problem(lead.post(f"{API}/use-cases/{key}/scorecard/attach"), 404, "has no scorecard")
        for top in (0, -3):
            problem(viewer.get(f"{API}/prioritisation/concentration", params={"top": top}), 422, "top: ", "1 or more")
        problem(viewer.get(f"{API}/prioritisation/concentration", params={"currency": "EURO"}), 422, "currency")
        problem(viewer.get(f"{API}/prioritisation/ranking", params={"stage": "limbo"}), 422, "stage: 'limbo'")
        problem(viewer.get(f"{API}/use-cases/{key}/timeline", params={"format": "png"}), 422)
        assert audit_size(viewer) == before
        assert ok(viewer.get(url))["versions"] == []


def test_the_timeline_as_json_and_mermaid(app: object, portfolio: Portfolio) -> None:
    key = portfolio.key
    with portfolio.client(app, "lead") as lead:
        ok(lead.patch(f"{API}/use-cases/{key}", json={"title": "Claims: triage; #1 %% section x"}))
        ok(lead.post(f"{API}/use-cases/{key}/review"), 201)
        shown = ok(lead.get(f"{API}/use-cases/{key}/timeline"))
        assert shown["use_case"] == key and shown["returns_from"] == "the framework's typical timeline"
        assert {i["section"] for i in shown["items"]} == {"Plan", "Actual", "Gates", "Returns"}
        assert any(i["label"] == "Gate 1 review open" and "active" in i["tags"] for i in shown["items"])
        assert shown["vega_lite"]["$schema"].endswith("v6.json")
        text = lead.get(f"{API}/use-cases/{key}/timeline", params={"format": "mermaid"})
        assert text.status_code == 200 and text.headers["content-type"].startswith("text/plain")
        assert text.text == shown["mermaid"] and text.text.startswith("gantt\n")
        assert f"    title {key} Claims#58; triage#59; #35;1 #37;#37; section x plan vs actual" in text.text
        assert "\n    section x" not in text.text
        problem(lead.get(f"{API}/use-cases/UC-9999/timeline", params={"format": "mermaid"}), 404, "UC-9999")


def test_the_pages_show_the_scorecard_timeline_and_ranking_escaped(app: object, portfolio: Portfolio) -> None:
    key = portfolio.key
    with portfolio.client(app, "lead") as lead:
        ok(lead.patch(f"{API}/use-cases/{key}", json={"title": "<script>alert(1)</script> triage"}))
        hostile = {**SCORES, "business_value": {"score": 5, "rationale": "<img src=x onerror=alert(1)>"}}
        ok(lead.post(f"{API}/use-cases/{key}/scorecard", json={"scores": hostile, "expected_value": "1000"}), 201)
        page = lead.get(f"/use-cases/{key}")
        assert page.status_code == 200
        assert 'id="h-scorecard"' in page.text and 'id="h-timeline"' in page.text
        assert "<img src=x" not in page.text and "&lt;img src=x onerror=alert(1)&gt;" in page.text
        assert "<script>alert(1)</script>" not in page.text
        assert 'action="/use-cases/' + key + '/scorecard"' in page.text  # the form, for a program lead
        assert page.text.count("data-vega-spec") >= 1
        board = lead.get("/prioritisation")
        assert board.status_code == 200 and 'id="ranking"' in board.text and 'id="pareto"' in board.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt; triage" in board.text and "<script>alert(1)" not in board.text
        assert 'href="/prioritisation" aria-current="page"' in board.text
        bad = lead.get("/prioritisation", params={"top": "0"})
        assert bad.status_code == 422 and "top: 0 is not a number of use cases" in bad.text
        assert lead.get("/prioritisation", params={"stage": "poc"}).status_code == 200
    with portfolio.client(app, "viewer") as viewer:
        page = viewer.get(f"/use-cases/{key}")
        assert page.status_code == 200 and 'action="/use-cases/' + key + '/scorecard"' not in page.text


def form(values: dict[str, Any], csrf: str) -> dict[str, str]:
    data = {"csrf_token": csrf, "expected_value": "300000", "currency": "EUR", "note": "from the form"}
    for criterion, value in values.items():
        data[f"score.{criterion}"] = str(value)
        data[f"rationale.{criterion}"] = f"{criterion} because"
    return data


def test_the_form_scores_with_its_csrf_token_and_shows_errors(app: object, portfolio: Portfolio) -> None:
    key = portfolio.key
    browser, csrf = sign_in(app, portfolio.emails["sponsor"])  # a contributor named on the use case
    good = dict.fromkeys(CRITERIA, 4)
    forged = browser.post(f"/use-cases/{key}/scorecard", data=form(good, "forged"), follow_redirects=False)
    assert forged.status_code == 403
    incomplete = form({**good, "risk": ""}, csrf)
    shown = browser.post(f"/use-cases/{key}/scorecard", data=incomplete, follow_redirects=False)
    assert shown.status_code == 422 and "criterion.risk: is missing" in shown.text
    assert re.search(r'<select id="score-risk" name="score.risk" aria-invalid="true">', shown.text)
    assert '<option value="4" selected>4</option>' in shown.text  # what was chosen stays chosen
    negative = browser.post(f"/use-cases/{key}/scorecard", data={**form(good, csrf), "expected_value": "-5"})
    assert negative.status_code == 422 and "expected-value: -5 is negative" in negative.text
    assert portfolio.client(app, "viewer").get(f"{API}/use-cases/{key}/scorecard").json()["versions"] == []

    posted = browser.post(f"/use-cases/{key}/scorecard", data=form(good, csrf), follow_redirects=False)
    assert posted.status_code == 303 and posted.headers["location"] == f"/use-cases/{key}#h-scorecard"
    card = portfolio.client(app, "viewer").get(f"{API}/use-cases/{key}/scorecard").json()["scorecard"]
    assert card["scored_by"] == "sponsor@example.org" and card["scores"][0]["rationale"] == "business_value because"
    assert card["expected_value"] == "300000.00" and card["note"] == "from the form"
    other = browser.post(f"/use-cases/{portfolio.other_key}/scorecard", data=form(good, csrf), follow_redirects=False)
    assert other.status_code == 403  # named on nothing there
    page = browser.get(f"/use-cases/{key}/scorecard")
    assert page.status_code == 200 and "Save the scorecard" in page.text
    browser.close()
