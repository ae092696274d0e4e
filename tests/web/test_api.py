"""Every route of the REST API through the real app on a real database: answers, filters and errors.

Who may call what is tests/web/test_authz_matrix.py; here each route does its job, and every
refusal is an RFC 9457 problem. Each test runs on SQLite and on PostgreSQL (about a second each).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from pilotgate.accounts import service as accounts
from pilotgate.config import Settings
from tests.web.conftest import Portfolio

API = "/api/v1"
PROBLEM = "application/problem+json"
CRITERIA = ("business_value", "data_availability", "process_maturity", "risk", "sponsorship")
ARTIFACTS = (
    "use_case_scorecard",
    "data_availability_assessment",
    "preliminary_risk_assessment",
    "business_value_hypothesis",
)
PDF = b"%PDF-1.4\n% scorecard\n"


@pytest.fixture(autouse=True)
def fast_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """Still argon2id, with its cheapest parameters: the portfolio sets seven passwords per test."""
    monkeypatch.setattr(accounts, "hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture
def as_(app: object, portfolio: Portfolio) -> Iterator[Any]:
    """`as_("lead")` is a client with the lead's token; clients are closed after the test."""
    clients: dict[str, TestClient] = {}

    def client(who: str | None) -> TestClient:
        key = who or ""
        if key not in clients:
            clients[key] = portfolio.client(app, who)
        return clients[key]

    yield client
    for opened in clients.values():
        opened.close()


def problem(response: httpx.Response, status: int, *fragments: str) -> dict[str, Any]:
    """The response is an RFC 9457 problem with this status; its detail names each fragment."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM, response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"], body
    assert "Traceback" not in response.text
    for fragment in fragments:
        assert fragment in body["detail"], body
    return body


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def in_days(days: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=days)).isoformat()


def publish_small_artifact_limit(lead: TestClient, limit: int) -> int:
    """Publish the default policy's next version with a small artifact size limit; its version."""
    shipped = ok(lead.get(f"{API}/policies/pilotgate-default"))
    assert "artifact_max_bytes: 26214400" in shipped["yaml"]
    text = shipped["yaml"].replace("artifact_max_bytes: 26214400", f"artifact_max_bytes: {limit}")
    published = ok(lead.post(f"{API}/policies", content=text, headers={"content-type": "application/yaml"}), 201)
    assert published == {"name": "pilotgate-default", "version": shipped["version"] + 1, "created": True}
    return int(published["version"])


# ---------------------------------------------------------------- use cases, people, roles


def test_use_cases_are_listed_filtered_sorted_and_paged(as_: Any, portfolio: Portfolio) -> None:
    lead = as_("lead")
    created = [
        ok(lead.post(f"{API}/use-cases", json=body), 201)
        for body in (
            {"title": "Invoice matching", "business_unit": "Finance", "tags": ["ocr", "genai"]},
            {"title": "Churn radar", "business_unit": "Marketing", "description": "spot leaving clients"},
            {"title": "Contract review", "business_unit": "finance", "tags": ["genai"], "risk_tier": "high"},
        )
    ]
    assert [c["key"] for c in created] == ["UC-0003", "UC-0004", "UC-0005"]
    assert created[0]["tags"] == ["genai", "ocr"] and created[2]["risk_tier"] == "high"

    def keys(**query: Any) -> list[str]:
        listed = ok(as_("viewer").get(f"{API}/use-cases", params=query))
        return [item["key"] for item in listed["items"]]

    assert keys() == [portfolio.key, portfolio.other_key, "UC-0003", "UC-0004", "UC-0005"]
    assert keys(business_unit="FINANCE") == ["UC-0003", "UC-0005"]
    assert keys(tag="GenAI") == ["UC-0003", "UC-0005"]
    assert keys(q="LEAVING") == ["UC-0004"]
    assert keys(q="uc-0004") == ["UC-0004"]
    assert keys(q="claims") == [portfolio.key]
    assert keys(stage="discovery", status="active") == keys()
    assert keys(stage="poc") == [] and keys(status="stopped") == []
    assert keys(sort="-key") == ["UC-0005", "UC-0004", "UC-0003", portfolio.other_key, portfolio.key]
    assert keys(sort="title")[:2] == ["UC-0004", portfolio.key]  # Churn radar, Claims triage

    second = ok(as_("viewer").get(f"{API}/use-cases", params={"per_page": 2, "page": 2}))
    assert second["total"] == 5 and second["page"] == 2 and second["per_page"] == 2
    assert [i["key"] for i in second["items"]] == ["UC-0003", "UC-0004"]
    assert ok(as_("viewer").get(f"{API}/use-cases", params={"page": 9}))["items"] == []
    first = ok(as_("viewer").get(f"{API}/use-cases", params={"per_page": 1}))["items"][0]
    assert {"key", "title", "stage", "status", "days_in_stage", "overdue", "tags"} <= set(first)

    problem(as_("viewer").get(f"{API}/use-cases", params={"sort": "password"}), 422, "sort")
    for bad in ({"per_page": 0}, {"per_page": 201}, {"page": 0}, {"page": "two"}, {"q": "x" * 201}):
        problem(as_("viewer").get(f"{API}/use-cases", params=bad), 422)


