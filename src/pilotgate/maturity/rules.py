"""Scoring an organisational readiness assessment: pure, no database.

Per capability:
- the questionnaire score is the mean answer on the 0–4 scale, as 0–100;
- the data score is the mean share of the capability's measurable signals, as 0–100 (a signal
  with nothing to measure yet is left out, never counted as zero);
- the combined score starts from the answers, which cover the whole capability (teams, budgets,
  cadences). Where the data is lower, it is weighed in: 60% answers, up to 40% data — the data's
  weight is 40% times the share of the capability's signals that are measurable, so a capability
  the registry cannot see yet rests on the answers alone. Where the data is as good or better it
  confirms the answers and lifts nothing: a tidy registry (an operations owner named) does not
  prove the capability behind it (an on-call rotation). The data discounts claims; it never
  inflates them.

The overall score is the mean of the five combined scores, and it sets the maturity level
(20-point bands), with two caps: the weakest capability holds the level to at most one above its
own, since a production programme needs all five; and level 3 or higher needs stage-gate
governance at level 3 itself, as the gates are what move an organisation from level 2 to 3.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pilotgate.errors import InvalidInput
from pilotgate.maturity.questionnaire import CAPABILITIES, QUESTIONS, SCALE, Capability, Question

QUESTIONNAIRE_WEIGHT = 0.6
DATA_WEIGHT = 0.4  # at full signal coverage
SIGNAL_TARGET = 0.9  # a measurable signal under this share is a gap
DIVERGENCE_POINTS = 25.0  # answers this far above the data call for a second look
MAX_GAPS = 12


@dataclass(frozen=True, slots=True)
class Level:
    number: int
    name: str
    floor: float  # the lowest score of the level
    description: str

    def as_dict(self) -> dict[str, Any]:
        return {"number": self.number, "name": self.name, "floor": self.floor, "description": self.description}


LEVELS = (
    Level(1, "Ad hoc", 0, "Isolated experiments: no shared process, funding or owners for AI."),
    Level(
        2,
        "Piloting",
        20,
        "Pilots run and often work, then stall in the missing middle: there is no path to production.",
    ),
    Level(
        3,
        "Governed",
        40,
        "Stage gates with named approvers decide; some use cases reach production with owners.",
    ),
    Level(
        4,
        "Operational",
        60,
        "Production AI is funded, operated, adopted and measured as a programme, not as projects.",
    ),
    Level(
        5,
        "Optimising",
        80,
        "Investment concentrates on proven value; the portfolio is steered by measured outcomes.",
    ),
)


def level_of(score: float) -> Level:
    return next(level for level in reversed(LEVELS) if score >= level.floor)


@dataclass(frozen=True, slots=True)
class Signal:
    """A share the data shows: `met` of `of` items. With `of` = 0 it is not measurable yet."""

    id: str
    capability: str
    title: str
    met: int
    of: int
    unmeasured: str  # why there is nothing to measure, said when `of` is 0
    action: str  # the next step when the share falls short
    missing: tuple[str, ...] = ()  # what falls short: use-case keys, or a key with its gate

    @property
    def value(self) -> float | None:
        return self.met / self.of if self.of else None

    def as_dict(self) -> dict[str, Any]:
        value = self.value
        return {
            "id": self.id,
            "capability": self.capability,
            "title": self.title,
            "met": self.met,
            "of": self.of,
            "value": None if value is None else round(value, 4),
            "measurable": value is not None,
            "note": self.unmeasured if value is None else "",
            "action": self.action,
            "missing": list(self.missing),
        }


@dataclass(frozen=True, slots=True)
class CapabilityScore:
    id: str
    title: str
    questionnaire: float
    data: float | None
    data_weight: float
    combined: float
    signals: tuple[Signal, ...]

    @property
    def level(self) -> Level:
        return level_of(self.combined)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "questionnaire": round(self.questionnaire, 1),
            "data": None if self.data is None else round(self.data, 1),
            "data_weight": round(self.data_weight, 3),
            "combined": round(self.combined, 1),
            "level": self.level.number,
            "signals": [s.id for s in self.signals],
            "measurable_signals": sum(1 for s in self.signals if s.value is not None),
        }


@dataclass(frozen=True, slots=True)
class Gap:
    capability: str
    kind: str  # "divergence" | "signal" | "question"
    ref: str  # the question or signal id; the capability id for a divergence
    title: str
    current: str
    action: str

    def as_dict(self, priority: int) -> dict[str, Any]:
        return {
            "priority": priority,
            "capability": self.capability,
            "kind": self.kind,
            "ref": self.ref,
            "title": self.title,
            "current": self.current,
            "action": self.action,
        }


@dataclass(frozen=True)
class Result:
    overall: float
    level: Level
    uncapped: Level
    caps: tuple[str, ...]
    capabilities: tuple[CapabilityScore, ...]
    gaps: tuple[Gap, ...]
    answers: Mapping[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        signals = [s for c in self.capabilities for s in c.signals]
        return {
            "overall": round(self.overall, 1),
            "level": {**self.level.as_dict(), "uncapped": self.uncapped.number, "capped_by": list(self.caps)},
            "weights": {
                "questionnaire": QUESTIONNAIRE_WEIGHT,
                "data_at_full_coverage": DATA_WEIGHT,
                "rule": "the data is weighed in where it is lower than the answers; otherwise it confirms them",
            },
            "capabilities": [c.as_dict() for c in self.capabilities],
            "signals": [s.as_dict() for s in signals],
            "gaps": [g.as_dict(n) for n, g in enumerate(self.gaps, start=1)],
        }


def validate_answers(raw: object) -> dict[str, int]:
    """Every question answered once with a whole number 0–4; every problem names its question id."""
    if not isinstance(raw, Mapping):
        raise InvalidInput("answers", "expected a mapping of question id to a score 0–4, e.g. funding.run_costs: 2")
    problems: list[tuple[str, str]] = []
    answers: dict[str, int] = {}
    for key, value in raw.items():
        question_id = str(key).strip()
        if question_id not in QUESTIONS:
            problems.append(
                (question_id, "is not a question of this questionnaire (see `pilotgate maturity questions`)")
            )
        elif isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
            problems.append((question_id, f"{value!r} is not a whole number: answer 0–4"))
        elif not SCALE[0] <= int(value) <= SCALE[-1]:
            problems.append((question_id, f"{int(value)} is out of range: answer 0–4"))
        else:
            answers[question_id] = int(value)
    given = {str(key).strip() for key in raw}
    unanswered = [q for q in QUESTIONS if q not in given]
    if unanswered:
        problems.append(("answers", f"{len(unanswered)} question(s) unanswered: {', '.join(unanswered)}"))
    if len(problems) == 1:
        raise InvalidInput(*problems[0])
    if problems:
        raise InvalidInput("answers", "; ".join(f"{where}: {why}" for where, why in problems))
    return answers


def _capability_score(capability: Capability, answers: Mapping[str, int], signals: Sequence[Signal]) -> CapabilityScore:
    own = tuple(s for s in signals if s.capability == capability.id)
    questionnaire = 100 * sum(answers[q.id] for q in capability.questions) / (SCALE[-1] * len(capability.questions))
    measured = [value for value in (s.value for s in own) if value is not None]
    data = 100 * sum(measured) / len(measured) if measured else None
    data_weight = DATA_WEIGHT * len(measured) / len(own) if own else 0.0
    shortfall = 0.0 if data is None else max(0.0, questionnaire - data)
    combined = questionnaire - data_weight * shortfall
    return CapabilityScore(capability.id, capability.title, questionnaire, data, data_weight, combined, own)


def _caps(scores: Sequence[CapabilityScore], uncapped: Level) -> tuple[Level, tuple[str, ...]]:
    level, caps = uncapped.number, []
    weakest = min(scores, key=lambda c: c.combined)
    if level > weakest.level.number + 1:
        level = weakest.level.number + 1
        caps.append(
            f"{weakest.title} is at level {weakest.level.number} ({weakest.combined:.0f}): a production programme "
            "needs all five capabilities, so the weakest holds the overall level to one above its own"
        )
    governance = next((c for c in scores if c.id == "governance"), None)
    if governance is not None and level >= 3 and governance.level.number < 3:
        level = 2
        caps.append(
            f"Stage-gate governance is at level {governance.level.number} ({governance.combined:.0f}): the stage "
            "gates are what move an organisation from level 2 to level 3"
        )
    return LEVELS[level - 1], tuple(caps)


def next_step(question: Question, score: int) -> str:
    """The anchor one step up: what answering one point higher would take."""
    return question.anchors[min(score + 1, SCALE[-1])]


def _gaps_of(capability: CapabilityScore, answers: Mapping[str, int]) -> list[Gap]:
    gaps: list[Gap] = []
    if capability.data is not None and capability.questionnaire - capability.data >= DIVERGENCE_POINTS:
        gaps.append(
            Gap(
                capability.id,
                "divergence",
                capability.id,
                f"{capability.title}: the answers are more optimistic than the data",
                f"answers {capability.questionnaire:.0f}, data {capability.data:.0f}",
                "Re-check the answers against the signals below with the people who run the use cases; "
                "either the registry is incomplete or the practice is not yet what the answers say.",
            )
        )
    short = sorted(
        (s for s in capability.signals if s.value is not None and s.value < SIGNAL_TARGET),
        key=lambda s: (s.value, s.id),
    )
    for signal in short[:2]:
        current = f"{signal.met} of {signal.of} ({100 * signal.met / signal.of:.0f}%)"
        gaps.append(Gap(capability.id, "signal", signal.id, signal.title, current, signal.action))
    questions = next(c.questions for c in CAPABILITIES if c.id == capability.id)
    low = sorted((q for q in questions if answers[q.id] < SCALE[-1]), key=lambda q: (answers[q.id], q.id))
    for question in low[:2]:
        score = answers[question.id]
        gaps.append(
            Gap(
                capability.id,
                "question",
                question.id,
                question.text,
                f"{score}/4: {question.anchors[score]}",
                f"Reach {score + 1}/4: {next_step(question, score)}",
            )
        )
    return gaps


def score(answers: Mapping[str, int], signals: Sequence[Signal]) -> Result:
    """Scores per capability, the overall level with its caps, and the gaps to close first."""
    scores = tuple(_capability_score(c, answers, signals) for c in CAPABILITIES)
    overall = sum(c.combined for c in scores) / len(scores)
    uncapped = level_of(overall)
    level, caps = _caps(scores, uncapped)
    # The gaps are in the capabilities under the next level's floor, the weakest first.
    target = LEVELS[level.number].floor if level.number < len(LEVELS) else 100.0
    behind = sorted((c for c in scores if c.combined < target), key=lambda c: (c.combined, c.id))
    gaps = [gap for capability in behind for gap in _gaps_of(capability, answers)]
    return Result(overall, level, uncapped, caps, scores, tuple(gaps[:MAX_GAPS]), dict(answers))
