"""Who may call what: every API route × every role × {own use case, someone else's}, plus the anonymous.

The expected answer of each cell is derived from `accounts.rules.PERMISSIONS` (pinned below, so a
change to it must be made here too) and from the one rule PERMISSIONS does not hold: only the
person named to a role on a use case may work on or sign its gate. Every refusal writes nothing
and is logged. The cookie path (sign in, CSRF, sign out) is at the end.

One shared portfolio on SQLite for the whole module (rebuilding it per cell would take minutes);
each cell works on objects made for it alone, so cells do not depend on each other or on order.
"""

from __future__ import annotations

import io
import itertools
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from pilotgate.accounts import service as accounts
from pilotgate.accounts.rules import PERMISSIONS
from pilotgate.audit import service as audit
from pilotgate.change import service as change
from pilotgate.config import Settings
from pilotgate.db.engine import Database
from pilotgate.db.uow import UnitOfWork
from pilotgate.evidence import service as metrics
from pilotgate.evidence import sync
from pilotgate.finance import service as finance
from pilotgate.finance.template import template_data
from pilotgate.funding import service as funding
from pilotgate.gates import service as gates
from pilotgate.handover import service as handover
from pilotgate.handover.rules import ITEMS as HANDOVER_ITEMS
from pilotgate.maturity import service as maturity
from pilotgate.maturity.questionnaire import QUESTIONS
from pilotgate.operations import incidents as ops_incidents
from pilotgate.prioritisation import service as scorecards
from pilotgate.scale import service as scale
from pilotgate.usecases import service as usecases
from pilotgate.usecases.models import UseCase
from tests.web.conftest import PASSWORD, Portfolio, build_portfolio

API = "/api/v1"
PROBLEM = "application/problem+json"
PDF = b"%PDF-1.4\n% matrix evidence\n"
YAML = {"content-type": "application/yaml"}
PROMETHEUS = {"url": "http://127.0.0.1:9", "queries": {"uptime": "up"}}  # validates; nothing listens there

# Who asks, and the application role their account has.
WHO = ("anonymous", "viewer", "outsider", "sponsor", "lead", "admin")
APP_ROLE = {
    "anonymous": None,
    "viewer": "viewer",
    "outsider": "contributor",  # named on nothing
    "sponsor": "contributor",  # named sponsor on the "own" use case
    "lead": "program_lead",  # named program_lead on the "own" use case
    "admin": "admin",  # named on nothing: no exemption from the named-approver rule
}
NAMED_ON_OWN = {"sponsor": "sponsor", "lead": "program_lead"}
OWNERS = {"own": ("lead", "sponsor"), "other": ("other_lead", "other_sponsor")}  # program_lead, sponsor


def test_permissions_are_the_ones_this_matrix_was_written_for() -> None:
    """The table below follows PERMISSIONS; widening a role must be a deliberate change here too."""
    assert {action: set(roles) for action, roles in PERMISSIONS.items()} == {
        "read": {"admin", "program_lead", "contributor", "viewer"},
        "review.work": {"admin", "program_lead", "contributor"},
        "usecase.create": {"admin", "program_lead", "contributor"},
        "usecase.edit": {"admin", "program_lead"},
        "role.assign": {"admin", "program_lead"},
        "person.create": {"admin", "program_lead"},
        "policy.publish": {"admin", "program_lead"},
        "evidence.write": {"admin", "program_lead", "contributor"},
        "connector.manage": {"admin", "program_lead"},
        "user.manage": {"admin"},
        "maturity.assess": {"admin", "program_lead"},
        "funding.write": {"admin", "program_lead", "contributor"},
        "finance.write": {"admin", "program_lead", "contributor"},
        "handover.write": {"admin", "program_lead", "contributor"},
        "scale.write": {"admin", "program_lead", "contributor"},
        "change.write": {"admin", "program_lead", "contributor"},
        "operations.write": {"admin", "program_lead", "contributor"},
        "score.write": {"admin", "program_lead", "contributor"},
    }


# ---------------------------------------------------------------- the shared world


