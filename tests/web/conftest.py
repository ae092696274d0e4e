"""Web fixtures: the real app on a real database, accounts of every role, and a live server."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from pilotgate.accounts import service as accounts
from pilotgate.config import Settings
from pilotgate.db.engine import Database
from pilotgate.db.uow import UnitOfWork
from pilotgate.usecases import service as usecases

PASSWORD = "correct-horse-battery-staple"
APP_ROLES = ("admin", "program_lead", "contributor", "viewer")


@dataclass
class Portfolio:
    """Accounts of every application role, and a use case with named approvers."""

    settings: Settings
    tokens: dict[str, str] = field(default_factory=dict)  # account handle -> API token
    emails: dict[str, str] = field(default_factory=dict)
    key: str = ""
    other_key: str = ""

    def client(self, app: object, who: str | None = None) -> TestClient:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"} if who else {}
        return TestClient(app, headers=headers, raise_server_exceptions=False)  # type: ignore[arg-type]


def build_portfolio(settings: Settings) -> Portfolio:
    """admin, program_lead (named program_lead on UC-0001), contributor sponsor (named sponsor), a
    contributor who is named on nothing (outsider), a viewer; UC-0002 where nobody here is named."""
    portfolio = Portfolio(settings)
    people = {
        "admin": ("admin@example.org", "admin"),
        "lead": ("lead@example.org", "program_lead"),
        "sponsor": ("sponsor@example.org", "contributor"),
        "outsider": ("outsider@example.org", "contributor"),
        "viewer": ("viewer@example.org", "viewer"),
        "other_lead": ("other.lead@example.org", "contributor"),
        "other_sponsor": ("other.sponsor@example.org", "contributor"),
    }
    with UnitOfWork(settings) as uow:
        for handle, (email, role) in people.items():
            accounts.create_user(uow, email=email, role=role, name=handle.replace("_", " ").title(), actor="test")
            accounts.set_password(uow, email=email, password=PASSWORD, actor="test")
            portfolio.tokens[handle] = accounts.create_token(uow, email=email, name="test", actor="test")[0]
            portfolio.emails[handle] = email
        first = usecases.create(uow, title="Claims triage", business_unit="Claims", actor="test")
        second = usecases.create(uow, title="Fraud scoring", business_unit="Risk", actor="test")
        portfolio.key, portfolio.other_key = first.key, second.key
        usecases.assign(uow, key=first.key, role="program_lead", email=people["lead"][0], actor="test")
        usecases.assign(uow, key=first.key, role="sponsor", email=people["sponsor"][0], actor="test")
        usecases.assign(uow, key=second.key, role="program_lead", email=people["other_lead"][0], actor="test")
        usecases.assign(uow, key=second.key, role="sponsor", email=people["other_sponsor"][0], actor="test")
    return portfolio


@pytest.fixture
def web_settings(home: Path) -> Settings:
    return Settings.from_env()


@pytest.fixture
def portfolio(web_settings: Settings) -> Portfolio:
    return build_portfolio(web_settings)


@pytest.fixture
def app(web_settings: Settings) -> object:
    from pilotgate.web.app import create_app

    return create_app(web_settings)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    home: Path
    portfolio: Portfolio


@pytest.fixture
def live_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    """A real `pilotgate serve` process on 127.0.0.1, on its own SQLite home."""
    home = tmp_path / "server-home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PILOTGATE_")}
    env["PILOTGATE_HOME"] = str(home)
    monkeypatch.setenv("PILOTGATE_HOME", str(home))
    monkeypatch.delenv("PILOTGATE_DATABASE_URL", raising=False)
    settings = Settings.from_env()
    portfolio = build_portfolio(settings)
    Database.dispose_all()
    port = free_port()
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "pilotgate"), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/login", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError(f"the server did not start: {process.stdout.read().decode() if process.stdout else ''}")
    yield LiveServer(url, home, portfolio)
    process.terminate()
    process.wait(timeout=10)
