"""The pilotgate command line. Heavy libraries load inside commands, so --help stays fast."""

from __future__ import annotations

import typer

from pilotgate.audit.commands import audit_app
from pilotgate.cli_support import errors_rendered, local_actor, report_crash, unit_of_work
from pilotgate.gates.commands import gate_app
from pilotgate.policy.commands import policy_app
from pilotgate.usecases.commands import assign, person_app, usecase_app

app = typer.Typer(
    name="pilotgate",
    help="Stage-gate governance for enterprise AI: nothing proceeds without a gate decision.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(person_app, name="person")
app.add_typer(usecase_app, name="usecase")
app.command("assign")(assign)
app.add_typer(gate_app, name="gate")
app.add_typer(policy_app, name="policy")
app.add_typer(audit_app, name="audit")


@app.command("init")
def init() -> None:
    """Create the data directory and database, and register the shipped policy."""
    from pilotgate.config import Settings
    from pilotgate.policy import service

    with unit_of_work() as uow:
        version = service.ensure_shipped(uow)
    settings = Settings.from_env()
    typer.echo(f"pilotgate ready: data in {settings.home}, policy {version.name} version {version.version}")


@app.command("demo")
def demo(actor: str | None = typer.Option(None, "--as", help="Recorded as the actor of the set-up.")) -> None:
    """Create (or refresh) a realistic demo portfolio and print its summary."""
    from pilotgate.demo import build_demo, print_summary

    with errors_rendered():
        summary = build_demo(local_actor(actor))
    print_summary(summary)


def main() -> None:
    try:
        app()
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as error:  # the last line of defence: never a traceback for a user
        report_crash(error)
