"""Handover and hypercare rules: the checklist, who may act, the handover document, the period.

Pure: no database, web or CLI import. The handover is the record of operations moving from the AI
programme to the team that runs the system from then on; it is what the Gate 4 artifact
`operations_ownership_transfer` documents. Hypercare is the period after a use case enters
production when it is watched closer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pilotgate.evidence.rules import format_duration, from_ms, is_stale

# What the AI programme hands over, in the order a handover document lists it.
ITEMS: dict[str, str] = {
    "runbook": "Operations runbook",
    "monitoring": "Monitoring and alerting",
    "on_call": "On-call rotation",
    "retraining": "Retraining cadence and pipeline",
    "access": "Access and credentials",
    "knowledge_transfer": "Knowledge transfer sessions",
}
STATUSES = ("proposed", "accepted")
# The AI programme's lead proposes; the receiving business unit's head accepts, which formalises
# that the business unit owns and operates the system from then on.
PROPOSER_ROLE = "program_lead"
ACCEPTOR_ROLE = "bu_head"
ARTIFACT = "operations_ownership_transfer"
TEAM_LIMIT = 120
NOTE_LIMIT = 2000


def item_problem(item: str) -> str | None:
    if item in ITEMS:
        return None
    return f"{item!r} is not a handover item; one of {', '.join(ITEMS)}"


def missing_items(done: Mapping[str, bool]) -> list[str]:
    """The checklist items not yet done, in checklist order."""
    return [item for item in ITEMS if not done.get(item, False)]


def acceptance_problem(done: Mapping[str, bool]) -> str | None:
    """Why a handover cannot be accepted yet, or None when every item is done."""
    missing = missing_items(done)
    if not missing:
        return None
    names = ", ".join(f"{item} ({ITEMS[item].lower()})" for item in missing)
    return f"{len(missing)} of {len(ITEMS)} handover items are not done: {names}"


def role_problem(role: str, held: Iterable[str], what: str) -> str | None:
    if role in held:
        return None
    return f"only the use case's {role} may {what}"


# ---------------------------------------------------------------- the handover document


@dataclass(frozen=True)
class ItemFacts:
    item: str
    done: bool
    done_by: str | None = None
    done_at: datetime | None = None
    note: str = ""


@dataclass(frozen=True)
class HandoverFacts:
    """A handover as its document shows it."""

    id: int
    key: str
    title: str
    use_case_unit: str
    team: str
    business_unit: str
    ops_owner: str  # "Name <email>"
    proposed_by: str
    proposed_at: datetime
    accepted_by: str
    accepted_at: datetime
    items: Sequence[ItemFacts] = field(default_factory=tuple)
    note: str = ""


def _day(moment: datetime | None) -> str:
    return moment.date().isoformat() if moment else "—"


def _cell(text: str) -> str:
    """One Markdown table cell: a pipe or a line break would end it early."""
    return " ".join(text.replace("|", "\\|").split())


def document(facts: HandoverFacts) -> str:
    """The operations ownership transfer document, as Markdown."""
    lines = [
        f"# Operations ownership transfer: {facts.key} {facts.title}",
        "",
        f"Operations of **{facts.key}** move from the AI programme to **{facts.team}** "
        f"({facts.business_unit}), which owns and operates the system from {_day(facts.accepted_at)} on.",
        "",
        "| | |",
        "|---|---|",
        f"| Use case | {_cell(facts.key)} {_cell(facts.title)} ({_cell(facts.use_case_unit)}) |",
        f"| Receiving team | {_cell(facts.team)} |",
        f"| Business unit | {_cell(facts.business_unit)} |",
        f"| Operations owner | {_cell(facts.ops_owner)} |",
        f"| Proposed | {_day(facts.proposed_at)} by {_cell(facts.proposed_by)} (AI programme lead) |",
        f"| Accepted | {_day(facts.accepted_at)} by {_cell(facts.accepted_by)} (business-unit head) |",
        f"| Handover record | #{facts.id} |",
        "",
        "## What was handed over",
        "",
        "| Item | Done | By | Note |",
        "|---|---|---|---|",
    ]
    for item in facts.items:
        mark = f"yes, {_day(item.done_at)}" if item.done else "no"
        lines.append(
            f"| {ITEMS.get(item.item, item.item)} | {mark} | {_cell(item.done_by or '—')} | {_cell(item.note) or '—'} |"
        )
    if facts.note:
        lines += ["", "## Notes", "", facts.note.strip()]
    lines += [
        "",
        "Accepting this handover, the business-unit head confirms that the receiving team runs monitoring, "
        "on-call, retraining and incident response for this system without the AI programme.",
        "",
    ]
    return "\n".join(lines)


@dataclass(frozen=True)
class Accepted:
    """The latest accepted handover of a use case: who owns its operations, since when, by whose word."""

    handover_id: int
    use_case_id: int
    team: str
    business_unit: str
    ops_owner: str
    accepted_at: datetime
    accepted_by: str


# ---------------------------------------------------------------- hypercare


def hypercare_until(entered_production: datetime, days: int) -> datetime:
    return entered_production + timedelta(days=days)


def in_hypercare(entered_production: datetime | None, now: datetime, days: int) -> bool:
    return entered_production is not None and entered_production <= now < hypercare_until(entered_production, days)


def stale_breach(
    key: str, last_point_ms: int | None, cadence_seconds: int | None, now_ms: int, *, ratio: float, min_grace: int
) -> str | None:
    """A series overdue under hypercare's smaller grace, said in one line, or None."""
    if not is_stale(last_point_ms, cadence_seconds, now_ms, ratio=ratio, minimum_seconds=min_grace):
        return None
    assert last_point_ms is not None and cadence_seconds is not None  # is_stale is False otherwise
    since = from_ms(last_point_ms).isoformat(timespec="minutes").replace("+00:00", "Z")
    return f"series {key} has no point since {since} (cadence {format_duration(cadence_seconds)}, hypercare grace)"


@dataclass(frozen=True)
class HypercareStatus:
    """A use case in hypercare and what breaches its tighter alerting now."""

    use_case_id: int
    key: str
    title: str
    entered: datetime
    until: datetime
    breaches: tuple[str, ...] = ()

    def text(self) -> str:
        until = self.until.date().isoformat()
        if not self.breaches:
            return f"in hypercare until {until}: no breach"
        count = f"{len(self.breaches)} breach{'es' if len(self.breaches) > 1 else ''}"
        return f"in hypercare until {until}, {count}: " + "; ".join(self.breaches)

    def as_dict(self) -> dict[str, object]:
        return {
            "key": self.key,
            "title": self.title,
            "entered_production": self.entered.isoformat(timespec="seconds"),
            "until": self.until.isoformat(timespec="seconds"),
            "breaches": list(self.breaches),
        }
