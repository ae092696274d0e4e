"""Measured evidence in the browser: indicator charts on the use case page, and on the review page
each metric criterion with its value, threshold, window and a chart — drawn under the CSP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect

from pilotgate.db.uow import UnitOfWork
from pilotgate.evidence import ingest
from pilotgate.evidence import service as evidence
from pilotgate.gates import service as gates
from pilotgate.policy import service as policies
from pilotgate.policy.loader import shipped_policy_text
from pilotgate.usecases import service as usecases
from tests.browser.conftest import Browsing

LEAD = "lead@example.org"
# Gate 1 of a copy of the default policy judges business value on measured uptime.
METRIC_GATE = """        requirement: Quantified outcome with executive sign-off on the assumption.
        kind: metric
        expression: uptime(window="30d") >= slo.uptime"""


def _seed(browsing: Browsing) -> str:
    settings = browsing.server.portfolio.settings
    now = datetime.now(UTC)
    text = shipped_policy_text().replace("name: pilotgate-default", "name: measured-discovery", 1)
    text = text.replace(
        "        requirement: Quantified outcome with executive sign-off on the assumption.", METRIC_GATE, 1
    )
    with UnitOfWork(settings) as uow:
        policies.publish(uow, text=text, source="test", actor="test")
        key = usecases.create(
            uow, title="Measured <b>case</b>", business_unit="QA", actor="test", policy_name="measured-discovery"
        ).key
        usecases.assign(uow, key=key, role="program_lead", email=LEAD, actor="test")
        for metric in ("uptime", "active_users", "eligible_users", "revenue", "task_completion_minutes"):
            evidence.define_metric(
                uow, key=key, metric=metric, actor=LEAD, target=100.0 if metric == "uptime" else None
            )
        rows = []
        for day in range(45):
            at = (now - timedelta(days=day)).isoformat()
            rows.append(ingest.RawPoint(len(rows) + 1, key, "uptime", at, 98.9 if day % 9 == 0 else 99.8))
            if day % 7 == 0:
                rows.append(ingest.RawPoint(len(rows) + 1, key, "active_users", at, 70, "pilot"))
                rows.append(ingest.RawPoint(len(rows) + 1, key, "eligible_users", at, 100, "pilot"))
                rows.append(ingest.RawPoint(len(rows) + 1, key, "revenue", at, 1000 + day))
        old = (now - timedelta(days=200)).replace(microsecond=0)  # long before the charts' 120 days
        rows.append(ingest.RawPoint(len(rows) + 1, key, "task_completion_minutes", old.isoformat(), 12))
        ingest.ingest(uow, rows, actor=LEAD, source="test")
        gates.open_review(uow, key=key, actor=LEAD)
    return key


def test_use_case_page_draws_leading_and_lagging_indicator_charts(browsing: Browsing) -> None:
    key = _seed(browsing)
    page = browsing.sign_in(LEAD)
    page.goto(f"{browsing.url}/use-cases/{key}")
    evidence_section = page.locator("section[aria-labelledby=h-evidence]")
    expect(evidence_section.get_by_role("heading", name="Leading indicators")).to_be_visible()
    expect(evidence_section.get_by_role("heading", name="Lagging indicators")).to_be_visible()
    slo = evidence_section.locator(".slo .kpi").first
    expect(slo).to_contain_text("SLO ≥ 99.5%")
    expect(slo).to_contain_text("met")
    charts = evidence_section.locator("[data-vega-spec]")
    # adoption rate (derived), active users, uptime, revenue; eligible users is the adoption denominator,
    # and task completion time has no point in the charts' span: it says so instead of drawing empty axes
    expect(charts).to_have_count(4)
    stale = evidence_section.locator(".metric-card", has_text="Task completion time")
    expect(stale.locator(".chart-empty")).to_contain_text("No points in the last 120 days: the newest is from")
    for index in range(4):
        expect(charts.nth(index).locator("svg")).to_have_count(1, timeout=10_000)
    lagging = evidence_section.locator(".metric-card", has_text="Revenue")
    expect(lagging.locator(".badge", has_text="lagging")).to_be_visible()
    assert "could not be drawn" not in evidence_section.inner_text()
    browsing.check()


def test_review_page_shows_each_metric_criterion_with_its_data(browsing: Browsing) -> None:
    key = _seed(browsing)
    page = browsing.sign_in(LEAD)
    page.goto(f"{browsing.url}/use-cases/{key}/review")
    criterion = page.locator("details.criterion", has_text="Business value")
    expect(criterion.locator(".status-met")).to_be_visible()
    row = criterion.locator("table.measured tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text('uptime(window="30d")')
    expect(row).to_contain_text("≥ 99.5")
    expect(row).to_contain_text("30 uptime points")
    expect(criterion.locator("[data-vega-spec] svg")).to_have_count(1, timeout=10_000)
    # measured, not asserted: the form offers a waiver only
    options = criterion.locator("select[name=status] option")
    expect(options).to_have_count(1)
    expect(options.first).to_have_attribute("value", "waived")
    browsing.check()
