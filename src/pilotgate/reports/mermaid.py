"""Mermaid text for the stage-gate flow (the framework's own diagram, drawn from the policy)."""

from __future__ import annotations

import re

from pilotgate.policy.model import Policy


def _label(text: str) -> str:
    """Mermaid label text: quotes and markup characters replaced, so user text cannot inject syntax."""
    return re.sub(r'["<>{}\[\]|#;`]', " ", text).strip()


def policy_flowchart(policy: Policy) -> str:
    lines = ["flowchart LR"]
    for stage in policy.stages:
        duration = stage.expected_duration.describe()
        lines.append(f'    {stage.id}["{_label(stage.title)}<br/>{_label(duration)}"]')
    for gate in policy.gates:
        approvers = len(gate.approvers)
        label = (
            f"Gate {gate.number}: {len(gate.criteria)} criteria, {len(gate.artifacts)} artifacts, {approvers} approvers"
        )
        lines.append(f'    {gate.from_stage} -->|"{_label(label)}"| {gate.to_stage}')
    return "\n".join(lines)
