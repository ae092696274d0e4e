"""Inventory import on the real 2024 U.S. federal AI use-case inventory, and on small files."""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from tests.builders import cli, ok

FEDERAL = Path(__file__).resolve().parents[1] / "data" / "federal-ai-inventory-2024.csv"
STAGES = {
    "Ideation": "discovery",
    "Planned": "discovery",
    "Initiated": "discovery",
    "Acquisition and/or Development": "poc",
    "Research or Administrative Action Complete": "poc",
    "Implementation and Assessment": "pilot",
    "Operation and Maintenance": "production",
    "In production": "production",
    "In mission": "production",
    "Retired": "retired",
}


def source_counts() -> Counter[str]:
    with FEDERAL.open(encoding="cp1252", newline="") as handle:
        values = [" ".join(r["Stage of Development"].split()) for r in csv.DictReader(handle)]
    return Counter(STAGES[v] for v in values if v)


def imported(*extra: str) -> dict:
    return json.loads(ok("import", str(FEDERAL), "--mapping", "federal-2024", "--json", *extra))


def test_the_federal_inventory_imports_with_stage_counts_matching_the_source(home: Path) -> None:
    summary = imported()
    assert summary["rows"] == 2133
    assert summary["imported"] + summary["updated"] + summary["skipped"] + len(summary["errors"]) == 2133
    assert summary["by_stage"] == dict(source_counts())
    assert [e["row"] for e in summary["errors"]] == [1352, 1353, 1354, 1355]
    assert all("stage blank" in e["reason"] for e in summary["errors"])
    listed = json.loads(ok("usecase", "list", "--limit", "1", "--json"))
    assert listed["total"] == 2129
    production = json.loads(
        ok("usecase", "list", "--stage", "production", "--status", "active", "--limit", "1", "--json")
    )
    assert production["total"] == source_counts()["production"]
    assert json.loads(ok("usecase", "list", "--status", "retired", "--limit", "1", "--json"))["total"] == 142
    again = imported()
    assert (again["imported"], again["updated"], again["skipped"]) == (0, 0, 2129)
    assert json.loads(ok("usecase", "list", "--limit", "1", "--json"))["total"] == 2129
    assert ok("audit", "verify").startswith("audit trail intact")


def test_imported_stage_dates_become_stage_history(home: Path) -> None:
    imported()
    with FEDERAL.open(encoding="cp1252", newline="") as handle:
        rows = list(csv.DictReader(handle))
    number, row = next(
        (n, r)
        for n, r in enumerate(rows, start=2)
        if r["Stage of Development"] == "Operation and Maintenance"
        and r["Date Initiated"] == "10/1/2018"
        and r["Date Implemented"].count("/") == 2
    )
    found = json.loads(ok("usecase", "list", "--search", row["Use Case Name"][:40], "--json"))["items"]
    shown = json.loads(ok("usecase", "show", found[0]["key"], "--json"))
    month, day, year = (int(p) for p in row["Date Implemented"].split("/"))
    assert shown["stage"] == "production" and shown["stage_entered_at"].startswith(f"{year:04d}-{month:02d}-{day:02d}")
    history = shown["stage_history"]
    assert [h["stage"] for h in history] == ["discovery", "poc", "pilot", "production"]
    assert history[0]["entered_at"].startswith("2018-10-01") and all(h["reason"] == "imported" for h in history)
    assert shown["days_in_stage"] > 365, number


def test_a_dry_run_writes_nothing(home: Path) -> None:
    summary = imported("--dry-run")
    assert summary["dry_run"] and summary["imported"] == 2129
    assert json.loads(ok("usecase", "list", "--json"))["total"] == 0
    assert json.loads(ok("audit", "log", "--json")) == []


