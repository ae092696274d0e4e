"""Readiness scoring without a database: answers, signals, the combined score, levels, caps and gaps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pilotgate.errors import InvalidInput
from pilotgate.maturity.questionnaire import CAPABILITIES, QUESTIONS, as_dict
from pilotgate.maturity.rules import LEVELS, MAX_GAPS, Signal, level_of, score, validate_answers
from pilotgate.maturity.signal_rules import (
    DecisionFacts,
    Facts,
    MetricFacts,
    ReviewFacts,
    UseCaseFacts,
    measure,
)
from pilotgate.policy.loader import shipped_policy

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def answers(default: int = 2, **per_capability: int) -> dict[str, int]:
    """Every question answered `default`, or the capability's own value."""
    return {q.id: per_capability.get(q.capability, default) for q in QUESTIONS.values()}


def signal(capability: str, met: int, of: int, ident: str = "", missing: tuple[str, ...] = ()) -> Signal:
    return Signal(ident or f"{capability}.s{met}{of}", capability, "a signal", met, of, "nothing yet", "do it", missing)


def by_id(result: object) -> dict[str, dict[str, object]]:
    return {c["id"]: c for c in result.as_dict()["capabilities"]}  # type: ignore[attr-defined]


# ---------------------------------------------------------------- the questionnaire


def test_the_questionnaire_covers_the_five_capabilities_with_anchored_questions() -> None:
    assert [c.id for c in CAPABILITIES] == ["funding", "change", "operations", "governance", "measurement"]
    for capability in CAPABILITIES:
        assert 4 <= len(capability.questions) <= 6
        for question in capability.questions:
            assert question.id.startswith(capability.id + ".") and question.capability == capability.id
            assert len(question.anchors) == 5 and len(set(question.anchors)) == 5
            assert not any(a.startswith("As ") for a in question.anchors), "an anchor must read on its own"
    assert len(QUESTIONS) == sum(len(c.questions) for c in CAPABILITIES)
    shipped = as_dict()
    assert shipped["scale"] == {"min": 0, "max": 4}
    assert shipped["capabilities"][0]["questions"][0]["anchors"][4]["score"] == 4


# ---------------------------------------------------------------- validating answers


def test_complete_answers_are_accepted_and_an_integral_float_is_a_whole_number() -> None:
    given: dict[str, object] = dict(answers(3))
    given["funding.run_costs"] = 1.0
    assert validate_answers(given)["funding.run_costs"] == 1


@pytest.mark.parametrize(
    ("change", "field", "why"),
    [
        ({"funding.no_such": 2}, "funding.no_such", "is not a question"),
        ({"change.training": 5}, "change.training", "5 is out of range"),
        ({"change.training": -1}, "change.training", "-1 is out of range"),
        ({"change.training": 2.5}, "change.training", "is not a whole number"),
        ({"change.training": "3"}, "change.training", "is not a whole number"),
        ({"change.training": True}, "change.training", "is not a whole number"),
        ({"change.training": None}, "change.training", "is not a whole number"),
    ],
)
def test_each_bad_answer_is_refused_naming_its_question(change: dict[str, object], field: str, why: str) -> None:
    given: dict[str, object] = {**answers(), **change}
    with pytest.raises(InvalidInput) as refused:
        validate_answers(given)
    assert refused.value.field == field and why in refused.value.why


def test_missing_answers_are_listed_and_several_problems_are_reported_together() -> None:
    given = answers()
    del given["operations.on_call"], given["measurement.benefits_review"]
    with pytest.raises(InvalidInput) as refused:
        validate_answers(given)
    assert refused.value.why == "2 question(s) unanswered: operations.on_call, measurement.benefits_review"
    with pytest.raises(InvalidInput) as several:
        validate_answers({**given, "governance.cadence": 9, "nope": 1})
    message = several.value.message
    assert message.startswith("answers: ") and "\n" not in message
    assert "governance.cadence: 9 is out of range" in message and "nope: is not a question" in message
    assert "2 question(s) unanswered" in message
    for not_a_mapping in (None, [1, 2], "funding.run_costs: 2"):
        with pytest.raises(InvalidInput, match="expected a mapping"):
            validate_answers(not_a_mapping)


