"""The business case API through the real app on SQLite and PostgreSQL: set and read the case and its
versions, sensitivity and Monte Carlo, actuals one by one and in bulk (CSV and JSON, all or none),
variance, re-forecast, tied indicators; refusals are problem+json naming the field and write
nothing; the use case page shows the section with user text escaped. Who may call these routes at
all is tests/web/test_authz_matrix.py."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher

from pilotgate.accounts import service as accounts
from pilotgate.finance import months
from pilotgate.finance.template import template_data
from tests.web.conftest import Portfolio

API = "/api/v1"
PROBLEM = "application/problem+json"
THIS_MONTH = months.this_month(datetime.now(UTC).date())


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


def case_body(**changes: Any) -> dict[str, Any]:
    data = template_data()
    data.update(start=months.label(THIS_MONTH, -8), **changes)
    return {"case": data, "note": "agreed at the steering committee"}


def test_set_read_and_track_a_business_case(app: object, portfolio: Portfolio) -> None:
    key = portfolio.key
    lead, sponsor, viewer = (portfolio.client(app, who) for who in ("lead", "sponsor", "viewer"))
    problem(viewer.get(f"{API}/use-cases/{key}/business-case"), 404, f"pilotgate case set {key} FILE")
    assert ok(viewer.get(f"{API}/use-cases/{key}/business-case/versions")) == []
    created = ok(lead.put(f"{API}/use-cases/{key}/business-case", json=case_body()))
    assert created["created"] and created["version"] == 1 and created["scenario"] == "conservative"
    assert created["figures"]["payback_month"] == 32 and created["author"] == "lead@example.org"
    same = ok(sponsor.put(f"{API}/use-cases/{key}/business-case", json=case_body()))
    assert not same["created"] and same["version"] == 1
    ok(sponsor.put(f"{API}/use-cases/{key}/business-case", json=case_body(discount_rate=0.08)))
    versions = ok(viewer.get(f"{API}/use-cases/{key}/business-case/versions"))
    assert [(v["version"], v["author"]) for v in versions] == [(1, "lead@example.org"), (2, "sponsor@example.org")]
    base = ok(viewer.get(f"{API}/use-cases/{key}/business-case", params={"scenario": "base", "version": 1}))
    assert base["scenario"] == "base" and base["figures"]["payback_month"] == 22 and base["discount_rate"] == 0.10

    tornado = ok(viewer.get(f"{API}/use-cases/{key}/business-case/sensitivity", params={"pct": 25}))
    assert tornado["pct"] == 25 and tornado["chart"]["layer"][0]["mark"]["type"] == "bar"
    effects = [d["npv_effect"] for d in tornado["drivers"]]
    assert effects == sorted(effects, reverse=True)
    simulated = ok(viewer.get(f"{API}/use-cases/{key}/business-case/simulation", params={"draws": 1000, "seed": 3}))
    assert simulated == ok(viewer.get(f"{API}/use-cases/{key}/business-case/simulation?draws=1000&seed=3"))
    assert simulated["npv_p10"] <= simulated["npv_p50"] <= simulated["npv_p90"]

    month = months.label(THIS_MONTH, -2)
    one = {"month": month, "kind": "cost", "category": "pilot", "amount": "45000.00", "note": "invoice 4711"}
    recorded = ok(sponsor.post(f"{API}/use-cases/{key}/business-case/actuals", json=one), 201)
    assert (recorded["amount"], recorded["source"], recorded["replaced"]) == ("45000.00", "api", False)
    again = ok(sponsor.post(f"{API}/use-cases/{key}/business-case/actuals", json={**one, "amount": 46000}), 201)
    assert again["replaced"] and again["amount"] == "46000.00"
    csv = "use_case,month,kind,category,amount\n" + "".join(
        f"{key},{months.label(THIS_MONTH, -8 + t)},cost,programme,{40000 + t}\n" for t in range(6)
    )
    report = ok(lead.post(f"{API}/business-cases/actuals", content=csv, headers={"content-type": "text/csv"}))
    assert report == {"recorded": 6, "replaced": 0, "use_cases": 1}
    benefit = {"use_case": key, "month": month, "kind": "benefit", "category": "savings", "amount": 1500}
    assert ok(lead.post(f"{API}/business-cases/actuals", json={"actuals": [benefit]}))["recorded"] == 1
    listed = ok(viewer.get(f"{API}/use-cases/{key}/business-case/actuals"))
    assert len(listed) == 8 and listed[0]["month"] == months.label(THIS_MONTH, -8)

    gap = ok(viewer.get(f"{API}/use-cases/{key}/business-case/variance"))
    assert gap["elapsed_months"] == 7 and gap["months"][6]["actual_cost"] == 46000
    assert gap["months"][0]["actual_cost"] == 40000 and gap["totals"]["actual_benefit"] == 1500
    fresh = ok(viewer.get(f"{API}/use-cases/{key}/business-case/reforecast", params={"scenario": "base"}))
    assert fresh["scenario"] == "base" and fresh["elapsed_months"] == 7
    tied = ok(viewer.get(f"{API}/use-cases/{key}/business-case/indicators"))
    assert [i["metric"] for i in tied["indicators"]] == ["active_users", "task_completion_minutes", "cost"]
    assert {i["status"] for i in tied["indicators"]} == {"not_defined"}
    template = ok(viewer.get(f"{API}/business-cases/template"))
    assert template["case"]["horizon_months"] == 36 and "discovery" in template["yaml"]


def test_refusals_name_the_field_and_write_nothing(app: object, portfolio: Portfolio) -> None:
    key, other = portfolio.key, portfolio.other_key
    lead, sponsor, outsider = (portfolio.client(app, who) for who in ("lead", "sponsor", "outsider"))
    ok(lead.put(f"{API}/use-cases/{key}/business-case", json=case_body()))
    ok(lead.put(f"{API}/use-cases/{other}/business-case", json=case_body()))
    url = f"{API}/use-cases/{key}/business-case"
    bad = case_body()
    bad["case"]["phases"][2]["end_month"] = 1
    problem(lead.put(url, json=bad), 422, "phases[2].end_month: month 1 is not after start_month 3")
    problem(lead.put(url, json=case_body(horizon_months=0)), 422, "horizon_months")
    problem(lead.put(url, json={"case": []}), 422)
    problem(lead.put(url, json={"case": {}, "extra": 1}), 422)
    problem(lead.get(f"{url}/sensitivity", params={"pct": 120}), 422, "pct")
    problem(lead.get(f"{url}/simulation", params={"draws": 50}), 422, "draws")
    problem(lead.get(url, params={"scenario": "rosy"}), 422, "scenario")
    problem(outsider.put(url, json=case_body()), 403, "holds no role")
    problem(sponsor.put(f"{API}/use-cases/{other}/business-case", json=case_body()), 403, "holds no role")
    actual = {"month": months.label(THIS_MONTH, -1), "kind": "cost", "category": "pilot", "amount": -5}
    problem(sponsor.post(f"{url}/actuals", json=actual), 422, "amount: -5 is negative")
    problem(sponsor.post(f"{url}/actuals", json={**actual, "amount": None}), 422, "amount: is missing")
    rows = [
        {"use_case": key, "month": months.label(THIS_MONTH, -1), "kind": "cost", "category": "x", "amount": 5},
        {"use_case": other, "month": months.label(THIS_MONTH, -1), "kind": "cost", "category": "x", "amount": 5},
        {"use_case": key, "month": months.label(THIS_MONTH, 2), "kind": "cost", "category": "x", "amount": 5},
    ]
    refused = problem(sponsor.post(f"{API}/business-cases/actuals", json={"actuals": rows}), 422)
    assert "row 2: use_case: you hold no role" in refused["detail"] and "row 3: month:" in refused["detail"]
    problem(
        sponsor.post(f"{API}/business-cases/actuals", content="a,b\n", headers={"content-type": "text/csv"}),
        422,
        "missing column(s) use_case, month, kind, category, amount",
    )
    problem(sponsor.post(f"{API}/business-cases/actuals", content="x", headers={"content-type": "text/plain"}), 422)
    assert ok(lead.get(f"{url}/actuals")) == [] and len(ok(lead.get(f"{url}/versions"))) == 1


def test_the_use_case_page_shows_the_business_case_escaped(app: object, portfolio: Portfolio) -> None:
    key = portfolio.key
    lead = portfolio.client(app, "lead")
    page = lead.get(f"/use-cases/{key}")
    assert page.status_code == 200 and 'id="h-business-case"' in page.text
    assert "No business case yet" in page.text and f"pilotgate case set {key} case.yaml" in page.text
    hostile = case_body(title="<script>alert(1)</script>", horizon_months=24)
    hostile["case"]["benefits"][0]["name"] = "<img src=x onerror=alert(2)>"
    ok(lead.put(f"{API}/use-cases/{key}/business-case", json=hostile))
    page = lead.get(f"/use-cases/{key}")
    section = page.text.split('aria-labelledby="h-business-case"', 1)[1].split("</section>", 1)[0]
    assert "<script>alert(1)" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in section
    assert "<img src=x" not in page.text  # inside the chart spec it is JSON-escaped too
    assert 'id="bc-s-conservative"' in section and "checked" in section.split('id="bc-s-base"')[0]
    assert "Conservative (presented)" in section and "horizon is 24 months" in section
    assert section.count("data-vega-spec=") == 3  # cash flow, tornado, Monte Carlo; no actuals yet
    assert "No actual recorded yet" in section
