"""Load a policy from YAML, reporting every problem with the key that causes it."""

from __future__ import annotations

import hashlib
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from pilotgate.errors import PolicyError
from pilotgate.policy.checks import CHECKS
from pilotgate.policy.expressions import ExpressionError, parse
from pilotgate.policy.model import Policy

SHIPPED_POLICY = "pilotgate-default"


def _location(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(top level)"


def _pydantic_problems(error: ValidationError) -> list[str]:
    problems = []
    for item in error.errors():
        loc = tuple(p for p in item["loc"] if p not in ("function-after",))
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key; remove it or check its spelling"
        elif item["type"] == "missing":
            message = "required key is missing"
        problems.append(f"{_location(loc)}: {message}")
    return problems


def _duplicates(label: str, values: list[str]) -> list[str]:
    return [f"{label}: {value!r} is defined more than once" for value, n in Counter(values).items() if n > 1]


def _semantic_problems(policy: Policy) -> list[str]:
    problems: list[str] = []
    stages = policy.stage_ids()
    roles = set(policy.role_ids())
    problems += _duplicates("stages", stages)
    problems += _duplicates("roles", policy.role_ids())
    problems += _duplicates("gates", [str(g.number) for g in policy.gates])
    if policy.default_risk_tier not in policy.risk_tiers:
        problems.append(
            f"default_risk_tier: {policy.default_risk_tier!r} is not one of risk_tiers ({', '.join(policy.risk_tiers)})"
        )
    leaving: Counter[str] = Counter()
    for g_index, gate in enumerate(policy.gates):
        where = f"gates[{g_index}]"
        for key, stage in (("from", gate.from_stage), ("to", gate.to_stage)):
            if stage not in stages:
                problems.append(f"{where}.{key}: unknown stage {stage!r}; expected one of {', '.join(stages)}")
        both_known = gate.from_stage in stages and gate.to_stage in stages
        if both_known and stages.index(gate.to_stage) != stages.index(gate.from_stage) + 1:
            following = stages[stages.index(gate.from_stage) + 1] if gate.from_stage != stages[-1] else None
            expected = (
                f"expected {following!r}, the stage right after {gate.from_stage!r}"
                if following
                else (f"{gate.from_stage!r} is the last stage and has no gate out of it")
            )
            problems.append(f"{where}.to: {gate.to_stage!r} skips or reverses stages; {expected}")
        leaving[gate.from_stage] += 1
        artifact_ids = [a.id for a in gate.artifacts]
        problems += _duplicates(f"{where}.criteria", [c.id for c in gate.criteria])
        problems += _duplicates(f"{where}.artifacts", artifact_ids)
        for c_index, criterion in enumerate(gate.criteria):
            c_where = f"{where}.criteria[{c_index}]"
            if criterion.kind == "artifact" and criterion.artifact not in artifact_ids:
                problems.append(f"{c_where}.artifact: {criterion.artifact!r} is not among this gate's artifacts")
            if criterion.check is not None and criterion.check not in CHECKS:
                problems.append(
                    f"{c_where}.check: unknown check {criterion.check!r}; known: {', '.join(sorted(CHECKS))}"
                )
            if criterion.expression is not None:
                try:
                    parse(criterion.expression)
                except ExpressionError as exc:
                    problems.append(f"{c_where}.expression: {exc}")
        for a_index, approver in enumerate(gate.approvers):
            if approver.role not in roles:
                problems.append(
                    f"{where}.approvers[{a_index}].role: unknown role {approver.role!r}; "
                    f"define it under roles or use one of {', '.join(sorted(roles))}"
                )
            if approver.when is not None:
                for tier in approver.when.risk_tier:
                    if tier not in policy.risk_tiers:
                        problems.append(f"{where}.approvers[{a_index}].when.risk_tier: unknown tier {tier!r}")
    owner_rule = policy.stalled.missing_owner
    checked = (
        ()
        if "stalled" not in policy.model_fields_set
        else (("sponsor_roles", owner_rule.sponsor_roles), ("owner_roles", owner_rule.owner_roles))
    )
    for key, named in checked:
        for role in named:
            if role not in roles:
                problems.append(f"stalled.missing_owner.{key}: unknown role {role!r}")
    for stage, count in leaving.items():
        if count > 1:
            problems.append(f"gates: more than one gate leads out of stage {stage!r}")
    for stage in stages[:-1]:
        if stage not in leaving:
            problems.append(f"gates: no gate leads out of stage {stage!r}; every stage but the last needs one")
    return problems


def load_policy_text(text: str, source: str = "<policy>") -> Policy:
    """Parse and validate policy YAML; raise PolicyError listing every problem."""
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise PolicyError(source, [f"YAML syntax error{where}: {problem}"]) from None
    if not isinstance(data, dict):
        raise PolicyError(source, ["(top level): expected a mapping with name, stages, gates, roles"])
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(source, _pydantic_problems(exc)) from None
    problems = _semantic_problems(policy)
    if problems:
        raise PolicyError(source, problems)
    return policy


def load_policy_file(path: Path) -> tuple[Policy, str]:
    """Load a policy file; returns the policy and its text."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError(str(path), ["file not found; check the path"]) from None
    except (UnicodeDecodeError, IsADirectoryError, PermissionError) as exc:
        raise PolicyError(str(path), [f"cannot read the file as UTF-8 text ({exc.__class__.__name__})"]) from None
    return load_policy_text(text, str(path)), text


def shipped_policy_text() -> str:
    return resources.files("pilotgate.policy").joinpath("shipped", f"{SHIPPED_POLICY}.yaml").read_text("utf-8")


def shipped_policy() -> Policy:
    return load_policy_text(shipped_policy_text(), SHIPPED_POLICY)


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
