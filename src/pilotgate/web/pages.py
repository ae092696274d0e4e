"""Server-rendered pages: board, use cases, policy, audit, approvals and account."""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import selectinload

from pilotgate.accounts import service as accounts
from pilotgate.accounts.views import token_view
from pilotgate.audit import service as audit
from pilotgate.errors import PilotgateError
from pilotgate.evidence import panels
from pilotgate.funding.panels import portfolio_panel
from pilotgate.gates import approvals, readiness
from pilotgate.policy import service as policies
from pilotgate.portfolio.flow import portfolio_policy
from pilotgate.portfolio.stalled_queries import stalled
from pilotgate.reports.mermaid import policy_flowchart
from pilotgate.usecases import repository, service, views
from pilotgate.usecases.models import UseCase
from pilotgate.web import login, review_pages
from pilotgate.web.auth import CurrentPrincipal, unit_of_work
from pilotgate.web.cache import VersionedCache
from pilotgate.web.panels import use_case_panels
from pilotgate.web.templating import environment, render

router = APIRouter(include_in_schema=False)
router.include_router(login.router)
router.include_router(review_pages.router)
BOARD_CARDS_PER_STAGE = 40
PAGE_SIZE = 50


def _filters(stage: str | None, status: str | None, business_unit: str | None, q: str | None) -> dict[str, Any]:
    return {"stage": stage or None, "status": status or None, "business_unit": business_unit or None, "text": q or None}


