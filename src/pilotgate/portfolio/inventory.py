"""Read an inventory spreadsheet (CSV in any encoding, or XLSX) and turn rows into use cases.

Pure transformation: no database here. Each row becomes an ``ImportRow`` or a ``RowError`` with
its row number (the spreadsheet's own numbering: the header is row 1).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from pilotgate.errors import InvalidInput
from pilotgate.portfolio.dates import DateNotUnderstood, parse_date
from pilotgate.portfolio.mapping import Mapping, normalise

CHUNK = 1 << 20
TAG = re.compile(r"[^a-z0-9_.-]+")


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) if the whole file decodes so, else Windows-1252 if it does, else a guess."""
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_path

    best = from_path(path).best()
    if best is None:
        raise InvalidInput("encoding", f"cannot tell the text encoding of {path.name}; pass --encoding (e.g. latin-1)")
    return str(best.encoding)


def read_rows(path: Path, encoding: str | None = None) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    """The header and a stream of (row number, cells): the file is never loaded whole."""
    if not path.is_file():
        raise InvalidInput("file", f"{path} is not a readable file")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _xlsx_rows(path)
    chosen = encoding or detect_encoding(path)
    try:
        codecs.lookup(chosen)
    except LookupError:
        raise InvalidInput("encoding", f"{chosen!r} is not a text encoding Python knows (e.g. utf-8, cp1252)") from None
    handle = path.open(encoding=chosen, newline="", errors="strict")
    reader = csv.reader(handle)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        handle.close()
        raise InvalidInput("file", f"{path.name} is empty; a header row is needed") from None
    except UnicodeDecodeError as error:
        handle.close()
        raise InvalidInput("encoding", f"{path.name} is not {chosen}: {error.reason}; pass --encoding") from None

    def rows() -> Iterator[tuple[int, dict[str, Any]]]:
        with handle:
            try:
                for number, cells in enumerate(reader, start=2):
                    if any(c.strip() for c in cells):
                        yield number, dict(zip(header, cells, strict=False))
            except UnicodeDecodeError as error:
                raise InvalidInput(
                    "encoding", f"{path.name} is not {chosen} ({error.reason}); pass --encoding"
                ) from None
            except csv.Error as error:
                raise InvalidInput("file", f"{path.name} line {reader.line_num}: malformed CSV ({error})") from None

    return header, rows()


def _xlsx_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, Any]]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for a corrupt file
        raise InvalidInput("file", f"{path.name} is not a readable XLSX workbook ({type(error).__name__})") from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    first = next(rows, None)
    if first is None:
        raise InvalidInput("file", f"{path.name} has an empty first sheet; a header row is needed")
    header = [str(h).strip() if h is not None else "" for h in first]

    def stream() -> Iterator[tuple[int, dict[str, Any]]]:
        try:
            for number, cells in enumerate(rows, start=2):
                if any(c not in (None, "") for c in cells):
                    yield number, dict(zip(header, cells, strict=False))
        finally:
            workbook.close()

    return header, stream()


@dataclass(frozen=True)
class ImportRow:
    row: int
    ref: str
    title: str
    business_unit: str
    description: str
    risk_tier: str
    tags: tuple[str, ...]
    stage: str
    status: str
    source_stage: str
    entered: dict[str, date]
    retired_on: date | None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class RowError:
    row: int
    reason: str


@dataclass
class Transformer:
    """Turns cells into ImportRows under one mapping; remembers repeated keys for stable refs."""

    mapping: Mapping
    stages: list[str]
    risk_tiers: tuple[str, ...]
    default_tier: str
    seen: Counter[str] = field(default_factory=Counter)

    def check_header(self, header: list[str]) -> None:
        missing = sorted(self.mapping.columns() - set(header))
        if missing:
            raise InvalidInput(
                "mapping",
                f"the file has no column(s) {', '.join(repr(m) for m in missing)} "
                f"that mapping {self.mapping.name} reads",
            )

    def ref(self, cells: dict[str, Any]) -> str:
        key = "\x1f".join(normalise(cells.get(c)) for c in self.mapping.key)
        self.seen[key] += 1
        digest = hashlib.sha256(f"{key}\x1e{self.seen[key]}".encode()).hexdigest()[:32]
        return f"{self.mapping.name}:{digest}"

    def transform(self, number: int, cells: dict[str, Any]) -> ImportRow | RowError:
        f, warnings = self.mapping.fields, []
        ref = self.ref(cells)
        title = _text(cells.get(f.title.column))
        if not title:
            return RowError(number, f"no title in column {f.title.column!r}")
        if len(title) > 200:
            warnings.append(f"title shortened to 200 characters (it had {len(title)})")
            title = title[:199] + "…"
        unit = _text(cells.get(f.business_unit.column))[:120]
        if not unit:
            return RowError(number, f"no business unit in column {f.business_unit.column!r}")
        raw_stage = _text(cells.get(self.mapping.stage.column))
        target = self.mapping.stage.target(raw_stage)
        if target is None:
            shown = repr(raw_stage) if raw_stage else "blank"
            return RowError(
                number,
                f"stage {shown} in column {self.mapping.stage.column!r} is not in the mapping's "
                "stage values; add it there",
            )
        if target.stage not in self.stages:
            return RowError(
                number, f"the mapping sends {raw_stage!r} to stage {target.stage!r}, which the policy lacks"
            )
        entered, date_warnings = self._dates(cells)
        warnings += date_warnings
        return ImportRow(
            row=number,
            ref=ref,
            title=title,
            business_unit=unit,
            description=_text(cells.get(f.description.column))[:10_000] if f.description else "",
            risk_tier=self._tier(cells),
            tags=self._tags(cells),
            stage=target.stage,
            status=target.status,
            source_stage=raw_stage,
            entered=entered,
            retired_on=self._retired(cells, warnings),
            warnings=tuple(warnings),
        )

    def _tier(self, cells: dict[str, Any]) -> str:
        spec = self.mapping.fields.risk_tier
        if spec is None:
            return self.default_tier
        wanted = normalise(cells.get(spec.column))
        for source, tier in spec.values.items():
            if normalise(source) == wanted and tier in self.risk_tiers:
                return tier
        return spec.default if spec.default in self.risk_tiers else self.default_tier

    def _tags(self, cells: dict[str, Any]) -> tuple[str, ...]:
        spec = self.mapping.fields.tags
        if spec is None:
            return ()
        tags = {TAG.sub("-", normalise(cells.get(c))).strip("-._")[:64] for c in spec.columns}
        return tuple(sorted(t for t in tags if t))

    def _dates(self, cells: dict[str, Any]) -> tuple[dict[str, date], list[str]]:
        entered, warnings = {}, []
        for stage, column in self.mapping.entered.items():
            try:
                when = parse_date(cells.get(column))
            except DateNotUnderstood as error:
                warnings.append(f"{column}: {error}; left blank")
                continue
            if when is not None:
                entered[stage] = when
        return entered, warnings

    def _retired(self, cells: dict[str, Any], warnings: list[str]) -> date | None:
        if self.mapping.retired is None:
            return None
        try:
            return parse_date(cells.get(self.mapping.retired))
        except DateNotUnderstood as error:
            warnings.append(f"{self.mapping.retired}: {error}; left blank")
            return None


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()
