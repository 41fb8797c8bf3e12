"""The alarm stage: judges committed readings against the rules, on a thread of its own.

The ingest writer hands every committed batch to :meth:`AlarmEngine.handle`, which only
queues it (the writer must not wait for judgement). The engine's thread

1. judges real-time values against ``threshold``, ``rate_of_change``, ``flat_line`` and
   ``invalid_data`` rules, and device-sent hourly means (2061, flag N) against
   ``exceedance`` rules;
2. every ``alarm_sweep_seconds`` sweeps for data interruptions, judges the platform's valid
   hourly roll-ups against ``exceedance`` rules, and escalates alarms left unacknowledged;
3. records sightings through :mod:`~parksteward.alarms.lifecycle` and the deliveries of
   their events through :mod:`~parksteward.alarms.routing` in one transaction, then wakes
   the dispatcher.

Rules, points, limits and scenarios are read into a snapshot (:class:`RuleBook`) that is
rebuilt every minute, or as soon as a rule or a limit is added, edited or deleted
(:func:`rules_version`, looked at once a second). Run lengths (flat line, invalid data) and rate windows are kept in memory: after a restart
they count again from zero.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session, sessionmaker

from parksteward.alarms import lifecycle, plans, wording
from parksteward.alarms.conditions import SlidingFit, band_level, convert, limit_ratio
from parksteward.alarms.levels import RANK
from parksteward.alarms.lifecycle import Sighting, open_key
from parksteward.alarms.routing import route
from parksteward.alarms.tables import Alarm, AlarmRule, Scenario
from parksteward.ingest.store import unpack_reading_sets
from parksteward.ingest.tables import Reading, Rollup
from parksteward.registry.tables import Device, Factor, MonitoringPoint
from parksteward.standards.tables import PointLimit

log = logging.getLogger(__name__)
RAW_KINDS = ("threshold", "rate_of_change", "flat_line", "invalid_data")
REFRESH_S = 60.0
MAX_QUEUED_BATCHES = 10_000
EXCEEDANCE_LOOKBACK_S = 3 * 3600
NOTARIZE_EVERY_S = 1.0
VERSION_EVERY_S = 1.0  # how often rule and limit tables are checked for changes
UPDATE_EVERY_S = 2.0  # a persisting alarm's count, value and last time are written this often


@dataclass(frozen=True)
class PointInfo:
    id: int
    park_id: int
    enterprise_id: int | None
    kind: str
    code: str
    name: str
    risk_source_id: int | None
    reference_o2_pct: float | None = None  # concentrations are judged 折算 (O2-corrected) to this


@dataclass(frozen=True)
class Rule:
    """A rule as the engine uses it (a plain copy of the row)."""

    id: int
    name: str
    kind: str
    factor: str | None
    field: str
    direction: str
    bands: dict
    params: dict
    scenario_id: int | None
    escalate_after_min: float | None


@dataclass
class RuleBook:
    """Which rules watch which device's factors: a snapshot of the rule tables."""

    points: dict[int, PointInfo] = field(default_factory=dict)  # by point id
    point_of_device: dict[int, int] = field(default_factory=dict)
    devices_of_point: dict[int, list[int]] = field(default_factory=dict)
    # Rules on values as they come: interval ('raw' or 'minute') -> point -> factor or '*' -> rules.
    raw: dict[str, dict[int, dict[str, list[Rule]]]] = field(default_factory=dict)
    exceedance: dict[int, list[Rule]] = field(default_factory=dict)
    interruption: dict[int, list[Rule]] = field(default_factory=dict)
    limits: dict[tuple[int, str], Row] = field(default_factory=dict)  # hourly_limits()
    units: dict[str, str | None] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # factor code -> Chinese name
    names_en: dict[str, str] = field(default_factory=dict)
    rules: dict[int, Rule] = field(default_factory=dict)
    _watched: dict[str, frozenset] | None = None

    @property
    def watched(self) -> dict[str, frozenset]:
        """Per interval, the devices whose readings of that interval some rule judges."""
        if self._watched is None:
            watched = {interval: frozenset(d for p in by_point for d in self.devices_of_point.get(p, ()))
                       for interval, by_point in self.raw.items()}
            watched["hour"] = frozenset(d for p in self.exceedance for d in self.devices_of_point.get(p, ()))
            self._watched = watched
        return self._watched

    @property
    def empty(self) -> bool:
        return not (self.raw or self.exceedance or self.interruption)

    def raw_rules(self, interval: str, point_id: int, factor: str) -> list[Rule]:
        by_point = self.raw.get(interval)
        by_factor = by_point.get(point_id) if by_point else None
        if not by_factor:
            return []  # the common case at 100,000 readings/s: one or two dict look-ups per reading
        rules = by_factor.get(factor, []) + by_factor.get("*", [])
        return [rule for rule in rules if factor not in rule.params.get("skip_factors", ())]