def test_a_use_case_is_created_read_and_edited_but_its_stage_never_patched(as_: Any, portfolio: Portfolio) -> None:
    lead = as_("lead")
    created = ok(lead.post(f"{API}/use-cases", json={"title": "Demand forecast", "business_unit": "Supply"}), 201)
    key = created["key"]
    assert created["stage"] == "discovery" and created["status"] == "active" and created["risk_tier"] == "medium"
    assert created["policy"] == "pilotgate-default" and created["open_review"] is None
    assert created["stage_history"][0]["stage"] == "discovery" and created["roles"] == {}

    shown = ok(as_("viewer").get(f"{API}/use-cases/{portfolio.key.lower()}"))
    assert shown["key"] == portfolio.key
    assert shown["roles"]["sponsor"]["email"] == portfolio.emails["sponsor"]
    assert shown["roles"]["program_lead"]["email"] == portfolio.emails["lead"]

    patched = ok(lead.patch(f"{API}/use-cases/{key}", json={"title": "Demand forecasting", "tags": ["supply"]}))
    assert patched["title"] == "Demand forecasting" and patched["tags"] == ["supply"]
    assert patched["business_unit"] == "Supply"  # fields left out are left alone

    refused = problem(lead.patch(f"{API}/use-cases/{key}", json={"stage": "production"}), 422)
    assert refused["errors"][0]["field"] == "stage"
    problem(lead.patch(f"{API}/use-cases/{key}", json={"title": "X", "status": "stopped"}), 422)
    problem(lead.patch(f"{API}/use-cases/{key}", json={"risk_tier": "extreme"}), 422, "risk-tier")
    problem(lead.patch(f"{API}/use-cases/{key}", json={"title": "   "}), 422)
    problem(lead.patch(f"{API}/use-cases/{key}", json={"tags": ["Not a tag!"]}), 422, "tag")
    after = ok(as_("viewer").get(f"{API}/use-cases/{key}"))
    assert after["stage"] == "discovery" and after["status"] == "active" and after["title"] == "Demand forecasting"

    for forged in ({"key": "UC-9000"}, {"stage": "scale"}, {"status": "active"}, {"id": 1}):
        problem(lead.post(f"{API}/use-cases", json={"title": "T", "business_unit": "B", **forged}), 422)
    problem(lead.post(f"{API}/use-cases", json={"title": "T"}), 422, "business_unit")
    problem(lead.post(f"{API}/use-cases", json={"title": "T", "business_unit": "B", "policy": "nope"}), 404)
    assert ok(as_("viewer").get(f"{API}/use-cases"))["total"] == 3


def test_people_are_listed_registered_and_named_to_roles(as_: Any, portfolio: Portfolio) -> None:
    lead = as_("lead")
    people = ok(as_("viewer").get(f"{API}/people"))
    assert {p["email"] for p in people} == set(portfolio.emails.values())
    added = ok(lead.post(f"{API}/people", json={"email": " Tech.Lead@Example.org ", "name": "Tech Lead"}), 201)
    assert added == {"email": "tech.lead@example.org", "name": "Tech Lead"}
    problem(lead.post(f"{API}/people", json={"email": "tech.lead@example.org", "name": "Again"}), 409)
    problem(lead.post(f"{API}/people", json={"email": "not-an-email", "name": "X"}), 422, "e-mail")
    problem(lead.post(f"{API}/people", json={"email": "a@example.org", "name": ""}), 422)
    problem(lead.post(f"{API}/people", json={"email": "b@example.org", "name": "B", "role": "admin"}), 422)

    url = f"{API}/use-cases/{portfolio.key}/roles"
    assigned = ok(lead.put(f"{url}/technical_lead", json={"email": "tech.lead@example.org"}))
    assert assigned == {"use_case": portfolio.key, "role": "technical_lead", "email": "tech.lead@example.org"}
    roles = ok(as_("viewer").get(f"{API}/use-cases/{portfolio.key}"))["roles"]
    assert roles["technical_lead"]["name"] == "Tech Lead"
    problem(lead.put(f"{url}/overlord", json={"email": "tech.lead@example.org"}), 422, "not a role")
    problem(lead.put(f"{url}/sponsor", json={"email": "ghost@example.org"}), 404, "ghost@example.org")
    problem(lead.put(f"{API}/use-cases/UC-9999/roles/sponsor", json={"email": "tech.lead@example.org"}), 404)
    problem(lead.put(f"{url}/sponsor", json={"email": "tech.lead@example.org", "person_id": 1}), 422)
    assert (
        ok(as_("viewer").get(f"{API}/use-cases/{portfolio.key}"))["roles"]["sponsor"]["email"]
        == (portfolio.emails["sponsor"])
    )


