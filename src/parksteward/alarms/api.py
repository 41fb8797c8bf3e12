"""Routes of the warning loop: alarms (list, read, acknowledge, clear, live stream), rules,
recipients, scenarios, deliveries, and release drills."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from parksteward.alarms import service
from parksteward.alarms.drill import DrillRequest, start_drill
from parksteward.alarms.stream import sse_response
from parksteward.api.crud_router import crud_router
from parksteward.api.deps import ActorDep, SessionDep, StreamActorDep
from parksteward.registry.schemas import partial

router = APIRouter(tags=["alarms"])


class Comment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: str | None = Field(None, max_length=2000)


def _wake(request: Request) -> None:
    dispatcher = getattr(request.app.state, "dispatcher", None)
    if dispatcher is not None:
        dispatcher.wake.set()


@router.get("/alarms", summary="Alarms, newest first, with the open ones counted by level")
def list_alarms(session: SessionDep, actor: ActorDep, state: str | None = None, open: bool = False,
                level: str | None = None, enterprise_id: int | None = None, point_id: int | None = None,
                kind: str | None = None, limit: Annotated[int, Query(ge=1, le=1000)] = 200,
                offset: Annotated[int, Query(ge=0)] = 0):
    return service.list_alarms(session, actor, state=state, open_only=open, level=level, enterprise_id=enterprise_id,
                               point_id=point_id, kind=kind, limit=limit, offset=offset)


@router.get("/alarms/stream", summary="Live alarm events (Server-Sent Events, `event: alarm`); the token may come "
                                    "as ?access_token= for a browser's EventSource")
async def stream(request: Request, actor: StreamActorDep, session: SessionDep):
    # The login check is done: give its connection back now, or a long-lived stream would hold a
    # read transaction open (and on SQLite keep the WAL from being checkpointed) for hours.
    session.close()
    broadcaster = request.app.state.broadcaster
    subscriber = broadcaster.subscribe(actor.enterprise_id if actor.is_enterprise else None)
    return sse_response(broadcaster, subscriber)


@router.get("/alarms/{alarm_id}", summary="One alarm with its history, scenario advice and deliveries")
def alarm(alarm_id: int, session: SessionDep, actor: ActorDep):
    return service.alarm_detail(session, actor, alarm_id)


@router.post("/alarms/{alarm_id}/acknowledge", summary="Acknowledge an alarm (who and when are recorded)")
def acknowledge(alarm_id: int, request: Request, session: SessionDep, actor: ActorDep, body: Comment | None = None):
    result = service.act_on(session, actor, alarm_id, "acknowledge", body.comment if body else None)
    _wake(request)
    return result


@router.post("/alarms/{alarm_id}/clear", summary="Clear an alarm (who and when are recorded)")
def clear(alarm_id: int, request: Request, session: SessionDep, actor: ActorDep, body: Comment | None = None):
    result = service.act_on(session, actor, alarm_id, "clear", body.comment if body else None)
    _wake(request)
    return result


@router.get("/alarm-events", summary="Alarm history of an enterprise or a point, newest first")
def alarm_events(session: SessionDep, actor: ActorDep, enterprise_id: int | None = None, point_id: int | None = None,
                 alarm_id: int | None = None, since: datetime | None = None,
                 limit: Annotated[int, Query(ge=1, le=5000)] = 500):
    return service.list_events(session, actor, enterprise_id=enterprise_id, point_id=point_id, alarm_id=alarm_id,
                               since=since, limit=limit)


@router.get("/alarm-deliveries", summary="The notification log: every delivery and its attempts")
def deliveries(session: SessionDep, actor: ActorDep, alarm_id: int | None = None, status: str | None = None,
               channel: str | None = None, limit: Annotated[int, Query(ge=1, le=1000)] = 200):
    return service.list_deliveries(session, actor, alarm_id=alarm_id, status=status, channel=channel, limit=limit)


@router.post("/drills", status_code=201, summary="Start a release drill: threat zones, receptors reached, a warning")
async def drill(request: Request, session: SessionDep, actor: ActorDep, body: DrillRequest | None = None):
    result = await run_in_threadpool(start_drill, session, actor, body or DrillRequest())
    _wake(request)
    return result


# Rule changes reach the alarm engine by themselves: it compares the rule tables' version
# (row count and newest update) before each judgement.
rules_router = crud_router("/alarm-rules", service.rules, service.RuleIn, partial(service.RuleIn, "RuleInPatch"),
                           service.RuleRead, "alarms")
recipients_router = crud_router("/alarm-recipients", service.recipients, service.RecipientIn,
                                partial(service.RecipientIn, "RecipientInPatch"), service.RecipientRead, "alarms")
scenarios_router = crud_router("/emergency-scenarios", service.scenarios, service.ScenarioIn,
                               partial(service.ScenarioIn, "ScenarioInPatch"), service.ScenarioRead, "emergency")
