"""Value models of the device simulator: what a monitored factor reads at a given instant.

Every value is a pure function of (seed, device, factor, time): a slowly wandering level
shaped by the enterprise's production load, the time of day and the season, plus white
noise. Noise is drawn from a counter-based hash (splitmix64) keyed by the device and factor
and counted by the epoch second, not from a sequential generator, so the value at 09:00:30
is the same whether the device sent it live, replayed it after a reconnect or never sent it
at all, and a minute mean agrees with the real-time values it is made of. Per-device
constants (base levels, wander periods and phases) come from a seeded
``numpy.random.Generator``.

A factor's model (:class:`FactorModel`) is one relative shape around a base level::

    v = base · (1 + e_L·(L − 1) + a_d·cos(2π(h − h_d)/24) + a_2·cos(4π(h − h_2)/24)
                 + a_s·cos(2π(doy − d_s)/365.25) + a_n·night(h) + a_w·W(t) + σ·n(t))

kept inside the factor's range ``(lo, hi)`` by :func:`soft_bound` (a direction wraps around
360°), with L the production load (:func:`production_load`), h the local hour, doy the day of
the year, night(h) 1 from 22:00 to 06:00, W a sum of three slow sines of random period and
phase (amplitude ~1) and n standard normal noise (clipped at ±3). Ranges and units are the
catalogue's (``hj212/data/factors.json``): ambient gases in mg/m³ (SO₂ 0.005–0.03), ambient
particulate in µg/m³ (PM2.5 about 35), fence-line ammonia in mg/m³,
stack concentrations in mg/m³, flows in m³/s (flue gas) and L/s (wastewater).

References
----------
Ranges are the demo specification's (issue "device simulator"): SO₂ 5–50, NOₓ 20–100,
particulate 1–10 mg/m³, O₂ 8–12 %, flow 10–60 m³/s and 80–150 °C at a stack; COD 20–80,
NH₃-N 1–8 mg/L, pH 6.5–8.5 at a wastewater outlet; fence-line NMHC 0.3–2 mg/m³; boundary
noise 50–65 dB(A) by day (GB 12348-2008 class 3 limits: 65 by day, 55 at night, night
22:00–06:00).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, fields
from functools import lru_cache

import numpy as np

DAY_S = 86400.0
YEAR_DAYS = 365.2425
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31, _S11, _S32 = (np.uint64(s) for s in (30, 27, 31, 11, 32))
_LOW32 = np.uint64(0xFFFFFFFF)


# ---------------------------------------------------------------- deterministic noise
def stable_key(*parts) -> int:
    """A 64-bit key from any printable parts (BLAKE2b: stable across runs and platforms)."""
    digest = hashlib.blake2b("|".join(map(str, parts)).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def _mix(z: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser on uint64 arrays (array arithmetic wraps silently)."""
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


def _hash64(key, counter) -> np.ndarray:
    """The ``counter``-th output of splitmix64 seeded with ``key``, broadcast over both."""
    k = np.atleast_1d(np.asarray(key, dtype=np.uint64))
    c = np.atleast_1d(np.asarray(counter, dtype=np.int64)).astype(np.uint64)
    return _mix(k + c * _GOLDEN)


def hash_uniform(key, counter) -> np.ndarray:
    """Uniform numbers in [0, 1) from (key, counter), broadcast; the same inputs give the same numbers.

    Parameters
    ----------
    key : int or numpy.ndarray
        64-bit keys (e.g. one per device and factor) [-].
    counter : int or numpy.ndarray
        Non-negative integers (e.g. epoch seconds) [-].
    """
    return (_hash64(key, counter) >> _S11).astype(np.float64) * 2.0 ** -53


def hash_normal(key, counter) -> np.ndarray:
    """Standard normal numbers from (key, counter) by Box-Muller on the two halves of one hash,
    clipped at ±3."""
    z = _hash64(key, counter)
    u1 = ((z >> _S32).astype(np.float64) + 1.0) * 2.0 ** -32  # (0, 1]
    u2 = (z & _LOW32).astype(np.float64) * 2.0 ** -32
    return np.clip(np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2), -3.0, 3.0)