# ---------------------------------------------------------------- reviews: open, assess, waive


def test_a_review_opens_and_criteria_are_assessed_or_waived(as_: Any, portfolio: Portfolio) -> None:
    lead, sponsor, key = as_("lead"), as_("sponsor"), portfolio.key
    problem(as_("viewer").get(f"{API}/use-cases/{key}/review"), 404, "no open gate review")
    opened = ok(lead.post(f"{API}/use-cases/{key}/review"), 201)
    assert opened["gate"]["number"] == 1 and opened["gate"]["from"] == "discovery" and opened["gate"]["to"] == "poc"
    assert opened["review"]["opened_by"] == portfolio.emails["lead"] and opened["go_allowed"] is False
    assert [a["role"] for a in opened["approvers"]] == ["program_lead", "sponsor"]
    assert {c["id"] for c in opened["criteria"]} == set(CRITERIA)
    problem(lead.post(f"{API}/use-cases/{key}/review"), 409, "already has an open review")
    assert ok(as_("viewer").get(f"{API}/use-cases/{key}"))["open_review"]["gate"] == 1

    url = f"{API}/use-cases/{key}/review/assessments"
    met = ok(
        lead.put(f"{url}/business_value", json={"status": "met", "note": "CFO signed", "evidence": ["https://x.org/a"]})
    )
    row = next(c for c in met["criteria"] if c["id"] == "business_value")
    assert (
        row["status"] == "met"
        and row["assessed_by"] == portfolio.emails["lead"]
        and row["evidence"] == ["https://x.org/a"]
    )

    expiry = in_days(30)
    waiver = {"status": "waived", "note": "legal review next month", "expires": expiry}
    waived = ok(sponsor.put(f"{url}/risk", json=waiver))
    row = next(c for c in waived["criteria"] if c["id"] == "risk")
    assert row["status"] == "waived" and row["waiver_expires"] == expiry
    assert not any("criterion risk" in b for b in waived["blockers"])

    problem(sponsor.put(f"{url}/risk", json={"status": "waived", "note": "n"}), 422, "expiry date")
    problem(sponsor.put(f"{url}/risk", json={"status": "waived", "note": "n", "expires": in_days(181)}), 422, "180")
    problem(sponsor.put(f"{url}/risk", json={"status": "waived", "note": "n", "expires": in_days(0)}), 422, "future")
    problem(lead.put(f"{url}/process_maturity", json={"status": "met", "note": "n", "expires": expiry}), 422)
    unknown = problem(lead.put(f"{url}/charisma", json={"status": "met", "note": "n"}), 422, "not a criterion")
    assert unknown["errors"] == [{"field": "criterion", "message": unknown["errors"][0]["message"]}]
    problem(lead.put(f"{url}/risk", json={"status": "done", "note": "n"}), 422, "status")
    problem(lead.put(f"{url}/risk", json={"status": "met", "note": ""}), 422, "note")
    problem(lead.put(f"{url}/risk", json={"status": "met", "note": "n", "evidence": ["file:///etc/passwd"]}), 422)
    problem(lead.put(f"{url}/risk", json={"status": "met", "note": "n", "assessed_by": "x@y.z"}), 422)
    other = f"{API}/use-cases/{portfolio.other_key}/review/assessments/risk"
    problem(lead.put(other, json={"status": "met", "note": "n"}), 404)
    still = ok(as_("viewer").get(f"{API}/use-cases/{key}/review"))
    assert next(c for c in still["criteria"] if c["id"] == "risk")["waiver_expires"] == expiry


# ---------------------------------------------------------------- artifacts


