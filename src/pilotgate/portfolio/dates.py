"""Messy dates as spreadsheets hold them, read without guessing silently.

Understood: ``10/1/2023`` (month/day/year), ``2024-10-01`` and ``2024-10-01 00:00:00``, ``01/2024``
(month/year), ``Jul-25`` and ``22-Jul`` (month and two-digit year, either order), ``2025``,
a leading ISO date followed by a remark (``2022-11-16 (first formal action)``), and real
``date``/``datetime`` cells from XLSX. Blanks and ``N/A``, ``NA``, ``TBD``, ``Unknown`` mean no
date. Anything else is reported as not understood.
"""

from __future__ import annotations

import re
from datetime import date, datetime

MONTHS = {
    m: i
    for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)
}
NO_DATE = re.compile(r"^(n/?a\b.*|none|null|-+|tbd|tbc|unknown|todo|not applicable)$", re.IGNORECASE)
PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:\s.*)?$"), "ymd"),
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), "mdy"),
    (re.compile(r"^(\d{1,2})/(\d{4})$"), "my"),
    (re.compile(r"^(\d{4})-(\d{1,2})(?:\s.*)?$"), "ym"),
    (re.compile(r"^([A-Za-z]{3})[A-Za-z]*[- ](\d{2}|\d{4})$"), "mon-y"),
    (re.compile(r"^(\d{2})-([A-Za-z]{3})[A-Za-z]*$"), "y-mon"),
    (re.compile(r"^(\d{4})$"), "y"),
)


class DateNotUnderstood(ValueError):
    """The text is not empty, not a "no date" marker, and not a date format we read."""


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def _build(kind: str, parts: tuple[str, ...]) -> date:
    if kind == "ymd":
        return date(int(parts[0]), int(parts[1]), int(parts[2]))
    if kind == "mdy":
        return date(int(parts[2]), int(parts[0]), int(parts[1]))
    if kind == "my":
        return date(int(parts[1]), int(parts[0]), 1)
    if kind == "ym":
        return date(int(parts[0]), int(parts[1]), 1)
    if kind == "mon-y":
        return date(_year(parts[1]), MONTHS[parts[0].lower()], 1)
    if kind == "y-mon":
        return date(_year(parts[0]), MONTHS[parts[1].lower()], 1)
    return date(int(parts[0]), 1, 1)


def parse_date(value: object) -> date | None:
    """A date, None for "no date", or DateNotUnderstood."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if not text or NO_DATE.match(text):
        return None
    for pattern, kind in PATTERNS:
        match = pattern.match(text)
        if match is None:
            continue
        try:
            parsed = _build(kind, match.groups())
        except (ValueError, KeyError):
            break
        if 1950 <= parsed.year <= 2100:
            return parsed
        break
    raise DateNotUnderstood(f"{text!r} is not a date pilotgate reads (e.g. 10/1/2023, 2024-10-01, 01/2024, Jul-25)")
