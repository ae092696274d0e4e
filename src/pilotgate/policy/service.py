"""Policy versions in the database: register the shipped policy, publish new versions."""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import func, select

from pilotgate.audit import service as audit
from pilotgate.db.uow import UnitOfWork
from pilotgate.errors import NotFound
from pilotgate.policy.loader import SHIPPED_POLICY, content_hash, load_policy_text, shipped_policy_text
from pilotgate.policy.model import Policy
from pilotgate.policy.models import PolicyVersion


@lru_cache(maxsize=64)
def _parse(sha256: str, content: str) -> Policy:
    return load_policy_text(content, f"stored policy {sha256[:12]}")


def parsed(version: PolicyVersion) -> Policy:
    return _parse(version.sha256, version.content)


def latest(uow: UnitOfWork, name: str) -> PolicyVersion | None:
    return uow.session.execute(
        select(PolicyVersion).where(PolicyVersion.name == name).order_by(PolicyVersion.version.desc()).limit(1)
    ).scalar_one_or_none()


def get_or_raise(uow: UnitOfWork, name: str, version: int | None = None) -> PolicyVersion:
    if version is None:
        found = latest(uow, name)
    else:
        found = uow.session.execute(
            select(PolicyVersion).where(PolicyVersion.name == name, PolicyVersion.version == version)
        ).scalar_one_or_none()
    if found is None:
        names = ", ".join(v.name for v in list_latest(uow)) or "none"
        which = f"{name} version {version}" if version else name
        raise NotFound(f"no policy {which}; known policies: {names}")
    return found


def publish(uow: UnitOfWork, *, text: str, source: str, actor: str) -> tuple[PolicyVersion, bool]:
    """Store a validated policy as its name's next version; unchanged text is not duplicated."""
    policy = load_policy_text(text, source)
    current = latest(uow, policy.name)
    sha = content_hash(text)
    if current is not None and current.sha256 == sha:
        return current, False
    version = PolicyVersion(
        name=policy.name,
        version=(current.version + 1) if current else 1,
        title=policy.title,
        content=text,
        sha256=sha,
        source=source,
        created_at=uow.now(),
        created_by=actor,
    )
    uow.session.add(version)
    uow.session.flush()
    audit.record(
        uow,
        actor=actor,
        action="policy.published",
        entity_type="policy",
        entity_id=f"{version.name}@{version.version}",
        after={"name": version.name, "version": version.version, "sha256": sha, "source": source},
    )
    return version, True


SHIPPED_SOURCE = "shipped with pilotgate"


def ensure_shipped(uow: UnitOfWork) -> PolicyVersion:
    """Register the policy shipped with this pilotgate as the next version of its name.

    Only while the organisation has not published its own version of that name: a policy
    someone published is never replaced behind their back by a pilotgate upgrade.
    """
    current = latest(uow, SHIPPED_POLICY)
    text = shipped_policy_text()
    if current is not None and (current.sha256 == content_hash(text) or current.source != SHIPPED_SOURCE):
        return current
    version, _ = publish(uow, text=text, source=SHIPPED_SOURCE, actor="pilotgate")
    return version


def list_latest(uow: UnitOfWork) -> list[PolicyVersion]:
    newest = (
        select(PolicyVersion.name, func.max(PolicyVersion.version).label("version"))
        .group_by(PolicyVersion.name)
        .subquery()
    )
    return list(
        uow.session.execute(
            select(PolicyVersion)
            .join(newest, (PolicyVersion.name == newest.c.name) & (PolicyVersion.version == newest.c.version))
            .order_by(PolicyVersion.name)
        ).scalars()
    )


def versions(uow: UnitOfWork, name: str) -> list[PolicyVersion]:
    return list(
        uow.session.execute(
            select(PolicyVersion).where(PolicyVersion.name == name).order_by(PolicyVersion.version)
        ).scalars()
    )
