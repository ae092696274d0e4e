"""Production funding rules: input validation, the two computed checks and the portfolio view.

Pure: no database, web or CLI import. Every check is judged *as of* a moment, so a gate decided
in the past is judged on the funding facts recorded by then (a line proposed later, or approved
later, does not count yet).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, NamedTuple

SOURCES = ("project", "operational")
STATUSES = ("proposed", "approved")
CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")  # what Numeric(14, 2) holds
COST_CENTRE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/-]{0,63}$")
# Who may approve a line of each source. Project money is the AI programme's, so its lead, the
# sponsor or the business-unit head may sign it; operational money is the business unit's own
# budget, so only its head may commit it.
APPROVERS: dict[str, tuple[str, ...]] = {
    "project": ("program_lead", "sponsor", "bu_head"),
    "operational": ("bu_head",),
}
# The business-unit head formalises ownership: only they approve the move to operational funding.
TRANSITION_APPROVER = "bu_head"
# Active ISO 4217 currency codes (funds and precious metals left out).
CURRENCIES = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN
    BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS
    GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW
    KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD
    NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD
    SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED
    VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
    """.split()  # noqa: SIM905  (a block reads better than 160 quoted codes)
)


# ---------------------------------------------------------------- validation


def parse_amount(value: object) -> Decimal:
    """A positive amount to the cent, e.g. 120000 or "120000.50"; ValueError says what is wrong."""
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not an amount, e.g. 120000 or 120000.50")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount, e.g. 120000 or 120000.50") from None
    if not amount.is_finite():
        raise ValueError(f"{value!r} is not an amount, e.g. 120000 or 120000.50")
    if amount <= 0:
        raise ValueError(f"{amount} is not more than zero; a budget line carries a positive amount")
    if amount > MAX_AMOUNT:
        raise ValueError(f"{amount} is more than the largest amount pilotgate keeps ({MAX_AMOUNT:,})")
    if amount != amount.quantize(CENT):
        raise ValueError(f"{amount} has more than two decimal places; amounts are kept to the cent")
    return amount.quantize(CENT)


def parse_currency(value: str) -> str:
    code = value.strip().upper()
    if code not in CURRENCIES:
        raise ValueError(f"{value!r} is not an ISO 4217 currency code, e.g. EUR, USD or GBP")
    return code


