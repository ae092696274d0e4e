"""Blockers of 10,000 use cases with open reviews, on SQLite (target: under 1 s).

Builds the portfolio with bulk inserts into a temporary SQLite file (a realistic mix: some
criteria assessed, some artifacts attached, some votes cast), then times
``pilotgate.gates.readiness.all_open`` — the query-and-rules path that `pilotgate gate
readiness` runs.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

USE_CASES = int(os.environ.get("PILOTGATE_BENCH_USE_CASES", "10000"))


def build(home: Path) -> None:
    from sqlalchemy import insert, select

    from pilotgate.config import Settings
    from pilotgate.db.uow import UnitOfWork
    from pilotgate.gates import rules
    from pilotgate.gates.models import Artifact, Assessment, Review, Vote
    from pilotgate.policy import service as policies
    from pilotgate.usecases.models import Person, RoleAssignment, UseCase

    rng = random.Random(7)
    now = datetime.now(UTC)
    with UnitOfWork(Settings.from_env()) as uow:
        version = policies.ensure_shipped(uow)
        policy = policies.parsed(version)
        session = uow.session
        people = [{"email": f"p{i}@bench.example.org", "name": f"Person {i}", "created_at": now} for i in range(200)]
        session.execute(insert(Person), people)
        person_ids = list(session.scalars(select(Person.id)))
        stages = ["discovery", "poc", "pilot", "production"]
        session.execute(
            insert(UseCase),
            [
                {
                    "key": f"UC-{i:05d}",
                    "title": f"Use case {i}",
                    "description": "",
                    "business_unit": f"BU {i % 12}",
                    "risk_tier": rng.choice(policy.risk_tiers),
                    "status": "active",
                    "stage": stages[i % 4],
                    "stage_entered_at": now - timedelta(days=rng.randint(1, 300)),
                    "policy_name": version.name,
                    "created_at": now,
                }
                for i in range(1, USE_CASES + 1)
            ],
        )
        use_cases = session.execute(select(UseCase.id, UseCase.stage)).all()
        roles = policy.role_ids()
        session.execute(
            insert(RoleAssignment),
            [
                {
                    "use_case_id": uc_id,
                    "role": role,
                    "person_id": person_ids[(uc_id * 7 + n) % len(person_ids)],
                    "assigned_at": now,
                }
                for uc_id, _ in use_cases
                for n, role in enumerate(roles)
            ],
        )
        session.execute(
            insert(Review),
            [
                {
                    "use_case_id": uc_id,
                    "gate_number": stages.index(stage) + 1,
                    "from_stage": stage,
                    "to_stage": stages[stages.index(stage) + 1] if stage != "production" else "scale",
                    "policy_version_id": version.id,
                    "state": "open",
                    "opened_by_id": person_ids[uc_id % len(person_ids)],
                    "opened_at": now,
                }
                for uc_id, stage in use_cases
            ],
        )
        reviews = session.execute(select(Review.id, Review.gate_number, Review.use_case_id)).all()
        assessments, artifacts, votes = [], [], []
        for review_id, gate_number, uc_id in reviews:
            gate = policy.gate(gate_number)
            assert gate is not None
            for criterion in gate.criteria:
                if rng.random() < 0.7:
                    assessments.append(
                        {
                            "review_id": review_id,
                            "criterion_id": criterion.id,
                            "status": rng.choice(["met", "met", "met", "not_met"]),
                            "justification": "ok",
                            "evidence_links": "[]",
                            "assessed_by_id": person_ids[0],
                            "assessed_at": now,
                        }
                    )
            for spec in gate.artifacts:
                if rng.random() < 0.6:
                    artifacts.append(
                        {
                            "review_id": review_id,
                            "artifact_id": spec.id,
                            "version": 1,
                            "url": f"https://docs.example.org/{review_id}/{spec.id}",
                            "uploaded_by_id": person_ids[0],
                            "uploaded_at": now,
                        }
                    )
            for n, role in enumerate(gate.required_roles("medium")):
                if rng.random() < 0.5:
                    person = person_ids[(uc_id * 7 + roles.index(role)) % len(person_ids)]
                    votes.append(
                        {
                            "review_id": review_id,
                            "role": role,
                            "person_id": person,
                            "exclusive_person_id": None,
                            "choice": rng.choice(rules.VOTE_CHOICES),
                            "comment": "",
                            "evidence_digest": "0" * 64,
                            "cast_at": now + timedelta(seconds=n),
                        }
                    )
        session.execute(insert(Assessment), assessments)
        session.execute(insert(Artifact), artifacts)
        session.execute(insert(Vote), votes)


def main() -> None:
    from pilotgate.config import Settings
    from pilotgate.db.uow import UnitOfWork
    from pilotgate.gates import readiness

    with tempfile.TemporaryDirectory() as directory:
        os.environ["PILOTGATE_HOME"] = directory
        os.environ.pop("PILOTGATE_DATABASE_URL", None)
        start = time.perf_counter()
        build(Path(directory))
        print(f"built {USE_CASES:,} use cases with open reviews in {time.perf_counter() - start:.1f} s")
        timings = []
        for _ in range(5):
            start = time.perf_counter()
            with UnitOfWork(Settings.from_env(), read_only=True) as uow:
                found = readiness.all_open(uow)
            timings.append(time.perf_counter() - start)
        blocked = sum(1 for r in found if r.blockers)
        print(
            f"readiness of {len(found):,} open reviews ({blocked:,} blocked, "
            f"{sum(len(r.blockers) for r in found):,} blockers): median {statistics.median(timings):.3f} s, "
            f"best {min(timings):.3f} s over {len(timings)} runs (target under 1 s)"
        )


if __name__ == "__main__":
    main()
