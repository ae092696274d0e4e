"""Docs are tested: every CLI command and option, and every setting, is documented."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer.main

from pilotgate.cli import app
from pilotgate.config import Settings

ROOT = Path(__file__).resolve().parents[1]
CLI_DOC = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands(group: Any, prefix: str = "pilotgate") -> list[tuple[str, Any]]:
    found = []
    for name in group.list_commands(None):
        command = group.get_command(None, name)
        path = f"{prefix} {name}"
        if hasattr(command, "commands"):
            found += commands(command, path)
        else:
            found.append((path, command))
    return found


ALL = commands(typer.main.get_group(app))


def test_every_command_is_documented() -> None:
    missing = [path for path, _ in ALL if f"`{path}" not in CLI_DOC]
    assert not missing, f"undocumented commands in docs/cli.md: {missing}"


def test_every_option_is_documented_with_its_command() -> None:
    missing = []
    for path, command in ALL:
        lines = [line for line in CLI_DOC.splitlines() if f"`{path}" in line]
        for param in command.params:
            for option in param.opts:
                if option.startswith("--") and option != "--help" and not any(option in line for line in lines):
                    missing.append(f"{path} {option}")
    assert not missing, f"undocumented options in docs/cli.md: {missing}"


def test_every_setting_is_documented() -> None:
    settings = set(re.findall(r"PILOTGATE_[A-Z_]+", Settings.__doc__ or "")) | {"PILOTGATE_DEBUG"}
    assert settings >= {"PILOTGATE_HOME", "PILOTGATE_DATABASE_URL", "PILOTGATE_AUDIT_KEY"}
    assert not [s for s in settings if f"`{s}`" not in README]


def test_readme_quickstart_has_two_commands_and_ci_runs_the_second() -> None:
    quickstart = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```bash\n(.*?)```", quickstart, re.S)
    assert len(blocks) == 2 and all(len(b.strip().splitlines()) == 1 for b in blocks)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert blocks[1].strip() in ci


def test_every_api_route_and_environment_variable_is_documented(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("PILOTGATE_HOME", str(tmp_path))
    monkeypatch.delenv("PILOTGATE_DATABASE_URL", raising=False)
    from pilotgate.web.app import create_app

    api_doc = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    spec = create_app().openapi()
    routes = [f"{method.upper()} {path}" for path, ops in spec["paths"].items() for method in ops]
    assert len(routes) > 20
    assert not [r for r in routes if f"`{r}`" not in api_doc]
    used = set()
    for source in (ROOT / "src").rglob("*.py"):
        used |= set(re.findall(r"PILOTGATE_[A-Z_]+", source.read_text(encoding="utf-8")))
    assert not [name for name in used if f"`{name}`" not in README]
