"""One day of a small park stored by hand (hourly roll-ups, alarms, newest real-time sets), and
the overview's numbers worked out by hand from it. Shared by the API and the browser tests.

The park's time zone is Asia/Shanghai. ``midnight`` is the local midnight the day starts;
hours are numbered 0-9 local. Devices were registered the day before.

Roll-ups (mean [mg/m3], flow a00000 [m3/s]); ``x`` = an invalid hour:

====== ============================================= ================================
device hours 0 .. 8                                  notes
====== ============================================= ================================
A SO2  30 40 60 500x 45 55 50 20 75 (+ hour 9: 80x) limit 50 mg/m3; no 折算
A NOx  100 in hours 0-5                              no limit
A O2   9 % in hours 0-8
A flow 20 in hours 0-8, hour 7 invalid               a00000 is not a registered factor
B SO2  80 80 80 80 90 110 80 80 80                   limit 100000 µg/m3; hour 4 折算 130,
                                                     hour 5 折算 95
B flow 10 in hours 0-8
AQ PM2.5 0.035 in hours 0-8 (park-owned station)
====== ============================================= ================================
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from sqlalchemy import update

from parksteward.access.actor import SYSTEM
from parksteward.alarms.tables import Alarm
from parksteward.ingest.tables import ReadingSet, Rollup
from parksteward.registry import service
from parksteward.registry.tables import Device, MonitoringPoint
from parksteward.standards.points import LimitEdit, set_limit

A_SO2 = [30.0, 40.0, 60.0, 500.0, 45.0, 55.0, 50.0, 20.0, 75.0]
B_SO2 = [80.0, 80.0, 80.0, 80.0, 90.0, 110.0, 80.0, 80.0, 80.0]
B_CORRECTED = {4: 130.0, 5: 95.0}


def _rollup(device_id, t, factor, mean, valid=True, corrected=None, rate=None):
    return Rollup(device_id=device_id, interval="hour", t=t, factor=factor, n_valid=60 if valid else 30, n_total=60,
                  mean=mean, minimum=mean, maximum=mean, valid=valid, flag="N" if valid else "D",
                  corrected=corrected, rate_g_s=rate)


def _raw_set(session, device_id, received_s, values):
    data = {f"{factor},Rtd": [value, flag] for factor, (value, flag) in values.items()}
    is_postgres = session.get_bind().dialect.name == "postgresql"
    return ReadingSet(device_id=device_id, interval="raw", t=int(received_s) - 5, received_ms=int(received_s * 1000),
                      data=data if is_postgres else json.dumps(data))


def store_day(session, world, midnight: int, now: float) -> int:
    """Store the day starting at ``midnight`` [epoch s]; the newest real-time data relative to ``now``.
    Returns the id of the ambient station's device."""
    ambient_device = service.devices.create(session, SYSTEM, {
        "point_id": world.ambient_point, "mn": "MN00000000000000000AQ01", "password": "123456",
        "factor_codes": ["a34004"]}).id
    registered = datetime.fromtimestamp(midnight - 86400, timezone.utc)
    session.execute(update(Device).values(created_at=registered))
    session.get(MonitoringPoint, world.point["b"]).reference_o2_pct = 11.0  # its roll-ups carry 折算 means
    a, b = world.device["a"], world.device["b"]
    rows = []
    for hour in range(9):
        t = midnight + 3600 * hour
        rows.append(_rollup(a, t, "a00000", 20.0, valid=hour != 7))
        rows.append(_rollup(a, t, "a21026", A_SO2[hour], valid=hour != 3, rate=A_SO2[hour] * 20.0 / 1000))
        rows.append(_rollup(a, t, "a19001", 9.0))
        if hour <= 5:
            rows.append(_rollup(a, t, "a21002", 100.0, rate=100.0 * 20.0 / 1000))
        rows.append(_rollup(b, t, "a00000", 10.0))
        rows.append(_rollup(b, t, "a21026", B_SO2[hour], corrected=B_CORRECTED.get(hour),
                            rate=B_SO2[hour] * 10.0 / 1000))
        rows.append(_rollup(ambient_device, t, "a34004", 0.035))
    rows.append(_rollup(a, midnight + 9 * 3600, "a21026", 80.0, valid=False, rate=80.0 * 20.0 / 1000))
    session.add_all(rows)
    set_limit(session, SYSTEM, world.point["a"], LimitEdit(factor="a21026", value=50.0, unit="mg/m³",
                                                          standard="GB 31571-2015"))
    set_limit(session, SYSTEM, world.point["b"], LimitEdit(factor="a21026", value=100000.0, unit="µg/m³",
                                                          standard="site permit"))

    def at(hours: float) -> datetime:
        return datetime.fromtimestamp(midnight + hours * 3600, timezone.utc)

    def alarm(key, enterprise, point, kind, level, peak, state, first_hour):
        return Alarm(park_id=world.park, enterprise_id=enterprise, point_id=point, kind=kind, level=level,
                     peak_level=peak, state=state, first_at=at(first_hour), last_at=at(first_hour),
                     open_key=None if state == "cleared" or kind == "drill" else key, message=key)

    ea, eb = world.enterprise["a"], world.enterprise["b"]
    session.add_all([
        alarm("a-exceedance", ea, world.point["a"], "exceedance", "orange", "orange", "active", 2.2),
        alarm("a-interruption", ea, world.point["a"], "interruption", "blue", "blue", "cleared", 5.0),
        alarm("b-exceedance", eb, world.point["b"], "exceedance", "red", "red", "acknowledged", 4.5),
        alarm("park-threshold", None, world.ambient_point, "threshold", "yellow", "yellow", "active", -4.0),
        alarm("b-drill", eb, None, "drill", "red", "red", "active", 8.0),
    ])
    session.add_all([
        _raw_set(session, a, now - 60, {"a21026": (41.0, "N"), "a19001": (9.1, "N")}),
        _raw_set(session, b, now - 40 * 60, {"a21026": (80.0, "N")}),
        _raw_set(session, ambient_device, now - 10 * 60, {"a34004": (0.04, "D")}),
    ])
    session.commit()
    return ambient_device


