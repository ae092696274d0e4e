"""Accounts and tokens as plain data, for the API, the CLI and the pages (never a secret)."""

from __future__ import annotations

from typing import Any


def token_view(t: Any) -> dict[str, Any]:
    return {
        "id": t.id,
        "name": t.name,
        "prefix": t.prefix,
        "created_at": t.created_at.isoformat(),
        "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
        "revoked": t.revoked_at is not None,
    }


def user_view(u: Any) -> dict[str, Any]:
    return {
        "email": u.email,
        "name": u.person.name,
        "role": u.role,
        "disabled": u.disabled,
        "password_set": u.password_hash is not None,
    }
