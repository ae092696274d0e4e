"""Prioritisation on SQLite and PostgreSQL, through the real CLI and services: scorecards and their
versions, the generated document attached to a Gate 1 review, every refusal (with nothing changed),
the ranking and value concentration (with their value sources), the timeline and the policy check."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from pilotgate.audit.models import AuditEvent
from pilotgate.gates.models import Artifact
from pilotgate.prioritisation import service
from pilotgate.prioritisation.models import Scorecard, ScorecardScore
from pilotgate.usecases import service as usecases
from tests.builders import cli, ok, person, uow, use_case

ALL = ("business_value", "feasibility", "data_availability", "process_maturity", "risk", "sponsorship")


def scores(*raw: str, **values: int) -> list[str]:
    """--criterion options scoring every criterion 3 (or as given); a raw `id=score[:why]` replaces its id."""
    replaced = {option.split("=", 1)[0] for option in raw}
    chosen = {c: 3 for c in ALL} | values
    args: list[str] = []
    for criterion, value in chosen.items():
        if criterion not in replaced:
            args += ["--criterion", f"{criterion}={value}"]
    for option in raw:
        args += ["--criterion", option]
    return args


def counts() -> tuple[int, int, int, int]:
    with uow(read_only=True) as unit:
        found = [
            unit.session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Scorecard, ScorecardScore, Artifact, AuditEvent)
        ]
    return found[0], found[1], found[2], found[3]


def show(key: str, *extra: str) -> dict:
    return json.loads(ok("score", "show", key, "--json", *extra))


def test_score_keep_versions_and_read_back(home: Path) -> None:
    key, people = use_case()
    lead = people["program_lead"]
    assert show(key)["scorecard"] is None
    given = scores(
        "business_value=4:Saves 2 FTE: measured in the audit",
        "process_maturity=2",
        "data_availability=5",
        "sponsorship=4",
        risk=2,
    )
    out = ok("score", "set", key, *given, "--expected-value", "250000", "--as", lead)
    assert "scorecard version 1 — 68.75/100" in out and "EUR 250,000.00" in out
    first = show(key)
    card = first["scorecard"]
    assert card["version"] == 1 and card["total"] == 68.75 and card["currency"] == "EUR"
    assert card["expected_value"] == "250000.00" and card["scored_by"] == lead
    assert [s["criterion"] for s in card["scores"]] == list(ALL)
    bv = card["scores"][0]
    assert (bv["score"], bv["points"], bv["rationale"]) == (4, 22.5, "Saves 2 FTE: measured in the audit")
    assert card["scores"][4]["inverse"] is True and card["policy"] == {"name": "pilotgate-default", "version": 1}
    assert [c["id"] for c in first["criteria"]] == list(ALL) and first["scale"] == {"min": 1, "max": 5}

    ok(
        "score",
        "set",
        key,
        *scores(risk=5),
        "--expected-value",
        "90000",
        "--currency",
        "usd",
        "--note",
        "New risk",
        "--as",
        lead,
    )
    second = show(key)
    assert [v["version"] for v in second["versions"]] == [1, 2]
    assert second["scorecard"]["total"] == 42.5 and second["scorecard"]["currency"] == "USD"
    assert show(key, "--version", "1")["scorecard"]["total"] == 68.75  # the old version is kept as it was
    with uow(read_only=True) as unit:
        events = unit.session.scalars(select(AuditEvent).where(AuditEvent.action == "scorecard.scored")).all()
    assert [json.loads(e.after)["version"] for e in events] == [1, 2]
    assert json.loads(events[1].after)["note"] == "New risk"


def test_scores_from_a_yaml_file(home: Path, tmp_path: Path) -> None:
    key, people = use_case()
    path = tmp_path / "card.yaml"
    document = {
        "scores": {c: {"score": 4, "rationale": f"{c} reviewed"} for c in ALL} | {"risk": 1},
        "expected_value": 1200000,
        "note": "From the discovery workshop",
    }
    path.write_text(yaml.safe_dump(document))
    ok(
        "score",
        "set",
        key,
        "--file",
        str(path),
        "--criterion",
        "sponsorship=5:CFO committed",
        "--as",
        people["sponsor"],
    )
    card = show(key)["scorecard"]
    assert {s["criterion"]: s["score"] for s in card["scores"]} == dict.fromkeys(ALL, 4) | {"risk": 1, "sponsorship": 5}
    assert (
        card["scores"][5]["rationale"] == "CFO committed"
        and card["scores"][0]["rationale"] == "business_value reviewed"
    )
    assert card["expected_value"] == "1200000.00" and card["note"] == "From the discovery workshop"
    path.write_text("scores: [1, 2]\n")
    assert (
        "needs a mapping with `scores:`"
        in cli("score", "set", key, "--file", str(path), "--as", people["sponsor"]).stderr
    )
    path.write_text("scores: {}\ncolour: red\n")
    assert "unknown key(s) colour" in cli("score", "set", key, "--file", str(path), "--as", people["sponsor"]).stderr


BAD = [
    (scores(business_value=6), "criterion.business_value: 6 is outside the scale 1–5"),
    (scores(business_value=0), "criterion.business_value: 0 is outside the scale 1–5"),
    (scores("ethics=3"), "criterion.ethics: 'ethics' is not a criterion of this policy"),
    (scores()[:-2], "criterion.sponsorship: is missing"),
    ([*scores(), "--criterion", "risk=2"], "--criterion: risk is given twice"),
    (scores("risk"), "--criterion: 'risk' is not id=score[:rationale]"),
    ([*scores(), "--expected-value", "-5"], "expected-value: -5 is negative"),
    ([*scores(), "--expected-value", "lots"], "expected-value: 'lots' is not an amount"),
    ([*scores(), "--expected-value", "10", "--currency", "EURO"], "currency: 'EURO' is not an ISO 4217"),
    ([*scores(), "--currency", "USD"], "currency: is given without an expected value"),
    ([*scores(), "--note", "x" * 2001], "note: is 2001 characters long"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "message"), BAD, ids=[m.split(":")[0] + str(i) for i, (_, m) in enumerate(BAD)])
def test_bad_input_is_refused_with_a_clear_message_and_nothing_changes(
    home: Path, args: list[str], message: str
) -> None:
    key, people = use_case()
    ok("score", "set", key, *scores(), "--as", people["program_lead"])
    before = counts()
    result = cli("score", "set", key, *args, "--as", people["program_lead"])
    assert result.code == 1, result.output
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.output
    assert counts() == before


def test_unknown_use_case_or_person_and_a_top_under_one(home: Path) -> None:
    key, people = use_case()
    before = counts()
    missing = cli("score", "set", "UC-9999", *scores(), "--as", people["program_lead"])
    assert missing.code == 3 and "no use case 'UC-9999'" in missing.stderr
    stranger = cli("score", "set", key, *scores(), "--as", "nobody@example.org")
    assert stranger.code == 3
    for top in ("0", "-2"):
        refused = cli("score", "concentration", "--top", top)
        assert refused.code == 1 and f"top: {top} is not a number of use cases; give 1 or more" in refused.stderr
    assert cli("score", "rank", "--stage", "nowhere").stderr.startswith("error: stage: 'nowhere' is not a stage")
    assert cli("score", "show", key, "--version", "3").code == 3
    assert counts() == before


def test_the_scorecard_document_is_attached_to_the_open_gate1_review(home: Path) -> None:
    key, people = use_case(roles=("program_lead", "sponsor", "technical_lead"))
    lead, sponsor = people["program_lead"], people["sponsor"]
    out = ok("score", "set", key, *scores(), "--as", lead)
    assert "Attached" not in out and "Not attached" not in out  # no review open: nothing to attach to
    refused = cli("score", "attach", key, "--as", lead)
    assert refused.code == 4 and "has no open gate review" in refused.stderr
    ok("gate", "open", key, "--as", lead)
    before = counts()
    saved = ok("score", "set", key, *scores("business_value=5:Quantified <b>|</b>"), "--as", sponsor)
    assert "Attached to the open review as use_case_scorecard v1" in saved
    status = json.loads(ok("gate", "status", key, "--json"))
    attached = next(a for a in status["artifacts"] if a["id"] == "use_case_scorecard")
    assert attached["attached"] and attached["version"] == 1
    with uow(read_only=True) as unit:
        row = unit.session.scalars(select(Artifact).where(Artifact.artifact_id == "use_case_scorecard")).one()
        assert row.uploaded_by.email == sponsor  # attached as the scorer
        assert row.filename == f"{key}-use-case-scorecard-v2.md" and row.media_type == "text/plain"
        card = service.get_or_raise(unit, usecases.get_or_raise(unit, key))
        expected = service.document(usecases.get_or_raise(unit, key), card)
    assert counts()[:3] == (before[0] + 1, before[1] + 6, before[2] + 1)
    target = home / "scorecard.md"
    ok("gate", "download", key, "use_case_scorecard", "-o", str(target))
    document = target.read_text(encoding="utf-8")
    assert document == expected
    assert f"# Use case scorecard: {key} Claims triage" in document and "version 2" in document
    assert "| Business value | 30% | 5 / 5 | 30 | Quantified \\<b\\>\\|\\</b\\> |" in document

    # Attached again on demand: a new artifact version with the same bytes.
    again = ok("score", "attach", key, "--as", lead)
    assert f"{key}: scorecard v2 attached as use_case_scorecard v2" in again
    status = json.loads(ok("gate", "status", key, "--json"))
    assert next(a for a in status["artifacts"] if a["id"] == "use_case_scorecard")["version"] == 2


def test_a_scorer_named_nowhere_is_not_made_an_uploader(home: Path) -> None:
    key, people = use_case()
    ok("gate", "open", key, "--as", people["program_lead"])
    outsider = person("Outsider")
    before = counts()
    out = ok("score", "set", key, *scores(), "--as", outsider)
    assert "Not attached:" in out and f"{outsider} holds no role on {key}" in out
    assert counts()[2] == before[2]  # no artifact
    refused = cli("score", "attach", key, "--as", outsider)
    assert refused.code == 5 and "holds no role" in refused.stderr


def test_no_attachment_to_a_review_that_does_not_ask_for_the_scorecard(home: Path, tmp_path: Path) -> None:
    from tests.builders import ready_gate1

    key, people = ready_gate1(tmp_path)
    ok("gate", "decide", key, "go", "--as", people["sponsor"])
    ok("gate", "open", key, "--as", people["program_lead"])  # Gate 2 now
    out = ok("score", "set", key, *scores(), "--as", people["program_lead"])
    assert "Attached" not in out
    refused = cli("score", "attach", key, "--as", people["program_lead"])
    assert refused.code == 4 and "the open review is Gate 2, which asks for no use_case_scorecard" in refused.stderr


def test_ranking_and_value_concentration(home: Path) -> None:
    lead = person("Lead")
    keys = {}
    plan = [  # title, scores, expected value, currency
        ("Alpha", {"business_value": 5}, "500000", None),
        ("Beta", {"business_value": 5}, "300000", None),  # the same score as Alpha, less value: after it
        ("Gamma", {}, "100000", None),
        ("Delta", {}, "100000", None),
        ("Epsilon", {"risk": 5}, None, None),  # no value: ranked, but left out of concentration
        ("Zeta", {}, "80000", "USD"),  # another currency: left out of the EUR view
    ]
    for title, values, amount, currency in plan:
        key = ok("usecase", "add", title, "--business-unit", "Ops").strip()
        keys[title] = key
        extra = ["--expected-value", amount] if amount else []
        extra += ["--currency", currency] if currency else []
        ok("score", "set", key, *scores(**values), *extra, "--as", lead)
    unscored = ok("usecase", "add", "Eta", "--business-unit", "Ops").strip()
    ranked = json.loads(ok("score", "rank", "--json"))
    assert [r["key"] for r in ranked["ranked"]] == [
        keys[t] for t in ("Alpha", "Beta", "Gamma", "Delta", "Zeta", "Epsilon")
    ]
    assert [r["rank"] for r in ranked["ranked"]] == [1, 2, 3, 4, 5, 6]
    assert (
        ranked["ranked"][0]["value_source"] == "scorecard_estimate" and ranked["ranked"][0]["expected_value"] == 500000
    )
    assert ranked["ranked"][-1]["value_source"] is None and ranked["unscored"] == [
        {"key": unscored, "title": "Eta", "stage": "discovery"}
    ]
    assert json.loads(ok("score", "rank", "--stage", "poc", "--json"))["ranked"] == []

    view = json.loads(ok("score", "concentration", "--top", "2", "--json"))
    assert (view["currency"], view["top"], view["counted"], view["use_cases"]) == ("EUR", 2, 2, 4)
    assert (view["total"], view["top_value"], view["top_share"], view["to_reach_line"]) == (1000000, 800000, 0.8, 2)
    assert [p["key"] for p in view["series"]] == [keys[t] for t in ("Alpha", "Beta", "Gamma", "Delta")]
    assert [p["cumulative_share"] for p in view["series"]] == [0.5, 0.8, 0.9, 1.0]
    assert {e["key"]: e["reason"] for e in view["excluded"]} == {
        keys["Epsilon"]: "no expected value",
        keys["Zeta"]: "estimated in USD; this view is in EUR",
        unscored: "no expected value",
    }
    usd = json.loads(ok("score", "concentration", "--currency", "usd", "--json"))
    assert [p["key"] for p in usd["series"]] == [keys["Zeta"]] and usd["top"] == 5  # the policy's top_n
    text = " ".join(ok("score", "concentration", "--top", "1").split())
    assert "The top 1 of 4 use case(s) hold 50.0% of EUR 1,000,000.00 expected value; 2 hold 80% of it" in text

    # A stopped use case is no longer a candidate for investment.
    with uow() as unit:
        usecases.get_or_raise(unit, keys["Alpha"]).status = "stopped"
    assert keys["Alpha"] not in {r["key"] for r in json.loads(ok("score", "rank", "--json"))["ranked"]}


def test_a_business_case_value_replaces_the_estimate(home: Path) -> None:
    finance = pytest.importorskip("pilotgate.finance.service")
    from pilotgate.finance.template import template_data

    key, people = use_case()
    lead = people["program_lead"]
    ok("score", "set", key, *scores(), "--expected-value", "250000", "--as", lead)
    assert json.loads(ok("score", "rank", "--json"))["ranked"][0]["value_source"] == "scorecard_estimate"
    with uow() as unit:
        finance.set_case(unit, key=key, spec=template_data() | {"start": "2026-03"}, actor=lead)
        npv = finance.expected_values(unit)[usecases.get_or_raise(unit, key).id]
    row = json.loads(ok("score", "rank", "--json"))["ranked"][0]
    assert (row["value_source"], row["expected_value"], row["currency"]) == ("business_case", round(npv, 2), "EUR")
    assert json.loads(ok("score", "concentration", "--json"))["series"][0]["source"] == "business_case"
    shown = json.loads(ok("timeline", key, "--format", "json"))
    assert shown["returns_from"].startswith("its business case (version 1")
    returns = [i for i in shown["items"] if i["section"] == "Returns"]
    assert returns[0]["start"] == "2026-03-01" and returns[1]["label"] == "Early indicators (month 11.25)"


def test_the_timeline_command(home: Path, tmp_path: Path) -> None:
    key, people = use_case(title="Claims: triage; #1")
    ok("gate", "open", key, "--as", people["program_lead"])
    text = ok("timeline", key)
    lines = text.splitlines()
    assert lines[0] == "gantt" and lines[1] == f"    title {key} Claims#58; triage#59; #35;1 plan vs actual"
    assert [line.strip() for line in lines if line.startswith("    section ")] == [
        "section Plan", "section Actual", "section Gates", "section Returns",
    ]  # fmt: skip
    assert any(line.startswith("    Gate 1 review open :active, milestone, ") for line in lines)
    assert any(line.startswith("    Discovery :active, a1, ") for line in lines)
    target = tmp_path / "timeline.json"
    assert f"{key}: timeline written to {target}" in ok("timeline", key, "--format", "json", "-o", str(target))
    shown = json.loads(target.read_text())
    assert shown["mermaid"] == text and shown["vega_lite"]["layer"][0]["mark"]["type"] == "bar"
    assert shown["returns_from"] == "the framework's typical timeline"
    assert cli("timeline", key, "--format", "png").stderr.startswith("error: --format: 'png' is not mermaid or json")
    assert cli("timeline", "UC-9999").code == 3
    unwritable = cli("timeline", key, "-o", str(tmp_path / "missing" / "dir" / "x.mmd"))
    assert unwritable.code == 1 and "--output: cannot write" in unwritable.stderr


def test_policy_validate_reports_the_prioritisation_key_path(home: Path, tmp_path: Path) -> None:
    text = ok("policy", "show", "--yaml")
    bad = text.replace("weight: 20,", "weight: 0,", 1).replace("{id: sponsorship,", "{id: risk,", 1)
    path = tmp_path / "bad.yaml"
    path.write_text(bad)
    result = cli("policy", "validate", str(path))
    assert result.code == 1
    assert "prioritisation.criteria[1].weight: Input should be greater than 0" in result.stderr
    without = tmp_path / "without.yaml"
    without.write_text(
        text.split("\nprioritisation:", 1)[0] + "\n" + text.split("\nprioritisation:", 1)[1].split("\n\n", 1)[1]
    )
    assert "valid policy" in ok("policy", "validate", str(without))


def test_the_demo_portfolio_is_scored_and_its_gate1_review_holds_the_document(demo_home: Path) -> None:
    ranked = json.loads(ok("score", "rank", "--json"))
    from pilotgate.demo import PLANS

    planned = {plan.title for plan in PLANS}  # every demo use case in play is scored (an expansion may not be)
    assert len(ranked["ranked"]) >= 20 and not planned & {u["title"] for u in ranked["unscored"]}
    view = json.loads(ok("score", "concentration", "--json"))
    assert view["top_share"] is not None and view["top_share"] > 0.5  # concentrated, as real portfolios are
    listed = json.loads(ok("usecase", "list", "--stage", "discovery", "--json"))["items"]
    with uow(read_only=True) as unit:
        documents = unit.session.scalars(
            select(Artifact).where(Artifact.artifact_id == "use_case_scorecard", Artifact.filename.like("%-v2.md"))
        ).all()
    assert documents and {d.filename.split("-use-case")[0] for d in documents} <= {u["key"] for u in listed}
    ok("audit", "verify")
