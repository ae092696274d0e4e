"""Importing 1,000,000 metric points from CSV into SQLite with `pilotgate metrics import`.

Targets, all measured in this one run on the same CSV file:

* at least 50% of the points per second of a plain ``sqlite3.executemany`` upsert of the same
  rows (read with the csv module) into a table with the same unique key — the practical limit;
* at least 40× the points per second of MLflow's ``log_batch`` (1,000 metrics a call) into its
  own SQLite store, on the first ``--mlflow-points`` of the same points;
* the import's peak memory (max RSS of the CLI process) under 300 MB.

The pilotgate figure is the wall time of the real CLI as a subprocess against a fresh
PILOTGATE_HOME (start-up, parsing, validation, upsert, commit). Setup (use cases and metric
definitions) is done by bulk insert and not timed. MLflow is timed on its ``log_batch`` calls
only: reading the CSV and building its Metric objects are left out, in its favour.
"""

from __future__ import annotations

import argparse
import csv
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _evidence_data as data

PILOTGATE = Path(sys.executable).parent / "pilotgate"
MAX_RSS_MB = 300


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def sqlite_baseline(csv_path: Path, db_path: Path) -> tuple[int, float]:
    """Plain executemany upsert of the CSV rows in one transaction, with pilotgate's pragmas."""
    connection = sqlite3.connect(db_path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute(
        "CREATE TABLE points (use_case TEXT NOT NULL, metric TEXT NOT NULL, timestamp TEXT NOT NULL, "
        "value REAL NOT NULL, cohort TEXT NOT NULL, PRIMARY KEY (use_case, metric, timestamp, cohort))"
    )
    start = time.perf_counter()
    with csv_path.open(newline="", encoding="utf-8") as stream:
        reader = csv.reader(stream)
        next(reader)
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(
            "INSERT INTO points VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (use_case, metric, timestamp, cohort) DO UPDATE SET value = excluded.value",
            ((u, m, t, float(v), c) for u, m, t, v, c in reader),
        )
        connection.execute("COMMIT")
    elapsed = time.perf_counter() - start
    (count,) = connection.execute("SELECT count(*) FROM points").fetchone()
    connection.close()
    return count, elapsed


def pilotgate_import(csv_path: Path, home: Path) -> tuple[int, float, float, str]:
    """(points stored, wall seconds, peak RSS in MB, the CLI's output) of `pilotgate metrics import`."""
    env = {**os.environ, "PILOTGATE_HOME": str(home)}
    env.pop("PILOTGATE_DATABASE_URL", None)
    env.pop("PILOTGATE_SERVER", None)
    start = time.perf_counter()
    process = subprocess.Popen(
        [str(PILOTGATE), "metrics", "import", str(csv_path), "--as", data.ACTOR],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert process.stdout is not None
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"pilotgate metrics import failed ({process.returncode}):\n{output}")
    connection = sqlite3.connect(home / "pilotgate.db")
    (count,) = connection.execute("SELECT count(*) FROM metric_points").fetchone()
    connection.close()
    return count, elapsed, usage.ru_maxrss / 1024, output.strip()


def mlflow_log_batch(csv_path: Path, points: int, directory: Path) -> tuple[int, float]:
    """One run, a metric key per series (use case/metric[/cohort]), 1,000 metrics per log_batch."""
    import logging

    from mlflow import MlflowClient
    from mlflow.entities import Metric

    from pilotgate.evidence.rules import parse_timestamp_ms

    logging.getLogger("mlflow").setLevel(logging.WARNING)
    client = MlflowClient(tracking_uri=f"sqlite:///{directory / 'mlflow.db'}")
    run_id = client.create_run(client.create_experiment("pilotgate-benchmark")).info.run_id
    metrics = []
    with csv_path.open(newline="", encoding="utf-8") as stream:
        reader = csv.reader(stream)
        next(reader)
        for use_case, metric, timestamp, value, cohort in reader:
            key = f"{use_case}/{metric}/{cohort}" if cohort else f"{use_case}/{metric}"
            metrics.append(Metric(key, float(value), parse_timestamp_ms(timestamp), 0))
            if len(metrics) == points:
                break
    start = time.perf_counter()
    for at in range(0, len(metrics), 1000):
        client.log_batch(run_id, metrics=metrics[at : at + 1000])
    elapsed = time.perf_counter() - start
    return len(metrics), elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000, help="points in the CSV (default 1,000,000)")
    parser.add_argument("--mlflow-points", type=int, default=100_000, help="points MLflow logs (default 100,000)")
    args = parser.parse_args()
    use_cases = data.use_cases_for(args.points)

    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        csv_path = root / "points.csv"
        start = time.perf_counter()
        data.write_csv(csv_path, args.points, data.now_ms())
        size_mb = csv_path.stat().st_size / 1e6
        print(f"wrote {args.points:,} points ({size_mb:.0f} MB) in {time.perf_counter() - start:.1f} s")

        home = root / "home"
        os.environ["PILOTGATE_HOME"] = str(home)
        os.environ.pop("PILOTGATE_DATABASE_URL", None)
        start = time.perf_counter()
        data.build_registry(use_cases)
        from pilotgate.db.engine import Database

        Database.dispose_all()
        print(
            f"set up {use_cases:,} use cases × {len(data.METRICS)} metric definitions "
            f"in {time.perf_counter() - start:.1f} s"
        )

        base_count, base_s = sqlite_baseline(csv_path, root / "baseline.db")
        count, pg_s, rss_mb, output = pilotgate_import(csv_path, home)
        ml_count, ml_s = mlflow_log_batch(csv_path, args.mlflow_points, root)

    base_rate, pg_rate, ml_rate = base_count / base_s, count / pg_s, ml_count / ml_s
    print(f"pilotgate metrics import:  {count:,} points in {pg_s:.2f} s = {pg_rate:,.0f} points/s  ({output})")
    print(f"sqlite3 executemany:       {base_count:,} points in {base_s:.2f} s = {base_rate:,.0f} points/s")
    print(f"MLflow log_batch (1,000):  {ml_count:,} points in {ml_s:.2f} s = {ml_rate:,.0f} points/s")
    print(f"pilotgate / executemany: {pg_rate / base_rate:.0%} (target ≥ 50%) {verdict(pg_rate >= 0.5 * base_rate)}")
    print(f"pilotgate / MLflow:      {pg_rate / ml_rate:.1f}× (target ≥ 40×) {verdict(pg_rate >= 40 * ml_rate)}")
    print(f"pilotgate peak RSS:      {rss_mb:.0f} MB (target < {MAX_RSS_MB} MB) {verdict(rss_mb < MAX_RSS_MB)}")
    if count != args.points or base_count != args.points:
        print(f"WARNING: expected {args.points:,} points, pilotgate stored {count:,}, sqlite3 {base_count:,}")


if __name__ == "__main__":
    main()
