"""CLI: people, use cases and role assignments."""

from __future__ import annotations

from typing import Any

import typer

from pilotgate.cli_support import (
    JSON_OPTION,
    console,
    errors_rendered,
    escape,
    fail,
    local_actor,
    print_json,
    remote,
    table,
    unit_of_work,
)

person_app = typer.Typer(rich_markup_mode=None, help="People who hold roles on use cases.", no_args_is_help=True)
usecase_app = typer.Typer(rich_markup_mode=None, help="The use-case registry.", no_args_is_help=True)

ACTOR_OPTION = typer.Option(None, "--as", help="E-mail of the person making the change (default: the local user).")


@person_app.command("add")
def person_add(
    email: str,
    name: str = typer.Option(..., "--name", help="Full name."),
    actor: str | None = ACTOR_OPTION,
) -> None:
    """Register a person by e-mail."""
    if client := remote():
        with errors_rendered():
            made = client.post("/people", json={"email": email, "name": name})
        typer.echo(f"added {made['email']} ({made['name']})")
        return
    from pilotgate.usecases import service

    with unit_of_work() as uow:
        person = service.person_create(uow, email=email, name=name, actor=local_actor(actor))
        typer.echo(f"added {person.email} ({person.name})")


@person_app.command("list")
def person_list(as_json: bool = JSON_OPTION) -> None:
    """List people."""
    if client := remote():
        with errors_rendered():
            people = client.get("/people")
    else:
        from pilotgate.usecases import service

        with unit_of_work(read_only=True) as uow:
            people = [{"email": p.email, "name": p.name} for p in service.person_list(uow)]
    if as_json:
        print_json(people)
        return
    grid = table("E-mail", "Name")
    for p in people:
        grid.add_row(escape(p["email"]), escape(p["name"]))
    console().print(grid)


@usecase_app.command("add")
def usecase_add(
    title: str,
    business_unit: str = typer.Option(..., "--business-unit", help="Owning business unit."),
    risk_tier: str | None = typer.Option(None, "--risk-tier", help="Risk tier (default: the policy's)."),
    description: str = typer.Option("", "--description", help="What the use case does and for whom."),
    tag: list[str] = typer.Option([], "--tag", help="A tag; repeat for several."),
    policy: str | None = typer.Option(None, "--policy", help="Policy name (default: pilotgate-default)."),
    actor: str | None = ACTOR_OPTION,
) -> None:
    """Register a use case; prints its new key."""
    if client := remote():
        body = {
            "title": title,
            "business_unit": business_unit,
            "risk_tier": risk_tier,
            "description": description,
            "tags": tag,
            "policy": policy,
        }
        with errors_rendered():
            typer.echo(client.post("/use-cases", json=body)["key"])
        return
    from pilotgate.usecases import service

    with unit_of_work() as uow:
        use_case = service.create(
            uow,
            title=title,
            business_unit=business_unit,
            risk_tier=risk_tier,
            description=description,
            tags=tag,
            policy_name=policy,
            actor=local_actor(actor),
        )
        typer.echo(use_case.key)


@usecase_app.command("list")
def usecase_list(
    stage: str | None = typer.Option(None, "--stage", help="Only this stage."),
    status: str | None = typer.Option(None, "--status", help="Only this status."),
    business_unit: str | None = typer.Option(None, "--business-unit", help="Only this business unit."),
    tag: str | None = typer.Option(None, "--tag", help="Only use cases with this tag."),
    text: str | None = typer.Option(None, "--search", help="Text in the key, title or description."),
    sort: str = typer.Option("key", "--sort", help="Sort field; prefix - for descending."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="At most this many."),
    offset: int = typer.Option(0, "--offset", min=0, help="Skip this many."),
    as_json: bool = JSON_OPTION,
) -> None:
    """List use cases, filtered and sorted."""
    if client := remote():
        total, rows = _remote_list(client, stage, status, business_unit, tag, text, sort, limit, offset)
    else:
        total, rows = _local_list(stage, status, business_unit, tag, text, sort, limit, offset)
    _print_list(total, offset, rows, as_json)