def load_rulebook(session: Session) -> RuleBook:
    book = RuleBook()
    for point in session.scalars(select(MonitoringPoint)):
        book.points[point.id] = PointInfo(point.id, point.park_id, point.enterprise_id, point.kind, point.code,
                                          point.name, point.risk_source_id, point.reference_o2_pct)
    for device_id, point_id in session.execute(select(Device.id, Device.point_id)):
        book.point_of_device[device_id] = point_id
        book.devices_of_point.setdefault(point_id, []).append(device_id)
    for code, unit, name, name_en in session.execute(select(Factor.code, Factor.unit, Factor.name_zh, Factor.name_en)):
        book.units[code], book.names[code], book.names_en[code] = unit, name, name_en
    book.limits = hourly_limits(session)
    for row in session.scalars(select(AlarmRule).where(AlarmRule.enabled.is_(True)).order_by(AlarmRule.id)):
        rule = Rule(row.id, row.name, row.kind, row.factor, row.field or "Rtd", row.direction, dict(row.bands),
                    dict(row.params or {}), row.scenario_id, row.escalate_after_min)
        book.rules[rule.id] = rule
        for point in book.points.values():
            if not _applies(row, point):
                continue
            if rule.kind in RAW_KINDS:
                by_point = book.raw.setdefault(rule.params.get("interval", "raw"), {})
                for factor in rule.params.get("factors") or [rule.factor or "*"]:
                    by_point.setdefault(point.id, {}).setdefault(factor, []).append(rule)
            elif rule.kind == "exceedance":
                book.exceedance.setdefault(point.id, []).append(rule)
            elif rule.kind == "interruption":
                book.interruption.setdefault(point.id, []).append(rule)
    return book


# What judging an hourly mean reads of a limit: rows of these, not whole ORM objects (a park
# has a thousand or more limits, and the overview reads them on every request).
HOURLY_LIMIT_COLUMNS = (PointLimit.id, PointLimit.point_id, PointLimit.factor, PointLimit.direction, PointLimit.value,
                        PointLimit.value_max, PointLimit.unit, PointLimit.standard, PointLimit.source,
                        PointLimit.verified)


def hourly_limits(session: Session, point_ids=None) -> dict[tuple[int, str], Row]:
    """The limit each (point, factor)'s hourly means are judged against: concentrations, pH and
    sound levels whose averaging an hourly mean answers (``-``: stack limits state none and
    are judged on hourly means; ``1h``; a single or any-hour value). ``point_ids``: only these.
    The first assigned (lowest id) wins where a point has several for one factor."""
    stmt = select(*HOURLY_LIMIT_COLUMNS).where(PointLimit.quantity.in_(("concentration", "ph", "sound_level")),
                                              PointLimit.averaging.in_(("-", "1h", "single", "any_1h")))
    if point_ids is not None:
        stmt = stmt.where(PointLimit.point_id.in_(point_ids))
    limits: dict[tuple[int, str], Row] = {}
    for limit in session.execute(stmt.order_by(PointLimit.id)):
        limits.setdefault((limit.point_id, limit.factor), limit)
    return limits


