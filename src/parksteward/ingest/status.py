"""Where each monitoring point stands now: its newest data, whether it is offline, its open alarm.

The console colours its map from this when it opens and once a minute after (the live stream
then keeps the values current). A point is

- ``offline`` when its newest data *arrived* longer ago than the park's data-interruption rule
  allows (the rule's lowest band, in minutes; :data:`DEFAULT_OFFLINE_AFTER_MIN` where no
  enabled rule applies to the point); the arrival time, not DataTime, because a logger that
  resends old data is not offline, as the alarm engine judges it too;
- ``invalid`` when its newest real-time values carry a flag other than N (HJ 212: the data are
  not valid: maintenance, calibration, fault ...);
- ``normal`` when they are all flagged N;
- ``waiting`` when the store holds no real-time data of it at all.

``alarm_level`` is the most severe level among the point's open alarms other than data
interruption, which ``offline`` already says.
"""

from __future__ import annotations

import json
import time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from parksteward.access import Actor
from parksteward.access.scope import scoped
from parksteward.alarms.levels import higher
from parksteward.alarms.tables import Alarm, AlarmRule
from parksteward.ingest.tables import ReadingSet
from parksteward.registry.tables import Device, MonitoringPoint

DEFAULT_OFFLINE_AFTER_MIN = 15.0  # the default interruption rule's first band [min]


def _offline_after_min(rules: list[AlarmRule], point) -> float:
    """The minutes of silence after which ``point`` is offline under the park's ``rules``."""
    applying = [min(rule.bands.values()) for rule in rules if rule.bands and (
        rule.point_id == point.id or (rule.point_id is None and rule.point_kind in (None, point.kind)))]
    return min(applying) if applying else DEFAULT_OFFLINE_AFTER_MIN


def _newest_raw_sets(session: Session, device_ids: list[int]) -> dict[int, tuple[int, int, dict]]:
    """Each device's newest real-time set: (DataTime [s], arrival [ms], values), in one statement.

    The correlated ``max(t)`` is one index seek per device on both stores (the primary key leads
    with device, interval, t), so the cost grows with the devices, not with the data stored.
    """
    newest = (select(func.max(ReadingSet.t)).where(ReadingSet.device_id == Device.id, ReadingSet.interval == "raw")
              .correlate(Device).scalar_subquery())
    rows = session.execute(
        select(Device.id, ReadingSet.t, ReadingSet.received_ms, ReadingSet.data)
        .join(ReadingSet, (ReadingSet.device_id == Device.id) & (ReadingSet.interval == "raw") & (ReadingSet.t == newest))
        .where(Device.id.in_(device_ids)))
    return {device_id: (t, received_ms, data if isinstance(data, dict) else json.loads(data))
            for device_id, t, received_ms, data in rows}


def point_status(session: Session, actor: Actor, park_id: int | None = None, now: float | None = None,
                 factors: tuple[str, ...] = ()) -> dict:
    """Each monitoring point the actor may see: code, status, newest DataTime and arrival, alarm level;
    with ``factors``, also the newest real-time values of those factors (e.g. a tank's fill, x01002)."""
    now = time.time() if now is None else now
    # Columns, not ORM objects: a park has hundreds of points and the console asks every 15 s.
    stmt = scoped(select(MonitoringPoint.id, MonitoringPoint.code, MonitoringPoint.park_id, MonitoringPoint.kind),
                  MonitoringPoint, actor)
    if park_id is not None:
        stmt = stmt.where(MonitoringPoint.park_id == park_id)
    points = session.execute(stmt.order_by(MonitoringPoint.code)).all()
    ids = [p.id for p in points]
    devices: dict[int, list[int]] = {}
    for device_id, point_id in session.execute(select(Device.id, Device.point_id).where(Device.point_id.in_(ids))):
        devices.setdefault(point_id, []).append(device_id)
    rules_of_park: dict[int, list[AlarmRule]] = {}
    for rule in session.scalars(select(AlarmRule).where(
            AlarmRule.kind == "interruption", AlarmRule.enabled.is_(True),
            AlarmRule.park_id.in_({p.park_id for p in points}))):
        rules_of_park.setdefault(rule.park_id, []).append(rule)
    levels: dict[int, str] = {}
    for point_id, level in session.execute(select(Alarm.point_id, Alarm.level).where(
            Alarm.point_id.in_(ids), Alarm.state != "cleared", Alarm.kind != "interruption")):
        levels[point_id] = higher(levels.get(point_id), level)
    sets = _newest_raw_sets(session, [d for ds in devices.values() for d in ds])
    data = []
    for point in points:
        newest = None  # (t, received_ms, values) of the point's newest set over its devices
        for device_id in devices.get(point.id, ()):
            found = sets.get(device_id)
            if found is not None and (newest is None or found[1] > newest[1]):
                newest = found
        if newest is None:
            status = "waiting"
        elif now - newest[1] / 1000 > 60 * _offline_after_min(rules_of_park.get(point.park_id, []), point):
            status = "offline"
        elif all(entry[1] == "N" for entry in newest[2].values()):
            status = "normal"
        else:
            status = "invalid"
        entry = {"point_id": point.id, "code": point.code, "status": status,
                 "last_t": newest[0] if newest else None,
                 "last_received": newest[1] / 1000 if newest else None,
                 "alarm_level": levels.get(point.id)}
        if factors:
            values = newest[2] if newest else {}
            entry["values"] = {factor: values[key][:2] for factor in factors
                               for key in (f"{factor},Rtd",) if key in values}
        data.append(entry)
    return {"count": len(data), "data": data}