def _remote_list(client: Any, *filters: Any) -> tuple[int, list[dict[str, Any]]]:
    stage, status, business_unit, tag, text, sort, limit, offset = filters
    per_page = limit or 200
    if offset % per_page:
        fail("with --server, --offset must be a multiple of --limit (the API pages by page number)")
    rows: list[dict[str, Any]] = []
    page = offset // per_page + 1
    with errors_rendered():
        while True:
            answer = client.get(
                "/use-cases",
                stage=stage,
                status=status,
                business_unit=business_unit,
                tag=tag,
                q=text,
                sort=sort,
                page=page,
                per_page=per_page,
            )
            rows += answer["items"]
            if limit or not answer["items"] or len(rows) + offset >= answer["total"]:
                return answer["total"], rows
            page += 1


def _local_list(*filters: Any) -> tuple[int, list[dict[str, Any]]]:
    from pilotgate.policy import service as policies
    from pilotgate.usecases import service
    from pilotgate.usecases.views import summary

    stage, status, business_unit, tag, text, sort, limit, offset = filters
    with unit_of_work(read_only=True) as uow:
        found, total = service.list_use_cases(
            uow,
            stage=stage,
            status=status,
            business_unit=business_unit,
            tag=tag,
            text=text,
            sort=sort,
            limit=limit,
            offset=offset,
        )
        now = uow.now()
        parsed = {n: policies.parsed(policies.get_or_raise(uow, n)) for n in {u.policy_name for u in found}}
        return total, [summary(u, now, parsed[u.policy_name]) for u in found]


def _print_list(total: int, offset: int, rows: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print_json({"total": total, "offset": offset, "items": rows})
        return
    grid = table("Key", "Title", "Business unit", "Stage", "Status", "Days in stage", title=f"{total} use case(s)")
    for r in rows:
        days = f"{r['days_in_stage']} / {r.get('expected_duration', '')}"
        grid.add_row(
            r["key"],
            escape(r["title"]),
            escape(r["business_unit"]),
            r["stage"],
            r["status"],
            f"[red]{days}[/red]" if r.get("overdue") else days,
        )
    console().print(grid)


@usecase_app.command("show")
def usecase_show(key: str, as_json: bool = JSON_OPTION) -> None:
    """Show one use case: stage, roles, stage history and decisions."""
    if client := remote():
        with errors_rendered():
            out = client.get(f"/use-cases/{key}")
    else:
        from pilotgate.usecases.views import detail

        with unit_of_work(read_only=True) as uow:
            out = detail(uow, key)
    if as_json:
        print_json(out)
        return
    out_console = console()
    out_console.print(f"[bold]{out['key']}  {escape(out['title'])}[/bold]")
    out_console.print(
        f"{escape(out['business_unit'])} · risk {out['risk_tier']} · {out['status']} · "
        f"stage [bold]{out['stage']}[/bold] "
        f"since {out['stage_entered_at'][:10]} ({out['days_in_stage']} days; expected {out.get('expected_duration')})"
    )
    if out["description"]:
        out_console.print(escape(out["description"]))
    roles = table("Role", "Person")
    for role, person in out["roles"].items():
        roles.add_row(role, escape(f"{person['name']} <{person['email']}>"))
    out_console.print(roles)
    history = table("Stage", "Entered", "Left", "Why")
    for h in out["stage_history"]:
        history.add_row(h["stage"], h["entered_at"][:10], (h["left_at"] or "")[:10], h["reason"])
    out_console.print(history)
    if out["open_review"]:
        out_console.print(f"Open review: Gate {out['open_review']['gate']} (see `pilotgate gate status {out['key']}`)")


@usecase_app.command("edit")
def usecase_edit(
    key: str,
    title: str | None = typer.Option(None, "--title"),
    description: str | None = typer.Option(None, "--description"),
    business_unit: str | None = typer.Option(None, "--business-unit"),
    risk_tier: str | None = typer.Option(None, "--risk-tier"),
    tag: list[str] | None = typer.Option(None, "--tag", help="Replace the tags; repeat for several."),
    actor: str | None = ACTOR_OPTION,
) -> None:
    """Edit a use case's descriptive fields (its stage changes only through a gate decision)."""
    changes = {
        k: v
        for k, v in {
            "title": title,
            "description": description,
            "business_unit": business_unit,
            "risk_tier": risk_tier,
            "tags": tag,
        }.items()
        if v is not None
    }
    if client := remote():
        with errors_rendered():
            client.patch(f"/use-cases/{key}", changes)
        typer.echo(f"updated {key.upper()}")
        return
    from pilotgate.usecases import service

    with unit_of_work() as uow:
        use_case = service.update(uow, key=key, actor=local_actor(actor), changes=changes)
        typer.echo(f"updated {use_case.key}")
