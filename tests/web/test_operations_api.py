"""The AI operations API and the page section through the real app on SQLite and PostgreSQL: record
everything, read it back, who may write, every refusal as problem+json with nothing written, the
incident form with its CSRF token, and the review page showing the records behind the criterion.
Who may call each route at all is tests/web/test_authz_matrix.py."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from pilotgate.accounts import service as accounts
from pilotgate.db.uow import UnitOfWork
from pilotgate.evidence import sync
from pilotgate.gates import service as gates
from pilotgate.usecases import service as usecases
from tests.web.conftest import PASSWORD, LiveServer, Portfolio

API = "/api/v1"
PROBLEM = "application/problem+json"
LEAD, SPONSOR, OUTSIDER = "lead@example.org", "sponsor@example.org", "outsider@example.org"
PROMETHEUS = {"url": "http://127.0.0.1:9", "queries": {"uptime": "up"}}


@pytest.fixture(autouse=True)
def fast_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(accounts, "hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def problem(response: httpx.Response, status: int, *fragments: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM, response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"], body
    assert "Traceback" not in response.text
    for fragment in fragments:
        assert fragment in str(body["detail"]), body
    return body


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def connector(portfolio: Portfolio, key: str) -> int:
    with UnitOfWork(portfolio.settings) as uow:
        found: int = sync.add(uow, key=key, kind="prometheus", config=PROMETHEUS, actor=LEAD).id
    return found


def runbook_artifact(portfolio: Portfolio, key: str, lead: str = LEAD) -> int:
    """The runbook attached at an open review of the use case by its program lead: its artifact row id."""
    with UnitOfWork(portfolio.settings) as uow:
        gates.open_review(uow, key=key, actor=lead)
        content = io.BytesIO(b"%PDF-1.4\n% runbook\n")
        row = gates.attach(
            uow, key=key, artifact_id="use_case_scorecard", actor=lead, content=content, filename="r.pdf"
        )
        found: int = row.id
    return found


def test_record_everything_and_read_it_back(app: object, portfolio: Portfolio) -> None:
    key, other = portfolio.key, portfolio.other_key
    base = f"{API}/use-cases/{key}/operations"
    own_connector, foreign_connector = connector(portfolio, key), connector(portfolio, other)
    artifact, foreign_artifact = (
        runbook_artifact(portfolio, key),
        runbook_artifact(portfolio, other, "other.lead@example.org"),
    )
    with portfolio.client(app, "lead") as lead, portfolio.client(app, "viewer") as viewer:
        team = ok(lead.put(f"{base}/team", json={"name": "Claims Ops", "kind": "ai_ops", "lead": SPONSOR,
                                                  "members": [LEAD, SPONSOR]}))  # fmt: skip
        assert team["members"] == [LEAD, SPONSOR] and team["business_unit"] == "Claims"
        ok(lead.post(f"{base}/oncall", json={"person": SPONSOR, "level": 1}), 201)
        ok(lead.post(f"{base}/oncall", json={"person": LEAD, "level": 2, "starts_on": "2026-01-01"}), 201)
        problem(lead.put(f"{base}/runbook", json={"artifact_id": foreign_artifact}), 422, "is not an artifact attached")
        assert ok(lead.put(f"{base}/runbook", json={"artifact_id": artifact}))["artifact_id"] == artifact
        problem(lead.put(f"{base}/monitoring", json={"description": "SLOs", "connector_id": foreign_connector}), 422,
                f"#{foreign_connector} is not a connector of {key}")  # fmt: skip
        monitoring = {"description": "SLO alerts from Prometheus", "alerting": True, "automated": True,
                      "connector_id": own_connector}  # fmt: skip
        assert ok(lead.put(f"{base}/monitoring", json=monitoring))["connector_id"] == own_connector
        began = (datetime.now(UTC) - timedelta(hours=5)).isoformat()
        incident = ok(lead.post(f"{base}/incidents", json={"severity": "sev2", "title": "Slow", "handled_by": SPONSOR,
                                                             "opened_at": began}), 201)  # fmt: skip
        assert incident["handled_by_team"] == "owning_team" and incident["team_name"] == "Claims Ops"
        resolved = ok(lead.post(f"{base}/incidents/{incident['id']}/resolve", json={"resolution": "Restarted"}))
        assert resolved["minutes_to_resolve"] >= 299 and resolved["resolved_by"] == LEAD
        problem(lead.post(f"{base}/incidents/{incident['id']}/resolve", json={}), 409, "already resolved")
        drill = {"scenario": "Roll back", "outcome": "passed", "participants": [SPONSOR, LEAD]}
        assert ok(lead.post(f"{base}/drills", json=drill), 201)["participants"] == [SPONSOR, LEAD]
        assert ok(lead.put(f"{base}/retraining/cadence", json={"days": 14})) == {"days": 14}
        ok(lead.post(f"{base}/retraining", json={"automated": True}), 201)
        ok(lead.post(f"{base}/drift-notes", json={"text": "Seasonal shift"}), 201)
        for check in ("data.schema", "data.privacy", "model.baseline", "model.slices", "infrastructure.canary"):
            ok(lead.put(f"{base}/readiness/{check}", json={"status": "manual"}))
        state = ok(viewer.get(base))
        rubric = ok(viewer.get(f"{base}/readiness"))
    assert rubric["score"] == 1.0 and rubric["ready"] and state["readiness"]["score"] == 1.0
    computing = next(
        c for s in rubric["sections"] for c in s["checks"] if c["id"] == "monitoring.computing_performance"
    )
    assert computing["derived"] == "automated" and "connector" in computing["derived_from"]
    assert state["checks"]["ready"]["status"] == "met", state["checks"]["ready"]["note"]
    assert state["checks"]["sustainable"]["status"] == "met", state["checks"]["sustainable"]["note"]
    assert state["checks"]["owned"]["status"] == "not_met"  # no accepted handover yet
    assert state["mttr"]["resolved"] == 1 and state["mttr"]["open"] == 0
    assert [e["current"] for e in state["oncall"]] == [True, True]


def test_who_may_write_and_refusals_change_nothing(app: object, portfolio: Portfolio) -> None:
    key = portfolio.key
    base = f"{API}/use-cases/{key}/operations"
    note = {"text": "Inputs drifting"}
    with (
        portfolio.client(app, "lead") as lead,
        portfolio.client(app, "outsider") as outsider,
        portfolio.client(app, "viewer") as viewer,
    ):
        before = len(ok(viewer.get(f"{API}/audit", params={"limit": 500})))
        problem(viewer.post(f"{base}/drift-notes", json=note), 403)
        problem(outsider.post(f"{base}/drift-notes", json=note), 403, "not in its owning team")
        problem(lead.put(f"{base}/team", json={"name": "Ops", "kind": "guild", "lead": SPONSOR}), 422, "kind: 'guild'")
        problem(lead.put(f"{base}/team", json={"name": "Ops", "kind": "ai_ops", "lead": "ghost@x.org"}), 404, "lead: ")
        problem(lead.put(f"{base}/team", json={"name": "Ops", "kind": "ai_ops", "lead": SPONSOR, "role": "x"}), 422)
        problem(lead.post(f"{base}/oncall", json={"person": SPONSOR, "starts_on": "2026-05-01",
                                                  "ends_on": "2026-04-01"}), 422, "before it starts")  # fmt: skip
        problem(lead.post(f"{base}/oncall", json={"person": SPONSOR, "level": "first"}), 422)
        problem(lead.put(f"{base}/runbook", json={}), 422, "give either")
        problem(lead.put(f"{base}/runbook", json={"url": "javascript:alert(1)"}), 422, "http(s) URL")
        problem(lead.post(f"{base}/incidents", json={"severity": "sev9", "title": "T", "handled_by": LEAD}), 422)
        problem(lead.post(f"{base}/incidents", json={"severity": "sev1", "title": "T", "handled_by": LEAD}), 422,
                "no owning team is recorded")  # fmt: skip
        problem(lead.post(f"{base}/incidents/424242/resolve", json={}), 404, "#424242")
        problem(lead.post(f"{base}/drills", json={"scenario": "S", "outcome": "passed", "participants": []}), 422)
        problem(lead.put(f"{base}/retraining/cadence", json={"days": 0}), 422, "between 1 and 3650")
        tomorrow = (datetime.now(UTC) + timedelta(days=2)).date().isoformat()
        problem(lead.post(f"{base}/retraining", json={"retrained_on": tomorrow}), 422, "in the future")
        problem(lead.put(f"{base}/readiness/vibes", json={"status": "manual"}), 422, "not a readiness check")
        problem(lead.get(f"{API}/use-cases/UC-9999/operations"), 404, "UC-9999")
        assert len(ok(viewer.get(f"{API}/audit", params={"limit": 500}))) == before
        # in the owning team, a contributor named nowhere on the use case may record its operations
        ok(lead.put(f"{base}/team", json={"name": "Ops", "kind": "ai_ops", "lead": SPONSOR, "members": [OUTSIDER]}))
        ok(outsider.post(f"{base}/drift-notes", json=note), 201)
        problem(outsider.post(f"{API}/use-cases/{portfolio.other_key}/operations/drift-notes", json=note), 403)
        events = ok(viewer.get(f"{API}/audit", params={"use_case": key, "limit": 50}))
        written = sorted(e["action"] for e in events if e["action"].startswith("operations."))
        assert written == ["operations.drift_noted", "operations.team_set"]  # the refusals wrote nothing


def sign_in(app: object, email: str) -> tuple[TestClient, str]:
    """A browser signed in through the login form; returns it and its session's CSRF token."""
    browser = TestClient(app, raise_server_exceptions=False)  # type: ignore[arg-type]
    token = re.search(r'name="login_csrf" value="([^"]+)"', browser.get("/login").text)
    assert token
    signed = browser.post("/login", data={"email": email, "password": PASSWORD, "login_csrf": token.group(1)})
    assert signed.status_code == 200, signed.text
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)">', browser.get("/approvals").text)
    assert csrf
    return browser, csrf.group(1)


