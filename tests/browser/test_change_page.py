"""The change management section in a real browser: a program lead records a training session as
held and adds an item with the htmx forms, a bad one is refused in place with nothing changed, and
the Gate 3 review page shows the records behind the computed criterion."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect
from sqlalchemy import select

from pilotgate.change import service
from pilotgate.change.models import ChangeItem
from pilotgate.config import Settings
from pilotgate.db.engine import Database
from pilotgate.db.uow import UnitOfWork
from pilotgate.gates import service as gates
from pilotgate.usecases import service as usecases
from tests.browser.conftest import Browsing

LEAD = "lead@example.org"
SPONSOR = "sponsor@example.org"


def seed(key: str) -> int:
    """A pilot with its Gate 3 review open and a change plan half done, on the live server's database."""
    today = date.today()
    with UnitOfWork(Settings.from_env()) as uow:
        usecases.enter_stage(uow, usecases.get_or_raise(uow, key), stage="pilot", at=uow.now(), reason="test")
        gates.open_review(uow, key=key, actor=LEAD)
        service.add_plan(uow, key=key, population="pilot", owner=SPONSOR, actor=LEAD, target_users=40)
        redesign = service.add_item(
            uow, key=key, population="pilot", kind="workflow_redesign", title="Redesign the triage queue",
            owner=LEAD, actor=LEAD,
        )  # fmt: skip
        service.complete_item(uow, item_id=redesign.id, actor=LEAD)
        service.add_item(
            uow, key=key, population="pilot", kind="manager_briefing", title="Claims team leads", owner=SPONSOR,
            actor=LEAD,
        )  # fmt: skip
        session: int = service.add_item(
            uow, key=key, population="pilot", kind="training", title="Triage hands-on", owner=SPONSOR, actor=LEAD,
            session_date=today, attendance_target=30,
        ).id  # fmt: skip
    Database.dispose_all()
    return session


def test_the_change_section_records_training_and_adds_items(browsing: Browsing) -> None:
    key = browsing.server.portfolio.key
    session = seed(key)
    page = browsing.sign_in(LEAD)
    page.goto(f"{browsing.url}/use-cases/{key}#h-change")
    changes = page.locator("#change-section")  # re-found after every swap: the forms replace it
    expect(changes.get_by_role("heading", level=2)).to_contain_text("Change management")
    expect(changes).to_contain_text("pilot: no training session held yet; pilot: no manager briefing complete")
    expect(changes.locator(".badge.warn", has_text="in progress")).to_be_visible()
    expect(changes).to_contain_text("no data")  # no adoption series for the pilot cohort yet

    changes.get_by_label("Attended").fill("33")
    changes.get_by_role("button", name=f"Mark item {session} complete").click()
    expect(changes.get_by_role("status").first).to_contain_text(f"Change item #{session} marked complete.")
    expect(changes.get_by_role("meter", name=f"Attendance of item {session}")).to_have_attribute("aria-valuenow", "33")
    expect(changes).to_contain_text("33 of 30 attended")
    expect(changes).to_contain_text("pilot: no manager briefing complete")

    # a training session without its target: refused in place, what was typed kept, nothing stored
    changes.get_by_label("Kind").select_option("training")
    changes.get_by_label("Title", exact=True).fill("Refresher")
    changes.get_by_label("Session date").fill(date.today().isoformat())
    changes.get_by_role("button", name="Add item").click()
    expect(changes.get_by_role("alert")).to_contain_text(
        "attendance-target: a training session needs the number of people expected"
    )
    expect(changes.get_by_label("Title", exact=True)).to_have_value("Refresher")
    changes.get_by_label("Attendance target").fill("12")
    changes.get_by_role("button", name="Add item").click()
    expect(changes.get_by_role("status").first).to_contain_text("added to pilot")
    expect(changes.get_by_role("table")).to_contain_text("Refresher")
    expect(changes.get_by_role("alert")).to_have_count(0)

    changes.locator("tr", has_text="Claims team leads").get_by_role(
        "button", name=re.compile(r"Mark item \d+ complete")
    ).click()
    expect(changes.locator("h3 .badge.ok", has_text="complete")).to_be_visible()
    expect(changes.locator(".kpi").first).to_contain_text("met")
    expect(changes.locator(".kpi").first).not_to_contain_text("not met")

    page.goto(f"{browsing.url}/use-cases/{key}/review")
    records = page.get_by_role("table", name="Records behind Change management")
    expect(records).to_contain_text("pilot: training")
    expect(records).to_contain_text("1 held, attendance 33 of target 30, 1 more scheduled")
    page.get_by_role("link", name="The records on the use case page").last.click()
    expect(page).to_have_url(f"{browsing.url}/use-cases/{key}#h-change")

    with UnitOfWork(Settings.from_env(), read_only=True) as uow:
        items = {row.title: row for row in uow.session.scalars(select(ChangeItem))}
        assert items["Triage hands-on"].attendance == 33 and items["Refresher"].attendance_target == 12
        assert sorted(items) == ["Claims team leads", "Redesign the triage queue", "Refresher", "Triage hands-on"]
    Database.dispose_all()
    browsing.check()
