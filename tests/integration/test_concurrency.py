"""Racing writers on one review, on SQLite and PostgreSQL: one decision wins, the rest get Conflict.

Threads share one engine (as a web server would); processes run the real `pilotgate` script, each
with its own engine, and start the race only once their imports are done so that the database
work really overlaps.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pilotgate.audit import service as audit
from pilotgate.errors import Conflict
from pilotgate.gates import repository, service
from pilotgate.gates.models import Decision, Review
from pilotgate.usecases import service as usecases
from tests.builders import ok, ready_gate1, uow

PILOTGATE = Path(sys.executable).with_name("pilotgate")

# Warm the process (imports, engine, schema check), wait for the start signal, then run the
# console script exactly as `pilotgate ...` would.
_RACER = """
import os, runpy, sys, time
from pathlib import Path
import pilotgate.cli, pilotgate.gates.service
from pilotgate.config import Settings
from pilotgate.db.engine import Database
Database.for_url(Settings.from_env().database_url).ensure_schema()
start, script, *args = sys.argv[1:]
Path(start + ".ready." + str(os.getpid())).touch()
while not Path(start).exists():
    time.sleep(0.001)
sys.argv = [script, *args]
runpy.run_path(script, run_name="__main__")
"""


@dataclass(frozen=True)
class Outcome:
    """What one racer got: the decision it took, or the error it raised."""

    kind: str | None = None
    error: BaseException | None = None


def race(actions: list[Callable[[], str]]) -> list[Outcome]:
    """Run every action in its own thread, all released at once by a barrier."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[Outcome | None] = [None] * len(actions)

    def run(index: int, action: Callable[[], str]) -> None:
        barrier.wait()
        try:
            outcomes[index] = Outcome(kind=action())
        except BaseException as error:  # every failure is collected and judged by the test
            outcomes[index] = Outcome(error=error)

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a racer hung"
    return [o for o in outcomes if o is not None]


def decider(key: str, decision: str, actor: str) -> Callable[[], str]:
    def action() -> str:
        with uow() as work:
            return service.decide(work, key=key, decision=decision, actor=actor).kind

    return action


def assert_one_winner(outcomes: list[Outcome], racers: int) -> str:
    """Exactly one decision was taken; every other racer got a plain Conflict, nothing else."""
    assert len(outcomes) == racers
    winners = [o.kind for o in outcomes if o.error is None]
    others = [o.error for o in outcomes if o.error is not None]
    unexpected = [repr(e) for e in others if type(e) is not Conflict]
    assert not unexpected, f"racers failed with something other than Conflict: {unexpected[:3]}"
    assert len(winners) == 1, f"{len(winners)} decisions were taken"
    return winners[0]


def stored(key: str) -> tuple[list[str], list[str], list[str]]:
    """The decision kinds, review states and decision audit events stored for a use case."""
    with uow(read_only=True) as work:
        use_case = usecases.get_or_raise(work, key)
        decisions = [d.kind for d in repository.decisions_of(work, use_case.id)]
        reviews = [r.state for r in repository.reviews_of(work, use_case.id)]
        events = [e.action for e in audit.history(work, use_case_key=use_case.key) if e.action == "gate.decided"]
        total = work.session.execute(
            select(func.count()).select_from(Decision).join(Review).where(Review.use_case_id == use_case.id)
        ).scalar_one()
    assert total == len(decisions)
    return decisions, reviews, events


def show(key: str) -> dict:
    return json.loads(ok("usecase", "show", key, "--json"))


EXPECTED = {  # the decision → (stage, status, stage history) it leaves a Gate 1 use case in
    "go": ("poc", "active", ["discovery", "poc"]),
    "stop": ("discovery", "stopped", ["discovery"]),
    "hold": ("discovery", "on_hold", ["discovery"]),
    "recycle": ("discovery", "active", ["discovery", "discovery"]),
}


def assert_decided_once(key: str, kind: str) -> None:
    decisions, reviews, events = stored(key)
    assert decisions == [kind]
    assert reviews == ["decided"]
    assert events == ["gate.decided"]
    stage, status, history = EXPECTED[kind]
    shown = show(key)
    assert (shown["stage"], shown["status"]) == (stage, status)
    assert [h["stage"] for h in shown["stage_history"]] == history
    assert json.loads(ok("audit", "verify", "--json"))["ok"] is True


def test_fifty_threads_deciding_go_at_once_take_one_decision(home: Path, tmp_path: Path) -> None:
    key, people = ready_gate1(tmp_path)
    racers = [people["sponsor"], people["program_lead"]] * 25
    outcomes = race([decider(key, "go", actor) for actor in racers])
    assert assert_one_winner(outcomes, 50) == "go"
    assert_decided_once(key, "go")