_MASK64 = (1 << 64) - 1


def unit_hash(key: int, counter: int) -> float:
    """Scalar uniform number in [0, 1) from (key, counter): splitmix64 in plain integers,
    for the few decisions per hour or day (events) where numpy's call overhead dominates."""
    z = (key + (counter & _MASK64) * 0x9E3779B97F4A7C15) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return ((z ^ (z >> 31)) >> 11) * 2.0 ** -53


# ---------------------------------------------------------------- local calendar
@dataclass(frozen=True)
class LocalTime:
    """Local-calendar views of epoch instants (one UTC offset for the whole array)."""

    t: np.ndarray  # epoch seconds [s]
    hour: np.ndarray  # local hour of day, 0-24 [h]
    day: np.ndarray  # local day number since 1970-01-01 [-]
    doy: np.ndarray  # day of the year, 0-365 [d]
    weekday: np.ndarray  # 0 Monday ... 6 Sunday [-]

    @classmethod
    def of(cls, t, utc_offset_s: float) -> LocalTime:
        """``utc_offset_s`` is the park's offset at these instants (Asia/Shanghai: 28800, no DST) [s]."""
        t = np.atleast_1d(np.asarray(t, dtype=np.float64))
        local = t + utc_offset_s
        day = np.floor(local / DAY_S)
        return cls(t, (local - day * DAY_S) / 3600.0, day, np.mod(local / DAY_S, YEAR_DAYS),
                   np.mod(day + 3, 7))  # 1970-01-01 was a Thursday


def in_window(hour: np.ndarray, start_h: float, end_h: float) -> np.ndarray:
    """True where the local hour lies in [start, end), windows may wrap midnight (22-04)."""
    if start_h <= end_h:
        return (hour >= start_h) & (hour < end_h)
    return (hour >= start_h) | (hour < end_h)


# ---------------------------------------------------------------- production load
CONTINUOUS_INDUSTRIES = frozenset({"petrochemical", "energy", "environmental_services", "logistics"})
DAY_SHIFT = (8.0, 20.0)  # two twelve-hour shifts (两班倒): day 08:00-20:00, night 20:00-08:00
NIGHT_SHIFT_LOAD = 0.7  # batch plants run fewer reactors on the night shift [-]
WEEKEND_LOAD = 0.85  # small batch plants slow down on Saturday and Sunday [-]


def production_load(local: LocalTime, industry: str | None, size_class: str | None, key: int) -> np.ndarray:
    """Production load of an enterprise relative to its design capacity [-], about 0.5-1.05.

    Continuous processes (crackers, power, wastewater and waste plants, tank terminals) run
    flat out with a slow wander (a power plant follows the evening demand); batch plants
    (fine chemicals, pharmaceuticals, new materials) run fully on the day shift and at
    :data:`NIGHT_SHIFT_LOAD` on the night shift, with half-hour ramps at the changes. Points
    that belong to no enterprise get 1.
    """
    if industry is None:
        return np.ones_like(local.t)
    wander = _wander(local.t, *_wander_params(key, (4, 9), (20, 40), (60, 140)))
    if industry == "energy":
        return 0.88 + 0.08 * np.cos(2 * np.pi * (local.hour - 19.0) / 24.0) + 0.03 * wander
    if industry in CONTINUOUS_INDUSTRIES:
        return 0.93 + 0.04 * wander
    ramp = 0.5  # [h]
    start, end = DAY_SHIFT
    up = np.clip((local.hour - start + ramp / 2) / ramp, 0, 1)
    down = np.clip((end + ramp / 2 - local.hour) / ramp, 0, 1)
    day = np.minimum(up, down)  # 1 on the day shift, 0 at night, linear ramps between
    load = NIGHT_SHIFT_LOAD + (1 - NIGHT_SHIFT_LOAD) * day + 0.03 * wander
    if size_class in ("small", "micro"):
        load = np.where(local.weekday >= 5, load * WEEKEND_LOAD, load)
    return load


@lru_cache(maxsize=4096)
def _wander_params(key: int, *period_ranges_h) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(key)
    periods = np.array([rng.uniform(lo, hi) * 3600.0 for lo, hi in period_ranges_h])
    phases = rng.uniform(0, 2 * np.pi, len(period_ranges_h))
    return periods, phases


