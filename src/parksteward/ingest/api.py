"""Routes over monitoring data: latest values and time series of a point."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from parksteward.api.deps import ActorDep, SessionDep
from parksteward.ingest import service
from parksteward.ingest.schemas import Latest, Series

router = APIRouter(tags=["monitoring data"])


@router.get("/points/{point_id}/latest", response_model=Latest, summary="Latest value of each factor at a point")
def latest(point_id: int, session: SessionDep, actor: ActorDep):
    return service.latest(session, actor, point_id)


@router.get("/points/{point_id}/series", response_model=Series, summary="Time series of one factor at a point")
def series(
    point_id: int,
    session: SessionDep,
    actor: ActorDep,
    factor: Annotated[str, Query(description="HJ 212-2017 factor code, e.g. a21026")],
    interval: Annotated[Literal["raw", "minute", "hour", "day"], Query()] = "raw",
    start: Annotated[datetime | None, Query(alias="from", description="ISO 8601; default 24 h before `to`")] = None,
    end: Annotated[datetime | None, Query(alias="to", description="ISO 8601; default now")] = None,
    field: Annotated[str | None, Query(description="Rtd, Avg, Min, Max, Cou, ZsAvg ... (default Rtd/Avg)")] = None,
):
    return service.series(session, actor, point_id, factor, interval, start, end, field)
