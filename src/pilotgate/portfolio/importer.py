"""Import an inventory into the registry: every row imported, updated, unchanged or reported.

Imported stages are history from before pilotgate: they enter through this audited path
(``usecase.imported``), never through an edit. From then on only gate decisions move them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select

from pilotgate.audit import service as audit
from pilotgate.db.uow import UnitOfWork
from pilotgate.gates.models import Review
from pilotgate.policy import service as policies
from pilotgate.policy.model import Policy
from pilotgate.portfolio.inventory import ImportRow, RowError
from pilotgate.usecases import repository
from pilotgate.usecases import service as usecases
from pilotgate.usecases.models import StageHistory, UseCase, UseCaseTag
from pilotgate.usecases.service import snapshot


@dataclass
class Summary:
    rows: int = 0
    imported: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)
    by_stage: Counter[str] = field(default_factory=Counter)
    by_source_stage: Counter[str] = field(default_factory=Counter)
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "imported": self.imported,
            "updated": self.updated,
            "skipped": self.skipped,
            "errors": self.errors,
            "warnings": self.warnings,
            "by_stage": dict(self.by_stage),
            "by_source_stage": dict(self.by_source_stage),
            "dry_run": self.dry_run,
        }


def _at(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def stage_timeline(row: ImportRow, stages: list[str], now: datetime) -> list[tuple[str, datetime]]:
    """When the use case entered each stage up to its current one.

    A stage without a date takes the latest earlier date; leading stages without any take the
    first known date; with no date at all, the import time. Dates never go backwards.
    """
    path = stages[: stages.index(row.stage) + 1]
    known = [row.entered.get(s) for s in path]
    first = next((d for d in known if d is not None), None)
    timeline, last = [], _at(first) if first else now
    for stage, day in zip(path, known, strict=True):
        when = _at(day) if day is not None else last
        when = max(when, last)
        timeline.append((stage, when))
        last = when
    return timeline


def apply(
    uow: UnitOfWork, rows: Iterable[ImportRow | RowError], *, policy_name: str | None, actor: str, summary: Summary
) -> Summary:
    """Create or update a use case per row, inside the caller's single transaction."""
    version = policies.ensure_shipped(uow) if policy_name is None else policies.get_or_raise(uow, policy_name)
    policy = policies.parsed(version)
    now = uow.now()
    existing = {
        u.external_ref: u for u in uow.session.scalars(select(UseCase).where(UseCase.external_ref.is_not(None)))
    }
    next_number = repository.next_key_number(uow)
    governed = set(uow.session.scalars(select(Review.use_case_id).distinct()))
    for item in rows:
        summary.rows += 1
        if isinstance(item, RowError):
            summary.errors.append({"row": item.row, "reason": item.reason})
            continue
        summary.warnings += [{"row": item.row, "message": w} for w in item.warnings]
        summary.by_stage[item.stage if item.status == "active" else item.status] += 1
        summary.by_source_stage[item.source_stage] += 1
        current = existing.get(item.ref)
        if current is None:
            use_case = _create(uow, item, policy, version.name, f"UC-{next_number:04d}", now, actor)
            existing[item.ref] = use_case
            next_number += 1
            summary.imported += 1
        elif _update(uow, current, item, policy, now, actor, summary, current.id in governed):
            summary.updated += 1
        else:
            summary.skipped += 1
    return summary


def _create(
    uow: UnitOfWork, row: ImportRow, policy: Policy, policy_name: str, key: str, now: datetime, actor: str
) -> UseCase:
    timeline = stage_timeline(row, policy.stage_ids(), now)
    use_case = UseCase(
        key=key,
        title=row.title,
        description=row.description,
        business_unit=row.business_unit,
        risk_tier=row.risk_tier,
        status=row.status,
        stage=row.stage,
        stage_entered_at=timeline[-1][1],
        policy_name=policy_name,
        created_at=now,
        external_ref=row.ref,
        tags=[UseCaseTag(tag=t) for t in row.tags],
    )
    uow.session.add(use_case)
    _add_history(use_case, row, timeline)
    audit.record(
        uow,
        actor=actor,
        action="usecase.imported",
        entity_type="use_case",
        entity_id=key,
        use_case_key=key,
        after={**snapshot(use_case), "source_row": row.row, "ref": row.ref, "source_stage": row.source_stage},
    )
    return use_case


def _add_history(use_case: UseCase, row: ImportRow, timeline: list[tuple[str, datetime]]) -> None:
    for index, (stage, entered) in enumerate(timeline):
        left = timeline[index + 1][1] if index + 1 < len(timeline) else None
        if left is None and row.status == "retired" and row.retired_on is not None:
            left = max(_at(row.retired_on), entered)
        use_case.history.append(StageHistory(stage=stage, entered_at=entered, left_at=left, reason="imported"))


def _update(
    uow: UnitOfWork,
    use_case: UseCase,
    row: ImportRow,
    policy: Policy,
    now: datetime,
    actor: str,
    summary: Summary,
    gated: bool,
) -> bool:
    """Refresh an imported use case; one its gate reviews govern keeps its stage, status and risk tier."""
    before = snapshot(use_case)
    use_case.title, use_case.description = row.title, row.description
    use_case.business_unit = row.business_unit
    if gated and (use_case.risk_tier, use_case.stage, use_case.status) != (row.risk_tier, row.stage, row.status):
        summary.warnings.append(
            {
                "row": row.row,
                "message": f"{use_case.key} is governed by its gate reviews: its "
                "stage, status and risk tier were left as they are",
            }
        )
    if not gated:
        use_case.risk_tier = row.risk_tier
    if sorted(use_case.tag_names) != list(row.tags):
        use_case.tags = [UseCaseTag(tag=t) for t in row.tags]
    moved = not gated and (use_case.stage, use_case.status) != (row.stage, row.status)
    if moved:
        timeline = stage_timeline(row, policy.stage_ids(), now)
        use_case.status = row.status
        entered = max(timeline[-1][1], use_case.stage_entered_at)
        usecases.enter_stage(uow, use_case, stage=row.stage, at=entered, reason="imported")
    after = snapshot(use_case)
    if after == before:
        return False
    audit.record(
        uow,
        actor=actor,
        action="usecase.import_updated",
        entity_type="use_case",
        entity_id=use_case.key,
        use_case_key=use_case.key,
        before=before,
        after={**after, "source_row": row.row},
    )
    return True