def write_mapping(directory: Path) -> Path:
    path = directory / "mapping.yaml"
    path.write_text(
        "name: sheet\nkey: [Name]\nfields:\n  title: {column: Name}\n  business_unit: {column: Unit}\n"
        "  tags: {columns: [Area]}\nstage:\n  column: Phase\n"
        "  values: {Idea: discovery, Trial: pilot, Live: production, Sunset: {stage: production, status: retired}}\n"
        "entered:\n  discovery: Started\n  pilot: Trial from\n"
        "  production: Live from\n",
        encoding="utf-8",
    )
    return path


def test_an_xlsx_inventory_with_real_date_cells(home: Path, tmp_path: Path) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Name", "Unit", "Area", "Phase", "Started", "Trial from", "Live from"])
    sheet.append(["Invoice triage", "Finance", "Back Office", "Live", datetime(2023, 1, 5), "03/2023", "Jul-23"])
    sheet.append(["Chat assistant", "HR", "People", "Trial", "2024", datetime(2024, 6, 1), None])
    sheet.append(["Mystery", "HR", "People", "Someday", None, None, None])
    sheet.append(["Old bot", "IT", "Ops", "Sunset", "2019", "2019", "2020"])
    book.save(tmp_path / "inventory.xlsx")
    summary = json.loads(
        ok("import", str(tmp_path / "inventory.xlsx"), "--mapping", str(write_mapping(tmp_path)), "--json")
    )
    assert (summary["rows"], summary["imported"]) == (4, 3)
    assert summary["errors"] == [{"row": 4, "reason": summary["errors"][0]["reason"]}]
    assert "'Someday'" in summary["errors"][0]["reason"]
    live = json.loads(ok("usecase", "show", "UC-0001", "--json"))
    assert live["stage"] == "production" and live["stage_entered_at"].startswith("2023-07-01")
    assert live["tags"] == ["back-office"]


def test_encodings_are_detected_or_taken(home: Path, tmp_path: Path) -> None:
    text = "Name,Unit,Area,Phase,Started,Trial from,Live from\nCafé assistant,Ventes,Frontière,Idea,2024,,\n"
    (tmp_path / "utf8.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    (tmp_path / "latin.csv").write_bytes(text.replace("Café", "Caf\u00e9 2").encode("cp1252"))
    mapping = str(write_mapping(tmp_path))
    for name in ("utf8.csv", "latin.csv"):
        assert json.loads(ok("import", str(tmp_path / name), "--mapping", mapping, "--json"))["imported"] == 1
    titles = {u["title"] for u in json.loads(ok("usecase", "list", "--json"))["items"]}
    assert titles == {"Café assistant", "Café 2 assistant"}
    (tmp_path / "latin2.csv").write_bytes(text.replace("Café", "Thé").encode("cp1252"))
    wrong = cli("import", str(tmp_path / "latin2.csv"), "--mapping", mapping, "--encoding", "utf-8")
    assert wrong.code == 1 and "is not utf-8" in wrong.stderr and "--encoding" in wrong.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Title,Unit\nA,B\n", "has no column(s)"),
        ("", "is empty"),
    ],
)
def test_a_file_that_does_not_fit_writes_nothing(home: Path, tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "bad.csv").write_text(content, encoding="utf-8")
    result = cli("import", str(tmp_path / "bad.csv"), "--mapping", str(write_mapping(tmp_path)))
    assert result.code == 1 and message in result.stderr and "Traceback" not in result.output
    assert json.loads(ok("usecase", "list", "--json"))["total"] == 0


def test_a_malformed_mapping_names_the_key(home: Path, tmp_path: Path) -> None:
    (tmp_path / "m.yaml").write_text("name: x\nkey: []\nfields: {title: {column: A}}\nstage: {column: S, values: {}}\n")
    result = cli("import", str(FEDERAL), "--mapping", str(tmp_path / "m.yaml"))
    assert result.code == 1 and "key" in result.stderr and "fields.business_unit" in result.stderr
    unknown = cli("import", str(FEDERAL), "--mapping", "federal-1999")
    assert unknown.code == 1 and "shipped: federal-2024" in unknown.stderr
