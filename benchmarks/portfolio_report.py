"""Portfolio report for 10,000 use cases with five years of stage history, on SQLite (target: under 1 s).

Builds the portfolio with bulk inserts into a temporary SQLite file: each use case starts at a
random moment in the last five years and walks the stages with realistic stays and stops; the
younger half went through recorded gate reviews and decisions, the older half came from an
inventory import (history only). Then times ``pilotgate.portfolio.flow.report`` — the queries
and the funnel that `pilotgate portfolio report` runs.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import Any

USE_CASES = int(os.environ.get("PILOTGATE_BENCH_USE_CASES", "10000"))
YEARS = 5
STOP_CHANCE = {1: 0.15, 2: 0.30, 3: 0.25, 4: 0.05}


class Portfolio:
    """Rows for bulk insert, with ids assigned here so children can point at their parents."""

    def __init__(self, now: datetime, policy: Any, version_id: int, person_id: int) -> None:
        self.now, self.policy, self.version_id, self.person_id = now, policy, version_id, person_id
        self.use_cases: list[dict[str, Any]] = []
        self.history: list[dict[str, Any]] = []
        self.reviews: list[dict[str, Any]] = []
        self.decisions: list[dict[str, Any]] = []

    def decide(self, use_case_id: int, gate: Any, kind: str, at: datetime, to_stage: str, status: str) -> int:
        review_id = len(self.reviews) + 1
        self.reviews.append(
            {
                "id": review_id,
                "use_case_id": use_case_id,
                "gate_number": gate.number,
                "from_stage": gate.from_stage,
                "to_stage": gate.to_stage,
                "policy_version_id": self.version_id,
                "state": "decided",
                "opened_by_id": self.person_id,
                "opened_at": at - timedelta(days=5),
                "decided_at": at,
            }
        )
        self.decisions.append(
            {
                "id": review_id,
                "review_id": review_id,
                "kind": kind,
                "from_stage": gate.from_stage,
                "to_stage": to_stage,
                "resulting_status": status,
                "rationale": "",
                "decided_by_id": self.person_id,
                "decided_at": at,
                "snapshot": "{}",
                "snapshot_sha256": "0" * 64,
            }
        )
        return review_id

    def walk(self, rng: random.Random, use_case_id: int) -> None:
        """One use case's life: a stay in each stage, then a gate that passes it on or stops it."""
        started = self.now - timedelta(days=rng.uniform(1, YEARS * 365))
        decided = started > self.now - timedelta(days=YEARS * 365 / 2)
        stages, status, at = self.policy.stages, "active", started
        entries: list[tuple[str, datetime, int | None]] = [(stages[0].id, started, None)]
        for stage in stages[:-1]:
            low, high = stage.expected_duration.min_weeks, stage.expected_duration.max_weeks or 52
            leave = at + timedelta(weeks=rng.uniform(low, high * (3 if stage.operational else 2)))
            if leave >= self.now:
                break
            gate = self.policy.gate_from(stage.id)
            at = leave
            if rng.random() < STOP_CHANCE[gate.number]:
                status = "stopped"
                if decided:
                    self.decide(use_case_id, gate, "stop", at, gate.from_stage, status)
                break
            decision = self.decide(use_case_id, gate, "go", at, gate.to_stage, status) if decided else None
            entries.append((gate.to_stage, at, decision))
        if status == "active" and entries[-1][0] == "production" and rng.random() < 0.1:
            status = "retired"
        for index, (stage_id, entered, decision) in enumerate(entries):
            left = entries[index + 1][1] if index + 1 < len(entries) else None
            self.history.append(
                {
                    "use_case_id": use_case_id,
                    "stage": stage_id,
                    "entered_at": entered,
                    "left_at": left,
                    "decision_id": decision,
                    "reason": "go" if decision else "registered" if index == 0 and decided else "imported",
                }
            )
        self.use_cases.append(
            {
                "id": use_case_id,
                "key": f"UC-{use_case_id:05d}",
                "title": f"Use case {use_case_id}",
                "description": "",
                "business_unit": f"BU {use_case_id % 12}",
                "risk_tier": rng.choice(self.policy.risk_tiers),
                "status": status,
                "stage": entries[-1][0],
                "stage_entered_at": entries[-1][1],
                "policy_name": self.policy.name,
                "created_at": started if decided else self.now - timedelta(days=30),
            }
        )


def build() -> tuple[int, int, int]:
    from sqlalchemy import insert

    from pilotgate.config import Settings
    from pilotgate.db.uow import UnitOfWork
    from pilotgate.gates.models import Decision, Review
    from pilotgate.policy import service as policies
    from pilotgate.usecases.models import Person, StageHistory, UseCase

    rng = random.Random(11)
    now = datetime.now(UTC)
    with UnitOfWork(Settings.from_env()) as uow:
        version = policies.ensure_shipped(uow)
        session = uow.session
        person = Person(email="lead@bench.example.org", name="Programme lead", created_at=now)
        session.add(person)
        session.flush()
        portfolio = Portfolio(now, policies.parsed(version), version.id, person.id)
        for use_case_id in range(1, USE_CASES + 1):
            portfolio.walk(rng, use_case_id)
        session.execute(insert(UseCase), portfolio.use_cases)
        session.execute(insert(Review), portfolio.reviews)
        session.execute(insert(Decision), portfolio.decisions)
        session.execute(insert(StageHistory), portfolio.history)
    return len(portfolio.use_cases), len(portfolio.history), len(portfolio.decisions)


def main() -> None:
    from pilotgate.config import Settings
    from pilotgate.db.uow import UnitOfWork
    from pilotgate.portfolio import flow

    with tempfile.TemporaryDirectory() as directory:
        os.environ["PILOTGATE_HOME"] = directory
        os.environ.pop("PILOTGATE_DATABASE_URL", None)
        start = time.perf_counter()
        use_cases, visits, decisions = build()
        print(
            f"built {use_cases:,} use cases with {visits:,} stage visits and {decisions:,} gate decisions "
            f"over {YEARS} years in {time.perf_counter() - start:.1f} s"
        )
        timings = []
        for _ in range(5):
            start = time.perf_counter()
            with UnitOfWork(Settings.from_env(), read_only=True) as uow:
                report = flow.report(uow)
            timings.append(time.perf_counter() - start)
        rate = report.production.rate or 0.0
        gate2 = report.gates[1].kill_rate or 0.0
        print(
            f"portfolio report of {report.total:,} use cases (production rate {rate:.1%}, Gate 2 kill rate "
            f"{gate2:.1%}): median {statistics.median(timings):.3f} s, best {min(timings):.3f} s "
            f"over {len(timings)} runs (target under 1 s)"
        )


if __name__ == "__main__":
    main()
