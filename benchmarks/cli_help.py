"""`pilotgate --help` wall time against `python -c "import typer"`, measured in the same run."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 25
BIN = Path(sys.executable).parent


def wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    baseline_cmd = [sys.executable, "-c", "import typer"]
    help_cmd = [str(BIN / "pilotgate"), "--help"]
    for command in (baseline_cmd, help_cmd):  # warm the file cache and bytecode
        wall(command)
    baseline, measured = [], []
    for _ in range(RUNS):  # interleaved so that machine noise hits both alike
        baseline.append(wall(baseline_cmd))
        measured.append(wall(help_cmd))
    base, help_time = statistics.median(baseline), statistics.median(measured)
    print(f"python -c 'import typer': median {base * 1000:.1f} ms over {RUNS} runs")
    print(f"pilotgate --help:         median {help_time * 1000:.1f} ms over {RUNS} runs")
    print(f"ratio: {help_time / base:.2f}x (target at most 1.30x)")


if __name__ == "__main__":
    main()
