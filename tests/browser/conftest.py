"""Browser fixtures: Debian's chromium driven by Playwright against a live `pilotgate serve`.

Every context records every request it makes and every response it receives, so a test can prove
the pages load nothing from another host and that each response carries a Content-Security-Policy.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.web import conftest as web
from tests.web.conftest import PASSWORD, LiveServer

live_server = web.live_server  # the real `pilotgate serve` fixture, shared with the web tests

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LAPTOP = {"width": 1366, "height": 768}


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def _unavailable(reason: str) -> None:
    if _in_ci():
        pytest.fail(f"browser tests are mandatory in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless chromium for the whole session (each test opens its own contexts)."""
    executable = shutil.which("chromium")
    if executable is None:
        _unavailable("chromium is not installed (apt-get install chromium); browser tests need /usr/bin/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright for Python is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@dataclass
class Browsing:
    """Browser contexts on one live server, each with its own cookies, all of them watched."""

    browser: Any
    server: LiveServer
    requests: list[str] = field(default_factory=list)
    without_csp: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    contexts: list[Any] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.server.url

    def context(self) -> Any:
        context = self.browser.new_context(viewport=LAPTOP, accept_downloads=False)
        context.set_default_timeout(10_000)
        context.on("request", lambda request: self.requests.append(request.url))
        context.on("response", self._response)
        context.on("console", self._console)
        context.on("weberror", lambda error: self.errors.append(f"page error: {error.error}"))
        self.contexts.append(context)
        return context

    def _response(self, response: Any) -> None:
        if response.url.startswith(self.url) and "content-security-policy" not in response.headers:
            self.without_csp.append(f"{response.status} {response.url}")
        # A refused form answers 4xx on purpose; a failed GET (page, fragment, asset) or any 5xx is a bug.
        if response.status >= 500 or (response.status >= 400 and response.request.method == "GET"):
            self.errors.append(f"{response.status} on {response.request.method} {response.url}")

    def _console(self, message: Any) -> None:
        # "Failed to load resource" repeats a response status, judged in _response instead.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(f"console error on {message.page.url if message.page else '?'}: {message.text}")

    def page(self) -> Any:
        """A fresh page in a fresh context: a browser nobody has signed in with yet."""
        return self.context().new_page()

    def sign_in(self, email: str, password: str = PASSWORD) -> Any:
        """A page in its own context, signed in as `email` through the login form, on the board."""
        page = self.page()
        page.goto(self.url + "/login")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(self.url + "/")
        return page

    def foreign_requests(self) -> list[str]:
        return [url for url in self.requests if not (url == self.url or url.startswith(self.url + "/"))]

    def check(self) -> None:
        """Fail on any request off the live server, any response without a CSP, any page error."""
        assert self.requests, "no request was recorded"
        assert not self.foreign_requests(), f"the browser left 127.0.0.1: {self.foreign_requests()}"
        assert not self.without_csp, f"responses without a Content-Security-Policy: {self.without_csp}"
        assert not self.errors, "\n".join(self.errors)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def browsing(browser: Any, live_server: LiveServer) -> Iterator[Browsing]:
    """Contexts on the live server; after the test, the same checks again as a safety net."""
    session = Browsing(browser, live_server)
    try:
        yield session
    finally:
        session.close()
    session.check()
