"""Digests as pure data and text: what waits for each person, and how a message reads."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Item:
    """One line of a digest, with the use case it is about and a link to act on it."""

    key: str
    text: str
    link: str


@dataclass
class Digest:
    """Everything that waits for one person."""

    email: str
    name: str
    approvals: list[Item] = field(default_factory=list)
    stalled: list[Item] = field(default_factory=list)
    conditions: list[Item] = field(default_factory=list)
    hypercare: list[Item] = field(default_factory=list)  # use cases in hypercare with a breach

    @property
    def empty(self) -> bool:
        return not (self.approvals or self.stalled or self.conditions or self.hypercare)

    def sections(self) -> list[tuple[str, list[Item]]]:
        return [
            (title, items)
            for title, items in (
                ("Approvals waiting for you", self.approvals),
                ("Your stalled use cases", self.stalled),
                ("Conditions you own, due soon or overdue", self.conditions),
                ("Your use cases in hypercare, with breaches", self.hypercare),
            )
            if items
        ]

    def fingerprint(self) -> str:
        """Same content, same fingerprint: an unchanged digest is not sent again the same day."""
        content = [(title, [(i.key, i.text) for i in items]) for title, items in self.sections()]
        return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()

    def subject(self) -> str:
        counts = [
            f"{len(items)} {one if len(items) == 1 else many}"
            for one, many, items in (
                ("approval waiting", "approvals waiting", self.approvals),
                ("stalled use case", "stalled use cases", self.stalled),
                ("condition due", "conditions due", self.conditions),
                ("hypercare breach", "hypercare breaches", self.hypercare),
            )
            if items
        ]
        return "pilotgate: " + ", ".join(counts)

    def text(self, today: date) -> str:
        lines = [f"Hello {self.name},", "", f"What waits for you in pilotgate on {today.isoformat()}:", ""]
        for title, items in self.sections():
            lines.append(f"{title} ({len(items)}):")
            lines += [f"  - {item.key}: {item.text}\n    {item.link}" for item in items]
            lines.append("")
        lines.append("Nothing proceeds without a gate decision.")
        return "\n".join(lines)


def slack_message(title: str, sections: list[tuple[str, list[Item]]]) -> dict[str, Any]:
    """A Slack-compatible incoming-webhook payload: `text` for any receiver, `blocks` for Slack.

    Slack's mrkdwn treats <, > and & as markup, so user content is escaped before it goes in.
    """
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": title[:150]}}]
    plain = [_mrkdwn(title)]
    for heading, items in sections:
        shown = items[:15]
        body = "\n".join(f"• <{i.link}|{_mrkdwn(i.key)}> {_mrkdwn(i.text)}" for i in shown)
        if len(items) > len(shown):
            body += f"\n…and {len(items) - len(shown)} more"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"*{_mrkdwn(heading)}*\n{body}"[:3000]}})
        plain.append(f"{_mrkdwn(heading)}: " + "; ".join(f"{_mrkdwn(i.key)} {_mrkdwn(i.text)}" for i in items))
    return {"text": "\n".join(plain), "blocks": blocks}


def _mrkdwn(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
