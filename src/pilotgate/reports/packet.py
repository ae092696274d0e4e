"""A gate review packet as plain data: everything a board needs to take (or to record) one gate decision.

The review is the use case's open review, else its latest decided one; ``gate=N`` picks the latest
review of Gate N. An open review is judged live, as the review page judges it. A decided review is
shown as it was decided: criteria statuses, notes, measured values and blockers come from the
decision's frozen snapshot (whose hash is checked), not from today's data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pilotgate.db.uow import UnitOfWork
from pilotgate.errors import NotFound
from pilotgate.evidence import panels
from pilotgate.gates import repository, rules, service
from pilotgate.gates.models import Artifact, Assessment, Review, Vote
from pilotgate.policy import service as policies
from pilotgate.policy.model import Gate, Policy
from pilotgate.reports import gantt, sources
from pilotgate.reports import packet_rows as rows
from pilotgate.usecases import service as usecases
from pilotgate.usecases.models import UseCase


def pick_review(uow: UnitOfWork, use_case: UseCase, gate: int | None) -> Review:
    """The open review, else the latest decided one; with ``gate``, the latest review of that gate."""
    reviews = list(repository.reviews_of(uow, use_case.id))
    if not reviews:
        raise NotFound(
            f"{use_case.key} has no gate review yet, so there is no packet to print; "
            f"open one with `pilotgate gate open {use_case.key} --as EMAIL`"
        )
    at_gate = [r for r in reviews if gate is None or r.gate_number == gate]
    if not at_gate:
        held = sorted({r.gate_number for r in reviews})
        gates = f"Gate{'s' if len(held) > 1 else ''} {', '.join(map(str, held))}"
        raise NotFound(f"{use_case.key} has no review at Gate {gate}; it has reviews at {gates}")
    return at_gate[-1]  # the newest; an open review is always the newest of its gate


def _criteria(
    uow: UnitOfWork,
    use_case: UseCase,
    gate: Gate,
    results: dict[str, dict[str, Any]],
    assessments: list[Assessment],
) -> list[dict[str, Any]]:
    """Each criterion with its status and note (``results`` by criterion id), who assessed it, its
    evidence links, and for measured or computed ones the values, charts and records behind it."""
    recorded = {a.criterion_id: a for a in assessments}
    found = []
    for criterion in gate.criteria:
        result = results.get(criterion.id, {})
        row = recorded.get(criterion.id)
        evaluation = result.get("evaluation") or None
        item: dict[str, Any] = {
            "id": criterion.id,
            "title": criterion.title,
            "requirement": criterion.requirement,
            "kind": criterion.kind,
            "status": result.get("status", "pending"),
            "note": result.get("note", ""),
            "assessed_by": row.assessed_by.email if row else None,
            "assessed_at": row.assessed_at.isoformat() if row else None,
            "justification": row.justification if row else None,
            "evidence": json.loads(row.evidence_links or "[]") if row else [],
            "waiver_expires": row.waiver_expires.isoformat() if row and row.waiver_expires else None,
            "expression": criterion.expression,
            "check": criterion.check,
            "evaluation": evaluation,
            "facts": list((evaluation or {}).get("facts") or []) if criterion.kind == "computed" else [],
            "charts": [],
        }
        if criterion.kind == "metric" and evaluation:
            item["charts"] = [
                {"label": c["label"], "spec": c["chart"]}
                for c in panels.criterion_charts(uow, use_case, evaluation)
                if c["points"]  # the criterion's table already says no data was found
            ]
        found.append(item)
    return found


def _timeline(uow: UnitOfWork, use_case: UseCase) -> dict[str, Any] | None:
    text = sources.gantt_mermaid(uow, use_case)
    if text is None:
        return None
    # The page's own chart when the timeline offers one; else the Mermaid text drawn by our reader.
    spec = sources.gantt_spec(uow, use_case)
    if spec is None:
        parsed = gantt.parse(text)
        spec = gantt.chart(parsed, today=uow.now().date()) if parsed else None
    return {"mermaid": text, "chart": spec}


@dataclass(frozen=True)
class _Judged:
    """A review's criteria results (by id) with the rows behind them, as they stand or stood."""

    results: dict[str, dict[str, Any]]
    assessments: list[Assessment]
    artifacts: list[Artifact]
    votes: list[Vote]
    stale: dict[str, bool]  # by approver role: the vote predates the evidence it was meant to cover
    roles: list[str]  # the approver roles the gate requires of this use case
    blockers: list[str]
    decision: dict[str, Any] | None


