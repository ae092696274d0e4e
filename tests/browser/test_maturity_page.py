"""The Maturity page in a real browser: reached from the navigation, its charts draw under the
Content-Security-Policy, and a program lead takes the assessment with the form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from pilotgate.config import Settings
from pilotgate.db.engine import Database
from pilotgate.db.uow import UnitOfWork
from pilotgate.maturity import service
from pilotgate.maturity.questionnaire import QUESTIONS
from tests.browser.conftest import Browsing

LEAD = "lead@example.org"


def record(days_ago: int, score: int) -> None:
    """An assessment on the live server's database (the fixture set PILOTGATE_HOME), back-dated."""
    moment = datetime.now(UTC) - timedelta(days=days_ago)
    with UnitOfWork(Settings.from_env(), clock=lambda: moment) as uow:
        service.create(uow, answers=dict.fromkeys(QUESTIONS, score), actor=LEAD)
    Database.dispose_all()


def test_the_maturity_page_draws_its_charts_and_takes_the_assessment(browsing: Browsing) -> None:
    record(270, 2)
    record(7, 3)
    page = browsing.sign_in(LEAD)
    page.get_by_role("link", name="Maturity").click()  # a boosted link: the page still gets its chart scripts
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisational readiness")
    charts = page.locator("[data-vega-spec]")
    expect(charts).to_have_count(2)
    for index in range(2):
        expect(charts.nth(index).locator("svg")).to_have_count(1, timeout=10_000)
    main = page.locator("main")
    assert "could not be drawn" not in main.inner_text()
    expect(page.locator(".level-kpi")).to_contain_text("Level 4")
    expect(page.locator("ol.gaps li").first).to_be_visible()

    page.get_by_text("Take the assessment again").click()
    page.get_by_label("4 A rotation covering every production system", exact=False).check()
    page.get_by_role("button", name="Record the assessment").click()
    expect(page).to_have_url(browsing.url + "/maturity#latest")
    expect(page.locator("table").last.locator("tbody tr")).to_have_count(3)
    for index in range(2):
        expect(page.locator("[data-vega-spec]").nth(index).locator("svg")).to_have_count(1, timeout=10_000)
    with UnitOfWork(Settings.from_env(), read_only=True) as uow:
        latest = service.view(service.latest_or_raise(uow))
    Database.dispose_all()
    assert latest["answers"]["operations.on_call"] == 4 and latest["taken_by"] == LEAD
    browsing.check()