def test_artifacts_upload_link_download_and_size_limit(as_: Any, portfolio: Portfolio, web_settings: Settings) -> None:
    lead, key = as_("lead"), portfolio.key
    publish_small_artifact_limit(lead, 1024)
    assert ok(lead.post(f"{API}/use-cases/{key}/review"), 201)["policy"]["version"] == 2
    url = f"{API}/use-cases/{key}/review/artifacts"

    scorecard = f"{url}/use_case_scorecard"
    uploaded = ok(lead.post(scorecard, files={"file": ("scorecard.pdf", PDF, "application/pdf")}), 201)
    assert uploaded["version"] == 1 and uploaded["size"] == len(PDF) and uploaded["url"] is None
    assert uploaded["sha256"] == hashlib.sha256(PDF).hexdigest() and uploaded["media_type"] == "application/pdf"
    blobs = sorted(p for p in web_settings.artifacts_dir.rglob("*") if p.is_file())
    assert [b.name for b in blobs] == [uploaded["sha256"]]

    downloaded = as_("viewer").get(f"{API}/use-cases/{key}/artifacts/use_case_scorecard")
    assert downloaded.status_code == 200 and downloaded.content == PDF
    assert downloaded.headers["content-type"] == "application/octet-stream"
    assert downloaded.headers["content-disposition"] == 'attachment; filename="scorecard.pdf"'

    # The name is the server's choice (no path), the type is sniffed from the bytes, not the claim.
    hostile = ok(lead.post(scorecard, files={"file": ("../../etc/x.pdf", b"MZ\x90\x00", "application/pdf")}), 201)
    assert hostile["version"] == 2 and hostile["filename"] == "x.pdf"
    assert hostile["media_type"] == "application/x-msdownload"
    latest = as_("viewer").get(f"{API}/use-cases/{key}/artifacts/use_case_scorecard")
    assert latest.content == b"MZ\x90\x00" and latest.headers["content-type"] == "application/octet-stream"
    first = as_("viewer").get(f"{API}/use-cases/{key}/artifacts/use_case_scorecard", params={"version": 1})
    assert first.content == PDF

    link = ok(lead.post(f"{url}/data_availability_assessment", data={"url": "https://wiki.example.org/data"}), 201)
    assert link["url"] == "https://wiki.example.org/data" and link["sha256"] is None
    followed = as_("viewer").get(
        f"{API}/use-cases/{key}/artifacts/data_availability_assessment", follow_redirects=False
    )
    assert followed.status_code == 307 and followed.headers["location"] == "https://wiki.example.org/data"

    audit_before = len(ok(as_("viewer").get(f"{API}/audit", params={"limit": 5000})))
    big = {"file": ("big.pdf", b"%PDF" + b"x" * 1100)}
    problem(lead.post(f"{url}/preliminary_risk_assessment", files=big), 422, "1,024 bytes")
    assert sorted(p.name for p in web_settings.artifacts_dir.rglob("*") if p.is_file()) == sorted(
        [uploaded["sha256"], hostile["sha256"]]
    )
    status = ok(as_("viewer").get(f"{API}/use-cases/{key}/review"))
    assert next(a for a in status["artifacts"] if a["id"] == "preliminary_risk_assessment")["attached"] is False
    assert len(ok(as_("viewer").get(f"{API}/audit", params={"limit": 5000}))) == audit_before
    problem(as_("viewer").get(f"{API}/use-cases/{key}/artifacts/preliminary_risk_assessment"), 404)

    both = {"file": ("a.pdf", PDF)}
    problem(lead.post(f"{url}/preliminary_risk_assessment", files=both, data={"url": "https://x.org"}), 422)
    problem(lead.post(f"{url}/preliminary_risk_assessment"), 422, "either a file")
    problem(lead.post(f"{url}/preliminary_risk_assessment", data={"url": "javascript:alert(1)"}), 422, "http(s)")
    problem(lead.post(f"{url}/passport_scan", files={"file": ("a.pdf", PDF)}), 422, "not an artifact")
    problem(lead.post(f"{API}/use-cases/UC-9999/review/artifacts/use_case_scorecard", files=both), 404)
    problem(as_("viewer").get(f"{API}/use-cases/{key}/artifacts/use_case_scorecard", params={"version": 9}), 404)
    problem(as_("viewer").get(f"{API}/use-cases/{key}/artifacts/use_case_scorecard", params={"version": 0}), 422)


# ---------------------------------------------------------------- votes, decisions: a whole Gate 1


