"""Reports on SQLite and PostgreSQL: gate packets and the portfolio report printed to PDF through the
CLI, read back with pdftotext and pypdf; HTML and Markdown escaping of hostile user text; every
refusal with nothing written."""

from __future__ import annotations

import re
import subprocess
from datetime import date, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from pilotgate.reports import service
from tests.builders import cli, ok, ready_gate1, uow, use_case
from tests.integration.test_evidence_gates import import_adoption, in_gate3, vote_all

HOSTILE = '<script>alert("x")</script> | Claims & <b>triage</b>'


def pdf_text(path: Path) -> str:
    """The PDF's text as pdftotext reads it, whitespace folded."""
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True, timeout=60)
    return " ".join(done.stdout.split())


def pages(path: Path) -> int:
    return len(PdfReader(path).pages)


def wrote(output: str, path: Path) -> int:
    """The page count the CLI reported writing, checked against the file."""
    match = re.search(rf"wrote {re.escape(str(path))} \(PDF, (\d+) pages?, ([\d,]+) bytes\)", output)
    assert match, output
    assert int(match.group(2).replace(",", "")) == path.stat().st_size
    return int(match.group(1))


def test_an_open_review_prints_a_packet_with_criteria_evidence_and_approvals(home: Path, tmp_path: Path) -> None:
    key, people = ready_gate1(tmp_path, vote=False)
    ok("gate", "assess", key, "risk", "met", "--as", people["program_lead"], "--note", "DPIA done",
       "--evidence", "https://wiki.example.org/dpia")  # fmt: skip
    for approver in ("program_lead", "sponsor"):
        ok("gate", "vote", key, "approve", "--as", people[approver])
    target = tmp_path / "packet.pdf"
    counted = wrote(ok("report", "gate", key, "-o", str(target)), target)
    text = pdf_text(target)
    assert target.read_bytes().startswith(b"%PDF-") and counted == pages(target) >= 2
    for expected in (
        f"{key} · Claims triage",
        "Gate 1: Discovery → POC",
        "Ready for decision",
        "Business value",
        "Data availability",
        "Process maturity",
        "Sponsorship",
        "Use case scorecard",
        "DPIA done",
        "https://wiki.example.org/dpia",
        "approve",
        people["sponsor"],
        "No decision yet",
        "No business case recorded",
        f"Page {counted} of {counted}",
    ):
        assert expected in text, expected
    assert "5/5 4/4 2/2" in text.replace(" / ", "/") and "CRITERIA MET OR WAIVED" in text  # the key figures


def test_a_decided_review_prints_as_decided_and_gate_picks_an_earlier_review(home: Path, tmp_path: Path) -> None:
    key, people = ready_gate1(tmp_path)
    due = (date.today() + timedelta(days=30)).isoformat()
    ok("gate", "decide", key, "conditional_go", "--as", people["sponsor"], "--rationale", "Strong case; one gap.",
       "--condition", f"Sign the data-sharing agreement|{people['program_lead']}|{due}")  # fmt: skip
    first = tmp_path / "gate1.pdf"
    ok("report", "gate", key, "-o", str(first))
    text = pdf_text(first)
    frozen = "As frozen in the decision's evidence snapshot"
    for expected in ("Decision: Conditional Go", "Strong case; one gap.", "Sign the data-sharing agreement", due,
                     frozen, "intact", "Discovery → Proof of Concept"):  # fmt: skip
        assert expected in text, expected
    ok("gate", "open", key, "--as", people["program_lead"])  # now the open Gate 2 review is the default
    second = tmp_path / "gate2.md"
    ok("report", "gate", key, "-o", str(second))
    assert second.read_text(encoding="utf-8").startswith(f"# Gate 2 review packet: {key}")
    again = tmp_path / "again.md"
    ok("report", "gate", key, "--gate", "1", "-o", str(again))
    markdown = again.read_text(encoding="utf-8")
    assert markdown.startswith(f"# Gate 1 review packet: {key}") and "**Decision: Conditional Go**" in markdown
    assert "| Condition | Owner | Due | Status |" in markdown and f"| {due} | open |" in markdown


