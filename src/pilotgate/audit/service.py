"""Record audit events on the chain and verify the chain against the signed checkpoints."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from pilotgate.audit.chain import GENESIS, ChainedEvent, ChainReport, canonical_json, event_hash, verify_chain
from pilotgate.audit.models import AuditEvent
from pilotgate.db.uow import UnitOfWork


def _head(uow: UnitOfWork) -> tuple[int, str]:
    if uow.audit_head is None:
        last = uow.session.execute(
            select(AuditEvent.seq, AuditEvent.hash).order_by(AuditEvent.seq.desc()).limit(1)
        ).first()
        uow.audit_head = (last.seq, last.hash) if last else (0, GENESIS)
    return uow.audit_head


def record(
    uow: UnitOfWork,
    *,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str | int,
    use_case_key: str | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain; runs inside the caller's (writer-serialised) transaction."""
    seq, prev_hash = _head(uow)
    event = AuditEvent(
        seq=seq + 1,
        at=uow.now(),
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=str(entity_id),
        use_case_key=use_case_key,
        before=canonical_json(before or {}),
        after=canonical_json(after or {}),
        prev_hash=prev_hash,
        hash="",
    )
    event.hash = event_hash(prev_hash, _as_chained(event).body())
    uow.session.add(event)
    uow.audit_head = (event.seq, event.hash)
    uow.audit_written = True
    return event


def _as_chained(event: AuditEvent) -> ChainedEvent:
    return ChainedEvent(
        seq=event.seq,
        at=event.at.isoformat(timespec="microseconds"),
        actor=event.actor,
        action=event.action,
        entity_type=event.entity_type,
        entity_id=event.entity_id,
        use_case_key=event.use_case_key,
        before=event.before,
        after=event.after,
        prev_hash=event.prev_hash,
        hash=event.hash,
    )


def _all_events(uow: UnitOfWork) -> Iterator[ChainedEvent]:
    rows = uow.session.execute(select(AuditEvent).order_by(AuditEvent.seq).execution_options(yield_per=2000)).scalars()
    for event in rows:
        yield _as_chained(event)


@dataclass(frozen=True)
class Verification:
    chain: ChainReport
    checkpoints: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return self.chain.ok and not self.problems


def verify(uow: UnitOfWork) -> Verification:
    """Recompute the chain, then check it against every signed checkpoint."""
    from pilotgate.audit.checkpoints import check_against_checkpoints, read_checkpoints

    checkpoints = read_checkpoints(uow)  # first: see read_checkpoints
    report = verify_chain(_all_events(uow))
    problems, checked = check_against_checkpoints(uow, report, checkpoints)
    return Verification(report, checked, problems)


def history(uow: UnitOfWork, *, use_case_key: str | None = None, limit: int | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.seq.desc())
    if use_case_key is not None:
        query = query.where(AuditEvent.use_case_key == use_case_key)
    if limit is not None:
        query = query.limit(limit)
    return list(reversed(uow.session.execute(query).scalars().all()))
