"""The ranked portfolio and value concentration, over the use cases still in play.

Expected value per use case: the business case's conservative NPV
(`pilotgate.finance.service.expected_values`) when one exists for it, else the estimate on its
newest scorecard — and every value says which source it came from.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from pilotgate.db.uow import UnitOfWork
from pilotgate.errors import InvalidInput
from pilotgate.policy import service as policies
from pilotgate.policy.loader import SHIPPED_POLICY
from pilotgate.prioritisation import business_cases, rules, service
from pilotgate.prioritisation.models import Scorecard
from pilotgate.usecases.models import UseCase

IN_PLAY = ("active", "on_hold")  # stopped and retired use cases are no longer candidates for investment
BUSINESS_CASE = "business_case"
ESTIMATE = "scorecard_estimate"


@dataclass(frozen=True)
class Value:
    amount: float
    currency: str | None  # None: a business case whose currency is not known, taken as the view's
    source: str


def values_of(uow: UnitOfWork, cards: dict[int, Scorecard]) -> dict[int, Value]:
    """Each use case's expected value and where it came from (business case first)."""
    cases = business_cases.expected_values(uow)
    out = {i: Value(amount, currency, BUSINESS_CASE) for i, (amount, currency) in cases.items()}
    for use_case_id, card in cards.items():
        if use_case_id not in out and card.expected_value is not None:
            out[use_case_id] = Value(float(card.expected_value), card.currency, ESTIMATE)
    return out


def _candidates(uow: UnitOfWork, stage: str | None) -> list[UseCase]:
    query = select(UseCase).where(UseCase.status.in_(IN_PLAY))
    if stage is not None:
        stage = stage.strip().lower()
        known = sorted({s for v in policies.list_latest(uow) for s in policies.parsed(v).stage_ids()})
        if stage not in known:
            raise InvalidInput("stage", f"{stage!r} is not a stage; one of {', '.join(known)}")
        query = query.where(UseCase.stage == stage)
    return list(uow.session.scalars(query.order_by(UseCase.id)))


def ranking(uow: UnitOfWork, *, stage: str | None = None) -> dict[str, Any]:
    """Scored use cases by weighted score (ties: higher expected value, then key), and the unscored."""
    found = _candidates(uow, stage)
    cards = service.latest_of(uow, found)
    values = values_of(uow, cards)
    by_key = {u.key: u for u in found}
    reporting, _ = _reporting_currency(uow, found)
    scored = [
        rules.Candidate(u.key, float(cards[u.id].total), values[u.id].amount if u.id in values else None)
        for u in found
        if u.id in cards
    ]
    ranked = []
    for position, candidate in rules.rank(scored):
        use_case = by_key[candidate.key]
        card = cards[use_case.id]
        value = values.get(use_case.id)
        ranked.append(
            {
                "rank": position,
                "key": use_case.key,
                "title": use_case.title,
                "stage": use_case.stage,
                "status": use_case.status,
                "business_unit": use_case.business_unit,
                "score": candidate.score,
                "scores": {s.criterion_id: s.score for s in card.scores},
                "version": card.version,
                "scored_by": card.scorer.email,
                "scored_at": card.scored_at.isoformat(timespec="seconds"),
                "expected_value": round(value.amount, 2) if value else None,
                "currency": (value.currency or reporting) if value else None,
                "value_source": value.source if value else None,
            }
        )
    unscored = [{"key": u.key, "title": u.title, "stage": u.stage} for u in found if u.id not in cards]
    return {"as_of": uow.now().date().isoformat(), "stage": stage, "ranked": ranked, "unscored": unscored}


def _reporting_currency(uow: UnitOfWork, found: list[UseCase]) -> tuple[str, int]:
    """The prioritisation currency of the policy most candidates use, and its default top N."""
    used = Counter(u.policy_name for u in found)
    name = min(used, key=lambda n: (-used[n], n)) if used else SHIPPED_POLICY
    version = policies.latest(uow, name)
    section = policies.parsed(version).prioritisation if version else None
    return (section.currency, section.top_n) if section else ("EUR", 5)


def concentration(
    uow: UnitOfWork, *, top: int | None = None, stage: str | None = None, currency: str | None = None
) -> dict[str, Any]:
    """The share of expected value held by the top N use cases, with the Pareto series."""
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise InvalidInput("top", f"{top!r} is not a number of use cases; give 1 or more")
    found = _candidates(uow, stage)
    cards = service.latest_of(uow, found)
    values = values_of(uow, cards)
    default_currency, default_top = _reporting_currency(uow, found)
    try:
        code = rules.parse_currency(currency) if currency else default_currency
    except ValueError as error:
        raise InvalidInput("currency", str(error)) from None
    top = top or default_top
    counted: dict[str, float] = {}
    meta: dict[str, tuple[UseCase, Value]] = {}
    excluded = []
    for use_case in found:
        value = values.get(use_case.id)
        if value is None:
            excluded.append({"key": use_case.key, "title": use_case.title, "reason": "no expected value"})
        elif value.currency not in (None, code):
            reason = f"estimated in {value.currency}; this view is in {code}"
            excluded.append({"key": use_case.key, "title": use_case.title, "reason": reason})
        elif value.amount < 0:  # a business case that loses money holds no share of the value
            reason = f"its business case's conservative NPV is negative ({money(value.amount, value.currency or code)})"
            excluded.append({"key": use_case.key, "title": use_case.title, "reason": reason})
        else:
            counted[use_case.key] = value.amount
            meta[use_case.key] = (use_case, value)
    result = rules.concentration(counted, top)
    sources = {meta[p.key][1].source for p in result.series}
    return {
        "as_of": uow.now().date().isoformat(),
        "stage": stage,
        "currency": code,
        "top": result.top,
        "counted": result.counted,
        "use_cases": len(result.series),
        "total": round(result.total, 2),
        "top_value": round(result.top_value, 2),
        "top_share": None if result.top_share is None else round(result.top_share, 4),
        "line": rules.PARETO_LINE,
        "to_reach_line": result.to_reach_line,
        "mixed_sources": len(sources) > 1,
        "series": [
            {
                "position": p.position,
                "key": p.key,
                "title": meta[p.key][0].title,
                "stage": meta[p.key][0].stage,
                "value": round(p.value, 2),
                "share": None if p.share is None else round(p.share, 4),
                "cumulative": round(p.cumulative, 2),
                "cumulative_share": None if p.cumulative_share is None else round(p.cumulative_share, 4),
                "source": meta[p.key][1].source,
                "in_top": p.position <= result.counted,
            }
            for p in result.series
        ],
        "excluded": excluded,
    }


def money(amount: float | None, currency: str | None) -> str:
    return "—" if amount is None else f"{currency or ''} {Decimal(str(amount)):,.2f}".strip()
