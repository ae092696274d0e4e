"""Readiness over the API and on the Maturity page: a round trip, the page for a viewer, the form for a
program lead (with its CSRF token), and the refusals."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from pilotgate.maturity.questionnaire import CAPABILITIES, QUESTIONS
from tests.web.conftest import PASSWORD, Portfolio

API = "/api/v1/maturity"
ANSWERS = dict.fromkeys(QUESTIONS, 3)


def sign_in(app: Any, email: str) -> tuple[TestClient, str]:
    """A browser signed in through the login form, and its session's CSRF token."""
    browser = TestClient(app, raise_server_exceptions=False)
    token = re.search(r'name="login_csrf" value="([^"]+)"', browser.get("/login").text)
    assert token
    signed = browser.post(
        "/login", data={"email": email, "password": PASSWORD, "login_csrf": token.group(1)}, follow_redirects=False
    )
    assert signed.status_code == 303, signed.text
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)">', browser.get("/maturity").text)
    assert csrf
    return browser, csrf.group(1)


def test_the_api_round_trip(app: object, portfolio: Portfolio) -> None:
    viewer, lead = portfolio.client(app, "viewer"), portfolio.client(app, "lead")
    shipped = viewer.get(f"{API}/questions").json()
    assert [c["id"] for c in shipped["capabilities"]] == [c.id for c in CAPABILITIES]
    assert viewer.get(f"{API}/latest").status_code == 404
    assert viewer.get(f"{API}/assessments").json() == []

    made = lead.post(f"{API}/assessments", json={"answers": ANSWERS})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["taken_by"] == "lead@example.org" and body["answers"] == ANSWERS
    assert body["level"]["number"] == 4 and body["overall"] == 75.0
    sponsor = {s["id"]: s for s in body["signals"]}["measurement.named_sponsor"]
    assert (sponsor["met"], sponsor["of"]) == (2, 2)  # the two use cases of the web portfolio

    assert viewer.get(f"{API}/latest").json() == body
    history = viewer.get(f"{API}/assessments").json()
    assert [(h["id"], h["level"], h["level_name"]) for h in history] == [(body["id"], 4, "Operational")]
    assert history[0]["capabilities"]["governance"] == 75.0


def test_the_api_names_every_bad_answer_and_refuses_a_viewer(app: object, portfolio: Portfolio) -> None:
    lead, viewer = portfolio.client(app, "lead"), portfolio.client(app, "viewer")
    wrong = lead.post(f"{API}/assessments", json={"answers": {**ANSWERS, "change.training": 9, "nope": 1}})
    assert wrong.status_code == 422 and wrong.headers["content-type"] == "application/problem+json"
    assert "change.training: 9 is out of range" in wrong.json()["detail"] and "nope" in wrong.json()["detail"]
    extra = lead.post(f"{API}/assessments", json={"answers": ANSWERS, "note": "x"})
    assert extra.status_code == 422
    refused = viewer.post(f"{API}/assessments", json={"answers": ANSWERS})
    assert refused.status_code == 403 and "may not record readiness assessments" in refused.json()["detail"]
    assert lead.get(f"{API}/assessments").json() == []


def test_a_viewer_sees_the_page_without_the_form_and_cannot_post_it(app: object, portfolio: Portfolio) -> None:
    before = portfolio.client(app, "viewer").get("/maturity")
    assert before.status_code == 200
    assert "No assessment has been recorded yet" in before.text and "What the data shows today" in before.text
    assert "A program lead or an admin can record one" in before.text and 'action="/maturity"' not in before.text

    portfolio.client(app, "lead").post(f"{API}/assessments", json={"answers": ANSWERS})
    viewer, csrf = sign_in(app, portfolio.emails["viewer"])
    page = viewer.get("/maturity")
    assert page.status_code == 200 and 'href="/maturity" aria-current="page"' in page.text
    assert "Level 4" in page.text and "Operational" in page.text and "Gaps to close" in page.text
    assert page.text.count("data-vega-spec") == 1  # scores; the history chart waits for a second assessment
    assert 'action="/maturity"' not in page.text
    refused = viewer.post("/maturity", data={**ANSWERS, "csrf_token": csrf}, follow_redirects=False)
    assert refused.status_code == 403
    assert len(portfolio.client(app, "viewer").get(f"{API}/assessments").json()) == 1
    viewer.close()


def test_a_program_lead_takes_the_assessment_with_the_form(app: object, portfolio: Portfolio) -> None:
    browser, csrf = sign_in(app, portfolio.emails["lead"])
    form = browser.get("/maturity").text
    assert 'action="/maturity"' in form and f'name="csrf_token" value="{csrf}"' in form
    assert form.count('type="radio"') == 5 * len(QUESTIONS)

    forged = browser.post("/maturity", data={k: str(v) for k, v in ANSWERS.items()}, follow_redirects=False)
    assert forged.status_code == 403
    partial = {k: "2" for k in list(QUESTIONS)[:-2]}
    incomplete = browser.post("/maturity", data={**partial, "csrf_token": csrf}, follow_redirects=False)
    assert incomplete.status_code == 422 and "2 question(s) unanswered" in incomplete.text
    assert 'value="2" checked' in incomplete.text  # what was answered stays selected
    assert portfolio.client(app, "viewer").get(f"{API}/assessments").json() == []

    posted = browser.post(
        "/maturity", data={**{k: str(v) for k, v in ANSWERS.items()}, "csrf_token": csrf}, follow_redirects=False
    )
    assert posted.status_code == 303 and posted.headers["location"] == "/maturity#latest"
    again = {**{k: str(v) for k, v in ANSWERS.items()}, "governance.cadence": "4", "csrf_token": csrf}
    assert browser.post("/maturity", data=again, follow_redirects=False).status_code == 303
    page = browser.get("/maturity").text
    assert page.count("data-vega-spec") == 2 and "Take the assessment again" in page
    assert 'name="governance.cadence" value="4" checked' in page  # the latest answers are preselected
    history = portfolio.client(app, "viewer").get(f"{API}/assessments").json()
    assert [h["taken_by"] for h in history] == ["lead@example.org"] * 2
    browser.close()