@router.get("/")
def board(
    request: Request,
    principal: CurrentPrincipal,
    status: str | None = "active",
    business_unit: str | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    key = (status, business_unit, q, date.today())
    filters = {"status": status or "", "business_unit": business_unit or "", "q": q or ""}

    def columns() -> dict[str, Any]:
        context = {**_board_context(request, status, business_unit, q), "filters": filters}
        html = environment.get_template("_board_columns.html").render(per_stage=BOARD_CARDS_PER_STAGE, **context)
        return {**context, "columns_html": Markup(html)}

    # The cards are the same for everyone: computed and rendered once per data version.
    context = BOARDS.get_or_compute(key, request.state.data_version, columns)
    return render(request, "board.html", context)


BOARDS = VersionedCache(maxsize=64)
VERIFICATIONS = VersionedCache(maxsize=1)


def _board_context(request: Request, status: str | None, business_unit: str | None, q: str | None) -> dict[str, Any]:
    """The board's cards, computed once per data version and filter (every change is audited)."""
    with unit_of_work(request, read_only=True) as uow:
        policy = portfolio_policy(uow)
        now = uow.now()
        columns: dict[str, list[dict[str, Any]]] = defaultdict(list)
        totals: dict[str, int] = {}
        shown: list[tuple[str, UseCase]] = []
        for stage in policy.stage_ids():
            query = repository.filtered(**_filters(stage, status, business_unit, q))
            totals[stage] = repository.count(uow, query)
            ordered = query.options(selectinload(UseCase.assignments)).order_by(UseCase.stage_entered_at)
            found = uow.session.scalars(ordered.limit(BOARD_CARDS_PER_STAGE)).all()
            shown += [(stage, use_case) for use_case in found]
        # Readiness of the cards on the board only, not of the whole portfolio.
        open_reviews = {r.key: r for r in readiness.all_open(uow, keys=[u.key for _, u in shown])}
        flagged = {f.key for f in stalled(uow, keys=[u.key for _, u in shown])}
        for stage, use_case in shown:
            card = views.summary(use_case, now, policy)
            review = open_reviews.get(use_case.key)
            card["review"] = None if review is None else {"gate": review.gate, "blockers": len(review.blockers)}
            card["badges"] = _badges(card, use_case) + ([("danger", "stalled")] if use_case.key in flagged else [])
            columns[stage].append(card)
        units = sorted(repository.business_units(uow))
    return {"policy": policy, "columns": dict(columns), "totals": totals, "units": units}


def _badges(card: dict[str, Any], use_case: Any) -> list[tuple[str, str]]:
    badges = []
    if card.get("overdue"):
        badges.append(("warn", f"{card['days_in_stage'] - (card.get('expected_max_days') or 0)} days over"))
    roles = {a.role for a in use_case.assignments}
    if "sponsor" not in roles:
        badges.append(("danger", "no sponsor"))
    if card["status"] != "active":
        badges.append(("muted", card["status"].replace("_", " ")))
    review = card.get("review")
    if review and review["blockers"] == 0:
        badges.append(("ok", "ready for decision"))
    return badges


@router.get("/use-cases")
def use_case_list(
    request: Request,
    principal: CurrentPrincipal,
    stage: str | None = None,
    status: str | None = None,
    business_unit: str | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    sort: str = "key",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    with unit_of_work(request, read_only=True) as uow:
        found, total = service.list_use_cases(
            uow, **_filters(stage, status, business_unit, q), sort=sort, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE
        )
        policy = portfolio_policy(uow)
        now = uow.now()
        rows = [views.summary(u, now, policy) for u in found]
        units = sorted(repository.business_units(uow))
    pages = max(1, -(-total // PAGE_SIZE))
    return render(
        request,
        "use_case_list.html",
        {
            "rows": rows,
            "total": total,
            "page": page,
            "pages": pages,
            "policy": policy,
            "units": units,
            "sort": sort,
            "filters": {
                "stage": stage or "",
                "status": status or "",
                "business_unit": business_unit or "",
                "q": q or "",
            },
        },
    )


@router.get("/use-cases/new")
def new_use_case(request: Request, principal: CurrentPrincipal) -> Response:
    principal.require("usecase.create", "register use cases")
    with unit_of_work(request, read_only=True) as uow:
        policy = policies.parsed(policies.get_or_raise(uow, "pilotgate-default"))
    return render(request, "use_case_new.html", {"policy": policy, "values": {}, "error": None})


@router.post("/use-cases")
def create_use_case(
    request: Request,
    principal: CurrentPrincipal,
    title: Annotated[str, Form(max_length=200)] = "",
    business_unit: Annotated[str, Form(max_length=120)] = "",
    risk_tier: Annotated[str, Form(max_length=32)] = "",
    description: Annotated[str, Form(max_length=10_000)] = "",
    tags: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    principal.require("usecase.create", "register use cases")
    values = {
        "title": title,
        "business_unit": business_unit,
        "risk_tier": risk_tier,
        "description": description,
        "tags": tags,
    }
    try:
        with unit_of_work(request) as uow:
            use_case = service.create(
                uow,
                title=title,
                business_unit=business_unit,
                risk_tier=risk_tier or None,
                description=description,
                tags=[t for t in tags.split(",") if t.strip()],
                actor=principal.email,
            )
            key = use_case.key
    except PilotgateError as error:
        with unit_of_work(request, read_only=True) as uow:
            policy = policies.parsed(policies.get_or_raise(uow, "pilotgate-default"))
        return render(
            request, "use_case_new.html", {"policy": policy, "values": values, "error": error}, status_code=error.status
        )
    return RedirectResponse(f"/use-cases/{key}", status_code=303)


@router.get("/use-cases/{key}")
def use_case_page(request: Request, principal: CurrentPrincipal, key: str) -> Response:
    return render(request, "use_case.html", use_case_context(request, key))


def use_case_context(request: Request, key: str) -> dict[str, Any]:
    """Everything the use case page shows; a section's form that failed re-renders the page with it
    (see web/use_case_forms.py)."""
    with unit_of_work(request, read_only=True) as uow:
        detail = views.detail(uow, key)
        policy = policies.parsed(policies.get_or_raise(uow, detail["policy"]))
        history = [review_pages.event_row(e) for e in audit.history(uow, use_case_key=detail["key"], limit=25)]
        artifacts = _artifacts_of(uow, detail["key"], policy)
        people = [{"email": p.email, "name": p.name} for p in service.person_list(uow)]
        evidence = panels.use_case_panel(uow, service.get_or_raise(uow, detail["key"]), policy)
        contributed = use_case_panels(uow, service.get_or_raise(uow, detail["key"]))
    return {
        "uc": detail,
        "evidence": evidence,
        **contributed,
        "policy": policy,
        "history": history[::-1],
        "people": people,
        "artifacts": artifacts,
        "error": None,
    }


def _artifacts_of(uow: Any, key: str, policy: Any) -> list[dict[str, Any]]:
    """The newest version of every artifact attached at any of the use case's gates."""
    from pilotgate.gates import repository as reviews

    use_case = service.get_or_raise(uow, key)
    found = []
    for review in reviews.reviews_of(uow, use_case.id):
        gate = policy.gate(review.gate_number)
        newest = {a.artifact_id: a for a in reviews.artifacts(uow, review.id)}
        for artifact_id, row in newest.items():
            spec = gate.artifact(artifact_id) if gate else None
            found.append(
                {
                    "gate": review.gate_number,
                    "id": artifact_id,
                    "title": spec.title if spec else artifact_id,
                    "version": row.version,
                    "filename": row.filename,
                    "url": row.url,
                    "size": row.size,
                    "uploaded_by": row.uploaded_by.email,
                    "uploaded_at": row.uploaded_at.isoformat(),
                }
            )
    return found


@router.post("/use-cases/{key}/roles")
def assign_role(
    request: Request,
    principal: CurrentPrincipal,
    key: str,
    role: Annotated[str, Form(max_length=64)],
    email: Annotated[str, Form(max_length=320)],
) -> Response:
    principal.require("role.assign", "assign roles")
    with unit_of_work(request) as uow:
        service.assign(uow, key=key, role=role, email=email, actor=principal.email)
    return RedirectResponse(f"/use-cases/{key.upper()}", status_code=303)


@router.get("/policy")
@router.get("/policy/{name}")
def policy_page(
    request: Request,
    principal: CurrentPrincipal,
    name: str = "pilotgate-default",
    version: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
) -> Response:
    with unit_of_work(request, read_only=True) as uow:
        stored = policies.get_or_raise(uow, name, version)
        policy = policies.parsed(stored)
        versions = policies.versions(uow, name)
        others = policies.list_latest(uow)
    return render(
        request,
        "policy.html",
        {
            "policy": policy,
            "stored": stored,
            "versions": versions,
            "others": others,
            "flowchart": policy_flowchart(policy),
        },
    )


@router.get("/audit")
def audit_page(
    request: Request, principal: CurrentPrincipal, use_case: Annotated[str | None, Query(max_length=16)] = None
) -> Response:
    with unit_of_work(request, read_only=True) as uow:
        # Re-verifying the whole chain on every view grows with the trail: once per version and
        # minute (a minute, because tampering with old rows by raw SQL does not move the version).
        minute = int(time.time() // 60)
        result = VERIFICATIONS.get(minute, request.state.data_version)
        if result is None:
            result = audit.verify(uow)
            VERIFICATIONS.put(minute, request.state.data_version, result)
        events = [review_pages.event_row(e) for e in audit.history(uow, use_case_key=use_case or None, limit=300)]
    problems = ([result.chain.problem] if result.chain.problem else []) + result.problems
    return render(
        request,
        "audit.html",
        {"result": result, "problems": problems, "events": events[::-1], "use_case": use_case or ""},
    )


@router.get("/portfolio")
def portfolio_page(request: Request, principal: CurrentPrincipal) -> Response:
    from pilotgate.portfolio import flow

    with unit_of_work(request, read_only=True) as uow:
        report = flow.report(uow).as_dict()
        funding = portfolio_panel(uow)
    from pilotgate.portfolio.charts import portfolio_charts

    return render(request, "portfolio.html", {"report": report, "charts": portfolio_charts(report), "funding": funding})


@router.get("/stalled")
def stalled_page(request: Request, principal: CurrentPrincipal) -> Response:
    with unit_of_work(request, read_only=True) as uow:
        found = [f.as_dict() for f in stalled(uow)]
    return render(request, "stalled.html", {"findings": found})


@router.get("/approvals")
def approvals_page(request: Request, principal: CurrentPrincipal) -> Response:
    with unit_of_work(request, read_only=True) as uow:
        waiting = approvals.waiting_for(uow, principal.email)
    return render(request, "approvals.html", {"waiting": waiting})


@router.get("/account")
def account_page(request: Request, principal: CurrentPrincipal) -> Response:
    with unit_of_work(request, read_only=True) as uow:
        tokens = accounts.tokens_of(uow, principal.email)
        rows = [token_view(t) for t in tokens]
    return render(request, "account.html", {"tokens": rows, "new_token": None})


@router.post("/account/tokens")
def create_token(
    request: Request, principal: CurrentPrincipal, name: Annotated[str, Form(min_length=1, max_length=100)]
) -> Response:
    with unit_of_work(request) as uow:
        secret, _ = accounts.create_token(uow, email=principal.email, name=name, actor=principal.email)
        tokens = accounts.tokens_of(uow, principal.email)
        rows = [token_view(t) for t in tokens]
    return render(request, "account.html", {"tokens": rows, "new_token": secret})


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(
    request: Request, principal: CurrentPrincipal, token_id: Annotated[int, Path(ge=1, le=2_147_483_647)]
) -> Response:
    with unit_of_work(request) as uow:
        owner = accounts.user_get_or_raise(uow, principal.email)
        accounts.revoke_token(uow, token_id=token_id, actor_user=owner, own_only=True)
    return RedirectResponse("/account", status_code=303)
