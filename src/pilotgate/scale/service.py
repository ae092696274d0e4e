"""Expansions: new use cases linked to a parent in production, started from its evidence.

An expansion is registered through the use-case registry (it starts in the policy's first stage
and passes every gate like any use case), named on by the parent's people, measured by copies of
the parent's metric definitions and SLO (never its points: the expansion earns its own evidence),
and given its own change plan for the population it reaches when change management is installed.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from sqlalchemy import select

from pilotgate.audit import service as audit
from pilotgate.db.uow import UnitOfWork
from pilotgate.errors import Conflict, InvalidInput, NotFound
from pilotgate.evidence import rules as evidence_rules
from pilotgate.evidence import service as evidence
from pilotgate.evidence.models import ServiceLevelObjective
from pilotgate.scale import rules
from pilotgate.scale.models import Expansion, ReuseAssessment
from pilotgate.scale.views import expansion_dict
from pilotgate.usecases import service as usecases
from pilotgate.usecases.models import UseCase

EXPANSION_TAG = "expansion"


def _text(field: str, value: str, limit: int, *, required: bool = True) -> str:
    value = value.strip()
    if required and not value:
        raise InvalidInput(field, "must not be empty")
    if len(value) > limit:
        raise InvalidInput(field, f"is {len(value)} characters long; at most {limit} are allowed")
    return value


def expansion_of(uow: UnitOfWork, use_case: UseCase) -> Expansion | None:
    """The link of an expansion use case to its parent, or None for a use case that is no expansion."""
    return uow.session.scalar(select(Expansion).where(Expansion.use_case_id == use_case.id))


def expansion_or_raise(uow: UnitOfWork, use_case: UseCase) -> Expansion:
    row = expansion_of(uow, use_case)
    if row is None:
        raise NotFound(
            f"{use_case.key} is not an expansion; create one from a production use case with "
            "`pilotgate scale expand PARENT --title TITLE --kind KIND --scope SCOPE`"
        )
    return row


def children_of(uow: UnitOfWork, use_case: UseCase) -> list[Expansion]:
    query = select(Expansion).where(Expansion.parent_id == use_case.id)
    return list(uow.session.scalars(query.order_by(Expansion.created_at, Expansion.id)))


def _copy_evidence(uow: UnitOfWork, parent: UseCase, child: UseCase, actor: str) -> list[str]:
    """The parent's metric definitions and SLO on the child (the points stay with the parent)."""
    copied = []
    for row in evidence.metrics_of(uow, parent):
        evidence.define_metric(
            uow,
            key=child.key,
            metric=row.key,
            actor=actor,
            name=row.name,
            unit=row.unit,
            kind=row.kind,
            direction=row.direction,
            baseline=row.baseline,
            target=row.target,
            cadence=evidence_rules.format_duration(row.cadence_seconds) if row.cadence_seconds else "none",
        )
        copied.append(row.key)
    slo = uow.session.get(ServiceLevelObjective, parent.id)
    if slo is not None:
        evidence.set_slo(
            uow,
            key=child.key,
            actor=actor,
            uptime_pct=slo.uptime_pct,
            latency_p95_ms=slo.latency_p95_ms,
            error_rate_pct=slo.error_rate_pct,
        )
    return copied


def _change_plan(uow: UnitOfWork, child: UseCase, population: str, actor: str) -> int | None:
    """An empty change plan for the expansion's population, when change management is installed."""
    try:
        change = import_module("pilotgate.change.service")
    except ImportError:
        return None
    plan = change.add_plan(
        uow,
        key=child.key,
        population=population,
        owner=actor,
        actor=actor,
        expansion=True,
        note=f"Change plan of the expansion {child.key}: {child.title}",
    )
    return int(plan.id)


