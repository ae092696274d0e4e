"""Signed checkpoints of the chain head, kept outside the database.

A hash chain alone cannot reveal a deleted tail or a chain recomputed by whoever holds the
database. After every transaction that wrote audit events, pilotgate appends the new head
(sequence number and hash) to a JSON-lines file, signed with an Ed25519 key that lives outside
the database. ``audit verify`` checks the chain against every checkpoint.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from pilotgate.audit.chain import ChainReport, canonical_json
from pilotgate.audit.models import AuditEvent, Meta
from pilotgate.db.base import utcnow
from pilotgate.db.uow import UnitOfWork


def _load_or_create_key(path: Path) -> Ed25519PrivateKey:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first; use theirs
        else:
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


def instance_id(uow: UnitOfWork) -> str:
    return uow.session.execute(select(Meta.value).where(Meta.key == "instance_id")).scalar_one()


@dataclass(frozen=True)
class Checkpoint:
    line: int
    instance: str
    seq: int
    hash: str
    at: str
    signature_ok: bool


def write_checkpoint(uow: UnitOfWork, seq: int, head_hash: str) -> None:
    """Sign and append the head that was just committed."""
    settings = uow.settings
    key = _load_or_create_key(settings.audit_key_path)
    with uow.database.engine.connect() as connection:
        instance = connection.execute(select(Meta.value).where(Meta.key == "instance_id")).scalar_one()
        connection.rollback()
    body = {"instance": instance, "seq": seq, "hash": head_hash, "at": utcnow().isoformat()}
    signature = base64.b64encode(key.sign(canonical_json(body).encode())).decode()
    settings.checkpoints_path.parent.mkdir(parents=True, exist_ok=True)
    with settings.checkpoints_path.open("a", encoding="utf-8") as handle:
        handle.write(canonical_json({**body, "sig": signature}) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def read_checkpoints(uow: UnitOfWork) -> list[Checkpoint]:
    """This database's checkpoints, each with whether its signature holds."""
    path = uow.settings.checkpoints_path
    if not path.exists():
        return []
    # Read the file before the first query: every checkpoint read then names a head that is
    # already committed when the caller's snapshot starts, so a concurrent writer never looks
    # like a deleted tail.
    lines = path.read_text(encoding="utf-8").splitlines()
    public = _load_or_create_key(uow.settings.audit_key_path).public_key()
    mine = instance_id(uow)
    found = []
    for number, raw in enumerate(lines, start=1):
        try:
            entry = json.loads(raw)
            body = {k: entry[k] for k in ("instance", "seq", "hash", "at")}
            seq = int(body["seq"])
            signature = base64.b64decode(entry["sig"])
        except (ValueError, KeyError, TypeError, OverflowError):
            found.append(Checkpoint(number, mine, 0, "", "", signature_ok=False))
            continue
        if body["instance"] != mine:
            continue
        try:
            public.verify(signature, canonical_json(body).encode())
            valid = True
        except InvalidSignature:
            valid = False
        found.append(Checkpoint(number, body["instance"], seq, body["hash"], body["at"], valid))
    return found


def check_against_checkpoints(
    uow: UnitOfWork, report: ChainReport, checkpoints: list[Checkpoint]
) -> tuple[list[str], int]:
    """Problems found by comparing the stored chain with the signed checkpoints (read before it)."""
    problems = [
        f"checkpoint on line {c.line} of {uow.settings.checkpoints_path} has an invalid signature: "
        "the checkpoint file was altered"
        for c in checkpoints
        if not c.signature_ok
    ]
    valid = [c for c in checkpoints if c.signature_ok]
    if not valid:
        if report.events:
            # The instance id lives in the database: whoever owns it could change it to disown
            # every checkpoint, so a trail with events and no checkpoint of its own is suspect.
            problems.append(
                f"the audit trail holds {report.events} event(s) but {uow.settings.checkpoints_path} has no "
                f"signed checkpoint for this database (instance {instance_id(uow)}): the database's instance "
                "id was changed, or the checkpoint file was replaced or removed"
            )
        return problems, 0
    wanted = sorted({c.seq for c in valid})
    stored: dict[int, str] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        stored.update(
            uow.session.execute(select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.seq.in_(chunk))).all()
        )
    latest = max(valid, key=lambda c: c.seq)
    if latest.seq > report.head_seq and latest.seq not in stored:
        problems.append(
            f"the database's audit trail ends at event #{report.head_seq}, but the checkpoint signed at "
            f"{latest.at} saw event #{latest.seq}: events were deleted from the end, or an older backup "
            "was restored"
        )
    for checkpoint in sorted(valid, key=lambda c: c.seq):
        recorded = stored.get(checkpoint.seq)
        if recorded is not None and recorded != checkpoint.hash:
            problems.append(
                f"event #{checkpoint.seq} differs from the checkpoint signed at {checkpoint.at}: the chain "
                "was rewritten or recomputed after it was signed"
            )
            break
    return problems, len(valid)
