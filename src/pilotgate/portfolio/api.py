"""REST API of portfolio intelligence."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from pilotgate.portfolio.stalled_queries import stalled
from pilotgate.web.auth import CurrentPrincipal, unit_of_work

router = APIRouter(tags=["portfolio"])


@router.get("/portfolio/report", summary="The funnel: counts, conversions, kill rates, time in stage, benchmarks")
def portfolio_report(request: Request, principal: CurrentPrincipal) -> dict[str, Any]:
    from pilotgate.portfolio import flow

    with unit_of_work(request, read_only=True) as uow:
        return flow.report(uow).as_dict()


@router.get("/portfolio/stalled", summary="Zombie and stalled use cases, each with the review it calls for")
def portfolio_stalled(request: Request, principal: CurrentPrincipal) -> list[dict[str, Any]]:
    with unit_of_work(request, read_only=True) as uow:
        return [f.as_dict() for f in stalled(uow)]
