"""Release drills: model a leak at a risk source and raise the warning it would cause.

A drill runs the release model (:mod:`parksteward.release`) at the risk source with the
park's current weather (the weather station's newest wind; Pasquill D, neutral, where no
cloud or insolation observation decides the class) beside HJ 169's worst case (F, 1.5 m/s) blowing
toward the nearest sensitive receptor, whatever the wind does now,
and raises an alarm of kind ``drill``: red where a sensitive receptor lies within
toxic endpoint-1 in either weather, orange otherwise. The alarm carries the threat zones and
the receptors reached with their arrival times, and the source's toxic-leak scenario's
advice, and is notified like any other.
"""

from __future__ import annotations

import math
from datetime import datetime, timezone

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from parksteward.access import Actor
from parksteward.alarms import lifecycle, plans
from parksteward.alarms.routing import route
from parksteward.alarms.tables import Alarm
from parksteward.dispersion.receptors import LocalProjection
from parksteward.errors import InvalidInput, NotFound, PermissionDenied
from parksteward.ingest.tables import Reading
from parksteward.registry.tables import (
    Device,
    Enterprise,
    MonitoringPoint,
    RiskSource,
    SensitiveReceptor,
    WeatherStation,
)
from parksteward.release.service import ReleaseRequest, WeatherInput, run_release

DRILL_ROLES = ("admin", "steward", "command")
WIND_SPEED, WIND_FROM, TEMPERATURE = "a01007", "a01008", "a01001"


class DrillRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    risk_source_id: int | None = Field(None, description="Default: the park's first chlorine tank")
    chemical: str | None = Field(None, description="Default: the source's inventory (chlorine first)")
    rate_kg_s: float = Field(1.0, description="Release rate [kg/s]")
    duration_s: float = Field(600.0, description="Release duration [s]")
    weather: WeatherInput | None = Field(None, description="Default: the weather station's newest wind, class D")


def start_drill(session: Session, actor: Actor, request: DrillRequest) -> dict:
    if actor.role not in DRILL_ROLES:
        raise PermissionDenied(f"role {actor.role!r} may not start a release drill")
    source = _source(session, request.risk_source_id)
    chemical = request.chemical or _chemical_of(source)
    weather = request.weather or current_weather(session, source)
    report = run_release(session, actor, ReleaseRequest(
        chemical=chemical, rate_kg_s=request.rate_kg_s, duration_s=request.duration_s,
        risk_source_id=source.id, weather=weather, wind_from_deg=toward_nearest_receptor(session, source)))
    reached = _reached(report)
    level = "red" if any(r["exceeds_endpoint_1"] for r in reached) else "orange"
    park_id = session.scalar(select(Enterprise.park_id).where(Enterprise.id == source.enterprise_id))
    scenario = plans.find_scenario(session, park_id, source.id, "drill", None)
    now = datetime.now(timezone.utc)
    weather_zh = {"given": "给定气象", "worst_case": "最不利气象"}
    names_zh = "、".join(f"{r['name']}（{weather_zh[r['weather']]}，{r['arrival_time_s'] / 60:.0f} 分钟）"
                         for r in reached[:6]) or "无"
    names = ", ".join(f"{r['name']} ({r['weather']}, {r['arrival_time_s'] / 60:.0f} min)" for r in reached[:6]) or "none"
    where, chem = report["source"]["where"], report["chemical"]
    alarm = Alarm(
        park_id=park_id, enterprise_id=source.enterprise_id, risk_source_id=source.id,
        scenario_id=scenario.id if scenario else None, open_key=None, kind="drill", factor=None, level=level,
        peak_level=level, state="active", value=request.rate_kg_s, peak_value=request.rate_kg_s, unit="kg/s",
        first_at=now, last_at=now, count=1,
        message=(f"演练：{where} {chem['name_zh']}泄漏 {request.rate_kg_s:g} kg/s，持续 {request.duration_s:g} s；"
                 f"到达的敏感目标：{names_zh}"),
        advice=plans.advice(scenario, level),
        details={"drill": True, "release": report, "reached": reached,
                 "message_en": (f"DRILL: {chem['name']} release {request.rate_kg_s:g} kg/s for {request.duration_s:g} s "
                                f"at {where}; receptors reached: {names}")},
    )
    session.add(alarm)
    session.flush()
    event = lifecycle.record_event(session, alarm, "raised", now, actor=actor.username, drill=True)
    deliveries = route(session, alarm, event, now)
    session.commit()
    return {"alarm_id": alarm.id, "level": level, "deliveries": len(deliveries), "reached": reached,
            "release": report}


