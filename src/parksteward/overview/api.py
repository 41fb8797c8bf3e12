"""Route of the park overview."""

from __future__ import annotations

from datetime import date as Date
from typing import Annotated

from fastapi import APIRouter, Query, Request

from parksteward.api.deps import ActorDep, SessionDep
from parksteward.overview import service
from parksteward.overview.schemas import Overview
from parksteward.registry.service import parks

router = APIRouter(tags=["overview"])


@router.get("/parks/{park_id}/overview", response_model=Overview,
            summary="The park's day at a glance: alarms, data completeness, exceedances, top emitters, devices "
                    "offline (an enterprise user: its own enterprise only)")
def park_overview(
    park_id: int, session: SessionDep, actor: ActorDep, request: Request,
    date: Annotated[Date | None, Query(description="Local day YYYY-MM-DD (default: today in the park's time zone)")]
    = None,
):
    """Computed at most every few seconds per park, day and scope (overview/cache.py; ``generated_at``
    says when); ``Cache-Control: no-cache`` asks for one computed now."""
    parks.get(session, actor, park_id)  # may this actor read the park: asked before anything kept is handed out
    fresh = "no-cache" in request.headers.get("cache-control", "").lower()
    return request.app.state.overviews.get(actor, park_id, date, lambda: service.overview(session, actor, park_id, date),
                                           fresh=fresh)
