"""Platform roll-ups: minute values from real-time values, hours from minutes, days from hours.

Committed batches mark the periods they touched as dirty (:meth:`RollupEngine.mark`);
:meth:`RollupEngine.run` recomputes the dirty periods bottom-up and upserts them into
``rollup``. Each level reads the level below:

* minute <- the device's real-time values (2011, ``Rtd``);
* hour   <- the device's own minute values (2051 ``Avg``) where it sends them, else the
  platform's minute roll-ups;
* day    <- the platform's hour roll-ups where present, else the device's hourly values
  (2061 ``Avg`` with their flags). Days follow the park's local calendar.

Validity follows :mod:`parksteward.ingest.validity`. Hours of a stack also get the 折算
(O2-corrected) mean where the point has a reference O2 and the device reports O2 (a19001),
and the emission rate where it reports the flue-gas flow (a00000).
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select

from parksteward.hj212.codes import factor_catalogue
from parksteward.ingest.pipeline import CommittedBatch
from parksteward.ingest.tables import Reading, ReadingSet, Rollup
from parksteward.ingest.validity import (
    VALID_FLAG,
    corrected_concentration,
    emission_rate_g_s,
    judge_period,
    period_value,
    rule_for,
)
from parksteward.registry.tables import Device, MonitoringPoint, Park

O2_FACTOR, FLOW_FACTOR = "a19001", "a00000"
# Factors whose values are mass concentrations in flue gas [mg/m3]: these get 折算 and rates.
CONCENTRATIONS = frozenset(row["code"] for row in factor_catalogue()["factors"]
                           if row["medium"] == "air" and row["unit"] == "mg/m³")
LEVELS = ("minute", "hour", "day")
SOURCE_OF = {"hour": "minute", "day": "hour"}  # minutes come from real-time values (_minutes)
STEP = {"minute": 60.0, "hour": 3600.0}
# The longest time one value of a level can stand for: MinInterval is at most 30 min
# (HJ 212-2017 Table 4), an hourly value stands for its hour.
MAX_STEP = {"minute": 1800.0, "hour": 3600.0}
ROLLUP_COLUMNS = ("device_id", "interval", "t", "factor", "n_valid", "n_total", "mean", "minimum", "maximum",
                  "valid", "flag", "corrected", "rate_g_s")
UPSERT_CHUNK = 250  # roll-up rows per write transaction (see RollupEngine.upsert)
SLOTS = 12  # groups of devices taking turns for hours and days
# Devices are rolled up together when their dirty windows fit in this span [s].
GROUP_SPAN = {"minute": 3600, "hour": 2 * 3600, "day": 2 * 86400}


class RollupEngine:
    # How often a device's periods of a level are recomputed [s] (0: on every run). Every new
    # minute changes its hour, and an hour is recomputed from all its minutes: doing that on
    # every run cost more than the minutes themselves. Hour values are judged once the hour is
    # over, so a minute of lag costs nothing; a day is recomputed from 24 hours, every 5 min.
    EVERY_S = {"minute": 0.0, "hour": 60.0, "day": 300.0}

    def __init__(self, engine: Engine, write=None):
        """``write(rows)`` stores computed roll-up rows (default: upserts with ``engine``);
        :mod:`~parksteward.ingest.rollup_process` has the ingest writer do it instead."""
        self.engine = engine
        self.write = write or self.upsert
        self._lock = threading.Lock()
        # level -> device_id -> [t_min, t_max] of source values that changed
        self._dirty: dict[str, dict[int, list[int]]] = {level: {} for level in LEVELS}
        mark = "%s" if engine.dialect.name == "postgresql" else "?"
        self._upsert = (f"INSERT INTO rollup ({', '.join(ROLLUP_COLUMNS)}) VALUES ({', '.join([mark] * 13)}) "
                        "ON CONFLICT (device_id, interval, t, factor) DO UPDATE SET "
                        + ", ".join(f"{c} = excluded.{c}" for c in ROLLUP_COLUMNS[4:]))
        self._points: dict[int, tuple[ZoneInfo, float | None]] = {}
        self._slot: dict[str, int] = {}  # level -> the last turn taken (see _due)
        self._held: dict[int, list[int]] = {}  # device -> its newest minute, held back one run

    # ------------------------------------------------------------ marking
    def mark(self, batch: CommittedBatch) -> None:
        """Remember which periods a committed batch touched (cheap; called on the hot path)."""
        level_of = {"raw": "minute", "minute": "hour", "hour": "day"}
        # A reading set is one device, interval and DataTime (READING_SET_COLUMNS order).
        with self._lock:
            for device_id, interval, t, *_ in batch.reading_sets:
                level = level_of.get(interval)
                if level is not None:
                    self._widen(level, device_id, t, t)

    def _widen(self, level: str, device_id: int, t0: int, t1: int) -> None:
        _widen_span(self._dirty[level], device_id, t0, t1)

    def take_dirty(self) -> dict[str, dict[int, list[int]]]:
        """Hand over the marks so far (to a roll-up process) and forget them here."""
        with self._lock:
            dirty, self._dirty = self._dirty, {level: {} for level in LEVELS}
        return dirty

    def add_dirty(self, dirty: dict[str, dict[int, list[int]]]) -> None:
        """Take over marks made elsewhere (see :meth:`take_dirty`)."""
        with self._lock:
            for level, devices in dirty.items():
                for device_id, (t0, t1) in devices.items():
                    self._widen(level, device_id, t0, t1)

    def pending(self) -> int:
        with self._lock:
            return sum(len(devices) for devices in self._dirty.values()) + len(self._held)

    # ------------------------------------------------------------ computing
    def run(self, force: bool = False) -> int:
        """Recompute the dirty periods, bottom-up; returns the number of roll-up rows written.

        Each level is recomputed at most every ``EVERY_S[level]`` seconds (``force``: now);
        its dirty periods wait for the next run meanwhile.
        """
        written = 0
        for level in LEVELS:
            dirty = self._due(level, force)
            if level == "minute":
                dirty = self._hold_open_minutes(dirty, force)
            if dirty:
                try:
                    written += self._compute(level, dirty)
                except Exception:
                    self.add_dirty({level: dirty})  # tried again on the next run
                    raise
        return written

    def _due(self, level: str, force: bool) -> dict[int, list[int]]:
        """The dirty windows of ``level`` whose turn it is (all of them with ``force``).

        Devices take turns in ``SLOTS`` groups (by id) so that each device's periods are
        recomputed about every ``EVERY_S[level]`` seconds while the work is spread evenly over
        the runs: an hour of a thousand devices recomputed at once took a second of CPU, a
        burst that showed in the acknowledgement latency. The first run takes every slot.
        """
        with self._lock:
            if force or not self.EVERY_S[level]:
                dirty, self._dirty[level] = self._dirty[level], {}
                return dirty
            now_slot = int(time.monotonic() * SLOTS / self.EVERY_S[level])
            last = self._slot.get(level, now_slot - SLOTS)
            self._slot[level] = now_slot
            due = {slot % SLOTS for slot in range(max(last + 1, now_slot - SLOTS + 1), now_slot + 1)}
            pending = self._dirty[level]
            return {device_id: pending.pop(device_id) for device_id in
                    [d for d in pending if d % SLOTS in due]}

    def _hold_open_minutes(self, fresh: dict[int, list[int]], force: bool) -> dict[int, list[int]]:
        """The minute windows to compute now: ``fresh`` marks and what the last run held back.

        A device sending every second is still filling its newest minute at each run; rolling
        that minute up now means reading it all again at the next run (twice the reads,
        measured). So a device with new data has its newest minute held for the next run, and
        a device with nothing new since has its held minute computed now. ``force`` holds nothing.
        """
        held, self._held = self._held, {}
        dirty = {device_id: list(span) for device_id, span in fresh.items()}
        for device_id, (t0, t1) in held.items():
            _widen_span(dirty, device_id, t0, t1)
        if force:
            return dirty
        for device_id in fresh:
            t0, t1 = dirty[device_id]
            newest = t1 - t1 % 60
            self._held[device_id] = [max(t0, newest), t1]
            if t0 < newest:
                dirty[device_id] = [t0, newest - 1]
            else:
                del dirty[device_id]
        return dirty

    def _point_info(self, device_ids) -> None:
        missing = [d for d in device_ids if d not in self._points]
        if not missing:
            return
        with self.engine.connect() as connection:
            rows = connection.execute(
                select(Device.id, Park.timezone, MonitoringPoint.reference_o2_pct)
                .join(MonitoringPoint, Device.point_id == MonitoringPoint.id)
                .join(Park, MonitoringPoint.park_id == Park.id)
                .where(Device.id.in_(missing))
            ).all()
        for device_id, tz, o2_ref in rows:
            self._points[device_id] = (ZoneInfo(tz), o2_ref)

    def _period_start(self, level: str, device_id: int, t: int) -> int:
        if level == "minute":
            return t - t % 60
        if level == "hour":
            return t - t % 3600
        zone = self._points[device_id][0]
        local = datetime.fromtimestamp(t, timezone.utc).astimezone(zone)
        return int(local.replace(hour=0, minute=0, second=0, microsecond=0).timestamp())

    def _period_end(self, level: str, device_id: int, start: int) -> int:
        if level != "day":
            return start + (60 if level == "minute" else 3600)
        return self._period_start("day", device_id, start + 26 * 3600)

    def _compute(self, level: str, dirty: dict[int, list[int]]) -> int:
        self._point_info(dirty)
        windows = []
        for device_id, (t0, t1) in dirty.items():
            if device_id not in self._points:
                continue  # the device was deleted meanwhile
            start = self._period_start(level, device_id, t0)
            end = self._period_end(level, device_id, self._period_start(level, device_id, t1))
            windows.append((start, end, device_id))
        rows: list[tuple] = []
        with self.engine.connect() as connection:
            for start, end, device_ids in _groups(sorted(windows), GROUP_SPAN[level]):
                if level == "minute":
                    rows += self._minutes(connection, device_ids, start, end)
                    continue
                by_device = self._source_values(connection, level, device_ids, start, end)
                for device_id in device_ids:
                    rows += self._aggregate(level, device_id, by_device.get(device_id, {}))
        self.write(rows)
        if level != "day":
            next_level = LEVELS[LEVELS.index(level) + 1]
            with self._lock:
                for device_id, t in {(row[0], row[2]) for row in rows}:  # ROLLUP_COLUMNS order
                    self._widen(next_level, device_id, t, t)
        return len(rows)

    def upsert(self, rows: list[tuple]) -> None:
        """Insert or replace roll-up rows (``ROLLUP_COLUMNS`` order).

        The reads of a run hold no lock; the upserts hold the write lock in short
        transactions, so that the ingest writer (SQLite: the only other writer) never waits
        long. Short matters twice: this may run at a lower priority, and on a busy machine a
        transaction of 1,000 rows held the lock while it waited for a core (benchmark at
        100,000 readings/s on SQLite: writer batch p99 256 -> 224 ms, acknowledgement p99
        965 -> 649 ms with 250 rows; one 60 s run each).
        """
        for start in range(0, len(rows), UPSERT_CHUNK):
            with self.engine.begin() as connection:
                self.upsert_in(connection, rows[start:start + UPSERT_CHUNK])

    def upsert_in(self, connection, rows: list[tuple]) -> None:
        """Insert or replace roll-up rows inside the caller's transaction."""
        if rows:
            connection.exec_driver_sql(self._upsert, rows)

    def _minutes(self, connection, device_ids: list[int], start: int, end: int) -> list[tuple]:
        """Minute roll-ups of real-time (Rtd) values, counted from the stored reading sets.

        Each set (one frame's readings) is read and decoded once, and its Rtd values counted
        into their minute; :func:`~parksteward.ingest.validity.judge_period` then applies the
        rule to the counts, exactly as :func:`~parksteward.ingest.validity.period_value`
        would to the values. (Aggregating the ``reading`` view in SQL unfolds each set with
        JSON functions that parse every value's array again: on SQLite 29 µs a frame of ten
        factors against 13 µs here.)
        """
        minutes: dict[tuple[int, str, int], _MinuteCounts] = {}
        for device_id, t, data in connection.execute(
            select(ReadingSet.device_id, ReadingSet.t, ReadingSet.data)
            .where(ReadingSet.device_id.in_(device_ids), ReadingSet.interval == "raw",
                   ReadingSet.t >= start, ReadingSet.t < end)
            .order_by(ReadingSet.device_id, ReadingSet.t)
        ):
            minute = t - t % 60
            for name, entry in (json.loads(data) if isinstance(data, str) else data).items():  # jsonb comes parsed
                factor, _, field = name.partition(",")
                if field != "Rtd":
                    continue
                counts = minutes.get((device_id, factor, minute))
                if counts is None:
                    counts = minutes[(device_id, factor, minute)] = _MinuteCounts()
                counts.add(entry[0], entry[1] == VALID_FLAG)
        rows = []
        for (device_id, factor, t), counts in minutes.items():
            result = judge_period(counts.n_valid, counts.n_total, counts.stats(), rule_for(factor, "minute"))
            rows.append(self._row(device_id, factor, "minute", t, result))
        return rows

    @staticmethod
    def _row(device_id: int, factor: str, level: str, t: int, result, corrected=None, rate=None) -> tuple:
        """A roll-up row in ROLLUP_COLUMNS order."""
        return (device_id, level, t, factor, min(result.n_valid, 32767), min(result.n_total, 32767),
                result.mean, result.minimum, result.maximum, result.valid, result.flag, corrected, rate)

    def _source_values(self, connection, level: str, device_ids: list[int], start: int, end: int):
        """device -> factor -> {t: (value, flag)} of the level below, the device's own values winning.

        Periods outside a device's own dirty window may be recomputed too when devices share
        a query; that is harmless (the same values give the same roll-up).
        """
        source = SOURCE_OF[level]  # hours and days: minutes are rolled up by _minutes
        platform: dict[int, dict[str, dict[int, tuple]]] = defaultdict(lambda: defaultdict(dict))
        for device_id, factor, t, mean, flag in connection.execute(
            select(Rollup.device_id, Rollup.factor, Rollup.t, Rollup.mean, Rollup.flag)
            .where(Rollup.device_id.in_(device_ids), Rollup.interval == source, Rollup.t >= start, Rollup.t < end)
        ):
            platform[device_id][factor][t] = (mean, flag)
        own: dict[int, dict[str, dict[int, tuple]]] = defaultdict(lambda: defaultdict(dict))
        for device_id, factor, t, value, flag in connection.execute(
            select(Reading.device_id, Reading.factor, Reading.t, Reading.value, Reading.flag)
            .where(Reading.device_id.in_(device_ids), Reading.interval == source, Reading.field == "Avg",
                   Reading.t >= start, Reading.t < end)
        ):
            own[device_id][factor][t] = (value, flag)
        merged: dict[int, dict[str, dict[int, tuple]]] = {}
        for device_id in device_ids:
            values = dict(platform.get(device_id, {}))
            for factor, by_t in own.get(device_id, {}).items():
                if level == "day" and factor in values:
                    continue  # the platform's hours (with their validity) win over the device's own
                values[factor] = by_t  # for hours: the device's minute data win over platform minutes
            merged[device_id] = values
        return merged

    def _aggregate(self, level: str, device_id: int, values) -> list[tuple]:
        source = SOURCE_OF[level]
        periods: dict[tuple[str, int], list[int]] = defaultdict(list)
        for factor, by_t in values.items():
            for t in sorted(by_t):
                periods[(factor, self._period_start(level, device_id, t))].append(t)
        results = {}
        for (factor, start), times in periods.items():
            step = min(_step(times, STEP[source]), MAX_STEP[source])
            items = [values[factor][t] for t in times]
            results[(factor, start)] = period_value(items, rule_for(factor, level), step)
        _, o2_ref = self._points[device_id]
        rows = []
        for (factor, start), result in results.items():
            corrected = rate = None
            if level != "minute" and result.mean is not None and factor in CONCENTRATIONS:
                o2 = results.get((O2_FACTOR, start))
                if o2_ref is not None and o2 is not None and o2.mean is not None and o2.mean < 21:
                    corrected = corrected_concentration(result.mean, o2.mean, o2_ref)
                flow = results.get((FLOW_FACTOR, start))
                if flow is not None and flow.mean is not None:
                    rate = emission_rate_g_s(result.mean, flow.mean)
            rows.append(self._row(device_id, factor, level, start, result, corrected, rate))
        return rows


