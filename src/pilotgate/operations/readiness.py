"""Operations readiness scored in the spirit of Google's ML Test Score (Breck et al., 2017,
"The ML Test Score: A Rubric for ML Production Readiness and Technical Debt Reduction").

Four sections of seven checks each — data, model, infrastructure, monitoring. A check recorded as
done by hand, with its results documented, earns half a point; done automatically and repeatedly,
a full point. A section's score is the sum of its checks; the overall score is the *minimum* over
the sections, because a system is only as ready as its weakest area.

Some checks are derived from pilotgate's own operations records (see `derive`): the effective
status of a check is the better of what was recorded by hand and what the records show.

Pure: no database, web or CLI import.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

POINTS = {"not_done": 0.0, "manual": 0.5, "automated": 1.0}
STATUSES = tuple(POINTS)
# The overall score operations.ready asks for: every section has at least two checks done by hand
# (or one automated) — the paper's "first pass at basic productionization" starts above 1.
READY_SCORE = 1.0


class Check(NamedTuple):
    id: str
    title: str


class Section(NamedTuple):
    id: str
    title: str
    checks: tuple[Check, ...]


SECTIONS: tuple[Section, ...] = (
    Section(
        "data",
        "Data",
        (
            Check("data.schema", "Feature expectations are captured in a schema"),
            Check("data.features_beneficial", "All features are beneficial"),
            Check("data.feature_cost", "No feature's cost is too much"),
            Check("data.meta_requirements", "Features adhere to meta-level requirements"),
            Check("data.privacy", "The data pipeline has appropriate privacy controls"),
            Check("data.new_features", "New features can be added quickly"),
            Check("data.feature_code_tested", "All input feature code is tested"),
        ),
    ),
    Section(
        "model",
        "Model",
        (
            Check("model.spec_reviewed", "Model specs are reviewed and submitted"),
            Check("model.offline_online", "Offline proxy metrics correlate with online metrics"),
            Check("model.hyperparameters", "All hyperparameters have been tuned"),
            Check("model.staleness_impact", "The impact of model staleness is known"),
            Check("model.baseline", "A simpler model (the baseline) is not better"),
            Check("model.slices", "Model quality is sufficient on important data slices"),
            Check("model.inclusion", "The model is tested for considerations of inclusion"),
        ),
    ),
    Section(
        "infrastructure",
        "Infrastructure",
        (
            Check("infrastructure.reproducible_training", "Training is reproducible"),
            Check("infrastructure.spec_unit_tested", "Model specs are unit tested"),
            Check("infrastructure.pipeline_integration", "The ML pipeline is integration tested"),
            Check("infrastructure.validated_before_serving", "Model quality is validated before serving"),
            Check("infrastructure.debuggable", "The model is debuggable"),
            Check("infrastructure.canary", "Models are canaried before serving"),
            Check("infrastructure.rollback", "Serving models can be rolled back"),
        ),
    ),
    Section(
        "monitoring",
        "Monitoring",
        (
            Check("monitoring.dependencies", "Dependency changes result in notification"),
            Check("monitoring.data_invariants", "Data invariants hold in training and serving inputs"),
            Check("monitoring.skew", "Training and serving are not skewed"),
            Check("monitoring.staleness", "Models are not too stale"),
            Check("monitoring.numerical_stability", "Models are numerically stable"),
            Check("monitoring.computing_performance", "Computing performance has not regressed"),
            Check("monitoring.prediction_quality", "Prediction quality has not regressed"),
        ),
    ),
)
CHECKS: dict[str, Check] = {check.id: check for section in SECTIONS for check in section.checks}
BANDS = (  # the paper's reading of the final score: the first band whose upper bound it does not pass
    (0.0, "more of a research project than a productionised system"),
    (1.0, "not totally untested, but there may be serious holes in reliability"),
    (2.0, "a first pass at basic productionisation; more investment may be needed"),
    (3.0, "reasonably tested, though more tests and procedures may be automated"),
    (5.0, "strong automated testing and monitoring, fit for mission-critical systems"),
    (7.0, "exceptional automated testing and monitoring"),
)


def parse_check(value: str) -> str:
    cleaned = value.strip().lower()
    if cleaned in CHECKS:
        return cleaned
    matches = [check_id for check_id in CHECKS if check_id.split(".", 1)[1] == cleaned]
    if len(matches) == 1:
        return matches[0]
    raise ValueError(f"{value!r} is not a readiness check; one of {', '.join(CHECKS)}")


def parse_status(value: str) -> str:
    cleaned = value.strip().lower().replace("-", "_").replace(" ", "_")
    cleaned = {"none": "not_done", "no": "not_done", "auto": "automated", "by_hand": "manual"}.get(cleaned, cleaned)
    if cleaned not in POINTS:
        raise ValueError(f"{value!r} is not a check status; use one of {', '.join(STATUSES)}")
    return cleaned


# ---------------------------------------------------------------- checks derived from the records


@dataclass(frozen=True)
class Signals:
    """What the operations records say about the rubric's checks."""

    alerting: bool = False  # monitoring with alerting configured
    automated_monitoring_with_connector: bool = False  # ... automated and linked to a connector
    cadence_set: bool = False
    retraining_on_cadence: bool = False  # a cadence is set and the next retraining is not overdue
    last_retraining_automated: bool = False
    passed_drill_recently: bool = False  # a passed incident-response drill in the last 90 days
    drift_notes: bool = False


