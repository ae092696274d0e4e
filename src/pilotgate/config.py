"""Settings from the environment; pilotgate works with none set."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def _default_home() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("pilotgate", appauthor=False))


@dataclass(frozen=True)
class Settings:
    """Where pilotgate keeps its data.

    PILOTGATE_HOME          data directory (SQLite file, artifacts, audit key and checkpoints)
    PILOTGATE_DATABASE_URL  SQLAlchemy URL; default sqlite:///$PILOTGATE_HOME/pilotgate.db
    PILOTGATE_AUDIT_KEY     Ed25519 key that signs audit checkpoints; default $PILOTGATE_HOME/keys/audit-ed25519.pem
    """

    home: Path
    database_url: str
    audit_key_path: Path

    @classmethod
    def from_env(cls) -> Settings:
        home = Path(os.environ.get("PILOTGATE_HOME") or _default_home()).expanduser()
        url = os.environ.get("PILOTGATE_DATABASE_URL") or f"sqlite:///{home / 'pilotgate.db'}"
        key = Path(os.environ.get("PILOTGATE_AUDIT_KEY") or home / "keys" / "audit-ed25519.pem")
        return cls(home=home, database_url=url, audit_key_path=key)

    @property
    def artifacts_dir(self) -> Path:
        return self.home / "artifacts"

    @property
    def checkpoints_path(self) -> Path:
        return self.home / "audit-checkpoints.jsonl"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