def _source(session: Session, risk_source_id: int | None) -> RiskSource:
    if risk_source_id is not None:
        source = session.get(RiskSource, risk_source_id)
        if source is None:
            raise NotFound(f"risk source {risk_source_id} not found")
        return source
    for source in session.scalars(select(RiskSource).order_by(RiskSource.id)):
        if any(item.get("cas") == plans.CHLORINE_CAS for item in source.inventory or ()):
            return source
    raise InvalidInput.single("risk_source_id", "no chlorine risk source in the registry: name a risk_source_id")


def _chemical_of(source: RiskSource) -> str:
    items = source.inventory or []
    for item in items:
        if item.get("cas") == plans.CHLORINE_CAS:
            return item["cas"]
    if not items or not (items[0].get("cas") or items[0].get("substance")):
        raise InvalidInput.single("chemical", f"risk source {source.code} records no inventory: name the chemical")
    return items[0].get("cas") or items[0]["substance"]


def current_weather(session: Session, source: RiskSource) -> WeatherInput | None:
    """The park weather station's newest wind (and temperature), as the release model takes it."""
    park_id = session.scalar(select(Enterprise.park_id).where(Enterprise.id == source.enterprise_id))
    station = session.scalar(select(WeatherStation).where(WeatherStation.park_id == park_id,
                                                          WeatherStation.point_id.is_not(None)))
    if station is None:
        return None
    devices = select(Device.id).join(MonitoringPoint).where(MonitoringPoint.id == station.point_id)
    values = {}
    for factor in (WIND_SPEED, WIND_FROM, TEMPERATURE):
        value = session.scalar(select(Reading.value).where(
            Reading.device_id.in_(devices), Reading.interval == "raw", Reading.factor == factor,
            Reading.field == "Rtd").order_by(Reading.t.desc()).limit(1))
        if value is not None:
            values[factor] = value
    if WIND_SPEED not in values or WIND_FROM not in values:
        return None
    return WeatherInput(wind_speed_m_s=max(1.0, values[WIND_SPEED]), wind_from_deg=values[WIND_FROM] % 360,
                        stability="D", temperature_c=values.get(TEMPERATURE, 25.0))


def toward_nearest_receptor(session: Session, source: RiskSource) -> float:
    """The wind direction (from, degrees) that carries a release to the nearest sensitive receptor:
    the worst case's direction when no weather is given."""
    park_id = session.scalar(select(Enterprise.park_id).where(Enterprise.id == source.enterprise_id))
    projection = LocalProjection(source.lon, source.lat)
    best = None
    for receptor in session.scalars(select(SensitiveReceptor).where(SensitiveReceptor.park_id == park_id)):
        x, y = projection.to_local(receptor.lon, receptor.lat)
        distance = math.hypot(x, y)
        if best is None or distance < best[0]:
            best = (distance, x, y)
    if best is None:
        return 0.0
    toward = math.degrees(math.atan2(best[1], best[2])) % 360  # bearing from north, clockwise
    return (toward + 180.0) % 360


def _reached(report: dict) -> list[dict]:
    out = []
    for label in ("given", "worst_case"):
        part = report.get(label)
        if not part:
            continue
        for r in part["receptors"]:
            if r["exceeds_endpoint_2"] and r["arrival_time_s"] is not None:
                out.append({"weather": label, **r})
    return sorted(out, key=lambda r: (not r["exceeds_endpoint_1"], r["arrival_time_s"]))
