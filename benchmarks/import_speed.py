"""Importing the 2,133-row 2024 federal AI inventory into a fresh SQLite database (target: under 5 s).

Times the whole `pilotgate import` path in-process — reading and decoding the Windows-1252 CSV,
mapping, parsing dates, writing use cases, stage history and audit events in one transaction —
and then a re-import of the same file (every row unchanged).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

FEDERAL = Path(__file__).resolve().parents[1] / "tests" / "data" / "federal-ai-inventory-2024.csv"


def run_import() -> dict[str, int]:
    from pilotgate.config import Settings
    from pilotgate.db.uow import UnitOfWork
    from pilotgate.policy import service as policies
    from pilotgate.portfolio import importer
    from pilotgate.portfolio.inventory import Transformer, read_rows
    from pilotgate.portfolio.mapping import load_mapping

    mapping = load_mapping("federal-2024")
    header, rows = read_rows(FEDERAL)
    summary = importer.Summary()
    with UnitOfWork(Settings.from_env()) as uow:
        policy = policies.parsed(policies.ensure_shipped(uow))
        transformer = Transformer(mapping, policy.stage_ids(), policy.risk_tiers, policy.default_risk_tier)
        transformer.check_header(header)
        stream = (transformer.transform(n, cells) for n, cells in rows)
        importer.apply(uow, stream, policy_name=None, actor="bench", summary=summary)
    return {"imported": summary.imported, "skipped": summary.skipped, "errors": len(summary.errors)}


def main() -> None:
    from pilotgate.db.engine import Database

    first, again = [], []
    for _ in range(3):
        with tempfile.TemporaryDirectory() as directory:
            os.environ["PILOTGATE_HOME"] = directory
            os.environ.pop("PILOTGATE_DATABASE_URL", None)
            from pilotgate.config import Settings

            Database.for_url(Settings.from_env().database_url).ensure_schema()
            start = time.perf_counter()
            result = run_import()
            first.append(time.perf_counter() - start)
            start = time.perf_counter()
            repeat = run_import()
            again.append(time.perf_counter() - start)
            Database.dispose_all()
    print(f"first import: {result}; median {statistics.median(first):.2f} s, best {min(first):.2f} s (target < 5 s)")
    print(f"re-import:    {repeat}; median {statistics.median(again):.2f} s, best {min(again):.2f} s")


if __name__ == "__main__":
    main()
