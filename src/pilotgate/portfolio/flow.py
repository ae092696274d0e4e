"""The portfolio's facts, loaded in a few set-based queries, and the report built from them."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

from pilotgate.db.uow import UnitOfWork
from pilotgate.gates.models import Decision, Review
from pilotgate.policy import service as policies
from pilotgate.policy.loader import shipped_policy
from pilotgate.policy.model import Policy
from pilotgate.portfolio.funnel import DecisionFact, PortfolioReport, StageVisit, UseCaseFacts, build_report
from pilotgate.usecases.models import StageHistory, UseCase


def load_facts(uow: UnitOfWork) -> list[UseCaseFacts]:
    """Every use case with its stage history and gate decisions: three queries, whatever the size."""
    # Plain Core rows fetched whole: no ORM identity map, entity loading or row-by-row fetching.
    connection = uow.session.connection()
    use_cases = connection.execute(
        select(
            UseCase.id,
            UseCase.key,
            UseCase.business_unit,
            UseCase.status,
            UseCase.stage,
            UseCase.stage_entered_at,
            UseCase.created_at,
        ).order_by(UseCase.key)
    ).all()
    created = {row[0]: row[6] for row in use_cases}
    history: dict[int, list[StageVisit]] = defaultdict(list)
    for use_case_id, stage, entered_at, left_at, reason in connection.execute(
        select(
            StageHistory.use_case_id,
            StageHistory.stage,
            StageHistory.entered_at,
            StageHistory.left_at,
            StageHistory.reason,
        ).order_by(StageHistory.use_case_id, StageHistory.entered_at, StageHistory.id)
    ).all():
        # The importer dates a stage the source left blank (and had no earlier date for) at the import itself.
        dated = not (reason == "imported" and entered_at == created.get(use_case_id))
        history[use_case_id].append(StageVisit(stage, entered_at, left_at, dated))
    decisions: dict[int, list[DecisionFact]] = defaultdict(list)
    for use_case_id, gate, kind, decided_at in connection.execute(
        select(Review.use_case_id, Review.gate_number, Decision.kind, Decision.decided_at)
        .join(Review, Decision.review_id == Review.id)
        .order_by(Decision.decided_at, Decision.id)
    ).all():
        decisions[use_case_id].append(DecisionFact(gate, kind, decided_at))
    return [
        UseCaseFacts(
            key=key,
            business_unit=business_unit,
            status=status,
            stage=stage,
            stage_entered_at=entered_at,
            history=tuple(history.get(use_case_id, ())),
            decisions=tuple(decisions.get(use_case_id, ())),
        )
        for use_case_id, key, business_unit, status, stage, entered_at, _ in use_cases
    ]


def portfolio_policy(uow: UnitOfWork) -> Policy:
    """The latest version of the policy most use cases follow; the shipped one for an empty registry."""
    name = uow.session.execute(
        select(UseCase.policy_name).group_by(UseCase.policy_name).order_by(func.count().desc(), UseCase.policy_name)
    ).scalar()
    version = policies.latest(uow, name) if name is not None else None
    return policies.parsed(version) if version is not None else shipped_policy()


def report(uow: UnitOfWork) -> PortfolioReport:
    """The funnel, conversions, kill rates, time in stage, production rate and benchmarks."""
    return build_report(load_facts(uow), portfolio_policy(uow), uow.now())