def parse_day(value: date | str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a date like 2027-01-31") from None


def period_problem(start: date, end: date) -> str | None:
    if end < start:
        return f"the period ends on {end}, before it starts on {start}"
    return None


def cost_centre_problem(value: str) -> str | None:
    if not COST_CENTRE.match(value):
        return f"{value!r} is not a cost centre: letters, digits, space, '.', '_', '/' or '-', at most 64"
    return None


def approver_problem(source: str, roles: Iterable[str]) -> str | None:
    """Why someone holding `roles` on the use case may not approve a line of `source`, or None."""
    allowed = APPROVERS[source]
    if any(role in allowed for role in roles):
        return None
    names = " or ".join(allowed)
    return f"only the use case's {names} may approve a {source} budget line"


# ---------------------------------------------------------------- the facts the checks read


@dataclass(frozen=True)
class Line:
    """A budget line as the rules see it."""

    id: int
    source: str
    status: str
    business_unit: str
    cost_centre: str
    amount: Decimal
    currency: str
    period_start: date
    period_end: date
    created_at: datetime
    approved_at: datetime | None = None

    def known_at(self, moment: datetime) -> bool:
        return self.created_at <= moment

    def approved_at_or_before(self, moment: datetime) -> bool:
        return self.status == "approved" and self.approved_at is not None and self.approved_at <= moment

    def covers(self, day: date) -> bool:
        return self.period_start <= day <= self.period_end

    def summary(self) -> str:
        return (
            f"#{self.id} ({money(self.amount, self.currency)}, {self.business_unit}, {self.cost_centre}, "
            f"{self.period_start} to {self.period_end})"
        )

    def as_detail(self) -> dict[str, object]:
        return {
            "id": self.id,
            "source": self.source,
            "amount": f"{self.amount:.2f}",
            "currency": self.currency,
            "business_unit": self.business_unit,
            "cost_centre": self.cost_centre,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
        }


@dataclass(frozen=True)
class Transition:
    """An approved move to operational funding as the rules see it."""

    id: int
    business_unit: str
    cost_centre: str
    effective_date: date
    approved_at: datetime
    budget_line_id: int


class CheckResult(NamedTuple):
    """A computed criterion's answer: met or not, one sentence why, and the records it rests on."""

    status: Literal["met", "not_met"]
    note: str
    detail: dict[str, object]


def money(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount:,.2f}"


def _same_unit(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


# ---------------------------------------------------------------- the two computed checks


def pathway_identified(
    lines: Sequence[Line], transitions: Sequence[Transition], *, now: datetime, key: str = "KEY"
) -> CheckResult:
    """Gate 2: an operational line (proposed or approved) for a current or future period, or an
    approved transition — a production funding pathway is identified, not necessarily approved."""
    today = now.date()
    known = [line for line in lines if line.source == "operational" and line.known_at(now)]
    ahead = [line for line in known if line.period_end >= today]
    moved = [t for t in transitions if t.approved_at <= now]
    if ahead:
        first = ahead[0]
        state = "approved" if first.approved_at_or_before(now) else "proposed"
        more = f" (and {len(ahead) - 1} more)" if len(ahead) > 1 else ""
        return CheckResult(
            "met",
            f"operational budget line {first.summary()}, {state}, identifies the production funding pathway{more}",
            {
                "lines": [line.as_detail() for line in ahead],
                "transitions": [t.id for t in moved],
                **_facts(now, [(f"Operational line #{line.id}", line, True) for line in ahead], moved),
            },
        )
    if moved:
        latest = max(moved, key=lambda t: t.approved_at)
        return CheckResult(
            "met",
            f"the approved transition #{latest.id} moves {key} to {latest.business_unit}'s operational budget "
            f"({latest.cost_centre}) from {latest.effective_date}",
            {"lines": [], "transitions": [t.id for t in moved], **_facts(now, [], moved)},
        )
    ids = ", ".join(f"#{line.id}" for line in known)
    ended = f"operational line(s) {ids} ended before {today}, and " if known else ""
    return CheckResult(
        "not_met",
        f"{ended}no operational budget line covers {today} or later; propose one with "
        f"`pilotgate funding add {key} --source operational …`",
        {
            "lines": [line.as_detail() for line in known],
            "transitions": [],
            **_facts(now, [(f"Operational line #{line.id} (ended)", line, False) for line in known], []),
        },
    )


def production_funded(
    lines: Sequence[Line],
    transitions: Sequence[Transition],
    roles: Mapping[str, str],
    *,
    now: datetime,
    key: str = "KEY",
) -> CheckResult:
    """Gate 3: an approved operational line covering today, an approved transition naming that
    line's business unit, and a named business-unit head (ownership formalised)."""
    today = now.date()
    covering = [
        line
        for line in lines
        if line.source == "operational" and line.approved_at_or_before(now) and line.covers(today)
    ]
    moved = [t for t in transitions if t.approved_at <= now]
    naming = [t for t in moved if any(_same_unit(t.business_unit, line.business_unit) for line in covering)]
    head = roles.get(TRANSITION_APPROVER)
    shown = [(f"Approved operational line #{line.id}", line, True) for line in covering]
    absent = []
    if not covering:
        absent.append({"label": f"Approved operational line covering {today}", "value": "none", "ok": False})
    elif not naming:
        absent.append({"label": "Approved transition naming that business unit", "value": "none", "ok": False})
    absent.append({"label": "Business-unit head", "value": head or "nobody named", "ok": bool(head)})
    detail: dict[str, object] = {
        "lines": [line.as_detail() for line in covering],
        "transitions": [t.id for t in naming],
        "bu_head": head,
        **_facts(now, shown, naming, absent),
    }
    pending = [
        line
        for line in lines
        if line.source == "operational" and line.known_at(now) and line.covers(today) and line not in covering
    ]
    missing = []
    if not covering and pending:
        missing.append(
            f"operational line #{pending[0].id} covers {today} but is not approved; its business-unit head "
            f"approves it with `pilotgate funding approve {pending[0].id}`"
        )
    elif not covering:
        missing.append(
            f"no approved operational budget line covers {today} (approve one with `pilotgate funding approve ID`)"
        )
    elif not naming:
        units = " or ".join(sorted({line.business_unit for line in covering}))
        missing.append(
            f"no approved transition names {units} as the owner "
            f"(record it with `pilotgate funding transition {key} --line ID --effective DATE`)"
        )
    if not head:
        missing.append(f"no business-unit head is named (`pilotgate assign {key} bu_head EMAIL`)")
    if missing:
        return CheckResult("not_met", "; ".join(missing), detail)
    line = covering[0]
    latest = max(naming, key=lambda t: t.approved_at)
    return CheckResult(
        "met",
        f"approved operational line {line.summary()} covers {today}, transition #{latest.id} makes "
        f"{latest.business_unit} the owner from {latest.effective_date}, and {head} is the business-unit head",
        detail,
    )


def _facts(
    now: datetime,
    lines: Sequence[tuple[str, Line, bool]],
    moved: Sequence[Transition],
    more: Sequence[dict[str, object]] = (),
) -> dict[str, object]:
    """The records behind a check, as the review page lists them: lines, transitions, then `more`."""
    facts: list[dict[str, object]] = [
        {
            "label": label,
            "value": f"{money(line.amount, line.currency)}, {line.business_unit} · {line.cost_centre}, "
            f"{line.period_start} → {line.period_end}, {'approved' if line.approved_at_or_before(now) else 'proposed'}",
            "ok": ok,
        }
        for label, line, ok in lines
    ]
    facts += [
        {
            "label": f"Approved transition #{t.id}",
            "value": f"to {t.business_unit} · {t.cost_centre} from {t.effective_date}",
            "ok": True,
        }
        for t in moved
    ]
    return {"facts": [*facts, *more], "section": "#h-funding"}


# ---------------------------------------------------------------- the portfolio view


@dataclass(frozen=True)
class Holding:
    """A use case in an operational stage, with its budget lines."""

    key: str
    title: str
    business_unit: str
    stage: str
    entered_operation: date
    lines: Sequence[Line] = field(default_factory=tuple)


def months_between(start: date, end: date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    return max(0, months - (1 if end.day < start.day else 0))


def _totals(lines: Iterable[Line]) -> dict[str, Decimal]:
    found: dict[str, Decimal] = {}
    for line in lines:
        found[line.currency] = found.get(line.currency, Decimal(0)) + line.amount
    return dict(sorted(found.items()))


def portfolio(holdings: Sequence[Holding], *, now: datetime) -> dict[str, Any]:
    """How production AI is funded today: approved money by source (per currency) over the lines
    that cover today, and the operational use cases with no approved operational line covering
    today — production AI still living on project money, the zombie warning sign."""
    today = now.date()
    current = {
        h.key: [line for line in h.lines if line.approved_at_or_before(now) and line.covers(today)] for h in holdings
    }
    by_source = {
        source: _totals(line for lines in current.values() for line in lines if line.source == source)
        for source in SOURCES
    }
    warnings: list[dict[str, Any]] = []
    for holding in holdings:
        if any(line.source == "operational" for line in current[holding.key]):
            continue
        project = _totals(line for line in current[holding.key] if line.source == "project")
        warnings.append(
            {
                "key": holding.key,
                "title": holding.title,
                "business_unit": holding.business_unit,
                "stage": holding.stage,
                "funding": "project" if project else "none",
                "project_amount": {currency: f"{amount:.2f}" for currency, amount in project.items()},
                "entered_operation": holding.entered_operation.isoformat(),
                "months_in_operation": months_between(holding.entered_operation, today),
            }
        )
    warnings.sort(key=lambda w: (-w["months_in_operation"], w["key"]))
    return {
        "as_of": today.isoformat(),
        "operational_use_cases": len(holdings),
        "operationally_funded": len(holdings) - len(warnings),
        "on_project_money": sum(1 for w in warnings if w["funding"] == "project"),
        "unfunded": sum(1 for w in warnings if w["funding"] == "none"),
        "approved_by_source": {
            source: {currency: f"{amount:.2f}" for currency, amount in totals.items()}
            for source, totals in by_source.items()
        },
        "production_on_project_money": warnings,
    }