def _wander(t: np.ndarray, periods: np.ndarray, phases: np.ndarray) -> np.ndarray:
    """Sum of slow sines, periods [s] and phases along the last axis; amplitude about 1 [-]."""
    arg = 2 * np.pi * t[..., None, :] / periods[..., :, None] + phases[..., :, None]
    return np.sin(arg).sum(axis=-2) / math.sqrt(periods.shape[-1] / 2)


# ---------------------------------------------------------------- factor models
@dataclass(frozen=True)
class FactorModel:
    """How one factor behaves at one kind of point; see the module docstring for the formula.

    Units are the catalogue unit of the factor. ``base`` is the range a device's mean level
    is drawn from; ``cycle_s`` makes a batch analyser (COD, NH3-N, ...) that measures once per
    cycle and repeats its last result; ``amount`` is 'flow' for the flow whose period total
    is ``-Cou`` [m3] and 'mass' for a pollutant whose ``-Cou`` is its load [kg];
    ``calibrated`` analysers run a daily zero/span check; ``mean`` is how a period mean is
    taken ('arithmetic', 'energy' for sound levels, 'circular' for directions).
    """

    lo: float
    hi: float
    decimals: int
    base: tuple[float, float]
    load: float = 0.0  # e_L
    diurnal: float = 0.0  # a_d
    peak_h: float = 14.0  # h_d
    semidiurnal: float = 0.0  # a_2
    semi_peak_h: float = 8.0  # h_2
    seasonal: float = 0.0  # a_s
    season_peak_doy: float = 200.0  # d_s
    night: float = 0.0  # a_n: relative change between 22:00 and 06:00
    wander: float = 0.05  # a_w
    noise: float = 0.03  # σ
    cycle_s: int = 0
    amount: str | None = None
    calibrated: bool = False
    mean: str = "arithmetic"
    shared: bool = False  # one regional signal for all stations of the kind (weather, ambient air)
    local_spread: float = 0.03  # relative difference in level between stations of a shared signal


