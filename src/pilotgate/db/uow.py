"""The unit of work: one transaction per command or request; services flush, never commit."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from types import TracebackType

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

import pilotgate.db.models  # noqa: F401  (every table, and the stage guard, registered)
from pilotgate.config import Settings
from pilotgate.db.base import utcnow
from pilotgate.db.engine import Database
from pilotgate.errors import Conflict


class UnitOfWork:
    """``with UnitOfWork(...) as uow:`` commits on success and rolls back on any error."""

    def __init__(
        self,
        settings: Settings,
        *,
        read_only: bool = False,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.database = Database.for_url(settings.database_url)
        self.read_only = read_only
        self.clock = clock
        self.audit_head: tuple[int, str] | None = None
        self.audit_written = False
        self.discarded = False
        self._session: Session | None = None

    @property
    def session(self) -> Session:
        if self._session is None:
            raise RuntimeError("the unit of work is not open")
        return self._session

    def now(self) -> datetime:
        return self.clock()

    def __enter__(self) -> UnitOfWork:
        self.database.ensure_schema()
        self._session = self.database.session(read_only=self.read_only)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            if exc_type is None and not self.read_only and not self.discarded:
                try:
                    session.commit()
                except IntegrityError as error:
                    session.rollback()
                    raise Conflict(
                        "the change conflicts with a concurrent one (a unique rule was violated); reload and try again"
                    ) from error
                if self.audit_written and self.audit_head is not None:
                    self._checkpoint(*self.audit_head)
            elif exc_type is not None or self.discarded:
                session.rollback()
            # A read-only unit ends by closing: loaded objects stay readable after it.
        finally:
            session.close()
            self._session = None

    def _checkpoint(self, seq: int, head: str) -> None:
        """Sign the new head. The change is committed already: a failure here is logged, not raised,
        and the next transaction's checkpoint covers this one too."""
        from pilotgate.audit.checkpoints import write_checkpoint

        try:
            write_checkpoint(self, seq, head)
        except OSError as error:
            logging.getLogger("pilotgate.audit").error("could not write the audit checkpoint: %s", error)

    def discard(self) -> None:
        """Roll back instead of committing when the unit ends (a dry run)."""
        self.discarded = True

    @contextmanager
    def stage_change(self) -> Iterator[None]:
        """Authorise stage changes for the duration of a gate decision (see usecases.guard)."""
        self.session.info["stage_change_authorised"] = True
        try:
            yield
            self.session.flush()
        finally:
            self.session.info.pop("stage_change_authorised", None)
