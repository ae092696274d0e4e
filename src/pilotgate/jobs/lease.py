"""Leases by compare-and-set on one row: correct on SQLite and on PostgreSQL with any number of
app instances, and self-healing — a holder that dies loses its lease when it expires."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError

from pilotgate.db.uow import UnitOfWork
from pilotgate.jobs.models import JobLease


def acquire(uow: UnitOfWork, *, name: str, holder: str, every: timedelta) -> bool:
    """Take the job's lease if it is due: nobody ran it within `every` and nobody holds it now.

    The lease lasts `every`, so the job runs at most once per period across every instance; the
    caller commits the unit of work to publish the claim (and runs the job after that).
    """
    now = uow.now()
    due_before = now - every
    session = uow.session
    claimed = session.execute(
        update(JobLease)
        .where(JobLease.name == name, JobLease.expires_at <= now)
        .where((JobLease.last_run_at.is_(None)) | (JobLease.last_run_at <= due_before))
        .values(holder=holder, expires_at=now + every, last_run_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount == 1:  # type: ignore[attr-defined]
        return True
    try:
        with session.begin_nested():
            session.execute(insert(JobLease).values(name=name, holder=holder, expires_at=now + every, last_run_at=now))
    except IntegrityError:
        return False  # another instance holds it, or ran it within the period
    return True


def release(uow: UnitOfWork, *, name: str, holder: str, finished: datetime) -> None:
    """Give the lease up early (the job is done); `last_run_at` still spaces the next run."""
    uow.session.execute(
        update(JobLease)
        .where(JobLease.name == name, JobLease.holder == holder)
        .values(expires_at=finished)
        .execution_options(synchronize_session=False)
    )
