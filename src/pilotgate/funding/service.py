"""Production funding of a use case: budget lines, their approval, and the move to operational money.

Approval authority (a service rule on top of the `funding.write` permission): a *project* line —
the AI programme's money — is approved by the use case's program_lead, sponsor or bu_head; an
*operational* line — the business unit's own budget — only by its bu_head. Nobody approves a line
they proposed. The transition to operational funding is approved by the bu_head, who formalises
the business unit's ownership by recording it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from pilotgate.audit import service as audit
from pilotgate.db.bulk import among
from pilotgate.db.uow import UnitOfWork
from pilotgate.errors import Conflict, Forbidden, InvalidInput, NotFound
from pilotgate.funding import rules
from pilotgate.funding.models import BudgetLine, FundingTransition
from pilotgate.funding.views import check_dict, line_dict, transition_dict
from pilotgate.policy import service as policies
from pilotgate.usecases import service as usecases
from pilotgate.usecases.models import Person, RoleAssignment, StageHistory, UseCase
from pilotgate.usecases.repository import keys_of

CHECKS = {"pathway_identified": rules.pathway_identified, "production_funded": rules.production_funded}
NOTE_LIMIT = 2000


def _text(field: str, value: str, limit: int) -> str:
    value = value.strip()
    if not value:
        raise InvalidInput(field, "must not be empty")
    if len(value) > limit:
        raise InvalidInput(field, f"is {len(value)} characters long; at most {limit} are allowed")
    return value


def _note(value: str) -> str:
    value = value.strip()
    if len(value) > NOTE_LIMIT:
        raise InvalidInput("note", f"is {len(value)} characters long; at most {NOTE_LIMIT} are allowed")
    return value


def _parsed(field: str, parse: Any, value: Any) -> Any:
    try:
        return parse(value)
    except ValueError as error:
        raise InvalidInput(field, str(error)) from None


def _roles_of(use_case: UseCase, person: Person) -> list[str]:
    return sorted(a.role for a in use_case.assignments if a.person_id == person.id)


def line_get_or_raise(uow: UnitOfWork, line_id: int) -> BudgetLine:
    row = uow.session.get(BudgetLine, line_id)
    if row is None:
        raise NotFound(f"no budget line #{line_id}; list a use case's lines with `pilotgate funding list KEY`")
    return row


def lines_of(uow: UnitOfWork, use_case: UseCase) -> list[BudgetLine]:
    query = select(BudgetLine).where(BudgetLine.use_case_id == use_case.id)
    return list(uow.session.scalars(query.order_by(BudgetLine.period_start, BudgetLine.id)))


def transitions_of(uow: UnitOfWork, use_case: UseCase) -> list[FundingTransition]:
    query = select(FundingTransition).where(FundingTransition.use_case_id == use_case.id)
    return list(uow.session.scalars(query.order_by(FundingTransition.approved_at, FundingTransition.id)))


def add_line(
    uow: UnitOfWork,
    *,
    key: str,
    source: str,
    amount: Decimal | str | int | float,
    currency: str,
    cost_centre: str,
    owner: str,
    period_start: date | str,
    period_end: date | str,
    actor: str,
    business_unit: str | None = None,
    note: str = "",
) -> BudgetLine:
    """Propose a budget line; the business unit defaults to the use case's own."""
    use_case = usecases.get_or_raise(uow, key)
    person = usecases.person_get_or_raise(uow, actor)
    source = source.strip().lower()
    if source not in rules.SOURCES:
        raise InvalidInput("source", f"{source!r} is not one of {', '.join(rules.SOURCES)}")
    value = _parsed("amount", rules.parse_amount, amount)
    code = _parsed("currency", rules.parse_currency, currency)
    start = _parsed("from", rules.parse_day, period_start)
    end = _parsed("to", rules.parse_day, period_end)
    if problem := rules.period_problem(start, end):
        raise InvalidInput("to", problem)
    centre = _text("cost-centre", cost_centre, 64)
    if problem := rules.cost_centre_problem(centre):
        raise InvalidInput("cost-centre", problem)
    unit = _text("business-unit", business_unit if business_unit is not None else use_case.business_unit, 120)
    holder = usecases.person_get_or_raise(uow, owner)
    row = BudgetLine(
        use_case_id=use_case.id,
        source=source,
        owner_id=holder.id,
        business_unit=unit,
        cost_centre=centre,
        amount=value,
        currency=code,
        period_start=start,
        period_end=end,
        status="proposed",
        note=_note(note),
        created_at=uow.now(),
        created_by=person.email,
    )
    uow.session.add(row)
    uow.session.flush()
    uow.session.refresh(row)
    audit.record(
        uow,
        actor=person.email,
        action="funding.line_added",
        entity_type="budget_line",
        entity_id=row.id,
        use_case_key=use_case.key,
        after=line_dict(row, use_case.key),
    )
    return row


