"""Schemas of monitoring data as the API returns it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class SeriesPoint(BaseModel):
    t: datetime
    value: float | None
    flag: str | None
    valid: bool | None = None
    source: str = "device"


class Series(BaseModel):
    point_id: int
    factor: str
    interval: str
    field: str
    unit: str | None
    start: datetime
    end: datetime
    count: int
    data: list[SeriesPoint]


class LatestValue(BaseModel):
    factor: str
    name_zh: str | None
    name_en: str | None
    unit: str | None
    interval: str
    field: str
    t: datetime
    value: float | None
    flag: str | None


class Latest(BaseModel):
    point_id: int
    data: list[LatestValue]


class FrameResult(BaseModel):
    ok: bool
    kind: str | None
    message: str | None
    mn: str | None
    cn: str | None
    readings: int
    reply: str | None


class IngestResult(BaseModel):
    accepted: int
    refused: int
    readings: int
    data: list[FrameResult]
