"""The check: evaluate the rules, build each person's digest and the portfolio summary, send them."""

from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlparse

from sqlalchemy import select

from pilotgate.alerts import channels
from pilotgate.alerts.models import AlertDelivery
from pilotgate.alerts.rules import Digest, Item, slack_message
from pilotgate.db.uow import UnitOfWork
from pilotgate.gates import approvals
from pilotgate.gates.models import Condition, Decision, Review
from pilotgate.handover import hypercare
from pilotgate.handover.rules import HypercareStatus
from pilotgate.portfolio.stalled_queries import stalled
from pilotgate.usecases.models import Person, RoleAssignment, UseCase

# The roles that own a use case's outcome: their stalled use cases are in their digest.
OWNER_ROLES = ("sponsor", "program_lead", "bu_head", "ops_owner")
DUE_SOON_DAYS = 7
REPEAT_AFTER = timedelta(hours=24)


def base_url() -> str:
    return os.environ.get("PILOTGATE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")


@dataclass
class Report:
    digests: list[Digest] = field(default_factory=list)
    summary: list[tuple[str, list[Item]]] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    not_configured: list[str] = field(default_factory=list)
    hypercare: list[HypercareStatus] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "digests": [
                {"email": d.email, "sections": {t: [i.__dict__ for i in items] for t, items in d.sections()}}
                for d in self.digests
            ],
            "summary": {title: [i.__dict__ for i in items] for title, items in self.summary},
            "sent": self.sent,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "not_configured": self.not_configured,
            "hypercare": [status.as_dict() for status in self.hypercare],
        }


def digests(uow: UnitOfWork, watched: list[HypercareStatus] | None = None) -> list[Digest]:
    """Every person's digest that has something in it, by e-mail; `watched`: the use cases in
    hypercare (looked up when not given)."""
    link = base_url()
    people: dict[str, Digest] = {}
    owners: dict[str, set[str]] = defaultdict(set)
    for email, name, key, role in uow.session.execute(
        select(Person.email, Person.name, UseCase.key, RoleAssignment.role)
        .join(RoleAssignment, RoleAssignment.person_id == Person.id)
        .join(UseCase, UseCase.id == RoleAssignment.use_case_id)
        .where(UseCase.status.in_(("active", "on_hold")))
    ):
        people.setdefault(email, Digest(email, name))
        if role in OWNER_ROLES:
            owners[key].add(email)
    reviewing = set(
        uow.session.scalars(
            select(Person.email)
            .join(RoleAssignment, RoleAssignment.person_id == Person.id)
            .join(Review, (Review.use_case_id == RoleAssignment.use_case_id) & (Review.state == "open"))
        )
    )
    for email in sorted(reviewing & people.keys()):
        for w in approvals.waiting_for(uow, email):
            text = f"{w['gate_title']}: {w['action']} as {w['role_title']} ({w['title']})"
            people[email].approvals.append(Item(w["key"], text, f"{link}/use-cases/{w['key']}/review"))
    for finding in stalled(uow):
        for email in sorted(owners.get(finding.key, ())):
            text = f"{finding.explanation} — {finding.action}"
            people[email].stalled.append(Item(finding.key, text, f"{link}/use-cases/{finding.key}"))
    soon = uow.now().date() + timedelta(days=DUE_SOON_DAYS)
    for email, name, key, text, due in uow.session.execute(
        select(Person.email, Person.name, UseCase.key, Condition.text, Condition.due_date)
        .join(Person, Person.id == Condition.owner_id)
        .join(Decision, Decision.id == Condition.decision_id)
        .join(Review, Review.id == Decision.review_id)
        .join(UseCase, UseCase.id == Review.use_case_id)
        .where(Condition.status == "open", Condition.due_date <= soon)
    ):
        overdue = "overdue since" if due < uow.now().date() else "due"
        people.setdefault(email, Digest(email, name)).conditions.append(
            Item(key, f"{text} ({overdue} {due.isoformat()})", f"{link}/use-cases/{key}")
        )
    for status in hypercare.statuses(uow) if watched is None else watched:
        for email in sorted(owners.get(status.key, ())) if status.breaches else ():
            people[email].hypercare.append(Item(status.key, status.text(), f"{link}/use-cases/{status.key}#hypercare"))
    return [d for _, d in sorted(people.items()) if not d.empty]