# ---------------------------------------------------------------- scores and levels


def test_level_bands() -> None:
    assert [level_of(s).number for s in (0, 19.9, 20, 39.9, 40, 59.9, 60, 79.9, 80, 100)] == [
        1, 1, 2, 2, 3, 3, 4, 4, 5, 5,
    ]  # fmt: skip
    assert [level.name for level in LEVELS] == ["Ad hoc", "Piloting", "Governed", "Operational", "Optimising"]


def test_all_fours_is_level_five_with_nothing_left_to_close() -> None:
    result = score(answers(4), [])
    assert result.overall == 100 and result.level.number == 5 and not result.caps and not result.gaps
    assert all(c["data"] is None and c["combined"] == 100 for c in by_id(result).values())


def test_all_zeros_is_ad_hoc() -> None:
    result = score(answers(0), [])
    assert result.overall == 0 and result.level.name == "Ad hoc"


def test_data_lower_than_the_answers_discounts_them_in_proportion_to_its_coverage() -> None:
    signals = [signal("operations", 0, 10, "operations.a"), signal("operations", 0, 0, "operations.b")]
    result = by_id(score(answers(4), signals))["operations"]
    # answers 100, data 0 on one of two signals: weight 0.4 × 1/2 = 0.2 → 100 − 0.2 × 100
    assert result["questionnaire"] == 100 and result["data"] == 0 and result["data_weight"] == 0.2
    assert result["combined"] == 80 and result["measurable_signals"] == 1


def test_data_as_good_or_better_confirms_the_answers_and_lifts_nothing() -> None:
    result = by_id(score(answers(0), [signal("funding", 10, 10)]))["funding"]
    assert result["data"] == 100 and result["combined"] == 0


def test_a_signal_with_nothing_to_measure_is_not_measurable_yet_not_zero() -> None:
    empty = signal("measurement", 0, 0, "measurement.x")
    result = score(answers(3), [empty])
    assert by_id(result)["measurement"]["data"] is None and by_id(result)["measurement"]["combined"] == 75
    shown = result.as_dict()["signals"][0]
    assert shown["value"] is None and shown["measurable"] is False and shown["note"] == "nothing yet"
    assert empty.value is None and signal("measurement", 0, 3).value == 0


def test_the_weakest_capability_holds_the_level_to_one_above_its_own() -> None:
    result = score(answers(4, change=0), [])
    assert result.overall == 80 and result.uncapped.number == 5
    assert result.level.number == 2 and len(result.caps) == 1
    assert result.caps[0].startswith("Change management is at level 1 (0)")


def test_level_three_needs_stage_gate_governance_at_level_three() -> None:
    result = score(answers(3, governance=1), [])  # 75, 75, 75, 25, 75 → 65: level 4 by score
    assert result.uncapped.number == 4 and result.level.number == 2
    assert result.caps[0].startswith("Stage-gate governance is at level 2 (25)")
    assert "from level 2 to level 3" in result.caps[-1]


# ---------------------------------------------------------------- gaps


def test_gaps_start_with_the_weakest_capability_and_each_carries_a_next_action() -> None:
    given = answers(3, operations=1)
    given["operations.on_call"] = 0
    signals = [signal("operations", 1, 4, "operations.owner", missing=("UC-0002", "UC-0003", "UC-0004"))]
    gaps = score(given, signals).as_dict()["gaps"]
    assert [g["priority"] for g in gaps] == list(range(1, len(gaps) + 1))
    # operations (20) holds the level at 3; the gaps are in what is under level 4 (60): operations alone
    assert [(g["capability"], g["kind"], g["ref"]) for g in gaps] == [
        ("operations", "signal", "operations.owner"),
        ("operations", "question", "operations.on_call"),
        ("operations", "question", "operations.incidents"),
    ]
    on_call = QUESTIONS["operations.on_call"]
    assert gaps[0]["current"] == "1 of 4 (25%)" and gaps[0]["action"] == "do it"
    assert gaps[1]["current"] == f"0/4: {on_call.anchors[0]}"
    assert gaps[1]["action"] == f"Reach 1/4: {on_call.anchors[1]}"