def hourly_mean_against_limit(limit: Row | PointLimit, mean: float | None, corrected: float | None,
                              unit: str | None) -> tuple[float, float] | None:
    """(the hour's value in the limit's unit, its ratio to the limit; above 1: exceeded), or
    None where the hour has no mean or its unit does not convert to the limit's.

    The 折算 (O2-corrected) mean is judged where the roll-up carries one (the point has a
    reference O2 and the hour's O2 was valid), else the measured mean; ``unit`` is the
    factor's unit in the catalogue.
    """
    value = corrected if corrected is not None else mean
    if value is None:
        return None
    in_limit_unit = convert(value, unit, limit.unit)
    if in_limit_unit is None:
        return None  # units that do not convert: the limit cannot judge this factor (noted when assigned)
    return in_limit_unit, limit_ratio(in_limit_unit, limit.direction, limit.value, limit.value_max)


def rules_version(session: Session) -> tuple:
    """Changes whenever a rule or a point limit is added, edited or deleted (one cheap query each)."""
    return (*session.execute(select(func.count(), func.max(AlarmRule.updated_at))).one(),
            *session.execute(select(func.count(), func.max(PointLimit.updated_at))).one())


def _applies(rule: AlarmRule, point: PointInfo) -> bool:
    if rule.park_id != point.park_id:
        return False
    if rule.point_id is not None and rule.point_id != point.id:
        return False
    if rule.point_kind is not None and rule.point_kind != point.kind:
        return False
    return rule.enterprise_id is None or rule.enterprise_id == point.enterprise_id


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class Judgement:
    """The outcome for one (rule, point, factor) key in one pass: a sighting, or the condition ended."""

    key: str
    sighting: Sighting | None


