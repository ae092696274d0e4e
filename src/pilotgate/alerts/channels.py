"""Where alerts go: webhooks (Slack-compatible JSON) and e-mail over SMTP, set in the environment."""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any
from urllib.parse import urlparse

import httpx

from pilotgate.errors import InvalidInput


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    user: str | None
    password: str | None
    starttls: bool


def webhooks() -> list[str]:
    """PILOTGATE_ALERT_WEBHOOKS: comma-separated http(s) URLs that receive the portfolio summary."""
    urls = [u.strip() for u in os.environ.get("PILOTGATE_ALERT_WEBHOOKS", "").split(",") if u.strip()]
    for url in urls:
        if urlparse(url).scheme not in ("http", "https") or not urlparse(url).netloc:
            raise InvalidInput("PILOTGATE_ALERT_WEBHOOKS", f"{url!r} is not an http(s) URL")
    return urls


def smtp() -> SmtpSettings | None:
    """PILOTGATE_SMTP_HOST (and _PORT, _FROM, _USER, _PASSWORD, _STARTTLS): None when unset."""
    host = os.environ.get("PILOTGATE_SMTP_HOST", "").strip()
    if not host:
        return None
    port = os.environ.get("PILOTGATE_SMTP_PORT", "25").strip()
    if not port.isdigit():
        raise InvalidInput("PILOTGATE_SMTP_PORT", f"{port!r} is not a port number")
    return SmtpSettings(
        host=host,
        port=int(port),
        sender=os.environ.get("PILOTGATE_SMTP_FROM", "pilotgate@localhost"),
        user=os.environ.get("PILOTGATE_SMTP_USER") or None,
        password=os.environ.get("PILOTGATE_SMTP_PASSWORD") or None,
        starttls=os.environ.get("PILOTGATE_SMTP_STARTTLS", "") not in ("", "0"),
    )


def post_webhook(url: str, payload: dict[str, Any]) -> str | None:
    """Send one payload; None on success, else why it failed (the caller records it)."""
    try:
        response = httpx.post(url, json=payload, timeout=10)
    except httpx.HTTPError as error:
        return f"{urlparse(url).netloc}: {error}"
    if response.status_code >= 300:
        return f"{urlparse(url).netloc} answered {response.status_code}: {response.text[:200]}"
    return None


def send_mail(settings: SmtpSettings, *, to: str, subject: str, body: str) -> str | None:
    """Send one plain-text e-mail; None on success, else why it failed."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.sender, to, subject
    message.set_content(body)
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=15) as client:
            if settings.starttls:
                client.starttls(context=ssl.create_default_context())
            if settings.user and settings.password:
                client.login(settings.user, settings.password)
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as error:
        return f"SMTP {settings.host}:{settings.port}: {error}"
    return None
