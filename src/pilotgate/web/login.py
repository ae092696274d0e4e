"""Signing in and out, and setting a password from a one-time link."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from pilotgate.accounts import service as accounts
from pilotgate.errors import InvalidInput
from pilotgate.web.auth import Principal, cookie_name, current_principal, optional_principal, unit_of_work
from pilotgate.web.templating import render

router = APIRouter(include_in_schema=False)
LOGIN_CSRF = "pilotgate_login_csrf"


def _safe_next(target: str | None) -> str:
    """Only a local path: never an open redirect to another host."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _login_page(
    request: Request, *, email: str = "", error: str = "", next_url: str = "/", status: int = 200
) -> Response:
    token = secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        {"email": email, "error": error, "next": next_url, "login_csrf": token},
        status_code=status,
    )
    response.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="strict", secure=request.app.state.secure_cookies)
    return response


@router.get("/login")
def login_form(
    request: Request, principal: Annotated[Principal | None, Depends(optional_principal)], next: str = "/"
) -> Response:
    if principal is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_page(request, next_url=_safe_next(next))


@router.post("/login")
def login(
    request: Request,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1000)],
    login_csrf: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF, "")
    if not expected or not hmac.compare_digest(expected, login_csrf):
        return _login_page(request, email=email, error="The form expired; please sign in again.", status=403)
    ip = request.client.host if request.client else "unknown"
    with unit_of_work(request) as uow:
        user = accounts.authenticate(uow, email=email, password=password, ip=ip)
        token = accounts.start_session(uow, user)[0] if user is not None else None
    if token is None:
        return _login_page(
            request, email=email, error="E-mail or password is wrong.", next_url=_safe_next(next), status=401
        )
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        cookie_name(request),
        token,
        httponly=True,
        samesite="lax",
        path="/",
        secure=request.app.state.secure_cookies,
        max_age=int(accounts.SESSION_ABSOLUTE.total_seconds()),
    )
    response.delete_cookie(LOGIN_CSRF)
    return response


@router.post("/logout")
def logout(request: Request, principal: Annotated[Principal, Depends(current_principal)]) -> Response:
    token = request.cookies.get(cookie_name(request))
    if token:
        with unit_of_work(request) as uow:
            accounts.end_session(uow, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(cookie_name(request), path="/")
    return response


@router.get("/setup-password")
def setup_form(request: Request, token: str = "") -> Response:
    return render(request, "setup_password.html", {"token": token, "error": ""})


@router.post("/setup-password")
def setup_password(
    request: Request,
    token: Annotated[str, Form(max_length=200)],
    password: Annotated[str, Form(max_length=1000)],
    confirm: Annotated[str, Form(max_length=1000)],
) -> Response:
    try:
        if password != confirm:
            raise InvalidInput("confirm", "the two passwords differ")
        with unit_of_work(request) as uow:
            accounts.use_setup_link(uow, token=token, password=password)
    except InvalidInput as error:
        return render(request, "setup_password.html", {"token": token, "error": error.message}, status_code=422)
    return RedirectResponse("/login", status_code=303)
