"""CLI: user accounts and personal API tokens."""

from __future__ import annotations

import sys
from typing import Any

import typer

from pilotgate.cli_support import (
    JSON_OPTION,
    acting_as,
    console,
    errors_rendered,
    escape,
    fail,
    local_actor,
    local_only,
    print_json,
    remote,
    table,
    unit_of_work,
)

user_app = typer.Typer(rich_markup_mode=None, help="User accounts and their application roles.", no_args_is_help=True)
token_app = typer.Typer(rich_markup_mode=None, help="Personal API tokens.", no_args_is_help=True)
ACTOR = typer.Option(None, "--as", help="E-mail of the person making the change (default: the local user).")
BASE_URL = typer.Option("http://127.0.0.1:8000", "--base-url", help="Where users reach the web app.")


@user_app.command("add")
def user_add(
    email: str,
    role: str = typer.Option(..., "--role", help="admin, program_lead, contributor or viewer."),
    name: str | None = typer.Option(None, "--name", help="Full name (for a person not yet registered)."),
    base_url: str = BASE_URL,
    actor: str | None = ACTOR,
) -> None:
    """Create an account; prints a one-time link with which the user sets their own password."""
    if client := remote():
        with errors_rendered():
            made = client.post("/users", json={"email": email, "role": role, "name": name})
        typer.echo(f"added {made['email']} with role {made['role']}")
        typer.echo(f"the user sets a password at {made['password_setup_url']} (valid 72 hours)")
        return
    from pilotgate.accounts import service

    with unit_of_work() as uow:
        user = service.create_user(uow, email=email, role=role, name=name, actor=local_actor(actor))
        token = service.password_setup_link(uow, email=user.email, actor=local_actor(actor))
    typer.echo(f"added {user.email} with role {user.role}")
    typer.echo(f"the user sets a password at {base_url.rstrip('/')}/setup-password?token={token} (valid 72 hours),")
    typer.echo(f"or at this terminal with: pilotgate user password {user.email}")


@user_app.command("password")
def user_password(
    email: str,
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
) -> None:
    """Set a user's password (prompted twice, never echoed)."""
    from pilotgate.accounts import service

    local_only("user password")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    with unit_of_work() as uow:
        user = service.set_password(uow, email=email, password=password, actor=local_actor(None))
    typer.echo(f"password set for {user.email}; their other sessions have ended")


@user_app.command("list")
def user_list(as_json: bool = JSON_OPTION) -> None:
    """List accounts."""
    if client := remote():
        with errors_rendered():
            rows = client.get("/users")
        _print_users(rows, as_json)
        return
    from pilotgate.accounts import service
    from pilotgate.accounts.views import user_view

    with unit_of_work(read_only=True) as uow:
        rows = [user_view(u) for u in service.list_users(uow)]
    _print_users(rows, as_json)


def _print_users(rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print_json(rows)
        return
    grid = table("E-mail", "Name", "Role", "State")
    for r in rows:
        state = "disabled" if r["disabled"] else ("active" if r["password_set"] else "awaiting password")
        grid.add_row(escape(r["email"]), escape(r["name"]), r["role"], state)
    console().print(grid)


@user_app.command("role")
def user_role(email: str, role: str, actor: str | None = ACTOR) -> None:
    """Change a user's application role."""
    if client := remote():
        with errors_rendered():
            changed = client.put(f"/users/{email}/role", {"role": role})
        typer.echo(f"{changed['email']} now has role {changed['role']}")
        return
    from pilotgate.accounts import service

    with unit_of_work() as uow:
        user = service.set_role(uow, email=email, role=role, actor=local_actor(actor))
        typer.echo(f"{user.email} now has role {user.role}")


@user_app.command("disable")
def user_disable(email: str, actor: str | None = ACTOR) -> None:
    """Disable an account: its sessions end and its API tokens are revoked."""
    if client := remote():
        with errors_rendered():
            client.post(f"/users/{email}/disable")
        typer.echo(f"disabled {email.strip().lower()}; sessions ended, tokens revoked")
        return
    from pilotgate.accounts import service

    with unit_of_work() as uow:
        user = service.disable(uow, email=email, actor=local_actor(actor))
        typer.echo(f"disabled {user.email}; sessions ended, tokens revoked")


@user_app.command("enable")
def user_enable(email: str, actor: str | None = ACTOR) -> None:
    """Enable a disabled account (it needs new tokens)."""
    from pilotgate.accounts import service

    local_only("user enable")
    with unit_of_work() as uow:
        user = service.enable(uow, email=email, actor=local_actor(actor))
        typer.echo(f"enabled {user.email}")


@token_app.command("create")
def token_create(
    email: str,
    name: str = typer.Option("cli", "--name", help="What the token is for."),
    actor: str | None = ACTOR,
) -> None:
    """Create a personal API token; it is shown once."""
    if client := remote():
        _own_tokens_only(email)
        with errors_rendered():
            made = client.post("/me/tokens", json={"name": name})
        typer.echo(f"token {made['id']} ({made['name']}) for {email} — copy it now, it is not shown again:")
        typer.echo(made["token"])
        return
    from pilotgate.accounts import service

    with unit_of_work() as uow:
        secret, token = service.create_token(uow, email=email, name=name, actor=local_actor(actor))
        typer.echo(f"token {token.id} ({token.name}) for {token.user.email} — copy it now, it is not shown again:")
        typer.echo(secret)


def _own_tokens_only(email: str) -> None:
    if acting_as(None) != email.strip().lower():
        fail("with --server you manage your own tokens only; give your own e-mail")


@token_app.command("list")
def token_list(email: str, as_json: bool = JSON_OPTION) -> None:
    """List a user's tokens (never the secrets)."""
    if client := remote():
        _own_tokens_only(email)
        with errors_rendered():
            tokens = client.get("/me/tokens")
        _print_tokens(tokens, as_json)
        return
    from pilotgate.accounts import service
    from pilotgate.accounts.views import token_view

    with unit_of_work(read_only=True) as uow:
        rows = [token_view(t) for t in service.tokens_of(uow, email)]
    _print_tokens(rows, as_json)


def _print_tokens(rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print_json(rows)
        return
    grid = table("Id", "Name", "Starts with", "Created", "Last used", "State")
    for r in rows:
        grid.add_row(
            str(r["id"]),
            escape(r["name"]),
            r["prefix"] + "…",
            r["created_at"][:16],
            (r["last_used_at"] or "never")[:16],
            "revoked" if r["revoked"] else "active",
        )
    console().print(grid)


@token_app.command("revoke")
def token_revoke(email: str, token_id: int) -> None:
    """Revoke one of a user's tokens."""
    if client := remote():
        _own_tokens_only(email)
        with errors_rendered():
            revoked = client.delete(f"/me/tokens/{token_id}")
        typer.echo(f"revoked token {revoked['id']} ({revoked['name']})")
        return
    from pilotgate.accounts import service

    with unit_of_work() as uow:
        owner = service.user_get_or_raise(uow, email)
        token = service.revoke_token(uow, token_id=token_id, actor_user=owner)
        typer.echo(f"revoked token {token.id} ({token.name})")
