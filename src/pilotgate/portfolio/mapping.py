"""Import mappings: which columns feed which fields, and the source's stage vocabulary."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pilotgate.errors import PolicyError

SPACES = re.compile(r"\s+")


def normalise(value: object) -> str:
    """Cell text compared case- and whitespace-insensitively ("Rights-Impacting\\n" = "rights-impacting")."""
    return SPACES.sub(" ", str(value or "")).strip().casefold()


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Column(Strict):
    column: str


class Columns(Strict):
    columns: tuple[str, ...] = Field(min_length=1)


class Translated(Strict):
    column: str
    values: dict[str, str] = Field(default_factory=dict)
    default: str | None = None


class StageTarget(Strict):
    stage: str
    status: str = "active"


class StageMap(Strict):
    column: str
    values: dict[str, str | StageTarget] = Field(min_length=1)

    def target(self, cell: object) -> StageTarget | None:
        wanted = normalise(cell)
        for source, target in self.values.items():
            if normalise(source) == wanted:
                return target if isinstance(target, StageTarget) else StageTarget(stage=target)
        return None


class Fields(Strict):
    title: Column
    business_unit: Column
    description: Column | None = None
    risk_tier: Translated | None = None
    tags: Columns | None = None


class Mapping(Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    title: str = ""
    key: tuple[str, ...] = Field(min_length=1)
    fields: Fields
    stage: StageMap
    entered: dict[str, str] = Field(default_factory=dict)
    retired: str | None = None
    policy: str | None = None

    @field_validator("entered")
    @classmethod
    def _no_blank_columns(cls, value: dict[str, str]) -> dict[str, str]:
        for stage, column in value.items():
            if not column.strip():
                raise ValueError(f"stage {stage!r} names no column")
        return value

    def columns(self) -> set[str]:
        """Every column the mapping reads; the file must have them all."""
        f = self.fields
        named = {*self.key, f.title.column, f.business_unit.column, self.stage.column, *self.entered.values()}
        named |= {f.description.column} if f.description else set()
        named |= {f.risk_tier.column} if f.risk_tier else set()
        named |= set(f.tags.columns) if f.tags else set()
        named |= {self.retired} if self.retired else set()
        return named


def _problems(error: ValidationError) -> list[str]:
    return [f"{'.'.join(str(p) for p in item['loc']) or '(top level)'}: {item['msg']}" for item in error.errors()]


def load_mapping(name_or_path: str) -> Mapping:
    """A shipped mapping by name (e.g. federal-2024) or a mapping file."""
    path = Path(name_or_path)
    if path.is_file():
        text, source = path.read_text(encoding="utf-8"), str(path)
    else:
        shipped = resources.files("pilotgate.portfolio").joinpath("mappings", f"{name_or_path}.yaml")
        if not shipped.is_file():
            known = sorted(
                p.name.removesuffix(".yaml")
                for p in resources.files("pilotgate.portfolio").joinpath("mappings").iterdir()
            )
            raise PolicyError(
                name_or_path, [f"no mapping file or shipped mapping by that name; shipped: {', '.join(known)}"]
            )
        text, source = shipped.read_text(encoding="utf-8"), f"shipped mapping {name_or_path}"
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError(source, [f"not valid YAML: {getattr(exc, 'problem', exc)}"]) from None
    if not isinstance(data, dict):
        raise PolicyError(source, ["(top level): expected a mapping with name, key, fields and stage"])
    try:
        return Mapping.model_validate(data)
    except ValidationError as exc:
        raise PolicyError(source, _problems(exc)) from None
