"""A real Prometheus for tests: Debian's `prometheus` binary, started on a free port, scraping an
exporter served from the test process every second."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry, start_http_server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for(condition: str, check: Callable[[], bool], log: Path, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"Prometheus: {condition} not within {seconds}s; its log:\n{log.read_text()[-2000:]}")


@contextmanager
def prometheus_scraping(registry: CollectorRegistry, home: Path, *, probe: str) -> Iterator[str]:
    """The URL of a Prometheus that has scraped `registry` at least three times (`probe` names one
    of its metrics); the server and the exporter stop when the block ends."""
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.fail("the prometheus binary is missing: run scripts/install-system-deps")
    exporter, _thread = start_http_server(0, addr="127.0.0.1", registry=registry)
    config = home / "prometheus.yml"
    config.write_text(
        "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: pilot\n    static_configs:\n"
        f"      - targets: ['127.0.0.1:{exporter.server_port}']\n"
    )
    port, log = free_port(), home / "prometheus.log"
    url = f"http://127.0.0.1:{port}"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={home / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for("ready", lambda: httpx.get(f"{url}/-/ready").status_code == 200, log)
        query = {"query": f"count_over_time({probe}[1m])"}

        def scraped_three_times() -> bool:
            result = httpx.get(f"{url}/api/v1/query", params=query).json()["data"]["result"]
            return bool(result) and float(result[0]["value"][1]) >= 3

        wait_for("three scrapes of the exporter", scraped_three_times, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        exporter.shutdown()
        exporter.server_close()
