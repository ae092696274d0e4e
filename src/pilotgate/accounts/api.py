"""REST API of accounts: who am I, my tokens, and (for admins) users."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field

from pilotgate.accounts import service
from pilotgate.accounts.views import token_view, user_view
from pilotgate.web.auth import CurrentPrincipal, unit_of_work

router = APIRouter(tags=["accounts"])


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(default="api", min_length=1, max_length=100)


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    email: str = Field(max_length=320)
    role: str = Field(max_length=32)
    name: str | None = Field(default=None, max_length=200)


class RoleChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: str = Field(max_length=32)


@router.get("/me", summary="The signed-in user")
def me(principal: CurrentPrincipal) -> dict[str, Any]:
    return {"email": principal.email, "name": principal.name, "role": principal.role, "via": principal.via}


@router.get("/me/tokens", summary="Your API tokens (never the secrets)")
def my_tokens(request: Request, principal: CurrentPrincipal) -> list[dict[str, Any]]:
    with unit_of_work(request, read_only=True) as uow:
        return [token_view(t) for t in service.tokens_of(uow, principal.email)]


@router.post("/me/tokens", status_code=201, summary="Create an API token; the secret is in this answer only")
def create_token(request: Request, principal: CurrentPrincipal, body: TokenCreate) -> dict[str, Any]:
    with unit_of_work(request) as uow:
        secret, token = service.create_token(uow, email=principal.email, name=body.name, actor=principal.email)
        return {**token_view(token), "token": secret}


@router.delete("/me/tokens/{token_id}", summary="Revoke one of your tokens")
def revoke_token(
    request: Request, principal: CurrentPrincipal, token_id: Annotated[int, Path(ge=1, le=2_147_483_647)]
) -> dict[str, Any]:
    with unit_of_work(request) as uow:
        owner = service.user_get_or_raise(uow, principal.email)
        return token_view(service.revoke_token(uow, token_id=token_id, actor_user=owner, own_only=True))


@router.get("/users", summary="List accounts (admin)")
def list_users(request: Request, principal: CurrentPrincipal) -> list[dict[str, Any]]:
    principal.require("user.manage", "manage accounts")
    with unit_of_work(request, read_only=True) as uow:
        return [user_view(u) for u in service.list_users(uow)]


@router.post("/users", status_code=201, summary="Create an account (admin); answers a one-time password link")
def create_user(request: Request, principal: CurrentPrincipal, body: UserCreate) -> dict[str, Any]:
    principal.require("user.manage", "manage accounts")
    with unit_of_work(request) as uow:
        user = service.create_user(uow, email=body.email, role=body.role, name=body.name, actor=principal.email)
        token = service.password_setup_link(uow, email=user.email, actor=principal.email)
        return {**user_view(user), "password_setup_url": str(request.base_url) + f"setup-password?token={token}"}


@router.put("/users/{email}/role", summary="Change an account's application role (admin)")
def change_role(request: Request, principal: CurrentPrincipal, email: str, body: RoleChange) -> dict[str, Any]:
    principal.require("user.manage", "manage accounts")
    with unit_of_work(request) as uow:
        return user_view(service.set_role(uow, email=email, role=body.role, actor=principal.email))


@router.post("/users/{email}/disable", summary="Disable an account: sessions end, tokens are revoked (admin)")
def disable_user(request: Request, principal: CurrentPrincipal, email: str) -> dict[str, Any]:
    principal.require("user.manage", "manage accounts")
    with unit_of_work(request) as uow:
        return user_view(service.disable(uow, email=email, actor=principal.email))
