"""Route of release drills: threat zones and receptor impacts for the console's map."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from parksteward.api.deps import ActorDep, SessionDep
from parksteward.release.service import ReleaseRequest, run_release

router = APIRouter(prefix="/releases", tags=["emergency"])


@router.post("", summary="Model an accidental release (HJ 169): threat zones, receptor peaks and arrival times")
async def release(body: ReleaseRequest, session: SessionDep, actor: ActorDep):
    return await run_in_threadpool(run_release, session, actor, body)
