"""The park's day at a glance: alarms, data completeness, exceedances, top emitters, devices now.

Everything is counted over one local day of the park (its ``timezone``, midnight to midnight,
or to now for today) and only over what the actor may see: an enterprise user gets its own
points, alarms and enterprise, never another's or the park's own stations.

All data figures rest on the platform's hourly roll-ups (:mod:`parksteward.ingest.rollup`),
one row per device, factor and hour, with its validity (:mod:`parksteward.ingest.validity`).
HJ 212-2017 has data loggers send real-time, minute (2051) and hourly (2061) values, and HJ
75-2017 judges flue gas on hourly means, valid with at least 45 valid minutes: the hour is
the unit a regulator counts, and a day of hours (some 160,000 roll-ups in a park of 650
devices) is read in well under a second, where a day of minute values is sixty times more.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Row, Select, case, func, select
from sqlalchemy.orm import Session, aliased

from parksteward.access import Actor
from parksteward.access.scope import scoped
from parksteward.alarms.engine import hourly_limits, hourly_mean_against_limit
from parksteward.alarms.levels import LEVELS
from parksteward.alarms.tables import Alarm
from parksteward.errors import InvalidInput
from parksteward.hj212.codes import factor_catalogue
from parksteward.ingest.rollup import CONCENTRATIONS, FLOW_FACTOR
from parksteward.ingest.status import point_status
from parksteward.ingest.tables import Rollup
from parksteward.registry.service import parks
from parksteward.registry.tables import Device, Enterprise, Factor, MonitoringPoint

HOUR_S = 3600
REPORTING_WITHIN_S = 15 * 60  # "data arriving now": newest data at most this old [s]
LIST_EXCEEDANCES = 100
LIST_EMITTERS = 10
CHUNK = 500  # device ids per IN list
POINT_COLUMNS = (MonitoringPoint.id, MonitoringPoint.code, MonitoringPoint.name, MonitoringPoint.kind,
                 MonitoringPoint.enterprise_id)


def overview(session: Session, actor: Actor, park_id: int, day: date | None = None,
             now: float | None = None) -> dict:
    """The overview of ``park_id`` for the local ``day`` (default: today in the park's time zone)."""
    park = parks.get(session, actor, park_id)
    now = time.time() if now is None else now
    zone = ZoneInfo(park.timezone)
    day, start, end = day_window(zone, day, now)
    # The points' and devices' columns the figures use: rows, not ORM objects (hundreds of each).
    points = session.execute(scoped(select(*POINT_COLUMNS), MonitoringPoint, actor)
                             .where(MonitoringPoint.park_id == park.id).order_by(MonitoringPoint.code)).all()
    by_id = {p.id: p for p in points}
    # Sub-selects rather than lists of hundreds of ids: SQLAlchemy renders a long IN list anew on
    # every execution, the database reads a sub-select as cheaply.
    point_ids = scoped(select(MonitoringPoint.id), MonitoringPoint, actor).where(MonitoringPoint.park_id == park.id)
    device_ids = select(Device.id).where(Device.point_id.in_(point_ids))
    devices = session.execute(select(Device.id, Device.point_id, Device.factor_codes, Device.created_at)
                              .where(Device.id.in_(device_ids))).all()
    day_hours = DayHours(device_ids, start, end)
    tallies = day_tallies(session, day_hours)
    return {
        "park_id": park.id, "date": day, "timezone": park.timezone,
        "start": _utc(start), "end": _utc(end), "generated_at": _utc(now),
        "alarms": alarm_counts(session, actor, park.id, start, end),
        "completeness": completeness(by_id, devices, day_hours, tallies),
        "exceedances": exceedances(session, by_id, point_ids, devices, day_hours, tallies),
        "top_emitters": top_emitters(session, actor, by_id, devices, day_hours, tallies),
        "devices": devices_now(session, actor, park.id, by_id, now),
    }


def day_window(zone: ZoneInfo, day: date | None, now: float) -> tuple[date, int, int]:
    """(day, local midnight, the next local midnight or ``now`` if earlier) [epoch s]."""
    today = datetime.fromtimestamp(now, zone).date()
    day = today if day is None else day
    if day > today:
        raise InvalidInput.single("date", f"{day.isoformat()} is after today ({today.isoformat()} in {zone.key}): "
                                          "an overview counts what has happened")
    start = int(datetime.combine(day, datetime.min.time(), zone).timestamp())
    next_midnight = int(datetime.combine(day + timedelta(days=1), datetime.min.time(), zone).timestamp())
    return day, start, min(next_midnight, int(now))


def _utc(t: float) -> datetime:
    return datetime.fromtimestamp(t, timezone.utc)


@dataclass(frozen=True)
class DayHours:
    """The day's hourly roll-ups of some devices, as statements: the database counts and sums them.

    A park's day holds up to some 160,000 roll-ups. Each figure below is one grouped statement
    whose answer has a row per device and factor (a few thousand): the database still reads
    every row of the day, in its own code, while Python handles a number of rows that does not
    grow through the day.
    """

    device_ids: list[int] | Select  # the devices' ids, or a select of them
    start: int  # local midnight [epoch s]
    end: int  # the next local midnight, or now [epoch s]

    @property
    def first_hour(self) -> int:
        """The day's first whole hour (local midnight is on the hour in whole-hour zones)."""
        return self.start + (-self.start) % HOUR_S

    @property
    def last_end(self) -> int:
        """The end of the day's last hour that is over."""
        return self.end - self.end % HOUR_S

    def execute(self, session: Session, stmt, rollup=Rollup) -> list:
        """``stmt`` (a select over ``rollup``) limited to the day's hours of these devices.

        A list of ids goes in chunks (an IN list has a length limit): a statement that groups
        by device then still has each device's rows in one chunk.
        """
        ids = self.device_ids
        parts = [ids[i:i + CHUNK] for i in range(0, len(ids), CHUNK)] if isinstance(ids, list) else [ids]
        rows = []
        for part in parts:
            rows += session.execute(stmt.where(
                rollup.device_id.in_(part), rollup.interval == "hour",
                rollup.t >= self.start - self.start % HOUR_S, rollup.t < self.end)).all()
        return rows


class Tally(NamedTuple):
    """One factor of one device over the day's hours: what completeness and exceedances count."""

    received: int  # hours over (from the day's first whole hour) with a roll-up
    valid: int  # of those, the valid ones
    first_t: int | None  # its first hour with a roll-up among the hours over (None: only the current hour)
    lowest: float | None  # the lowest valid judged mean (折算 where there is one), the current hour included
    highest: float | None  # the highest


def day_tallies(session: Session, hours: DayHours) -> dict[tuple[int, str], Tally]:
    """(device, factor) -> its :class:`Tally`, from one grouped statement over the day's roll-ups."""
    over = Rollup.t < hours.last_end
    counted = over & (Rollup.t >= hours.first_hour)  # rows before: the hour across a half-hour zone's midnight
    judged = case((Rollup.valid.is_(True), func.coalesce(Rollup.corrected, Rollup.mean)))
    rows = hours.execute(session, select(
        Rollup.device_id, Rollup.factor, func.sum(case((counted, 1), else_=0)),
        func.sum(case((counted & Rollup.valid.is_(True), 1), else_=0)), func.min(case((over, Rollup.t))),
        func.min(judged), func.max(judged)).group_by(Rollup.device_id, Rollup.factor))
    return {(device_id, factor): Tally._make(figures) for device_id, factor, *figures in rows}


# ------------------------------------------------------------------ alarms
def alarm_counts(session: Session, actor: Actor, park_id: int, start: int, end: int) -> dict:
    """Alarms raised on the day (by the highest level each reached) and open now (by its level now).

    Drills are counted apart: a director asks how many real warnings there were.
    """
    alarms = scoped(select(Alarm), Alarm, actor).where(Alarm.park_id == park_id).subquery()
    raised = session.execute(
        select(alarms.c.kind, alarms.c.peak_level, func.count())
        .where(alarms.c.first_at >= _utc(start), alarms.c.first_at < _utc(end))
        .group_by(alarms.c.kind, alarms.c.peak_level)).all()
    open_now = session.execute(
        select(alarms.c.kind, alarms.c.level, func.count())
        .where(alarms.c.state != "cleared").group_by(alarms.c.kind, alarms.c.level)).all()
    return {"raised_today": _counts([r for r in raised if r[0] != "drill"]),
            "open_now": _counts([r for r in open_now if r[0] != "drill"]),
            "drills_today": sum(n for kind, _, n in raised if kind == "drill")}


def _counts(rows) -> dict:
    by_level = dict.fromkeys(LEVELS, 0)
    by_kind: Counter = Counter()
    for kind, level, n in rows:
        by_level[level] = by_level.get(level, 0) + n
        by_kind[kind] += n
    return {"total": sum(by_kind.values()), "by_level": by_level, "by_kind": dict(by_kind.most_common())}


# ------------------------------------------------------------------ completeness
def completeness(points: dict[int, Row], devices: list, hours: DayHours,
                 tallies: dict[tuple[int, str], Tally]) -> dict:
    """The share of the day's expected hourly values that arrived, and that are valid.

    Expected: one value per factor the device is registered for (every factor it reported
    on the day where none is registered; one value where neither) and per hour of the day
    that is over (the current hour is judged when it ends). A device registered during the
    day is expected from its first full hour, or from its first data if that came earlier.
    Received: the hour has a roll-up of that factor; valid: the roll-up is valid, i.e. the
    hour has enough valid minute values under HJ 75-2017 / HJ 212-2017 Annex C and D (for
    flue gas, at least 45 valid minutes; :mod:`parksteward.ingest.validity`).
    """
    first_hour, last_end = hours.first_hour, hours.last_end
    complete_hours = max(0, (last_end - first_hour) // HOUR_S)
    seen: dict[int, dict[str, Tally]] = defaultdict(dict)  # device -> factor -> its tally, where an hour is over
    for (device_id, factor), tally in tallies.items():
        if tally.first_t is not None:
            seen[device_id][factor] = tally
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # kind -> devices, expected, received, valid
    for device_id, point_id, factor_codes, created_at in devices:
        own = seen.get(device_id, {})
        factors = list(factor_codes or sorted(own) or [None])
        from_t = first_hour
        registered = created_at.timestamp()
        if registered > hours.start:
            registered_hour = int(registered) + (-int(registered)) % HOUR_S
            from_t = max(first_hour, min([registered_hour] + [tally.first_t for tally in own.values()]))
        # Every received hour is on or after from_t: from_t is at most the device's first data or first_hour.
        total = totals[points[point_id].kind]
        total[0] += 1
        total[1] += len(factors) * len(range(from_t, last_end, HOUR_S))
        total[2] += sum(own[factor].received for factor in factors if factor in own)
        total[3] += sum(own[factor].valid for factor in factors if factor in own)
    overall = [sum(column) for column in zip(*totals.values())] if totals else [0, 0, 0, 0]
    return {"complete_hours": complete_hours, "overall": _shares(*overall),
            "by_kind": [{"kind": kind, **_shares(*totals[kind])} for kind in sorted(totals)]}


def _shares(devices: int, expected: int, received: int, valid: int) -> dict:
    return {"devices": devices, "expected": expected, "received": received, "valid": valid,
            "received_share": received / expected if expected else None,
            "valid_share": valid / expected if expected else None}


# ------------------------------------------------------------------ exceedances
def exceedances(session: Session, points: dict[int, Row], point_ids: Select, devices: list, hours: DayHours,
                tallies: dict[tuple[int, str], Tally]) -> dict:
    """The day's valid hourly means above the limit assigned to their point and factor.

    Judged as the alarm engine judges an hourly roll-up
    (:func:`~parksteward.alarms.engine.hourly_mean_against_limit`: the 折算 mean where there is
    one, in the limit's unit), here against the limit itself (ratio above 1), whatever the
    park's alarm rules grade.

    The ratio grows with the value against a maximum and falls against a minimum (a range is
    both), so a device's factor has an hour over its limit exactly when its day's highest or
    lowest judged mean has (its :class:`Tally`): only the hours of those factors are read.
    """
    limits = hourly_limits(session, point_ids)
    units = dict(session.execute(select(Factor.code, Factor.unit)).all())
    point_of = {device_id: point_id for device_id, point_id, *_ in devices}
    exceeded = set()
    for (device_id, factor), tally in tallies.items():
        limit = limits.get((point_of[device_id], factor))
        if limit is not None and any(_ratio_above_one(limit, value, units.get(factor))
                                     for value in _extremes(limit.direction, tally)):
            exceeded.add((device_id, factor))
    found = []
    exceeded_hours = replace(hours, device_ids=sorted({device_id for device_id, _ in exceeded}))
    for device_id, t, factor, mean, corrected in exceeded_hours.execute(session, select(
            Rollup.device_id, Rollup.t, Rollup.factor, Rollup.mean, Rollup.corrected)
            .where(Rollup.valid.is_(True), Rollup.factor.in_(sorted({factor for _, factor in exceeded})))):
        if (device_id, factor) not in exceeded:
            continue
        point = points[point_of[device_id]]
        limit = limits[point.id, factor]
        judged = hourly_mean_against_limit(limit, mean, corrected, units.get(factor))
        if judged is None or not judged[1] > 1.0:
            continue
        value, ratio = judged
        found.append({"point_id": point.id, "point_code": point.code, "point_name": point.name,
                      "enterprise_id": point.enterprise_id, "factor": factor, "t": _utc(t), "value": value,
                      "corrected": corrected is not None, "limit": limit.value, "limit_max": limit.value_max,
                      "direction": limit.direction, "unit": limit.unit, "standard": limit.standard, "ratio": ratio})
    found.sort(key=lambda e: (-e["ratio"], e["t"], e["point_code"]))
    return {"count": len(found), "data": found[:LIST_EXCEEDANCES]}


def _extremes(direction: str, tally: Tally) -> tuple:
    """The day's judged means that can exceed a limit of this direction: the highest against a
    maximum (le), the lowest against a minimum (ge), both against a range."""
    return {"le": (tally.highest,), "ge": (tally.lowest,)}.get(direction, (tally.lowest, tally.highest))


def _ratio_above_one(limit, value: float | None, unit: str | None) -> bool:
    judged = hourly_mean_against_limit(limit, value, None, unit)
    return judged is not None and judged[1] > 1.0


# ------------------------------------------------------------------ emitters
WATER_FLOW_FACTOR = "w00000"  # wastewater flow [L/s]
# Water concentrations by unit -> kg per (unit x litre): the catalogue's water factors with an amount.
WATER_UNIT_KG_PER_L = {"mg/L": 1e-6, "µg/L": 1e-9, "ng/L": 1e-12}
WATER_LOADS = {row["code"]: WATER_UNIT_KG_PER_L[row["unit"]] for row in factor_catalogue()["factors"]
               if row["medium"] == "water" and row["amount_unit"] and row["unit"] in WATER_UNIT_KG_PER_L}


def top_emitters(session: Session, actor: Actor, points: dict[int, Row], devices: list,
                 hours: DayHours, tallies: dict[tuple[int, str], Tally]) -> list[dict]:
    """Per pollutant, the enterprises whose stacks and outlets emitted the most in the day's valid hours [kg].

    Air: an hour's mass is its emission rate times the hour, ``M = C · Q · 3600 s``, the rate
    ``C · Q`` being the roll-up's (concentration [mg/m3] x flue-gas flow [m3/s], HJ 212-2017
    Annex D.2; :func:`~parksteward.ingest.validity.emission_rate_g_s`).
    Water: an hour's load is ``G = C · Q · 3600 s`` with the hourly mean concentration C
    [mg/L] and flow Q [L/s] (HJ 212-2017 Annex D.1: volume D = Q·T·10⁻³ m3, load G = D·C·10⁻³ kg).
    Only hours where both the concentration and the flow (a00000, w00000) are valid count;
    invalid or missing hours are not substituted (HJ 75-2017 and HJ 356-2019 have rules for
    that), so the sums are what was measured, a lower bound of what was emitted. Pollutants are
    ranked apart: tonnes of NOx and of dust do not add up.

    The database sums each device's hours (the hour joined to the same hour's flow), over the
    devices that measure a flow at all (:class:`Tally`); the constant factors are applied to
    the sums.
    """
    hours = replace(hours, device_ids=sorted({device_id for device_id, factor in tallies
                                              if factor in (FLOW_FACTOR, WATER_FLOW_FACTOR)}))
    enterprise_of = {device_id: points[point_id].enterprise_id for device_id, point_id, *_ in devices}
    concentration, flow = aliased(Rollup), aliased(Rollup)
    same_hour = ((flow.device_id == concentration.device_id) & (flow.interval == concentration.interval)
                 & (flow.t == concentration.t) & flow.valid.is_(True))
    air = hours.execute(session, select(
        concentration.device_id, concentration.factor, func.sum(concentration.rate_g_s), func.count())
        .join(flow, same_hour & (flow.factor == FLOW_FACTOR))
        .where(concentration.valid.is_(True), concentration.factor.in_(sorted(CONCENTRATIONS)),
               concentration.rate_g_s.is_not(None))
        .group_by(concentration.device_id, concentration.factor), concentration)
    water = hours.execute(session, select(
        concentration.device_id, concentration.factor, func.sum(concentration.mean * flow.mean), func.count())
        .join(flow, same_hour & (flow.factor == WATER_FLOW_FACTOR) & (flow.mean >= 0))
        .where(concentration.valid.is_(True), concentration.factor.in_(sorted(WATER_LOADS)),
               concentration.mean.is_not(None))
        .group_by(concentration.device_id, concentration.factor), concentration)
    mass: dict[str, dict[int, list]] = defaultdict(lambda: defaultdict(lambda: [0.0, 0]))  # factor -> ent -> [kg, h]
    for rows, kg_per_sum in ((air, lambda factor: HOUR_S / 1000.0),  # g/s x s -> kg
                             (water, lambda factor: WATER_LOADS[factor] * HOUR_S)):  # unit/L x kg/(unit L) x L/s x s
        for device_id, factor, summed, n in rows:
            enterprise_id = enterprise_of[device_id]
            if enterprise_id is None:
                continue  # the park's own stations emit nothing
            entry = mass[factor][enterprise_id]
            entry[0] += summed * kg_per_sum(factor)
            entry[1] += n
    names = dict(session.execute(scoped(select(Enterprise.id, Enterprise.name), Enterprise, actor)
                                 .where(Enterprise.id.in_({e for by in mass.values() for e in by}))).all())
    ranked = []
    for factor, by_enterprise in mass.items():
        rows = sorted(by_enterprise.items(), key=lambda item: -item[1][0])
        ranked.append({"factor": factor, "total_kg": sum(kg for kg, _ in by_enterprise.values()),
                       "data": [{"enterprise_id": e, "enterprise_name": names.get(e, str(e)), "mass_kg": kg,
                                 "hours": n} for e, (kg, n) in rows[:LIST_EMITTERS]]})
    ranked.sort(key=lambda r: (-r["total_kg"], r["factor"]))
    return ranked


# ------------------------------------------------------------------ devices now
def devices_now(session: Session, actor: Actor, park_id: int, points: dict[int, Row],
                now: float) -> dict:
    """Each point's live status (:func:`~parksteward.ingest.status.point_status`): counts, the
    points reporting in the last 15 minutes, and the offline ones (longest silent first)."""
    status = point_status(session, actor, park_id, now)["data"]
    offline = sorted((s for s in status if s["status"] == "offline"), key=lambda s: s["last_received"] or 0)
    return {
        "points": len(status),
        "by_status": dict(Counter(s["status"] for s in status)),
        "reporting": sum(1 for s in status if s["last_received"] is not None
                         and now - s["last_received"] <= REPORTING_WITHIN_S),
        "offline": [{"point_id": s["point_id"], "code": s["code"], "name": points[s["point_id"]].name,
                     "kind": points[s["point_id"]].kind, "enterprise_id": points[s["point_id"]].enterprise_id,
                     "last_received": s["last_received"]} for s in offline],
    }
