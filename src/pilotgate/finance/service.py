"""Business cases of use cases: set (a new version each time), show on a scenario, sensitivity,
Monte Carlo, and the summary other capabilities read (reports, prioritisation).

Every version is kept; the newest is the case. A case is shown on its conservative scenario
unless another is asked for. Actuals, variance and re-forecast are in finance/actuals.py, the
indicators tied to the case in finance/indicators.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from pilotgate.audit import service as audit
from pilotgate.db.uow import UnitOfWork
from pilotgate.errors import InvalidInput, NotFound
from pilotgate.finance import charts, montecarlo, months, repository, scenarios, sensitivity
from pilotgate.finance.model import Case, evaluate
from pilotgate.finance.models import BusinessCase, IndicatorTie
from pilotgate.finance.validation import case_dict, parse_case
from pilotgate.finance.views import version_dict
from pilotgate.finance.warnings import case_warnings
from pilotgate.usecases import service as usecases
from pilotgate.usecases.models import UseCase

NOTE_LIMIT = 2000
MC_KEYS = (
    "npv_p10",
    "npv_p50",
    "npv_p90",
    "payback_p10",
    "payback_p50",
    "payback_p90",
    "p_payback_12",
    "p_payback_24",
    "p_payback_36",
)


def _use_case(uow: UnitOfWork, use_case: UseCase | str) -> UseCase:
    return usecases.get_or_raise(uow, use_case) if isinstance(use_case, str) else use_case


def get_or_raise(uow: UnitOfWork, use_case: UseCase, version: int | None = None) -> BusinessCase:
    row = repository.current(uow, use_case) if version is None else repository.version(uow, use_case, version)
    if row is None:
        which = f"no version {version} of a business case" if version is not None else "no business case"
        raise NotFound(
            f"{use_case.key} has {which}; set one with `pilotgate case set {use_case.key} FILE` "
            "(start from `pilotgate case template`)"
        )
    return row


def versions(uow: UnitOfWork, use_case: UseCase) -> list[BusinessCase]:
    return repository.versions(uow, use_case)


def case_of(row: BusinessCase) -> Case:
    return parse_case(row.spec)


def set_case(uow: UnitOfWork, *, key: str, spec: Any, actor: str, note: str = "") -> tuple[BusinessCase, bool]:
    """Store a case as the use case's next version; (row, False) when it equals the newest already.

    With no `start` the case keeps the start of its previous version, or begins this month."""
    use_case = usecases.get_or_raise(uow, key)
    note = note.strip()
    if len(note) > NOTE_LIMIT:
        raise InvalidInput("note", f"is {len(note)} characters long; at most {NOTE_LIMIT} are allowed")
    case = parse_case(spec)
    latest = repository.current(uow, use_case)
    if case.start is None:
        earlier = latest.spec.get("start") if latest is not None else None
        case = replace(case, start=earlier or months.this_month(uow.now().date()))
    stored = case_dict(case)
    if latest is not None and latest.spec == stored:
        return latest, False
    row = BusinessCase(
        use_case_id=use_case.id,
        version=(latest.version + 1) if latest is not None else 1,
        spec=stored,
        note=note,
        author=actor,
        created_at=uow.now(),
    )
    uow.session.add(row)
    uow.session.flush()
    for tie in case.indicators:
        uow.session.add(
            IndicatorTie(
                business_case_id=row.id,
                metric_key=tie["metric"],
                expected_value=tie["expected"],
                by_month=tie["by_month"],
                note=tie["note"],
            )
        )
    uow.session.flush()
    headline = scenarios.headline(scenarios.evaluate_all(case)[scenarios.PRESENTED])
    audit.record(
        uow,
        actor=actor,
        action="business_case.set",
        entity_type="business_case",
        entity_id=row.id,
        use_case_key=use_case.key,
        before={"version": latest.version} if latest is not None else None,
        after={"version": row.version, "note": note, "conservative": headline, "spec": stored},
    )
    return row, True


def _warnings(case: Case, outcomes: Mapping[str, Any]) -> list[str]:
    found = [w.message for w in case_warnings(case, outcomes)]
    if not case.indicators:
        found.append(
            "No indicator tied to the case: say which leading indicator (adoption, task time, error rate) "
            "should move by when, so the case can be checked long before lagging ROI shows."
        )
    return found


def show(
    uow: UnitOfWork, use_case: UseCase, *, scenario: str | None = None, version: int | None = None
) -> dict[str, Any]:
    """A version of the case on one scenario (conservative by default), with all three headlines."""
    chosen = scenarios.scenario_or_raise(scenario)
    row = get_or_raise(uow, use_case, version)
    case = case_of(row)
    outcomes = scenarios.evaluate_all(case)
    start = case.start or months.this_month(row.created_at.date())
    lines = scenarios.monthly(outcomes[chosen])
    for line in lines:
        line["label"] = months.label(start, line["month"])
    return {
        **version_dict(row, use_case.key),
        "title": case.title,
        "currency": case.currency,
        "start": start,
        "horizon_months": case.horizon_months,
        "discount_rate": case.discount_rate,
        "go_live_month": case.go_live_month,
        "scenario": chosen,
        "figures": scenarios.headline(outcomes[chosen]),
        "scenarios": {name: scenarios.headline(o) for name, o in outcomes.items()},
        "multipliers": scenarios.multipliers_table(case),
        "warnings": _warnings(case, outcomes),
        "monthly": lines,
        "spec": row.spec,
    }


def sensitivity_of(
    uow: UnitOfWork, use_case: UseCase, *, pct: float = sensitivity.DEFAULT_PCT, scenario: str | None = None
) -> dict[str, Any]:
    case = case_of(get_or_raise(uow, use_case))
    result = sensitivity.sensitivity(case, scenarios.scenario_or_raise(scenario), pct)
    return {
        "use_case": use_case.key,
        "currency": case.currency,
        **sensitivity.sensitivity_dict(result),
        "chart": charts.tornado_chart(result, case.currency),
    }


def simulate(
    uow: UnitOfWork,
    use_case: UseCase,
    *,
    draws: int = montecarlo.DEFAULT_DRAWS,
    seed: int = montecarlo.DEFAULT_SEED,
) -> dict[str, Any]:
    case = case_of(get_or_raise(uow, use_case))
    result = montecarlo.simulate(case, draws, seed)
    stats = montecarlo.summary(result)
    return {
        "use_case": use_case.key,
        "currency": case.currency,
        "horizon_months": case.horizon_months,
        "ranges": {
            d: {"min": r.low, "mode": r.mode, "max": r.high, "distribution": r.distribution}
            for d, r in case.ranges.items()
        },
        **stats,
        "chart": charts.monte_carlo_chart(montecarlo.histogram(result), stats, case.currency),
    }


def case_summary(uow: UnitOfWork, use_case: UseCase | str) -> dict[str, Any] | None:
    """The case on its conservative scenario with warnings, Monte Carlo figures and the three
    charts (plus plan against actual once actuals exist); None when the use case has no case."""
    from pilotgate.finance import variance

    found = _use_case(uow, use_case)
    row = repository.current(uow, found)
    if row is None:
        return None
    case = case_of(row)
    outcomes = scenarios.evaluate_all(case)
    presented = outcomes[scenarios.PRESENTED]
    figures = scenarios.headline(presented)
    result = montecarlo.simulate(case)
    stats = montecarlo.summary(result)
    tornado = sensitivity.sensitivity(case, scenarios.PRESENTED)
    return {
        "use_case": found.key,
        "version": row.version,
        "scenario": scenarios.PRESENTED,
        "currency": case.currency,
        "horizon_months": case.horizon_months,
        "npv": figures["npv"],
        "irr": figures["irr"],
        "payback_month": figures["payback_month"],
        "roi_pct": figures["roi_pct"],
        "warnings": _warnings(case, outcomes),
        "monte_carlo": {k: stats[k] for k in MC_KEYS},
        "charts": {
            "cash_flow": charts.cash_flow_chart(outcomes, scenarios.PRESENTED, case.currency, presented.payback_month),
            "tornado": charts.tornado_chart(tornado, case.currency),
            "monte_carlo": charts.monte_carlo_chart(montecarlo.histogram(result), stats, case.currency),
            "plan_vs_actual": variance.plan_vs_actual(uow, found, row, case, scenarios.PRESENTED),
        },
    }


def expected_values(uow: UnitOfWork) -> dict[int, float]:
    """Use case id → NPV of its newest business case on the conservative scenario."""
    found: dict[int, float] = {}
    for use_case_id, spec in repository.newest_specs(uow):
        found[use_case_id] = round(evaluate(parse_case(spec), scenarios.PRESENTED).npv, 2)
    return found
