"""Helpers for queries over the whole portfolio: tens of thousands of rows, read and judged at once."""

from __future__ import annotations

import gc
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import true
from sqlalchemy.engine import Connection
from sqlalchemy.orm import QueryableAttribute
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.expression import ClauseElement

# Above this many items, the cyclic garbage collector is paused while they are evaluated.
BULK = 2_000


def rows(connection: Connection, query: ClauseElement) -> list[Any]:
    """The query's rows as plain tuples from the driver's cursor.

    Tens of thousands of rows skip SQLAlchemy's result objects, which on SQLite cost as much as
    the query itself. For Core selects whose columns need no result processing (numbers, text).
    """
    compiled = query.compile(dialect=connection.dialect, compile_kwargs={"render_postcompile": True})
    params: Any = compiled.params
    positions = getattr(compiled, "positiontup", None)  # set for drivers with positional parameters
    if positions is not None:
        params = tuple(compiled.params[name] for name in positions)
    cursor = connection.connection.cursor()
    try:
        cursor.execute(str(compiled), params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


@contextmanager
def paused_gc(size: int) -> Iterator[None]:
    """Pause the cyclic garbage collector while a large batch allocates.

    Ten thousand use cases make some 200,000 small tuples and dicts, none of them in a reference
    cycle; the collector's generation-0 passes over them cost about a third of a portfolio-wide
    evaluation and can free nothing. Reference counting still frees everything as usual. A
    thread that finds the collector already paused leaves it to whoever paused it.
    """
    if size < BULK or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# Above this many ids, a filter by id costs more than it saves: compiling an IN list of thousands
# of parameters takes longer than reading every row, and the caller keeps only the ids it asked for.
ID_FILTER_LIMIT = 500


def among(column: ColumnElement[Any] | QueryableAttribute[Any], ids: Collection[Any]) -> ColumnElement[bool]:
    """`column IN ids` for a few ids; for many, no filter at all (the caller ignores other rows)."""
    if len(ids) > ID_FILTER_LIMIT:
        return true()
    return column.in_(list(ids))