def test_go_is_refused_with_reasons_then_a_whole_gate_1_ends_in_go(as_: Any, portfolio: Portfolio) -> None:
    lead, sponsor, viewer, key = as_("lead"), as_("sponsor"), as_("viewer"), portfolio.key
    review = f"{API}/use-cases/{key}/review"
    ok(lead.post(review), 201)
    assert ok(sponsor.get(f"{API}/me/approvals"))[0] | {"opened_at": None} == {
        "key": key,
        "title": "Claims triage",
        "business_unit": "Claims",
        "gate": 1,
        "gate_title": "Gate 1: Discovery → POC",
        "role": "sponsor",
        "role_title": "Business unit sponsor",
        "action": "vote",
        "your_vote": None,
        "blockers": 11,
        "opened_at": None,
    }
    assert ok(as_("outsider").get(f"{API}/me/approvals")) == []

    blocked = problem(sponsor.post(f"{review}/decision", json={"decision": "go"}), 409, "go is blocked")
    assert blocked["title"] == "Gate blocked" and len(blocked["reasons"]) == 11
    assert sum("is not assessed yet" in r for r in blocked["reasons"]) == len(CRITERIA)
    assert sum("is not attached" in r for r in blocked["reasons"]) == len(ARTIFACTS)
    assert any(r.startswith("sponsor (Business unit sponsor):") for r in blocked["reasons"])
    readiness = ok(viewer.get(f"{API}/reviews/readiness"))
    assert readiness == [
        {
            "key": key,
            "title": "Claims triage",
            "business_unit": "Claims",
            "gate": 1,
            "go_allowed": False,
            "blockers": blocked["reasons"],
        }
    ]

    for criterion in CRITERIA:
        ok(lead.put(f"{review}/assessments/{criterion}", json={"status": "met", "note": "checked with the BU"}))
    for artifact in ARTIFACTS:
        ok(lead.post(f"{review}/artifacts/{artifact}", files={"file": (f"{artifact}.pdf", PDF)}), 201)
    voted = ok(lead.put(f"{review}/votes", json={"choice": "approve"}))
    assert voted["votes"][0] | {"cast_at": None} == {
        "role": "program_lead",
        "person": portfolio.emails["lead"],
        "choice": "approve",
        "comment": "",
        "cast_at": None,
        "stale": False,
    }
    problem(sponsor.put(f"{review}/votes", json={"choice": "reject"}), 422, "comment")
    problem(sponsor.put(f"{review}/votes", json={"choice": "maybe"}), 422)
    problem(sponsor.put(f"{review}/votes", json={"choice": "approve", "person": portfolio.emails["lead"]}), 422)

    # New evidence after a vote makes it stale: it must be cast again.
    ok(lead.post(f"{review}/artifacts/use_case_scorecard", files={"file": ("v2.pdf", PDF + b"v2")}), 201)
    stale = ok(viewer.get(review))
    assert stale["votes"][0]["stale"] is True and any("is stale" in b for b in stale["blockers"])
    ok(lead.put(f"{review}/votes", json={"choice": "approve", "comment": "re-checked"}))
    ok(sponsor.put(f"{review}/votes", json={"choice": "approve", "role": "sponsor"}))
    assert ok(sponsor.get(f"{API}/me/approvals"))[0]["action"] == "decide"
    assert ok(viewer.get(f"{API}/reviews/readiness"))[0]["go_allowed"] is True
    problem(viewer.get(f"{API}/use-cases/{key}/decisions/latest"), 404, "no gate decision")

    problem(sponsor.post(f"{review}/decision", json={"decision": "launch"}), 422)
    problem(sponsor.post(f"{review}/decision", json={"decision": "go", "to_stage": "scale"}), 422, "recycle")
    problem(sponsor.post(f"{review}/decision", json={"decision": "go", "decided_by": "x"}), 422)
    decided = ok(sponsor.post(f"{review}/decision", json={"decision": "go", "rationale": "value is clear"}), 201)
    assert decided["decision"] == "go" and decided["from_stage"] == "discovery" and decided["to_stage"] == "poc"
    assert decided["decided_by"] == portfolio.emails["sponsor"] and decided["snapshot_intact"] is True

    use_case = ok(viewer.get(f"{API}/use-cases/{key}"))
    assert use_case["stage"] == "poc" and use_case["status"] == "active" and use_case["open_review"] is None
    assert [h["stage"] for h in use_case["stage_history"]] == ["discovery", "poc"]
    latest = ok(viewer.get(f"{API}/use-cases/{key}/decisions/latest"))
    assert latest == ok(viewer.get(f"{API}/use-cases/{key}/decisions/latest", params={"gate": 1}))
    snapshot = latest["snapshot"]
    assert snapshot["use_case"] == key and snapshot["decision"] == "go" and snapshot["blockers"] == []
    assert {c["id"]: c["status"] for c in snapshot["criteria"]} == dict.fromkeys(CRITERIA, "met")
    assert {a["id"]: a["version"] for a in snapshot["artifacts"]}["use_case_scorecard"] == 2
    assert {v["role"] for v in snapshot["votes"] if not v["stale"]} == {"program_lead", "sponsor"}
    assert latest["snapshot_sha256"] == decided["snapshot_sha256"] and latest["snapshot_intact"] is True
    problem(viewer.get(f"{API}/use-cases/{key}/decisions/latest", params={"gate": 2}), 404, "Gate 2")

    problem(sponsor.post(f"{review}/decision", json={"decision": "go"}), 409, "already decided")
    problem(viewer.get(review), 404)
    assert ok(viewer.get(f"{API}/reviews/readiness")) == [] and ok(sponsor.get(f"{API}/me/approvals")) == []
    verified = ok(viewer.get(f"{API}/audit/verify"))
    assert verified["ok"] is True and verified["problems"] == [] and verified["first_bad_seq"] is None
    assert "gate.decided" in [e["action"] for e in ok(viewer.get(f"{API}/audit", params={"use_case": key}))]