def summary(digests_: list[Digest]) -> list[tuple[str, list[Item]]]:
    """The portfolio-wide message for webhooks: every stalled use case, approvals and conditions waiting."""
    seen: dict[str, dict[tuple[str, str], Item]] = {"stalled": {}, "approvals": {}, "conditions": {}}
    for digest in digests_:
        for name, items in (
            ("stalled", digest.stalled),
            ("approvals", digest.approvals),
            ("conditions", digest.conditions),
        ):
            for item in items:
                who = digest.email if name != "stalled" else ""
                text = item.text if not who else f"{item.text} — {who}"
                seen[name].setdefault((item.key, text), Item(item.key, text, item.link))
    titles = {"stalled": "Stalled use cases", "approvals": "Approvals waiting", "conditions": "Conditions due"}
    return [(titles[name], list(found.values())) for name, found in seen.items() if found]


def summary_fingerprint(sections: list[tuple[str, list[Item]]]) -> str:
    content = [(title, [(i.key, i.text) for i in items]) for title, items in sections]
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _already_sent(uow: UnitOfWork, channel: str, fingerprint: str) -> bool:
    since = uow.now() - REPEAT_AFTER
    return (
        uow.session.scalar(
            select(AlertDelivery.id)
            .where(
                AlertDelivery.channel == channel,
                AlertDelivery.fingerprint == fingerprint,
                AlertDelivery.status == "sent",
                AlertDelivery.sent_at > since,
            )
            .limit(1)
        )
        is not None
    )


def _deliver(uow: UnitOfWork, report: Report, channel: str, fingerprint: str, send: Any) -> None:
    if _already_sent(uow, channel, fingerprint):
        report.unchanged.append(channel)
        return
    error = send()
    uow.session.add(
        AlertDelivery(
            channel=channel,
            fingerprint=fingerprint,
            sent_at=uow.now(),
            status="failed" if error else "sent",
            error=error or "",
        )
    )
    (report.failed if error else report.sent).append(f"{channel}: {error}" if error else channel)


def check(uow: UnitOfWork, *, dry_run: bool = False) -> Report:
    """Evaluate the rules and send each person's digest and the portfolio summary (unless dry).

    An unchanged message is not sent to the same place again within a day; a failed one is retried
    at the next check.
    """
    watched = hypercare.statuses(uow)
    report = Report(digests=digests(uow, watched), hypercare=watched)
    report.summary = summary(report.digests) + hypercare.summary_section(watched, base_url())
    if dry_run:
        return report
    mail, hooks = channels.smtp(), channels.webhooks()
    today = uow.now().date()
    if mail is None:
        report.not_configured.append("e-mail (set PILOTGATE_SMTP_HOST)")
    else:
        for digest in report.digests:
            body = digest.text(today)
            _deliver(
                uow,
                report,
                f"email:{digest.email}",
                digest.fingerprint(),
                lambda d=digest, b=body: channels.send_mail(mail, to=d.email, subject=d.subject(), body=b),
            )
    if not hooks:
        report.not_configured.append("webhooks (set PILOTGATE_ALERT_WEBHOOKS)")
    elif report.summary:
        payload = slack_message(f"pilotgate portfolio alerts, {today.isoformat()}", report.summary)
        fingerprint = summary_fingerprint(report.summary)
        for url in hooks:
            target = urlparse(url)
            _deliver(
                uow,
                report,
                f"webhook:{target.netloc}{target.path}"[:400],
                fingerprint,
                lambda u=url: channels.post_webhook(u, payload),
            )
    return report
