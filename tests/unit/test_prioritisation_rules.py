"""The prioritisation rules without a database: scorecard input, the weighted score, the ranking
with its tie-breaks, value concentration and the Pareto series; and the policy's section."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pilotgate.errors import PolicyError
from pilotgate.policy.loader import load_policy_text, shipped_policy_text
from pilotgate.policy.model import DEFAULT_SCORE_CRITERIA, Policy
from pilotgate.prioritisation import rules
from pilotgate.prioritisation.document import scorecard_markdown, text
from pilotgate.prioritisation.views import criteria_of

SCALE = rules.Scale(1, 5)
CRITERIA = [
    rules.Criterion("business_value", "Business value", 30),
    rules.Criterion("feasibility", "Technical feasibility", 20),
    rules.Criterion("data_availability", "Data availability", 15),
    rules.Criterion("process_maturity", "Process maturity", 10),
    rules.Criterion("risk", "Risk", 15, inverse=True),
    rules.Criterion("sponsorship", "Sponsorship", 10),
]


def scored(**values: int) -> list[rules.Score]:
    checked, problems = rules.check_scores(values, CRITERIA, SCALE)
    assert problems == []
    return checked


def test_the_total_is_0_to_100_and_risk_counts_against_it() -> None:
    best = scored(business_value=5, feasibility=5, data_availability=5, process_maturity=5, risk=1, sponsorship=5)
    worst = scored(business_value=1, feasibility=1, data_availability=1, process_maturity=1, risk=5, sponsorship=1)
    assert rules.weighted_score(best, CRITERIA, SCALE) == 100.0
    assert rules.weighted_score(worst, CRITERIA, SCALE) == 0.0
    middle = scored(business_value=3, feasibility=3, data_availability=3, process_maturity=3, risk=3, sponsorship=3)
    assert rules.weighted_score(middle, CRITERIA, SCALE) == 50.0
    # Raising the risk lowers the total, by exactly its weight share over the scale step.
    risky = scored(business_value=3, feasibility=3, data_availability=3, process_maturity=3, risk=4, sponsorship=3)
    assert rules.weighted_score(risky, CRITERIA, SCALE) == 50.0 - 15 * 0.25


def test_contributions_add_up_to_the_total_and_weights_are_relative() -> None:
    values = scored(business_value=4, feasibility=3, data_availability=5, process_maturity=2, risk=2, sponsorship=4)
    parts = rules.contributions(values, CRITERIA, SCALE)
    assert [p.criterion.id for p in parts] == [c.id for c in CRITERIA]
    assert round(sum(p.points for p in parts), 2) == rules.weighted_score(values, CRITERIA, SCALE) == 68.75
    assert parts[0].points == 22.5 and parts[4].normalised == 0.75  # risk 2 of 1–5, reversed
    doubled = [rules.Criterion(c.id, c.title, c.weight * 2, c.inverse) for c in CRITERIA]
    assert rules.weighted_score(values, doubled, SCALE) == 68.75  # only the shares matter
    other_scale = rules.Scale(0, 10)
    checked, _ = rules.check_scores(dict.fromkeys([c.id for c in CRITERIA], 10) | {"risk": 0}, CRITERIA, other_scale)
    assert rules.weighted_score(checked, CRITERIA, other_scale) == 100.0


@pytest.mark.parametrize(
    ("given", "field", "fragment"),
    [
        ({"business_value": 6}, "criterion.business_value", "6 is outside the scale 1–5"),
        ({"business_value": 0}, "criterion.business_value", "0 is outside the scale 1–5"),
        ({"business_value": 3.5}, "criterion.business_value", "3.5 is not a whole number"),
        ({"business_value": "four"}, "criterion.business_value", "'four' is not a whole number"),
        ({"business_value": True}, "criterion.business_value", "True is not a score"),
        ({"business_value": None}, "criterion.business_value", "None is not a score"),
        ({"business_value": {"score": 3, "colour": "red"}}, "criterion.business_value", "unknown key(s) colour"),
        ({"business_value": {"score": 3, "rationale": 7}}, "criterion.business_value", "the rationale is text"),
        ({"business_value": {"score": 3, "rationale": "x" * 2001}}, "criterion.business_value", "at most 2000"),
        ({"ethics": 3}, "criterion.ethics", "'ethics' is not a criterion of this policy"),
    ],
)
def test_bad_scores_name_the_criterion_and_say_why(given: dict[str, object], field: str, fragment: str) -> None:
    complete: dict[str, object] = dict.fromkeys([c.id for c in CRITERIA], 3)
    _, problems = rules.check_scores(complete | given, CRITERIA, SCALE)
    assert len(problems) == 1
    assert problems[0][0] == field and fragment in problems[0][1], problems


def test_every_missing_criterion_is_reported_at_once() -> None:
    checked, problems = rules.check_scores({"business_value": 3, "risk": "2"}, CRITERIA, SCALE)
    assert [field for field, _ in problems] == [
        "criterion.feasibility",
        "criterion.data_availability",
        "criterion.process_maturity",
        "criterion.sponsorship",
    ]
    assert all("is missing" in why for _, why in problems)
    assert [(s.criterion, s.score) for s in checked] == [("business_value", 3), ("risk", 2)]  # "2" is a score


def test_command_line_options_and_amounts() -> None:
    assert rules.parse_option("business_value=4:saves 2 FTE: measured") == (
        "business_value",
        "4",
        "saves 2 FTE: measured",
    )
    assert rules.parse_option(" RISK = 2 ") == ("risk", "2", "")
    with pytest.raises(ValueError, match="is not id=score"):
        rules.parse_option("business_value:4")
    assert rules.parse_expected_value("250_000") == Decimal("250000.00")
    assert rules.parse_expected_value(0) == Decimal("0.00")
    for bad, fragment in (
        ("-1", "is negative"),
        ("1.005", "two decimal places"),
        ("nan", "not an amount"),
        (True, "not an amount"),
    ):
        with pytest.raises(ValueError, match=fragment):
            rules.parse_expected_value(bad)
    assert rules.parse_currency(" usd ") == "USD"
    with pytest.raises(ValueError, match="not an ISO 4217"):
        rules.parse_currency("EURO")


def test_ranking_breaks_ties_by_value_then_key_and_is_stable() -> None:
    candidates = [
        rules.Candidate("UC-0010", 70.0, None),
        rules.Candidate("UC-0009", 70.0, None),
        rules.Candidate("UC-0003", 70.0, 100_000),
        rules.Candidate("UC-0004", 70.0, 250_000),
        rules.Candidate("UC-0001", 90.0, 0),
        rules.Candidate("UC-0002", 40.0, 9_000_000),
    ]
    ranked = rules.rank(candidates)
    assert [(n, c.key) for n, c in ranked] == [
        (1, "UC-0001"),
        (2, "UC-0004"),  # the same score: the higher expected value first
        (3, "UC-0003"),
        (4, "UC-0009"),  # no value: last among equals, by key (UC-0009 before UC-0010)
        (5, "UC-0010"),
        (6, "UC-0002"),
    ]
    assert rules.rank(list(reversed(candidates))) == ranked


def test_concentration_and_the_pareto_series() -> None:
    values = {"UC-0001": 500.0, "UC-0002": 300.0, "UC-0003": 100.0, "UC-0004": 100.0, "UC-0005": 0.0}
    result = rules.concentration(values, 2)
    assert (result.top, result.counted, result.total, result.top_value) == (2, 2, 1000.0, 800.0)
    assert result.top_share == 0.8 and result.to_reach_line == 2
    assert [p.key for p in result.series] == ["UC-0001", "UC-0002", "UC-0003", "UC-0004", "UC-0005"]  # ties by key
    assert [p.cumulative_share for p in result.series] == [0.5, 0.8, 0.9, 1.0, 1.0]
    assert [p.share for p in result.series] == [0.5, 0.3, 0.1, 0.1, 0.0]
    everything = rules.concentration(values, 50)
    assert everything.counted == 5 and everything.top_share == 1.0
    nothing = rules.concentration({"UC-0001": 0.0}, 1)
    assert nothing.top_share is None and nothing.to_reach_line is None and nothing.series[0].cumulative_share is None
    assert rules.concentration({}, 3).series == []


@pytest.mark.parametrize("top", [0, -1, True, 2.5])
def test_concentration_refuses_a_top_n_under_one(top: object) -> None:
    with pytest.raises(ValueError, match="give 1 or more"):
        rules.concentration({"UC-0001": 1.0}, top)  # type: ignore[arg-type]


def test_concentration_refuses_a_negative_or_infinite_value() -> None:
    for bad in (-1.0, float("inf"), float("nan")):
        with pytest.raises(ValueError, match="is not an expected value"):
            rules.concentration({"UC-0001": bad}, 1)


# ---------------------------------------------------------------- the policy's section


def shipped_with(old: str, new: str) -> str:
    text_ = shipped_policy_text()
    assert text_.count(old) == 1, old
    return text_.replace(old, new)


def problems_of(text_: str) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        load_policy_text(text_, "test")
    return caught.value.problems


def test_the_shipped_policy_has_the_six_defaults() -> None:
    policy = load_policy_text(shipped_policy_text(), "shipped")
    section = policy.prioritisation
    assert section.criteria == DEFAULT_SCORE_CRITERIA
    assert [c.id for c in section.criteria] == [
        "business_value", "feasibility", "data_availability", "process_maturity", "risk", "sponsorship",
    ]  # fmt: skip
    assert sum(c.weight for c in section.criteria) == 100 and [c.id for c in section.criteria if c.inverse] == ["risk"]
    assert (section.scale.min, section.scale.max, section.artifact, section.currency) == (
        1,
        5,
        "use_case_scorecard",
        "EUR",
    )
    criteria, scale = criteria_of(policy)
    assert scale == SCALE and criteria == CRITERIA


def test_a_policy_without_the_section_gets_the_defaults() -> None:
    data = load_policy_text(shipped_policy_text(), "shipped").model_dump(by_alias=True, exclude={"prioritisation"})
    assert Policy.model_validate(data).prioritisation.criteria == DEFAULT_SCORE_CRITERIA


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("weight: 20,", "weight: 0,", "prioritisation.criteria[1].weight: Input should be greater than 0"),
        ("weight: 20,", "weight: -5,", "prioritisation.criteria[1].weight: Input should be greater than 0"),
        ("{id: sponsorship,", "{id: risk,", "prioritisation: criteria[5].id: 'risk' is already criteria[4]'s id"),
        (
            "scale: {min: 1, max: 5}",
            "scale: {min: 5, max: 1}",
            "prioritisation.scale: max (1) must be greater than min (5)",
        ),
        ("top_n: 5", "top_n: 0", "prioritisation.top_n: Input should be greater than or equal to 1"),
        ("currency: EUR\n", "currency: euro\n", "prioritisation.currency: 'euro' is not a currency code"),
        ("{id: feasibility,", "{id: Feasibility!,", "prioritisation.criteria[1].id: String should match pattern"),
        ("  top_n: 5\n", "  top_n: 5\n  colour: red\n", "prioritisation.colour: unknown key"),
        ("inverse: true,", "inverse: maybe,", "prioritisation.criteria[4].inverse: Input should be a valid boolean"),
    ],
)
def test_policy_validation_names_the_key_path(old: str, new: str, expected: str) -> None:
    found = problems_of(shipped_with(old, new))
    assert any(p.startswith(expected) for p in found), found


# ---------------------------------------------------------------- the generated document


def test_the_document_escapes_what_people_typed() -> None:
    assert text("a|b\n[x](javascript:alert(1)) <script>") == r"a\|b \[x\]\(javascript:alert\(1\)\) \<script\>"
    card = {
        "version": 2, "total": 68.75, "scale": {"min": 1, "max": 5}, "expected_value": "250000.00",
        "currency": "EUR", "note": "", "scored_by": "lead@example.org", "scored_by_name": "Lead <b>",
        "scored_at": "2026-01-01T00:00:00+00:00", "policy": {"name": "pilotgate-default", "version": 1},
        "scores": [
            {"title": "Risk", "inverse": True, "weight_share": 0.15, "score": 2, "points": 11.25,
             "rationale": "| injected | row |\n# heading"},
        ],
    }  # fmt: skip
    use_case = {"key": "UC-0001", "title": "![img](http://x/y.png)", "business_unit": "Ops", "stage": "discovery"}
    document = scorecard_markdown(card, use_case)
    assert (
        "| Risk (inverse: a high score counts against) | 15% | 2 / 5 | 11.25 | \\| injected \\| row \\| \\# heading |"
        in (document)
    )
    assert "\\!\\[img\\]\\(http://x/y.png\\)" in document and "![img]" not in document
    assert "Lead \\<b\\>" in document and "**68.75 / 100**" in document and "EUR 250,000.00 a year" in document
    assert document == scorecard_markdown(card, use_case)  # the same version, the same bytes