def expand(
    uow: UnitOfWork,
    *,
    parent: str,
    title: str,
    kind: str,
    scope: str,
    actor: str,
    population: str | None = None,
    business_unit: str | None = None,
) -> Expansion:
    """Register an expansion of a production use case and start it from the parent's evidence."""
    source = usecases.get_or_raise(uow, parent)
    person = usecases.person_get_or_raise(uow, actor)
    kind = kind.strip().lower()
    if problem := rules.kind_problem(kind):
        raise InvalidInput("kind", problem)
    scope = _text("scope", scope, rules.SCOPE_LIMIT)
    reached = _text("population", population if population is not None else "", rules.POPULATION_LIMIT, required=False)
    stage = usecases.policy_of(uow, source).stage(source.stage)
    operational = stage is not None and stage.operational
    if problem := rules.parent_problem(source.key, source.stage, operational, source.status):
        raise Conflict(problem)
    child = usecases.create(
        uow,
        title=title,
        business_unit=business_unit if business_unit is not None else source.business_unit,
        actor=person.email,
        risk_tier=source.risk_tier,
        description=f"Expansion of {source.key} ({source.title}) to {rules.KINDS[kind]}: {scope}",
        tags=[*source.tag_names, EXPANSION_TAG],
        policy_name=source.policy_name,
    )
    for assignment in source.assignments:  # the parent's people, until someone reassigns a role
        usecases.assign(uow, key=child.key, role=assignment.role, email=assignment.person.email, actor=person.email)
    metrics = _copy_evidence(uow, source, child, person.email)
    row = Expansion(
        use_case_id=child.id,
        parent_id=source.id,
        kind=kind,
        scope=scope,
        population=reached,
        created_at=uow.now(),
        created_by=person.email,
    )
    uow.session.add(row)
    uow.session.flush()
    uow.session.refresh(row)
    plan = _change_plan(uow, child, reached or child.title[: rules.POPULATION_LIMIT], person.email)
    audit.record(
        uow,
        actor=person.email,
        action="scale.expansion_created",
        entity_type="expansion",
        entity_id=row.id,
        use_case_key=child.key,
        after={
            **expansion_dict(row, child, source),
            "copied_metrics": metrics,
            "change_plan": plan,
        },
    )
    return row


def assess_reuse(
    uow: UnitOfWork, *, key: str, component: str, status: str, actor: str, note: str = ""
) -> ReuseAssessment:
    """Record whether an expansion reuses, adapts or builds new one capability of its parent."""
    use_case = usecases.get_or_raise(uow, key)
    person = usecases.person_get_or_raise(uow, actor)
    component = component.strip().lower()
    if problem := rules.component_problem(component):
        raise InvalidInput("component", problem)
    status = status.strip().lower()
    if problem := rules.status_problem(status):
        raise InvalidInput("status", problem)
    note = _text("note", note, 2000, required=False)
    link = expansion_or_raise(uow, use_case)
    row = next((r for r in link.reuse if r.component == component), None)
    before = {"component": component, "status": row.status, "note": row.note} if row else {}
    if row is None:
        row = ReuseAssessment(expansion_id=link.id, component=component)
        link.reuse.append(row)
    row.status, row.note = status, note
    row.assessed_at, row.assessed_by = uow.now(), person.email
    uow.session.flush()
    summary = rules.reuse_summary({r.component: r.status for r in link.reuse})
    audit.record(
        uow,
        actor=person.email,
        action="scale.reuse_assessed",
        entity_type="expansion",
        entity_id=link.id,
        use_case_key=use_case.key,
        before=before,
        after={"component": component, "status": status, "note": note, "reuse_percent": summary.percent},
    )
    return row


def summary(uow: UnitOfWork, use_case: UseCase) -> dict[str, Any]:
    """A use case's place in scaling: its parent (when it is an expansion) and its expansions."""
    link = expansion_of(uow, use_case)
    parent = uow.session.get_one(UseCase, link.parent_id) if link else None
    children = []
    for child_link in children_of(uow, use_case):
        child = uow.session.get_one(UseCase, child_link.use_case_id)
        children.append(expansion_dict(child_link, child, use_case))
    return {
        "use_case": use_case.key,
        "expansion": expansion_dict(link, use_case, parent) if link and parent else None,
        "expansions": children,
    }