def test_go_stop_hold_and_recycle_racing_take_one_decision(home: Path, tmp_path: Path) -> None:
    key, people = ready_gate1(tmp_path)
    kinds = ["go", "stop", "hold", "recycle"] * 6
    actors = [people["sponsor"], people["program_lead"]]
    outcomes = race([decider(key, kind, actors[i % 2]) for i, kind in enumerate(kinds)])
    winner = assert_one_winner(outcomes, len(kinds))
    assert_decided_once(key, winner)


def test_go_racing_stop_takes_one_decision_again_and_again(home: Path, tmp_path: Path) -> None:
    for _ in range(4):
        key, people = ready_gate1(tmp_path)
        outcomes = race([decider(key, "go", people["sponsor"]), decider(key, "stop", people["program_lead"])])
        assert_decided_once(key, assert_one_winner(outcomes, 2))


def voter(key: str, actor: str, choice: str = "approve") -> Callable[[], str]:
    def action() -> str:
        with uow() as work:
            return service.vote(work, key=key, choice=choice, actor=actor).role

    return action


def test_two_approvers_voting_at_the_same_moment_are_both_recorded(home: Path, tmp_path: Path) -> None:
    for _ in range(3):
        key, people = ready_gate1(tmp_path, vote=False)
        outcomes = race([voter(key, people["program_lead"]), voter(key, people["sponsor"])])
        assert [o.error for o in outcomes] == [None, None]
        assert sorted(o.kind for o in outcomes) == ["program_lead", "sponsor"]
        status = json.loads(ok("gate", "status", key, "--json"))
        votes = {v["role"]: v for v in status["votes"]}
        assert set(votes) == {"program_lead", "sponsor"}
        assert {v["person"] for v in votes.values()} == {people["program_lead"], people["sponsor"]}
        assert not any(v["stale"] for v in votes.values())
        assert status["blockers"] == []
        ok("gate", "decide", key, "go", "--as", people["sponsor"])
        assert_decided_once(key, "go")


def test_one_approver_voting_twice_at_once_keeps_one_vote(home: Path, tmp_path: Path) -> None:
    key, people = ready_gate1(tmp_path, vote=False)
    outcomes = race([voter(key, people["sponsor"])] * 2 + [voter(key, people["program_lead"])])
    assert [o.error for o in outcomes] == [None, None, None]
    with uow(read_only=True) as work:
        review = repository.open_review(work, usecases.get_or_raise(work, key).id)
        assert review is not None
        assert sorted(v.role for v in repository.votes(work, review.id)) == ["program_lead", "sponsor"]
    ok("gate", "decide", key, "go", "--as", people["sponsor"])


def run_racing_processes(home: Path, commands: list[list[str]]) -> list[subprocess.CompletedProcess[str]]:
    """Start one `pilotgate` process per command, release them together, collect their results."""
    if not PILOTGATE.exists():
        pytest.skip(f"no pilotgate script next to {sys.executable}")
    start = home.parent / f"start-{time.monotonic_ns()}"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("PILOTGATE_DEBUG", None)  # losers must fail with one clear line, as a user would see
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _RACER, str(start), str(PILOTGATE), *command],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in commands
    ]
    try:
        deadline = time.monotonic() + 60
        while len(list(home.parent.glob(f"{start.name}.ready.*"))) < len(processes):
            crashed = [p for p in processes if p.poll() is not None]
            assert not crashed, f"a racer died before the start: {crashed[0].communicate()}"
            assert time.monotonic() < deadline, "racers did not get ready"
            time.sleep(0.01)
        start.touch()
        results = []
        for process in processes:
            out, err = process.communicate(timeout=120)
            results.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
        return results
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()


def test_processes_racing_go_through_the_cli_take_one_decision(home: Path, tmp_path: Path) -> None:
    key, people = ready_gate1(tmp_path)
    actors = [people["sponsor"], people["program_lead"]] * 4
    results = run_racing_processes(home, [["gate", "decide", key, "go", "--as", a] for a in actors])
    for result in results:
        assert "Traceback" not in result.stdout + result.stderr, result.stderr
    winners = [r for r in results if r.returncode == 0]
    losers = [r for r in results if r.returncode != 0]
    assert len(winners) == 1, [(r.returncode, r.stderr) for r in results]
    assert f"{key}: go → stage poc" in winners[0].stdout
    for loser in losers:
        assert loser.returncode == 4, loser.stderr
        assert loser.stdout == ""
        lines = loser.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), loser.stderr
        assert "decided" in lines[0], loser.stderr
    assert_decided_once(key, "go")
    verify = subprocess.run(
        [str(PILOTGATE), "audit", "verify"], env=os.environ.copy(), capture_output=True, text=True, timeout=60
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "audit trail intact" in verify.stdout
