"""One simulated data logger (数采仪): what it measures, how its data are flagged, and its frames.

:class:`DeviceModel` turns a registered device (:class:`DeviceSpec`) into HJ 212 data areas:
real-time values (CN 2011), period statistics over a minute interval or an hour (2051,
2061: ``-Min/-Avg/-Max``, ``-Cou`` for the flow [m3] and the pollutant loads [kg] at stacks
and outlets, per reference hj212.md §9 and §12), the treatment facility's run state (2021)
and the restart notice (2081), and encodes them as frames with
:func:`parksteward.hj212.build_frame` — HJ 212-2017 devices with ``Flag=5`` (reply
requested) and 2017 codes, HJ/T 212-2005 devices with ``Flag=1`` and the catalogue's 2005
codes where a factor has one. Everything is a pure function of the seed, the device and the
time (see :mod:`parksteward.sim.signals`).

Period statistics come from instantaneous samples every :data:`SAMPLE_S` seconds (HJ
212-2017 Annex D.2.2: instantaneous sampling at most every 5 s). A period's flag is N when at
least 75 % of its samples are N (Annex C notes), else its most frequent other flag. The
hours a logger stored while its link was down (the demo's day before its replay) are taken
from one sample every :data:`HISTORY_SAMPLE_S` seconds, as hourly values rolled up from
minute data are: the same mean to within the noise, at a twelfth of the cost. The periods
of an hour (its minutes, or the hour itself) are computed together from one array of samples.

Data flags (reference §8), deterministic per device and time:

* ``C`` — a daily six-minute zero/span check of each gas or water-quality analyser at a
  device-specific time: zero gas for three minutes, then span gas at 80 % of a full scale
  of twice the factor's normal maximum;
* ``M`` — maintenance by day (09:00-16:00 start) on about one day in twelve, 30-120 min,
  all factors, values keep coming;
* ``D`` — an analyser fault in about one hour in 250, one factor, 5-45 min, reading 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

from parksteward.hj212 import build_frame
from parksteward.hj212.codes import factor_catalogue
from parksteward.hj212.frame import STANDARD_MAX_SEGMENT
from parksteward.sim import stories as story
from parksteward.sim.signals import LocalTime, SeriesSet, model_for, production_load, stable_key, unit_hash

SAMPLE_S = 5  # [s]
BLOCK_S = 3600  # periods computed together: the minutes of one hour, or the hour itself [s]
# A logger's stored hours (uploaded once it is live again) are computed from one sample a
# minute: the hourly mean is the same to within the noise, and a day of them costs a twelfth.
HISTORY_SAMPLE_S = 60  # [s]
HISTORY_BLOCK_S = 6 * 3600  # [s]
REALTIME_BLOCK = 32  # real-time instants computed together
FLAGS = "NCMD"  # flag codes 0..3 of the sample arrays
N, C, M, D = range(4)
CALIBRATION_S = 360  # [s]
MAINTENANCE_PER_DAY = 1 / 12  # [-]
FAULTS_PER_HOUR = 1 / 250  # [-]
SPAN_OF_HI = 1.6  # span gas: 80 % of a full scale of twice the normal maximum [-]

# System code (ST, HJ 212-2017 Table 5) of each kind of point. Tank level is a ParkSteward
# extension and takes a code of the extension range A0-Z9.
SYSTEM_CODE = {
    "stack_cems": "31", "wastewater_outlet": "32", "boundary_vocs": "27", "ambient_air": "22", "weather": "22",
    "noise": "36", "groundwater_soil": "33", "tank_level": "A1",
}
# Cadence per kind: real-time interval [s] (RtdInterval) and minute-data interval [min] (MinInterval).
RTD_INTERVAL_S = {"groundwater_soil": 60}
DEFAULT_RTD_INTERVAL_S = 30
MIN_INTERVAL_MIN = {"stack_cems": 1, "boundary_vocs": 1, "wastewater_outlet": 10}
RUN_STATE_KINDS = frozenset({"stack_cems", "wastewater_outlet"})
FLOW_FACTOR = {"stack_cems": "a00000", "wastewater_outlet": "w00000"}
# -Cou of a flow [m3] = mean flow x seconds x this (m3/s for flue gas, L/s for wastewater).
FLOW_TO_M3 = {"a00000": 1.0, "w00000": 1e-3}
O2_FACTOR = "a19001"
NUMERIC_SUFFIXES = frozenset({"Rtd", "Min", "Avg", "Max", "Cou", "ZsRtd", "ZsMin", "ZsAvg", "ZsMax"})


@dataclass(frozen=True)
class Event:
    """A stretch of flagged data: [start, end) epoch seconds, the factors it touches, its flag code."""

    start: float
    end: float
    rows: np.ndarray  # bool per factor
    flag: int


@dataclass(frozen=True)
class DeviceSpec:
    """A registered device as the simulator needs it (read from the store by the simulator)."""

    mn: str
    password: str
    protocol_version: str
    factor_codes: tuple[str, ...]
    point_code: str
    kind: str
    timezone: str = "Asia/Shanghai"
    enterprise_id: int | None = None
    industry: str | None = None
    size_class: str | None = None
    safe_level_m: float | None = None
    reference_o2_pct: float | None = None

    def story_point(self) -> story.StoryPoint:
        return story.StoryPoint(self.mn, self.point_code, self.kind, self.factor_codes, self.protocol_version,
                                self.industry, self.safe_level_m)


@lru_cache(maxsize=1)
def _codes_2005() -> dict[str, str]:
    return {row["code"]: row["code_2005"] for row in factor_catalogue()["factors"] if row["code_2005"]}


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def numeric_count(items) -> int:
    """How many readings a data area carries (the statistics the gateway stores)."""
    return sum(1 for key, _ in items if key.partition("-")[2] in NUMERIC_SUFFIXES)


class DeviceModel:
    """The measurements, flags and frames of one device; see the module docstring."""

    def __init__(self, spec: DeviceSpec, seed: int, stories: story.Stories | None = None,
                 story_start: float = 0.0):
        self.spec = spec
        self.seed = seed
        self.codes = list(spec.factor_codes)
        self.models = [model_for(spec.kind, code) for code in self.codes]
        self.series = SeriesSet.draw(seed, spec.mn, spec.kind, list(zip(self.codes, self.models)))
        self.zone = _zone(spec.timezone)
        self.legacy = spec.protocol_version == "2005"
        self.st = SYSTEM_CODE.get(spec.kind, "31")
        self.flag = 1 if self.legacy else 5
        codes_2005 = _codes_2005()
        self.wire = [codes_2005.get(code, code) if self.legacy else code for code in self.codes]
        self.decimals = [m.decimals for m in self.models]
        self.index = {code: i for i, code in enumerate(self.codes)}
        rng = np.random.default_rng(stable_key(seed, spec.mn, "device"))
        # Cadence: spread the devices over the real-time interval and the first seconds of a period.
        self.rtd_interval_s = RTD_INTERVAL_S.get(spec.kind, DEFAULT_RTD_INTERVAL_S)
        self.rtd_offset_s = int(rng.integers(self.rtd_interval_s))
        minutes = MIN_INTERVAL_MIN.get(spec.kind)
        self.min_interval_s = None if minutes is None else 60 * minutes
        self.period_delay_s = int(rng.integers(1, 10))
        self.hour_delay_s = int(rng.integers(10, 50))
        self.run_state_offset_s = int(rng.integers(60, 3540)) if spec.kind in RUN_STATE_KINDS else None
        # Batch analysers: one result per cycle, sampled at a device-specific phase.
        self.cycle = np.array([m.cycle_s for m in self.models], dtype=np.float64)
        self.cycle_phase = np.array([rng.uniform(0, m.cycle_s) // 1 if m.cycle_s else 0 for m in self.models])
        self.batch = self.cycle > 0
        # Flags.
        self.calibrated = np.array([m.calibrated for m in self.models], dtype=bool)
        self.calibration_start_s = float(rng.integers(86400))  # local time of day [s]
        self.event_key = stable_key(seed, spec.mn, "events")
        # Stories.
        stories = stories or story.Stories()
        self.story_start = story_start
        self.night_row = self.index.get(story.NIGHT_FACTOR) if spec.mn == stories.night_shift_mn else None
        self.rising_tank = spec.mn == stories.tank_mn
        self.flat_row = self.index.get(story.FLAT_FACTOR) if spec.mn == stories.flat_line_mn else None
        exempt = np.zeros(len(self.codes), dtype=bool)
        for row in (self.night_row, self.flat_row):
            if row is not None:
                exempt[row] = True
        if self.rising_tank:
            exempt[:] = True
        self.exempt = exempt
        # Tanks: a slow fill-and-draw cycle between about 30 and 77 % of the safe level.
        self.safe_level_m = spec.safe_level_m or 10.0
        self.tank_mid = rng.uniform(42, 62)
        self.tank_amp = rng.uniform(6, min(15, 77 - self.tank_mid))
        self.tank_period_s = rng.uniform(16, 40) * 3600
        self.tank_phase = rng.uniform(0, 2 * math.pi)
        self.flow_row = self.index.get(FLOW_FACTOR.get(spec.kind, ""))
        self.o2_row = self.index.get(O2_FACTOR) if spec.reference_o2_pct is not None else None
        self.corrected = np.array([spec.kind == "stack_cems" and m.amount == "mass" for m in self.models])
        self.mean_kind = [m.mean for m in self.models]
        # Devices of one enterprise share its production load.
        self.enterprise_key = stable_key(seed, "enterprise", spec.enterprise_id)
        self._block = None
        self._periods: tuple[tuple, PeriodBlock] | None = None  # the last block of periods computed
        self._samples: tuple[tuple, np.ndarray, np.ndarray] | None = None  # and its samples

    # ------------------------------------------------------------ samples
    def utc_offset_s(self, t: float) -> float:
        return datetime.fromtimestamp(t, self.zone).utcoffset().total_seconds()

    def local_text(self, t: float) -> str:
        """``YYYYMMDDhhmmss`` of epoch ``t`` in the park's time zone."""
        return datetime.fromtimestamp(int(t), self.zone).strftime("%Y%m%d%H%M%S")

    def sample_instants(self, t) -> np.ndarray:
        """The instant each factor's value stands for, shape (factors, instants) [s]: ``t``
        itself, or the last sampling instant of a batch analyser."""
        t = np.atleast_1d(np.asarray(t, dtype=np.float64))
        rows = np.broadcast_to(t, (len(self.codes), t.size)).copy()
        if self.batch.any():
            cycle, phase = self.cycle[self.batch, None], self.cycle_phase[self.batch, None]
            rows[self.batch] = np.floor((t[None, :] - phase) / cycle) * cycle + phase
        return rows

    def sample(self, t, load: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(values, flags, instants) of every factor at epoch instants ``t``, each (factors, instants).

        ``load`` fixes the enterprise's production load [-] instead of its daily profile
        (what the device would read at that load).
        """
        t = np.atleast_1d(np.asarray(t, dtype=np.float64))
        offset = self.utc_offset_s(float(t[0]))
        instants = self.sample_instants(t)
        local = LocalTime.of(instants, offset)
        if load is None:
            load = production_load(local, self.spec.industry, self.spec.size_class, self.enterprise_key)
        else:
            load = np.full(instants.shape, float(load))
        values = self.series.values(local, load)
        if self.night_row is not None:
            values[self.night_row] *= story.night_shift_multiplier(local.hour[self.night_row])
        if self.spec.kind == "tank_level":
            self._tank(values, t)
        if self.flat_row is not None:
            values[self.flat_row] = float(story.FLAT_VALUE)
        flags = np.zeros(values.shape, dtype=np.int8)
        zero_gas = np.zeros(t.size, dtype=bool)
        for event in self.events(float(t[0]), float(t[-1]), offset):
            active = (t >= event.start) & (t < event.end)
            if active.any():
                flags[np.ix_(event.rows, active)] = event.flag
                if event.flag == C:
                    zero_gas |= active & (t < event.start + CALIBRATION_S / 2)
        if flags.any():
            span = np.where(zero_gas[None, :], 0.0, SPAN_OF_HI * self.series.hi[:, None])
            values = np.where(flags == C, span, np.where(flags == D, 0.0, values))
        return values, flags, instants

    def _tank(self, values: np.ndarray, t: np.ndarray) -> None:
        if self.rising_tank:
            pct = story.rising_tank_pct(t, self.story_start)
        else:
            pct = self.tank_mid + self.tank_amp * np.sin(2 * np.pi * t / self.tank_period_s + self.tank_phase)
        if "x01002" in self.index:
            values[self.index["x01002"]] = pct
        if "x01001" in self.index:
            values[self.index["x01001"]] = pct / 100.0 * self.safe_level_m

    def events(self, t0: float, t1: float, utc_offset_s: float) -> list[Event]:
        """The calibrations, faults and maintenance that overlap [t0, t1], in the order they
        are applied (a later one wins: maintenance over a fault over a calibration)."""
        key, n_factors = self.event_key, len(self.codes)
        first_day = int((t0 + utc_offset_s) // 86400) - 1
        days = range(first_day, int((t1 + utc_offset_s) // 86400) + 1)
        out: list[Event] = []
        calibrated = self.calibrated & ~self.exempt
        if calibrated.any():
            for day in days:
                start = day * 86400 - utc_offset_s + self.calibration_start_s
                out.append(Event(start, start + CALIBRATION_S, calibrated, C))
        for slot in range(int(t0 // 3600) - 1, int(t1 // 3600) + 1):
            if unit_hash(key + 10, slot) < FAULTS_PER_HOUR:
                row = int(unit_hash(key + 13, slot) * n_factors)
                if not self.exempt[row]:
                    start = slot * 3600 + unit_hash(key + 11, slot) * 3600
                    rows = np.arange(n_factors) == row
                    out.append(Event(start, start + 300 + unit_hash(key + 12, slot) * 2400, rows, D))
        if not self.exempt.all():
            for day in days:
                if unit_hash(key + 21, day) < MAINTENANCE_PER_DAY:
                    start = day * 86400 - utc_offset_s + 9 * 3600 + unit_hash(key + 20, day) * 7 * 3600
                    out.append(Event(start, start + 1800 + unit_hash(key + 22, day) * 5400, ~self.exempt, M))
        return out

    # ------------------------------------------------------------ data areas
    def _text(self, row: int, value: float) -> str:
        text = f"{value:.{self.decimals[row]}f}"
        return text[1:] if text.startswith("-") and float(text) == 0 else text

    def realtime(self, t: float) -> list[tuple[str, str]]:
        """The data area of a real-time upload (2011) at epoch ``t`` (whole seconds)."""
        values, flags, instants = self._realtime_sample(t)
        zs = self._corrected(values[:, None])
        items = [("DataTime", self.local_text(t))]
        for row, code in enumerate(self.wire):
            items.append((f"{code}-Rtd", self._text(row, values[row])))
            if zs is not None and self.corrected[row]:
                items.append((f"{code}-ZsRtd", self._text(row, zs[row, 0])))
            items.append((f"{code}-Flag", FLAGS[flags[row]]))
            if self.batch[row] and not self.legacy:
                items.append((f"{code}-SampleTime", self.local_text(instants[row])))
        return items

    def _realtime_sample(self, t: float):
        """The samples at ``t``, computed for a block of :data:`REALTIME_BLOCK` real-time
        instants at once (values are a pure function of time, so this only saves numpy's
        per-call overhead)."""
        block = self._block
        if block is None or t not in block[0]:
            times = t + self.rtd_interval_s * np.arange(REALTIME_BLOCK)
            values, flags, instants = self.sample(times)
            block = self._block = ({float(x): i for i, x in enumerate(times)}, values, flags, instants)
        i = block[0][t]
        return block[1][:, i], block[2][:, i], block[3][:, i]

    def period(self, t0: float, t1: float, sample_s: float = SAMPLE_S) -> list[tuple[str, str]]:
        """The data area of a minute (2051) or hourly (2061) upload for [t0, t1); DataTime = t0.

        ``sample_s`` is the sampling interval of the statistics [s]; a logger's stored hours
        (the demo's day before its replay) use :data:`HISTORY_SAMPLE_S`.
        """
        block, p = self._period_block(t0, t1, sample_s)
        minimum, mean, maximum = block.minimum[:, p], block.mean[:, p], block.maximum[:, p]
        zs = block.zs[p] if block.zs is not None else None
        items = [("DataTime", self.local_text(t0))]
        for row, code in enumerate(self.wire):
            if row in block.cou:
                items.append((f"{code}-Cou", f"{block.cou[row][p]:.{1 if row == self.flow_row else 4}f}"))
            items += [(f"{code}-Min", self._text(row, minimum[row])),
                      (f"{code}-Avg", self._text(row, mean[row])),
                      (f"{code}-Max", self._text(row, maximum[row]))]
            if zs is not None and not np.isnan(zs) and self.corrected[row]:
                items.append((f"{code}-ZsAvg", self._text(row, mean[row] * zs)))
            items.append((f"{code}-Flag", str(block.flags[row, p])))
        return items

    def _period_block(self, t0: float, t1: float, sample_s: float) -> tuple[PeriodBlock, int]:
        """The statistics of the block of equal periods that holds [t0, t1), and its column.

        The values are a pure function of time, so the periods of one block (the 60 minutes of
        an hour, or six stored hours) are computed together: one call of :meth:`sample` and
        array statistics instead of one each. A period that does not tile its block, or a
        block across a change of the park's UTC offset, is computed on its own.
        """
        seconds = t1 - t0
        block_s = BLOCK_S if sample_s == SAMPLE_S else HISTORY_BLOCK_S
        start = t0 // block_s * block_s
        tiles = block_s % seconds == 0 and (t0 - start) % seconds == 0 and seconds % sample_s == 0
        if not tiles or self.utc_offset_s(start) != self.utc_offset_s(start + block_s - sample_s):
            start, block_s = t0, seconds
        key = (start, seconds, sample_s)
        if self._periods is None or self._periods[0] != key:
            self._periods = (key, self._block_statistics(start, seconds, int(block_s // seconds), sample_s))
        return self._periods[1], int((t0 - start) // seconds)

    def _block_statistics(self, start: float, seconds: float, count: int, sample_s: float) -> PeriodBlock:
        """Statistics of ``count`` consecutive periods of ``seconds`` from ``start``, each (factors, count)."""
        per = int(round(seconds / sample_s))
        key = (start, count * per, sample_s)
        if self._samples is None or self._samples[0] != key:  # an hour's minutes, then the hour: one sample
            t = start + sample_s * np.arange(count * per, dtype=np.float64)
            self._samples = (key, *self.sample(t)[:2])
        _, values, flags = self._samples
        values = values.reshape(len(self.codes), count, per)
        flags = flags.reshape(len(self.codes), count, per)
        stats = period_statistics(values, flags, self.mean_kind)
        cou: dict[int, np.ndarray] = {}
        if self.flow_row is not None:
            q, q_ok = values[self.flow_row], flags[self.flow_row] == N
            cou[self.flow_row] = stats.mean[self.flow_row] * seconds * FLOW_TO_M3[self.codes[self.flow_row]]
            for row, model in enumerate(self.models):
                if model.amount == "mass":
                    cq = values[row] * q
                    ok = (flags[row] == N) & q_ok
                    use = np.where(ok.any(axis=-1)[:, None], ok, True)  # the valid samples, else all
                    mean = np.where(use, cq, 0.0).sum(axis=-1) / use.sum(axis=-1)
                    # kg = mg/m3 x m3/s x s x 1e-6 (flue gas); mg/L x L/s x s x 1e-6 (water)
                    cou[row] = mean * seconds * 1e-6
        zs = None
        if self.o2_row is not None:
            o2 = stats.mean[self.o2_row]
            with np.errstate(divide="ignore"):
                zs = np.where(o2 < 21, (21.0 - self.spec.reference_o2_pct) / (21.0 - o2), np.nan)
        return PeriodBlock(stats.minimum, stats.mean, stats.maximum, stats.flags, cou, zs)

    def _corrected(self, values: np.ndarray) -> np.ndarray | None:
        """折算 values at the point's reference O2 (HJ 212-2017 Annex D.2), or None."""
        if self.o2_row is None:
            return None
        o2 = np.minimum(values[self.o2_row], 20.0)
        return values * (21.0 - self.spec.reference_o2_pct) / (21.0 - o2)[None, :]

    def run_state(self, t: float) -> list[tuple[str, str]]:
        """Facility run state (2021): ``SB1-RS`` 1 running, 2 calibrating, 3 maintenance (reference §5.2)."""
        _, flags, _ = self.sample([t])
        state = "3" if (flags == M).any() else "2" if (flags == C).any() else "1"
        return [("DataTime", self.local_text(t)), ("SB1-RS", state)]

    def restart(self, t: float) -> list[tuple[str, str]]:
        """The restart notice (2081) a data logger sends after it comes back."""
        return [("DataTime", self.local_text(t)), ("RestartTime", self.local_text(t))]

    # ------------------------------------------------------------ frames
    def encode(self, cn: str, items: list[tuple[str, str]], next_qn) -> list[tuple[str, bytes]]:
        """(QN, frame) pairs for one upload; a data area too long for one frame (1024 bytes)
        is split into packets (Flag D, PNUM/PNO, each with its own QN and the DataTime;
        HJ 212-2017 §6.3.2 and Annex C)."""
        qn = next_qn()
        header = dict(st=self.st, cn=cn, mn=self.spec.mn, pw=self.spec.password)
        frame = build_frame(**header, cp=items, qn=qn, flag=self.flag)
        if len(frame) - 12 <= STANDARD_MAX_SEGMENT:  # ## LLLL ... CCCC CR LF around the segment
            return [(qn, frame)]
        parts = _split(items, STANDARD_MAX_SEGMENT - 160)
        frames = []
        for number, part in enumerate(parts, start=1):
            qn = qn if number == 1 else next_qn()
            frames.append((qn, build_frame(**header, cp=part, qn=qn, flag=self.flag | 0b10,
                                           pnum=len(parts), pno=number)))
        return frames


def _split(items: list[tuple[str, str]], budget: int) -> list[list[tuple[str, str]]]:
    """Cut a data area into parts of whole factors, each repeating the frame-level items."""
    frame_level = [(k, v) for k, v in items if "-" not in k]
    groups: dict[str, list] = {}
    for key, value in items:
        if "-" in key:
            groups.setdefault(key.partition("-")[0], []).append((key, value))
    parts, current, size = [], [], 0
    for group in groups.values():
        length = sum(len(k) + len(v) + 2 for k, v in group)
        if current and size + length > budget:
            parts.append(frame_level + current)
            current, size = [], 0
        current += group
        size += length
    parts.append(frame_level + current)
    return parts


@dataclass(frozen=True)
class PeriodStatistics:
    """Per factor (and per period, for a block of periods): the statistics of its samples."""

    minimum: np.ndarray
    mean: np.ndarray
    maximum: np.ndarray
    flags: np.ndarray  # flag letters


@dataclass(frozen=True)
class PeriodBlock(PeriodStatistics):
    """Statistics of a block of equal periods, each (factors, periods); ``cou`` the period
    totals by factor row; ``zs`` the O2 correction factor per period (NaN at 21 % O2)."""

    cou: dict[int, np.ndarray]
    zs: np.ndarray | None


def period_statistics(values: np.ndarray, flags: np.ndarray, mean_kind: list[str]) -> PeriodStatistics:
    """Min, mean, max and flag per factor over a period's samples: ``values`` and ``flags``
    (factors, samples), or (factors, periods, samples) for several periods at once.

    The statistics use the N samples when there are any, else all samples. The mean is
    arithmetic, or energetic for sound levels (``10 lg mean 10^(L/10)``, GB 3096-2008 §3),
    or the direction of the mean wind vector for directions. A period's flag is N when at
    least 75 % of its samples are N (HJ 212-2017 Annex C notes), else its most frequent
    other flag.
    """
    ok = flags == N
    n_ok = ok.sum(axis=-1)
    use = np.where((n_ok > 0)[..., None], ok, True)
    count = use.sum(axis=-1)
    minimum = np.where(use, values, np.inf).min(axis=-1)
    maximum = np.where(use, values, -np.inf).max(axis=-1)
    mean = np.where(use, values, 0.0).sum(axis=-1) / count
    for row, kind in enumerate(mean_kind):
        if kind == "energy":
            energy = np.where(use[row], 10 ** (values[row] / 10), 0.0).sum(axis=-1) / count[row]
            mean[row] = 10 * np.log10(energy)
        elif kind == "circular":
            radians = np.radians(values[row])
            sin = np.where(use[row], np.sin(radians), 0.0).sum(axis=-1)
            cos = np.where(use[row], np.cos(radians), 0.0).sum(axis=-1)
            mean[row] = np.degrees(np.arctan2(sin, cos)) % 360
    others = np.stack([(flags == code).sum(axis=-1) for code in (C, M, D)])  # (3, factors, ...)
    letters = np.array(list(FLAGS))
    out = np.where(n_ok >= 0.75 * flags.shape[-1], "N", letters[1 + others.argmax(axis=0)])
    return PeriodStatistics(minimum, mean, maximum, out)
