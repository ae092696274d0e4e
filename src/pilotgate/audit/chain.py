"""The hash chain, as pure functions: canonical JSON, event hashes and chain verification."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    """JSON with sorted keys and no whitespace: the same value always gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


@dataclass(frozen=True)
class ChainedEvent:
    seq: int
    at: str
    actor: str
    action: str
    entity_type: str
    entity_id: str
    use_case_key: str | None
    before: str
    after: str
    prev_hash: str
    hash: str

    def body(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "entity_type": self.entity_type,
            "entity_id": self.entity_id,
            "use_case_key": self.use_case_key,
            "before": self.before,
            "after": self.after,
        }


def event_hash(prev_hash: str, body: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical_json(body)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    events: int
    head_seq: int
    head_hash: str
    problem: str | None = None
    first_bad_seq: int | None = None


def verify_chain(events: Iterable[ChainedEvent]) -> ChainReport:
    """Recompute the chain in sequence order; name the first event that does not match."""
    prev_hash, expected_seq, count = GENESIS, 1, 0
    for event in events:
        if event.seq != expected_seq:
            return ChainReport(
                False,
                count,
                expected_seq - 1,
                prev_hash,
                f"event #{expected_seq} is missing (found #{event.seq} next): rows were deleted or reordered",
                expected_seq,
            )
        if event.prev_hash != prev_hash:
            return ChainReport(
                False,
                count,
                event.seq - 1,
                prev_hash,
                f"event #{event.seq} does not link to event #{event.seq - 1}: its prev_hash was altered "
                "or an earlier event was replaced",
                event.seq,
            )
        if event_hash(prev_hash, event.body()) != event.hash:
            return ChainReport(
                False,
                count,
                event.seq - 1,
                prev_hash,
                f"event #{event.seq} ({event.action} on {event.entity_type} {event.entity_id}) was modified: "
                "its content no longer matches its hash",
                event.seq,
            )
        prev_hash, expected_seq, count = event.hash, expected_seq + 1, count + 1
    return ChainReport(True, count, expected_seq - 1, prev_hash)