def test_answers_far_above_the_data_call_for_a_second_look() -> None:
    result = score(answers(3, governance=4), [signal("governance", 0, 2, "governance.a")])
    # governance: answers 100, data 0 on its only signal → 100 − 0.4 × 100 = 60
    assert by_id(result)["governance"]["combined"] == 60
    gaps = [g for g in result.as_dict()["gaps"] if g["capability"] == "governance"]
    assert [g["kind"] for g in gaps] == ["divergence", "signal"]
    assert gaps[0]["current"] == "answers 100, data 0" and "Re-check the answers" in gaps[0]["action"]


def test_capabilities_at_the_next_level_already_have_no_gaps_and_the_list_is_bounded() -> None:
    result = score(answers(3, funding=2), [])  # 50, 75 × 4 → 70: level 4, so the gaps are under 80
    assert result.level.number == 4 and result.gaps[0].capability == "funding"
    assert len(result.gaps) == 10  # two questions in each of the five
    short = [signal(c.id, 1, 2, f"{c.id}.{n}") for c in CAPABILITIES for n in "ab"]
    assert len(score(answers(3), short).gaps) == MAX_GAPS  # four in each of the five, the first twelve kept
    top = score(answers(4, funding=3), [])  # level 5: what remains is what is short of 100
    assert top.level.number == 5 and {g.capability for g in top.gaps} == {"funding"}


# ---------------------------------------------------------------- signals from facts


def uc(key: str, stage: str, *, days: int = 10, live: bool = True, **more: object) -> UseCaseFacts:
    return UseCaseFacts(
        key=key,
        policy="pilotgate-default",
        stage=stage,
        stage_entered_at=NOW - timedelta(days=days),
        live=live,
        **more,  # type: ignore[arg-type]
    )


def measured(facts: Facts) -> dict[str, Signal]:
    policy = shipped_policy()
    return {s.id: s for s in measure(facts, {policy.name: policy})}


def test_an_empty_registry_measures_nothing() -> None:
    found = measured(Facts(NOW, []))
    assert len(found) == 11 and all(s.value is None for s in found.values())
    assert found["funding.production_owner"].unmeasured.startswith("no live use case is in an operational stage")


def test_owner_signals_count_live_production_and_scale_use_cases_only() -> None:
    facts = Facts(
        NOW,
        [
            uc("UC-0001", "production", roles=frozenset({"bu_head", "ops_owner", "sponsor"})),
            uc("UC-0002", "scale", roles=frozenset({"sponsor"})),
            uc("UC-0003", "production", live=False),  # stopped: not counted
            uc("UC-0004", "pilot", roles=frozenset({"bu_head"})),  # not yet operational
        ],
    )
    found = measured(facts)
    owner = found["funding.production_owner"]
    assert (owner.met, owner.of, owner.missing) == (1, 2, ("UC-0002",))
    assert "UC-0002" in owner.action
    assert (found["operations.production_ops_owner"].met, found["operations.production_ops_owner"].of) == (1, 2)
    sponsor = found["measurement.named_sponsor"]
    assert (sponsor.met, sponsor.of, sponsor.missing) == (2, 3, ("UC-0004",))


def test_pilots_past_their_expected_duration_linger_on_the_programme_budget() -> None:
    facts = Facts(NOW, [uc("UC-0001", "pilot", days=16 * 7), uc("UC-0002", "pilot", days=16 * 7 + 1)])
    pilots = measured(facts)["funding.pilots_within_duration"]
    assert (pilots.met, pilots.of, pilots.missing) == (1, 2, ("UC-0002",))


