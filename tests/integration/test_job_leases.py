"""Scheduled jobs run once per period across every app instance: leases raced by real processes,
on SQLite and on PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pilotgate.jobs import lease
from pilotgate.jobs.scheduler import Job, run_due
from tests.builders import uow

# Each racer waits for the start file, then runs every due job with a job that appends its holder
# name to a file: the file tells how many instances ran it.
RACER = """
import os, sys, time
from datetime import timedelta
from pathlib import Path
from pilotgate.config import Settings
from pilotgate.jobs.scheduler import Job, run_due
start, ran = Path(sys.argv[1]), Path(sys.argv[2])
Path(f"{start}.ready.{os.getpid()}").touch()
while not start.exists():
    time.sleep(0.005)
def job(settings):
    with ran.open("a") as out:
        out.write(f"{os.getpid()}\\n")
    return "ok"
print(run_due(Settings.from_env(), (Job("test.job", timedelta(minutes=5), job),)))
"""


def _race(home: Path, count: int) -> tuple[list[str], list[str]]:
    start, ran = home.parent / f"start-{time.monotonic_ns()}", home.parent / "ran.txt"
    processes = [
        subprocess.Popen([sys.executable, "-c", RACER, str(start), str(ran)], stdout=subprocess.PIPE, text=True)
        for _ in range(count)
    ]
    deadline = time.monotonic() + 60
    while len(list(home.parent.glob(f"{start.name}.ready.*"))) < count:
        assert time.monotonic() < deadline and all(p.poll() is None for p in processes), "racers did not start"
        time.sleep(0.01)
    start.touch()
    outputs = [p.communicate(timeout=120)[0].strip() for p in processes]
    assert all(p.returncode == 0 for p in processes), outputs
    return outputs, ran.read_text().split() if ran.exists() else []


def test_one_of_many_racing_instances_runs_a_due_job(home: Path) -> None:
    with uow():  # migrate once before the race, as `pilotgate serve` does at start
        pass
    outputs, ran = _race(home, 6)
    assert len(ran) == 1, f"the job ran {len(ran)} times: {outputs}"
    assert outputs.count("['test.job']") == 1 and outputs.count("[]") == 5
    # within its period nobody runs it again, the winner included
    again, ran_again = _race(home, 3)
    assert ran_again == ran and again == ["[]"] * 3


def test_a_lease_expires_and_is_taken_over(home: Path) -> None:
    now = datetime(2026, 11, 28, 9, tzinfo=UTC)
    every = timedelta(minutes=5)
    with uow(clock=lambda: now) as unit:
        assert lease.acquire(unit, name="j", holder="a", every=every)
    with uow(clock=lambda: now + timedelta(minutes=4)) as unit:
        assert not lease.acquire(unit, name="j", holder="b", every=every)
    with uow(clock=lambda: now + timedelta(minutes=5, seconds=1)) as unit:
        assert lease.acquire(unit, name="j", holder="b", every=every)


def test_a_failing_job_is_logged_and_does_not_stop_the_others(home: Path) -> None:
    calls: list[str] = []

    def broken(settings: object) -> str:
        calls.append("broken")
        raise RuntimeError("boom")

    def fine(settings: object) -> str:
        calls.append("fine")
        return "ok"

    from pilotgate.config import Settings

    jobs = (Job("broken", timedelta(minutes=1), broken), Job("fine", timedelta(minutes=1), fine))
    assert run_due(Settings.from_env(), jobs) == ["broken", "fine"]
    assert calls == ["broken", "fine"]
