"""Routes over monitoring data: latest values and time series of a point, live values, uploads."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, Request
from starlette.concurrency import run_in_threadpool

from parksteward.alarms.stream import sse_response
from parksteward.api.deps import ActorDep, SessionDep, StreamActorDep
from parksteward.hj212.describe import line_to_frame
from parksteward.ingest import service
from parksteward.ingest.json_readings import BadJson, parse_messages
from parksteward.ingest.pipeline import Arrival
from parksteward.ingest.schemas import IngestResult, Latest, Series
from parksteward.ingest.status import point_status

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


@router.get("/live/readings", tags=["ingest"],
            summary="Live newest values per point (Server-Sent Events, `event: reading`, at most one a second "
                    "per point); the token may come as ?access_token= for a browser's EventSource")
async def live_readings(request: Request, actor: StreamActorDep, session: SessionDep):
    session.close()  # a stream must not hold a read transaction open for hours
    live = request.app.state.live
    subscriber = live.subscribe(actor.enterprise_id if actor.is_enterprise else None)
    return sse_response(live.broadcaster, subscriber, event="reading")


@router.get("/live/status", tags=["ingest"],
            summary="Where each monitoring point stands: normal, invalid data, offline or waiting, and its "
                    "open alarm's level (the console's map colours)")
def live_status(session: SessionDep, actor: ActorDep, park_id: int | None = None,
                factor: Annotated[list[str], Query(description="Also the newest real-time value and flag of "
                                                   "these factors, e.g. x01002 (a tank's fill)")] = ()):
    return point_status(session, actor, park_id, factors=tuple(factor))


@router.post("/ingest/frames", response_model=IngestResult, tags=["ingest"],
             summary="Upload HJ 212 frames in a batch (text, one frame per line)")
def ingest_frames(
    session: SessionDep, actor: ActorDep, request: Request,
    body: Annotated[str, Body(media_type="text/plain", description="HJ 212 frames, one per line")],
):
    arrivals = [Arrival(line_to_frame(line.encode("utf-8")), "http", _peer(request))
                for line in body.splitlines() if line.strip()]
    return service.ingest(session, actor, request.app.state.pipeline, arrivals)


@router.post("/ingest/readings", response_model=IngestResult, tags=["ingest"],
             summary="Upload JSON readings (one message or a list)")
async def ingest_readings(session: SessionDep, actor: ActorDep, request: Request):
    payload = await request.body()
    try:
        arrivals = [Arrival(payload, "http", _peer(request), message=m) for m in parse_messages(payload)]
    except BadJson as exc:
        arrivals = [Arrival(payload, "http", _peer(request), framing_error=exc)]
    return await run_in_threadpool(service.ingest, session, actor, request.app.state.pipeline, arrivals)


def _peer(request: Request) -> str | None:
    return f"{request.client.host}:{request.client.port}" if request.client else None