@dataclass
class World:
    app: Any
    settings: Settings
    portfolio: Portfolio
    clients: dict[str, TestClient]
    shipped_yaml: str
    serial: Iterator[int]

    def email(self, handle: str) -> str:
        return self.portfolio.emails[handle]

    def unique(self, stem: str) -> str:
        return f"{stem}{next(self.serial)}"

    def audit_head(self) -> int:
        with UnitOfWork(self.settings, read_only=True) as uow:
            newest = audit.history(uow, limit=1)
        return newest[0].seq if newest else 0


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    home = tmp_path_factory.mktemp("matrix") / "home"
    settings = Settings(
        home=home, database_url=f"sqlite:///{home / 'pilotgate.db'}", audit_key_path=home / "keys" / "audit.pem"
    )
    with pytest.MonkeyPatch.context() as patch:
        # Still argon2id, with its cheapest parameters: a dozen accounts get passwords here.
        patch.setattr(accounts, "hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        patch.delenv("PILOTGATE_SECURE_COOKIES", raising=False)
        from pilotgate.web.app import create_app

        app = create_app(settings)
        portfolio = build_portfolio(settings)
        clients = {who: portfolio.client(app, None if who == "anonymous" else who) for who in WHO}
        shipped = clients["viewer"].get(f"{API}/policies/pilotgate-default").json()["yaml"]
        yield World(app, settings, portfolio, clients, shipped, itertools.count(1))
        for client in clients.values():
            client.close()
    Database.dispose_all()


def fresh_use_case(
    world: World,
    target: str,
    *,
    review: bool = False,
    artifact: bool = False,
    decided: bool = False,
    metric: bool = False,
) -> str:
    """A use case for one cell: its program lead and sponsor are the lead and sponsor ("own") or
    two people the callers are not ("other"); optionally with an open review, evidence, a decision,
    a defined `uptime` metric."""
    lead, sponsor = (world.email(h) for h in OWNERS[target])
    with UnitOfWork(world.settings) as uow:
        key: str = usecases.create(uow, title=world.unique("Matrix case "), business_unit="QA", actor="test").key
        usecases.assign(uow, key=key, role="program_lead", email=lead, actor="test")
        usecases.assign(uow, key=key, role="sponsor", email=sponsor, actor="test")
        if metric:
            metrics.define_metric(uow, key=key, metric="uptime", actor=lead)
        if review or artifact or decided:
            gates.open_review(uow, key=key, actor=lead)
        if artifact:
            evidence = io.BytesIO(PDF)
            gates.attach(uow, key=key, artifact_id="use_case_scorecard", actor=lead, content=evidence, filename="s.pdf")
        if decided:
            gates.decide(uow, key=key, decision="hold", actor=lead, rationale="matrix")
    return key


def fresh_connector(world: World) -> int:
    """A Prometheus connector on a new use case; its server is unreachable, which a pull reports."""
    key = fresh_use_case(world, "own")
    with UnitOfWork(world.settings) as uow:
        connector_id: int = sync.add(uow, key=key, kind="prometheus", config=PROMETHEUS, actor=world.email("lead")).id
    return connector_id


def fresh_account(world: World, role: str = "viewer", *, password: bool = False) -> str:
    email = world.unique("account") + "@example.org"
    with UnitOfWork(world.settings) as uow:
        accounts.create_user(uow, email=email, role=role, name=None, actor="test")
        if password:
            accounts.set_password(uow, email=email, password=PASSWORD, actor="test")
    return email


def fresh_token_id(world: World, handle: str) -> int:
    with UnitOfWork(world.settings) as uow:
        token_id: int = accounts.create_token(uow, email=world.email(handle), name="matrix", actor="test")[1].id
    return token_id


# ---------------------------------------------------------------- the routes and their rules


Call = tuple[str, dict[str, Any]]  # URL and the keyword arguments of the request
Prepare = Callable[[World, str, str], Call]  # (world, who, target) -> call


@dataclass(frozen=True)
class Route:
    name: str
    method: str
    path: str  # exactly as in the OpenAPI document
    action: str | None  # the PERMISSIONS action it requires; None: any signed-in account
    ok: int  # the answer when allowed
    prepare: Prepare
    named: bool = False  # the service also requires a named role on the use case
    # A named role on the use case, unless the account runs the portfolio (program lead, admin);
    # a bulk route refuses the rows of other use cases (422) rather than the request.
    scoped: int = 0
    own_object: bool = False  # someone else's object is "not found" to anyone but an admin
    of_use_case: bool = False  # an object of an own or someone else's use case, reached by its id

    @property
    def targets(self) -> tuple[str, ...]:
        return ("own", "other") if "{key}" in self.path or self.own_object or self.of_use_case else ("-",)


def expected(route: Route, who: str, target: str) -> int:
    """The answer the rules give: 401 anonymous, 403 app role or not named, 404 not yours, else ok."""
    if who == "anonymous":
        return 401
    if route.action is not None and APP_ROLE[who] not in PERMISSIONS[route.action]:
        return 403
    if route.named and not (target == "own" and who in NAMED_ON_OWN):
        return 403
    portfolio_wide = APP_ROLE[who] in ("admin", "program_lead")
    if route.scoped and not portfolio_wide and not (target in ("own", "-") and who in NAMED_ON_OWN):
        return route.scoped
    if route.own_object and target == "other":  # /me/… routes reach your own objects only, admins included
        return 404
    return route.ok


def uc(suffix: str = "", **state: bool) -> Prepare:
    def prepare(world: World, who: str, target: str) -> Call:
        return f"{API}/use-cases/{fresh_use_case(world, target, **state)}{suffix}", {}

    return prepare


def with_body(prepare: Prepare, **kwargs: Any) -> Prepare:
    def wrapped(world: World, who: str, target: str) -> Call:
        url, _ = prepare(world, who, target)
        return url, kwargs

    return wrapped


def fixed(url: str, **kwargs: Any) -> Prepare:
    return lambda world, who, target: (API + url, kwargs)


def new_person(world: World, who: str, target: str) -> Call:
    return f"{API}/people", {"json": {"email": world.unique("person") + "@example.org", "name": "New Person"}}


def new_policy(world: World, who: str, target: str) -> Call:
    text = world.shipped_yaml.replace("name: pilotgate-default", f"name: {world.unique('matrix-policy-')}", 1)
    return f"{API}/policies", {"content": text, "headers": YAML}


def validate_policy(world: World, who: str, target: str) -> Call:
    return f"{API}/policies/validate", {"content": world.shipped_yaml, "headers": YAML}


def revoke_token(world: World, who: str, target: str) -> Call:
    owner = "other_sponsor" if target == "other" or who == "anonymous" else who
    return f"{API}/me/tokens/{fresh_token_id(world, owner)}", {}


def new_user(world: World, who: str, target: str) -> Call:
    return f"{API}/users", {"json": {"email": world.unique("user") + "@example.org", "role": "viewer"}}


def user_route(suffix: str, **kwargs: Any) -> Prepare:
    return lambda world, who, target: (f"{API}/users/{fresh_account(world)}{suffix}", kwargs)


def new_points(world: World, who: str, target: str) -> Call:
    key = fresh_use_case(world, "own", metric=True)
    point = {"use_case": key, "metric": "uptime", "timestamp": "2026-01-05T00:00:00Z", "value": 99.9}
    return f"{API}/metrics/points", {"json": {"points": [point]}}


def remove_connector(world: World, who: str, target: str) -> Call:
    return f"{API}/connectors/{fresh_connector(world)}", {}


def pull_connector(world: World, who: str, target: str) -> Call:
    return f"{API}/connectors/pull", {"json": {"connector": fresh_connector(world)}}


ANSWERS = {"answers": dict.fromkeys(QUESTIONS, 2)}


def budget_line(world: World, key: str, source: str) -> int:
    """A proposed budget line on a use case, proposed by someone no caller is (the viewer)."""
    with UnitOfWork(world.settings) as uow:
        line_id: int = funding.add_line(
            uow, key=key, source=source, amount="50000", currency="EUR", cost_centre="CC-1",
            owner=world.email("lead"), period_start="2026-01-01", period_end="2030-12-31", actor=world.email("viewer"),
        ).id  # fmt: skip
    return line_id


def approve_line(world: World, who: str, target: str) -> Call:
    """A project line: the use case's named program lead or sponsor may approve it."""
    return f"{API}/funding/lines/{budget_line(world, fresh_use_case(world, target), 'project')}/approve", {}


def funding_transition(world: World, who: str, target: str) -> Call:
    """An approved operational line; the business-unit head is the caller when they are named on the
    own use case, else someone the callers are not."""
    key = fresh_use_case(world, target)
    head = world.email(who) if target == "own" and who in NAMED_ON_OWN else world.email("other_sponsor")
    line_id = budget_line(world, key, "operational")
    with UnitOfWork(world.settings) as uow:
        usecases.assign(uow, key=key, role="bu_head", email=head, actor="test")
        funding.approve_line(uow, line_id=line_id, actor=head)
    return f"{API}/use-cases/{key}/funding/transition", {"json": {"line_id": line_id, "effective_date": "2027-01-01"}}


FUNDING_LINE = {
    "source": "project", "amount": "120000", "currency": "EUR", "cost_centre": "CC-1", "owner": "lead@example.org",
    "period_start": "2027-01-01", "period_end": "2027-12-31",
}  # fmt: skip


CHANGE_PLAN = {"population": "pilot", "owner": "lead@example.org", "target_users": 40}
CHANGE_ITEM = {"population": "pilot", "kind": "communication", "title": "Launch mail", "owner": "lead@example.org"}


def change_plan(world: World, key: str) -> int:
    """A change plan with one open item on a use case, recorded by someone no caller is."""
    with UnitOfWork(world.settings) as uow:
        change.add_plan(uow, key=key, actor=world.email("viewer"), **CHANGE_PLAN)
        item_id: int = change.add_item(uow, key=key, actor=world.email("viewer"), **CHANGE_ITEM).id
    return item_id


def change_items(world: World, who: str, target: str) -> Call:
    key = fresh_use_case(world, target)
    change_plan(world, key)
    return f"{API}/use-cases/{key}/change/items", {"json": CHANGE_ITEM}


def complete_change_item(world: World, who: str, target: str) -> Call:
    return f"{API}/change/items/{change_plan(world, fresh_use_case(world, target))}/complete", {"json": {}}


def with_case(suffix: str = "", **kwargs: Any) -> Prepare:
    """A use case with a business case (the template, set by someone no caller is)."""

    def prepare(world: World, who: str, target: str) -> Call:
        key = fresh_use_case(world, target)
        with UnitOfWork(world.settings) as uow:
            finance.set_case(uow, key=key, spec=BUSINESS_CASE, actor=world.email("viewer"))
        return f"{API}/use-cases/{key}/business-case{suffix}", kwargs

    return prepare


def import_actuals(world: World, who: str, target: str) -> Call:
    url, _ = with_case()(world, who, "own")
    key = url.split("/")[-2]
    row = {"use_case": key, "month": BUSINESS_CASE["start"], "kind": "cost", "category": "pilot", "amount": 10}
    return f"{API}/business-cases/actuals", {"json": {"actuals": [row]}}


def latest_assessment(world: World, who: str, target: str) -> Call:
    """The latest readiness assessment: recorded first, when the matrix has none yet."""
    with UnitOfWork(world.settings) as uow:
        if maturity.latest(uow) is None:
            maturity.create(uow, answers=ANSWERS["answers"], actor="test")
    return f"{API}/maturity/latest", {}


OPS_TEAM = {"name": "Claims Ops", "kind": "business_unit", "lead": "lead@example.org"}
INCIDENT = {"severity": "sev3", "title": "Slow answers", "handled_by": "lead@example.org", "team": "ai_programme"}
DRILL = {"scenario": "Roll back the model", "outcome": "passed", "participants": ["lead@example.org"]}


def resolve_incident(world: World, who: str, target: str) -> Call:
    """An open incident on a use case, logged by someone no caller is (the viewer)."""
    key = fresh_use_case(world, target)
    with UnitOfWork(world.settings) as uow:
        incident_id = ops_incidents.open_incident(uow, key=key, actor=world.email("viewer"), **INCIDENT).id
    return f"{API}/use-cases/{key}/operations/incidents/{incident_id}/resolve", {"json": {"resolution": "fixed"}}


def ops(suffix: str, method_body: dict[str, Any]) -> Prepare:
    return with_body(uc(f"/operations{suffix}"), json=method_body)


HANDOVER = {"team": "Claims Operations", "ops_owner": "other.sponsor@example.org"}
EXPANSION = {"title": "Matrix case — Spain", "kind": "geography", "scope": "Madrid"}


def in_production(world: World, target: str) -> str:
    key = fresh_use_case(world, target)
    with UnitOfWork(world.settings) as uow:
        usecases.enter_stage(uow, usecases.get_or_raise(uow, key), stage="production", at=uow.now(), reason="matrix")
    return key


def handed_over(world: World, key: str, proposer: str, head: str, *, done: bool, accept: bool = False) -> None:
    """A handover proposed by `proposer` as program lead, with `head` as business-unit head."""
    with UnitOfWork(world.settings) as uow:
        usecases.assign(uow, key=key, role="program_lead", email=proposer, actor="test")
        usecases.assign(uow, key=key, role="bu_head", email=head, actor="test")
        handover.propose(uow, key=key, actor=proposer, **HANDOVER)
        for item in HANDOVER_ITEMS if done else ():
            handover.check_item(uow, key=key, item=item, actor=proposer)
        if accept:
            handover.accept(uow, key=key, actor=head)


def propose_handover(world: World, who: str, target: str) -> Call:
    """The caller is the program lead when named on the own use case."""
    key = in_production(world, target)
    if target == "own" and who in NAMED_ON_OWN:
        with UnitOfWork(world.settings) as uow:
            usecases.assign(uow, key=key, role="program_lead", email=world.email(who), actor="test")
    return f"{API}/use-cases/{key}/handover", {"json": HANDOVER}


def tick_handover_item(world: World, who: str, target: str) -> Call:
    key = in_production(world, target)
    handed_over(world, key, world.email(OWNERS[target][0]), world.email("other_sponsor"), done=False)
    return f"{API}/use-cases/{key}/handover/items/runbook", {"json": {"note": "wiki"}}


def accept_handover(world: World, who: str, target: str) -> Call:
    """The caller heads the business unit when named on the own use case (proposed by someone else)."""
    key = in_production(world, target)
    named = target == "own" and who in NAMED_ON_OWN
    proposer = world.email("other_lead" if named and who == "lead" else OWNERS[target][0])
    handed_over(world, key, proposer, world.email(who if named else "other_sponsor"), done=True)
    return f"{API}/use-cases/{key}/handover/accept", {}


def accepted_handover(suffix: str, *, review: bool = False) -> Prepare:
    def prepare(world: World, who: str, target: str) -> Call:
        key = in_production(world, target)
        lead = world.email(OWNERS[target][0])
        handed_over(world, key, lead, world.email("other_sponsor"), done=True, accept=True)
        if review:
            with UnitOfWork(world.settings) as uow:
                gates.open_review(uow, key=key, actor=lead)
        return f"{API}/use-cases/{key}/handover{suffix}", {}

    return prepare


def expand_use_case(world: World, who: str, target: str) -> Call:
    return f"{API}/use-cases/{in_production(world, target)}/expansions", {"json": EXPANSION}


def assess_reuse(world: World, who: str, target: str) -> Call:
    """An expansion of a use case in production; it is named on by the parent's people."""
    key = in_production(world, target)
    with UnitOfWork(world.settings) as uow:
        row = scale.expand(uow, parent=key, actor=world.email(OWNERS[target][0]), **EXPANSION)
        child = uow.session.get_one(UseCase, row.use_case_id).key
    return f"{API}/use-cases/{child}/reuse/model", {"json": {"status": "reused"}}


SCORECARD = {"scores": dict.fromkeys(("business_value", "feasibility", "data_availability", "process_maturity",
                                     "risk", "sponsorship"), 3), "expected_value": "100000"}  # fmt: skip


def scored_for_review(world: World, who: str, target: str) -> Call:
    """A use case scored by its program lead, its Gate 1 review open: its document can be attached."""
    key = fresh_use_case(world, target, review=True)
    with UnitOfWork(world.settings) as uow:
        lead = world.email(OWNERS[target][0])
        scorecards.record(uow, key=key, scores=SCORECARD["scores"], actor=lead, attach=False)
    return f"{API}/use-cases/{key}/scorecard/attach", {}


BUSINESS_CASE = {**template_data(), "start": (datetime.now(UTC).date() - timedelta(days=40)).strftime("%Y-%m")}
ACTUAL = {"month": BUSINESS_CASE["start"], "kind": "cost", "category": "pilot", "amount": "1000"}
IN_A_MONTH = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
WAIVER = {"status": "waived", "note": "accepted risk", "expires": IN_A_MONTH}
# One route per entry, kept compact to read as a table.
# fmt: off
ROUTES = (
    Route("list use cases", "GET", "/use-cases", "read", 200, fixed("/use-cases")),
    Route("create use case", "POST", "/use-cases", "usecase.create", 201,
          fixed("/use-cases", json={"title": "New idea", "business_unit": "QA"})),
    Route("get use case", "GET", "/use-cases/{key}", "read", 200, uc()),
    Route("edit use case", "PATCH", "/use-cases/{key}", "usecase.edit", 200,
          with_body(uc(), json={"title": "Renamed"})),
    Route("assign role", "PUT", "/use-cases/{key}/roles/{role}", "role.assign", 200,
          with_body(uc("/roles/technical_lead"), json={"email": "viewer@example.org"})),
    Route("list people", "GET", "/people", "read", 200, fixed("/people")),
    Route("register person", "POST", "/people", "person.create", 201, new_person),
    Route("open review", "POST", "/use-cases/{key}/review", "review.work", 201, uc("/review"), named=True),
    Route("review status", "GET", "/use-cases/{key}/review", "read", 200, uc("/review", review=True)),
    Route("assess criterion", "PUT", "/use-cases/{key}/review/assessments/{criterion}", "review.work", 200,
          with_body(uc("/review/assessments/risk", review=True), json={"status": "met", "note": "checked"}),
          named=True),
    Route("waive criterion", "PUT", "/use-cases/{key}/review/assessments/{criterion}", "review.work", 200,
          with_body(uc("/review/assessments/risk", review=True), json=WAIVER), named=True),
    Route("attach file", "POST", "/use-cases/{key}/review/artifacts/{artifact}", "review.work", 201,
          with_body(uc("/review/artifacts/use_case_scorecard", review=True), files={"file": ("e.pdf", PDF)}),
          named=True),
    Route("attach link", "POST", "/use-cases/{key}/review/artifacts/{artifact}", "review.work", 201,
          with_body(uc("/review/artifacts/use_case_scorecard", review=True), data={"url": "https://x.example/doc"}),
          named=True),
    Route("download artifact", "GET", "/use-cases/{key}/artifacts/{artifact}", "read", 200,
          uc("/artifacts/use_case_scorecard", artifact=True)),
    Route("vote", "PUT", "/use-cases/{key}/review/votes", "review.work", 200,
          with_body(uc("/review/votes", review=True), json={"choice": "approve"}), named=True),
    Route("decide go while blocked", "POST", "/use-cases/{key}/review/decision", "review.work", 409,
          with_body(uc("/review/decision", review=True), json={"decision": "go"}), named=True),
    Route("decide hold", "POST", "/use-cases/{key}/review/decision", "review.work", 201,
          with_body(uc("/review/decision", review=True), json={"decision": "hold"}), named=True),
    Route("latest decision", "GET", "/use-cases/{key}/decisions/latest", "read", 200,
          uc("/decisions/latest", decided=True)),
    Route("readiness", "GET", "/reviews/readiness", "read", 200, fixed("/reviews/readiness")),
    Route("my approvals", "GET", "/me/approvals", "read", 200, fixed("/me/approvals")),
    Route("list policies", "GET", "/policies", "read", 200, fixed("/policies")),
    Route("get policy", "GET", "/policies/{name}", "read", 200, fixed("/policies/pilotgate-default")),
    Route("validate policy", "POST", "/policies/validate", "read", 200, validate_policy),
    Route("publish policy", "POST", "/policies", "policy.publish", 201, new_policy),
    Route("audit log", "GET", "/audit", "read", 200, fixed("/audit", params={"limit": 5})),
    Route("audit verify", "GET", "/audit/verify", "read", 200, fixed("/audit/verify")),
    Route("stalled", "GET", "/portfolio/stalled", "read", 200, fixed("/portfolio/stalled")),
    Route("portfolio report", "GET", "/portfolio/report", "read", 200, fixed("/portfolio/report")),
    Route("me", "GET", "/me", None, 200, fixed("/me")),
    Route("my tokens", "GET", "/me/tokens", None, 200, fixed("/me/tokens")),
    Route("create token", "POST", "/me/tokens", None, 201, fixed("/me/tokens", json={"name": "matrix"})),
    Route("revoke token", "DELETE", "/me/tokens/{token_id}", None, 200, revoke_token, own_object=True),
    Route("list users", "GET", "/users", "user.manage", 200, fixed("/users")),
    Route("create user", "POST", "/users", "user.manage", 201, new_user),
    Route("change role", "PUT", "/users/{email}/role", "user.manage", 200,
          user_route("/role", json={"role": "contributor"})),
    Route("disable user", "POST", "/users/{email}/disable", "user.manage", 200, user_route("/disable")),
    Route("list metrics", "GET", "/use-cases/{key}/metrics", "read", 200, uc("/metrics", metric=True)),
    Route("define metric", "POST", "/use-cases/{key}/metrics", "evidence.write", 201,
          with_body(uc("/metrics"), json={"key": "latency_ms", "target": 800}), scoped=403),
    Route("edit metric", "PATCH", "/use-cases/{key}/metrics/{metric}", "evidence.write", 200,
          with_body(uc("/metrics/uptime", metric=True), json={"target": 99.9}), scoped=403),
    Route("metric points", "GET", "/use-cases/{key}/metrics/{metric}/points", "read", 200,
          uc("/metrics/uptime/points", metric=True)),
    Route("indicators", "GET", "/use-cases/{key}/indicators", "read", 200, uc("/indicators", metric=True)),
    Route("get slo", "GET", "/use-cases/{key}/slo", "read", 200, uc("/slo")),
    Route("set slo", "PUT", "/use-cases/{key}/slo", "evidence.write", 200,
          with_body(uc("/slo"), json={"uptime_pct": 99.9}), scoped=403),
    Route("import points", "POST", "/metrics/points", "evidence.write", 200, new_points, scoped=422),
    Route("list connectors", "GET", "/connectors", "connector.manage", 200, fixed("/connectors")),
    Route("add connector", "POST", "/use-cases/{key}/connectors", "connector.manage", 201,
          with_body(uc("/connectors"), json={"kind": "prometheus", "config": PROMETHEUS})),
    Route("remove connector", "DELETE", "/connectors/{connector}", "connector.manage", 204, remove_connector),
    Route("pull connector", "POST", "/connectors/pull", "connector.manage", 200, pull_connector),
    Route("maturity questions", "GET", "/maturity/questions", "read", 200, fixed("/maturity/questions")),
    Route("assess maturity", "POST", "/maturity/assessments", "maturity.assess", 201,
          fixed("/maturity/assessments", json=ANSWERS)),
    Route("maturity history", "GET", "/maturity/assessments", "read", 200, fixed("/maturity/assessments")),
    Route("latest maturity", "GET", "/maturity/latest", "read", 200, latest_assessment),
    Route("funding of use case", "GET", "/use-cases/{key}/funding", "read", 200, uc("/funding")),
    Route("propose budget line", "POST", "/use-cases/{key}/funding", "funding.write", 201,
          with_body(uc("/funding"), json=FUNDING_LINE), scoped=403),
    Route("approve budget line", "POST", "/funding/lines/{line_id}/approve", "funding.write", 200, approve_line,
          named=True, of_use_case=True),
    Route("funding transition", "POST", "/use-cases/{key}/funding/transition", "funding.write", 201,
          funding_transition, named=True),
    Route("funding portfolio", "GET", "/funding/portfolio", "read", 200, fixed("/funding/portfolio")),
    Route("case template", "GET", "/business-cases/template", "read", 200, fixed("/business-cases/template")),
    Route("business case", "GET", "/use-cases/{key}/business-case", "read", 200, with_case()),
    Route("set business case", "PUT", "/use-cases/{key}/business-case", "finance.write", 200,
          with_body(uc("/business-case"), json={"case": BUSINESS_CASE}), scoped=403),
    Route("case versions", "GET", "/use-cases/{key}/business-case/versions", "read", 200, with_case("/versions")),
    Route("case sensitivity", "GET", "/use-cases/{key}/business-case/sensitivity", "read", 200,
          with_case("/sensitivity")),
    Route("case simulation", "GET", "/use-cases/{key}/business-case/simulation", "read", 200,
          with_case("/simulation", params={"draws": 200})),
    Route("case actuals", "GET", "/use-cases/{key}/business-case/actuals", "read", 200, with_case("/actuals")),
    Route("record actual", "POST", "/use-cases/{key}/business-case/actuals", "finance.write", 201,
          with_case("/actuals", json=ACTUAL), scoped=403),
    Route("import actuals", "POST", "/business-cases/actuals", "finance.write", 200, import_actuals, scoped=422),
    Route("case variance", "GET", "/use-cases/{key}/business-case/variance", "read", 200, with_case("/variance")),
    Route("case reforecast", "GET", "/use-cases/{key}/business-case/reforecast", "read", 200,
          with_case("/reforecast")),
    Route("case indicators", "GET", "/use-cases/{key}/business-case/indicators", "read", 200,
          with_case("/indicators")),
    Route("handover of use case", "GET", "/use-cases/{key}/handover", "read", 200, uc("/handover")),
    Route("propose handover", "POST", "/use-cases/{key}/handover", "handover.write", 201, propose_handover,
          named=True),
    Route("tick handover item", "PUT", "/use-cases/{key}/handover/items/{item}", "handover.write", 200,
          tick_handover_item, named=True),
    Route("accept handover", "POST", "/use-cases/{key}/handover/accept", "handover.write", 200, accept_handover,
          named=True),
    Route("attach handover document", "POST", "/use-cases/{key}/handover/attach", "handover.write", 201,
          accepted_handover("/attach", review=True), named=True),
    Route("handover document", "GET", "/use-cases/{key}/handover/document", "read", 200,
          accepted_handover("/document")),
    Route("scale of use case", "GET", "/use-cases/{key}/scale", "read", 200, uc("/scale")),
    Route("expand use case", "POST", "/use-cases/{key}/expansions", "scale.write", 201, expand_use_case,
          scoped=403),
    Route("assess reuse", "PUT", "/use-cases/{key}/reuse/{component}", "scale.write", 200, assess_reuse,
          scoped=403),
    Route("change of use case", "GET", "/use-cases/{key}/change", "read", 200, uc("/change")),
    Route("start change plan", "POST", "/use-cases/{key}/change/plans", "change.write", 201,
          with_body(uc("/change/plans"), json=CHANGE_PLAN), scoped=403),
    Route("add change item", "POST", "/use-cases/{key}/change/items", "change.write", 201, change_items,
          scoped=403),
    Route("complete change item", "POST", "/change/items/{item_id}/complete", "change.write", 200,
          complete_change_item, scoped=403, of_use_case=True),
    Route("gate packet", "GET", "/use-cases/{key}/review/packet.{fmt}", "read", 200,
          uc("/review/packet.md", review=True)),
    Route("portfolio report file", "GET", "/portfolio/report.{fmt}", "read", 200, fixed("/portfolio/report.md")),
    Route("operations of use case", "GET", "/use-cases/{key}/operations", "read", 200, uc("/operations")),
    Route("set operations team", "PUT", "/use-cases/{key}/operations/team", "operations.write", 200,
          ops("/team", OPS_TEAM), scoped=403),
    Route("add on-call", "POST", "/use-cases/{key}/operations/oncall", "operations.write", 201,
          ops("/oncall", {"person": "lead@example.org", "level": 1}), scoped=403),
    Route("set runbook", "PUT", "/use-cases/{key}/operations/runbook", "operations.write", 200,
          ops("/runbook", {"url": "https://wiki.example.org/runbook"}), scoped=403),
    Route("set monitoring", "PUT", "/use-cases/{key}/operations/monitoring", "operations.write", 200,
          ops("/monitoring", {"description": "Dashboards", "alerting": True}), scoped=403),
    Route("log incident", "POST", "/use-cases/{key}/operations/incidents", "operations.write", 201,
          ops("/incidents", INCIDENT), scoped=403),
    Route("resolve incident", "POST", "/use-cases/{key}/operations/incidents/{incident_id}/resolve",
          "operations.write", 200, resolve_incident, scoped=403),
    Route("add drill", "POST", "/use-cases/{key}/operations/drills", "operations.write", 201,
          ops("/drills", DRILL), scoped=403),
    Route("set retraining cadence", "PUT", "/use-cases/{key}/operations/retraining/cadence", "operations.write",
          200, ops("/retraining/cadence", {"days": 30}), scoped=403),
    Route("record retraining", "POST", "/use-cases/{key}/operations/retraining", "operations.write", 201,
          ops("/retraining", {"automated": True}), scoped=403),
    Route("add drift note", "POST", "/use-cases/{key}/operations/drift-notes", "operations.write", 201,
          ops("/drift-notes", {"text": "Inputs shifting"}), scoped=403),
    Route("readiness rubric", "GET", "/use-cases/{key}/operations/readiness", "read", 200,
          uc("/operations/readiness")),
    Route("mark readiness check", "PUT", "/use-cases/{key}/operations/readiness/{check}", "operations.write", 200,
          ops("/readiness/data.schema", {"status": "manual"}), scoped=403),
    Route("scorecard of use case", "GET", "/use-cases/{key}/scorecard", "read", 200, uc("/scorecard")),
    Route("score use case", "POST", "/use-cases/{key}/scorecard", "score.write", 201,
          with_body(uc("/scorecard"), json=SCORECARD), scoped=403),
    Route("attach scorecard", "POST", "/use-cases/{key}/scorecard/attach", "score.write", 201, scored_for_review,
          named=True),
    Route("ranking", "GET", "/prioritisation/ranking", "read", 200, fixed("/prioritisation/ranking")),
    Route("value concentration", "GET", "/prioritisation/concentration", "read", 200,
          fixed("/prioritisation/concentration", params={"top": 3})),
    Route("timeline", "GET", "/use-cases/{key}/timeline", "read", 200, uc("/timeline")),
)
# fmt: on
CELLS = [
    pytest.param(route, who, target, expected(route, who, target), id=f"{route.name}-{target}-{who}")
    for route in ROUTES
    for target in route.targets
    for who in WHO
]


def assert_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def refusal_logged(caplog: pytest.LogCaptureFixture) -> bool:
    return any(r.levelno >= logging.WARNING and "refused" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(("route", "who", "target", "status"), CELLS)
def test_every_route_answers_every_role_as_the_rules_say(
    world: World, caplog: pytest.LogCaptureFixture, route: Route, who: str, target: str, status: int
) -> None:
    url, kwargs = route.prepare(world, who, target)
    before = world.audit_head()
    with caplog.at_level(logging.WARNING, logger="pilotgate"):
        response = world.clients[who].request(route.method, url, **kwargs)
    assert response.status_code == status, f"{route.method} {url} as {who}: {response.text}"
    if status >= 400:
        body = assert_problem(response, status)
        assert world.audit_head() == before, "a refused request wrote to the audit trail"
        if status == 401:
            assert response.headers["www-authenticate"].startswith("Bearer")
        if status == 403:
            assert refusal_logged(caplog), f"the refusal of {route.name} to {who} was not logged"
        if status == 409:
            assert body["reasons"]


def test_the_matrix_covers_every_api_route(world: World) -> None:
    document = world.clients["anonymous"].get("/api/openapi.json")
    assert document.status_code == 200
    documented = {(m.upper(), p) for p, ops in document.json()["paths"].items() for m in ops}
    covered = {(r.method, API + r.path) for r in ROUTES}
    assert documented == covered
    assert {(m, p) for m, p in app_routes(world.app) if p.startswith(API)} == covered


# ---------------------------------------------------------------- forged and cross-use-case votes


def test_no_forged_or_cross_use_case_vote_gets_through(world: World) -> None:
    own, other = fresh_use_case(world, "own", review=True), fresh_use_case(world, "other", review=True)
    before = world.audit_head()
    attempts = (
        ("outsider", own, {"choice": "approve"}, "holds no approver role"),
        ("outsider", own, {"choice": "approve", "role": "sponsor"}, "may not vote as sponsor"),
        ("sponsor", other, {"choice": "approve"}, "holds no approver role"),
        ("sponsor", other, {"choice": "approve", "role": "sponsor"}, "may not vote as sponsor"),
        ("lead", own, {"choice": "approve", "role": "sponsor"}, "may not vote as sponsor"),
        ("sponsor", own, {"choice": "approve", "role": "program_lead"}, "may not vote as program_lead"),
        ("lead", own, {"choice": "approve", "role": "cio_cto"}, "does not approve Gate 1"),
        ("admin", own, {"choice": "approve"}, "holds no approver role"),
        ("admin", other, {"choice": "approve", "role": "program_lead"}, "may not vote as program_lead"),
    )
    for who, key, body, why in attempts:
        refused = assert_problem(world.clients[who].put(f"{API}/use-cases/{key}/review/votes", json=body), 403)
        assert why in refused["detail"], (who, key, body, refused)
    for who, body in (("sponsor", {"person": "lead@example.org"}), ("lead", {"email": "sponsor@example.org"})):
        forged = world.clients[who].put(f"{API}/use-cases/{own}/review/votes", json={"choice": "approve", **body})
        assert_problem(forged, 422)
    for who in ("outsider", "admin"):  # nor may anyone not named decide, or waive
        decided = world.clients[who].post(f"{API}/use-cases/{own}/review/decision", json={"decision": "stop"})
        assert "not a named approver" in assert_problem(decided, 403)["detail"]
        waived = world.clients[who].put(f"{API}/use-cases/{own}/review/assessments/risk", json=WAIVER)
        assert_problem(waived, 403)
    assert world.audit_head() == before
    for key in (own, other):
        assert world.clients["viewer"].get(f"{API}/use-cases/{key}/review").json()["votes"] == []
        assert world.clients["viewer"].get(f"{API}/use-cases/{key}").json()["status"] == "active"


def test_a_viewer_cannot_write_anything(world: World) -> None:
    """Every non-GET route refuses the viewer, except managing their own API tokens and validating a
    policy (which stores nothing)."""
    self_service = {("POST", "/me/tokens"), ("DELETE", "/me/tokens/{token_id}"), ("POST", "/policies/validate")}
    writes = [r for r in ROUTES if r.method != "GET" and (r.method, r.path) not in self_service]
    assert len({(r.method, r.path) for r in writes}) == 49
    assert all(expected(r, "viewer", t) == 403 for r in writes for t in r.targets)


# ---------------------------------------------------------------- the anonymous and the pages

PUBLIC = {
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/setup-password"),
    ("POST", "/setup-password"),
    ("GET", "/static"),
    ("GET", "/api/openapi.json"),
    ("GET", "/api/docs"),
    ("GET", "/favicon.ico"),
}
PAGES = (
    ("GET", "/"),
    ("GET", "/use-cases"),
    ("GET", "/use-cases/new"),
    ("POST", "/use-cases"),
    ("GET", "/use-cases/{key}"),
    ("POST", "/use-cases/{key}/roles"),
    ("GET", "/use-cases/{key}/review"),
    ("GET", "/use-cases/{key}/review/blockers"),
    ("POST", "/use-cases/{key}/review/open"),
    ("POST", "/use-cases/{key}/review/assess"),
    ("POST", "/use-cases/{key}/review/attach"),
    ("POST", "/use-cases/{key}/review/vote"),
    ("POST", "/use-cases/{key}/review/decide"),
    ("GET", "/stalled"),
    ("GET", "/portfolio"),
    ("GET", "/portfolio/report.{fmt}"),
    ("GET", "/use-cases/{key}/review/packet.{fmt}"),
    ("GET", "/maturity"),
    ("POST", "/maturity"),
    ("GET", "/prioritisation"),
    ("GET", "/use-cases/{key}/scorecard"),
    ("POST", "/use-cases/{key}/scorecard"),
    ("POST", "/use-cases/{key}/funding/lines"),
    ("POST", "/use-cases/{key}/funding/approve"),
    ("POST", "/use-cases/{key}/handover/propose"),
    ("POST", "/use-cases/{key}/handover/items"),
    ("POST", "/use-cases/{key}/handover/accept"),
    ("POST", "/use-cases/{key}/handover/attach"),
    ("POST", "/use-cases/{key}/scale/expand"),
    ("POST", "/use-cases/{key}/scale/reuse"),
    ("POST", "/use-cases/{key}/change/plans"),
    ("POST", "/use-cases/{key}/change/items"),
    ("POST", "/use-cases/{key}/change/items/{item_id}/complete"),
    ("POST", "/use-cases/{key}/operations/incidents"),
    ("POST", "/use-cases/{key}/operations/incidents/{incident_id}/resolve"),
    ("GET", "/policy"),
    ("GET", "/policy/{name}"),
    ("GET", "/audit"),
    ("GET", "/approvals"),
    ("GET", "/account"),
    ("POST", "/account/tokens"),
    ("POST", "/account/tokens/{token_id}/revoke"),
    ("POST", "/logout"),
)


def app_routes(app: Any) -> set[tuple[str, str]]:
    """(method, path) of every route the app serves, included routers flattened."""
    try:
        from fastapi.routing import iter_route_contexts  # FastAPI ≥ 0.160 nests included routers
    except ImportError:  # pragma: no cover - older FastAPI lists every route flat
        routes: Any = app.routes
    else:
        routes = iter_route_contexts(app.routes)
    return {(m, r.path) for r in routes for m in (getattr(r, "methods", None) or {"GET"}) if m != "HEAD"}


def test_every_page_route_is_public_or_in_the_page_list(world: World) -> None:
    found = {(m, p) for m, p in app_routes(world.app) if not p.startswith(API)}
    assert found == PUBLIC | set(PAGES)


@pytest.mark.parametrize(("method", "path"), PAGES, ids=[f"{m} {p}" for m, p in PAGES])
def test_the_anonymous_are_sent_to_sign_in_from_every_page(world: World, method: str, path: str) -> None:
    ids = {"token_id": 1, "item_id": 1, "incident_id": 1}
    url = path.format(key=world.portfolio.key, name="pilotgate-default", fmt="pdf", **ids)
    before = world.audit_head()
    response = world.clients["anonymous"].request(method, url, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == f"/login?next={url}"
    assert world.audit_head() == before


def test_public_routes_answer_the_anonymous(world: World) -> None:
    anonymous = world.clients["anonymous"]
    for url in ("/login", "/setup-password?token=x", "/static/favicon.svg", "/api/openapi.json", "/api/docs"):
        assert anonymous.get(url).status_code == 200, url
    assert anonymous.post("/login", data={"email": "a@example.org", "password": "p"}).status_code == 403
    setup = anonymous.post("/setup-password", data={"token": "forged", "password": "p" * 12, "confirm": "p" * 12})
    assert setup.status_code == 422 and "invalid, used or expired" in setup.text
    for method, url in sorted((m, p) for m, p in app_routes(world.app) if p.startswith(API)):
        concrete = re.sub(r"\{[a-z_]+\}", "1", url)
        assert_problem(anonymous.request(method, concrete), 401)


# ---------------------------------------------------------------- the cookie session


def sign_in(world: World, email: str) -> tuple[TestClient, str]:
    """A browser signed in through the login form; returns it and its session's CSRF token."""
    browser = TestClient(world.app, raise_server_exceptions=False)
    form = browser.get("/login")
    match = re.search(r'name="login_csrf" value="([^"]+)"', form.text)
    assert match and browser.cookies.get("pilotgate_login_csrf") == match.group(1)
    signed = browser.post(
        "/login",
        data={"email": email, "password": PASSWORD, "login_csrf": match.group(1), "next": "/approvals"},
        follow_redirects=False,
    )
    assert signed.status_code == 303 and signed.headers["location"] == "/approvals", signed.text
    page = browser.get("/approvals")
    csrf = re.search(r'<meta name="csrf-token" content="([^"]+)">', page.text)
    assert page.status_code == 200 and csrf
    return browser, csrf.group(1)


def test_sign_in_needs_the_login_form_token_and_the_right_password(world: World) -> None:
    email = fresh_account(world, "contributor", password=True)
    browser = TestClient(world.app, raise_server_exceptions=False)
    token = re.search(r'name="login_csrf" value="([^"]+)"', browser.get("/login").text)
    assert token
    for data in (
        {"email": email, "password": PASSWORD},  # no form token
        {"email": email, "password": PASSWORD, "login_csrf": "forged"},
    ):
        refused = browser.post("/login", data=data, follow_redirects=False)
        assert refused.status_code == 403 and "The form expired" in refused.text
    token = re.search(r'name="login_csrf" value="([^"]+)"', browser.get("/login").text)
    assert token
    wrong = browser.post("/login", data={"email": email, "password": "wrong" * 4, "login_csrf": token.group(1)})
    assert wrong.status_code == 401 and "E-mail or password is wrong" in wrong.text
    assert "pilotgate_session" not in browser.cookies
    first, _ = sign_in(world, email)
    second, _ = sign_in(world, email)
    assert first.cookies["pilotgate_session"] != second.cookies["pilotgate_session"]  # a new session each time
    first.close()
    second.close()
    browser.close()


def test_a_cookie_session_needs_the_csrf_token_to_write(world: World) -> None:
    email = fresh_account(world, "contributor", password=True)
    browser, csrf = sign_in(world, email)
    assert browser.get(f"{API}/me").json() == {
        "email": email,
        "name": email.split("@")[0],
        "role": "contributor",
        "via": "session",
    }
    body = {"title": "Cookie idea", "business_unit": "QA"}
    before = world.audit_head()
    for headers in ({}, {"x-csrf-token": "forged"}, {"x-csrf-token": ""}):
        forged = assert_problem(browser.post(f"{API}/use-cases", json=body, headers=headers), 403)
        assert forged["title"] == "Forged request"
    page = browser.post("/use-cases", data={**body, "csrf_token": "forged"}, follow_redirects=False)
    assert page.status_code == 403 and "Forged request" in page.text
    assert world.audit_head() == before

    created = browser.post(f"{API}/use-cases", json=body, headers={"x-csrf-token": csrf})
    assert created.status_code == 201
    posted = browser.post("/use-cases", data={**body, "csrf_token": csrf}, follow_redirects=False)
    assert posted.status_code == 303 and posted.headers["location"].startswith("/use-cases/UC-")
    browser.close()


PAGE_WRITES = (
    ("/use-cases", {"title": "T", "business_unit": "QA"}),
    ("/use-cases/{key}/roles", {"role": "technical_lead", "email": "viewer@example.org"}),
    ("/use-cases/{key}/review/open", {}),
    ("/use-cases/{key}/review/assess", {"criterion": "risk", "status": "met", "note": "n"}),
    ("/use-cases/{key}/review/attach", {"artifact": "use_case_scorecard", "url": "https://x.example/doc"}),
    ("/use-cases/{key}/review/vote", {"choice": "approve"}),
    ("/use-cases/{key}/review/decide", {"decision": "hold"}),
    ("/use-cases/{key}/change/plans", {"population": "pilot", "owner": "lead@example.org"}),
    ("/use-cases/{key}/change/items", {"population": "pilot", "kind": "communication", "title": "T"}),
    ("/use-cases/{key}/change/items/1/complete", {}),
    ("/use-cases/{key}/operations/incidents", {"severity": "sev3", "title": "T", "handled_by": "lead@example.org"}),
    ("/use-cases/{key}/operations/incidents/1/resolve", {"resolution": "fixed"}),
)


def test_the_pages_refuse_the_same_writes_as_the_api(world: World, caplog: pytest.LogCaptureFixture) -> None:
    """The forms have their own routes: a signed-in viewer may write nothing through them either, and
    a contributor named nowhere cannot sign a gate through the vote form."""
    viewer, viewer_csrf = sign_in(world, fresh_account(world, "viewer", password=True))
    outsider, outsider_csrf = sign_in(world, fresh_account(world, "contributor", password=True))
    key = fresh_use_case(world, "own", review=True)
    before = world.audit_head()
    with caplog.at_level(logging.WARNING, logger="pilotgate"):
        for path, form in PAGE_WRITES:
            refused = viewer.post(
                path.format(key=key), data={**form, "csrf_token": viewer_csrf}, follow_redirects=False
            )
            assert refused.status_code == 403, (path, refused.text)
        for path, form in PAGE_WRITES[3:]:
            data = {**form, "csrf_token": outsider_csrf}
            refused = outsider.post(path.format(key=key), data=data, follow_redirects=False)
            assert refused.status_code == 403, (path, refused.text)
    assert world.audit_head() == before
    refusals = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == len(PAGE_WRITES) + len(PAGE_WRITES[3:])
    viewer.close()
    outsider.close()


def test_sign_out_ends_the_session_on_the_server(world: World) -> None:
    email = fresh_account(world, "viewer", password=True)
    browser, csrf = sign_in(world, email)
    cookie = browser.cookies["pilotgate_session"]
    refused = browser.post("/logout", follow_redirects=False)  # a forged sign-out is refused too
    assert refused.status_code == 403
    out = browser.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    with TestClient(world.app, cookies={"pilotgate_session": cookie}, raise_server_exceptions=False) as replay:
        page = replay.get("/approvals", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == "/login?next=/approvals"
        assert_problem(replay.get(f"{API}/me"), 401)
    browser.close()


def test_disabling_a_user_ends_their_session_and_revokes_their_tokens(world: World) -> None:
    email = fresh_account(world, "contributor", password=True)
    browser, _ = sign_in(world, email)
    with UnitOfWork(world.settings) as uow:
        secret, _ = accounts.create_token(uow, email=email, name="cli", actor="test")
    with TestClient(world.app, headers={"Authorization": f"Bearer {secret}"}) as api:
        assert api.get(f"{API}/me").status_code == 200
        assert world.clients["admin"].post(f"{API}/users/{email}/disable").status_code == 200
        assert_problem(api.get(f"{API}/me"), 401)
    assert_problem(browser.get(f"{API}/me"), 401)
    assert browser.get("/", follow_redirects=False).headers["location"] == "/login?next=/"
    form = browser.get("/login")
    token = re.search(r'name="login_csrf" value="([^"]+)"', form.text)
    assert token
    again = browser.post("/login", data={"email": email, "password": PASSWORD, "login_csrf": token.group(1)})
    assert again.status_code == 401
    browser.close()
