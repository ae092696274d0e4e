"""The funding rules without a database: validation, the two computed checks, the portfolio view."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from pilotgate.funding import rules
from pilotgate.funding.rules import Holding, Line, Transition

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
EARLIER = NOW - timedelta(days=30)


def line(
    id: int = 1,
    *,
    source: str = "operational",
    status: str = "approved",
    start: date = date(2026, 1, 1),
    end: date = date(2026, 12, 31),
    unit: str = "Finance",
    amount: str = "120000.00",
    currency: str = "EUR",
    created: datetime = EARLIER,
    approved: datetime | None = EARLIER,
) -> Line:
    return Line(
        id=id,
        source=source,
        status=status,
        business_unit=unit,
        cost_centre="CC-123",
        amount=Decimal(amount),
        currency=currency,
        period_start=start,
        period_end=end,
        created_at=created,
        approved_at=approved if status == "approved" else None,
    )


def moved(id: int = 1, *, unit: str = "Finance", approved: datetime = EARLIER, line_id: int = 1) -> Transition:
    return Transition(id, unit, "CC-123", date(2026, 1, 1), approved, line_id)


HEAD = {"bu_head": "head@example.org"}


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("raw", "expected"), [("120000", "120000.00"), ("0.01", "0.01"), (250, "250.00"), (Decimal("1e3"), "1000.00")]
)
def test_amounts_are_positive_and_kept_to_the_cent(raw: object, expected: str) -> None:
    assert rules.parse_amount(raw) == Decimal(expected)


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("-5", "not more than zero"),
        ("0", "not more than zero"),
        ("0.00", "not more than zero"),
        ("12.345", "more than two decimal places"),
        ("abc", "is not an amount"),
        ("NaN", "is not an amount"),
        ("Infinity", "is not an amount"),
        (True, "is not an amount"),
        ("1000000000000", "more than the largest amount"),
    ],
)
def test_bad_amounts_say_what_is_wrong(raw: object, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        rules.parse_amount(raw)


def test_currencies_are_iso_4217_codes() -> None:
    assert rules.parse_currency(" eur ") == "EUR"
    for bad in ("EU", "EURO", "XYZ", "€", ""):
        with pytest.raises(ValueError, match="ISO 4217"):
            rules.parse_currency(bad)


def test_days_and_periods() -> None:
    assert rules.parse_day("2027-01-31") == date(2027, 1, 31)
    with pytest.raises(ValueError, match="not a date"):
        rules.parse_day("31/01/2027")
    assert rules.period_problem(date(2027, 1, 1), date(2027, 1, 1)) is None  # a one-day period is fine
    problem = rules.period_problem(date(2027, 12, 31), date(2027, 1, 1))
    assert problem and "before it starts" in problem


def test_who_may_approve_which_line() -> None:
    assert rules.approver_problem("project", ["sponsor"]) is None
    assert rules.approver_problem("project", ["program_lead", "technical_lead"]) is None
    assert rules.approver_problem("operational", ["bu_head"]) is None
    assert "bu_head" in (rules.approver_problem("operational", ["sponsor", "program_lead"]) or "")
    assert rules.approver_problem("project", []) is not None


# ---------------------------------------------------------------- Gate 2: pathway identified


def test_a_proposed_operational_line_for_a_future_period_identifies_the_pathway() -> None:
    future = line(status="proposed", start=date(2027, 1, 1), end=date(2027, 12, 31))
    result = rules.pathway_identified([future], [], now=NOW, key="UC-0001")
    assert result.status == "met" and "proposed" in result.note and "#1" in result.note
    assert result.detail["lines"] == [future.as_detail()]


def test_a_line_ending_today_still_counts_and_one_ending_yesterday_does_not() -> None:
    assert rules.pathway_identified([line(end=TODAY)], [], now=NOW).status == "met"
    ended = rules.pathway_identified([line(end=TODAY - timedelta(days=1))], [], now=NOW, key="UC-0009")
    assert ended.status == "not_met"
    assert "#1 ended before 2026-11-28" in ended.note and "pilotgate funding add UC-0009" in ended.note


def test_project_money_is_no_pathway_but_an_approved_transition_is() -> None:
    project = line(source="project", end=date(2027, 12, 31))
    assert rules.pathway_identified([project], [], now=NOW).status == "not_met"
    result = rules.pathway_identified([project], [moved()], now=NOW, key="UC-0001")
    assert result.status == "met" and "transition #1" in result.note


def test_the_pathway_is_judged_as_of_a_moment() -> None:
    """A gate decided in the past sees only what was recorded by then."""
    later = line(status="proposed", start=date(2027, 1, 1), end=date(2027, 12, 31), created=NOW + timedelta(days=1))
    assert rules.pathway_identified([later], [], now=NOW).status == "not_met"
    assert rules.pathway_identified([later], [], now=NOW + timedelta(days=2)).status == "met"
    assert rules.pathway_identified([], [moved(approved=NOW + timedelta(seconds=1))], now=NOW).status == "not_met"


# ---------------------------------------------------------------- Gate 3: production funded


def test_production_funded_needs_line_transition_and_head() -> None:
    result = rules.production_funded([line()], [moved()], HEAD, now=NOW)
    assert result.status == "met"
    assert "covers 2026-11-28" in result.note and "head@example.org" in result.note
    assert result.detail["transitions"] == [1] and result.detail["bu_head"] == "head@example.org"


def test_the_checks_list_the_records_behind_them_for_the_review_page() -> None:
    met = rules.production_funded([line()], [moved()], HEAD, now=NOW)
    assert met.detail["section"] == "#h-funding"
    assert [(f["label"], f["ok"]) for f in met.detail["facts"]] == [  # type: ignore[attr-defined]
        ("Approved operational line #1", True),
        ("Approved transition #1", True),
        ("Business-unit head", True),
    ]
    missing = rules.production_funded([], [], {}, now=NOW)
    assert [(f["label"], f["value"], f["ok"]) for f in missing.detail["facts"]] == [  # type: ignore[attr-defined]
        ("Approved operational line covering 2026-11-28", "none", False),
        ("Business-unit head", "nobody named", False),
    ]
    pathway = rules.pathway_identified([line(end=date(2027, 12, 31))], [], now=NOW)
    assert "EUR 120,000.00, Finance · CC-123, 2026-01-01 → 2027-12-31, approved" in str(pathway.detail["facts"])


def test_production_funded_says_each_missing_piece_and_how_to_fix_it() -> None:
    nothing = rules.production_funded([], [], {}, now=NOW, key="UC-0003")
    assert nothing.status == "not_met"
    assert "no approved operational budget line covers 2026-11-28" in nothing.note
    assert "pilotgate funding approve ID" in nothing.note and "pilotgate assign UC-0003 bu_head" in nothing.note
    pending = rules.production_funded([line(7, status="proposed")], [], HEAD, now=NOW)
    assert "operational line #7 covers 2026-11-28 but is not approved" in pending.note
    assert "pilotgate funding approve 7" in pending.note
    no_move = rules.production_funded([line()], [], HEAD, now=NOW, key="UC-0003")
    assert "no approved transition names Finance" in no_move.note
    assert "pilotgate funding transition UC-0003" in no_move.note
    no_head = rules.production_funded([line()], [moved()], {"sponsor": "s@example.org"}, now=NOW)
    assert no_head.status == "not_met" and "no business-unit head" in no_head.note


@pytest.mark.parametrize(
    ("candidate", "why"),
    [
        (line(status="proposed"), "proposed, not approved"),
        (line(source="project"), "project money"),
        (line(start=TODAY + timedelta(days=1), end=date(2027, 12, 31)), "starts tomorrow"),
        (line(end=TODAY - timedelta(days=1)), "ended yesterday"),
        (line(approved=NOW + timedelta(minutes=1)), "approved after the moment judged"),
    ],
)
def test_only_an_approved_operational_line_covering_today_funds_production(candidate: Line, why: str) -> None:
    assert rules.production_funded([candidate], [moved()], HEAD, now=NOW).status == "not_met", why


def test_the_period_edges_count_as_covered() -> None:
    for edge in (line(start=TODAY, end=date(2027, 1, 1)), line(start=date(2026, 1, 1), end=TODAY)):
        assert rules.production_funded([edge], [moved()], HEAD, now=NOW).status == "met"


def test_the_transition_must_name_the_funding_business_unit() -> None:
    other = rules.production_funded([line(unit="Finance")], [moved(unit="Legal")], HEAD, now=NOW)
    assert other.status == "not_met" and "names Finance" in other.note
    same = rules.production_funded([line(unit="Finance")], [moved(unit=" finance ")], HEAD, now=NOW)
    assert same.status == "met"


# ---------------------------------------------------------------- the portfolio view


def test_months_between_counts_whole_months() -> None:
    assert rules.months_between(date(2026, 1, 31), date(2026, 2, 28)) == 0
    assert rules.months_between(date(2026, 1, 15), date(2026, 2, 15)) == 1
    assert rules.months_between(date(2025, 11, 28), date(2026, 11, 28)) == 12
    assert rules.months_between(date(2026, 12, 1), date(2026, 11, 28)) == 0


def test_the_portfolio_totals_current_approved_money_and_flags_project_money() -> None:
    funded = Holding("UC-1", "Funded", "Finance", "production", date(2026, 1, 10), (line(1), line(2, source="project")))
    zombie = Holding(
        "UC-2",
        "On project money",
        "Legal",
        "scale",
        date(2025, 11, 1),
        (
            line(3, source="project", amount="50000"),
            line(4, source="project", amount="10000", currency="USD"),
            line(5, status="proposed"),  # proposed operational money funds nothing yet
            line(6, end=date(2026, 6, 30)),  # an operational line that lapsed
        ),
    )
    bare = Holding("UC-3", "Nothing approved", "HR", "production", date(2026, 10, 1), ())
    view = rules.portfolio([funded, zombie, bare], now=NOW)
    assert view["operational_use_cases"] == 3 and view["operationally_funded"] == 1
    assert view["on_project_money"] == 1 and view["unfunded"] == 1
    assert view["approved_by_source"] == {
        "project": {"EUR": "170000.00", "USD": "10000.00"},
        "operational": {"EUR": "120000.00"},
    }
    first, second = view["production_on_project_money"]
    assert first["key"] == "UC-2" and first["funding"] == "project" and first["months_in_operation"] == 12
    assert first["project_amount"] == {"EUR": "50000.00", "USD": "10000.00"}
    assert second["key"] == "UC-3" and second["funding"] == "none" and second["project_amount"] == {}


def test_an_empty_portfolio() -> None:
    view = rules.portfolio([], now=NOW)
    assert view["operational_use_cases"] == 0 and view["production_on_project_money"] == []
    assert view["approved_by_source"] == {"project": {}, "operational": {}}
