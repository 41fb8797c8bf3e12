"""Route of the park overview."""

from __future__ import annotations

from datetime import date as Date
from typing import Annotated

from fastapi import APIRouter, Query

from parksteward.api.deps import ActorDep, SessionDep
from parksteward.overview import service
from parksteward.overview.schemas import Overview

router = APIRouter(tags=["overview"])


@router.get("/parks/{park_id}/overview", response_model=Overview,
            summary="The park's day at a glance: alarms, data completeness, exceedances, top emitters, devices "
                    "offline (an enterprise user: its own enterprise only)")
def park_overview(
    park_id: int, session: SessionDep, actor: ActorDep,
    date: Annotated[Date | None, Query(description="Local day YYYY-MM-DD (default: today in the park's time zone)")]
    = None,
):
    return service.overview(session, actor, park_id, date)