def local_midnight(now: float, days_back: int) -> int:
    """Local midnight (Asia/Shanghai, UTC+8 all year) of the day ``days_back`` before ``now``'s."""
    shanghai = timezone(timedelta(hours=8))
    day = datetime.fromtimestamp(now, shanghai).date() - timedelta(days=days_back)
    return int(datetime(day.year, day.month, day.day, tzinfo=shanghai).timestamp())


# Hand counts for a day that is over (24 complete hours), as the admin sees it.
# Expected values: registered factors x 24 h: A 4 x 24 = 96, B 4 x 24 = 96, AQ 1 x 24 = 24.
# Received: A SO2 10 (hours 0-9) + NOx 6 + O2 9 (+ PM 0; flow is not registered) = 25, B 9, AQ 9.
# Valid: A 8 + 6 + 9 = 23 (SO2 hours 3 and 9 invalid), B 9, AQ 9.
FULL_DAY = {
    "admin": {"expected": 216, "received": 43, "valid": 41,
              "stack_cems": (192, 34, 32), "ambient_air": (24, 9, 9)},
    "ent_a": {"expected": 96, "received": 25, "valid": 23, "stack_cems": (96, 25, 23)},
}
# Exceedances (valid hours with value / limit > 1), worst first: A hour 8 75/50 = 1.5; B hour 4
# 折算 130 mg/m3 = 130000 µg/m3 / 100000 = 1.3; A hour 2 60/50 = 1.2; A hour 5 55/50 = 1.1.
# Not: A hour 6 (50/50 = 1.0, at the limit), A hour 3 (500, invalid), B hour 5 (measured 110,
# but 折算 95), A hour 9 (invalid).
EXCEEDANCES = {
    "admin": [("P-a-CEMS", 8, 75.0, 1.5), ("P-b-CEMS", 4, 130000.0, 1.3), ("P-a-CEMS", 2, 60.0, 1.2),
              ("P-a-CEMS", 5, 55.0, 1.1)],
    "ent_a": [("P-a-CEMS", 8, 75.0, 1.5), ("P-a-CEMS", 2, 60.0, 1.2), ("P-a-CEMS", 5, 55.0, 1.1)],
}
# Mass of a valid hour with a valid flow: C [mg/m3] x Q [m3/s] x 3600 s / 1e6 [kg].
# A SO2: hours 0 1 2 4 5 6 8 (3: SO2 invalid, 7: flow invalid): (30+40+60+45+55+50+75) = 355
#   x 20 x 3600 / 1e6 = 25.56 kg in 7 h. A NOx: 6 h x 100 x 20 x 3600 / 1e6 = 43.2 kg.
# B SO2 (measured means, not 折算): 80 x 7 + 90 + 110 = 760 x 10 x 3600 / 1e6 = 27.36 kg in 9 h.
EMITTERS = {
    "admin": [("a21026", 52.92, [("企业B", 27.36, 9), ("企业A", 25.56, 7)]),
              ("a21002", 43.2, [("企业A", 43.2, 6)])],
    "ent_a": [("a21002", 43.2, [("企业A", 43.2, 6)]), ("a21026", 25.56, [("企业A", 25.56, 7)])],
}
# Alarms raised on the day (drills apart), by peak level; open now (any day), by level.
ALARMS = {
    "admin": {"raised": (3, {"blue": 1, "yellow": 0, "orange": 1, "red": 1}, {"exceedance": 2, "interruption": 1}),
              "open": (3, {"blue": 0, "yellow": 1, "orange": 1, "red": 1}, {"exceedance": 2, "threshold": 1}),
              "drills": 1},
    "ent_a": {"raised": (2, {"blue": 1, "yellow": 0, "orange": 1, "red": 0}, {"exceedance": 1, "interruption": 1}),
              "open": (1, {"blue": 0, "yellow": 0, "orange": 1, "red": 0}, {"exceedance": 1}),
              "drills": 0},
}
# Now: A newest data 1 min old (normal), B 40 min (offline after 15 min), AQ 10 min, flagged D
# (invalid), WX-01 has no device (waiting). Reporting (newest data <= 15 min old): A, AQ.
DEVICES = {
    "admin": {"points": 4, "by_status": {"normal": 1, "offline": 1, "invalid": 1, "waiting": 1}, "reporting": 2,
              "offline": ["P-b-CEMS"]},
    "ent_a": {"points": 1, "by_status": {"normal": 1}, "reporting": 1, "offline": []},
}
