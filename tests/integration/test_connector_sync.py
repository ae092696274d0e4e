"""Connectors configured and pulled through the CLI, against a real Prometheus, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, Gauge

from pilotgate.evidence import service as evidence
from pilotgate.evidence import sync
from pilotgate.evidence.models import ConnectorConfigRow
from pilotgate.usecases import service as usecases
from tests.builders import cli, ok, uow, use_case
from tests.prometheus_server import free_port, prometheus_scraping

UPTIME, ERROR_RATE = 99.25, 0.5


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Prometheus scraping an exporter in this process every second; yields its URL."""
    registry = CollectorRegistry()
    Gauge("pilot_uptime_percent", "Uptime", registry=registry).set(UPTIME)
    Gauge("pilot_error_percent", "Error rate", registry=registry).set(ERROR_RATE)
    with prometheus_scraping(registry, tmp_path_factory.mktemp("prometheus"), probe="pilot_uptime_percent") as url:
        yield url


@pytest.fixture
def first_pull(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A new connector's first pull reaches back two minutes: one-second steps stay within Prometheus' limit."""
    monkeypatch.setattr(sync, "FIRST_PULL", timedelta(minutes=2))
    yield


QUERIES = {"uptime": "pilot_uptime_percent", "error_rate": "pilot_error_percent"}


def add(key: str, actor: str, url: str, queries: dict[str, str] | None = None) -> int:
    config = json.dumps({"url": url, "queries": queries or QUERIES, "step_seconds": 1})
    out = ok("connector", "add", key, "prometheus", "--config", config, "--as", actor)
    found = re.search(r"connector (\d+) \(prometheus\) added", out)
    assert found, out
    return int(found.group(1))


def points(key: str, metric: str) -> list[dict]:
    return json.loads(ok("metrics", "points", key, metric, "--json"))["points"]


def stored(key: str, metric: str) -> int:
    """How many points a series holds (`metrics points` shows at most 5,000)."""
    with uow(read_only=True) as unit:
        return len(evidence.points(unit, usecases.get_or_raise(unit, key), metric, limit=1_000_000))


def connectors() -> dict[int, dict]:
    return {c["id"]: c for c in json.loads(ok("connector", "list", "--json"))}


def owned_use_case() -> tuple[str, str]:
    """A use case and the person who configures its connectors."""
    key, people = use_case()
    return key, people["program_lead"]


def test_a_pull_stores_the_series_and_the_connector_lists_ok(home: Path, prometheus: str, first_pull: None) -> None:
    key, actor = owned_use_case()
    connector = add(key, actor, prometheus)
    defined = {i["key"] for i in json.loads(ok("metrics", "list", key, "--json"))["indicators"]}
    assert defined == {"uptime", "error_rate"}  # defined by `connector add`, before any pull
    assert connectors()[connector]["last_status"] == "never"

    [result] = json.loads(ok("connector", "pull", "--json"))

    assert (result["connector"], result["use_case"], result["status"]) == (connector, key, "ok")
    uptime, error_rate = points(key, "uptime"), points(key, "error_rate")
    assert len(uptime) >= 2 and len(error_rate) >= 2  # one a second since the first scrape
    assert result["points"] == len(uptime) + len(error_rate)
    assert {p["value"] for p in uptime} == {UPTIME} and {p["value"] for p in error_rate} == {ERROR_RATE}
    listed = connectors()[connector]
    assert (listed["last_status"], listed["last_error"]) == ("ok", "")
    assert listed["pulled_until"] is not None and listed["last_run_at"] is not None
    indicators = {i["key"]: i for i in json.loads(ok("metrics", "list", key, "--json"))["indicators"]}
    assert indicators["uptime"]["current"] == pytest.approx(UPTIME)
    assert indicators["uptime"]["points"] == len(uptime) and not indicators["uptime"]["stale"]


def test_pulling_the_same_window_again_adds_no_duplicates(home: Path, prometheus: str, first_pull: None) -> None:
    key, actor = owned_use_case()
    # Constant series (they need no scrape): every evaluation time of the window has its point.
    connector = add(key, actor, prometheus, {"uptime": "vector(99.9)", "error_rate": "vector(0.5)"})
    at = datetime.now(UTC).replace(microsecond=0)

    def pull() -> tuple[int, list[tuple[str, float]]]:
        with uow(clock=lambda: at) as unit:
            [result] = sync.pull_many(unit, actor=actor, connector_id=connector)
        assert result.status == "ok", result.message
        stored = [(p["timestamp"], p["value"]) for metric in QUERIES for p in points(key, metric)]
        return result.points, stored

    pulled, first = pull()
    assert pulled == len(first) == 2 * 121  # two minutes at one-second steps, both ends included
    assert pull()[1] == first  # from where the last pull got to: nothing new, nothing doubled

    with uow() as unit:  # forget the progress, as after a crash: the whole window is pulled again
        row = unit.session.get(ConnectorConfigRow, connector)
        assert row is not None
        row.pulled_until_ms = None
    again, stored = pull()
    assert again == pulled and stored == first


def test_a_dead_prometheus_fails_its_connector_while_the_others_pull(
    home: Path, prometheus: str, first_pull: None
) -> None:
    dead_key, dead_actor = owned_use_case()
    dead_url = f"http://127.0.0.1:{free_port()}"
    dead = add(dead_key, dead_actor, dead_url)
    live_key, live_actor = owned_use_case()
    live = add(live_key, live_actor, prometheus)

    result = cli("connector", "pull", "--json")

    assert result.code == 1
    by_id = {r["connector"]: r for r in json.loads(result.stdout)}
    assert by_id[dead]["status"] == "failed" and by_id[dead]["points"] == 0
    assert by_id[dead]["message"].startswith(f"cannot reach Prometheus at {dead_url}")
    assert by_id[live]["status"] == "ok" and by_id[live]["points"] > 0
    listed = connectors()
    assert listed[dead]["last_status"] == "failed" and listed[dead]["pulled_until"] is None
    assert f"cannot reach Prometheus at {dead_url}" in listed[dead]["last_error"]
    assert listed[live]["last_status"] == "ok"
    assert points(dead_key, "uptime") == [] and len(points(live_key, "uptime")) > 0

    table = cli("connector", "pull", str(dead))
    assert table.code == 1 and "failed" in table.stdout and "Traceback" not in table.output


def test_a_rejected_batch_keeps_none_of_its_points(
    home: Path, prometheus: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Three hours at one-second steps: 10,801 points per query, so more than one ingestion chunk
    # (20,000 rows) is written before the first bad row; only the savepoint can take them back.
    monkeypatch.setattr(sync, "FIRST_PULL", timedelta(hours=3))
    bad_key, bad_actor = owned_use_case()
    queries = {"error_rate": "vector(0.5)", "latency_ms": "vector(120)", "uptime": "vector(150)"}
    bad = add(bad_key, bad_actor, prometheus, queries)
    good_key, good_actor = owned_use_case()
    good = add(good_key, good_actor, prometheus, {"latency_ms": "vector(120)"})

    result = cli("connector", "pull", "--json")

    assert result.code == 1
    by_id = {r["connector"]: r for r in json.loads(result.stdout)}
    assert by_id[bad]["status"] == "failed" and by_id[bad]["points"] == 0
    message = by_id[bad]["message"]
    assert "invalid row(s), nothing was imported" in message
    first_bad = re.search(r"row (\d+): percentage 150 is out of range \(0–100\)", message)
    assert first_bad and int(first_bad.group(1)) > 20_000
    assert [stored(bad_key, metric) for metric in queries] == [0, 0, 0]
    assert connectors()[bad]["pulled_until"] is None  # the next pull tries the same window again
    assert by_id[good]["status"] == "ok" and by_id[good]["points"] > 10_000
    assert stored(good_key, "latency_ms") == by_id[good]["points"]
