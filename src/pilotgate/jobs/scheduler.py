"""The in-server scheduler: every app instance ticks, the lease lets exactly one run each job."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from pilotgate.config import Settings
from pilotgate.db.uow import UnitOfWork
from pilotgate.jobs import lease

log = logging.getLogger("pilotgate.scheduler")


@dataclass(frozen=True)
class Job:
    name: str
    every: timedelta
    run: Callable[[Settings], str]  # returns a one-line summary for the log


def pull_connectors(settings: Settings) -> str:
    from pilotgate.evidence import sync

    with UnitOfWork(settings) as uow:
        results = sync.pull_many(uow, actor="pilotgate-scheduler", only_due=True)
    failed = [r for r in results if r.status == "failed"]
    for result in failed:
        log.warning("connector %s (%s) failed: %s", result.connector_id, result.use_case, result.message)
    return f"{len(results)} connector(s) pulled, {len(failed)} failed"


def check_alerts(settings: Settings) -> str:
    from pilotgate.alerts import service

    with UnitOfWork(settings) as uow:
        report = service.check(uow)
    for failure in report.failed:
        log.warning("alert not delivered: %s", failure)
    return f"{len(report.digests)} digest(s); {len(report.sent)} sent, {len(report.failed)} failed"


# Connectors carry their own interval; this tick only looks for the due ones. Alerts are checked
# hourly; an unchanged digest is sent at most once a day.
JOBS = (
    Job("connectors.pull", timedelta(seconds=60), pull_connectors),
    Job("alerts.check", timedelta(hours=1), check_alerts),
)


def holder_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def run_due(settings: Settings, jobs: tuple[Job, ...] = JOBS, *, holder: str | None = None) -> list[str]:
    """Run every job this instance wins the lease of; returns the names it ran."""
    holder = holder or holder_name()
    ran = []
    for job in jobs:
        with UnitOfWork(settings) as uow:
            won = lease.acquire(uow, name=job.name, holder=holder, every=job.every)
        if not won:
            continue
        try:
            log.info("%s: %s", job.name, job.run(settings))
        except Exception:  # a failing job must not stop the scheduler; the next period retries it
            log.exception("scheduled job %s failed", job.name)
        ran.append(job.name)
    return ran


class Scheduler:
    """A daemon thread that ticks until stopped."""

    def __init__(self, settings: Settings, *, tick_seconds: float = 15.0, jobs: tuple[Job, ...] = JOBS) -> None:
        self.settings, self.tick, self.jobs = settings, tick_seconds, jobs
        self.holder = holder_name()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="pilotgate-scheduler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                run_due(self.settings, self.jobs, holder=self.holder)
            except Exception:  # the database may be briefly unreachable; try again next tick
                log.exception("the scheduler tick failed")
            self._stop.wait(self.tick)


def enabled() -> bool:
    return os.environ.get("PILOTGATE_SCHEDULER", "") not in ("", "0")