def test_the_page_section_and_its_incident_form(app: object, portfolio: Portfolio) -> None:
    key = portfolio.key
    with portfolio.client(app, "lead") as lead:
        ok(lead.put(f"{API}/use-cases/{key}/operations/team", json={"name": "<i>Claims</i> Ops", "kind": "ai_ops",
                                                                     "lead": SPONSOR, "members": [LEAD]}))  # fmt: skip
    browser, csrf = sign_in(app, LEAD)
    page = browser.get(f"/use-cases/{key}")
    assert page.status_code == 200 and 'id="h-operations"' in page.text and "Log an incident" in page.text
    assert "&lt;i&gt;Claims&lt;/i&gt; Ops" in page.text and "<i>Claims</i>" not in page.text
    form = {"severity": "sev2", "title": "<script>alert(1)</script>", "handled_by": SPONSOR, "team": ""}
    forged = browser.post(f"/use-cases/{key}/operations/incidents", data={**form, "csrf_token": "forged"})
    assert forged.status_code == 403
    logged = browser.post(f"/use-cases/{key}/operations/incidents", data={**form, "csrf_token": csrf},
                          follow_redirects=False)  # fmt: skip
    assert logged.status_code == 303 and logged.headers["location"] == f"/use-cases/{key}#h-operations"
    page = browser.get(f"/use-cases/{key}")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "<script>alert(1)</script>" not in page.text
    assert "Resolve incident" in page.text
    incident_id = re.search(r"/operations/incidents/(\d+)/resolve", page.text)
    assert incident_id
    refused = browser.post(f"/use-cases/{key}/operations/incidents",
                           data={**form, "opened_at": "2099-01-01T10:00", "csrf_token": csrf})  # fmt: skip
    assert refused.status_code == 422 and "opened: 2099-01-01 10:00 UTC is in the future" in refused.text
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in refused.text  # what was typed is kept, escaped
    resolved = browser.post(f"/use-cases/{key}/operations/incidents/{incident_id.group(1)}/resolve",
                            data={"resolution": "Rolled back", "csrf_token": csrf}, follow_redirects=False)  # fmt: skip
    assert resolved.status_code == 303
    again = browser.post(f"/use-cases/{key}/operations/incidents/{incident_id.group(1)}/resolve",
                         data={"resolution": "x", "csrf_token": csrf})  # fmt: skip
    assert again.status_code == 409 and "was already resolved" in again.text
    with portfolio.client(app, "viewer") as viewer:
        seen = viewer.get(f"/use-cases/{key}")
        assert "Rolled back" in seen.text and "Log an incident" not in seen.text
        state = ok(viewer.get(f"{API}/use-cases/{key}/operations"))
    assert [i["resolution"] for i in state["incidents"]] == ["Rolled back"]
    browser.close()