# ---------------------------------------------------------------- policies and audit


def test_policies_are_listed_read_validated_and_published(as_: Any) -> None:
    lead, viewer = as_("lead"), as_("viewer")
    listed = ok(viewer.get(f"{API}/policies"))
    assert [(p["name"], p["version"], p["versions"]) for p in listed] == [("pilotgate-default", 1, [1])]
    policy = ok(viewer.get(f"{API}/policies/pilotgate-default"))
    assert policy["name"] == "pilotgate-default" and policy["version"] == 1 and len(policy["gates"]) == 4
    assert policy["sha256"] == listed[0]["sha256"] and policy["yaml"].startswith("# The stage-gate framework")
    assert ok(viewer.get(f"{API}/policies/pilotgate-default", params={"version": 1}))["version"] == 1
    problem(viewer.get(f"{API}/policies/pilotgate-default", params={"version": 7}), 404, "version 7")
    problem(viewer.get(f"{API}/policies/no-such-policy"), 404, "known policies: pilotgate-default")

    yaml_header = {"content-type": "application/yaml"}
    valid = ok(viewer.post(f"{API}/policies/validate", content=policy["yaml"], headers=yaml_header))
    assert valid == {"valid": True, "problems": [], "name": "pilotgate-default"}
    broken = policy["yaml"].replace("waiver_max_days: 180", "waiver_max_days: -1\n  surprise: yes")
    invalid = ok(viewer.post(f"{API}/policies/validate", content=broken, headers=yaml_header))
    assert invalid["valid"] is False and any("rules.surprise" in p for p in invalid["problems"])
    assert any("rules.waiver_max_days" in p for p in invalid["problems"])
    not_a_mapping = ok(viewer.post(f"{API}/policies/validate", content="[not, a, mapping", headers=yaml_header))
    assert not_a_mapping["valid"] is False and not_a_mapping["problems"]

    same = ok(lead.post(f"{API}/policies", content=policy["yaml"], headers=yaml_header), 201)
    assert same == {"name": "pilotgate-default", "version": 1, "created": False}
    renamed = policy["yaml"].replace("name: pilotgate-default", "name: strict-gates", 1)
    assert ok(lead.post(f"{API}/policies", content=renamed, headers=yaml_header), 201) == {
        "name": "strict-gates",
        "version": 1,
        "created": True,
    }
    assert publish_small_artifact_limit(lead, 4096) == 2
    assert ok(viewer.get(f"{API}/policies/pilotgate-default"))["rules"]["artifact_max_bytes"] == 4096
    assert [p["name"] for p in ok(viewer.get(f"{API}/policies"))] == ["pilotgate-default", "strict-gates"]
    rejected = problem(lead.post(f"{API}/policies", content=broken, headers=yaml_header), 422)
    assert rejected["title"] == "Invalid policy"
    problem(lead.post(f"{API}/policies", content="", headers=yaml_header), 422)
    assert ok(viewer.get(f"{API}/policies/pilotgate-default"))["version"] == 2