FM = FactorModel
# (point kind, factor code) -> model. Shapes: stack values follow the load; fence-line and
# ambient concentrations peak at night and in the morning (shallow mixing layer) and NO2 in
# the rush hours; ozone in the afternoon; temperature, humidity and wind follow the sun.
MODELS: dict[tuple[str | None, str], FactorModel] = {
    # stack CEMS (烟气在线监测)
    ("stack_cems", "a00000"): FM(10, 60, 1, (15, 45), load=0.7, wander=0.05, noise=0.02, amount="flow"),
    ("stack_cems", "a01011"): FM(5, 20, 2, (9, 15), load=0.6, wander=0.05, noise=0.02),
    ("stack_cems", "a01012"): FM(80, 150, 1, (95, 132), load=0.2, wander=0.03, noise=0.01),
    ("stack_cems", "a01013"): FM(-1.5, 1.5, 3, (-0.4, -0.05), load=0.4, wander=0.1, noise=0.05),
    ("stack_cems", "a01014"): FM(2, 20, 1, (5, 12), load=0.1, wander=0.08, noise=0.03),
    ("stack_cems", "a19001"): FM(8, 12, 2, (9.3, 10.7), load=-0.15, wander=0.03, noise=0.015, calibrated=True),
    ("stack_cems", "a21002"): FM(20, 100, 1, (35, 65), load=0.5, wander=0.12, noise=0.05, amount="mass",
                                 calibrated=True),
    ("stack_cems", "a21026"): FM(5, 50, 2, (12, 30), load=0.5, wander=0.15, noise=0.06, amount="mass",
                                 calibrated=True),
    ("stack_cems", "a34013"): FM(1, 10, 2, (2.5, 6), load=0.5, wander=0.15, noise=0.08, amount="mass"),
    ("stack_cems", "a24088"): FM(2, 80, 2, (10, 25), load=0.8, wander=0.1, noise=0.06, amount="mass",
                                 calibrated=True),
    # wastewater outlet (废水总排口): batch analysers measure hourly
    ("wastewater_outlet", "w00000"): FM(1, 60, 2, (3, 35), load=0.8, wander=0.1, noise=0.04, amount="flow"),
    ("wastewater_outlet", "w01001"): FM(6.5, 8.5, 2, (7.0, 7.8), wander=0.015, noise=0.004),
    ("wastewater_outlet", "w01018"): FM(20, 80, 1, (32, 55), load=0.3, wander=0.15, noise=0.06, cycle_s=3600,
                                        amount="mass", calibrated=True),
    ("wastewater_outlet", "w21003"): FM(1, 8, 2, (2, 4.5), load=0.3, wander=0.2, noise=0.08, cycle_s=3600,
                                        amount="mass", calibrated=True),
    ("wastewater_outlet", "w21011"): FM(0.1, 0.8, 3, (0.2, 0.45), load=0.2, wander=0.2, noise=0.08, cycle_s=3600,
                                        amount="mass", calibrated=True),
    ("wastewater_outlet", "w21001"): FM(5, 30, 2, (10, 18), load=0.2, wander=0.15, noise=0.06, cycle_s=3600,
                                        amount="mass", calibrated=True),
    # fence-line VOCs (厂界VOCs)
    ("boundary_vocs", "a24088"): FM(0.3, 2.0, 3, (0.6, 1.0), load=0.3, diurnal=0.3, peak_h=4, wander=0.2,
                                    noise=0.08, calibrated=True),
    ("boundary_vocs", "a25002"): FM(0.002, 0.1, 4, (0.008, 0.02), load=0.3, diurnal=0.3, peak_h=4, wander=0.25,
                                    noise=0.1, calibrated=True),
    ("boundary_vocs", "a25003"): FM(0.005, 0.3, 4, (0.02, 0.06), load=0.3, diurnal=0.3, peak_h=4, wander=0.25,
                                    noise=0.1, calibrated=True),
    ("boundary_vocs", "a25005"): FM(0.005, 0.3, 4, (0.015, 0.05), load=0.3, diurnal=0.3, peak_h=4, wander=0.25,
                                    noise=0.1, calibrated=True),
    ("boundary_vocs", "a21028"): FM(0.0005, 0.02, 4, (0.002, 0.005), diurnal=0.3, peak_h=4, wander=0.25,
                                    noise=0.1, calibrated=True),
    ("boundary_vocs", "a21001"): FM(0.01, 0.3, 3, (0.04, 0.09), diurnal=0.25, peak_h=6, wander=0.25,
                                    noise=0.08, calibrated=True),
    ("boundary_vocs", "a21022"): FM(0.001, 0.05, 4, (0.006, 0.015), diurnal=0.2, peak_h=4, wander=0.25,
                                    noise=0.1, calibrated=True),
    # ambient air quality station (空气质量自动监测站)
    ("ambient_air", "a21026"): FM(0.005, 0.03, 4, (0.009, 0.014), diurnal=0.25, peak_h=10, seasonal=0.25,
                                  season_peak_doy=15, wander=0.25, noise=0.06, calibrated=True, shared=True),
    ("ambient_air", "a21004"): FM(0.008, 0.08, 4, (0.025, 0.035), diurnal=0.1, peak_h=21, semidiurnal=0.3,
                                  semi_peak_h=8, seasonal=0.2, season_peak_doy=15, wander=0.2, noise=0.06,
                                  calibrated=True, shared=True),
    ("ambient_air", "a21005"): FM(0.2, 2.0, 3, (0.6, 0.8), diurnal=0.1, semidiurnal=0.15, semi_peak_h=8,
                                  seasonal=0.2, season_peak_doy=15, wander=0.2, noise=0.05, calibrated=True,
                                  shared=True),
    ("ambient_air", "a05024"): FM(0.005, 0.25, 4, (0.06, 0.08), diurnal=0.6, peak_h=15, seasonal=0.25,
                                  season_peak_doy=170, wander=0.2, noise=0.05, calibrated=True, shared=True),
    ("ambient_air", "a34002"): FM(15, 250, 0, (60, 75), diurnal=0.15, peak_h=8, seasonal=0.3,
                                  season_peak_doy=15, wander=0.25, noise=0.06, shared=True),
    ("ambient_air", "a34004"): FM(8, 150, 0, (32, 40), diurnal=0.15, peak_h=8, seasonal=0.35,
                                  season_peak_doy=15, wander=0.25, noise=0.06, shared=True),
    # weather station (气象站); Nanjing: January mean about 3 °C, July about 28 °C
    ("weather", "a01001"): FM(-10, 42, 1, (16, 16.8), diurnal=0.25, peak_h=14.5, seasonal=0.75,
                              season_peak_doy=200, wander=0.08, noise=0.004, shared=True, local_spread=0.01),
    ("weather", "a01002"): FM(15, 100, 1, (70, 74), diurnal=0.18, peak_h=5, wander=0.1, noise=0.01, shared=True),
    ("weather", "a01006"): FM(97, 106, 3, (101.3, 101.5), seasonal=0.008, season_peak_doy=15, wander=0.004,
                              noise=0.0002, shared=True, local_spread=0.0005),
    ("weather", "a01007"): FM(0, 15, 1, (2.2, 2.8), diurnal=0.35, peak_h=14, wander=0.35, noise=0.25, shared=True),
    ("weather", "a01008"): FM(0, 360, 0, (105, 120), wander=0.5, noise=0.12, mean="circular", shared=True,
                              local_spread=0.02),
    # boundary noise (厂界噪声), dB(A)
    ("noise", "LA"): FM(35, 80, 1, (54.5, 59.5), load=0.03, night=-0.15, wander=0.015, noise=0.02,
                        mean="energy"),
    ("noise", "Leq"): FM(35, 80, 1, (54.5, 59.5), load=0.03, night=-0.15, wander=0.015, noise=0.008,
                         mean="energy"),
    # groundwater well (地下水监测井), batch analysers every four hours
    ("groundwater_soil", "w01001"): FM(6.5, 8.5, 2, (7.0, 7.5), wander=0.01, noise=0.003),
    ("groundwater_soil", "w21003"): FM(0.01, 0.5, 3, (0.05, 0.2), wander=0.2, noise=0.05, cycle_s=14400,
                                       calibrated=True),
    ("groundwater_soil", "w01019"): FM(0.3, 3.0, 2, (0.9, 1.8), wander=0.15, noise=0.05, cycle_s=14400,
                                       calibrated=True),
    # storage tank (储罐); x01002 and x01001 are replaced by the tank's fill model
    ("tank_level", "x01001"): FM(0, 40, 3, (5, 10), wander=0.0, noise=0.0),
    ("tank_level", "x01002"): FM(0, 100, 1, (50, 60), wander=0.0, noise=0.0),
    ("tank_level", "x01003"): FM(-5, 45, 1, (17, 20), diurnal=0.05, peak_h=16, seasonal=0.45,
                                 season_peak_doy=205, wander=0.03, noise=0.005),
    ("tank_level", "x01004"): FM(150, 1600, 2, (500, 800), diurnal=0.03, peak_h=16, seasonal=0.25,
                                 season_peak_doy=205, wander=0.03, noise=0.005),
}
GENERIC = FM(0, 1000, 3, (5, 50), wander=0.1, noise=0.05)


