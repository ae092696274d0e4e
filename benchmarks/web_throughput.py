"""Web throughput with 5,000 use cases on SQLite, against a bare FastAPI endpoint in the same run.

Loads the use-case list API (first page of 50) and the board page at 32 concurrent connections
on 127.0.0.1 for 10 s each, with `pilotgate serve --workers 2`, and a bare FastAPI endpoint
returning a constant under uvicorn with 2 workers. Prints req/s and p99 for each.
Target: the list API reaches at least 30% of the bare endpoint's throughput, p99 under 50 ms.
Needs `wrk` (Debian package wrk).
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).parent
BIN = Path(sys.executable).parent
DURATION, CONNECTIONS = os.environ.get("BENCH_DURATION", "10s"), 32


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer")


def wrk(url: str, header: str | None = None) -> tuple[float, float]:
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION}", "--latency", url]
    if header:
        command[1:1] = ["-H", header]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} failed responses")
    return rate, p99


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("this benchmark needs wrk: apt-get install wrk")
    with tempfile.TemporaryDirectory() as directory:
        os.environ["PILOTGATE_HOME"] = directory
        os.environ.pop("PILOTGATE_DATABASE_URL", None)
        os.environ["PILOTGATE_BENCH_USE_CASES"] = "5000"
        sys.path.insert(0, str(HERE))
        from gate_readiness import build

        from pilotgate.accounts import service as accounts
        from pilotgate.config import Settings
        from pilotgate.db.uow import UnitOfWork

        build(Path(directory))
        with UnitOfWork(Settings.from_env()) as uow:
            accounts.create_user(uow, email="bench@example.org", role="viewer", name="Bench", actor="bench")
            token = accounts.create_token(uow, email="bench@example.org", name="bench", actor="bench")[0]
            user = accounts.user_get_or_raise(uow, "bench@example.org")
            cookie = accounts.start_session(uow, user)[0]
        bare_port, app_port = free_port(), free_port()
        servers = [
            subprocess.Popen(
                [
                    str(BIN / "uvicorn"),
                    "bare_app:app",
                    "--port",
                    str(bare_port),
                    "--workers",
                    "2",
                    "--log-level",
                    "warning",
                ],
                cwd=HERE,
            ),
            subprocess.Popen(
                [str(BIN / "pilotgate"), "serve", "--port", str(app_port), "--workers", "2"], stdout=subprocess.DEVNULL
            ),
        ]
        try:
            bare, app = f"http://127.0.0.1:{bare_port}", f"http://127.0.0.1:{app_port}"
            wait_for(bare + "/constant")
            wait_for(app + "/login")
            results = {
                "bare FastAPI constant": wrk(bare + "/constant"),
                "GET /api/v1/use-cases (page 1 of 50)": wrk(
                    app + "/api/v1/use-cases?per_page=50", f"Authorization: Bearer {token}"
                ),
                "GET / (board page)": wrk(app + "/", f"Cookie: pilotgate_session={cookie}"),
            }
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=20)
    base = results["bare FastAPI constant"][0]
    print(f"5,000 use cases on SQLite; {CONNECTIONS} connections for {DURATION} each; 2 workers")
    for name, (rate, p99) in results.items():
        print(f"{name:40s} {rate:9.1f} req/s  p99 {p99:7.1f} ms  ({rate / base:5.1%} of bare)")
    rate, p99 = results["GET /api/v1/use-cases (page 1 of 50)"]
    print(f"target: list API >= 30% of bare and p99 < 50 ms -> {rate / base:.1%}, {p99:.1f} ms")


if __name__ == "__main__":
    main()
