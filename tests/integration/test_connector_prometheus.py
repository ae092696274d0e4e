"""The Prometheus connector against a real Prometheus scraping an exporter in this test process."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from prometheus_client import CollectorRegistry, Gauge

from pilotgate.errors import InvalidInput
from pilotgate.evidence.connectors import connector_class
from pilotgate.evidence.connectors.base import ConnectorError
from pilotgate.evidence.connectors.prometheus import PrometheusConnector, query_step
from tests.prometheus_server import free_port, prometheus_scraping

UPTIME = 99.25
LATENCY_MS = 123.5


@dataclass(frozen=True)
class PrometheusServer:
    url: str


def exporter_registry() -> CollectorRegistry:
    """A few pilot metrics, served from this process."""
    registry = CollectorRegistry()
    Gauge("pilot_uptime_percent", "Uptime", registry=registry).set(UPTIME)
    Gauge("pilot_latency_ms", "Latency", registry=registry).set(LATENCY_MS)
    Gauge("pilot_broken", "Always NaN", registry=registry).set(float("nan"))
    requests = Gauge("pilot_requests", "Requests per route", ["route"], registry=registry)
    requests.labels(route="/a").set(1)
    requests.labels(route="/b").set(2)
    return registry


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrometheusServer]:
    home = tmp_path_factory.mktemp("prometheus")
    with prometheus_scraping(exporter_registry(), home, probe="pilot_uptime_percent") as url:
        yield PrometheusServer(url)


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
