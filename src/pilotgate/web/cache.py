"""Answers cached per worker and keyed by the data version: the newest audit sequence number.

Every change in pilotgate appends an audit event (that is the audit trail's promise), so the
head of the chain is a version of all the data: a cached answer is valid exactly as long as the
head has not moved. Workers and instances share the database, so they share the version too.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from sqlalchemy import func, select

from pilotgate.audit.models import AuditEvent
from pilotgate.db.engine import Database

VERSION_QUERY = str(select(func.max(AuditEvent.seq)))


def data_version(database: Database) -> int:
    """The newest audit sequence number: one indexed read on a pooled DB-API connection.

    A single statement sees a consistent snapshot on its own, so no transaction is opened.
    """
    connection = database.engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute(VERSION_QUERY)
        row = cursor.fetchone()
        cursor.close()
    finally:
        connection.close()
    return int(row[0] or 0) if row else 0


class VersionedCache:
    """A small thread-safe LRU whose entries hold only for the version they were computed at."""

    def __init__(self, maxsize: int = 512) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[Hashable, tuple[int, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._flights: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, version: int) -> Any | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != version:
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: Hashable, version: int, value: Any) -> None:
        with self._lock:
            self._entries[key] = (version, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def get_or_compute(self, key: Hashable, version: int, compute: Callable[[], Any]) -> Any:
        """Compute a missing answer once, however many requests ask for it at the same moment."""
        value = self.get(key, version)
        if value is not None:
            return value
        with self._lock:
            flight = self._flights.setdefault(key, threading.Lock())
        try:
            with flight:
                value = self.get(key, version)
                if value is None:
                    value = compute()
                    self.put(key, version, value)
        finally:
            with self._lock:
                self._flights.pop(key, None)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
