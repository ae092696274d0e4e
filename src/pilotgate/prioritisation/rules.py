"""Prioritisation rules: scorecard input, the weighted score, the ranking and value concentration.

Pure: no database, web or CLI import. A scorecard scores every criterion of the policy on its
whole-number scale. Each criterion's score is normalised to 0–1 over the scale — reversed for an
*inverse* criterion (risk: 5 = severe counts against) — and weighted by its share of the summed
weights, so the total is 0–100 whatever the scale or the weights.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from pilotgate.funding.rules import CURRENCIES

CENT = Decimal("0.01")
MAX_VALUE = Decimal("999999999999.99")  # what Numeric(14, 2) holds
RATIONALE_LIMIT = 2000
PARETO_LINE = 0.8  # the 80% rule line of the Pareto chart
OPTION = re.compile(r"^\s*([A-Za-z0-9_]+)\s*=\s*([^:]*?)\s*(?::(.*))?$", re.S)


@dataclass(frozen=True)
class Criterion:
    """A scorecard criterion as the rules see it."""

    id: str
    title: str
    weight: float
    inverse: bool = False


@dataclass(frozen=True)
class Scale:
    low: int
    high: int

    def describe(self) -> str:
        return f"{self.low}–{self.high}"


@dataclass(frozen=True)
class Score:
    criterion: str
    score: int
    rationale: str = ""


@dataclass(frozen=True)
class Contribution:
    """What one criterion adds to the total: its normalised score times its weight share, in points."""

    criterion: Criterion
    score: int
    rationale: str
    normalised: float  # 0–1, after reversing an inverse criterion
    weight_share: float  # 0–1
    points: float  # 0–100 × weight share


# ---------------------------------------------------------------- input


def parse_score(criterion: str, value: object, scale: Scale) -> tuple[int | None, str | None]:
    """A whole number on the scale, or (None, why not)."""
    if isinstance(value, bool) or value is None:
        return None, f"{value!r} is not a score; give a whole number {scale.describe()}"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d{1,6}\s*", value):
        value = int(value)
    if not isinstance(value, int):
        return None, f"{value!r} is not a whole number; score {criterion} {scale.describe()}"
    if not scale.low <= value <= scale.high:
        return None, f"{value} is outside the scale {scale.describe()}"
    return value, None


def check_scores(
    given: Mapping[str, object], criteria: Sequence[Criterion], scale: Scale
) -> tuple[list[Score], list[tuple[str, str]]]:
    """Every criterion scored once on the scale, nothing else: the scores, or every (field, problem).

    `given` maps a criterion id to a score, or to {"score": …, "rationale": …}.
    """
    known = {c.id for c in criteria}
    problems: list[tuple[str, str]] = []
    for name in given:
        if name not in known:
            problems.append(
                (f"criterion.{name}", f"{name!r} is not a criterion of this policy; one of {', '.join(sorted(known))}")
            )
    scores: list[Score] = []
    for criterion in criteria:
        field = f"criterion.{criterion.id}"
        if criterion.id not in given:
            problems.append((field, f"is missing: every criterion is scored ({criterion.title}, {scale.describe()})"))
            continue
        raw: object = given[criterion.id]
        rationale: object = ""
        if isinstance(raw, Mapping):
            parts: Mapping[object, object] = raw
            extra = sorted(str(k) for k in set(parts) - {"score", "rationale"})
            if extra:
                problems.append((field, f"unknown key(s) {', '.join(extra)}; give score and rationale"))
                continue
            raw, rationale = parts.get("score"), parts.get("rationale") or ""
        if not isinstance(rationale, str):
            problems.append((field, "the rationale is text"))
            continue
        rationale = rationale.strip()
        if len(rationale) > RATIONALE_LIMIT:
            problems.append((field, f"the rationale is {len(rationale)} characters; at most {RATIONALE_LIMIT}"))
            continue
        value, why = parse_score(criterion.id, raw, scale)
        if value is None:
            problems.append((field, why or "is not a score"))
            continue
        scores.append(Score(criterion.id, value, rationale))
    return scores, problems


def parse_option(text: str) -> tuple[str, str, str]:
    """`id=score[:rationale]` from the command line: (id, score text, rationale)."""
    match = OPTION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not id=score[:rationale], e.g. business_value=4:saves 2 FTE")
    return match.group(1).lower(), match.group(2), (match.group(3) or "").strip()


def parse_expected_value(value: object) -> Decimal:
    """A yearly value estimate, zero or more, to the cent; ValueError says what is wrong."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not an amount, e.g. 250000")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace("_", ""))
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount, e.g. 250000") from None
    if not amount.is_finite():
        raise ValueError(f"{value!r} is not an amount, e.g. 250000")
    if amount < 0:
        raise ValueError(f"{amount} is negative; an expected value is zero or more")
    if amount > MAX_VALUE:
        raise ValueError(f"{amount} is more than the largest amount pilotgate keeps ({MAX_VALUE:,})")
    if amount != amount.quantize(CENT):
        raise ValueError(f"{amount} has more than two decimal places; amounts are kept to the cent")
    return amount.quantize(CENT)