def test_hostile_text_is_escaped_in_html_and_markdown_and_printed_as_text(home: Path, tmp_path: Path) -> None:
    key, people = use_case(HOSTILE)
    ok("gate", "open", key, "--as", people["program_lead"])
    ok("gate", "assess", key, "risk", "not_met", "--as", people["program_lead"],
       "--note", "<img src=x onerror=alert(1)> a|b [link](javascript:alert(1))")  # fmt: skip
    page = tmp_path / "packet.html"
    ok("report", "gate", key, "-o", str(page))
    html = page.read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>triage" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; | Claims &amp; &lt;b&gt;triage&lt;/b&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script" not in html.lower().replace("&lt;script", "")  # a report carries no script at all

    markdown = ok("report", "gate", key, "--format", "md", "-o", "-")
    assert re.findall(r"(?<!\\)<(?!https?://)|(?<!\\)\]\(", markdown) == []  # no raw HTML, no user link
    assert '\\<script\\>alert("x")\\</script\\> \\| Claims \\& \\<b\\>triage\\</b\\>' in markdown
    row = next(line for line in markdown.splitlines() if line.startswith("| Risk |"))
    assert row.count(" | ") == 3 and "a\\|b" in row and "\\[link\\](javascript:alert(1))" in row

    printed = tmp_path / "packet.pdf"
    ok("report", "gate", key, "-o", str(printed))
    text = pdf_text(printed)
    assert HOSTILE in text and "<img src=x onerror=alert(1)> a|b" in text and "not met" in text


def test_markdown_has_the_tables(home: Path, tmp_path: Path) -> None:
    key, _ = ready_gate1(tmp_path)
    markdown = ok("report", "gate", key, "-o", "-")  # Markdown by default on standard output
    for header in (
        "| Role | Name | E-mail |",
        "| Criterion | Kind | Status | Basis |",
        "| Required artifact | Attached | Version | By | SHA-256 |",
        "| Approver role | Named approver | Vote | Cast | Comment |",
    ):
        assert header in markdown, header
    rows = [line for line in markdown.splitlines() if line.startswith("| ") and " | attestation | met |" in line]
    assert len(rows) == 5 and all(line.count(" | ") == 3 for line in rows)
    portfolio = ok("report", "portfolio", "--format", "markdown", "-o", "-")
    assert portfolio.startswith("# AI use-case portfolio report")
    assert "| Stage | active | on hold | stopped | retired | Total |" in portfolio
    assert "| Discovery | 1 | 0 | 0 | 0 | 1 |" in portfolio and "## Against the benchmarks" in portfolio


def test_every_refusal_is_one_line_and_writes_nothing(home: Path, tmp_path: Path) -> None:
    bare, _ = use_case("Nothing reviewed yet")
    key, _ = ready_gate1(tmp_path)
    existing = tmp_path / "existing.pdf"
    existing.write_bytes(b"keep me")
    cases = [
        (("report", "gate", bare, "-o", str(existing)), 3, f"{bare} has no gate review yet"),
        (("report", "gate", key, "--gate", "3", "-o", str(existing)), 3, f"{key} has no review at Gate 3"),
        (("report", "gate", "UC-9999", "-o", str(existing)), 3, "no use case 'UC-9999'"),
        (("report", "gate", key, "--format", "docx", "-o", str(existing)), 1, "'docx' is not a report format"),
        (("report", "gate", key, "-o", str(tmp_path / "packet.txt")), 1, "has no .pdf, .html or .md extension"),
        (("report", "portfolio", "-o", str(tmp_path / "missing" / "r.pdf")), 1, "does not exist"),
        (("report", "portfolio", "-o", str(tmp_path)), 1, "is a directory"),
    ]
    for args, code, message in cases:
        result = cli(*args)
        assert result.code == code, (args, result.output)
        assert result.stderr.startswith("error: ") and message in result.stderr, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert existing.read_bytes() == b"keep me"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []  # no temporary file left


def test_a_packet_replaces_its_file_whole(home: Path, tmp_path: Path) -> None:
    key, _ = ready_gate1(tmp_path)
    target = tmp_path / "packet.html"
    target.write_text("an older packet", encoding="utf-8")
    ok("report", "gate", key, "-o", str(target))
    assert target.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".pilotgate-report-")] == []


