"""Report downloads through the real app on SQLite and PostgreSQL: the API with a token and the pages
with a session serve the same files, with their content type and an attachment name; a use case with
nothing to print answers 404 with why. Who may call the API routes is tests/web/test_authz_matrix.py."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from pypdf import PdfReader

from pilotgate.accounts import service as accounts
from pilotgate.db.uow import UnitOfWork
from pilotgate.gates import service as gates
from tests.web.conftest import PASSWORD, LiveServer, Portfolio

API = "/api/v1"
PROBLEM = "application/problem+json"
TYPES = {"pdf": "application/pdf", "html": "text/html; charset=utf-8", "md": "text/markdown; charset=utf-8"}


@pytest.fixture(autouse=True)
def fast_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def problem(response: httpx.Response, status: int, *fragments: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM, response.headers
    body: dict[str, Any] = response.json()
    for fragment in fragments:
        assert fragment in body["detail"], body
    return body


def open_review(portfolio: Portfolio, key: str | None = None) -> str:
    key = key or portfolio.key
    with UnitOfWork(portfolio.settings) as uow:
        gates.open_review(uow, key=key, actor=portfolio.emails["lead"])
        gates.assess(uow, key=key, criterion_id="risk", status="not_met", actor=portfolio.emails["lead"],
                     note="No DPIA yet")  # fmt: skip
    return key


def file(response: httpx.Response, fmt: str, name: str) -> bytes:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == TYPES[fmt]
    assert response.headers["content-disposition"] == f'attachment; filename="{name}"'
    assert response.headers["cache-control"] == "no-store"
    return response.content


def sign_in(app: Any, email: str) -> TestClient:
    browser = TestClient(app, raise_server_exceptions=False)
    token = re.search(r'name="login_csrf" value="([^"]+)"', browser.get("/login").text)
    assert token
    signed = browser.post(
        "/login", data={"email": email, "password": PASSWORD, "login_csrf": token.group(1)}, follow_redirects=False
    )
    assert signed.status_code == 303, signed.text
    return browser


def test_the_api_serves_a_packet_in_every_format_to_any_reader(app: object, portfolio: Portfolio) -> None:
    key = open_review(portfolio)
    viewer = portfolio.client(app, "viewer")  # read is enough
    name = f"{key}-gate-1-packet"
    pdf = file(viewer.get(f"{API}/use-cases/{key}/review/packet.pdf"), "pdf", f"{name}.pdf")
    assert pdf.startswith(b"%PDF-") and len(PdfReader(io.BytesIO(pdf)).pages) >= 2
    html = file(viewer.get(f"{API}/use-cases/{key.lower()}/review/packet.html"), "html", f"{name}.html").decode()
    assert '<h1 class="doc-subject">' + f"{key} · Claims triage</h1>" in html and "No DPIA yet" in html
    markdown = file(viewer.get(f"{API}/use-cases/{key}/review/packet.md", params={"gate": 1}), "md", f"{name}.md")
    assert markdown.decode().startswith(f"# Gate 1 review packet: {key} · Claims triage")
    assert "| Risk | attestation | not met | No DPIA yet" in markdown.decode()


def test_nothing_to_print_is_a_clear_404_and_a_bad_format_a_422(app: object, portfolio: Portfolio) -> None:
    viewer = portfolio.client(app, "viewer")
    problem(viewer.get(f"{API}/use-cases/{portfolio.key}/review/packet.pdf"), 404,
            f"{portfolio.key} has no gate review yet, so there is no packet to print")  # fmt: skip
    problem(viewer.get(f"{API}/use-cases/UC-9999/review/packet.pdf"), 404, "no use case 'UC-9999'")
    open_review(portfolio)
    problem(viewer.get(f"{API}/use-cases/{portfolio.key}/review/packet.pdf", params={"gate": 2}), 404,
            "has no review at Gate 2; it has reviews at Gate 1")  # fmt: skip
    problem(viewer.get(f"{API}/use-cases/{portfolio.key}/review/packet.docx"), 422)
    problem(viewer.get(f"{API}/portfolio/report.xlsx"), 422)
    problem(viewer.get(f"{API}/use-cases/{portfolio.key}/review/packet.pdf", params={"gate": 0}), 422)


def test_the_api_serves_the_portfolio_report(app: object, portfolio: Portfolio) -> None:
    viewer = portfolio.client(app, "viewer")
    for fmt in ("pdf", "html", "md"):
        response = viewer.get(f"{API}/portfolio/report.{fmt}")
        assert response.status_code == 200 and response.headers["content-type"] == TYPES[fmt]
        assert re.fullmatch(r'attachment; filename="portfolio-report-\d{4}-\d{2}-\d{2}\.' + fmt + '"',
                            response.headers["content-disposition"])  # fmt: skip
    text = viewer.get(f"{API}/portfolio/report.md").text
    assert "**2 use cases** (2 active)" in text and "no named business-unit sponsor" not in text


def test_the_anonymous_get_401_from_the_api_and_the_sign_in_page_from_the_pages(
    app: object, portfolio: Portfolio
) -> None:
    key = open_review(portfolio)
    anonymous = portfolio.client(app)
    for url in (f"{API}/use-cases/{key}/review/packet.pdf", f"{API}/portfolio/report.md"):
        problem(anonymous.get(url), 401)
    for url in (f"/use-cases/{key}/review/packet.pdf", "/portfolio/report.html"):
        response = anonymous.get(url, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"] == f"/login?next={url}"
    bogus = TestClient(app, headers={"Authorization": "Bearer pgt_forged"}, raise_server_exceptions=False)  # type: ignore[arg-type]
    problem(bogus.get(f"{API}/portfolio/report.pdf"), 401)


def test_the_pages_link_to_and_serve_the_same_files(app: object, portfolio: Portfolio) -> None:
    browser = sign_in(app, portfolio.emails["viewer"])
    review = browser.get(f"/use-cases/{portfolio.key}/review")
    assert "packet.pdf" not in review.text  # nothing to print yet: no link
    key = open_review(portfolio)
    review = browser.get(f"/use-cases/{key}/review")
    for fmt in ("pdf", "html", "md"):
        assert f'href="/use-cases/{key}/review/packet.{fmt}"' in review.text
    assert 'href="/portfolio/report.pdf"' in browser.get("/portfolio").text
    pdf = file(browser.get(f"/use-cases/{key}/review/packet.pdf"), "pdf", f"{key}-gate-1-packet.pdf")
    assert pdf.startswith(b"%PDF-")
    assert file(browser.get("/portfolio/report.md"), "md", browser.get("/portfolio/report.md").headers[
        "content-disposition"].split('"')[1]).startswith(b"# AI use-case portfolio report")  # fmt: skip
    missing = browser.get(f"/use-cases/{portfolio.other_key}/review/packet.pdf")
    assert missing.status_code == 404 and "has no gate review yet" in missing.text  # a page, not a file
    with UnitOfWork(portfolio.settings) as uow:
        gates.decide(uow, key=key, decision="hold", actor=portfolio.emails["lead"], rationale="next budget cycle")
    review = browser.get(f"/use-cases/{key}/review")
    assert "Packet of the latest decision" in review.text and f"/use-cases/{key}/review/packet.pdf" in review.text
    html = browser.get(f"/use-cases/{key}/review/packet.html").text
    assert "Decision: Hold" in html and "next budget cycle" in html


def test_the_remote_cli_saves_what_the_server_renders(live_server: LiveServer, tmp_path: Path) -> None:
    """`pilotgate --server URL report …`: the server renders, the CLI writes the file whole."""
    portfolio = live_server.portfolio
    with UnitOfWork(portfolio.settings) as uow:
        gates.open_review(uow, key=portfolio.key, actor=portfolio.emails["lead"])
    env = {k: v for k, v in os.environ.items() if not k.startswith("PILOTGATE_")}
    env |= {"PILOTGATE_HOME": str(tmp_path / "elsewhere"), "PILOTGATE_TOKEN": portfolio.tokens["viewer"]}

    def remote(*args: str) -> subprocess.CompletedProcess[str]:
        command = [str(Path(sys.executable).parent / "pilotgate"), "--server", live_server.url, "report", *args]
        return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)

    out = tmp_path / "out"
    out.mkdir()
    target = out / "packet.pdf"
    done = remote("gate", portfolio.key, "-o", str(target))
    assert done.returncode == 0 and f"wrote {target} (PDF, " in done.stdout, done.stderr
    assert target.read_bytes().startswith(b"%PDF-") and len(PdfReader(target).pages) >= 2
    markdown = remote("portfolio", "-o", "-")
    assert markdown.returncode == 0 and markdown.stdout.startswith("# AI use-case portfolio report"), markdown.stderr
    missing = remote("gate", portfolio.other_key, "-o", str(out / "none.pdf"))
    assert missing.returncode == 3 and "has no gate review yet" in missing.stderr and "Traceback" not in missing.stderr
    assert [p.name for p in out.iterdir()] == ["packet.pdf"]  # nothing half-written, no temporary file left
