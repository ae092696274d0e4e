"""Content-addressed file storage for artifacts: stored by SHA-256, never executed."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pilotgate.errors import InvalidInput, NotFound

CHUNK = 1024 * 1024
MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"PK\x03\x04", "application/zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
    (b"\x7fELF", "application/x-executable"),
    (b"MZ", "application/x-msdownload"),
)
SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    size: int
    media_type: str
    filename: str


def sniff(head: bytes) -> str:
    """The media type the content's first bytes show, whatever its name claims."""
    for magic, media_type in MAGIC:
        if head.startswith(magic):
            return media_type
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "application/octet-stream"
    return "text/plain"


def safe_filename(name: str) -> str:
    cleaned = SAFE_NAME.sub("_", Path(name).name).strip(" .")
    return cleaned[:200] or "artifact"


def blob_path(root: Path, sha256: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise InvalidInput("sha256", "not a SHA-256 digest")
    return root / sha256[:2] / sha256


def store(root: Path, source: BinaryIO, *, filename: str, max_bytes: int) -> StoredFile:
    """Stream a file into the store, refusing it as soon as it passes the size limit."""
    root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    head = b""
    fd, temp_name = tempfile.mkstemp(dir=root, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as temp:
            while chunk := source.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise InvalidInput(
                        "file", f"is larger than the {max_bytes:,} bytes this policy allows for an artifact"
                    )
                if len(head) < 512:
                    head += chunk[: 512 - len(head)]
                digest.update(chunk)
                temp.write(chunk)
            temp.flush()
            os.fsync(temp.fileno())
        if size == 0:
            raise InvalidInput("file", "is empty; attach the document itself")
        sha = digest.hexdigest()
        target = blob_path(root, sha)
        target.parent.mkdir(exist_ok=True)
        os.replace(temp_name, target)
        os.chmod(target, 0o440)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return StoredFile(sha, size, sniff(head), safe_filename(filename))


def open_blob(root: Path, sha256: str) -> BinaryIO:
    path = blob_path(root, sha256)
    if not path.exists():
        raise NotFound(f"the stored file {sha256[:12]}… is missing from {root}")
    return path.open("rb")
