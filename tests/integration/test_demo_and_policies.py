"""The demo portfolio, policy versions and the registry's listing."""

from __future__ import annotations

import json
from pathlib import Path

from tests.builders import cli, ok, ready_gate1, use_case


def test_demo_builds_a_realistic_portfolio_through_real_decisions(demo_printed: str) -> None:
    assert "26 use cases" in demo_printed  # 25 plans and one expansion
    listed = json.loads(ok("usecase", "list", "--json"))
    assert listed["total"] == 26
    items = listed["items"]
    assert {u["stage"] for u in items} == {"discovery", "poc", "pilot", "production", "scale"}
    assert len({u["business_unit"] for u in items}) >= 5
    assert sum(u["status"] == "stopped" for u in items) >= 2
    stalled_pilots = [u for u in items if u["stage"] == "pilot" and u["overdue"]]
    assert len(stalled_pilots) >= 2
    readiness = json.loads(ok("gate", "readiness", "--json"))
    assert len(readiness) >= 5 and any(r["go_allowed"] for r in readiness) and any(r["blockers"] for r in readiness)
    for item in items:  # every stage beyond discovery was reached by a recorded decision
        shown = json.loads(ok("usecase", "show", item["key"], "--json"))
        moves = [d for d in shown["decisions"] if d["from_stage"] != d["to_stage"] or d["decision"] == "recycle"]
        assert len(shown["stage_history"]) == 1 + len(moves)
    assert ok("audit", "verify").startswith("audit trail intact")


def test_demo_refreshes_itself_but_refuses_real_data(demo_home: Path) -> None:
    ok("demo")
    assert json.loads(ok("usecase", "list", "--json"))["total"] == 26
    ok("audit", "verify")


def test_demo_refuses_a_database_with_real_data(home: Path) -> None:
    use_case()
    result = cli("demo")
    assert result.code == 4 and "not demo data" in result.stderr
    assert json.loads(ok("usecase", "list", "--json"))["total"] == 1


def test_a_review_keeps_the_policy_version_it_opened_with(home: Path, tmp_path: Path) -> None:
    key, people = ready_gate1(tmp_path)
    stricter = ok("policy", "show", "--yaml").replace(
        "      - id: sponsorship\n",
        "      - id: ethics_board\n        title: Ethics board\n"
        "        requirement: The ethics board reviewed the use case.\n      - id: sponsorship\n",
    )
    (tmp_path / "v2.yaml").write_text(stricter)
    assert "published pilotgate-default version 2" in ok("policy", "publish", str(tmp_path / "v2.yaml"))
    status = json.loads(ok("gate", "status", key, "--json"))
    assert status["policy"]["version"] == 1 and "ethics_board" not in {c["id"] for c in status["criteria"]}
    ok("gate", "decide", key, "go", "--as", people["sponsor"])
    versions = json.loads(ok("policy", "list", "--json"))[0]["versions"]
    assert versions == [1, 2]
    other, other_people = use_case()
    ok("gate", "open", other, "--as", other_people["program_lead"])
    assert "ethics_board" in {c["id"] for c in json.loads(ok("gate", "status", other, "--json"))["criteria"]}
    assert "unchanged" in ok("policy", "publish", str(tmp_path / "v2.yaml"))


def test_listing_filters_sorts_and_pages(home: Path) -> None:
    for title, unit in (("Alpha forecasting", "Finance"), ("Beta chatbot", "HR"), ("Gamma routing", "Finance")):
        ok("usecase", "add", title, "--business-unit", unit, "--tag", "genai" if "chat" in title else "ml")
    finance = json.loads(ok("usecase", "list", "--business-unit", "finance", "--json"))
    assert [u["title"] for u in finance["items"]] == ["Alpha forecasting", "Gamma routing"]
    assert json.loads(ok("usecase", "list", "--tag", "genai", "--json"))["items"][0]["title"] == "Beta chatbot"
    assert json.loads(ok("usecase", "list", "--search", "ROUT", "--json"))["total"] == 1
    page = json.loads(ok("usecase", "list", "--sort", "-title", "--limit", "1", "--offset", "1", "--json"))
    assert page["total"] == 3 and [u["title"] for u in page["items"]] == ["Beta chatbot"]
    assert json.loads(ok("usecase", "list", "--stage", "poc", "--json"))["total"] == 0