def approve_line(uow: UnitOfWork, *, line_id: int, actor: str) -> BudgetLine:
    """Approve a proposed line: see the module docstring for who may."""
    row = line_get_or_raise(uow, line_id)
    use_case = uow.session.get_one(UseCase, row.use_case_id)
    person = usecases.person_get_or_raise(uow, actor)
    if row.status == "approved":
        approver = row.approver.email if row.approver else "someone"
        raise Conflict(f"budget line #{row.id} is already approved (by {approver})")
    held = _roles_of(use_case, person)
    if problem := rules.approver_problem(row.source, held):
        holds = f"holds {', '.join(held)}" if held else "holds no role"
        raise Forbidden(f"{person.email} {holds} on {use_case.key}; {problem}")
    if row.created_by == person.email:
        raise Forbidden(f"{person.email} proposed budget line #{row.id} and may not approve it too")
    before = line_dict(row, use_case.key)
    row.status = "approved"
    row.approved_by_id = person.id
    row.approved_at = uow.now()
    uow.session.flush()
    uow.session.refresh(row)
    audit.record(
        uow,
        actor=person.email,
        action="funding.line_approved",
        entity_type="budget_line",
        entity_id=row.id,
        use_case_key=use_case.key,
        before=before,
        after=line_dict(row, use_case.key),
    )
    return row


def transition(
    uow: UnitOfWork, *, key: str, line_id: int, effective_date: date | str, actor: str, note: str = ""
) -> FundingTransition:
    """Record the approved move from project to operational funding, onto an approved operational
    line; the actor is its approver and must be the use case's business-unit head."""
    use_case = usecases.get_or_raise(uow, key)
    person = usecases.person_get_or_raise(uow, actor)
    row = line_get_or_raise(uow, line_id)
    if row.use_case_id != use_case.id:
        raise NotFound(f"{use_case.key} has no budget line #{line_id}; see `pilotgate funding list {use_case.key}`")
    if rules.TRANSITION_APPROVER not in _roles_of(use_case, person):
        raise Forbidden(
            f"{person.email} is not {use_case.key}'s business-unit head (bu_head); only they approve the move "
            "to operational funding"
        )
    if row.source != "operational":
        raise InvalidInput("line", f"#{row.id} is a project line; a transition moves to an approved operational line")
    if row.status != "approved":
        raise Conflict(
            f"operational line #{row.id} is proposed, not approved; its business-unit head approves it first "
            f"with `pilotgate funding approve {row.id}`"
        )
    effective = _parsed("effective", rules.parse_day, effective_date)
    if not row.period_start <= effective <= row.period_end:
        raise InvalidInput(
            "effective", f"{effective} is outside line #{row.id}'s period ({row.period_start} to {row.period_end})"
        )
    taken = uow.session.scalar(select(FundingTransition.id).where(FundingTransition.budget_line_id == row.id))
    if taken is not None:
        raise Conflict(f"{use_case.key} already moved to operational line #{row.id} (transition #{taken})")
    moved = FundingTransition(
        use_case_id=use_case.id,
        from_source="project",
        to_source="operational",
        business_unit=row.business_unit,
        cost_centre=row.cost_centre,
        effective_date=effective,
        approved_by_id=person.id,
        approved_at=uow.now(),
        budget_line_id=row.id,
        note=_note(note),
    )
    uow.session.add(moved)
    uow.session.flush()
    uow.session.refresh(moved)
    audit.record(
        uow,
        actor=person.email,
        action="funding.transitioned",
        entity_type="funding_transition",
        entity_id=moved.id,
        use_case_key=use_case.key,
        after=transition_dict(moved, use_case.key),
    )
    return moved


# ---------------------------------------------------------------- the computed checks


def facts(row: BudgetLine) -> rules.Line:
    return rules.Line(
        id=row.id,
        source=row.source,
        status=row.status,
        business_unit=row.business_unit,
        cost_centre=row.cost_centre,
        amount=Decimal(row.amount).quantize(rules.CENT),
        currency=row.currency,
        period_start=row.period_start,
        period_end=row.period_end,
        created_at=row.created_at,
        approved_at=row.approved_at,
    )


def _moved(row: FundingTransition) -> rules.Transition:
    return rules.Transition(
        id=row.id,
        business_unit=row.business_unit,
        cost_centre=row.cost_centre,
        effective_date=row.effective_date,
        approved_at=row.approved_at,
        budget_line_id=row.budget_line_id,
    )