def _widen_span(spans: dict[int, list[int]], device_id: int, t0: int, t1: int) -> None:
    """Make ``spans[device_id]`` (a [first, last] time window) cover ``t0..t1`` too."""
    span = spans.get(device_id)
    if span is None:
        spans[device_id] = [t0, t1]
    else:
        span[0], span[1] = min(span[0], t0), max(span[1], t1)


def _groups(windows: list[tuple[int, int, int]], span: int, size: int = 500):
    """Devices whose windows fit in one time range of at most ``span`` seconds, ``size`` at a time."""
    group: list[int] = []
    g_start = g_end = 0
    for start, end, device_id in windows:
        if group and (len(group) >= size or max(g_end, end) - g_start > span):
            yield g_start, g_end, group
            group = []
        if not group:
            g_start, g_end = start, end
        group.append(device_id)
        g_end = max(g_end, end)
    if group:
        yield g_start, g_end, group


def _step(times: list[int], default: float) -> float:
    """The time one value stands for: the most common spacing of the values within one
    period, else ``default``."""
    if len(times) < 2:
        return default
    gaps = [b - a for a, b in zip(times, times[1:]) if b > a]
    if not gaps:
        return default
    return float(max(set(gaps), key=gaps.count))


class _MinuteCounts:
    """What a minute's roll-up needs of its values: counts, and mean/min/max of the valid
    values and of all values (used when none is valid), as the store's aggregates gave them."""

    __slots__ = ("n_total", "n_valid", "valid_sum", "valid_min", "valid_max", "n_values", "all_sum", "all_min",
                 "all_max")

    def __init__(self):
        self.n_total = self.n_valid = self.n_values = 0
        self.valid_sum = self.all_sum = 0.0
        self.valid_min = self.valid_max = self.all_min = self.all_max = None

    def add(self, value: float | None, valid: bool) -> None:
        self.n_total += 1
        if value is None:
            return
        self.n_values += 1
        self.all_sum += value
        self.all_min = value if self.all_min is None or value < self.all_min else self.all_min
        self.all_max = value if self.all_max is None or value > self.all_max else self.all_max
        if valid:
            self.n_valid += 1
            self.valid_sum += value
            self.valid_min = value if self.valid_min is None or value < self.valid_min else self.valid_min
            self.valid_max = value if self.valid_max is None or value > self.valid_max else self.valid_max

    def stats(self) -> tuple:
        if self.n_valid:
            return self.valid_sum / self.n_valid, self.valid_min, self.valid_max
        if self.n_values:
            return self.all_sum / self.n_values, self.all_min, self.all_max
        return None, None, None