def test_outcome_metrics_must_exist_before_the_first_entry_into_production() -> None:
    entry = NOW - timedelta(days=50)
    before = MetricFacts("lagging", entry - timedelta(days=1), True)
    after = MetricFacts("leading", entry + timedelta(days=1), False)
    technical = MetricFacts("technical", entry - timedelta(days=90), True)
    facts = Facts(
        NOW,
        [
            uc("UC-0001", "production", first_operational_entry=entry, metrics=(before,)),
            uc("UC-0002", "production", first_operational_entry=entry, metrics=(after, technical)),
        ],
    )
    found = measured(facts)
    first = found["measurement.defined_before_production"]
    assert (first.met, first.of, first.missing) == (1, 2, ("UC-0002",))
    targets = found["measurement.outcome_targets"]
    assert (targets.met, targets.of) == (1, 2)


def test_monitoring_is_live_when_a_service_level_series_is_not_stale() -> None:
    fresh = MetricFacts("sla", NOW, False, 86400, int((NOW - timedelta(hours=30)).timestamp() * 1000))
    stale = MetricFacts("sla", NOW, False, 86400, int((NOW - timedelta(days=3)).timestamp() * 1000))
    facts = Facts(NOW, [uc("UC-0001", "production", metrics=(fresh,)), uc("UC-0002", "scale", metrics=(stale,))])
    monitored = measured(facts)["operations.production_monitored"]
    assert (monitored.met, monitored.of, monitored.missing) == (1, 2, ("UC-0002",))


def test_adoption_is_judged_against_the_policy_threshold_where_it_is_measured() -> None:
    facts = Facts(
        NOW,
        [
            uc("UC-0001", "pilot", adoption=0.61, metrics=(MetricFacts("adoption", NOW, False),)),
            uc("UC-0002", "production", adoption=0.4),
            uc("UC-0003", "poc", adoption=0.1),  # before pilot: not counted
            uc("UC-0004", "pilot"),  # nothing reported: not in the share
        ],
    )
    found = measured(facts)
    at_threshold = found["change.adoption_at_threshold"]
    assert (at_threshold.met, at_threshold.of, at_threshold.missing) == (1, 2, ("UC-0002",))
    tracked = found["change.adoption_tracked"]
    assert (tracked.met, tracked.of) == (1, 3)


def test_decisions_are_judged_against_their_from_stage_within_the_last_twelve_months() -> None:
    def decision(key: str, stage: str, took_days: int, ago: int = 10) -> DecisionFacts:
        decided = NOW - timedelta(days=ago)
        return DecisionFacts(key, "pilotgate-default", 1, stage, decided, decided - timedelta(days=took_days))

    facts = Facts(
        NOW,
        [],
        decisions=[
            decision("UC-0001", "discovery", 28),  # 4 weeks: on time
            decision("UC-0002", "discovery", 29),  # late
            decision("UC-0003", "pilot", 100),
            decision("UC-0004", "production", 400),  # operational: not judged
            decision("UC-0005", "discovery", 90, ago=400),  # older than 12 months
        ],
    )
    on_time = measured(facts)["governance.decisions_on_time"]
    assert (on_time.met, on_time.of, on_time.missing) == (2, 3, ("UC-0002 (Gate 1)",))


def test_open_reviews_need_every_required_approver_named() -> None:
    facts = Facts(
        NOW,
        [],
        reviews=[
            ReviewFacts("UC-0001", 3, ("program_lead", "cio_cto", "bu_head"), frozenset({"program_lead", "cio_cto"})),
            ReviewFacts("UC-0002", 1, ("program_lead", "sponsor"), frozenset({"program_lead", "sponsor", "x"})),
        ],
    )
    staffed = measured(facts)["governance.open_reviews_staffed"]
    assert (staffed.met, staffed.of, staffed.missing) == (1, 2, ("UC-0001 (Gate 3: bu_head)",))
