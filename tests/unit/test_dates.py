"""Messy spreadsheet dates."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from pilotgate.portfolio.dates import DateNotUnderstood, parse_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10/1/2023", date(2023, 10, 1)),
        ("2024-10-01 00:00:00", date(2024, 10, 1)),
        ("2024-10-01", date(2024, 10, 1)),
        ("01/2024", date(2024, 1, 1)),
        ("Jul-25", date(2025, 7, 1)),
        ("22-Jul", date(2022, 7, 1)),
        ("2025", date(2025, 1, 1)),
        ("2022-11-16 (first formal action related to this project)", date(2022, 11, 16)),
        ("2022-08 (estimated)", date(2022, 8, 1)),
        (" 12/13/2023 ", date(2023, 12, 13)),
        (datetime(2021, 3, 4, 5, 6), date(2021, 3, 4)),
        (date(2020, 2, 29), date(2020, 2, 29)),
    ],
)
def test_dates_pilotgate_reads(text: object, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text", ["", "   ", None, "N/A", "NA", "n/a - Consolidated into another use case.", "TBD", "Unknown", "TODO"]
)
def test_no_date(text: object) -> None:
    assert parse_date(text) is None


@pytest.mark.parametrize("text", ["Q4FY25", "Pre-2021", "13/45/2020", "10/12023", "soon", "2024-13-01", "1800"])
def test_dates_not_understood_say_what_is_wrong(text: str) -> None:
    with pytest.raises(DateNotUnderstood, match="is not a date pilotgate reads"):
        parse_date(text)
