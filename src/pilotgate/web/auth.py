"""Who is asking: a browser session (cookie + CSRF token) or a personal API token (Bearer)."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from pilotgate.accounts import service as accounts
from pilotgate.accounts.rules import PERMISSIONS
from pilotgate.config import Settings
from pilotgate.db.base import utcnow
from pilotgate.db.engine import Database
from pilotgate.db.uow import UnitOfWork
from pilotgate.errors import Forbidden, PilotgateError
from pilotgate.web.cache import VersionedCache, data_version

SESSION_COOKIE = "pilotgate_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class CsrfFailed(PilotgateError):
    status = 403
    title = "Forged request"


@dataclass(frozen=True)
class Principal:
    """The signed-in user, detached from any database session."""

    user_id: int
    email: str
    name: str
    role: str
    via: str  # "session" or "token"
    csrf_token: str = ""

    def can(self, action: str) -> bool:
        return self.role in PERMISSIONS.get(action, frozenset())

    def require(self, action: str, what: str) -> None:
        if not self.can(action):  # logged by the error handler, with every other refusal
            raise Forbidden(f"your account ({self.role}) may not {what}")


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def cookie_name(request: Request) -> str:
    return "__Host-" + SESSION_COOKIE if request.app.state.secure_cookies else SESSION_COOKIE


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


PRINCIPALS = VersionedCache(maxsize=2048)


_MISS = object()


def _credentials(request: Request) -> tuple[str | None, str | None]:
    return _bearer(request), request.cookies.get(cookie_name(request))


def _from_cache(request: Request) -> Principal | object | None:
    """The answer from the cache alone (one indexed query for the data version), or _MISS.

    Runs on the event loop: no thread hop for the common case of a known, fresh credential.
    """
    settings = settings_of(request)
    version = data_version(Database.for_url(settings.database_url))
    request.state.data_version = version
    token, cookie = _credentials(request)
    if token is None and cookie is None:
        return None
    cached = PRINCIPALS.get(_cache_key(token, cookie), version)
    if cached is None:
        return _MISS
    principal, _, created, seen = cached
    now = utcnow()
    if principal.via == "session" and (now - seen > accounts.SESSION_IDLE or now - created > accounts.SESSION_ABSOLUTE):
        return None
    return _MISS if now - seen > accounts.STALE_AFTER else principal


def _cache_key(token: str | None, cookie: str | None) -> tuple[str, str]:
    return ("token", accounts.digest(token)) if token is not None else ("session", accounts.digest(cookie or ""))


def resolve(request: Request) -> Principal | None:
    """The principal behind the request, or None.

    Looked up once per data version: revoking a token, disabling a user or signing out all
    write audit events, which moves the version and so drops every cached principal.
    """
    settings = settings_of(request)
    token, cookie = _credentials(request)
    version = request.state.data_version
    if token is None and cookie is None:
        return None
    key = _cache_key(token, cookie)
    cached = PRINCIPALS.get(key, version)
    if cached is None:
        cached = _lookup(settings, token, cookie)
        if cached is None:
            return None
        PRINCIPALS.put(key, version, cached)
    principal, row_id, created, seen = cached
    now = utcnow()
    if principal.via == "session" and (now - seen > accounts.SESSION_IDLE or now - created > accounts.SESSION_ABSOLUTE):
        return None
    if now - seen > accounts.STALE_AFTER:
        touch = accounts.touch_token if principal.via == "token" else accounts.touch_session
        with UnitOfWork(settings) as uow:
            touch(uow, row_id)
        PRINCIPALS.put(key, version, (principal, row_id, created, now))
    return principal


async def _resolve(request: Request) -> Principal | None:
    from starlette.concurrency import run_in_threadpool

    quick = _from_cache(request)
    if quick is not _MISS:
        return quick  # type: ignore[return-value]
    return await run_in_threadpool(resolve, request)


Lookup = tuple[Principal, int, datetime, datetime]


def _lookup(settings: Settings, token: str | None, cookie: str | None) -> Lookup | None:
    with UnitOfWork(settings, read_only=True) as uow:
        if token is not None:
            found = accounts.live_token(uow, token)
            if found is None:
                return None
            user = found.user
            principal = Principal(user.id, user.email, user.person.name, user.role, "token")
            return principal, found.id, found.created_at, found.last_used_at or found.created_at
        session = accounts.session_for(uow, cookie or "")
        if session is None:
            return None
        user = session.user
        principal = Principal(user.id, user.email, user.person.name, user.role, "session", session.csrf_token)
        return principal, session.id, session.created_at, session.last_seen_at


async def _csrf_ok(request: Request, principal: Principal) -> bool:
    if principal.via != "session" or request.method in SAFE_METHODS:
        return True
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    return sent is not None and hmac.compare_digest(sent, principal.csrf_token)


async def current_principal(request: Request) -> Principal:
    """Every route depends on this (or on optional_principal): no anonymous access."""
    principal = await _resolve(request)
    if principal is None:
        raise accounts.NotAuthenticated("sign in, or send a personal API token as 'Authorization: Bearer …'")
    if not await _csrf_ok(request, principal):
        accounts.log.warning("refused: missing or wrong CSRF token from %s on %s", principal.email, request.url.path)
        raise CsrfFailed("the form's security token is missing or wrong; reload the page and try again")
    request.state.principal = principal
    return principal


async def optional_principal(request: Request) -> Principal | None:
    principal = await _resolve(request)
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def unit_of_work(request: Request, *, read_only: bool = False) -> UnitOfWork:
    """One transaction for the request's work: ``with unit_of_work(request) as uow:``."""
    return UnitOfWork(settings_of(request), read_only=read_only)
