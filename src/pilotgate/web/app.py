"""The application factory: the REST API under /api/v1 and the server-rendered pages."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request, Security
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.security import HTTPBearer
from fastapi.staticfiles import StaticFiles

from pilotgate import __version__
from pilotgate.config import Settings
from pilotgate.db.engine import Database
from pilotgate.web import problems
from pilotgate.web.security import BodyLimit, SecurityHeaders

STATIC = Path(__file__).parent / "static"
DESCRIPTION = """Stage-gate governance for enterprise AI use cases.

Authenticate with a personal API token (`pilotgate token create EMAIL`, or the Account page):
`Authorization: Bearer pgt_…`. Errors are RFC 9457 `application/problem+json`."""


def api_router() -> APIRouter:
    from pilotgate.accounts.api import router as accounts
    from pilotgate.audit.api import router as audit
    from pilotgate.change.api import router as change
    from pilotgate.evidence.api import router as evidence
    from pilotgate.finance.api import router as finance
    from pilotgate.funding.api import router as funding
    from pilotgate.gates.api import router as gates
    from pilotgate.handover.api import router as handover
    from pilotgate.maturity.api import router as maturity
    from pilotgate.operations.api import router as operations
    from pilotgate.policy.api import router as policies
    from pilotgate.portfolio.api import router as portfolio
    from pilotgate.prioritisation.api import router as prioritisation
    from pilotgate.reports.api import router as reports
    from pilotgate.scale.api import router as scale
    from pilotgate.usecases.api import router as usecases

    # Declares bearer authentication in the OpenAPI document; auth.current_principal enforces it.
    bearer = HTTPBearer(auto_error=False, description="A personal API token: pgt_…")
    router = APIRouter(prefix="/api/v1", dependencies=[Security(bearer)], responses=problems.PROBLEM_RESPONSES)
    for part in (usecases, gates, evidence, policies, audit, accounts, portfolio, maturity, funding):
        router.include_router(part)
    router.include_router(reports)
    router.include_router(finance)
    router.include_router(handover)
    router.include_router(scale)
    router.include_router(change)
    router.include_router(operations)
    router.include_router(prioritisation)
    return router


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """With PILOTGATE_SCHEDULER=1 every instance runs the scheduler; leases let one run each job."""
    from pilotgate.jobs.scheduler import Scheduler, enabled

    scheduler = Scheduler(app.state.settings) if enabled() else None
    if scheduler is not None:
        scheduler.start()
    try:
        yield
    finally:
        if scheduler is not None:
            scheduler.stop()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    Database.for_url(settings.database_url).ensure_schema()
    from pilotgate.db.uow import UnitOfWork
    from pilotgate.policy import service as policies

    with UnitOfWork(settings) as uow:  # pages need the shipped policy even before `pilotgate init`
        policies.ensure_shipped(uow)
    app = FastAPI(
        title="pilotgate",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.secure_cookies = os.environ.get("PILOTGATE_SECURE_COOKIES", "") not in ("", "0")
    problems.install(app)
    app.include_router(api_router())

    from pilotgate.change.pages import router as change_pages
    from pilotgate.funding.pages import router as funding_pages
    from pilotgate.handover.pages import router as handover_pages
    from pilotgate.maturity.pages import router as maturity_pages
    from pilotgate.operations.pages import router as operations_pages
    from pilotgate.prioritisation.pages import router as prioritisation_pages
    from pilotgate.reports.api import pages as report_pages
    from pilotgate.scale.pages import router as scale_pages
    from pilotgate.web.pages import router as pages

    app.include_router(pages)
    app.include_router(maturity_pages)
    app.include_router(report_pages)
    app.include_router(funding_pages)
    app.include_router(handover_pages)
    app.include_router(scale_pages)
    app.include_router(change_pages)
    app.include_router(operations_pages)
    app.include_router(prioritisation_pages)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/api/docs", include_in_schema=False)
    def api_docs(request: Request) -> HTMLResponse:
        from pilotgate.web.templating import render

        return render(request, "api_docs.html", {})

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> RedirectResponse:
        return RedirectResponse("/static/favicon.svg", status_code=301)

    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)
    return app
