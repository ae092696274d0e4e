"""Actual costs and realised benefits of a use case, month by month, against its business case.

An actual is (month, kind cost|benefit, category, amount): recording the same month, kind and
category again replaces the amount, so sending a file twice changes nothing. A batch (CSV or
JSON) is validated whole and stored all or none; every bad row is named by its number. An actual
must fall within the case's horizon and not in a month that has not started yet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

import numpy as np
from sqlalchemy import select

from pilotgate.audit import service as audit
from pilotgate.db.uow import UnitOfWork
from pilotgate.errors import InvalidInput
from pilotgate.finance import months, repository
from pilotgate.finance.actuals_files import RawActual
from pilotgate.finance.model import Floats
from pilotgate.finance.models import BusinessCase, BusinessCaseActual
from pilotgate.finance.views import actual_dict
from pilotgate.usecases.models import UseCase

KINDS = ("cost", "benefit")
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")
MAX_ROWS = 50_000
MAX_ERRORS = 20
NOTE_LIMIT = 2000


class Checked(NamedTuple):
    use_case_id: int
    key: str
    month: date
    kind: str
    category: str
    amount: Decimal
    note: str


@dataclass
class Report:
    recorded: int = 0
    replaced: int = 0
    use_cases: int = 0


class BatchInvalid(InvalidInput):
    """Rows that cannot be stored; nothing of the batch was kept."""

    def __init__(self, errors: list[str], more: int) -> None:
        suffix = f" (and {more} more)" if more else ""
        super().__init__("", f"{len(errors) + more} invalid row(s), nothing was recorded{suffix}: " + "; ".join(errors))
        self.errors = errors


class _Cases:
    """Use case keys and the start and horizon of their business cases, looked up once per batch."""

    def __init__(self, uow: UnitOfWork, only: set[int] | None) -> None:
        self.uow, self.only = uow, only
        self.found: dict[str, tuple[int, str, str, int] | str] = {}
        self.today = uow.now().date()

    def resolve(self, key: str) -> tuple[int, str, str, int] | str:
        wanted = key.strip().upper()
        if wanted not in self.found:
            self.found[wanted] = self._resolve(wanted)
        return self.found[wanted]

    def _resolve(self, key: str) -> tuple[int, str, str, int] | str:
        use_case = self.uow.session.scalars(select(UseCase).where(UseCase.key == key)).first()
        if use_case is None:
            return f"use_case: unknown use case {key!r}"
        if self.only is not None and use_case.id not in self.only:
            return f"use_case: you hold no role on {key}; only its named people, a program lead or an admin may"
        row = repository.current(self.uow, use_case)
        if row is None:
            return f"use_case: {key} has no business case yet; set one with `pilotgate case set {key} FILE`"
        return use_case.id, key, row.spec["start"], int(row.spec["horizon_months"])


def _amount(value: Any) -> Decimal | str:
    if isinstance(value, bool) or value is None or (isinstance(value, str) and not value.strip()):
        return "amount: is missing; give an amount to the cent, e.g. 12500 or 12500.50"
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        return f"amount: {value!r} is not an amount, e.g. 12500 or 12500.50"
    if not amount.is_finite():
        return f"amount: {value!r} is not an amount"
    if amount < 0:
        return f"amount: {amount} is negative; record a cost or a benefit as a positive amount of its kind"
    if amount > MAX_AMOUNT:
        return f"amount: {amount} is more than the largest amount kept ({MAX_AMOUNT:,})"
    if amount != amount.quantize(CENT):
        return f"amount: {amount} has more than two decimal places; amounts are kept to the cent"
    return amount.quantize(CENT)


def check(raw: RawActual, cases: _Cases) -> Checked | str:
    """The row ready to store, or "field: why"."""
    if raw.problem:
        return raw.problem
    found = cases.resolve(raw.use_case)
    if isinstance(found, str):
        return found
    use_case_id, key, start, horizon = found
    try:
        month = months.parse_month(str(raw.month))
    except ValueError as error:
        return f"month: {error}"
    index = months.month_index(start, month)
    if not 0 <= index < horizon:
        last = months.label(start, horizon - 1)
        return f"month: {month:%Y-%m} is outside {key}'s business case, which runs from {start} to {last}"
    if month > _first_of_month(cases.today):
        return f"month: {month:%Y-%m} has not started yet; record actuals once they happen"
    kind = str(raw.kind).strip().lower()
    if kind not in KINDS:
        return f"kind: {raw.kind!r} is not one of cost, benefit"
    category = str(raw.category).strip().lower()
    if not category or len(category) > 64:
        return "category: give a category of at most 64 characters, e.g. pilot, maintenance or savings"
    amount = _amount(raw.amount)
    if isinstance(amount, str):
        return amount
    note = str(raw.note or "").strip()
    if len(note) > NOTE_LIMIT:
        return f"note: is {len(note)} characters long; at most {NOTE_LIMIT} are allowed"
    return Checked(use_case_id, key, month, kind, category, amount, note)


def _first_of_month(today: date) -> date:
    return date(today.year, today.month, 1)


def _store(uow: UnitOfWork, rows: list[Checked], *, actor: str, source: str) -> tuple[Report, list[BusinessCaseActual]]:
    latest: dict[tuple[int, date, str, str], Checked] = {}
    for row in rows:  # of two rows for the same month, kind and category, the later wins
        latest[(row.use_case_id, row.month, row.kind, row.category)] = row
    ids = {key[0] for key in latest}
    existing = {
        (a.use_case_id, a.month, a.kind, a.category): a
        for a in uow.session.scalars(select(BusinessCaseActual).where(BusinessCaseActual.use_case_id.in_(ids)))
    }
    report, stored = Report(use_cases=len(ids)), []
    now = uow.now()
    for key, row in latest.items():
        actual = existing.get(key)
        if actual is None:
            actual = BusinessCaseActual(
                use_case_id=row.use_case_id, month=row.month, kind=row.kind, category=row.category
            )
            uow.session.add(actual)
            report.recorded += 1
        else:
            report.replaced += 1
        actual.amount, actual.note, actual.source = row.amount, row.note, source[:120]
        actual.recorded_by, actual.recorded_at = actor, now
        stored.append(actual)
    uow.session.flush()
    return report, stored


def record(
    uow: UnitOfWork,
    *,
    key: str,
    month: str,
    kind: str,
    category: str,
    amount: Any,
    actor: str,
    note: str = "",
    source: str = "cli",
) -> tuple[BusinessCaseActual, bool]:
    """Record one actual; (row, True) when it replaced an earlier amount of the same month, kind and category."""
    checked = check(RawActual(1, key, month, kind, category, amount, note), _Cases(uow, None))
    if isinstance(checked, str):
        field, _, why = checked.partition(": ")
        raise InvalidInput(field, why)
    before = uow.session.scalars(
        select(BusinessCaseActual).where(
            BusinessCaseActual.use_case_id == checked.use_case_id,
            BusinessCaseActual.month == checked.month,
            BusinessCaseActual.kind == checked.kind,
            BusinessCaseActual.category == checked.category,
        )
    ).first()
    earlier = actual_dict(before, checked.key) if before is not None else None
    report, (row,) = _store(uow, [checked], actor=actor, source=source)
    audit.record(
        uow,
        actor=actor,
        action="business_case.actual_recorded",
        entity_type="business_case_actual",
        entity_id=row.id,
        use_case_key=checked.key,
        before=earlier,
        after=actual_dict(row, checked.key),
    )
    return row, bool(report.replaced)


def ingest(
    uow: UnitOfWork, raws: Iterable[RawActual], *, actor: str, source: str, only: set[int] | None = None
) -> Report:
    """Validate every row, then store them all, or raise BatchInvalid and store none."""
    cases = _Cases(uow, only)
    errors: list[str] = []
    more = 0
    rows: list[Checked] = []
    for raw in raws:
        if raw.row > MAX_ROWS + 1:
            raise InvalidInput("file", f"more than {MAX_ROWS} rows; split the file")
        checked = check(raw, cases)
        if isinstance(checked, str):
            if len(errors) < MAX_ERRORS:
                errors.append(f"row {raw.row}: {checked}")
            else:
                more += 1
        else:
            rows.append(checked)
    if errors:
        raise BatchInvalid(errors, more)
    report, _ = _store(uow, rows, actor=actor, source=source)
    per_case: dict[str, int] = defaultdict(int)
    for row in rows:
        per_case[row.key] += 1
    for key, count in sorted(per_case.items()):
        audit.record(
            uow,
            actor=actor,
            action="business_case.actuals_imported",
            entity_type="use_case",
            entity_id=key,
            use_case_key=key,
            after={"rows": count, "source": source},
        )
    return report


def actuals_of(uow: UnitOfWork, use_case: UseCase) -> list[BusinessCaseActual]:
    return repository.actuals(uow, use_case)


def monthly_actuals(uow: UnitOfWork, use_case: UseCase, row: BusinessCase) -> tuple[Floats, Floats, int]:
    """Actual costs and benefits per elapsed month of the case (month 0 to the latest with an actual),
    and how many actuals fall outside the case's horizon (a later version may have moved it)."""
    start, horizon = row.spec["start"], int(row.spec["horizon_months"])
    by_month: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    outside = 0
    for actual in repository.actuals(uow, use_case):
        index = months.month_index(start, actual.month)
        if not 0 <= index < horizon:
            outside += 1
            continue
        by_month[index][KINDS.index(actual.kind)] += float(actual.amount)
    elapsed = max(by_month) + 1 if by_month else 0
    costs, benefits = np.zeros(elapsed), np.zeros(elapsed)
    for index, (cost, benefit) in by_month.items():
        costs[index], benefits[index] = cost, benefit
    return costs, benefits, outside
