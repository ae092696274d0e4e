"""The AI operations section in a real browser: a program lead sees the owning team, on-call path,
retraining badge and readiness rubric, logs an incident with the form (a refused one keeps what was
typed), resolves it, and the MTTR and the computed checks follow — all under the page's CSP."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from pilotgate.config import Settings
from pilotgate.db.engine import Database
from pilotgate.db.uow import UnitOfWork
from pilotgate.operations import service as ops
from tests.browser.conftest import Browsing

LEAD, SPONSOR = "lead@example.org", "sponsor@example.org"


def record_operations(key: str) -> None:
    """Operations on the live server's database (the fixture set PILOTGATE_HOME)."""
    with UnitOfWork(Settings.from_env()) as uow:
        ops.set_team(uow, key=key, name="Claims Ops", kind="ai_ops", lead=SPONSOR, members=[LEAD], actor=LEAD)
        ops.add_oncall(uow, key=key, email=SPONSOR, level=1, actor=LEAD)
        ops.add_oncall(uow, key=key, email=LEAD, level=2, actor=LEAD)
        ops.set_monitoring(uow, key=key, description="SLO dashboards", alerting=True, actor=LEAD)
        ops.set_cadence(uow, key=key, days=30, actor=LEAD)
        ops.record_retraining(uow, key=key, retrained_on="2020-01-01", actor=LEAD)  # long overdue
        ops.set_check(uow, key=key, check="data.schema", status="automated", actor=LEAD)
    Database.dispose_all()


def test_log_and_resolve_an_incident_on_the_use_case_page(browsing: Browsing) -> None:
    key = browsing.server.portfolio.key
    record_operations(key)
    page = browsing.sign_in(LEAD)
    page.goto(f"{browsing.url}/use-cases/{key}#h-operations")
    section = page.locator("section[aria-labelledby=h-operations]")
    expect(section.get_by_role("heading", name="AI operations")).to_be_visible()
    expect(section.get_by_label("Escalation path")).to_contain_text("Sponsor")
    expect(section.locator("#ops-retraining")).to_contain_text("overdue by")
    expect(section.locator("#ops-check-sustainable")).to_contain_text("not met")
    expect(section.locator("#ops-readiness-score .value")).to_have_text("0")  # model has nothing done

    section.get_by_text("Log an incident").click()
    section.get_by_label("Severity").select_option("sev2")
    section.get_by_label("Title").fill("Answers <b>slow</b> for claims")
    section.get_by_label("Handled by").select_option(SPONSOR)
    section.get_by_label("Opened (UTC)").fill("2099-01-01T10:00")
    section.get_by_role("button", name="Log the incident").click()
    expect(section.locator(".alert-error")).to_contain_text("is in the future")
    expect(section.get_by_label("Title")).to_have_value("Answers <b>slow</b> for claims")  # kept as typed

    section.get_by_label("Opened (UTC)").fill("")
    section.get_by_role("button", name="Log the incident").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(browsing.url)}/use-cases/{key}(#h-operations)?$"))
    log = page.get_by_role("table", name="Incident log")
    expect(log).to_contain_text("Answers <b>slow</b> for claims")  # shown as text, never as markup
    expect(log.locator("b")).to_have_count(0)
    expect(log).to_contain_text("owning team")
    expect(log.get_by_text("open", exact=True)).to_be_visible()

    log.get_by_label("Resolution").fill("Scaled the retriever")
    log.get_by_role("button", name="Resolve incident").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(browsing.url)}/use-cases/{key}(#h-operations)?$"))
    log = page.get_by_role("table", name="Incident log")
    expect(log).to_contain_text("Scaled the retriever")
    expect(log.get_by_role("button", name="Resolve incident")).to_have_count(0)
    expect(page.locator("#h-operations-incidents")).to_contain_text("1 resolved in the last 90 days · 0 open")
    browsing.check()
