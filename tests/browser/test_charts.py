"""Vega-Lite charts render in the browser under the Content-Security-Policy (no eval)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import Browsing


def test_the_portfolio_charts_draw_without_eval(browsing: Browsing) -> None:
    page = browsing.sign_in("lead@example.org")
    page.goto(browsing.url + "/portfolio")
    charts = page.locator("[data-vega-spec]")
    expect(charts).to_have_count(2)
    for index in range(2):
        expect(charts.nth(index).locator("svg")).to_have_count(1, timeout=10_000)
    assert "could not be drawn" not in page.locator("main").inner_text()
    expect(page.locator("svg").first).to_be_visible()
    browsing.check()


def test_charts_draw_on_a_page_reached_through_a_boosted_link(browsing: Browsing) -> None:
    """htmx-boosted navigation swaps the body only; the chart libraries still load on demand."""
    page = browsing.sign_in("lead@example.org")
    page.get_by_role("link", name="Portfolio", exact=True).click()
    page.wait_for_url(browsing.url + "/portfolio")
    charts = page.locator("[data-vega-spec]")
    expect(charts).to_have_count(2)
    for index in range(2):
        expect(charts.nth(index).locator("svg")).to_have_count(1, timeout=10_000)
    browsing.check()
