"""API shapes of dispersion runs."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class DispersionRunCreate(BaseModel):
    park_id: int | None = Field(None, description="The park to model (needed when the store holds several).")
    scenario: dict = Field(description="A scenario as in `parksteward disperse run` files (YAML there, JSON here); "
                                       "meteorology from synthetic_year or a station (clouds inline).")


class DispersionRunBrief(BaseModel):
    id: int
    park_id: int
    enterprise_id: int | None
    name: str
    state: str = Field(description="queued, running, done or failed")
    hours_total: int
    hours_done: int
    progress: float = Field(description="Share of the hours done, 0-1.")
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class DispersionRunRead(DispersionRunBrief):
    scenario: dict
    summary: dict | None = Field(None, description="The run's statistics once done (as statistics.json).")


class DispersionRunList(BaseModel):
    data: list[DispersionRunBrief]
    count: int
