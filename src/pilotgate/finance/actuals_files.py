"""Actuals as they arrive: rows of a CSV file or items of a JSON list, numbered for error messages."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import IO, Any, NamedTuple

from pilotgate.errors import InvalidInput

COLUMNS = ("use_case", "month", "kind", "category", "amount")
OPTIONAL = ("note",)


class RawActual(NamedTuple):
    row: int  # the CSV line (header = 1) or the JSON item (from 1)
    use_case: str
    month: str
    kind: str
    category: str
    amount: Any
    note: str = ""
    problem: str = ""


def csv_actuals(stream: IO[str]) -> Iterator[RawActual]:
    """Actuals from CSV text with a header naming use_case, month, kind, category, amount[, note]."""
    reader = csv.reader(stream)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise InvalidInput(
            "file", "the file is empty; expected a header: use_case,month,kind,category,amount[,note]"
        ) from None
    except (csv.Error, UnicodeDecodeError) as error:
        raise InvalidInput("file", f"row 1: {error}") from None
    missing = [c for c in COLUMNS if c not in header]
    unknown = [h for h in header if h not in COLUMNS + OPTIONAL]
    if missing or unknown:
        problems = ([f"missing column(s) {', '.join(missing)}"] if missing else []) + (
            [f"unknown column(s) {', '.join(unknown)}"] if unknown else []
        )
        raise InvalidInput("file", f"row 1: {'; '.join(problems)}; expected use_case,month,kind,category,amount[,note]")
    at = {c: header.index(c) for c in (*COLUMNS, *OPTIONAL) if c in header}
    number = 1
    try:
        for number, fields in enumerate(reader, start=2):
            if not fields:
                continue
            if len(fields) != len(header):
                yield RawActual(
                    number, "", "", "", "", None, problem=f"has {len(fields)} fields, the header has {len(header)}"
                )
                continue
            use_case, month, kind, category, amount = (fields[at[c]] for c in COLUMNS)
            note = fields[at["note"]] if "note" in at else ""
            yield RawActual(number, use_case, month, kind, category, amount, note)
    except (csv.Error, UnicodeDecodeError) as error:
        raise InvalidInput("file", f"row {number + 1}: {error}; is it a UTF-8 CSV file?") from None


def json_actuals(items: Iterable[Any]) -> Iterator[RawActual]:
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            yield RawActual(number, "", "", "", "", None, problem="is not an object")
            continue
        yield RawActual(
            number,
            str(item.get("use_case", "")),
            str(item.get("month", "")),
            str(item.get("kind", "")),
            str(item.get("category", "")),
            item.get("amount"),
            str(item.get("note") or ""),
        )
