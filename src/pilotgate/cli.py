"""The pilotgate command line. Heavy libraries load inside commands, so --help stays fast."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Any

import typer
import typer.main
from typer.core import TyperGroup

from pilotgate.alerts.commands import check as check_command
from pilotgate.cli_support import errors_rendered, local_actor, local_only, report_crash, set_server, unit_of_work
from pilotgate.prioritisation.commands import timeline_command

# Command groups load on first use: `pilotgate --help` imports none of them.
GROUPS = {
    "person": ("pilotgate.usecases.commands", "person_app", "People who hold roles on use cases."),
    "usecase": ("pilotgate.usecases.commands", "usecase_app", "The use-case registry."),
    "gate": ("pilotgate.gates.commands", "gate_app", "Gate reviews: open, assess, attach, vote, decide."),
    "policy": ("pilotgate.policy.commands", "policy_app", "Gate policies: the framework as code."),
    "audit": ("pilotgate.audit.commands", "audit_app", "The tamper-evident audit trail."),
    "user": ("pilotgate.accounts.commands", "user_app", "User accounts and their application roles."),
    "token": ("pilotgate.accounts.commands", "token_app", "Personal API tokens."),
    "metrics": ("pilotgate.evidence.commands", "metrics_app", "Metrics: definitions, imports and live indicators."),
    "slo": ("pilotgate.evidence.commands", "slo_app", "Service-level objectives of a use case."),
    "connector": (
        "pilotgate.evidence.connector_commands",
        "connector_app",
        "Connectors that pull metrics from Prometheus, MLflow and plugins.",
    ),
    "portfolio": (
        "pilotgate.portfolio.commands",
        "portfolio_app",
        "Portfolio intelligence: the funnel report and stalled use cases.",
    ),
    "maturity": (
        "pilotgate.maturity.commands",
        "maturity_app",
        "Organisational readiness: the five capabilities, self-assessed and measured.",
    ),
    "funding": (
        "pilotgate.funding.commands",
        "funding_app",
        "Production funding: budget lines, approvals and the move to operational money.",
    ),
    "case": (
        "pilotgate.finance.commands",
        "case_app",
        "Business cases: monthly 3-year models, scenarios, sensitivity, Monte Carlo and actuals.",
    ),
    "score": (
        "pilotgate.prioritisation.commands",
        "score_app",
        "Use-case prioritisation: the Discovery scorecard, the ranking and value concentration.",
    ),
    "handover": (
        "pilotgate.handover.commands",
        "handover_app",
        "Handover of operations to the owning team (Gate 4), and hypercare after go-live.",
    ),
    "scale": (
        "pilotgate.scale.commands",
        "scale_app",
        "Scale: expansions of production use cases, started from their evidence, and capability reuse.",
    ),
    "report": (
        "pilotgate.reports.commands",
        "report_app",
        "Reports: gate review packets and the portfolio report, as PDF, HTML or Markdown.",
    ),
    "change": (
        "pilotgate.change.commands",
        "change_app",
        "Change management: plans per user population, training, briefings and adoption.",
    ),
    "ops": (
        "pilotgate.operations.commands",
        "ops_app",
        "AI operations: owning team, on-call, runbook, monitoring, incidents, drills, retraining, readiness.",
    ),
}


class LazyGroup(TyperGroup):
    """The root group: its sub-groups are built only when a command names them."""

    def list_commands(self, ctx: Any) -> list[str]:
        return [*super().list_commands(ctx), *GROUPS]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name in GROUPS and cmd_name not in self.commands:
            module, attribute, _ = GROUPS[cmd_name]
            group = typer.main.get_group(getattr(import_module(module), attribute))
            group.name = cmd_name
            self.commands[cmd_name] = group
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = [(name, command.get_short_help_str(60)) for name, command in self.commands.items() if name not in GROUPS]
        rows += [(name, short_help) for name, (_, _, short_help) in GROUPS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


app = typer.Typer(
    cls=LazyGroup,
    name="pilotgate",
    rich_markup_mode=None,
    help="Stage-gate governance for enterprise AI: nothing proceeds without a gate decision.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def root(
    server: str | None = typer.Option(
        None,
        "--server",
        envvar="PILOTGATE_SERVER",
        help="Work against a pilotgate server's API (token from PILOTGATE_TOKEN).",
    ),
) -> None:
    """Stage-gate governance for enterprise AI: nothing proceeds without a gate decision."""
    set_server(server)


@app.command("assign")
def assign(
    key: str,
    role: str,
    email: str,
    actor: str | None = typer.Option(None, "--as", help="E-mail of the person making the change."),
) -> None:
    """Name the person who holds a role on a use case.

    ROLE is a role of the policy, e.g. sponsor, program_lead, technical_lead, cio_cto, bu_head.
    """
    from pilotgate.cli_support import remote

    if client := remote():
        with errors_rendered():
            client.put(f"/use-cases/{key}/roles/{role}", {"email": email})
        typer.echo(f"{key.upper()}: {role} is {email.strip().lower()}")
        return
    from pilotgate.usecases import service

    with unit_of_work() as uow:
        assignment = service.assign(uow, key=key, role=role, email=email, actor=local_actor(actor))
        typer.echo(f"{key.upper()}: {assignment.role} is {assignment.person.email}")


@app.command("init")
def init() -> None:
    """Create the data directory and database, and register the shipped policy."""
    from pilotgate.config import Settings
    from pilotgate.policy import service

    local_only("init")
    with unit_of_work() as uow:
        version = service.ensure_shipped(uow)
    settings = Settings.from_env()
    typer.echo(f"pilotgate ready: data in {settings.home}, policy {version.name} version {version.version}")


@app.command("demo")
def demo(actor: str | None = typer.Option(None, "--as", help="Recorded as the actor of the set-up.")) -> None:
    """Create (or refresh) a realistic demo portfolio and print its summary."""
    from pilotgate.demo import build_demo, print_summary

    local_only("demo")
    with errors_rendered():
        summary = build_demo(local_actor(actor))
    print_summary(summary)


@app.command("import")
def import_command(
    file: Path,
    mapping: str = typer.Option(..., "--mapping", help="A mapping file, or a shipped mapping such as federal-2024."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Check and preview; write nothing."),
    encoding: str | None = typer.Option(None, "--encoding", help="Text encoding of a CSV (default: detected)."),
    policy: str | None = typer.Option(None, "--policy", help="Policy for new use cases (default: pilotgate-default)."),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    actor: str | None = typer.Option(None, "--as", help="Recorded as the importer (default: the local user)."),
) -> None:
    """Import use cases from a CSV (any encoding) or XLSX inventory, by a mapping."""
    from pilotgate.portfolio.commands import import_inventory

    import_inventory(file, mapping, dry_run, encoding, policy, as_json, actor)


app.command("check")(check_command)
app.command("timeline")(timeline_command)


@app.command("serve")
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Worker processes."),
    demo: bool = typer.Option(False, "--demo", help="Start on a fresh demo portfolio with demo accounts."),
    scheduler: bool = typer.Option(
        False, "--scheduler", help="Also run scheduled jobs (connector pulls); safe on every instance."
    ),
) -> None:
    """Run the web app and the REST API on the same database as the CLI."""
    import os

    import uvicorn

    from pilotgate.config import Settings

    local_only("serve")
    if scheduler:
        os.environ["PILOTGATE_SCHEDULER"] = "1"
    if demo:
        from pilotgate.demo import build_demo, print_accounts, print_summary

        home = Settings.from_env().home / "demo"
        os.environ["PILOTGATE_HOME"] = str(home)
        os.environ["PILOTGATE_DATABASE_URL"] = f"sqlite:///{home / 'pilotgate.db'}"
        with errors_rendered():
            summary = build_demo(local_actor(None), with_accounts=True)
        print_summary(summary)
        print_accounts(summary, f"http://{host}:{port}")
    with errors_rendered():
        from pilotgate.db.engine import Database

        Database.for_url(Settings.from_env().database_url).ensure_schema()
    typer.echo(f"pilotgate serving on http://{host}:{port} (API docs at http://{host}:{port}/api/docs)")
    uvicorn.run(
        "pilotgate.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        proxy_headers=False,
    )


def main() -> None:
    try:
        app()
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as error:  # the last line of defence: never a traceback for a user
        report_crash(error)
