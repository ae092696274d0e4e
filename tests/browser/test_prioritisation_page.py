"""Prioritisation in a real browser: the Prioritisation page (reached from the navigation) draws its
Pareto chart and ranks the use cases; the use case page draws the timeline and takes a scorecard
with its form; and the timeline's Mermaid text — for a use case with a hostile title — is valid
to the Mermaid pilotgate vendors, and renders the title as the text it is."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from pilotgate.config import Settings
from pilotgate.db.engine import Database
from pilotgate.db.uow import UnitOfWork
from pilotgate.prioritisation import service
from pilotgate.reports.timeline import gantt_mermaid, mermaid_text
from pilotgate.usecases import service as usecases
from tests.browser.conftest import Browsing

LEAD = "lead@example.org"
CRITERIA = ("business_value", "feasibility", "data_availability", "process_maturity", "risk", "sponsorship")
HOSTILE = "Claims: triage; #1 %% section Evil"


def seed(key: str, other: str) -> str:
    """Scorecards on the live server's database (the fixture set PILOTGATE_HOME); the timeline text."""
    with UnitOfWork(Settings.from_env()) as uow:
        usecases.update(uow, key=key, actor=LEAD, changes={"title": HOSTILE})
        service.record(uow, key=key, scores=dict.fromkeys(CRITERIA, 4), actor=LEAD, expected_value=400_000)
        service.record(uow, key=other, scores=dict.fromkeys(CRITERIA, 3), actor=LEAD, expected_value=100_000)
        text = gantt_mermaid(uow, usecases.get_or_raise(uow, key))
    Database.dispose_all()
    return text


def test_the_prioritisation_page_ranks_and_draws_the_pareto_chart(browsing: Browsing) -> None:
    portfolio = browsing.server.portfolio
    seed(portfolio.key, portfolio.other_key)
    page = browsing.sign_in(LEAD)
    page.get_by_role("link", name="Prioritisation").click()  # a boosted link: the chart still draws
    expect(page.get_by_role("heading", level=1)).to_have_text("Prioritisation")
    chart = page.locator("#pareto")
    expect(chart.locator("svg, canvas").first).to_be_visible(timeout=10_000)
    expect(chart.locator("svg .mark-rect path, svg .mark-rect rect").first).to_be_attached()  # the bars
    assert "could not be drawn" not in page.locator("main").inner_text()
    rows = page.locator("#ranking tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(portfolio.key)
    expect(rows.nth(0)).to_contain_text(HOSTILE)
    expect(rows.nth(1)).to_contain_text(portfolio.other_key)
    expect(page.locator(".kpis")).to_contain_text("100.0%")  # the top 5 (the policy's N) hold everything
    page.get_by_label("Top N").fill("1")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".kpis")).to_contain_text("80.0%")  # 400k of 500k: the top one holds 80%
    expect(page.locator("#pareto svg").first).to_be_visible(timeout=10_000)
    browsing.check()


def test_the_use_case_page_draws_the_timeline_and_takes_a_scorecard(browsing: Browsing) -> None:
    portfolio = browsing.server.portfolio
    seed(portfolio.key, portfolio.other_key)
    page = browsing.sign_in(LEAD)
    page.goto(f"{browsing.url}/use-cases/{portfolio.key}")
    timeline = page.locator("section[aria-labelledby=h-timeline] [data-vega-spec]")
    expect(timeline.locator("svg")).to_have_count(1, timeout=10_000)
    expect(page.locator("#h-scorecard")).to_be_visible()
    expect(page.locator("section[aria-labelledby=h-scorecard]")).to_contain_text("67.5")
    page.get_by_text("Score it again (a new version)").click()
    page.locator("#score-risk").select_option("1")
    page.get_by_label("Rationale for Risk").fill("No personal data; a person reviews every output")
    page.get_by_role("button", name="Save the scorecard").click()
    # A boosted form: htmx follows the redirect (to #h-scorecard) and keeps the path.
    expect(page).to_have_url(re.compile(rf"{re.escape(browsing.url)}/use-cases/{portfolio.key}(#h-scorecard)?$"))
    expect(page.locator("section[aria-labelledby=h-scorecard]")).to_contain_text("version 2 of 2")
    expect(page.locator("section[aria-labelledby=h-scorecard]")).to_contain_text("No personal data")
    with UnitOfWork(Settings.from_env(), read_only=True) as uow:
        card = service.get_or_raise(uow, usecases.get_or_raise(uow, portfolio.key))
        assert card.version == 2 and card.scorer.email == LEAD and float(card.total) == 78.75
    Database.dispose_all()
    browsing.check()


def test_the_timeline_text_is_valid_mermaid_and_shows_the_hostile_title_as_text(browsing: Browsing) -> None:
    portfolio = browsing.server.portfolio
    text = seed(portfolio.key, portfolio.other_key)
    page = browsing.sign_in(LEAD)
    page.goto(f"{browsing.url}/policy")  # the page that loads the vendored Mermaid
    expect(page.locator("pre.mermaid svg")).to_have_count(1, timeout=10_000)
    parsed = page.evaluate("async (text) => (await window.mermaid.parse(text)).diagramType", text)
    assert parsed == "gantt"
    drawn = draw(page, text, "escaped")
    assert drawn["title"] == f"{portfolio.key} {HOSTILE} plan vs actual"
    assert sorted(set(drawn["sections"])) == ["Actual", "Gates", "Plan", "Returns"]
    assert "Discovery (2–4 wk)" in drawn["tasks"] and "Full value (month 18)" in drawn["tasks"]
    # A task named like the title: escaped, it is drawn as that text; written raw, Mermaid reads its
    # ':' as the end of the name and its ';' as the end of the line — what the escaping prevents
    # (and proof that the check can fail).
    line = next(line for line in text.splitlines() if line.startswith("    Discovery (2–4 wk) :"))
    escaped = draw(page, text.replace(line, line.replace("Discovery (2–4 wk)", mermaid_text(HOSTILE))), "safe")
    assert HOSTILE in escaped["tasks"]
    try:
        raw = draw(page, text.replace(line, line.replace("Discovery (2–4 wk)", HOSTILE)), "raw")
    except PlaywrightError as error:  # Mermaid cannot even draw it: the task lost its dates to the ':'
        assert "Cannot read properties" in error.message
    else:
        assert HOSTILE not in raw["tasks"]
    browsing.check()


def draw(page: Any, text: str, name: str) -> dict[str, Any]:
    """Render gantt text with the page's Mermaid; its title, section titles and task texts."""
    svg = page.evaluate("async ([text, name]) => (await window.mermaid.render(name, text)).svg", [text, name])
    drawn: dict[str, Any] = page.evaluate(
        """(svg) => {
            const holder = document.createElement('div');
            holder.innerHTML = svg;
            const texts = (selector) => Array.from(holder.querySelectorAll(selector)).map(e => e.textContent.trim());
            return {
                title: holder.querySelector('.titleText').textContent,
                sections: texts('[class*=sectionTitle]'),
                tasks: texts('[class*=taskText]'),
            };
        }""",
        svg,
    )
    return drawn
