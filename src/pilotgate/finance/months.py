"""Calendar months of a business case: month 0 is its `start` ("YYYY-MM")."""

from __future__ import annotations

import re
from datetime import date

MONTH_TEXT = re.compile(r"^\s*(\d{4})-(\d{1,2})(?:-(\d{1,2}))?\s*$")


def parse_month(text: str) -> date:
    """The first day of the month named by "2026-03" or any day of it ("2026-03-15")."""
    match = MONTH_TEXT.match(text or "")
    if not match:
        raise ValueError(f"{text!r} is not a month, e.g. 2026-03")
    year, month, day = int(match.group(1)), int(match.group(2)), match.group(3)
    try:
        date(year, month, int(day) if day else 1)
    except ValueError:
        raise ValueError(f"{text!r} is not a calendar date") from None
    return date(year, month, 1)


def start_date(start: str) -> date:
    return parse_month(start)


def month_index(start: str, month: date) -> int:
    """How many months `month` lies after the case's month 0 (negative: before it)."""
    first = start_date(start)
    return (month.year - first.year) * 12 + month.month - first.month


def month_of(start: str, index: int) -> date:
    first = start_date(start)
    total = first.year * 12 + first.month - 1 + index
    return date(total // 12, total % 12 + 1, 1)


def label(start: str, index: int) -> str:
    return month_of(start, index).strftime("%Y-%m")


def this_month(today: date) -> str:
    return today.strftime("%Y-%m")
