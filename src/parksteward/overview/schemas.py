"""Schemas of the overview as the API returns it."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


class AlarmCounts(BaseModel):
    total: int
    by_level: dict[str, int] = Field(description="blue, yellow, orange, red (every level, zeros included)")
    by_kind: dict[str, int] = Field(description="Rule kinds that occur (exceedance, interruption, ...)")


class AlarmsToday(BaseModel):
    raised_today: AlarmCounts = Field(description="Alarms first raised on the day, by the highest level they reached")
    open_now: AlarmCounts = Field(description="Alarms not cleared now (whenever raised), by their current level")
    drills_today: int = Field(description="Release drills started on the day (not counted above)")


class Completeness(BaseModel):
    devices: int
    expected: int = Field(description="Hourly values expected: complete hours x factors, per device")
    received: int = Field(description="Of those, hours with a roll-up")
    valid: int = Field(description="Of those, valid hours (HJ 75-2017 / HJ 212-2017 Annex C/D rules)")
    received_share: float | None = Field(description="received / expected [-]; null with nothing expected")
    valid_share: float | None = Field(description="valid / expected [-]; null with nothing expected")


class KindCompleteness(Completeness):
    kind: str


class DataCompleteness(BaseModel):
    complete_hours: int = Field(description="Hours of the day over so far (the current hour is not yet judged)")
    overall: Completeness
    by_kind: list[KindCompleteness]


class Exceedance(BaseModel):
    point_id: int
    point_code: str
    point_name: str
    enterprise_id: int | None
    factor: str
    t: datetime = Field(description="Start of the hour")
    value: float = Field(description="The hourly mean in the limit's unit (折算 where the roll-up has it)")
    corrected: bool = Field(description="Whether the value is the O2-corrected (折算) mean")
    limit: float | None
    limit_max: float | None
    direction: str
    unit: str
    standard: str
    ratio: float = Field(description="value / limit (for a minimum or a range, how far outside) [-]")


class Exceedances(BaseModel):
    count: int
    data: list[Exceedance] = Field(description="The worst first (highest ratio), at most 100")


class EmitterMass(BaseModel):
    enterprise_id: int
    enterprise_name: str
    mass_kg: float
    hours: int = Field(description="Valid hours summed")


class FactorEmitters(BaseModel):
    factor: str
    total_kg: float
    data: list[EmitterMass] = Field(description="Enterprises, largest mass first, at most 10")


class OfflinePoint(BaseModel):
    point_id: int
    code: str
    name: str
    kind: str
    enterprise_id: int | None
    last_received: float | None = Field(description="When its newest data arrived [epoch s]")


class DevicesNow(BaseModel):
    points: int
    by_status: dict[str, int] = Field(description="normal, invalid, offline, waiting (live status of each point)")
    reporting: int = Field(description="Points whose newest data arrived in the last 15 min")
    offline: list[OfflinePoint]


class Overview(BaseModel):
    park_id: int
    date: date
    timezone: str
    start: datetime = Field(description="Local midnight of the day")
    end: datetime = Field(description="The next local midnight, or now for today")
    generated_at: datetime
    alarms: AlarmsToday
    completeness: DataCompleteness
    exceedances: Exceedances
    top_emitters: list[FactorEmitters] = Field(
        description="Per pollutant, enterprises by the mass their stacks emitted in the day's valid hours")
    devices: DevicesNow