def _as_it_stands(uow: UnitOfWork, use_case: UseCase, gate: Gate) -> _Judged:
    """An open review, judged now as the review page judges it."""
    loaded = service.load_open(uow, use_case.key)
    state = loaded.state
    digest = rules.evidence_digest(state)
    results = {}
    for criterion in gate.criteria:
        result = rules.criterion_result(state, criterion)
        measured = state.measurements.get(criterion.id)
        detail = dict(measured.detail) if measured is not None else None
        results[criterion.id] = {"status": result.status, "note": result.note, "evaluation": detail}
    return _Judged(
        results,
        loaded.assessment_rows,
        loaded.artifact_rows,
        loaded.vote_rows,
        {v.role: v.evidence_digest != digest for v in loaded.vote_rows},
        rules.required_roles(state),
        rules.blockers(state),
        None,
    )


def _as_decided(uow: UnitOfWork, use_case: UseCase, review: Review, gate: Gate, policy: Policy) -> _Judged:
    """A decided review, from the evidence snapshot frozen into its decision."""
    row = repository.decision_of(uow, review.id)
    if row is None:
        raise NotFound(f"the Gate {review.gate_number} review of {use_case.key} is closed without a decision")
    frozen = json.loads(row.snapshot)
    return _Judged(
        {c["id"]: c for c in frozen.get("criteria", [])},
        list(repository.assessments(uow, review.id)),
        list(repository.artifacts(uow, review.id)),
        list(repository.votes(uow, review.id)),
        {v["role"]: bool(v.get("stale")) for v in frozen.get("votes", [])},
        gate.required_roles(frozen.get("risk_tier") or use_case.risk_tier),
        list(frozen.get("blockers", [])),
        rows.decision(row, policy),
    )


def build(uow: UnitOfWork, key: str, *, gate: int | None = None) -> dict[str, Any]:
    """The packet of a use case's review (see the module docstring for which review)."""
    use_case = usecases.get_or_raise(uow, key)
    review = pick_review(uow, use_case, gate)
    policy = policies.parsed(review.policy_version)
    the_gate = policy.gate(review.gate_number)
    if the_gate is None:
        raise NotFound(f"Gate {review.gate_number} is absent from policy {policy.name}; the review cannot be shown")
    if review.state == "open":
        judged = _as_it_stands(uow, use_case, the_gate)
    else:
        judged = _as_decided(uow, use_case, review, the_gate, policy)
    version = review.policy_version
    packet: dict[str, Any] = {
        "generated_at": uow.now().isoformat(timespec="seconds"),
        "use_case": rows.header(use_case, policy),
        "gate": {
            "number": the_gate.number,
            "title": the_gate.title,
            "from": rows.stage_title(policy, the_gate.from_stage),
            "to": rows.stage_title(policy, the_gate.to_stage),
            "note": the_gate.note,
        },
        "policy": {"name": version.name, "version": version.version},
        "review": {
            "id": review.id,
            "state": review.state,
            "opened_by": review.opened_by.email,
            "opened_by_name": review.opened_by.name,
            "opened_at": review.opened_at.isoformat(),
            "decided_at": review.decided_at.isoformat() if review.decided_at else None,
        },
        "criteria": _criteria(uow, use_case, the_gate, judged.results, judged.assessments),
        "artifacts": rows.artifacts(the_gate, judged.artifacts),
        "approvals": rows.approvals(judged.roles, policy, use_case, judged.votes, judged.stale),
        "blockers": judged.blockers,
        "decision": judged.decision,
        "business_case": sources.business_case(uow, use_case),
        "timeline": _timeline(uow, use_case),
    }
    rows.add_names(uow, packet)
    return packet
