"""Change management rules without a database: validation, plan completeness, and both checks
judged as of a moment."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from pilotgate.change import rules
from pilotgate.change.rules import Item, Plan

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
LATER = T0 + timedelta(days=30)
_ids = iter(range(1, 10_000))


def item(kind: str, *, done: datetime | None = None, attendance: int | None = None, target: int | None = None) -> Item:
    return Item(
        id=next(_ids),
        kind=kind,
        title=f"{kind} item",
        owner="owner@example.org",
        created_at=T0,
        completed_at=done,
        session_date=T0.date() if kind == "training" else None,
        attendance=attendance,
        attendance_target=target,
    )


def plan(*items: Item, population: str = "pilot", expansion: bool = False, created: datetime = T0) -> Plan:
    return Plan(
        id=next(_ids), population=population, owner="o@example.org", created_at=created, expansion=expansion,
        cohort=population, target_users=100, items=items,
    )  # fmt: skip


def complete(population: str = "pilot", *, expansion: bool = False, done: datetime = T0) -> Plan:
    return plan(
        item("workflow_redesign", done=done),
        item("workflow_redesign", done=done),
        item("training", done=done, attendance=22, target=25),
        item("training", done=done, attendance=30, target=25),
        item("manager_briefing", done=done),
        population=population,
        expansion=expansion,
    )


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("value", "expected"),
    [("training", "training"), (" Manager-Briefing ", "manager_briefing"), ("workflow redesign", "workflow_redesign")],
)
def test_kinds_are_read_forgivingly(value: str, expected: str) -> None:
    assert rules.parse_kind(value) == expected


def test_an_unknown_kind_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="'webinar' is not one of workflow_redesign, training, manager_briefing"):
        rules.parse_kind("webinar")


@pytest.mark.parametrize(
    ("value", "positive", "message"),
    [
        (-1, False, "-1 is negative"),
        ("-3", False, "-3 is negative"),
        ("many", False, "'many' is not a whole number"),
        (2.5, False, "2.5 is not a whole number"),
        (True, False, "True is not a whole number"),
        (0, True, "0 is not a population"),
        (10**9, False, "more than pilotgate counts"),
    ],
)
def test_bad_counts_are_refused_with_the_reason(value: object, positive: bool, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rules.parse_count(value, positive=positive)


def test_good_counts_and_days() -> None:
    assert rules.parse_count("0") == 0 and rules.parse_count(" 40 ") == 40 and rules.parse_count(7, positive=True) == 7
    assert rules.parse_day(" 2027-03-31 ") == date(2027, 3, 31)
    assert rules.parse_day(T0) == T0.date()
    with pytest.raises(ValueError, match="'31/03/2027' is not a date like 2027-01-31"):
        rules.parse_day("31/03/2027")


def test_dates_before_the_use_case_or_a_session_after_its_due_date_are_problems() -> None:
    registered = date(2027, 1, 10)
    assert rules.due_problem(date(2027, 1, 9), registered) == (
        "2027-01-09 is before the use case was registered (2027-01-10); give a later date"
    )
    assert rules.due_problem(registered, registered) is None
    assert "would be held after the item is due (2027-02-01)" in (
        rules.session_problem(date(2027, 2, 2), date(2027, 2, 1), registered) or ""
    )
    assert rules.session_problem(date(2027, 2, 1), date(2027, 2, 1), registered) is None
    assert rules.session_problem(date(2027, 2, 1), None, registered) is None
    assert "before the use case was registered" in (rules.session_problem(date(2026, 1, 1), None, registered) or "")


# ---------------------------------------------------------------- plan completeness


def test_a_complete_plan_has_redesign_done_training_delivered_and_a_briefing() -> None:
    status = rules.plan_status(complete(), LATER)
    assert status.complete and status.missing == ()
    facts = {f["label"]: (f["value"], f["ok"]) for f in status.facts}
    assert facts == {
        "pilot: workflow redesign": ("2 of 2 complete", True),
        "pilot: training": ("2 held, attendance 52 of target 50", True),
        "pilot: manager briefings": ("1 of 1 complete", True),
        "pilot: communications": ("none planned", None),
    }


def test_an_empty_plan_says_everything_that_is_missing() -> None:
    status = rules.plan_status(plan(), LATER)
    assert not status.complete
    assert status.missing == (
        "pilot: no workflow redesign item is planned",
        "pilot: no training session held yet",
        "pilot: no manager briefing complete (none planned)",
    )


def test_attendance_short_of_the_summed_targets_of_held_sessions_is_not_delivered() -> None:
    short = plan(
        item("workflow_redesign", done=T0),
        item("training", done=T0, attendance=20, target=25),
        item("training", done=T0, attendance=24, target=25),
        item("training", target=500),  # scheduled, not held: its target does not count yet
        item("manager_briefing", done=T0),
    )
    status = rules.plan_status(short, LATER)
    assert status.missing == ("pilot: training attendance 44 is short of the target 50",)
    training = next(f for f in status.facts if f["label"] == "pilot: training")
    assert training == {
        "label": "pilot: training",
        "value": "2 held, attendance 44 of target 50, 1 more scheduled",
        "ok": False,
    }


def test_an_open_redesign_item_is_named_and_communications_are_never_required() -> None:
    redesign = item("workflow_redesign")
    almost = plan(
        item("workflow_redesign", done=T0),
        redesign,
        item("training", done=T0, attendance=5, target=5),
        item("manager_briefing"),
        item("manager_briefing", done=T0),
        item("communication"),
    )
    status = rules.plan_status(almost, LATER)
    assert status.missing == (f"pilot: workflow redesign #{redesign.id} 'workflow_redesign item' not complete",)
    facts = {f["label"]: f["value"] for f in status.facts}
    assert facts["pilot: manager briefings"] == "1 of 2 complete"
    assert facts["pilot: communications"] == "0 of 1 sent"


# ---------------------------------------------------------------- change.complete


def test_change_complete_with_no_plan_says_how_to_start_one() -> None:
    result = rules.change_complete([], now=LATER, key="UC-0007")
    assert result.status == "not_met"
    assert result.note == (
        "no change plan is recorded for UC-0007; start one with "
        "`pilotgate change plan UC-0007 --population pilot --owner EMAIL`"
    )
    assert result.detail["section"] == "#h-change"
    assert result.detail["facts"] == [{"label": "Change plan", "value": "none recorded", "ok": False}]


def test_change_complete_judges_every_plan_but_the_expansions() -> None:
    incomplete_expansion = plan(item("training"), population="EMEA sales", expansion=True)
    result = rules.change_complete([complete(), incomplete_expansion], now=LATER, key="UC-0001")
    assert result.status == "met", result.note
    assert result.note == (
        "pilot: 2 workflow redesign item(s) complete, 2 training session(s) held (attendance 52 of target 50), "
        "1 manager briefing(s) done"
    )
    labels = [f["label"] for f in result.detail["facts"]]  # type: ignore[union-attr]
    assert labels[-1] == "EMEA sales (expansion)" and "pilot: training" in labels

    full = plan(item("workflow_redesign", done=T0), population="full")
    result = rules.change_complete([complete(), full, incomplete_expansion], now=LATER)
    assert result.status == "not_met"
    assert result.note == "full: no training session held yet; full: no manager briefing complete (none planned)"


def test_only_expansion_plans_are_no_plan_for_gate_3() -> None:
    result = rules.change_complete([complete("EMEA", expansion=True)], now=LATER, key="UC-0002")
    assert result.status == "not_met" and result.note.startswith("no change plan is recorded for UC-0002")


def test_change_complete_is_judged_as_of_a_moment() -> None:
    finished = LATER + timedelta(days=10)
    late = complete(done=finished)
    assert rules.change_complete([late], now=LATER).status == "not_met"  # completed after the moment
    assert rules.change_complete([late], now=finished).status == "met"
    future_plan = plan(*complete().items, created=LATER + timedelta(days=1))
    assert rules.change_complete([future_plan], now=LATER).note.startswith("no change plan is recorded")
    later_item = Item(
        id=999, kind="workflow_redesign", title="Late addition", owner="o", created_at=LATER + timedelta(days=1)
    )
    grown = plan(*complete().items, later_item)
    assert rules.change_complete([grown], now=LATER).status == "met"  # not known yet at that moment
    assert "#999 'Late addition' not complete" in rules.change_complete([grown], now=finished).note


def test_overdue_is_open_past_its_due_date() -> None:
    due = Item(id=1, kind="communication", title="t", owner="o", created_at=T0, due_date=T0.date())
    assert due.overdue_on(T0 + timedelta(days=1)) and not due.overdue_on(T0)
    done = Item(id=2, kind="communication", title="t", owner="o", created_at=T0, due_date=T0.date(), completed_at=T0)
    assert not done.overdue_on(LATER)


# ---------------------------------------------------------------- change.populations_planned


def test_populations_planned_needs_training_and_a_briefing_for_every_population() -> None:
    pilot = complete()
    emea = plan(item("training"), population="EMEA sales", expansion=True)
    apac = plan(item("communication"), population="APAC", expansion=True)
    result = rules.populations_planned([pilot, emea, apac], now=LATER, key="UC-0003")
    assert result.status == "not_met"
    assert result.note == (
        "EMEA sales has no manager briefing planned; APAC has no training session and no manager briefing planned"
    )
    assert [f["ok"] for f in result.detail["facts"]] == [True, False, False]  # type: ignore[union-attr]
    emea = plan(item("training"), item("manager_briefing"), population="EMEA sales", expansion=True)
    result = rules.populations_planned([pilot, emea], now=LATER, key="UC-0003")
    assert result.status == "met" and result.note == (
        "every population (pilot, EMEA sales) has training and manager briefings planned"
    )
    assert rules.populations_planned([], now=LATER).status == "not_met"
