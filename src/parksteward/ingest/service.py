"""Queries over monitoring data: latest values per point and time series, scoped by actor."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parksteward.access import Actor
from parksteward.errors import InvalidInput, PermissionDenied
from parksteward.hj212 import Hj212Error, parse_frame
from parksteward.ingest.pipeline import Arrival, Pipeline
from parksteward.ingest.tables import INTERVALS, Reading, ReadingSet, Rollup
from parksteward.registry.service import monitoring_points
from parksteward.registry.tables import Device, Factor, MonitoringPoint

DEFAULT_FIELD = {"raw": "Rtd", "minute": "Avg", "hour": "Avg", "day": "Avg"}
MAX_POINTS = 100_000


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _epoch(moment: datetime) -> int:
    return int(_utc(moment).timestamp())


def _at(t: int) -> datetime:
    return datetime.fromtimestamp(t, timezone.utc)


def _device_ids(session: Session, point_id: int) -> list[int]:
    return list(session.scalars(select(Device.id).where(Device.point_id == point_id)))


def series(
    session: Session, actor: Actor, point_id: int, factor: str, interval: str = "raw",
    start: datetime | None = None, end: datetime | None = None, field: str | None = None,
) -> dict:
    """Values of one factor at one point between ``start`` and ``end`` (default: the last 24 h).

    ``raw``: the device's real-time values (2011). ``minute``/``hour``/``day``: the platform's
    roll-ups with their validity where computed, else the device's own period values
    (2051/2061/2031).
    """
    if interval not in INTERVALS:
        raise InvalidInput.single("interval", f"unknown interval {interval!r}, expected one of {list(INTERVALS)}")
    point = monitoring_points.get(session, actor, point_id)
    end = _utc(end) if end is not None else datetime.now(timezone.utc)
    start = _utc(start) if start is not None else end - timedelta(days=1)
    if start > end:
        raise InvalidInput.single("from", f"start {start.isoformat()} is after end {end.isoformat()}")
    field = field or DEFAULT_FIELD[interval]
    devices = _device_ids(session, point.id)
    t0, t1 = _epoch(start), _epoch(end)
    data: dict[int, dict] = {}
    rows = session.execute(
        select(Reading.t, Reading.value, Reading.flag)
        .where(Reading.device_id.in_(devices), Reading.factor == factor, Reading.interval == interval,
               Reading.field == field, Reading.t >= t0, Reading.t <= t1)
        .order_by(Reading.t).limit(MAX_POINTS)
    ).all()
    for t, value, flag in rows:
        data[t] = {"t": _at(t), "value": value, "flag": flag, "valid": None if flag is None else flag == "N",
                   "source": "device"}
    if interval != "raw" and field == "Avg":
        for t, mean, valid, flag in session.execute(
            select(Rollup.t, Rollup.mean, Rollup.valid, Rollup.flag)
            .where(Rollup.device_id.in_(devices), Rollup.factor == factor, Rollup.interval == interval,
                   Rollup.t >= t0, Rollup.t <= t1)
        ).all():
            data[t] = {"t": _at(t), "value": mean, "flag": flag, "valid": valid, "source": "platform"}
    points = [data[t] for t in sorted(data)]
    unit = session.scalar(select(Factor.unit).where(Factor.code == factor))
    return {"point_id": point.id, "factor": factor, "interval": interval, "field": field, "unit": unit,
            "start": start, "end": end, "count": len(points), "data": points}


# How far back from a device's newest value of an interval a factor still counts as current.
LATEST_LOOKBACK_S = {"raw": 86400, "minute": 86400, "hour": 7 * 86400, "day": 62 * 86400}


def latest(session: Session, actor: Actor, point_id: int) -> dict:
    """The most recent value of each factor (per interval and field) a point's devices sent.

    Per device and interval the newest time is one index seek; the sets of the preceding
    day (a week for hours, two months for days) then give each factor's latest, so the cost
    does not grow with the years of data stored. The sets are read newest first and unpacked
    here: a set holds a whole frame's readings, and the first sighting of a factor and field
    is its latest (unfolding them through the ``reading`` view costs the database far more).
    """
    point = monitoring_points.get(session, actor, point_id)
    found: dict[tuple[str, str, str], tuple[int, list]] = {}  # (factor, interval, field) -> (t, [value, flag ...])
    for device_id in _device_ids(session, point.id):
        for interval in INTERVALS:
            newest = session.scalar(select(func.max(ReadingSet.t)).where(
                ReadingSet.device_id == device_id, ReadingSet.interval == interval))
            if newest is None:
                continue
            for t, data in session.execute(
                select(ReadingSet.t, ReadingSet.data)
                .where(ReadingSet.device_id == device_id, ReadingSet.interval == interval,
                       ReadingSet.t >= newest - LATEST_LOOKBACK_S[interval])
                .order_by(ReadingSet.t.desc())
            ):
                for name, entry in (json.loads(data) if isinstance(data, str) else data).items():  # jsonb comes parsed
                    factor, _, field = name.partition(",")
                    key = (factor, interval, field)
                    if key not in found or found[key][0] < t:  # another device of the point may be newer
                        found[key] = (t, entry)
    names = {code: (zh, en, unit) for code, zh, en, unit in session.execute(
        select(Factor.code, Factor.name_zh, Factor.name_en, Factor.unit)
        .where(Factor.code.in_({key[0] for key in found})))}
    data = []
    for key in sorted(found):
        (factor, interval, field), (t, entry) = key, found[key]
        zh, en, unit = names.get(factor, (None, None, None))
        data.append({"factor": factor, "name_zh": zh, "name_en": en, "unit": unit, "interval": interval,
                     "field": field, "t": _at(t), "value": entry[0], "flag": entry[1]})
    return {"point_id": point.id, "data": data}


class NotYourDevice(Hj212Error):
    kind = "not_your_device"


def ingest(session: Session, actor: Actor, pipeline: Pipeline, arrivals: list[Arrival]) -> dict:
    """Push a batch through the pipeline for an HTTP client.

    Registry writers may upload for any device; an enterprise user only for its own devices
    (other frames are archived and refused); reading roles may not upload.
    """
    if not (actor.writes_registry or actor.is_enterprise):
        raise PermissionDenied(f"role {actor.role!r} may not upload monitoring data")
    if actor.is_enterprise:
        own = set(session.scalars(
            select(Device.mn).join(MonitoringPoint, Device.point_id == MonitoringPoint.id)
            .where(MonitoringPoint.enterprise_id == actor.enterprise_id)))
        for arrival in arrivals:
            mn = _mn_of(arrival)
            if arrival.framing_error is None and mn is not None and mn not in own:
                arrival.framing_error = NotYourDevice(f"device {mn} is not one of your enterprise's devices")
    outcomes = pipeline.process(arrivals)
    data = [{"ok": o.ok, "kind": o.kind, "message": o.message or ("; ".join(o.notes) or None),
             "mn": o.frame.mn if o.frame else None, "cn": o.frame.cn if o.frame else None,
             "readings": o.readings, "reply": o.reply.decode("ascii").rstrip("\r\n") if o.reply else None}
            for o in outcomes]
    accepted = sum(1 for o in outcomes if o.ok)
    return {"accepted": accepted, "refused": len(outcomes) - accepted,
            "readings": sum(o.readings for o in outcomes), "data": data}


def _mn_of(arrival: Arrival) -> str | None:
    if arrival.message is not None:
        return arrival.message.mn
    try:
        return parse_frame(arrival.raw, policy="lenient").mn
    except Hj212Error:
        return None