def parse_currency(value: str) -> str:
    code = value.strip().upper()
    if code not in CURRENCIES:
        raise ValueError(f"{value!r} is not an ISO 4217 currency code, e.g. EUR, USD or GBP")
    return code


# ---------------------------------------------------------------- the weighted score


def contributions(scores: Sequence[Score], criteria: Sequence[Criterion], scale: Scale) -> list[Contribution]:
    """Each criterion's part of the total, in the order of the criteria."""
    total_weight = math.fsum(c.weight for c in criteria)
    by_id = {s.criterion: s for s in scores}
    span = scale.high - scale.low
    out = []
    for criterion in criteria:
        score = by_id[criterion.id]
        normalised = (score.score - scale.low) / span
        if criterion.inverse:
            normalised = 1.0 - normalised
        share = criterion.weight / total_weight
        out.append(Contribution(criterion, score.score, score.rationale, normalised, share, 100.0 * share * normalised))
    return out


def weighted_score(scores: Sequence[Score], criteria: Sequence[Criterion], scale: Scale) -> float:
    """The total, 0–100, to two decimals."""
    points = math.fsum(c.points for c in contributions(scores, criteria, scale))
    return round(min(100.0, max(0.0, points)), 2)


# ---------------------------------------------------------------- ranking and concentration


@dataclass(frozen=True)
class Candidate:
    """A scored use case: its total and, when known, its expected value."""

    key: str
    score: float
    value: float | None = None


def _key_order(key: str) -> tuple[str, int, str]:
    """UC-0009 before UC-0010 whatever the padding: the prefix, then the number."""
    prefix, _, number = key.rpartition("-")
    return (prefix, int(number), key) if number.isdigit() else (key, 0, key)


def rank(candidates: Sequence[Candidate]) -> list[tuple[int, Candidate]]:
    """Highest score first; ties broken by the higher expected value (unknown last), then the key."""
    ordered = sorted(
        candidates,
        key=lambda c: (-c.score, c.value is None, -(c.value or 0.0), _key_order(c.key)),
    )
    return list(enumerate(ordered, start=1))


@dataclass(frozen=True)
class ParetoPoint:
    position: int
    key: str
    value: float
    share: float | None  # of the total; None when the total is zero
    cumulative: float
    cumulative_share: float | None


@dataclass(frozen=True)
class Concentration:
    top: int  # as asked
    counted: int  # min(top, number of use cases)
    total: float
    top_value: float
    top_share: float | None  # None when there is no value at all
    to_reach_line: int | None  # how many use cases hold PARETO_LINE of the value
    series: list[ParetoPoint]


def concentration(values: Mapping[str, float], top: int) -> Concentration:
    """The share of expected value held by the `top` most valuable use cases, and the Pareto series
    (value descending, ties by key) with the cumulative share after each use case."""
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ValueError(f"{top!r} is not a number of use cases; give 1 or more")
    for key, value in values.items():
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"{key}: {value!r} is not an expected value (zero or more)")
    ordered = sorted(values.items(), key=lambda item: (-item[1], _key_order(item[0])))
    total = math.fsum(v for _, v in ordered)
    series: list[ParetoPoint] = []
    running = 0.0
    for position, (key, value) in enumerate(ordered, start=1):
        running += value
        series.append(
            ParetoPoint(
                position,
                key,
                value,
                value / total if total else None,
                running,
                min(1.0, running / total) if total else None,
            )
        )
    counted = min(top, len(ordered))
    top_value = math.fsum(v for _, v in ordered[:counted])
    reach = next((p.position for p in series if (p.cumulative_share or 0.0) >= PARETO_LINE - 1e-9), None)
    return Concentration(top, counted, total, top_value, top_value / total if total else None, reach, series)
