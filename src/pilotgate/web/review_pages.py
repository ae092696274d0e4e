"""The gate review page and its forms: assess, attach, vote, decide — with live blockers."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from pilotgate.errors import Forbidden, InvalidInput, NotFound, PilotgateError
from pilotgate.evidence import panels
from pilotgate.gates import repository as reviews
from pilotgate.gates import service, views
from pilotgate.usecases import service as usecases
from pilotgate.web.auth import CurrentPrincipal, Principal, unit_of_work
from pilotgate.web.problems import log_refusal
from pilotgate.web.templating import render

router = APIRouter(include_in_schema=False)


SHOWN_CHARACTERS = 100  # of one changed value in a history row; the audit trail keeps it whole


def _shown(value: Any) -> str:
    """A changed value as a history row shows it: lists and records summarised, long text cut."""
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return f"{len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, list):
        return _shown(", ".join(str(v) for v in value))
    if isinstance(value, dict):
        return _shown(", ".join(f"{k}={v}" for k, v in value.items() if not isinstance(v, list | dict)))
    text = str(value)
    return text if len(text) <= SHOWN_CHARACTERS else text[: SHOWN_CHARACTERS - 1] + "…"


def event_row(event: Any) -> dict[str, Any]:
    after = json.loads(event.after)
    change = ", ".join(
        f"{k}: {_shown(v)}" for k, v in after.items() if v not in (None, "", [], {}) and k != "evidence_digest"
    )
    return {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor": event.actor,
        "action": event.action,
        "entity": f"{event.entity_type} {event.entity_id}",
        "use_case": event.use_case_key,
        "change": change,
    }


def _page(
    request: Request,
    principal: Principal,
    key: str,
    *,
    form: str | None = None,
    error: PilotgateError | None = None,
    values: dict[str, Any] | None = None,
) -> Response:
    with unit_of_work(request, read_only=True) as uow:
        use_case = usecases.get_or_raise(uow, key)
        review = reviews.open_review(uow, use_case.id)
        status = views.status(service.load_open(uow, key)) if review else None
        decided = review is None and bool(reviews.decisions_of(uow, use_case.id))  # a packet to download
        for criterion in status["criteria"] if status else []:
            if criterion.get("evaluation"):
                criterion["charts"] = panels.criterion_charts(uow, use_case, criterion["evaluation"])
        my_roles = [a.role for a in use_case.assignments if a.person.email == principal.email]
        people = [{"email": p.email, "name": p.name} for p in usecases.person_list(uow)]
        policy = usecases.policy_of(uow, use_case)
        detail = {
            "key": use_case.key,
            "title": use_case.title,
            "stage": use_case.stage,
            "status": use_case.status,
            "business_unit": use_case.business_unit,
        }
    context = {
        "uc": detail,
        "review": status,
        "decided_packet": decided,
        "my_roles": my_roles,
        "people": people,
        "policy": policy,
        "form": form,
        "error": error,
        "values": values or {},
        "today": date.today().isoformat(),
    }
    code = error.status if error is not None else 200
    return render(request, "review.html", context, status_code=code)


@router.get("/use-cases/{key}/review")
def review_page(request: Request, principal: CurrentPrincipal, key: str) -> Response:
    return _page(request, principal, key)


@router.get("/use-cases/{key}/review/blockers")
def blockers_fragment(request: Request, principal: CurrentPrincipal, key: str) -> Response:
    """The live "why go is blocked" panel, polled by the review page."""
    with unit_of_work(request, read_only=True) as uow:
        try:
            status = views.status(service.load_open(uow, key))
        except NotFound:
            status = None
    return render(request, "_blockers.html", {"review": status, "uc": {"key": key.upper()}})


def _act(request: Request, principal: Principal, key: str, form: str, values: dict[str, Any], action: Any) -> Response:
    principal.require("review.work", "work on gate reviews")
    try:
        with unit_of_work(request) as uow:
            action(uow)
    except PilotgateError as error:
        if isinstance(error, Forbidden):
            log_refusal(request, error)
        return _page(request, principal, key, form=form, error=error, values=values)
    return RedirectResponse(f"/use-cases/{key.upper()}/review", status_code=303)


@router.post("/use-cases/{key}/review/open")
def open_review(request: Request, principal: CurrentPrincipal, key: str) -> Response:
    return _act(
        request, principal, key, "open", {}, lambda uow: service.open_review(uow, key=key, actor=principal.email)
    )


def _date(field: str, value: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(field, f"{value!r} is not a date like 2026-12-31") from None


@router.post("/use-cases/{key}/review/assess")
def assess(
    request: Request,
    principal: CurrentPrincipal,
    key: str,
    criterion: Annotated[str, Form(max_length=64)],
    status: Annotated[str, Form(max_length=16)],
    note: Annotated[str, Form(max_length=5000)] = "",
    expires: Annotated[str, Form(max_length=20)] = "",
    evidence: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    values = {"criterion": criterion, "status": status, "note": note, "expires": expires, "evidence": evidence}
    return _act(
        request,
        principal,
        key,
        f"assess:{criterion}",
        values,
        lambda uow: service.assess(
            uow,
            key=key,
            criterion_id=criterion,
            status=status,
            actor=principal.email,
            note=note,
            expires=_date("expires", expires),
            evidence=[e for e in evidence.split() if e],
        ),
    )


@router.post("/use-cases/{key}/review/attach")
def attach(
    request: Request,
    principal: CurrentPrincipal,
    key: str,
    artifact: Annotated[str, Form(max_length=64)],
    file: Annotated[UploadFile | None, File()] = None,
    url: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    values = {"artifact": artifact, "url": url}
    has_file = file is not None and bool(file.filename)

    def action(uow: Any) -> None:
        if has_file and url.strip():
            raise InvalidInput("file", "choose a file or give a link, not both")
        if has_file:
            assert file is not None
            service.attach(
                uow,
                key=key,
                artifact_id=artifact,
                actor=principal.email,
                content=file.file,
                filename=file.filename or artifact,
            )
        elif url.strip():
            service.attach(uow, key=key, artifact_id=artifact, actor=principal.email, url=url.strip())
        else:
            raise InvalidInput("file", "choose a file to upload or give a link")

    return _act(request, principal, key, f"attach:{artifact}", values, action)


@router.post("/use-cases/{key}/review/vote")
def vote(
    request: Request,
    principal: CurrentPrincipal,
    key: str,
    choice: Annotated[str, Form(max_length=16)],
    role: Annotated[str, Form(max_length=64)] = "",
    comment: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    values = {"choice": choice, "role": role, "comment": comment}
    return _act(
        request,
        principal,
        key,
        "vote",
        values,
        lambda uow: service.vote(
            uow, key=key, choice=choice, actor=principal.email, role=role or None, comment=comment
        ),
    )


@router.post("/use-cases/{key}/review/decide")
def decide(
    request: Request,
    principal: CurrentPrincipal,
    key: str,
    decision: Annotated[str, Form(max_length=20)],
    to_stage: Annotated[str, Form(max_length=64)] = "",
    condition_text: Annotated[list[str] | None, Form()] = None,
    condition_owner: Annotated[list[str] | None, Form()] = None,
    condition_due: Annotated[list[str] | None, Form()] = None,
    rationale: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    rows = zip(condition_text or [], condition_owner or [], condition_due or [], strict=False)
    conditions = [f"{t.replace('|', '/')}|{o}|{d}" for t, o, d in rows if t.strip() or o.strip() or d.strip()]
    values = {
        "decision": decision,
        "to_stage": to_stage,
        "rationale": rationale,
        "conditions": list(zip(condition_text or [], condition_owner or [], condition_due or [], strict=False)),
    }
    return _act(
        request,
        principal,
        key,
        "decide",
        values,
        lambda uow: service.decide(
            uow,
            key=key,
            decision=decision,
            actor=principal.email,
            to_stage=to_stage or None,
            conditions=conditions,
            rationale=rationale,
        ),
    )
