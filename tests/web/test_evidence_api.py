"""The evidence API through the real app on a real database: metric points in (JSON and CSV, all
or none, resending replaces), indicators and SLOs out; then the Python client and the remote CLI
against a real server.

Who may call these routes is tests/web/test_authz_matrix.py. The in-process tests run on SQLite
and on PostgreSQL; the live-server tests on SQLite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from pilotgate.accounts import service as accounts
from pilotgate.client import Remote
from pilotgate.errors import Forbidden, InvalidInput
from tests.web.conftest import LiveServer, Portfolio
from tests.web.test_api import ok, problem

API = "/api/v1"
PROBLEM = "application/problem+json"
CSV = {"content-type": "text/csv"}
BIN = Path(sys.executable).parent / "pilotgate"


@pytest.fixture(autouse=True)
def fast_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """Still argon2id, with its cheapest parameters: the portfolio sets seven passwords per test."""
    monkeypatch.setattr(accounts, "hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def lead(app: object, portfolio: Portfolio) -> Iterator[TestClient]:
    with portfolio.client(app, "lead") as client:
        yield client


def iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def hours_ago(hours: float) -> datetime:
    return datetime.now(UTC) - timedelta(hours=hours)


def define(client: TestClient, key: str, metric: str, **fields: Any) -> dict[str, Any]:
    definition: dict[str, Any] = ok(client.post(f"{API}/use-cases/{key}/metrics", json={"key": metric, **fields}), 201)
    return definition


def stored(client: TestClient, key: str, metric: str) -> list[tuple[str, str, float, str]]:
    """(timestamp, cohort, value, segment) of every point of a series, oldest first."""
    series = ok(client.get(f"{API}/use-cases/{key}/metrics/{metric}/points"))
    return [(p["timestamp"], p["cohort"], p["value"], p["segment"]) for p in series["points"]]


def audit_head(client: TestClient) -> int:
    events = ok(client.get(f"{API}/audit", params={"limit": 1}))
    return int(events[-1]["seq"]) if events else 0


# ---------------------------------------------------------------- importing points


def test_points_are_imported_as_json_or_csv_and_resending_replaces(lead: TestClient, portfolio: Portfolio) -> None:
    key = portfolio.key
    define(lead, key, "uptime")
    define(lead, key, "active_users")
    points = [
        {"use_case": key, "metric": "uptime", "timestamp": "2026-01-05T00:00:00Z", "value": 99.2},
        {"use_case": key.lower(), "metric": "uptime", "timestamp": "2026-01-06T00:00:00+00:00", "value": "99.6"},
        {"use_case": key, "metric": "active_users", "timestamp": "2026-01-06", "value": 40, "cohort": "pilot"},
    ]
    assert ok(lead.post(f"{API}/metrics/points", json={"points": points})) == {
        "points": 3,
        "metrics": 2,
        "use_cases": 1,
    }
    assert stored(lead, key, "uptime") == [
        ("2026-01-05T00:00:00.000Z", "", 99.2, ""),
        ("2026-01-06T00:00:00.000Z", "", 99.6, ""),
    ]
    assert stored(lead, key, "active_users") == [("2026-01-06T00:00:00.000Z", "pilot", 40.0, "")]

    # The same (use case, metric, timestamp, cohort) is the same point: sending it again replaces it.
    csv = (
        "\ufeffuse_case,metric,timestamp,value,cohort,segment\n"  # a byte-order mark, as spreadsheets write it
        f"{key},uptime,2026-01-06T00:00:00Z,98.1,,\n"
        f"{key},uptime,2026-01-07T00:00:00Z,99.9,,emea\n"
        f"{key},active_users,2026-01-06T00:00:00Z,55,pilot,\n"
        f"{key},active_users,2026-01-06T00:00:00Z,700,full,\n"
    )
    answer = ok(lead.post(f"{API}/metrics/points", content=csv.encode(), headers=CSV))
    assert answer == {"points": 4, "metrics": 2, "use_cases": 1}
    assert stored(lead, key, "uptime") == [
        ("2026-01-05T00:00:00.000Z", "", 99.2, ""),
        ("2026-01-06T00:00:00.000Z", "", 98.1, ""),
        ("2026-01-07T00:00:00.000Z", "", 99.9, "emea"),
    ]
    assert sorted(stored(lead, key, "active_users")) == [
        ("2026-01-06T00:00:00.000Z", "full", 700.0, ""),
        ("2026-01-06T00:00:00.000Z", "pilot", 55.0, ""),
    ]
    again = ok(
        lead.post(f"{API}/metrics/points", content=csv.encode(), headers={"content-type": "text/csv; charset=utf-8"})
    )
    assert again == answer and len(stored(lead, key, "uptime")) == 3
    since = ok(lead.get(f"{API}/use-cases/{key}/metrics/uptime/points", params={"since": "2026-01-06T00:00:00Z"}))
    assert [p["value"] for p in since["points"]] == [98.1, 99.9]
    problem(lead.get(f"{API}/use-cases/{key}/metrics/uptime/points", params={"since": "soon"}), 422, "ISO-8601")
    problem(lead.get(f"{API}/use-cases/{key}/metrics/latency_ms/points"), 404, "pilotgate metrics define")


def test_a_bad_row_refuses_the_whole_batch_and_names_the_row(lead: TestClient, portfolio: Portfolio) -> None:
    key = portfolio.key
    define(lead, key, "uptime")
    before = audit_head(lead)
    points = [
        {"use_case": key, "metric": "uptime", "timestamp": "2026-01-05T00:00:00Z", "value": 99.2},
        {"use_case": key, "metric": "uptime", "timestamp": "yesterday", "value": 99.2},
        {"use_case": key, "metric": "uptime", "timestamp": "2026-01-06T00:00:00Z", "value": 101},
        {"use_case": "UC-9999", "metric": "uptime", "timestamp": "2026-01-06T00:00:00Z", "value": 1},
        {"use_case": key, "metric": "revenue", "timestamp": "2026-01-06T00:00:00Z", "value": 1},
        {"use_case": key, "metric": "uptime", "timestamp": "2026-01-06T00:00:00Z", "value": True},
        "not a point",
    ]
    refused = problem(
        lead.post(f"{API}/metrics/points", json={"points": points}),
        422,
        "6 invalid row(s), nothing was imported",
        "row 2: timestamp 'yesterday' is not ISO-8601",
        "row 3: percentage 101 is out of range",
        "row 4: unknown use case 'UC-9999'",
        "row 5: UC-0001 has no metric 'revenue'",
        "row 6: value True is not a number",
        "row 7: is not an object",
    )
    assert "row 1" not in refused["detail"]

    # CSV rows are numbered as a spreadsheet shows them: the header is row 1.
    csv = f"use_case,metric,timestamp,value\n{key},uptime,2026-01-05T00:00:00Z,99\n{key},uptime,2026-01-06,n/a\n"
    problem(lead.post(f"{API}/metrics/points", content=csv, headers=CSV), 422, "row 3: value 'n/a' is not a number")
    short = f"use_case,metric,timestamp,value\n{key},uptime,2026-01-05T00:00:00Z\n"
    problem(
        lead.post(f"{API}/metrics/points", content=short, headers=CSV), 422, "row 2: has 3 fields, the header has 4"
    )

    # Past the first written chunk (20,000 rows) too: the rows already written are rolled back.
    start = datetime(2025, 1, 1, tzinfo=UTC)
    rows = [f"{key},uptime,{iso(start + timedelta(minutes=n))},99.5" for n in range(20_500)]
    rows.append(f"{key},uptime,2026-01-01T00:00:00Z,-1")
    big = "use_case,metric,timestamp,value\n" + "\n".join(rows) + "\n"
    problem(lead.post(f"{API}/metrics/points", content=big, headers=CSV), 422, "row 20502: percentage -1 is out")

    assert stored(lead, key, "uptime") == []
    assert audit_head(lead) == before


def test_the_body_must_be_json_points_or_csv(lead: TestClient, portfolio: Portfolio) -> None:
    url = f"{API}/metrics/points"
    for content_type in ("text/plain", "application/x-www-form-urlencoded", ""):
        wrong = problem(lead.post(url, content=b"use_case,metric", headers={"content-type": content_type}), 422)
        assert wrong["errors"][0]["field"] == "content-type"
        assert 'send application/json ({"points": [...]}) or text/csv' in wrong["detail"]
    problem(lead.post(url, content=b'{"points": [', headers={"content-type": "application/json"}), 422, "not JSON")
    problem(lead.post(url, content=b"\xff\xfe", headers={"content-type": "application/json"}), 422, "not JSON")
    for body in ([], {"points": {"use_case": "UC-0001"}}, {"rows": []}):
        problem(lead.post(url, json=body), 422, 'send an object {"points"')
    problem(lead.post(url, content=b"", headers=CSV), 422, "the file is empty")
    problem(
        lead.post(url, content=b"use_case,metric,when,value\n", headers=CSV), 422, "row 1: missing column(s) timestamp"
    )
    latin1 = "use_case,metric,timestamp,value,segment\nUC-0001,uptime,2026-01-05,99,Zürich\n".encode("latin-1")
    problem(lead.post(url, content=latin1, headers=CSV), 422, "codec can't decode")
    late = b"use_case,metric,timestamp,value\n" + b"UC-0001,uptime,2026-01-05,99\n" * 2000 + b"\xff\n"
    problem(lead.post(url, content=late, headers=CSV), 422, "is it a UTF-8 CSV file?")
    assert ok(lead.post(url, json={"points": []})) == {"points": 0, "metrics": 0, "use_cases": 0}


def test_a_csv_of_several_megabytes_streams_through(lead: TestClient, portfolio: Portfolio) -> None:
    key = portfolio.key
    define(lead, key, "latency_ms")
    define(lead, key, "error_rate")
    start = datetime(2025, 1, 1, tzinfo=UTC)
    lines = ["use_case,metric,timestamp,value,cohort,segment"]
    for n in range(100_000):
        moment = iso(start + timedelta(minutes=n))
        lines.append(f"{key},latency_ms,{moment},{200 + n % 500},canary,eu-west-1")
        lines.append(f"{key},error_rate,{moment},{(n % 100) / 100},canary,eu-west-1")
    body = ("\n".join(lines) + "\n").encode()
    assert len(body) > 8 * 1024 * 1024  # past the in-memory spool: the upload goes through a file on disk
    chunks = iter([body[i : i + 65536] for i in range(0, len(body), 65536)])  # no Content-Length: streamed
    answer = ok(lead.post(f"{API}/metrics/points", content=chunks, headers=CSV))
    assert answer == {"points": 200_000, "metrics": 2, "use_cases": 1}
    counted = ok(lead.get(f"{API}/use-cases/{key}/indicators", params={"window": "5000d"}))["indicators"]
    assert {i["key"]: i["points"] for i in counted} == {"error_rate": 100_000, "latency_ms": 100_000}
    newest = ok(lead.get(f"{API}/use-cases/{key}/metrics/latency_ms/points", params={"limit": 2}))["points"]
    assert [p["value"] for p in newest] == [200 + 99_998 % 500, 200 + 99_999 % 500]  # the newest, oldest first
    assert newest[-1] == {
        "timestamp": iso(start + timedelta(minutes=99_999)).replace("Z", ".000Z"),
        "cohort": "canary",
        "value": 200 + 99_999 % 500,
        "segment": "eu-west-1",
    }


# ---------------------------------------------------------------- indicators and SLOs


def test_indicators_show_value_trend_progress_and_staleness(lead: TestClient, portfolio: Portfolio) -> None:
    key = portfolio.key
    uptime = define(lead, key, "uptime", baseline=98, target=99.9)
    assert (uptime["kind"], uptime["indicator"], uptime["direction"], uptime["cadence"]) == (
        "sla",
        "leading",
        "higher",
        "1d",
    )
    define(lead, key, "error_rate")
    revenue = define(lead, key, "revenue", baseline=1000, target=2000)
    assert (revenue["indicator"], revenue["cadence"]) == ("lagging", "30d")
    define(lead, key, "tickets_closed", kind="leading", cadence="none", unit="tickets")
    newest = hours_ago(1).replace(microsecond=0)
    points = [
        ("uptime", hours_ago(2), 99.5),
        ("uptime", newest, 99.0),
        ("error_rate", hours_ago(72), 0.5),  # daily cadence, three days without a point: stale
        ("revenue", hours_ago(240), 1500),
    ]
    body = [{"use_case": key, "metric": m, "timestamp": iso(t), "value": v} for m, t, v in points]
    ok(lead.post(f"{API}/metrics/points", json={"points": body}))

    def indicators(**params: str) -> dict[str, dict[str, Any]]:
        out = ok(lead.get(f"{API}/use-cases/{key}/indicators", params=params))
        assert out["use_case"] == key and out["slo"]["uptime_pct"] == 99.5
        return {i["key"]: i for i in out["indicators"]}

    found = indicators()
    assert list(found) == ["error_rate", "revenue", "tickets_closed", "uptime"]
    up = found["uptime"]
    assert (up["window"], up["current"], up["points"], up["latest"]) == ("30d", 99.25, 2, 99.0)
    assert up["trend_vs_baseline"] == pytest.approx((99.25 - 98) / 98)
    assert up["progress_to_target"] == pytest.approx(1.25 / 1.9)
    assert up["last_point_at"] == newest.isoformat() and up["stale"] is False
    assert found["error_rate"]["stale"] is True and found["error_rate"]["current"] == 0.5
    assert found["error_rate"]["trend_vs_baseline"] is None  # no baseline
    assert found["revenue"]["current"] == 1500 and found["revenue"]["progress_to_target"] == 0.5
    assert found["tickets_closed"]["points"] == 0 and found["tickets_closed"]["stale"] is False

    week = indicators(window="7d")
    assert week["revenue"]["current"] is None and week["revenue"]["points"] == 0
    assert week["revenue"]["latest"] == 1500  # the newest point, whatever the window
    assert week["uptime"]["window"] == "7d" and week["uptime"]["current"] == 99.25
    problem(lead.get(f"{API}/use-cases/{key}/indicators", params={"window": "2 weeks"}), 422, "is not a duration")
    problem(lead.get(f"{API}/use-cases/UC-9999/indicators"), 404)


def test_metric_definitions_are_validated_and_edited(lead: TestClient, portfolio: Portfolio) -> None:
    key = portfolio.key
    problem(lead.post(f"{API}/use-cases/{key}/metrics", json={"key": "conversions"}), 422, "not a standard metric")
    problem(
        lead.post(f"{API}/use-cases/{key}/metrics", json={"key": "Bad Key!", "kind": "leading"}),
        422,
        "not a metric key",
    )
    problem(lead.post(f"{API}/use-cases/{key}/metrics", json={"key": "uptime", "cadence": "often"}), 422, "cadence")
    problem(lead.post(f"{API}/use-cases/{key}/metrics", json={"key": "uptime", "kind": "vibes"}), 422, "kind")
    problem(lead.post(f"{API}/use-cases/{key}/metrics", json={"key": "uptime", "baseline": 120}), 422, "out of range")
    define(lead, key, "uptime")
    problem(lead.post(f"{API}/use-cases/{key}/metrics", json={"key": "uptime"}), 409, "already defines")
    conversion = define(lead, key, "conversion", kind="lagging", unit="ratio", direction="higher", cadence="7d")
    assert conversion == {
        "key": "conversion",
        "name": "conversion",
        "unit": "ratio",
        "kind": "lagging",
        "indicator": "lagging",
        "direction": "higher",
        "baseline": None,
        "target": None,
        "cadence": "1w",
    }
    edited = ok(lead.patch(f"{API}/use-cases/{key}/metrics/conversion", json={"target": 0.4, "name": "Conversion"}))
    assert edited["target"] == 0.4 and edited["name"] == "Conversion" and edited["unit"] == "ratio"
    problem(lead.patch(f"{API}/use-cases/{key}/metrics/conversion", json={"target": 4}), 422, "ratio 4 is out of range")
    problem(lead.patch(f"{API}/use-cases/{key}/metrics/conversion", json={"key": "renamed"}), 422)
    problem(lead.patch(f"{API}/use-cases/{key}/metrics/nope", json={"target": 1}), 404)
    listed = ok(lead.get(f"{API}/use-cases/{key}/metrics"))
    assert [m["key"] for m in listed] == ["conversion", "uptime"]


def test_the_slo_is_read_set_validated_and_reset(lead: TestClient, portfolio: Portfolio) -> None:
    url = f"{API}/use-cases/{portfolio.key}/slo"
    default = "policy pilotgate-default default"
    assert ok(lead.get(url)) == {
        "uptime_pct": 99.5,
        "latency_p95_ms": 1000.0,
        "error_rate_pct": 1.0,
        "sources": {"uptime_pct": default, "latency_p95_ms": default, "error_rate_pct": default},
    }
    own = ok(lead.put(url, json={"uptime_pct": 99.9, "latency_p95_ms": 400}))
    assert (own["uptime_pct"], own["latency_p95_ms"], own["error_rate_pct"]) == (99.9, 400.0, 1.0)
    assert own["sources"] == {
        "uptime_pct": "this use case's SLO",
        "latency_p95_ms": "this use case's SLO",
        "error_rate_pct": default,
    }
    assert ok(lead.get(url)) == own
    before = audit_head(lead)
    problem(lead.put(url, json={"uptime_pct": 150}), 422, "uptime: 150 is not a percentage")
    problem(lead.put(url, json={"uptime_pct": 0}), 422, "uptime")
    problem(lead.put(url, json={"error_rate_pct": -1}), 422, "error-rate")
    problem(lead.put(url, json={"latency_p95_ms": 0}), 422, "latency-ms: must be more than zero")
    problem(lead.put(url, json={"latency_p95_ms": "fast"}), 422, "latency_p95_ms")
    problem(lead.put(url, json={"reset": ["availability"]}), 422, "reset")
    problem(lead.put(url, json={"throughput": 10}), 422, "throughput")
    problem(lead.put(f"{API}/use-cases/UC-9999/slo", json={"uptime_pct": 99}), 404)
    assert audit_head(lead) == before and ok(lead.get(url)) == own
    reset = ok(lead.put(url, json={"reset": ["uptime_pct"]}))
    assert (reset["uptime_pct"], reset["latency_p95_ms"]) == (99.5, 400.0) and reset["sources"]["uptime_pct"] == default


# ---------------------------------------------------------------- the Python client and the remote CLI


def test_the_python_client_imports_a_csv_file_and_a_list(live_server: LiveServer, tmp_path: Path) -> None:
    key = live_server.portfolio.key
    client = Remote(live_server.url, live_server.portfolio.tokens["lead"])
    client.post(f"/use-cases/{key}/metrics", json={"key": "uptime"})
    client.post(f"/use-cases/{key}/metrics", json={"key": "active_users"})
    path = tmp_path / "points.csv"
    path.write_text(
        "use_case,metric,timestamp,value,cohort\n"
        f"{key},uptime,2026-01-05T00:00:00Z,99.1,\n"
        f"{key},active_users,2026-01-05T00:00:00Z,42,pilot\n",
        encoding="utf-8",
    )
    assert client.import_metrics(path) == {"points": 2, "metrics": 2, "use_cases": 1}
    listed = [
        {"use_case": key, "metric": "uptime", "timestamp": "2026-01-05T00:00:00Z", "value": 99.7},
        {"use_case": key, "metric": "uptime", "timestamp": "2026-01-06T00:00:00Z", "value": 99.8},
    ]
    assert client.import_metrics(listed) == {"points": 2, "metrics": 1, "use_cases": 1}
    series = client.get(f"/use-cases/{key}/metrics/uptime/points")
    assert [p["value"] for p in series["points"]] == [99.7, 99.8]

    with pytest.raises(InvalidInput, match=r"row 2: value 'lots' is not a number"):
        client.import_metrics([listed[0], {**listed[1], "value": "lots"}])
    path.write_text(f"use_case,metric,timestamp,value\n{key},uptime,2026-01-07,abc\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"row 2: value 'abc'"):
        client.import_metrics(path)
    assert len(client.get(f"/use-cases/{key}/metrics/uptime/points")["points"]) == 2
    with pytest.raises(Forbidden, match="viewer"):
        Remote(live_server.url, live_server.portfolio.tokens["viewer"]).import_metrics(listed)


def remote(server: LiveServer, who: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PILOTGATE_")}
    env["PILOTGATE_HOME"] = str(server.home.parent / "elsewhere")  # nothing local is touched
    env["PILOTGATE_TOKEN"] = server.portfolio.tokens[who]
    return subprocess.run(
        [str(BIN), "--server", server.url, *args], env=env, capture_output=True, text=True, timeout=60
    )


def test_the_remote_cli_imports_a_file_as_the_tokens_owner(live_server: LiveServer, tmp_path: Path) -> None:
    key = live_server.portfolio.key
    defined = remote(live_server, "sponsor", "metrics", "define", key, "uptime")
    assert defined.returncode == 0 and "defined uptime (Uptime, sla, leading)" in defined.stdout, defined.stderr
    good = tmp_path / "uptime.csv"
    good.write_text(
        f"use_case,metric,timestamp,value\n{key},uptime,{iso(hours_ago(2))},99.4\n{key},uptime,{iso(hours_ago(1))},99.8\n"
    )
    imported = remote(live_server, "sponsor", "metrics", "import", str(good))
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == "uptime.csv: imported 2 point(s) into 1 series of 1 use case(s)"

    bad = tmp_path / "bad.csv"
    bad.write_text(f"use_case,metric,timestamp,value\n{key},uptime,2026-01-05,99\n{key},uptime,later,99\n")
    refused = remote(live_server, "sponsor", "metrics", "import", str(bad))
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    assert refused.stderr.startswith("error: 1 invalid row(s), nothing was imported: row 3: timestamp 'later'")
    viewer = remote(live_server, "viewer", "metrics", "import", str(good))
    assert viewer.returncode == 5 and "may not import metrics" in viewer.stderr

    listed = remote(live_server, "viewer", "metrics", "list", key, "--json")
    indicators = {i["key"]: i for i in json.loads(listed.stdout)["indicators"]}
    assert indicators["uptime"]["points"] == 2 and indicators["uptime"]["current"] == pytest.approx(99.6)
    events = Remote(live_server.url, live_server.portfolio.tokens["viewer"]).get("/audit", limit=1)
    assert events[-1]["action"] == "metrics.imported" and events[-1]["actor"] == live_server.portfolio.emails["sponsor"]


def test_a_contributor_sends_evidence_only_for_use_cases_they_are_named_on(
    app: object, portfolio: Portfolio, lead: TestClient
) -> None:
    """A contributor's points for someone else's use case are refused row by row, and nothing of
    the batch is kept; a program lead may send for any use case."""
    own, other = portfolio.key, "UC-0002"
    for key in (own, other):
        define(lead, key, "uptime")
    now = iso(hours_ago(1))
    rows = [
        {"use_case": own, "metric": "uptime", "timestamp": now, "value": 99.9},
        {"use_case": other, "metric": "uptime", "timestamp": now, "value": 99.1},
    ]
    with portfolio.client(app, "sponsor") as sponsor, portfolio.client(app, "outsider") as outsider:
        refused = problem(sponsor.post(f"{API}/metrics/points", json={"points": rows}), 422, "row 2", other)
        assert "you hold no role on UC-0002" in refused["detail"]
        assert [e["field"] for e in refused["errors"]] == ["row 2"]
        assert stored(lead, own, "uptime") == []
        assert ok(sponsor.post(f"{API}/metrics/points", json={"points": rows[:1]}))["points"] == 1
        problem(outsider.put(f"{API}/use-cases/{own}/slo", json={"uptime_pct": 90}), 403, "holds no role")
        problem(outsider.post(f"{API}/use-cases/{own}/metrics", json={"key": "error_rate"}), 403, "holds no role")
    assert ok(lead.post(f"{API}/metrics/points", json={"points": rows}))["points"] == 2
