"""Digests and Slack-compatible messages, without a database or a network."""

from __future__ import annotations

import json
from datetime import date

from pilotgate.alerts.rules import Digest, Item, slack_message


def digest() -> Digest:
    return Digest(
        "sam@example.org",
        "Sam",
        approvals=[
            Item("UC-0001", "Gate 3: vote as CIO (Claims <triage> & co)", "https://pg/use-cases/UC-0001/review")
        ],
        stalled=[Item("UC-0002", "250 days in Pilot", "https://pg/use-cases/UC-0002")] * 2,
    )


def test_a_digest_reads_as_a_message_to_its_person() -> None:
    d = digest()
    assert d.subject() == "pilotgate: 1 approval waiting, 2 stalled use cases"
    text = d.text(date(2026, 11, 28))
    assert text.startswith("Hello Sam,") and "on 2026-11-28" in text
    assert "Approvals waiting for you (1):" in text and "Your stalled use cases (2):" in text
    assert "https://pg/use-cases/UC-0001/review" in text
    assert "Conditions you own" not in text  # empty sections are left out


def test_the_fingerprint_follows_the_content() -> None:
    assert digest().fingerprint() == digest().fingerprint()
    changed = digest()
    changed.stalled = changed.stalled[:1]
    assert changed.fingerprint() != digest().fingerprint()
    assert Digest("a@b.c", "A").empty


def test_slack_messages_escape_user_content_and_link_each_use_case() -> None:
    message = slack_message("Alerts <today>", digest().sections())
    blocks = json.dumps(message["blocks"])
    assert "Claims &lt;triage&gt; &amp; co" in blocks and "<triage>" not in blocks
    assert "<https://pg/use-cases/UC-0001/review|UC-0001>" in blocks
    assert message["text"].startswith("Alerts &lt;today&gt;") and "<triage>" not in message["text"]
    many = slack_message("t", [("Stalled", [Item(f"UC-{n:04d}", "x", "https://pg") for n in range(20)])])
    assert "…and 5 more" in json.dumps(many["blocks"], ensure_ascii=False)
