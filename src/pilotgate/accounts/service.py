"""Users, passwords, sessions and tokens. Secrets are stored hashed: passwords with argon2id,
random tokens with SHA-256 (they carry 256 bits of entropy, so a slow hash adds nothing)."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select, update

from pilotgate.accounts.models import ApiToken, LoginAttempt, PasswordSetup, User, WebSession
from pilotgate.accounts.rules import APP_ROLES
from pilotgate.audit import service as audit
from pilotgate.db.uow import UnitOfWork
from pilotgate.errors import Conflict, Forbidden, InvalidInput, NotFound, PilotgateError
from pilotgate.usecases import repository as people_repository
from pilotgate.usecases import service as usecases

log = logging.getLogger("pilotgate.auth")
hasher = PasswordHasher()  # argon2id with the library's current defaults
SESSION_IDLE = timedelta(hours=8)
SESSION_ABSOLUTE = timedelta(hours=24)
SETUP_LIFETIME = timedelta(hours=72)
MAX_FAILURES_PER_EMAIL = 5
MAX_FAILURES_PER_IP = 20
LOCKOUT_WINDOW = timedelta(minutes=15)
MIN_PASSWORD = 12
TOKEN_PREFIX = "pgt_"


class TooManyAttempts(PilotgateError):
    status = 429
    title = "Too many log-in attempts"


class NotAuthenticated(PilotgateError):
    status = 401
    title = "Not signed in"


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_role(role: str) -> str:
    role = role.strip().lower()
    if role not in APP_ROLES:
        raise InvalidInput("role", f"{role!r} is not one of {', '.join(APP_ROLES)}")
    return role


def user_by_email(uow: UnitOfWork, email: str) -> User | None:
    person = people_repository.person_by_email(uow, email)
    if person is None:
        return None
    return uow.session.execute(select(User).where(User.person_id == person.id)).scalar_one_or_none()


def user_get_or_raise(uow: UnitOfWork, email: str) -> User:
    user = user_by_email(uow, email)
    if user is None:
        raise NotFound(
            f"no user account for {email.strip().lower()}; add one with `pilotgate user add EMAIL --role ROLE`"
        )
    return user


def create_user(uow: UnitOfWork, *, email: str, role: str, name: str | None, actor: str) -> User:
    """An account for a person (registered on the way if new); its password is set by its owner."""
    role = _check_role(role)
    person = people_repository.person_by_email(uow, email)
    if person is None:
        person = usecases.person_create(uow, email=email, name=name or email.split("@")[0], actor=actor)
    elif user_by_email(uow, email) is not None:
        raise Conflict(f"{person.email} already has an account")
    user = User(person_id=person.id, role=role, disabled=False, created_at=uow.now())
    uow.session.add(user)
    uow.session.flush()
    audit.record(
        uow,
        actor=actor,
        action="user.created",
        entity_type="user",
        entity_id=person.email,
        after={"email": person.email, "role": role},
    )
    return user


def list_users(uow: UnitOfWork) -> list[User]:
    return list(uow.session.scalars(select(User).join(User.person).order_by(User.id)))


def set_role(uow: UnitOfWork, *, email: str, role: str, actor: str) -> User:
    user = user_get_or_raise(uow, email)
    before = user.role
    user.role = _check_role(role)
    audit.record(
        uow,
        actor=actor,
        action="user.role_changed",
        entity_type="user",
        entity_id=user.email,
        before={"role": before},
        after={"role": user.role},
    )
    return user


def password_setup_link(uow: UnitOfWork, *, email: str, actor: str) -> str:
    """A one-time token with which the user sets their own password in the browser."""
    user = user_get_or_raise(uow, email)
    _retire_setup_links(uow, user)  # only the newest link works
    token = secrets.token_urlsafe(32)
    now = uow.now()
    uow.session.add(
        PasswordSetup(user_id=user.id, token_hash=digest(token), created_at=now, expires_at=now + SETUP_LIFETIME)
    )
    audit.record(uow, actor=actor, action="user.password_link_issued", entity_type="user", entity_id=user.email)
    return token


def check_password_strength(password: str, email: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput("password", f"must be at least {MIN_PASSWORD} characters long")
    if password.lower() in email.lower() or email.split("@")[0].lower() in password.lower():
        raise InvalidInput("password", "must not contain your e-mail address")


def set_password(uow: UnitOfWork, *, email: str, password: str, actor: str) -> User:
    user = user_get_or_raise(uow, email)
    check_password_strength(password, user.email)
    user.password_hash = hasher.hash(password)
    _end_sessions(uow, user)  # a new password ends every other session
    audit.record(uow, actor=actor, action="user.password_set", entity_type="user", entity_id=user.email)
    return user


def use_setup_link(uow: UnitOfWork, *, token: str, password: str) -> User:
    setup = uow.session.execute(
        select(PasswordSetup).where(PasswordSetup.token_hash == digest(token))
    ).scalar_one_or_none()
    if setup is None or setup.used_at is not None or setup.expires_at < uow.now():
        raise InvalidInput("token", "this link is invalid, used or expired; ask an administrator for a new one")
    user = uow.session.get(User, setup.user_id)
    if user is None or user.disabled:
        raise InvalidInput("token", "this link is invalid, used or expired; ask an administrator for a new one")
    _retire_setup_links(uow, user)
    return set_password(uow, email=user.email, password=password, actor=user.email)


def _retire_setup_links(uow: UnitOfWork, user: User) -> None:
    uow.session.execute(
        update(PasswordSetup)
        .where(PasswordSetup.user_id == user.id, PasswordSetup.used_at.is_(None))
        .values(used_at=uow.now())
    )


def _end_sessions(uow: UnitOfWork, user: User) -> None:
    uow.session.execute(
        update(WebSession)
        .where(WebSession.user_id == user.id, WebSession.ended_at.is_(None))
        .values(ended_at=uow.now())
    )


def disable(uow: UnitOfWork, *, email: str, actor: str) -> User:
    """Disable an account: its sessions end and its API tokens are revoked, at once."""
    user = user_get_or_raise(uow, email)
    user.disabled = True
    _end_sessions(uow, user)
    uow.session.execute(
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)).values(revoked_at=uow.now())
    )
    audit.record(
        uow, actor=actor, action="user.disabled", entity_type="user", entity_id=user.email, after={"disabled": True}
    )
    return user


def enable(uow: UnitOfWork, *, email: str, actor: str) -> User:
    user = user_get_or_raise(uow, email)
    user.disabled = False
    audit.record(
        uow, actor=actor, action="user.enabled", entity_type="user", entity_id=user.email, after={"disabled": False}
    )
    return user


def _recent_failures(uow: UnitOfWork, *, email: str | None = None, ip: str | None = None) -> int:
    since = uow.now() - LOCKOUT_WINDOW
    match = LoginAttempt.email == email if email is not None else LoginAttempt.ip == ip
    return uow.session.execute(
        select(func.count())
        .select_from(LoginAttempt)
        .where(match, LoginAttempt.at >= since, LoginAttempt.succeeded.is_(False))
    ).scalar_one()


def authenticate(uow: UnitOfWork, *, email: str, password: str, ip: str) -> User | None:
    """Check a password; rate-limited per e-mail and per address. Every attempt is recorded."""
    email = email.strip().lower()
    if (
        _recent_failures(uow, email=email) >= MAX_FAILURES_PER_EMAIL
        or _recent_failures(uow, ip=ip) >= MAX_FAILURES_PER_IP
    ):
        log.warning("log-in refused (rate limit) for %s from %s", email, ip)
        raise TooManyAttempts("too many failed log-in attempts; wait 15 minutes and try again")
    user = user_by_email(uow, email)
    succeeded = False
    if user is not None and user.password_hash and not user.disabled:
        try:
            succeeded = hasher.verify(user.password_hash, password)
        except (VerificationError, InvalidHashError):
            succeeded = False
    else:
        hasher.hash(password)  # same cost whether or not the account exists
    uow.session.add(LoginAttempt(email=email[:320], ip=ip[:64], at=uow.now(), succeeded=succeeded))
    log.info("log-in %s for %s from %s", "succeeded" if succeeded else "failed", email, ip)
    return user if succeeded else None


def start_session(uow: UnitOfWork, user: User) -> tuple[str, WebSession]:
    token = secrets.token_urlsafe(32)
    now = uow.now()
    session = WebSession(
        token_hash=digest(token),
        csrf_token=secrets.token_urlsafe(32),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
    )
    uow.session.add(session)
    uow.session.flush()
    audit.record(
        uow,
        actor=user.email,
        action="session.started",
        entity_type="user",
        entity_id=user.email,
        after={"session_id": session.id},
    )
    return token, session


def session_for(uow: UnitOfWork, token: str) -> WebSession | None:
    """The live session behind a cookie, or None when it is unknown, ended or timed out."""
    found = uow.session.execute(select(WebSession).where(WebSession.token_hash == digest(token))).scalar_one_or_none()
    now = uow.now()
    if found is None or found.ended_at is not None or found.user.disabled:
        return None
    if now - found.last_seen_at > SESSION_IDLE or now - found.created_at > SESSION_ABSOLUTE:
        return None
    return found


STALE_AFTER = timedelta(minutes=1)


def needs_touch(uow: UnitOfWork, last: datetime | None) -> bool:
    """Last-seen and last-used times are written at most once a minute, in their own transaction."""
    return last is None or uow.now() - last > STALE_AFTER


def touch_session(uow: UnitOfWork, row_id: int) -> None:
    uow.session.execute(update(WebSession).where(WebSession.id == row_id).values(last_seen_at=uow.now()))


def touch_token(uow: UnitOfWork, row_id: int) -> None:
    uow.session.execute(update(ApiToken).where(ApiToken.id == row_id).values(last_used_at=uow.now()))


def end_session(uow: UnitOfWork, token: str) -> None:
    """Sign out on the server: the session ends, and the audit event invalidates cached sign-ins."""
    session = uow.session.execute(
        select(WebSession).where(WebSession.token_hash == digest(token), WebSession.ended_at.is_(None))
    ).scalar_one_or_none()
    if session is None:
        return
    session.ended_at = uow.now()
    audit.record(
        uow,
        actor=session.user.email,
        action="session.ended",
        entity_type="user",
        entity_id=session.user.email,
        after={"session_id": session.id},
    )


def create_token(uow: UnitOfWork, *, email: str, name: str, actor: str) -> tuple[str, ApiToken]:
    """A personal API token; the secret is returned once and only its hash is kept."""
    user = user_get_or_raise(uow, email)
    name = name.strip() or "token"
    if len(name) > 100:
        raise InvalidInput("name", "at most 100 characters")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, prefix=secret[:10], token_hash=digest(secret), created_at=uow.now())
    uow.session.add(token)
    uow.session.flush()
    audit.record(
        uow,
        actor=actor,
        action="token.created",
        entity_type="user",
        entity_id=user.email,
        after={"token_id": token.id, "name": name, "prefix": token.prefix},
    )
    return secret, token


def tokens_of(uow: UnitOfWork, email: str) -> list[ApiToken]:
    user = user_get_or_raise(uow, email)
    return list(uow.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)))


def revoke_token(uow: UnitOfWork, *, token_id: int, actor_user: User, own_only: bool = False) -> ApiToken:
    """Revoke a token: one's own, or (for an admin, unless own_only) anyone's."""
    token = uow.session.get(ApiToken, token_id)
    may_revoke_others = actor_user.role == "admin" and not own_only
    if token is None or (token.user_id != actor_user.id and not may_revoke_others):
        raise NotFound(f"no token {token_id} of yours; list them with `pilotgate token list EMAIL`")
    if token.revoked_at is None:
        token.revoked_at = uow.now()
        audit.record(
            uow,
            actor=actor_user.email,
            action="token.revoked",
            entity_type="user",
            entity_id=token.user.email,
            after={"token_id": token.id},
        )
    return token


def live_token(uow: UnitOfWork, secret: str) -> ApiToken | None:
    """The token behind a secret, unless it is unknown, revoked or its user is disabled."""
    token = uow.session.execute(select(ApiToken).where(ApiToken.token_hash == digest(secret))).scalar_one_or_none()
    if token is None or token.revoked_at is not None or token.user.disabled:
        return None
    return token


def require(user: User, allowed_roles: frozenset[str], what: str) -> None:
    if user.role not in allowed_roles:
        log.warning("refused: %s (%s) may not %s", user.email, user.role, what)
        raise Forbidden(f"{user.email} has the {user.role} role, which may not {what}")