def test_measured_criteria_print_their_values_and_charts_and_a_decision_freezes_them(
    home: Path, tmp_path: Path
) -> None:
    key, people = in_gate3(tmp_path)
    import_adoption(tmp_path, key, people["program_lead"], 75)
    vote_all(key, people)
    with uow(read_only=True) as unit:
        data = service.gate_packet(unit, key)
    measured = {c["id"]: c for c in data["criteria"] if c["kind"] == "metric"}
    assert set(measured) == {"system_stability", "adoption"}
    assert [len(c["charts"]) for c in measured.values()] == [3, 1]  # uptime, latency, errors; adoption
    packet = tmp_path / "gate3.pdf"
    counted = wrote(ok("report", "gate", key, "-o", str(packet)), packet)
    text = pdf_text(packet)
    assert counted == pages(packet) >= 3 and "Gate 3: Pilot → Production" in text
    for criterion in data["criteria"]:
        assert criterion["title"] in text, criterion["title"]
    for approval in data["approvals"]:
        assert approval["name"] in text and approval["person"] in text, approval
    # The charts are drawn into the PDF: their threshold labels are text on the page.
    for label in ("slo.uptime 99.5", "slo.latency_ms 1000", "slo.error_rate 1", "rules.adoption_threshold 0.6"):
        assert label in text, label
    assert 'uptime(window="30d") = 99.9 ≥ slo.uptime = 99.5' in text and "= 0.75 ≥ rules.adoption_threshold" in text

    ok("gate", "decide", key, "go", "--as", people["bu_head"], "--rationale", "Adoption is real.")
    import_adoption(tmp_path, key, people["program_lead"], 5, name="after.csv")  # later data changes nothing
    decided = tmp_path / "decided.pdf"
    ok("report", "gate", key, "-o", str(decided))
    text = pdf_text(decided)
    assert "Decision: Go" in text and "Adoption is real." in text and "= 0.75 ≥ rules.adoption_threshold" in text
    assert "As frozen in the decision's evidence snapshot" in text


def test_a_business_case_prints_its_figures_warnings_and_charts(home: Path, tmp_path: Path) -> None:
    key, people = use_case("Invoice matching")
    ok("gate", "open", key, "--as", people["program_lead"])
    case = tmp_path / "case.yaml"
    case.write_text(ok("case", "template"), encoding="utf-8")
    ok("case", "set", key, str(case), "--as", people["program_lead"])
    with uow(read_only=True) as unit:
        summary = service.gate_packet(unit, key)["business_case"]
    assert summary is not None and summary["charts"]
    printed = tmp_path / "packet.pdf"
    ok("report", "gate", key, "-o", str(printed))
    text = pdf_text(printed)
    npv = f"EUR {round(summary['npv']):,}"
    drawn = "Months from start"  # the cash-flow chart's axis title: the chart is in the PDF
    for expected in ("Business case", npv, "NET PRESENT VALUE", f"month {summary['payback_month']}",
                     "Monte Carlo simulation", "NPV, median", "Chance of payback within 36 months", drawn):  # fmt: skip
        assert expected in text, expected
    assert "No business case recorded" not in text
    markdown = ok("report", "gate", key, "-o", "-")
    assert f"| {npv} |" in markdown and "| NPV, median |" in markdown
    value = ok("report", "portfolio", "-o", "-")
    assert f"| {key} Invoice matching | Discovery | active | {npv} |" in value


def test_the_portfolio_report_prints_funnel_stalled_benchmarks_funding_and_value(home: Path, tmp_path: Path) -> None:
    ready, _ = ready_gate1(tmp_path)
    orphan, _ = use_case("Orphaned pilot", roles=("program_lead",))  # no sponsor: a stalled finding
    report = tmp_path / "portfolio.pdf"
    counted = wrote(ok("report", "portfolio", "-o", str(report)), report)
    text = pdf_text(report)
    assert counted == pages(report) >= 2
    for expected in ("AI use-case portfolio", "Funnel", "Gates: conversion and kill rate", "Time in stage",
                     "Against the benchmarks", "Gartner", "Deloitte", "Stalled and zombie use cases",
                     f"{orphan} Orphaned pilot", "no named business-unit sponsor", "Production AI on project money",
                     "Value", "No business cases recorded"):  # fmt: skip
        assert expected in text, expected
    assert f"{ready} Claims triage" not in text  # not stalled
    page = tmp_path / "portfolio.html"
    ok("report", "portfolio", "-o", str(page))
    assert page.read_text(encoding="utf-8").count('<img src="data:image/svg+xml;base64,') == 2  # funnel, time


@pytest.mark.parametrize("fmt", ["pdf", "html", "md"])
def test_each_format_renders_an_empty_portfolio(home: Path, tmp_path: Path, fmt: str) -> None:
    with uow() as unit:
        from pilotgate.policy import service as policies

        policies.ensure_shipped(unit)
    with uow(read_only=True) as unit:
        data = service.portfolio_report(unit)
    rendered = service.render_portfolio(data, fmt)
    assert rendered.media_type.startswith(service.FORMATS[fmt].split(";")[0])
    assert rendered.filename == f"portfolio-report-{data['generated_at'][:10]}.{fmt}"
    body = rendered.content
    assert body.startswith({"pdf": b"%PDF-", "html": b"<!doctype html>", "md": b"# AI use-case portfolio"}[fmt])
    if fmt == "pdf":
        assert rendered.pages and rendered.pages >= 1
    else:
        assert "Nothing is stalled." in body.decode()