def test_the_review_page_shows_the_records_behind_operations_readiness(app: object, portfolio: Portfolio) -> None:
    key = portfolio.key
    with UnitOfWork(portfolio.settings) as uow:
        use_case = usecases.get_or_raise(uow, key)
        usecases.enter_stage(uow, use_case, stage="pilot", at=uow.now(), reason="test set-up")
        gates.open_review(uow, key=key, actor=LEAD)
    with portfolio.client(app, "lead") as lead:
        ok(lead.put(f"{API}/use-cases/{key}/operations/monitoring", json={"description": "Dashboards"}))
        page = lead.get(f"/use-cases/{key}/review")
    assert page.status_code == 200
    assert "Records behind Operations readiness" in page.text
    assert "Dashboards (no alerting)" in page.text and f'href="/use-cases/{key}#h-operations"' in page.text


def test_the_ops_cli_against_a_live_server(live_server: LiveServer) -> None:
    """`pilotgate --server URL ops …` writes through the API (PUT and POST) as the token's owner."""
    key = live_server.portfolio.key
    env = {k: v for k, v in os.environ.items() if not k.startswith("PILOTGATE_")}
    env["PILOTGATE_HOME"] = str(live_server.home.parent / "elsewhere")  # nothing local is touched

    def run(who: str, *args: str) -> subprocess.CompletedProcess[str]:
        tokened = {**env, "PILOTGATE_TOKEN": live_server.portfolio.tokens[who]}
        command = [str(Path(sys.executable).parent / "pilotgate"), "--server", live_server.url, "ops", *args]
        return subprocess.run(command, env=tokened, capture_output=True, text=True, timeout=60)

    team = run("lead", "team", "set", key, "--name", "Claims Ops", "--kind", "ai_ops", "--lead", SPONSOR)
    assert team.returncode == 0 and "owned by Claims Ops" in team.stdout, team.stderr
    opened = run("lead", "incident", "open", key, "--severity", "sev3", "--title", "Slow", "--handled-by", SPONSOR)
    assert opened.returncode == 0 and "(owning team)" in " ".join(opened.stdout.split()), opened.stderr
    refused = run("viewer", "drift", "add", key, "Inputs drifting")
    assert refused.returncode == 5 and "may not add drift notes" in refused.stderr and "Traceback" not in refused.stderr
    bad = run("lead", "oncall", "add", key, SPONSOR, "--from", "2026-05-01", "--to", "2026-04-01")
    assert bad.returncode == 1 and "before it starts" in bad.stderr
    shown = json.loads(run("viewer", "show", key, "--json").stdout)
    assert shown["team"]["name"] == "Claims Ops" and [i["title"] for i in shown["incidents"]] == ["Slow"]
    assert shown["oncall"] == []
