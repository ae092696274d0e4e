"""Metric points from CSV files: the header checked, rows streamed into an all-or-none batch.

Columns: use_case, metric, timestamp, value, and optionally cohort and segment, in any order.
The file is read as a stream, a chunk of rows at a time; see `ingest` for what a valid point is.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Iterator
from itertools import islice
from operator import itemgetter
from typing import IO, NamedTuple

from pilotgate.db import bulk
from pilotgate.db.uow import UnitOfWork
from pilotgate.errors import InvalidInput
from pilotgate.evidence.ingest import CHUNK, Batch, RawPoint, Report

COLUMNS = ("use_case", "metric", "timestamp", "value")
OPTIONAL = ("cohort", "segment")


class _Layout(NamedTuple):
    """Where each column sits in a CSV file's rows (None: the column is absent)."""

    width: int
    use_case: int
    metric: int
    timestamp: int
    value: int
    cohort: int | None
    segment: int | None


def _layout(reader: Iterator[list[str]]) -> _Layout:
    """The header row, checked: the required columns present, no unknown ones."""
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise InvalidInput(
            "file", "the file is empty; expected a header: use_case,metric,timestamp,value[,cohort]"
        ) from None
    except (csv.Error, UnicodeDecodeError) as error:
        raise InvalidInput("file", f"row 1: {error}; save the file as UTF-8 CSV") from None
    missing = [c for c in COLUMNS if c not in header]
    unknown = [h for h in header if h not in COLUMNS + OPTIONAL]
    if missing or unknown:
        problems = ([f"missing column(s) {', '.join(missing)}"] if missing else []) + (
            [f"unknown column(s) {', '.join(unknown)}"] if unknown else []
        )
        raise InvalidInput(
            "file", f"row 1: {'; '.join(problems)}; expected use_case,metric,timestamp,value[,cohort][,segment]"
        )
    use_case, metric, timestamp, value = (header.index(c) for c in COLUMNS)
    return _Layout(
        len(header),
        use_case,
        metric,
        timestamp,
        value,
        header.index("cohort") if "cohort" in header else None,
        header.index("segment") if "segment" in header else None,
    )


def _raw(number: int, fields: list[str], layout: _Layout) -> RawPoint:
    if len(fields) != layout.width:
        return RawPoint(number, "", "", "", None, problem=f"has {len(fields)} fields, the header has {layout.width}")
    return RawPoint(
        number,
        fields[layout.use_case],
        fields[layout.metric],
        fields[layout.timestamp],
        fields[layout.value],
        fields[layout.cohort] if layout.cohort is not None else "",
        fields[layout.segment] if layout.segment is not None else "",
    )


def csv_points(stream: IO[str]) -> Iterator[RawPoint]:
    """Points from CSV text with a header naming use_case, metric, timestamp, value[, cohort, segment]."""
    reader = csv.reader(stream)
    layout = _layout(reader)
    row_number = 1
    try:
        for row_number, fields in enumerate(reader, start=2):
            if fields:
                yield _raw(row_number, fields, layout)
    except (csv.Error, UnicodeDecodeError) as error:
        raise InvalidInput("file", f"row {row_number + 1}: {error}; is it a UTF-8 CSV file?") from None


def ingest_csv(
    uow: UnitOfWork,
    binary: IO[bytes],
    *,
    actor: str,
    source: str,
    progress: Callable[[int], None] | None = None,
    only: set[int] | None = None,
) -> Report:
    """`ingest(uow, csv_points(text_stream(binary)), ...)`: the same points stored and the same
    errors, several times faster.

    A row whose series, timestamp and cohort were seen before and whose value is in its unit's
    range is stored straight from its fields; any other row (the first of its series, a new
    timestamp, anything wrong) goes through the full check, which also remembers what it resolved."""
    return _ingest_rows(Batch(uow, only, progress), text_stream(binary), actor=actor, source=source)


def _ingest_rows(batch: Batch, stream: IO[str], *, actor: str, source: str) -> Report:
    """The CSV row by row into the batch, each chunk of rows written as it fills."""
    reader = csv.reader(stream)
    layout = _layout(reader)
    # A missing cohort or segment column reads as an empty string appended to the row.
    width = layout.width
    padded = layout.cohort is None or layout.segment is None
    series_of = itemgetter(layout.use_case, layout.metric)
    rest_of = itemgetter(
        layout.timestamp,
        layout.value,
        width if layout.cohort is None else layout.cohort,
        width if layout.segment is None else layout.segment,
    )
    series, stamps, cohorts = batch.resolver.series.get, batch.resolver.timestamps.get, batch.resolver.cohorts
    errors, chunk = batch.errors, batch.chunk
    append = chunk.append
    numbered = enumerate(reader, start=2)  # the header is row 1
    number = 1
    try:
        with bulk.paused_gc(bulk.BULK):  # millions of short-lived rows, none in a reference cycle
            while True:
                before = number
                for number, fields in islice(numbered, CHUNK):
                    if len(fields) == width and not errors:
                        if padded:
                            fields.append("")
                        found = series(series_of(fields))
                        timestamp, text, cohort, segment = rest_of(fields)
                        ts_ms = stamps(timestamp)
                        if found is not None and ts_ms is not None and cohort in cohorts and len(segment) <= 64:
                            metric_id, low, high = found
                            try:
                                value = float(text)
                            except ValueError:
                                value = math.nan  # out of every range: the full check names the problem
                            if low <= value <= high:
                                append((metric_id, cohort, ts_ms, value, segment))
                                continue
                        if padded:
                            fields.pop()
                    if fields:
                        batch.check(_raw(number, fields, layout))
                if number == before:
                    break
                batch.flush()
    except (csv.Error, UnicodeDecodeError) as error:
        raise InvalidInput("file", f"row {number + 1}: {error}; is it a UTF-8 CSV file?") from None
    return batch.finish(actor=actor, source=source)


def text_stream(binary: IO[bytes]) -> IO[str]:
    """UTF-8 text over a binary stream (a leading byte-order mark is dropped)."""
    return io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
