"""A realistic demo portfolio, built through the same services a user drives.

Every stage a demo use case reaches was reached by a real gate decision on real evidence and
votes, back-dated on a demo clock so that time-in-stage and stalled pilots look as they would.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from pilotgate import demo_metrics
from pilotgate.audit.models import Meta
from pilotgate.change.demo import record_demo_change
from pilotgate.config import Settings
from pilotgate.db.engine import Database
from pilotgate.db.uow import UnitOfWork
from pilotgate.errors import Conflict
from pilotgate.finance.demo import record_demo_business_case
from pilotgate.funding.demo import record_demo_funding
from pilotgate.gates import readiness
from pilotgate.gates import service as gates
from pilotgate.handover.demo import record_demo_handovers
from pilotgate.maturity.demo import record_demo_assessments
from pilotgate.operations.demo import record_demo_operations
from pilotgate.policy import service as policies
from pilotgate.prioritisation.demo import record_demo_scorecard
from pilotgate.scale.demo import record_demo_expansion
from pilotgate.usecases import repository
from pilotgate.usecases import service as usecases

DOMAIN = "demo.pilotgate.org"
PEOPLE = {
    "priya.raman": ("Priya Raman", "AI program lead"),
    "marcus.chen": ("Marcus Chen", "CIO"),
    "elena.garcia": ("Elena García", "Chief Risk & Compliance Officer"),
    "tom.okafor": ("Tom Okafor", "Technical lead, ML platform"),
    "sara.lindqvist": ("Sara Lindqvist", "Technical lead, data science"),
    "james.whitfield": ("James Whitfield", "Head of Finance"),
    "aisha.khan": ("Aisha Khan", "Finance sponsor"),
    "daniel.moreau": ("Daniel Moreau", "Head of Customer Service"),
    "lucy.nguyen": ("Lucy Nguyen", "Customer Service sponsor"),
    "rafael.santos": ("Rafael Santos", "Head of Supply Chain"),
    "mei.tanaka": ("Mei Tanaka", "Supply Chain sponsor"),
    "olivia.brown": ("Olivia Brown", "Head of HR"),
    "noah.fischer": ("Noah Fischer", "HR sponsor"),
    "grace.adeyemi": ("Grace Adeyemi", "General Counsel"),
    "ivan.petrov": ("Ivan Petrov", "Legal sponsor"),
    "hannah.weber": ("Hannah Weber", "Head of Marketing"),
    "leo.rossi": ("Leo Rossi", "Marketing sponsor"),
    "kofi.mensah": ("Kofi Mensah", "AI operations lead"),
}
UNITS = {
    "Finance": ("aisha.khan", "james.whitfield"),
    "Customer Service": ("lucy.nguyen", "daniel.moreau"),
    "Supply Chain": ("mei.tanaka", "rafael.santos"),
    "Human Resources": ("noah.fischer", "olivia.brown"),
    "Legal": ("ivan.petrov", "grace.adeyemi"),
    "Marketing": ("leo.rossi", "hannah.weber"),
}


@dataclass
class Plan:
    """One demo use case: where it goes and how many days ago it entered each stage."""

    title: str
    unit: str
    description: str
    entered: list[int]  # days ago it entered discovery, poc, pilot, ...; the last is its current stage
    risk: str = "medium"
    tags: tuple[str, ...] = ()
    ending: str | None = None  # stop | hold | recycle | conditional (how the last gate ended)
    in_flight: int = 0  # 0: no open review; 1: review opened; 2: half-assessed; 3: ready to decide
    tech: str = "tom.okafor"
    extra: dict[str, Any] = field(default_factory=dict)


PLANS = [
    Plan(
        "Invoice exception triage",
        "Finance",
        "Routes invoice exceptions to the right AP clerk with a suggested fix.",
        [420, 395, 350, 250, 180],
        tags=("document-ai",),
    ),
    Plan(
        "Cash-flow forecasting copilot",
        "Finance",
        "Weekly cash forecast with driver explanations for treasury.",
        [300, 280, 230, 130],
        tags=("forecasting",),
        in_flight=2,
        tech="sara.lindqvist",
    ),
    Plan(
        "Expense policy checker",
        "Finance",
        "Flags out-of-policy expense claims before approval.",
        [120, 100, 60],
        in_flight=3,
    ),
    Plan(
        "Audit sampling assistant",
        "Finance",
        "Proposes risk-based samples for internal audit.",
        [40, 18],
        risk="high",
        tech="sara.lindqvist",
        in_flight=1,
    ),
    Plan(
        "Customer email auto-reply",
        "Customer Service",
        "Drafts replies to routine customer e-mails for agent review.",
        [500, 470, 420, 330, 260],
        tags=("genai", "copilot"),
    ),
    Plan(
        "Agent assist knowledge search",
        "Customer Service",
        "Retrieval-augmented answers from the knowledge base.",
        [260, 240, 200, 95],
        tags=("genai",),
        in_flight=3,
    ),
    Plan(
        "Churn early-warning model",
        "Customer Service",
        "Scores accounts weekly for churn risk.",
        [330, 305, 250],
        tags=("ml",),
        tech="sara.lindqvist",
    ),
    Plan(
        "Call summarisation",
        "Customer Service",
        "Summarises calls into the CRM after each conversation.",
        [90, 70, 30],
        tags=("genai",),
        in_flight=2,
    ),
    Plan(
        "Voice-of-customer topic mining",
        "Customer Service",
        "Clusters complaints into emerging topics.",
        [200, 170],
        ending="stop",
        extra={"stop": "Pilot users saw no value over the existing BI dashboard."},
    ),
    Plan(
        "Demand sensing",
        "Supply Chain",
        "Short-term demand forecasts from POS and weather signals.",
        [460, 440, 400, 300, 230],
        tags=("forecasting",),
        tech="sara.lindqvist",
    ),
    Plan(
        "Supplier risk radar",
        "Supply Chain",
        "Monitors supplier news and financials for disruption risk.",
        [280, 255, 215, 150],
        risk="high",
        tags=("genai",),
        in_flight=1,
    ),
    Plan(
        "Warehouse slotting optimiser",
        "Supply Chain",
        "Suggests pick-face slotting from order history.",
        [150, 125],
        ending="recycle",
        in_flight=0,
    ),
    Plan(
        "Freight invoice audit",
        "Supply Chain",
        "Matches freight invoices against contracts and tenders.",
        [35, 10],
        in_flight=0,
    ),
    Plan(
        "CV screening assistant",
        "Human Resources",
        "Ranks applications against role requirements.",
        [210, 190],
        risk="critical",
        ending="stop",
        extra={
            "stop": "Regulatory blocker: high-risk employment use under the EU AI Act without an adequate bias audit."
        },
    ),
    Plan(
        "HR policy chatbot",
        "Human Resources",
        "Answers employee questions on HR policies.",
        [240, 220, 180, 21],  # live three weeks: in hypercare
        tags=("genai", "copilot"),
        ending="conditional",
    ),
    Plan(
        "Attrition drivers analysis",
        "Human Resources",
        "Explains attrition drivers per team for HR business partners.",
        [25],
        in_flight=2,
    ),
    Plan(
        "Contract clause extraction",
        "Legal",
        "Extracts key clauses and obligations from supplier contracts.",
        [310, 290, 250, 185],
        risk="high",
        tags=("document-ai", "genai"),
        in_flight=2,
    ),
    Plan(
        "NDA review copilot",
        "Legal",
        "First-pass review of inbound NDAs against the playbook.",
        [100, 80],
        tags=("genai",),
        ending="hold",
        extra={"hold": "Waiting for the legal-tech budget cycle."},
    ),
    Plan(
        "Litigation hold assistant",
        "Legal",
        "Identifies custodians and data sources for legal holds.",
        [14],
        risk="high",
    ),
    Plan(
        "Campaign copy generator",
        "Marketing",
        "Drafts campaign copy variants in the brand voice.",
        [230, 215, 185, 120, 50],
        tags=("genai",),
    ),
    Plan(
        "Next-best-offer engine",
        "Marketing",
        "Recommends offers per customer across channels.",
        [270, 245, 205],
        tags=("ml",),
        tech="sara.lindqvist",
    ),
    Plan(
        "Social listening sentiment",
        "Marketing",
        "Tracks brand sentiment across social channels.",
        [180, 160, 120],
        ending="stop",
        extra={"stop": "The POC worked, but it duplicates a capability the vendor platform already provides."},
    ),
    Plan(
        "Marketing mix modelling",
        "Marketing",
        "Attributes sales to channels to guide budget allocation.",
        [60, 45],
        in_flight=1,
        tech="sara.lindqvist",
    ),
    Plan("IT ticket routing", "Customer Service", "Classifies and routes internal IT tickets.", [20], in_flight=1),
    Plan(
        "Procurement spend classifier",
        "Finance",
        "Classifies spend lines into the procurement taxonomy.",
        [55, 28],
        in_flight=3,
    ),
]


class DemoClock:
    def __init__(self) -> None:
        self.today = datetime.now(UTC).replace(microsecond=0)
        self.at = self.today

    def set_days_ago(self, days: float) -> None:
        self.at = self.today - timedelta(days=days)

    def tick(self) -> None:
        self.at += timedelta(minutes=7)

    def __call__(self) -> datetime:
        return self.at


def email(handle: str) -> str:
    return f"{handle}@{DOMAIN}"


def reset_if_demo(settings: Settings) -> None:
    """Refresh a database that holds only demo data; refuse one that holds real data."""
    with UnitOfWork(settings, read_only=True) as uow:
        count = repository.count(uow, repository.filtered())
        marker = uow.session.execute(select(Meta.value).where(Meta.key == "demo")).scalar_one_or_none()
    if count == 0:
        return
    if marker is None:
        raise Conflict(
            f"the database at {settings.database_url} holds {count} use case(s) that are not demo data; "
            "run the demo on its own data directory, e.g. PILOTGATE_HOME=/tmp/pilotgate-demo pilotgate demo"
        )
    from pilotgate.db.reset import reset_database

    reset_database(settings)


def _walk(uow: UnitOfWork, clock: DemoClock, plan: Plan, key: str, roles: dict[str, str]) -> None:
    """Take the use case through a real gate decision for every stage it entered."""
    policy = policies.parsed(policies.get_or_raise(uow, "pilotgate-default"))
    for index, days in enumerate(plan.entered[1:], start=1):
        clock.set_days_ago(days + 3)
        last = index == len(plan.entered) - 1
        decision = "go"
        if last and plan.ending in ("stop", "hold", "recycle"):
            decision = plan.ending
        if index == 4:  # Gate 4's operations ownership is computed from the accepted handover
            record_demo_handovers(uow, clock, titles={plan.title})
        _review(uow, clock, key, roles, policy, decision=decision, days=days, plan=plan)
    if plan.in_flight:
        clock.set_days_ago(max(1, plan.entered[-1] // 3))
        if len(plan.entered) == 4 and plan.in_flight == 3:  # a Gate 4 review ready to decide
            record_demo_handovers(uow, clock, titles={plan.title})
        _review(uow, clock, key, roles, policy, decision=None, days=0, plan=plan)


def _review(
    uow: UnitOfWork,
    clock: DemoClock,
    key: str,
    roles: dict[str, str],
    policy: Any,
    *,
    decision: str | None,
    days: int,
    plan: Plan,
) -> None:
    lead = roles["program_lead"]
    review = gates.open_review(uow, key=key, actor=lead)
    gate = policy.gate(review.gate_number)
    progress = 3 if decision else plan.in_flight
    criteria = gate.criteria if progress >= 3 else gate.criteria[: len(gate.criteria) // 2] if progress == 2 else ()
    for criterion in criteria:
        if criterion.kind in ("metric", "computed"):
            continue  # measured or computed, not asserted: the demo's series and records decide it
        clock.tick()
        gates.assess(
            uow,
            key=key,
            criterion_id=criterion.id,
            status="met",
            actor=lead,
            note=f"{criterion.title}: evidence reviewed with the sponsor.",
        )
    artifacts = gate.artifacts if progress >= 3 else gate.artifacts[:1] if progress == 2 else ()
    for spec in artifacts:
        clock.tick()
        if spec.id.endswith(("scorecard", "report")):
            body = f"# {spec.title}\n\nUse case {key}: {plan.title}\n".encode()
            gates.attach(
                uow, key=key, artifact_id=spec.id, actor=lead, content=io.BytesIO(body), filename=f"{key}-{spec.id}.md"
            )
        else:
            gates.attach(
                uow, key=key, artifact_id=spec.id, actor=lead, url=f"https://wiki.{DOMAIN}/ai-programme/{key}/{spec.id}"
            )
    if progress < 3:
        return
    for role in gate.required_roles(plan.risk):
        clock.tick()
        approve = decision in ("go", "conditional")
        gates.vote(
            uow,
            key=key,
            choice="approve" if approve or decision is None else "reject",
            actor=roles[role],
            role=role,
            comment="" if approve or decision is None else plan.extra.get(decision, "Not ready."),
        )
    if decision is None:
        return
    clock.set_days_ago(days)
    if decision == "go" and plan.ending == "conditional" and days == plan.entered[-1]:
        due = (clock.today + timedelta(days=30)).date().isoformat()
        gates.decide(
            uow,
            key=key,
            decision="conditional_go",
            actor=lead,
            conditions=[f"Complete manager briefings in the two remaining regions|{roles['bu_head']}|{due}"],
        )
        return
    gates.decide(uow, key=key, decision=decision, actor=lead, rationale=plan.extra.get(decision, ""))


# Application roles of the demo accounts; everyone else is a contributor.
DEMO_APP_ROLES = {"priya.raman": "program_lead", "kofi.mensah": "admin", "hannah.weber": "viewer"}


def _demo_accounts(uow: UnitOfWork, actor: str) -> tuple[str, list[dict[str, str]]]:
    """An account for every demo person, all with one freshly generated password."""
    import secrets

    from pilotgate.accounts import service as accounts

    password = "demo-" + secrets.token_urlsafe(9)
    made = []
    for handle, (name, title) in PEOPLE.items():
        role = DEMO_APP_ROLES.get(handle, "contributor")
        accounts.create_user(uow, email=email(handle), role=role, name=name, actor=actor)
        accounts.set_password(uow, email=email(handle), password=password, actor=actor)
        made.append({"email": email(handle), "name": name, "title": title, "app_role": role})
    return password, made


def build_demo(actor: str, *, with_accounts: bool = False) -> dict[str, Any]:
    settings = Settings.from_env()
    Database.for_url(settings.database_url).ensure_schema()
    reset_if_demo(settings)
    clock = DemoClock()
    with UnitOfWork(settings, clock=clock) as uow:
        clock.set_days_ago(520)
        policies.ensure_shipped(uow)
        uow.session.merge(Meta(key="demo", value=clock.today.isoformat()))
        for handle, (name, _) in PEOPLE.items():
            usecases.person_create(uow, email=email(handle), name=name, actor=actor)
        for plan in PLANS:
            clock.set_days_ago(plan.entered[0])
            sponsor, head = UNITS[plan.unit]
            use_case = usecases.create(
                uow,
                title=plan.title,
                business_unit=plan.unit,
                risk_tier=plan.risk,
                description=plan.description,
                tags=plan.tags,
                actor=actor,
            )
            roles = {
                "program_lead": "priya.raman",
                "sponsor": sponsor,
                "bu_head": head,
                "technical_lead": plan.tech,
                "cio_cto": "marcus.chen",
                "risk_compliance": "elena.garcia",
                "ops_owner": "kofi.mensah",
            }
            roles = {role: email(handle) for role, handle in roles.items()}
            for role, who in roles.items():
                usecases.assign(uow, key=use_case.key, role=role, email=who, actor=actor)
            demo_metrics.seed(uow, key=use_case.key, plan=plan, today=clock.today, actor=roles["technical_lead"])
            record_demo_funding(uow, clock, plan=plan, key=use_case.key, roles=roles)
            record_demo_business_case(uow, clock, plan=plan, key=use_case.key, roles=roles)
            record_demo_change(uow, clock, plan=plan, key=use_case.key, roles=roles)
            record_demo_operations(uow, clock, plan=plan, key=use_case.key, roles=roles)
            _walk(uow, clock, plan, use_case.key, roles)
            record_demo_scorecard(uow, clock, plan=plan, key=use_case.key, roles=roles)
        record_demo_handovers(uow, clock)
        record_demo_expansion(uow, clock, actor=email("priya.raman"))
        record_demo_assessments(uow, clock, actor=email("priya.raman"))
        clock.at = clock.today
        password, made = _demo_accounts(uow, actor) if with_accounts else ("", [])
    summary = summarise(settings)
    if with_accounts:
        summary["password"], summary["accounts"] = password, made
    return summary


def summarise(settings: Settings) -> dict[str, Any]:
    with UnitOfWork(settings, read_only=True) as uow:
        found, _ = usecases.list_use_cases(uow)
        policy = policies.parsed(policies.get_or_raise(uow, "pilotgate-default"))
        now = uow.now()
        overdue = []
        for u in found:
            stage = policy.stage(u.stage)
            days = (now - u.stage_entered_at).days
            if u.status == "active" and stage is not None and stage.overdue(days):
                limit = stage.expected_duration.max_weeks or 0
                overdue.append({"key": u.key, "title": u.title, "stage": u.stage, "days": days, "max_days": limit * 7})
        ready = readiness.all_open(uow)
        return {
            "home": str(settings.home),
            "use_cases": len(found),
            "by_stage": dict(Counter(u.stage for u in found if u.status in ("active", "on_hold"))),
            "by_status": dict(Counter(u.status for u in found)),
            "stages": policy.stage_ids(),
            "open_reviews": [
                {"key": r.key, "title": r.title, "gate": r.gate, "blockers": len(r.blockers)} for r in ready
            ],
            "overdue": overdue,
            "people": [{"email": email(h), "name": n, "title": t} for h, (n, t) in PEOPLE.items()],
        }


def print_summary(summary: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    screen = Console(highlight=False)
    screen.print(f"[bold]pilotgate demo portfolio[/bold]: {summary['use_cases']} use cases in {summary['home']}")
    funnel = Table(title="Active portfolio by stage", title_justify="left")
    for stage in summary["stages"]:
        funnel.add_column(stage, justify="right")
    funnel.add_row(*(str(summary["by_stage"].get(s, 0)) for s in summary["stages"]))
    screen.print(funnel)
    screen.print("Status: " + ", ".join(f"{n} {s}" for s, n in sorted(summary["by_status"].items())))
    reviews = Table(title="Open gate reviews", title_justify="left")
    for column in ("Key", "Use case", "Gate", "Go"):
        reviews.add_column(column)
    for r in summary["open_reviews"]:
        reviews.add_row(
            r["key"],
            r["title"],
            str(r["gate"]),
            "[green]ready[/green]" if not r["blockers"] else f"[red]{r['blockers']} blocker(s)[/red]",
        )
    screen.print(reviews)
    stalled = Table(title="Past the stage's expected duration", title_justify="left")
    for column in ("Key", "Use case", "Stage", "Days in stage", "Expected at most"):
        stalled.add_column(column)
    for o in summary["overdue"]:
        stalled.add_row(o["key"], o["title"], o["stage"], str(o["days"]), str(o["max_days"]))
    screen.print(stalled)
    screen.print(
        "Try: [bold]pilotgate usecase list[/bold], [bold]pilotgate gate status UC-0003[/bold], "
        "[bold]pilotgate audit verify[/bold]"
    )


def print_accounts(summary: dict[str, Any], url: str) -> None:
    from rich.console import Console
    from rich.table import Table

    screen = Console(highlight=False)
    accounts = Table(title=f"Demo accounts — every password is {summary['password']}", title_justify="left")
    accounts.add_column("Sign in as", overflow="fold", min_width=34)
    accounts.add_column("Who", overflow="fold", max_width=24)
    accounts.add_column("App role", no_wrap=True, min_width=12)
    for account in summary["accounts"]:
        accounts.add_row(account["email"], f"{account['name']}, {account['title']}", account["app_role"])
    screen.print(accounts)
    screen.print(f"Open [bold]{url}[/bold] and sign in, e.g. as priya.raman@{DOMAIN} (AI program lead).")