def model_for(kind: str, code: str) -> FactorModel:
    """The model of ``code`` at a point of ``kind``; a factor the table does not know gets
    the model it has at another kind of point, else :data:`GENERIC`."""
    found = MODELS.get((kind, code))
    if found is not None:
        return found
    for (_, other), model in MODELS.items():
        if other == code:
            return model
    return GENERIC


# ---------------------------------------------------------------- one device's series
@dataclass(frozen=True)
class SeriesSet:
    """The per-factor constants of one device, as arrays along the factor axis."""

    keys: np.ndarray  # noise keys (uint64)
    base: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    load: np.ndarray
    diurnal: np.ndarray
    peak_h: np.ndarray
    semidiurnal: np.ndarray
    semi_peak_h: np.ndarray
    seasonal: np.ndarray
    season_peak_doy: np.ndarray
    night: np.ndarray
    wander: np.ndarray
    noise: np.ndarray
    periods: np.ndarray  # (F, 3) wander periods [s]
    phases: np.ndarray  # (F, 3)
    circular: np.ndarray  # bool: a direction, wrapped into [0, 360) instead of bounded

    @classmethod
    def draw(cls, seed: int, mn: str, kind: str, models: list[tuple[str, FactorModel]]) -> SeriesSet:
        """Draw the constants of a device's factors from a Generator seeded by (seed, MN).

        A ``shared`` factor (weather, ambient air) takes its base and wander from a key of the
        kind instead of the device, so the park's stations see the same weather, each with
        its own noise and a few per cent of local difference in level.
        """
        rng = np.random.default_rng(stable_key(seed, mn, "series"))
        columns: dict[str, list] = {f.name: [] for f in fields(cls)}
        for code, model in models:
            shared = np.random.default_rng(stable_key(seed, kind, code, "regional")) if model.shared else rng
            base = shared.uniform(*model.base)
            if model.shared:
                base *= 1 + rng.uniform(-model.local_spread, model.local_spread)
            columns["keys"].append(stable_key(seed, mn, code, "noise"))
            columns["base"].append(base)
            for name in ("lo", "hi", "load", "diurnal", "peak_h", "semidiurnal", "semi_peak_h", "seasonal",
                         "season_peak_doy", "night", "wander", "noise"):
                columns[name].append(getattr(model, name))
            columns["periods"].append([shared.uniform(2, 6) * 3600, shared.uniform(9, 30) * 3600,
                                       shared.uniform(48, 120) * 3600])
            columns["phases"].append(shared.uniform(0, 2 * np.pi, 3))
            columns["circular"].append(model.mean == "circular")
        dtypes = {"keys": np.uint64, "circular": bool}
        arrays = {name: np.asarray(values, dtype=dtypes.get(name, np.float64)) for name, values in columns.items()}
        if not models:
            arrays["periods"] = arrays["periods"].reshape(0, 3)
            arrays["phases"] = arrays["phases"].reshape(0, 3)
        return cls(**arrays)

    def values(self, local: LocalTime, load: np.ndarray) -> np.ndarray:
        """Values of every factor at every instant, shape (factors, instants) [catalogue units].

        ``local`` and ``load`` hold either one row of instants shared by all factors or one
        row per factor (batch analysers report the value of their last sampling instant).
        """
        col = (slice(None), None)
        h, doy, t = _rows(local.hour), _rows(local.doy), _rows(local.t)
        shape = (self.load[col] * (_rows(load) - 1.0)
                 + self.diurnal[col] * np.cos(2 * np.pi * (h - self.peak_h[col]) / 24.0)
                 + self.semidiurnal[col] * np.cos(4 * np.pi * (h - self.semi_peak_h[col]) / 24.0)
                 + self.seasonal[col] * np.cos(2 * np.pi * (doy - self.season_peak_doy[col]) / YEAR_DAYS)
                 + self.night[col] * in_window(h, 22.0, 6.0)
                 + self.wander[col] * _wander(local.t, self.periods, self.phases))
        counter = np.broadcast_to(np.floor(t).astype(np.int64), shape.shape)
        shape = shape + self.noise[col] * hash_normal(self.keys[col], counter)
        raw = self.base[col] * (1.0 + shape)
        if self.circular.any():
            raw = np.where(self.circular[col], np.mod(raw, 360.0), raw)
        return np.where(self.circular[col], raw, soft_bound(raw, self.lo[col], self.hi[col]))


def soft_bound(x, lo, hi, margin: float = 0.1):
    """``x`` kept inside (lo, hi): unchanged in the middle, compressed by tanh within
    ``margin`` × (hi − lo) of either bound, so a value never sticks at a bound (a run of
    identical values would look like a stuck sensor)."""
    m = margin * (np.asarray(hi) - np.asarray(lo))
    top, bottom = hi - m, lo + m
    x = np.where(x > top, top + m * np.tanh((x - top) / m), x)
    return np.where(x < bottom, bottom - m * np.tanh((bottom - x) / m), x)


def _rows(a: np.ndarray) -> np.ndarray:
    return a if a.ndim == 2 else a[None, :]