def test_the_audit_log_is_listed_filtered_and_verified(as_: Any, portfolio: Portfolio) -> None:
    viewer = as_("viewer")
    ok(as_("lead").patch(f"{API}/use-cases/{portfolio.other_key}", json={"description": "scores claims"}))
    events = ok(viewer.get(f"{API}/audit", params={"limit": 5000}))
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    newest = events[-1]
    assert newest["action"] == "usecase.updated" and newest["actor"] == portfolio.emails["lead"]
    assert newest["use_case"] == portfolio.other_key and newest["after"]["description"] == "scores claims"
    assert newest["before"]["description"] == "" and len(newest["hash"]) == 64
    assert ok(viewer.get(f"{API}/audit", params={"limit": 1})) == [newest]
    scoped = ok(viewer.get(f"{API}/audit", params={"use_case": portfolio.other_key.lower()}))
    assert scoped and {e["use_case"] for e in scoped} == {portfolio.other_key}
    for bad in ({"limit": 0}, {"limit": 5001}, {"use_case": "x" * 17}):
        problem(viewer.get(f"{API}/audit", params=bad), 422)
    verified = ok(viewer.get(f"{API}/audit/verify"))
    assert verified["ok"] is True and verified["events"] == len(events) and verified["head_seq"] == newest["seq"]
    assert verified["head_hash"] == newest["hash"] and verified["checkpoints_checked"] >= 1


# ---------------------------------------------------------------- accounts: me, tokens, users


def test_me_and_my_tokens_are_created_listed_and_revoked(as_: Any, app: object, portfolio: Portfolio) -> None:
    sponsor = as_("sponsor")
    me = ok(sponsor.get(f"{API}/me"))
    assert me == {"email": portfolio.emails["sponsor"], "name": "Sponsor", "role": "contributor", "via": "token"}
    created = ok(sponsor.post(f"{API}/me/tokens", json={"name": "ci pipeline"}), 201)
    secret = created["token"]
    assert secret.startswith("pgt_") and created["prefix"] == secret[:10] and created["revoked"] is False
    with TestClient(app, headers={"Authorization": f"Bearer {secret}"}) as fresh:  # type: ignore[arg-type]
        assert ok(fresh.get(f"{API}/me"))["email"] == portfolio.emails["sponsor"]
        listed = sponsor.get(f"{API}/me/tokens")
        assert [t["name"] for t in listed.json()] == ["test", "ci pipeline"]
        assert secret not in listed.text and portfolio.tokens["sponsor"] not in listed.text
        assert all("token" not in t and "token_hash" not in t for t in listed.json())

        problem(as_("lead").delete(f"{API}/me/tokens/{created['id']}"), 404)  # not the lead's token
        assert ok(fresh.get(f"{API}/me"))["role"] == "contributor"
        revoked = ok(sponsor.delete(f"{API}/me/tokens/{created['id']}"))
        assert revoked["revoked"] is True and revoked["id"] == created["id"]
        assert ok(sponsor.delete(f"{API}/me/tokens/{created['id']}"))["revoked"] is True  # idempotent
        problem(fresh.get(f"{API}/me"), 401, "sign in")
    problem(sponsor.delete(f"{API}/me/tokens/999999"), 404)
    problem(sponsor.delete(f"{API}/me/tokens/abc"), 422)
    problem(sponsor.post(f"{API}/me/tokens", json={"name": ""}), 422)
    problem(sponsor.post(f"{API}/me/tokens", json={"name": "x", "user_id": 1}), 422)
    assert ok(sponsor.post(f"{API}/me/tokens", json={}), 201)["name"] == "api"
    for header in ("Bearer pgt_forged", "Bearer ", "Basic dXNlcjpwYXNz", "pgt_no_scheme"):
        with TestClient(app, headers={"Authorization": header}) as stranger:  # type: ignore[arg-type]
            problem(stranger.get(f"{API}/me"), 401)