def _bulk(uow: UnitOfWork, ids: Sequence[int], *, with_roles: bool = True) -> tuple[dict[int, Any], ...]:
    """Lines, transitions, roles (as of now; only when asked) and keys of many use cases in four queries."""
    now = uow.now()
    lines: dict[int, list[rules.Line]] = defaultdict(list)
    moved: dict[int, list[rules.Transition]] = defaultdict(list)
    roles: dict[int, dict[str, str]] = defaultdict(dict)
    for line in uow.session.scalars(
        select(BudgetLine).where(among(BudgetLine.use_case_id, ids)).order_by(BudgetLine.period_start, BudgetLine.id)
    ):
        lines[line.use_case_id].append(facts(line))
    for row in uow.session.scalars(select(FundingTransition).where(among(FundingTransition.use_case_id, ids))):
        moved[row.use_case_id].append(_moved(row))
    assigned = (
        uow.session.execute(
            select(RoleAssignment.use_case_id, RoleAssignment.role, Person.email)
            .join(Person, Person.id == RoleAssignment.person_id)
            .where(among(RoleAssignment.use_case_id, ids), RoleAssignment.assigned_at <= now)
        ).all()
        if with_roles
        else []
    )
    for use_case_id, role, email in assigned:
        roles[use_case_id][role] = email
    keys = keys_of(uow, ids)
    return lines, moved, roles, keys


def pathway_checks(uow: UnitOfWork, ids: list[int]) -> dict[int, rules.CheckResult]:
    """Gate 2's `funding.pathway_identified`, for many use cases at once."""
    lines, moved, _, keys = _bulk(uow, ids, with_roles=False)
    now = uow.now()
    return {i: rules.pathway_identified(lines[i], moved[i], now=now, key=keys[i]) for i in ids if i in keys}


def production_checks(uow: UnitOfWork, ids: list[int]) -> dict[int, rules.CheckResult]:
    """Gate 3's `funding.production_funded`, for many use cases at once."""
    lines, moved, roles, keys = _bulk(uow, ids)
    now = uow.now()
    return {i: rules.production_funded(lines[i], moved[i], roles[i], now=now, key=keys[i]) for i in ids if i in keys}


def check(uow: UnitOfWork, use_case: UseCase, which: str) -> rules.CheckResult:
    """One check on one use case: `pathway_identified` or `production_funded` (a `funding.` prefix is fine)."""
    name = which.removeprefix("funding.")
    if name not in CHECKS:
        raise InvalidInput("check", f"{which!r} is not one of {', '.join(CHECKS)}")
    run = pathway_checks if name == "pathway_identified" else production_checks
    return run(uow, [use_case.id])[use_case.id]


# ---------------------------------------------------------------- the portfolio view


def portfolio(uow: UnitOfWork) -> dict[str, Any]:
    """Approved funding of production AI by source, and the operational use cases on project money."""
    operational: dict[str, set[str]] = {}
    candidates = []
    for use_case in uow.session.scalars(select(UseCase).where(UseCase.status != "stopped").order_by(UseCase.key)):
        if use_case.policy_name not in operational:
            policy = policies.parsed(policies.get_or_raise(uow, use_case.policy_name))
            operational[use_case.policy_name] = {s.id for s in policy.stages if s.operational}
        if use_case.stage in operational[use_case.policy_name]:
            candidates.append(use_case)
    ids = [u.id for u in candidates]
    stages_of = {u.id: operational[u.policy_name] for u in candidates}
    lines, _, _, _ = _bulk(uow, ids)
    entered: dict[int, Any] = {}
    for use_case_id, stage, at in uow.session.execute(
        select(StageHistory.use_case_id, StageHistory.stage, StageHistory.entered_at)
        .where(among(StageHistory.use_case_id, ids))
        .order_by(StageHistory.entered_at)
    ):
        if use_case_id in stages_of and stage in stages_of[use_case_id] and use_case_id not in entered:
            entered[use_case_id] = at.date()
    holdings = [
        rules.Holding(
            key=u.key,
            title=u.title,
            business_unit=u.business_unit,
            stage=u.stage,
            entered_operation=entered.get(u.id, u.stage_entered_at.date()),
            lines=lines[u.id],
        )
        for u in candidates
    ]
    return rules.portfolio(holdings, now=uow.now())


def summary(uow: UnitOfWork, use_case: UseCase) -> dict[str, Any]:
    """A use case's budget lines, transitions and both computed checks, as plain data."""
    return {
        "use_case": use_case.key,
        "lines": [line_dict(row, use_case.key) for row in lines_of(uow, use_case)],
        "transitions": [transition_dict(row, use_case.key) for row in transitions_of(uow, use_case)],
        "checks": {name: check_dict(check(uow, use_case, name)) for name in CHECKS},
    }


def key_of(uow: UnitOfWork, use_case_id: int) -> str:
    return uow.session.get_one(UseCase, use_case_id).key
