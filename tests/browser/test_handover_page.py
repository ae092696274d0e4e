"""The use case page's handover, hypercare and funding sections in a real browser: the program lead
proposes a budget line (a period ending before it starts is refused beside the form, nothing stored)
and a handover, ticks off its checklist; the business-unit head approves the line and accepts the
handover — which nobody else can — and the page says who owns the system now."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import func, select

from pilotgate.config import Settings
from pilotgate.db.engine import Database
from pilotgate.db.uow import UnitOfWork
from pilotgate.funding.models import BudgetLine
from pilotgate.handover.rules import ITEMS
from pilotgate.usecases import service as usecases
from tests.browser.conftest import Browsing

LEAD, HEAD, OPS = "lead@example.org", "outsider@example.org", "sponsor@example.org"


def in_production(key: str) -> None:
    """The live server's use case (the fixture set PILOTGATE_HOME) enters production now."""
    with UnitOfWork(Settings.from_env()) as uow:
        usecases.assign(uow, key=key, role="bu_head", email=HEAD, actor="test")
        usecases.enter_stage(uow, usecases.get_or_raise(uow, key), stage="production", at=uow.now(), reason="test")
    Database.dispose_all()


def budget_lines() -> int:
    with UnitOfWork(Settings.from_env(), read_only=True) as uow:
        count = uow.session.scalar(select(func.count()).select_from(BudgetLine)) or 0
    Database.dispose_all()
    return count


def propose_line(page: object, start: str, end: str) -> None:
    page.get_by_text("Propose a budget line").click()  # type: ignore[attr-defined]
    form = page.locator("#funding-amount").locator("xpath=ancestor::form")  # type: ignore[attr-defined]
    form.locator("#funding-source").select_option("operational")
    form.locator("#funding-amount").fill("240000")
    form.locator("#funding-cost-centre").fill("CC-CLM-7")
    form.locator("#funding-owner").select_option(HEAD)
    form.locator("#funding-from").fill(start)
    form.locator("#funding-to").fill(end)
    form.get_by_role("button", name="Propose the line").click()


def test_funding_and_handover_forms_on_the_use_case_page(browsing: Browsing) -> None:
    key = browsing.server.portfolio.key
    in_production(key)
    page = browsing.sign_in(LEAD)
    page.goto(f"{browsing.url}/use-cases/{key}")
    expect(page.locator("#hypercare")).to_contain_text("In hypercare until")

    propose_line(page, "2027-12-31", "2027-01-01")
    error = page.locator("section[aria-labelledby=h-funding] [role=alert]")
    expect(error).to_contain_text("the period ends on 2027-01-01, before it starts on 2027-12-31")
    expect(page.locator("#funding-amount")).to_have_value("240000")  # what was typed is kept
    assert budget_lines() == 0
    page.locator("#funding-from").fill("2027-01-01")
    page.locator("#funding-to").fill("2027-12-31")
    page.get_by_role("button", name="Propose the line").click()
    funding = page.locator("section[aria-labelledby=h-funding]")
    expect(funding.locator("tbody tr")).to_have_count(1)
    expect(funding.locator("tbody tr")).to_contain_text("proposed")
    assert budget_lines() == 1

    handover = page.locator("section[aria-labelledby=h-handover]")
    handover.get_by_text("Propose a handover").click()
    page.locator("#handover-team").fill("Claims Operations")
    page.locator("#handover-owner").select_option(OPS)
    page.get_by_role("button", name="Propose the handover").click()
    expect(handover.get_by_role("status").last).to_contain_text("to Claims Operations (Claims) proposed by " + LEAD)
    for title in ITEMS.values():
        page.get_by_role("button", name=f"Mark done: {title}").click()
        expect(page.get_by_role("button", name=f"Reopen: {title}")).to_be_visible()
    page.get_by_role("button", name="Accept the handover (business-unit head)").click()
    expect(handover.locator("[role=alert]")).to_contain_text("only the use case's bu_head may accept")

    head = browsing.sign_in(HEAD)
    head.goto(f"{browsing.url}/use-cases/{key}")
    head.get_by_role("button", name="Approve budget line 1").click()
    expect(head.locator("section[aria-labelledby=h-funding] tbody tr")).to_contain_text(f"approved{HEAD}")
    head.get_by_role("button", name="Accept the handover (business-unit head)").click()
    owned = head.locator("section[aria-labelledby=h-handover] .alert-ok")
    expect(owned).to_contain_text(f"accepted by {HEAD}")
    expect(owned).to_contain_text("Claims Operations (Claims) owns and operates it")
    expect(owned.get_by_role("link", name="Ownership transfer document")).to_have_attribute(
        "href", f"/api/v1/use-cases/{key}/handover/document"
    )
    expect(head.get_by_role("button", name="Accept the handover (business-unit head)")).to_have_count(0)
    browsing.check()


def test_expand_from_the_page_and_assess_reuse_on_the_expansion(browsing: Browsing) -> None:
    key = browsing.server.portfolio.key
    in_production(key)
    page = browsing.sign_in(LEAD)
    page.goto(f"{browsing.url}/use-cases/{key}")
    scale = page.locator("section[aria-labelledby=h-scale]")
    scale.get_by_text(f"Expand {key}", exact=True).click()
    page.locator("#expand-title").fill("Claims triage — Spain")
    page.locator("#expand-kind").select_option("geography")
    page.locator("#expand-scope").fill("The Madrid claims centre")
    page.locator("#expand-population").fill("Madrid adjusters")
    page.get_by_role("button", name="Register the expansion").click()
    child = scale.get_by_role("link", name="Claims triage — Spain")
    expect(child).to_be_visible()
    child.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Claims triage — Spain")
    mine = page.locator("section[aria-labelledby=h-scale]")
    expect(mine.get_by_role("link", name=f"{key} Claims triage")).to_have_attribute("href", f"/use-cases/{key}#h-scale")
    page.locator("#reuse-component").select_option("model")
    page.locator("#reuse-status").select_option("adapted")
    page.locator("#reuse-note").fill("Fine-tuned on Spanish claims")
    page.get_by_role("button", name="Record the reuse").click()
    expect(mine.locator("h3").first).to_contain_text("50% reuse over 1 of 7 capabilities")
    expect(mine.get_by_role("table", name="Capability reuse")).to_contain_text("Fine-tuned on Spanish claims")
    browsing.check()
