"""The Prometheus connector against a real Prometheus scraping an exporter in this test process."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from wsgiref.simple_server import WSGIServer

import httpx
import pytest
from prometheus_client import CollectorRegistry, Gauge, start_http_server

from pilotgate.errors import InvalidInput
from pilotgate.evidence.connectors import connector_class
from pilotgate.evidence.connectors.base import ConnectorError
from pilotgate.evidence.connectors.prometheus import PrometheusConnector, query_step

UPTIME = 99.25
LATENCY_MS = 123.5


@dataclass(frozen=True)
class PrometheusServer:
    url: str


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def exporter() -> WSGIServer:
    """Serve a few pilot metrics from this process."""
    registry = CollectorRegistry()
    Gauge("pilot_uptime_percent", "Uptime", registry=registry).set(UPTIME)
    Gauge("pilot_latency_ms", "Latency", registry=registry).set(LATENCY_MS)
    Gauge("pilot_broken", "Always NaN", registry=registry).set(float("nan"))
    requests = Gauge("pilot_requests", "Requests per route", ["route"], registry=registry)
    requests.labels(route="/a").set(1)
    requests.labels(route="/b").set(2)
    server, _thread = start_http_server(0, addr="127.0.0.1", registry=registry)
    return server


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


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrometheusServer]:
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.fail("the prometheus binary is missing: run scripts/install-system-deps")
    home, metrics = tmp_path_factory.mktemp("prometheus"), exporter()
    config = home / "prometheus.yml"
    config.write_text(
        "global:\n  scrape_interval: 1s\n"
        "scrape_configs:\n  - job_name: pilot\n    static_configs:\n"
        f"      - targets: ['127.0.0.1:{metrics.server_port}']\n"
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
        query = {"query": "count_over_time(pilot_uptime_percent[1m])"}

        def scraped_three_times() -> bool:
            result = httpx.get(f"{url}/api/v1/query", params=query).json()["data"]["result"]
            return bool(result) and float(result[0]["value"][1]) >= 3

        wait_for("three scrapes of the exporter", scraped_three_times, log)
        yield PrometheusServer(url)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        metrics.shutdown()
        metrics.server_close()


def connector(url: str, **config: object) -> PrometheusConnector:
    raw: dict[str, object] = {"url": url, "queries": {"uptime": "pilot_uptime_percent"}, **config}
    built = PrometheusConnector.from_config(raw)
    assert isinstance(built, PrometheusConnector)
    return built


def last_minute() -> tuple[datetime, datetime]:
    until = datetime.now(UTC)
    return until - timedelta(minutes=1), until


def test_pull_returns_the_exporters_values_in_the_window(prometheus: PrometheusServer) -> None:
    queries = {"uptime": "pilot_uptime_percent", "latency_ms": "pilot_latency_ms"}
    since, until = last_minute()

    points = connector(prometheus.url, queries=queries, step_seconds=1, cohort="eu").pull(since=since, until=until)

    by_metric = {key: [p for p in points if p.metric == key] for key in queries}
    assert len(by_metric["uptime"]) >= 2
    assert {p.value for p in by_metric["uptime"]} == {UPTIME}
    assert {p.value for p in by_metric["latency_ms"]} == {LATENCY_MS}
    for point in points:
        assert point.ts.tzinfo is UTC
        assert since <= point.ts <= until
        assert point.cohort == "eu"


def test_a_window_too_long_for_the_step_widens_the_step(prometheus: PrometheusServer) -> None:
    until = datetime.now(UTC)
    since = until - timedelta(days=30)

    # With one-second steps Prometheus itself would refuse this window (more than 11,000 points).
    points = connector(prometheus.url, step_seconds=1).pull(since=since, until=until)

    assert {p.value for p in points} <= {UPTIME}
    assert query_step(1, since, until) == 236  # 30 days / 11,000 points, rounded up
    assert query_step(600, since, until) == 600


def test_a_series_of_nan_yields_no_points(prometheus: PrometheusServer) -> None:
    since, until = last_minute()
    pulled = connector(prometheus.url, queries={"broken": "pilot_broken", "none": "absent_metric_name"}, step_seconds=1)

    assert pulled.pull(since=since, until=until) == []


def test_several_series_must_be_aggregated(prometheus: PrometheusServer) -> None:
    since, until = last_minute()
    several = connector(prometheus.url, queries={"requests": "pilot_requests"})

    with pytest.raises(ConnectorError, match=r"'requests' returned 2 series.*aggregate it, e\.g\. avg\("):
        several.pull(since=since, until=until)
    summed = connector(prometheus.url, queries={"requests": "sum(pilot_requests)"}, step_seconds=1)
    assert {p.value for p in summed.pull(since=since, until=until)} == {3.0}


def test_bad_promql_reports_prometheus_parse_error(prometheus: PrometheusServer) -> None:
    since, until = last_minute()
    bad = connector(prometheus.url, queries={"uptime": "sum(pilot_uptime_percent"})

    with pytest.raises(ConnectorError, match=r"refused the query for 'uptime': bad_data: .*parse error") as raised:
        bad.pull(since=since, until=until)
    assert "\n" not in str(raised.value)


def test_unreachable_prometheus_names_the_url() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    since, until = last_minute()

    with pytest.raises(ConnectorError, match=f"cannot reach Prometheus at {url}"):
        connector(url).pull(since=since, until=until)


def test_a_silent_server_times_out() -> None:
    with socket.socket() as silent:  # accepts connections (the kernel does) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        since, until = last_minute()

        with pytest.raises(ConnectorError, match=f"Prometheus at {url} did not answer within 0.3s"):
            connector(url, timeout_seconds=0.3).pull(since=since, until=until)


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ({"url": "http://prometheus:9090"}, r"queries: Field required"),
        ({"url": "http://prometheus:9090", "queries": {}}, r"queries: .*at least 1"),
        ({"url": "ftp://prometheus:9090", "queries": {"uptime": "up"}}, r"url: .*not an http\(s\) URL"),
        ({"url": "http://prometheus:9090", "queries": {"Uptime%": "up"}}, r"metric key 'Uptime%'"),
        ({"url": "http://prometheus:9090", "queries": {"uptime": " "}}, r"expression for 'uptime' is empty"),
        ({"url": "http://prometheus:9090", "queries": {"uptime": "up"}, "step_seconds": 0}, r"step_seconds"),
        ({"url": "http://prometheus:9090", "queries": {"uptime": "up"}, "job": "x"}, r"job: Extra inputs"),
    ],
)
def test_bad_config_is_invalid_input(raw: dict[str, object], why: str) -> None:
    with pytest.raises(InvalidInput, match=f"prometheus connector: .*{why}"):
        PrometheusConnector.from_config(raw)


def test_the_registry_knows_the_connector_and_its_keys() -> None:
    assert connector_class("prometheus") is PrometheusConnector
    built = connector("http://prometheus:9090/", queries={"uptime": "up", "latency_ms": "x"})
    assert built.metric_keys() == ["uptime", "latency_ms"]
    assert built.config.url == "http://prometheus:9090"