class Derived(NamedTuple):
    status: str
    reason: str


def derive(signals: Signals) -> dict[str, Derived]:
    """The checks the operations records establish, and why. Documented in docs/operations.md."""
    found: dict[str, Derived] = {}
    if signals.alerting and signals.automated_monitoring_with_connector:
        found["monitoring.computing_performance"] = Derived(
            "automated", "automated monitoring with alerting, fed by an evidence connector"
        )
    elif signals.alerting:
        found["monitoring.computing_performance"] = Derived("manual", "monitoring with alerting configured")
    if signals.retraining_on_cadence:
        automated = signals.last_retraining_automated
        found["monitoring.staleness"] = Derived(
            "automated" if automated else "manual",
            "retraining on cadence" + (", the last one automated" if automated else ""),
        )
        if automated:
            found["infrastructure.reproducible_training"] = Derived(
                "automated", "an automated retraining ran within the cadence"
            )
    if signals.passed_drill_recently:
        found["infrastructure.rollback"] = Derived("manual", "a passed incident-response drill in the last 90 days")
    if signals.cadence_set and signals.drift_notes:
        found["model.staleness_impact"] = Derived("manual", "a retraining cadence and drift notes are recorded")
    return found


# ---------------------------------------------------------------- the score


def band(score: float) -> str:
    return next(reading for upper, reading in BANDS if score <= upper)


def score(marks: Mapping[str, str], derived: Mapping[str, Derived] | None = None) -> dict[str, Any]:
    """Every check's recorded, derived and effective status, each section's score and the minimum."""
    derived = derived or {}
    sections: list[dict[str, Any]] = []
    scores: list[float] = []
    for section in SECTIONS:
        rows = []
        total = 0.0
        for check in section.checks:
            recorded = marks.get(check.id, "not_done")
            found = derived.get(check.id)
            effective = recorded
            if found is not None and POINTS[found.status] > POINTS[recorded]:
                effective = found.status
            total += POINTS[effective]
            rows.append(
                {
                    "id": check.id,
                    "title": check.title,
                    "recorded": recorded,
                    "derived": found.status if found else None,
                    "derived_from": found.reason if found else None,
                    "status": effective,
                    "points": POINTS[effective],
                }
            )
        scores.append(total)
        sections.append({"id": section.id, "title": section.title, "score": total, "checks": rows})
    overall = min(scores)
    weakest = [s["id"] for s, value in zip(sections, scores, strict=True) if value == overall]
    return {
        "sections": sections,
        "score": overall,
        "weakest": weakest,
        "band": band(overall),
        "ready_score": READY_SCORE,
        "ready": overall >= READY_SCORE,
    }