class AlarmEngine:
    """The pipeline's alarm stage (:class:`~parksteward.ingest.pipeline.AlarmStage`)."""

    def __init__(self, sessions: sessionmaker, sweep_s: float = 5.0, on_deliveries=None, notarize=None):
        self.sessions = sessions
        self.sweep_s = sweep_s
        self.on_deliveries = on_deliveries  # e.g. the dispatcher's wake-up
        self.notarize = notarize  # appends committed alarm events to the log (alarms.notary)
        self._queue: queue.Queue = queue.Queue(MAX_QUEUED_BATCHES)
        self._book: RuleBook | None = None
        self._book_at = 0.0
        self._version: tuple | None = None
        self._version_at = 0.0
        self._running = False
        self._last_seen: dict[int, float] = {}  # device -> epoch s of its newest data
        self._last_t: dict[str, int] = {}  # key -> newest reading time judged
        self._runs: dict[str, tuple[float | None, int]] = {}  # flat line / invalid data: (last value, run)
        self._windows: dict[str, SlidingFit] = {}  # rate of change: the fit over its window
        self._started_at = time.time()
        self._open: set[str] = set()  # open_key of the open alarms (resolving needs no query otherwise)
        # key -> (monotonic time of its last write, level, sighting held back, sightings folded, their peak)
        self._written: dict[str, tuple] = {}
        self._scenarios: dict[tuple, int | None] = {}  # (park, risk source, kind, factor) -> scenario id

    # ------------------------------------------------------------ the stage
    def handle(self, batch) -> None:
        """Called by the ingest writer after each commit: queue the batch and return (its
        readings are unfolded in this stage's thread, not the writer's)."""
        if not self._running:
            return
        try:
            self._queue.put_nowait(batch)
        except queue.Full:
            log.error("alarm stage %d batches behind: a batch of %d frames was not judged", MAX_QUEUED_BATCHES,
                      len(batch.frames))

    def run(self, stop: threading.Event) -> None:
        self._running = True
        next_sweep = next_notary = time.monotonic()
        try:
            while not stop.is_set():
                timeout = max(0.0, next_sweep - time.monotonic())
                try:
                    batch = self._queue.get(timeout=min(timeout, 0.5))
                except queue.Empty:
                    batch = None
                try:
                    if batch is not None:
                        self.judge_sets(batch.reading_sets)
                    if time.monotonic() >= next_sweep:
                        self.sweep()
                        next_sweep = time.monotonic() + self.sweep_s
                except Exception:
                    log.exception("alarm judgement failed; carrying on with the next batch")
                if self.notarize is not None and time.monotonic() >= next_notary:
                    next_notary = time.monotonic() + NOTARIZE_EVERY_S
                    try:  # events of this thread and of the API (acknowledged, cleared, drills)
                        self.notarize()
                    except Exception:
                        log.exception("notarizing alarm events failed; they are tried again")
        finally:
            self._running = False

    def start(self, stop: threading.Event) -> threading.Thread:
        self._running = True  # accept batches from now on, before the thread is scheduled
        thread = threading.Thread(target=self.run, args=(stop,), name="alarms", daemon=True)
        thread.start()
        return thread

    # ------------------------------------------------------------ snapshot
    def book(self, session: Session) -> RuleBook:
        # The tables' version is looked at once a second, not per batch: at 100,000 readings/s
        # its two aggregate queries were a third of this thread's time.
        version = self._version
        if time.monotonic() - self._version_at >= VERSION_EVERY_S or self._book is None:
            version = rules_version(session)
            self._version_at = time.monotonic()
        if (self._book is None or version != self._version
                or time.monotonic() - self._book_at > REFRESH_S):
            self._version = version
            first = self._book is None
            self._book = load_rulebook(session)
            self._book_at = time.monotonic()
            self._open = set(session.scalars(select(Alarm.open_key).where(Alarm.open_key.is_not(None))))
            self._scenarios.clear()
            if first:
                self._seed_last_seen(session, self._book)
        return self._book

    def _seed_last_seen(self, session: Session, book: RuleBook) -> None:
        """Newest stored data per watched device, so a restart does not forget an interruption."""
        for point_id in book.interruption:
            for device_id in book.devices_of_point.get(point_id, ()):
                newest = session.scalar(select(func.max(Reading.t)).where(Reading.device_id == device_id,
                                                                          Reading.interval == "raw"))
                if newest is not None:
                    self._last_seen[device_id] = max(self._last_seen.get(device_id, 0.0), float(newest))

    # ------------------------------------------------------------ real-time values
    def judge_readings(self, rows: list[tuple]) -> int:
        """Judge one committed batch (READING_COLUMNS tuples); returns the number of deliveries made."""
        return self._judge(lambda watched: [row for row in rows if row[0] in watched.get(row[1], frozenset())],
                           {row[0]: row[8] for row in rows})

    def judge_sets(self, sets: list[tuple]) -> int:
        """Judge one committed batch of reading sets (READING_SET_COLUMNS): only the sets of
        devices some rule watches are unfolded into readings."""
        return self._judge(lambda watched: unpack_reading_sets(
                               [s for s in sets if s[0] in watched.get(s[1], frozenset())]),
                           {s[0]: s[3] for s in sets})

    def _judge(self, watched_rows, newest: dict[int, int]) -> int:
        """``watched_rows(book.watched)``: the READING_COLUMNS rows some rule watches;
        ``newest``: device -> its newest received_ms in the batch (rows come in arrival order)."""
        with self.sessions() as session:
            book = self.book(session)
            if book.empty:
                return 0
            now_s = time.time()
            judgements: dict[str, Judgement] = {}
            # Newest arrival per device, for the interruption sweep.
            last_seen = self._last_seen
            for device_id, received_ms in newest.items():
                if received_ms / 1000 > last_seen.get(device_id, 0.0):
                    last_seen[device_id] = received_ms / 1000
            # Only the readings some rule watches go further: at 100,000 readings/s most do not.
            for device_id, interval, t, factor, fld, value, flag, _code, _received in watched_rows(book.watched):
                point_id = book.point_of_device[device_id]
                if interval == "raw" or interval == "minute":
                    for rule in book.raw_rules(interval, point_id, factor):
                        if rule.field == fld:
                            self._judge_raw(book, rule, book.points[point_id], factor, t, value, flag, judgements)
                elif interval == "hour" and flag == "N" and book.exceedance.get(point_id):
                    point = book.points[point_id]
                    # A device's own hourly means: 折算 (ZsAvg) where the point is judged O2-corrected.
                    if fld != ("ZsAvg" if point.reference_o2_pct is not None else "Avg"):
                        continue
                    for rule in book.exceedance[point_id]:
                        if rule.factor in (None, factor):
                            self._judge_exceedance(book, rule, point, factor, t, value, None, judgements)
            return self._apply(session, judgements.values(), now_s)

    def _judge_raw(self, book: RuleBook, rule: Rule, point: PointInfo, factor: str, t: int, value, flag,
                   judgements: dict[str, Judgement]) -> None:
        key = open_key(rule.id, point.id, factor)
        if t <= self._last_t.get(key, -1):
            return  # a resent frame, or data older than what was judged
        self._last_t[key] = t
        measure = None
        if rule.kind == "threshold":
            measure = value
        elif rule.kind == "invalid_data":
            # How long [min] the values have been flagged other than N (fault, maintenance, ...).
            if flag in (None, "N"):
                self._runs.pop(key, None)
            else:
                _, since = self._runs.setdefault(key, (None, t))
                measure = (t - since) / 60.0
        elif rule.kind == "flat_line":
            # How long [min] the value has stayed within ``tolerance`` of where the run began;
            # zero (below detection, a stopped pump) is a value that stays flat for good reasons.
            start, since = self._runs.get(key, (None, 0))
            tolerance = float(rule.params.get("tolerance", 0.0))
            if value is None or (value == 0 and rule.params.get("ignore_zero", True)):
                self._runs.pop(key, None)
            elif start is None or abs(value - start) > tolerance:
                self._runs[key] = (value, t)
                measure = 0.0
            else:
                measure = (t - since) / 60.0
        elif rule.kind == "rate_of_change":
            fit = self._windows.get(key)
            if fit is None:
                fit = self._windows[key] = SlidingFit(float(rule.params.get("window_min", 10)) * 60)
            if value is not None:
                fit.add(t, value)
            if len(fit) >= int(rule.params.get("min_points", 5)):
                measure = fit.slope_per_minute()
        level = band_level(measure, rule.bands, rule.direction)
        previous = judgements.get(key)
        if level is None:
            if previous is None or previous.sighting is None:
                judgements[key] = Judgement(key, None)
            return  # within one batch, a sighting stands even if a later value eased (the peak counts)
        if previous is not None and previous.sighting is not None and \
                RANK[previous.sighting.level] > RANK[level]:
            return
        threshold = rule.bands[level]
        judgements[key] = Judgement(key, self._sighting(book, rule, point, factor, level, value, measure, threshold,
                                                        t, flag=flag))

    def _judge_exceedance(self, book: RuleBook, rule: Rule, point: PointInfo, factor: str, t: int,
                          mean: float | None, corrected: float | None, judgements: dict[str, Judgement]) -> None:
        limit = book.limits.get((point.id, factor))
        if limit is None or mean is None:
            return
        key = open_key(rule.id, point.id, factor)
        if t <= self._last_t.get(key, -1):
            return
        self._last_t[key] = t
        judged = hourly_mean_against_limit(limit, mean, corrected, book.units.get(factor))
        if judged is None:
            return
        value = corrected if corrected is not None else mean
        in_limit_unit, ratio = judged
        level = band_level(ratio, rule.bands, "above")
        if level is None:
            judgements[key] = Judgement(key, None)
            return
        sighting = self._sighting(book, rule, point, factor, level, value, ratio, rule.bands[level], t,
                                  limit=limit, limit_value=in_limit_unit)
        judgements[key] = Judgement(key, sighting)

    def _sighting(self, book: RuleBook, rule: Rule, point: PointInfo, factor: str | None, level: str,
                  value: float | None, measure: float | None, threshold: float, t: int | None,
                  limit: PointLimit | None = None, limit_value: float | None = None,
                  flag: str | None = None) -> Sighting:
        unit = book.units.get(factor) if factor else None
        message, message_en = wording.messages(wording.Facts(
            kind=rule.kind, point=f"{point.code} {point.name}", level=level,
            factor_zh=book.names.get(factor, factor) if factor else None,
            factor_en=book.names_en.get(factor, factor) if factor else None,
            unit=unit, value=value, threshold=threshold, measure=measure, direction=rule.direction,
            window_min=float(rule.params.get("window_min", 10)), flag=flag, reference_o2_pct=point.reference_o2_pct,
            limit_value=limit_value, limit_unit=limit.unit if limit else None,
            standard=limit.standard if limit else None, limit_text=_limit_text(limit) if limit else None))
        return Sighting(
            park_id=point.park_id, point_id=point.id, enterprise_id=point.enterprise_id, rule_id=rule.id,
            kind=rule.kind, factor=factor, level=level, value=value if rule.kind != "interruption" else measure,
            threshold=threshold, unit=unit if rule.kind in ("threshold",) else None, message=message, data_t=t,
            risk_source_id=point.risk_source_id, scenario_id=rule.scenario_id,
            details={"rule": rule.name, "measure": measure, "direction": rule.direction, "message_en": message_en,
                     **({"limit": {"standard": limit.standard, "value": limit.value, "unit": limit.unit,
                                   "source": limit.source, "verified": limit.verified}} if limit else {})},
        )

    # ------------------------------------------------------------ the sweep
    def sweep(self, now: datetime | None = None) -> int:
        """Interruptions, hourly roll-ups against limits, escalations; returns deliveries made."""
        now = now or _utcnow()
        made = 0
        with self.sessions() as session:
            book = self.book(session)
            judgements: dict[str, Judgement] = {}
            now_s = now.timestamp()
            for point_id, rules in book.interruption.items():
                devices = book.devices_of_point.get(point_id, ())
                if not devices:
                    continue
                seen = max((self._last_seen.get(d, self._started_at) for d in devices), default=self._started_at)
                minutes = max(0.0, (now_s - seen) / 60)
                for rule in rules:
                    key = open_key(rule.id, point_id, None)
                    level = band_level(minutes, rule.bands, "above")
                    if level is None:
                        judgements[key] = Judgement(key, None)
                    else:
                        judgements[key] = Judgement(key, self._sighting(
                            book, rule, book.points[point_id], None, level, None, minutes, rule.bands[level],
                            int(now_s // 60)))
            if book.exceedance:
                self._judge_rollups(session, book, now_s, judgements)
            for key in list(self._written):
                if key not in judgements:
                    held = self._held(key, due_only=True)
                    if held is not None:
                        judgements[key] = Judgement(key, held)
            made += self._apply(session, judgements.values(), now_s)
            made += self._escalate(session, book, now)
        return made

    def _judge_rollups(self, session: Session, book: RuleBook, now_s: float, judgements: dict) -> None:
        devices = [d for p in book.exceedance for d in book.devices_of_point.get(p, ())]
        since = int(now_s) - EXCEEDANCE_LOOKBACK_S
        for chunk in range(0, len(devices), 500):
            for device_id, t, factor, mean, corrected in session.execute(
                select(Rollup.device_id, Rollup.t, Rollup.factor, Rollup.mean, Rollup.corrected)
                .where(Rollup.device_id.in_(devices[chunk:chunk + 500]), Rollup.interval == "hour",
                       Rollup.valid.is_(True), Rollup.t >= since).order_by(Rollup.t)
            ):
                point_id = book.point_of_device[device_id]
                for rule in book.exceedance[point_id]:
                    if rule.factor in (None, factor):
                        self._judge_exceedance(book, rule, book.points[point_id], factor, t, mean, corrected,
                                               judgements)

    def _escalate(self, session: Session, book: RuleBook, now: datetime) -> int:
        made = 0
        for alarm in session.scalars(select(Alarm).where(Alarm.state == "active", Alarm.rule_id.is_not(None),
                                                        Alarm.level != "red")):
            rule = book.rules.get(alarm.rule_id)
            if rule is None or not rule.escalate_after_min:
                continue
            since = alarm.escalated_at or alarm.first_at
            if (now - since).total_seconds() >= rule.escalate_after_min * 60:
                event = lifecycle.escalate(session, alarm, now, rule.escalate_after_min)
                self._refresh_advice(session, alarm)
                made += len(route(session, alarm, event, now))
        session.commit()
        if made and self.on_deliveries:
            self.on_deliveries()
        return made

    # ------------------------------------------------------------ recording
    def _apply(self, session: Session, judgements, now_s: float) -> int:
        now = datetime.fromtimestamp(now_s, timezone.utc)
        made = 0
        for judgement in judgements:
            if judgement.sighting is None:
                if judgement.key not in self._open:
                    continue  # nothing open for this key: the common case, no query
                self._open.discard(judgement.key)
                held = self._held(judgement.key, due_only=False)
                if held is not None:  # what was counted in memory goes in before the alarm closes
                    lifecycle.observe(session, held, now)
                self._written.pop(judgement.key, None)
                resolved = lifecycle.resolve(session, judgement.key, now)
                if resolved is not None:
                    alarm, event = resolved
                    made += len(route(session, alarm, event, now))
                continue
            sighting = judgement.sighting
            if self._fold(judgement.key, sighting):
                continue
            if sighting.scenario_id is None:
                sighting.scenario_id = self._scenario_id(session, sighting)
            scenario = session.get(Scenario, sighting.scenario_id) if sighting.scenario_id else None
            sighting.advice = plans.advice(scenario, sighting.level)
            alarm, event = lifecycle.observe(session, sighting, now)
            self._open.add(judgement.key)
            self._written[judgement.key] = (time.monotonic(), alarm.level, None, 0, None)
            if event is not None:
                made += len(route(session, alarm, event, now))
        session.commit()
        if made and self.on_deliveries:
            self.on_deliveries()
        return made

    def _fold(self, key: str, sighting: Sighting) -> bool:
        """Whether a sighting only repeats its open alarm's level within ``UPDATE_EVERY_S`` of its
        last write: it is then held in memory, counted, and written with the next sighting that
        is not (or by the sweep, or before the alarm clears), its count and peak included, so a
        persisting condition costs a write every few seconds, not one per committed batch."""
        written = self._written.get(key)
        if written is None or key not in self._open:
            return False
        at, level, held, unrecorded, peak = written
        if held is not None:  # the sighting held so far becomes one of the unrecorded ones
            unrecorded += 1
            peak = _worse_of(peak, held.value, held)
        if RANK[sighting.level] != RANK[level] or time.monotonic() - at >= UPDATE_EVERY_S:
            sighting.unrecorded += unrecorded
            sighting.unrecorded_peak = _worse_of(sighting.unrecorded_peak, peak, sighting)
            self._written[key] = (at, level, None, 0, None)
            return False
        self._written[key] = (at, level, sighting, unrecorded, peak)
        return True

    def _held(self, key: str, due_only: bool) -> Sighting | None:
        """The sighting held back for ``key``, ready to write (with what was folded into it)."""
        written = self._written.get(key)
        if written is None or written[2] is None:
            return None
        at, level, held, unrecorded, peak = written
        if due_only and time.monotonic() - at < UPDATE_EVERY_S:
            return None
        held.unrecorded, held.unrecorded_peak = unrecorded, peak
        self._written[key] = (at, level, None, 0, None)
        return held

    def _scenario_id(self, session: Session, sighting: Sighting) -> int | None:
        """The plan scenario a sighting answers to, remembered until the next snapshot."""
        key = (sighting.park_id, sighting.risk_source_id, sighting.kind, sighting.factor)
        if key not in self._scenarios:
            scenario = plans.find_scenario(session, *key)
            self._scenarios[key] = scenario.id if scenario else None
        return self._scenarios[key]

    def _refresh_advice(self, session: Session, alarm: Alarm) -> None:
        if alarm.scenario_id is not None:
            alarm.advice = plans.advice(session.get(Scenario, alarm.scenario_id), alarm.level) or alarm.advice


def _worse_of(a: float | None, b: float | None, sighting: Sighting) -> float | None:
    """The more extreme of two values in the rule's direction (None counts as nothing)."""
    if a is None or b is None:
        return b if a is None else a
    return min(a, b) if sighting.details.get("direction") == "below" else max(a, b)


def _limit_text(limit: PointLimit) -> str:
    if limit.direction == "range":
        return f"{limit.value:g}–{limit.value_max:g} {limit.unit}"
    sign = "≤" if limit.direction == "le" else "≥"
    return f"{sign} {limit.value:g} {limit.unit}"
