"""Gate 1 walked in a real browser: three people, three cookie jars, one live server on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from pilotgate.config import Settings
from pilotgate.db.uow import UnitOfWork
from pilotgate.usecases import service as usecases
from tests.browser.conftest import Browsing

LEAD = "lead@example.org"
SPONSOR = "sponsor@example.org"
OUTSIDER = "outsider@example.org"
ARTIFACTS = {
    "use_case_scorecard": "scorecard.csv",
    "data_availability_assessment": "data-availability.md",
    "preliminary_risk_assessment": "risk-assessment.txt",
    "business_value_hypothesis": "value-hypothesis.md",
}
CRITERIA = ("business_value", "data_availability", "process_maturity", "risk", "sponsorship")
POLL_SECONDS = 5  # hx-trigger="every 5s" on #blockers


def criterion(page: Any, criterion_id: str) -> Any:
    return page.locator("details.criterion", has=page.locator(f"#st-{criterion_id}"))


def artifact_row(page: Any, artifact_id: str) -> Any:
    return page.locator("tr", has=page.locator(f"#file-{artifact_id}"))


def assess(page: Any, criterion_id: str, status: str, note: str) -> None:
    details = criterion(page, criterion_id)
    details.locator("summary").click()
    details.get_by_label("Assessment").select_option(status)
    details.get_by_label("Justification").fill(note)
    details.get_by_role("button", name="Record assessment").click()


def vote(page: Any, choice: str = "approve") -> None:
    page.get_by_label("Vote", exact=True).select_option(choice)
    page.get_by_role("button", name="Sign", exact=True).click()


def overflow(page: Any) -> dict[str, int]:
    return page.evaluate("() => ({scroll: document.body.scrollWidth, inner: window.innerWidth})")  # type: ignore[no-any-return]


def test_a_contributor_the_lead_and_the_sponsor_take_gate_1_to_go(browsing: Browsing, tmp_path: Path) -> None:
    url, key = browsing.url, browsing.server.portfolio.key
    review_url = f"{url}/use-cases/{key}/review"
    with UnitOfWork(Settings.from_env()) as uow:  # the live server's home: the fixture set PILOTGATE_HOME
        usecases.assign(uow, key=key, role="technical_lead", email=OUTSIDER, actor="test")

    # The technical lead opens the review, uploads the four artifacts and assesses the five criteria.
    outsider = browsing.sign_in(OUTSIDER)
    outsider.goto(f"{url}/use-cases/{key}")
    outsider.get_by_role("button", name="Open Gate 1 review").click()
    expect(outsider.get_by_role("heading", level=1)).to_have_text("Gate 1: Discovery → POC")
    expect(outsider.locator("#blockers")).to_contain_text("Go is blocked (11)")
    for artifact_id, filename in ARTIFACTS.items():
        path = tmp_path / filename
        path.write_text(f"{artifact_id} for {key}\nwritten by the browser test\n")
        row = artifact_row(outsider, artifact_id)
        row.locator("input[type=file]").set_input_files(path)
        row.get_by_role("button", name="Attach").click()
        expect(artifact_row(outsider, artifact_id).get_by_role("link", name=filename)).to_be_visible()
    for criterion_id in CRITERIA:
        assess(outsider, criterion_id, "met", f"{criterion_id} checked in the discovery workshop")
        expect(criterion(outsider, criterion_id).locator("summary .status-met")).to_have_text("met")
    blockers = outsider.locator("#blockers")
    expect(blockers).to_contain_text("Go is blocked (2)")
    expect(blockers).to_contain_text(f"program_lead (AI program lead): {LEAD} has not voted")
    expect(blockers).to_contain_text(f"sponsor (Business unit sponsor): {SPONSOR} has not voted")
    expect(outsider.get_by_text("You are not a named approver of this gate.")).to_be_visible()

    # The program lead approves in a browser of their own: the form post re-renders the panel.
    lead = browsing.sign_in(LEAD)
    lead.goto(review_url)
    vote(lead)
    expect(lead.locator("#blockers")).to_contain_text("Go is blocked (1)")
    expect(lead.locator("#blockers")).not_to_contain_text(LEAD)

    # The sponsor approves; the lead's and the contributor's pages learn it by polling, not by reloading.
    for page in (lead, outsider):
        page.evaluate("() => { window.stillTheSameDocument = true; }")  # a reload would forget it
    sponsor = browsing.sign_in(SPONSOR)
    sponsor.goto(review_url)
    vote(sponsor)
    expect(sponsor.locator("#blockers")).to_contain_text("Ready")
    timeout = (POLL_SECONDS + 3) * 1000
    expect(lead.locator("#blockers")).to_contain_text("Ready", timeout=timeout)
    expect(outsider.locator("#blockers")).to_contain_text("Ready", timeout=timeout)
    for page in (lead, outsider):
        assert page.url == review_url and page.evaluate("() => window.stillTheSameDocument === true")

    # The lead records Go; the use case leaves Discovery for the Proof of Concept column.
    expect(lead.get_by_label("Go", exact=True)).to_be_checked()
    lead.get_by_label("Rationale").fill("Value, data and sponsor confirmed.")
    lead.get_by_role("button", name="Record decision").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text("No open review")
    lead.goto(url + "/")
    card = lead.locator(f"a.card[data-key={key}]")
    expect(card).to_have_count(1)
    expect(lead.locator("section[aria-labelledby=col-poc]").locator(f"a.card[data-key={key}]")).to_be_visible()
    expect(lead.locator("section[aria-labelledby=col-discovery]").locator(f"a.card[data-key={key}]")).to_have_count(0)
    lead.goto(f"{url}/use-cases/{key}")
    decisions = lead.locator("table", has=lead.get_by_role("columnheader", name="Decision", exact=True))
    expect(decisions.locator("tbody tr")).to_have_count(1)
    expect(decisions.locator("tbody tr")).to_contain_text("discovery → poc")
    expect(decisions.locator("tbody tr")).to_contain_text(LEAD)
    expect(lead.locator(".stages span.current")).to_have_text("Proof of Concept")

    # Every request of the three contexts stayed on the live server; every response carried a CSP.
    document = lead.goto(url + "/")
    assert document is not None and "default-src 'self'" in document.headers["content-security-policy"]
    assert len(browsing.contexts) == 3 and len(browsing.requests) > 30
    browsing.check()


def test_form_errors_keep_what_the_user_typed(browsing: Browsing) -> None:
    url, key = browsing.url, browsing.server.portfolio.key
    sponsor = browsing.sign_in(SPONSOR)
    sponsor.goto(f"{url}/use-cases/{key}/review")
    sponsor.get_by_role("button", name="Open Gate 1 review").click()
    expect(sponsor.locator("#blockers")).to_contain_text("Go is blocked")

    # An assessment without a justification: the error sits on the form, the chosen status stays.
    assert criterion(sponsor, "risk").get_by_label("Justification").get_attribute("required") is None
    assess(sponsor, "risk", "not_met", "")
    details = criterion(sponsor, "risk")
    expect(details).to_have_attribute("open", "")
    expect(details.locator(".field-error")).to_contain_text("an assessment needs a justification")
    expect(details.get_by_label("Assessment")).to_have_value("not_met")
    expect(details.get_by_label("Justification")).to_have_attribute("aria-invalid", "true")
    expect(sponsor.locator(".field-error")).to_have_count(1)

    # A waiver without an expiry: the justification typed is kept too.
    assess(sponsor, "sponsorship", "waived", "Sponsor named in the steering minutes")
    details = criterion(sponsor, "sponsorship")
    expect(details.locator(".field-error")).to_contain_text("a waiver needs an expiry date")
    expect(details.get_by_label("Assessment")).to_have_value("waived")
    expect(details.get_by_label("Justification")).to_have_value("Sponsor named in the steering minutes")

    # Attach with neither a file nor a link.
    artifact_row(sponsor, "use_case_scorecard").get_by_role("button", name="Attach").click()
    expect(artifact_row(sponsor, "use_case_scorecard").locator(".field-error")).to_contain_text(
        "choose a file to upload or give a link"
    )
    expect(sponsor.locator(".field-error")).to_have_count(1)

    # Attach a link that is not http(s): the link typed is still in the field.
    row = artifact_row(sponsor, "preliminary_risk_assessment")
    row.get_by_label("or link").fill("ftp://files.example.org/risk.pdf")
    row.get_by_role("button", name="Attach").click()
    row = artifact_row(sponsor, "preliminary_risk_assessment")
    expect(row.locator(".field-error")).to_contain_text("is not an http(s) URL")
    expect(row.get_by_label("or link")).to_have_value("ftp://files.example.org/risk.pdf")

    # Nothing was recorded by the refused forms.
    expect(criterion(sponsor, "risk").locator("summary .status-pending")).to_be_visible()
    expect(artifact_row(sponsor, "use_case_scorecard").locator(".badge.danger")).to_have_text("missing")
    browsing.check()


def test_every_page_renders_and_the_board_fits_a_laptop(browsing: Browsing, tmp_path: Path) -> None:
    url, key = browsing.url, browsing.server.portfolio.key
    shots = tmp_path / "screenshots"
    shots.mkdir()
    login = browsing.page()
    login.goto(url + "/login")
    login.screenshot(path=shots / "login.png", full_page=True)

    lead = browsing.sign_in(LEAD)
    lead.goto(f"{url}/use-cases/{key}")
    lead.get_by_role("button", name="Open Gate 1 review").click()
    expect(lead.locator("#blockers")).to_contain_text("Go is blocked")
    pages = {
        "board": ("/", "Portfolio board"),
        "use-case-list": ("/use-cases", None),
        "use-case": (f"/use-cases/{key}", "Claims triage"),
        "review": (f"/use-cases/{key}/review", "Gate 1: Discovery → POC"),
        "policy": ("/policy", None),
        "audit": ("/audit", None),
        "approvals": ("/approvals", None),
        "account": ("/account", None),
        "portfolio": ("/portfolio", "Portfolio"),
        "stalled": ("/stalled", None),
    }
    widths = {}
    for name, (path, heading) in pages.items():
        response = lead.goto(url + path)
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"
        assert "content-security-policy" in response.headers
        h1 = lead.get_by_role("heading", level=1)
        expect(h1).to_be_visible()
        if heading:
            expect(h1).to_have_text(heading)
        if name == "policy":
            expect(lead.locator("pre.mermaid svg")).to_be_visible(timeout=15_000)
        lead.screenshot(path=shots / f"{name}.png", full_page=True)
        widths[name] = overflow(lead)
    assert sorted(p.name for p in shots.iterdir()) == sorted(f"{n}.png" for n in ["login", *pages])
    board = widths["board"]
    assert board["scroll"] <= board["inner"] + 1, f"the board overflows a 1366 px laptop: {board}"
    wide = {name: w for name, w in widths.items() if w["scroll"] > w["inner"] + 1}
    assert not wide, f"pages wider than a 1366 px laptop: {wide}"
    browsing.check()


def test_keyboard_reaches_the_skip_link_first_and_the_login_form_is_labelled(browsing: Browsing) -> None:
    url = browsing.url
    page = browsing.page()
    page.goto(url + "/login")
    email, password = page.get_by_label("E-mail"), page.get_by_label("Password")
    expect(email).to_be_focused()  # autofocus: a keyboard user can type at once
    expect(email).to_have_attribute("type", "email")
    expect(password).to_have_attribute("type", "password")
    email.fill(LEAD)
    page.keyboard.press("Tab")
    expect(password).to_be_focused()
    page.keyboard.type("not the password")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_have_text("E-mail or password is wrong.")
    expect(page.get_by_label("E-mail")).to_have_value(LEAD)

    signed_in = browsing.sign_in(LEAD)
    for path in ("/", "/use-cases", "/policy"):
        signed_in.goto(url + path)  # a full load: nothing has focus yet
        signed_in.keyboard.press("Tab")
        skip = signed_in.locator("a.skip")
        expect(skip).to_be_focused()
        expect(skip).to_have_text("Skip to content")
        box = skip.bounding_box()
        assert box is not None and box["x"] >= 0 and box["y"] >= 0, f"the focused skip link is off screen: {box}"
        signed_in.keyboard.press("Enter")
        assert signed_in.evaluate("() => location.hash") == "#main"
    browsing.check()
