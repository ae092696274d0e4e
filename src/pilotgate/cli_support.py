"""What every CLI command shares: the unit of work, the actor, error rendering and output."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn

import typer

if TYPE_CHECKING:
    from pilotgate.client import Remote
    from pilotgate.db.uow import UnitOfWork

EXIT_CODES = {"NotFound": 3, "Forbidden": 5, "Conflict": 4, "GateBlocked": 4}

AS_OPTION = typer.Option(
    None,
    "--as",
    help="E-mail of the person on whose behalf the command acts (locally; with --server, the token's owner).",
)
_state: dict[str, Any] = {"server": None, "remote": None}


def set_server(server: str | None) -> None:
    _state["server"], _state["remote"] = server, None


def remote() -> Remote | None:
    """The API client when the CLI works against a server (--server or PILOTGATE_SERVER), else None."""
    from pilotgate.client import from_environment

    if _state["remote"] is None:
        with errors_rendered():
            _state["remote"] = from_environment(_state["server"]) or False
    return _state["remote"] or None


def acting_as(email: str | None) -> str:
    """The actor: --as locally; with --server, the token's owner (a different --as is refused)."""
    client = remote()
    if client is not None:
        with errors_rendered():
            owner = client.me()
        if email and email.strip().lower() != owner:
            fail(f"with --server you act as the token's owner ({owner}); drop --as {email} or use their token")
        return owner
    if not email:
        fail("--as EMAIL is required: name the person on whose behalf you act")
    return email.strip().lower()


def local_only(command: str) -> None:
    if remote() is not None:
        fail(f"`pilotgate {command}` works on the local database only; run it without --server")


JSON_OPTION = typer.Option(False, "--json", help="Print JSON instead of a table.")


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@contextmanager
def unit_of_work(*, read_only: bool = False) -> Iterator[UnitOfWork]:
    """Open one transaction for the command; business errors become one clear line."""
    from pilotgate.config import Settings
    from pilotgate.db.uow import UnitOfWork

    with errors_rendered(), UnitOfWork(Settings.from_env(), read_only=read_only) as uow:
        yield uow


@contextmanager
def errors_rendered() -> Iterator[None]:
    """Turn business errors into a clear message on stderr and a non-zero exit code."""
    from pilotgate.errors import GateBlocked, PilotgateError

    try:
        yield
    except GateBlocked as error:
        lines = "\n".join(f"  - {reason}" for reason in error.reasons)
        fail(f"go is refused: {len(error.reasons)} requirement(s) unmet:\n{lines}", EXIT_CODES["GateBlocked"])
    except PilotgateError as error:
        rows = getattr(error, "errors", None)
        if isinstance(rows, list) and rows:  # a rejected batch: one line per bad row
            fail(error.message.split(": ", 1)[0] + ":\n" + "\n".join(f"  - {row}" for row in rows))
        fail(error.message, EXIT_CODES.get(type(error).__name__, 1))


def local_actor(email: str | None) -> str:
    if email:
        return email.strip().lower()
    import getpass

    return f"local:{getpass.getuser()}"


def print_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def console() -> Any:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


def table(*columns: str, title: str | None = None) -> Any:
    from rich.table import Table

    grid = Table(title=title, title_justify="left", header_style="bold")
    for column in columns:
        grid.add_column(column)
    return grid


def escape(value: object) -> str:
    from rich.markup import escape as rich_escape

    return rich_escape(str(value))


def debug_enabled() -> bool:
    return os.environ.get("PILOTGATE_DEBUG", "") not in ("", "0")


def report_crash(error: BaseException) -> NoReturn:
    """An unexpected failure: one line for the user, the traceback only with PILOTGATE_DEBUG=1."""
    if debug_enabled():
        raise error
    print(
        f"error: unexpected {type(error).__name__}: {error}. Nothing was committed. "
        "Run again with PILOTGATE_DEBUG=1 for details and report it.",
        file=sys.stderr,
    )
    raise SystemExit(1)