def test_an_admin_lists_creates_changes_and_disables_users(as_: Any, portfolio: Portfolio) -> None:
    admin = as_("admin")
    users = ok(admin.get(f"{API}/users"))
    assert {u["email"]: u["role"] for u in users} == {
        "admin@example.org": "admin",
        "lead@example.org": "program_lead",
        "sponsor@example.org": "contributor",
        "outsider@example.org": "contributor",
        "viewer@example.org": "viewer",
        "other.lead@example.org": "contributor",
        "other.sponsor@example.org": "contributor",
    }
    assert all(u["password_set"] and not u["disabled"] for u in users) and "password_hash" not in users[0]

    created = ok(admin.post(f"{API}/users", json={"email": "New.Analyst@example.org", "role": "viewer"}), 201)
    assert created["email"] == "new.analyst@example.org" and created["name"] == "New.Analyst"
    assert created["password_set"] is False and "/setup-password?token=" in created["password_setup_url"]
    problem(admin.post(f"{API}/users", json={"email": "new.analyst@example.org", "role": "viewer"}), 409)
    problem(admin.post(f"{API}/users", json={"email": "x@example.org", "role": "superuser"}), 422, "role")
    problem(admin.post(f"{API}/users", json={"email": "x@example.org", "role": "viewer", "disabled": False}), 422)
    problem(admin.post(f"{API}/users", json={"email": "x@example.org", "role": "viewer", "password_hash": "h"}), 422)
    problem(admin.post(f"{API}/users", json={"email": "bad", "role": "viewer"}), 422, "e-mail")

    # A role change takes effect on the very next request.
    problem(as_("viewer").post(f"{API}/use-cases", json={"title": "T", "business_unit": "B"}), 403)
    changed = ok(admin.put(f"{API}/users/viewer@example.org/role", json={"role": "contributor"}))
    assert changed["role"] == "contributor"
    ok(as_("viewer").post(f"{API}/use-cases", json={"title": "T", "business_unit": "B"}), 201)
    problem(admin.put(f"{API}/users/viewer@example.org/role", json={"role": "root"}), 422)
    problem(admin.put(f"{API}/users/ghost@example.org/role", json={"role": "viewer"}), 404)
    problem(admin.put(f"{API}/users/viewer@example.org/role", json={"role": "viewer", "email": "admin@x.org"}), 422)

    assert ok(as_("outsider").get(f"{API}/me"))["role"] == "contributor"
    disabled = ok(admin.post(f"{API}/users/outsider@example.org/disable"))
    assert disabled["disabled"] is True
    problem(as_("outsider").get(f"{API}/me"), 401)
    problem(as_("outsider").get(f"{API}/use-cases"), 401)
    problem(admin.post(f"{API}/users/ghost@example.org/disable"), 404)
    assert next(u for u in ok(admin.get(f"{API}/users")) if u["email"] == "outsider@example.org")["disabled"]


# ---------------------------------------------------------------- bad input, everywhere


JSON_WRITES = (
    ("post", "/use-cases", {"title": "T", "business_unit": "B"}),
    ("patch", "/use-cases/{key}", {"title": "T"}),
    ("put", "/use-cases/{key}/roles/sponsor", {"email": "sponsor@example.org"}),
    ("post", "/people", {"email": "p@example.org", "name": "P"}),
    ("put", "/use-cases/{key}/review/assessments/risk", {"status": "met", "note": "n"}),
    ("put", "/use-cases/{key}/review/votes", {"choice": "approve"}),
    ("post", "/use-cases/{key}/review/decision", {"decision": "hold"}),
    ("post", "/me/tokens", {"name": "t"}),
    ("post", "/users", {"email": "u@example.org", "role": "viewer"}),
    ("put", "/users/viewer@example.org/role", {"role": "viewer"}),
)


def test_bad_input_is_refused_with_a_problem_and_changes_nothing(as_: Any, portfolio: Portfolio) -> None:
    admin, lead = as_("admin"), as_("lead")
    ok(lead.post(f"{API}/use-cases/{portfolio.key}/review"), 201)
    events = len(ok(admin.get(f"{API}/audit", params={"limit": 5000})))
    for method, path, body in JSON_WRITES:
        url = API + path.format(key=portfolio.key)
        caller = admin if path.startswith(("/users", "/people", "/use-cases", "/me")) and "review" not in path else lead
        malformed = caller.request(method, url, content=b'{"title": ', headers={"content-type": "application/json"})
        problem(malformed, 422)
        problem(caller.request(method, url, json={**body, "is_admin": True}), 422)
        problem(caller.request(method, url, json=[body]), 422)
    assert len(ok(admin.get(f"{API}/audit", params={"limit": 5000}))) == events

    for url in (
        "/use-cases/UC-9999",
        "/use-cases/UC-9999/review",
        "/use-cases/UC-9999/artifacts/use_case_scorecard",
        "/use-cases/UC-9999/decisions/latest",
        "/use-cases/../../etc/passwd",
        "/policies/nope",
        "/no-such-route",
    ):
        problem(as_("viewer").get(API + url), 404)
    problem(lead.patch(f"{API}/use-cases/UC-9999", json={"title": "T"}), 404, "UC-9999")
    problem(lead.post(f"{API}/use-cases/UC-9999/review"), 404)
    problem(lead.put(f"{API}/use-cases/UC-9999/review/votes", json={"choice": "approve"}), 404)
    problem(lead.post(f"{API}/use-cases/UC-9999/review/decision", json={"decision": "hold"}), 404)
    charisma = f"{API}/use-cases/{portfolio.key}/review/assessments/charisma"
    problem(lead.put(charisma, json={"status": "met", "note": "n"}), 422, "not a criterion")
    problem(lead.delete(f"{API}/use-cases/{portfolio.key}"), 405)
    problem(as_(None).get(f"{API}/no-such-route"), 404)
    assert len(ok(admin.get(f"{API}/audit", params={"limit": 5000}))) == events
