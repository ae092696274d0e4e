"""Alerts end to end: `pilotgate check` sends each person's digest to a real SMTP server (aiosmtpd)
and the portfolio summary to a real webhook receiver; unchanged messages are not repeated, a failed
delivery is retried, and racing instances send once — on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
from aiosmtpd.controller import Controller

from tests.builders import cli, ok
from tests.web.conftest import free_port


class Inbox:
    """An SMTP handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=default)
        self.messages.append((envelope.rcpt_tos, message))
        return "250 OK"


class Receiver(BaseHTTPRequestHandler):
    """A webhook endpoint: records JSON bodies; answers with the status the test sets."""

    received: ClassVar[list[dict[str, Any]]] = []
    status: ClassVar[int] = 200

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", "0"))
        type(self).received.append(json.loads(self.rfile.read(length)))
        self.send_response(type(self).status)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setenv("PILOTGATE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PILOTGATE_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("PILOTGATE_SMTP_FROM", "alerts@pilotgate.test")
    yield inbox
    controller.stop()


@pytest.fixture
def webhook(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[Receiver]]:
    handler = type("Hook", (Receiver,), {"received": [], "status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("PILOTGATE_ALERT_WEBHOOKS", f"http://127.0.0.1:{server.server_port}/hooks/pilotgate")
    monkeypatch.setenv("PILOTGATE_BASE_URL", "https://pilotgate.example.org")
    yield handler
    server.shutdown()


def test_check_sends_digests_and_the_summary_once_then_retries_failures(
    demo_home: Path, smtp: Inbox, webhook: type[Receiver]
) -> None:
    report = json.loads(ok("check", "--json"))
    assert report["failed"] == [] and report["not_configured"] == []
    recipients = {to for tos, _ in smtp.messages for to in tos}
    assert recipients == {d["email"] for d in report["digests"]} and len(recipients) >= 5
    # the head of Customer Service owns the zombie pilot UC-0007: it is in their digest, with a link
    [(_, mail)] = [(tos, m) for tos, m in smtp.messages if tos == ["daniel.moreau@demo.pilotgate.org"]]
    body = mail.get_content()
    assert mail["Subject"].startswith("pilotgate: ") and "stalled use case" in mail["Subject"]
    assert "UC-0007: pilot adoption under the 60% threshold" in body
    assert "https://pilotgate.example.org/use-cases/UC-0007" in body
    assert "Approvals waiting for you" in body
    [summary] = webhook.received
    assert summary["text"].startswith("pilotgate portfolio alerts")
    stalled = next(
        b["text"]["text"] for b in summary["blocks"] if "Stalled use cases" in b.get("text", {}).get("text", "")
    )
    assert "<https://pilotgate.example.org/use-cases/UC-0007|UC-0007>" in stalled

    # nothing changed: nothing is sent again
    again = json.loads(ok("check", "--json", "--force"))
    assert again["sent"] == [] and len(again["unchanged"]) == len(report["sent"])
    assert len(webhook.received) == 1 and len(smtp.messages) == len(recipients)


def test_a_failed_webhook_exits_1_and_is_retried(demo_home: Path, webhook: type[Receiver]) -> None:
    webhook.status = 500
    failed = cli("check", "--json")
    assert failed.code == 1
    report = json.loads(failed.stdout)
    assert len(report["failed"]) == 1 and "answered 500" in report["failed"][0]
    assert report["not_configured"] == ["e-mail (set PILOTGATE_SMTP_HOST)"]
    webhook.status = 200
    retried = json.loads(ok("check", "--json", "--force"))
    assert len(retried["sent"]) == 1 and len(webhook.received) == 2


def test_a_dry_run_sends_nothing(demo_home: Path, smtp: Inbox, webhook: type[Receiver]) -> None:
    out = ok("check", "--dry-run")
    assert "dry run: nothing was sent" in out and "UC-0007" in out
    assert smtp.messages == [] and webhook.received == []


RACER = """
import os, subprocess, sys, time
from pathlib import Path
start = Path(sys.argv[1])
Path(f"{start}.ready.{os.getpid()}").touch()
while not start.exists():
    time.sleep(0.005)
sys.exit(subprocess.run(sys.argv[2:]).returncode)
"""


def test_two_instances_running_the_check_at_once_send_once(demo_home: Path, webhook: type[Receiver]) -> None:
    pilotgate = str(Path(sys.executable).parent / "pilotgate")
    start = demo_home.parent / f"start-{time.monotonic_ns()}"
    racers = [
        subprocess.Popen([sys.executable, "-c", RACER, str(start), pilotgate, "check"], env=dict(os.environ))
        for _ in range(2)
    ]
    deadline = time.monotonic() + 60
    while len(list(demo_home.parent.glob(f"{start.name}.ready.*"))) < 2:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    start.touch()
    assert [r.wait(timeout=120) for r in racers] == [0, 0]
    assert len(webhook.received) == 1
