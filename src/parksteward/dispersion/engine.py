"""Many stacks x many receptors x many hours: the ISC3 point-source model over a met series.

Two evaluations of the same model:

- :func:`plain_hour` evaluates one hour on the dense (stack, receptor) arrays with the public
  building blocks (:mod:`~parksteward.dispersion.rise`, :mod:`~parksteward.dispersion.sigma`,
  :mod:`~parksteward.dispersion.plume`). It is the reference.
- :func:`run_hours` is the fast path for annual runs. Hours with the same wind direction and
  stability class put every receptor at the same downwind and crosswind distance from every
  stack, so the base sigmas are computed once per such group (about 1,600 groups in a year of
  whole-degree directions), and the geometry once per direction, for the downwind (stack,
  receptor) pairs a plume can reach only. A few stacks are taken at a time, so that their
  pairs stay in the core's cache while every hour of the group goes over them, in blocks of
  pair-hours: a compiled loop (numba, vector code) takes the sigmas with BID, the exponents of
  the plume's terms and the case of the vertical term; numpy's vectorised exp takes their
  exponentials; a second compiled loop forms the concentrations (lid images by a recurrence,
  without further exp) and adds them up per receptor and hour and per stack. Statistics are
  accumulated as it goes, so no (hour, stack, receptor) array is ever held. The few pair-hours
  where this short route could round otherwise than the reference (terms near or under the
  smallest normal double, cases within rounding of their boundary) are computed the
  reference's way. The two agree to rounding (tested to 1e-9 relative).

:func:`run` splits the hours into tasks (whole groups, those of a wind direction together),
runs them on threads (numba releases the GIL) or on a ``dask.distributed`` client, and merges
the partial sums in task order, so the result does not depend on where the tasks ran.

Calm hours give zero concentration and are left out of averages by EPA's calms processing
(:mod:`~parksteward.dispersion.statistics`). In stable hours (E, F) the mixing lid is ignored,
as ISC3 does.
"""

from __future__ import annotations

import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numba
import numpy as np

from parksteward.dispersion import _checks, fugitive, plume, rise, sigma, wind
from parksteward.dispersion.errors import DispersionInputError
from parksteward.dispersion.meteorology import HourlyMet
from parksteward.dispersion.receptors import Receptors, wind_axes
from parksteward.dispersion.statistics import EPA_SHORT_TERM_FRACTION, HOURS_PER_DAY, local_dates

ENGINE_SIGMA_METHODS = ("isc3_rural", "briggs_urban")
_TWO_PI_INV_1E6 = 1e6 / (2.0 * np.pi)
# The compiled loops read these as constants.
_CAP = sigma.SIGMA_Z_CAP_M
_BID_DIVISOR = sigma.BID_DIVISOR
_NO_LID = plume.NO_LID_M
_WELL_MIXED = plume.WELL_MIXED_RATIO
_IMAGE_CUTOFF = plume._IMAGE_CUTOFF
_MAX_REFLECTIONS = plume.MAX_REFLECTIONS
_REFLECTION_TOLERANCE = plume.REFLECTION_TOLERANCE
_REACH = 38.7  # crosswind sigmas beyond which the plume is exactly 0 in double precision: 0.5 * 38.7**2 > 745.2
_FAR = -700.0  # exponents below this are exponentiated one by one (see _block_terms)
_SQRT_2PI = plume._SQRT_2PI
_ROWS = 7  # values per pair-hour in the scratch of a block (see _block_terms)
CHUNK = 65_536  # pair-hours per block
SIGMA_BATCH = 131_072  # (stack, receptor) candidates taken at a time (see _StackPairs)


@dataclass(frozen=True)
class Stacks:
    """Point sources (stacks) in the run's local metric coordinates; arrays of one element per stack.

    Attributes
    ----------
    name : tuple of str
    x_m, y_m : numpy.ndarray
        Position, east and north of the projection origin [m].
    stack_height_m, diameter_m, exit_velocity_m_s, exit_temperature_k : numpy.ndarray
        Stack parameters [m], [m], [m/s], [K].
    q_g_s : numpy.ndarray
        Emission rate of the pollutant modelled [g/s].
    """

    name: tuple[str, ...]
    x_m: np.ndarray
    y_m: np.ndarray
    stack_height_m: np.ndarray
    diameter_m: np.ndarray
    exit_velocity_m_s: np.ndarray
    exit_temperature_k: np.ndarray
    q_g_s: np.ndarray

    def __len__(self) -> int:
        return len(self.name)


def stacks(name, x_m, y_m, stack_height_m, diameter_m, exit_velocity_m_s, exit_temperature_k, q_g_s) -> Stacks:
    """Checked :class:`Stacks`; a bad value raises naming the parameter and the stack."""
    names = tuple(str(n) for n in name)
    if not names:
        raise DispersionInputError("stacks", "at least one stack is needed")

    def column(label, values, check, unit=""):
        return _checks.per_source("stack", names, label, values, check, unit)

    return Stacks(
        names, column("x_m", x_m, _checks.finite), column("y_m", y_m, _checks.finite),
        column("stack_height_m", stack_height_m, _checks.positive, "m"),
        column("diameter_m", diameter_m, _checks.positive, "m"),
        column("exit_velocity_m_s", exit_velocity_m_s, _checks.positive, "m/s"),
        column("exit_temperature_k", exit_temperature_k, _checks.positive, "K"),
        column("q_g_s", q_g_s, _checks.non_negative, "g/s"),
    )


def no_stacks() -> Stacks:
    """A run without point sources."""
    empty = np.zeros(0)
    return Stacks((), *(empty,) * 7)


@dataclass(frozen=True)
class Model:
    """Model options: land use (wind profile) and the sigma curves (default by land use)."""

    land: str = "rural"
    sigma_method: str | None = None

    @property
    def sigmas(self) -> str:
        method = self.sigma_method or ("isc3_rural" if self.land == "rural" else "briggs_urban")
        if method not in ENGINE_SIGMA_METHODS:
            raise ValueError(f"sigma method {method!r} is not available in the engine; "
                             f"valid: {', '.join(ENGINE_SIGMA_METHODS)}")
        return method

    def check(self) -> Model:
        wind.check_land(self.land)
        _ = self.sigmas
        return self


# ------------------------------------------------------------------ per stack-hour
@dataclass(frozen=True)
class StackHour:
    """What every stack does in one hour: wind at the stack top, rise and effective height."""

    us: np.ndarray
    he: np.ndarray
    delta_h: np.ndarray
    fb: np.ndarray
    fm: np.ndarray
    xfb: np.ndarray
    xfm: np.ndarray
    xf: np.ndarray
    s: float  # stability parameter [1/s2] (0 for A-D)
    stable: bool
    zi: float  # mixing height [m]; inf for no lid


def stack_hour(st: Stacks, met: HourlyMet, hour: int, model: Model) -> StackHour:
    """Stack-top wind, stack-tip downwash and Briggs final rise of every stack in ``hour``."""
    stab = np.int8(met.stability[hour])
    ta = float(met.temperature_k[hour])
    p = wind.profile_exponent(stab, model.land)
    us = wind._stack_top_wind(float(met.wind_speed_m_s[hour]), st.stack_height_m, p, met.anemometer_height_m)
    h_prime = rise._stack_tip_downwash(st.stack_height_m, st.diameter_m, st.exit_velocity_m_s, us)
    r = rise._rise_from_checked(st.diameter_m, st.exit_velocity_m_s, st.exit_temperature_k, ta, us, stab)
    he = np.maximum(h_prime + r["delta_h"], 0.0)  # methods §1.6
    stable = bool(stab >= 5)
    zi = float(met.mixing_height_m[hour])
    if stable or not np.isfinite(zi) or zi >= plume.NO_LID_M:
        zi = math.inf  # ISC3 ignores the lid in E-F hours
    return StackHour(us, he, r["delta_h"], r["fb"], r["fm"], r["xfb"], r["xfm"], r["xf"], float(np.max(r["s"])),
                     stable, zi)


# ------------------------------------------------------------------ the reference: one hour, dense
def downwind_crosswind(st: Stacks, receptors: Receptors, wind_from_deg: float) -> tuple[np.ndarray, np.ndarray]:
    """Downwind x and crosswind y [m] of every receptor from every stack, shape (stacks, receptors)
    (:func:`~parksteward.dispersion.receptors.wind_axes`)."""
    return wind_axes(st.x_m, st.y_m, receptors, wind_from_deg)


def plain_hour(st: Stacks, met: HourlyMet, receptors: Receptors, hour: int, model: Model = Model()) -> np.ndarray:
    """Concentration [ug/m3] of every stack at every receptor in one hour, shape (stacks, receptors).

    The plain evaluation with the public building blocks, used to check :func:`run_hours`.
    Calm hours give zeros.
    """
    model.check()
    if met.calm[hour]:
        return np.zeros((len(st), len(receptors.x_m)))
    sh = stack_hour(st, met, hour, model)
    stab = np.int8(met.stability[hour])
    x, y = downwind_crosswind(st, receptors, float(met.wind_from_deg[hour]))
    down = x > 0
    xs = np.where(down, x, 1.0)  # sigmas are evaluated everywhere, used downwind only
    col = (slice(None), None)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        dh_g = rise._gradual_rise(xs, sh.fb[col], sh.fm[col], sh.us[col], st.diameter_m[col],
                                  st.exit_velocity_m_s[col], stab, sh.s, sh.delta_h[col], sh.xfb[col],
                                  sh.xfm[col], sh.xf[col])
        sy = sigma._bid(sigma._sigma_y(xs, stab, model.sigmas), dh_g)
        sz = np.minimum(sigma._bid(sigma._sigma_z(xs, stab, model.sigmas), dh_g), sigma.SIGMA_Z_CAP_M)
        c = plume._concentration(st.q_g_s[col], x, y, receptors.z_flag_m[None, :], sh.he[col], sy, sz,
                                 sh.us[col], sh.zi)
    return np.where(down, c, 0.0)


# ------------------------------------------------------------------ the fast path
@dataclass
class Partial:
    """Sums over the hours of one task; merged with :meth:`merge` (in task order)."""

    max_1h: np.ndarray  # (R,) highest hourly value
    max_hour: np.ndarray  # (R,) its hour index (-1: none)
    day_sum: np.ndarray  # (D, R) sum of non-calm hourly values per local day
    day_noncalm: np.ndarray  # (D,) non-calm hours per day
    day_hours: np.ndarray  # (D,) hours per day (calm ones too)
    annual_sum: np.ndarray  # (R,)
    noncalm_hours: int
    source_sum: np.ndarray  # (S, R) per-source sums over the non-calm hours
    element_hours: int = 0  # (source, receptor, hour) evaluations made downwind
    thresholds: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (T,) [ug/m3]
    hours_above: np.ndarray | None = None  # (T, R) hours above each threshold
    series_receptors: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # (K,)
    series: np.ndarray | None = None  # (hours of the met, K) hourly values of the series receptors

    @classmethod
    def empty(cls, n_sources: int, n_receptors: int, n_days: int, thresholds=(), series_receptors=(),
              n_hours: int = 0) -> Partial:
        thresholds = np.asarray(thresholds, dtype=float).reshape(-1)
        keep = np.asarray(series_receptors, dtype=np.int64).reshape(-1)
        return cls(np.zeros(n_receptors), np.full(n_receptors, -1, dtype=np.int64), np.zeros((n_days, n_receptors)),
                   np.zeros(n_days, dtype=np.int64), np.zeros(n_days, dtype=np.int64), np.zeros(n_receptors), 0,
                   np.zeros((n_sources, n_receptors)), 0, thresholds,
                   np.zeros((len(thresholds), n_receptors), dtype=np.int64), keep, np.zeros((n_hours, len(keep))))

    def add_hour(self, hour: int, day: int, total: np.ndarray | None) -> None:
        """Account one hour (``total`` None for a calm hour)."""
        self.day_hours[day] += 1
        if total is None:
            return
        higher = total > self.max_1h
        self.max_1h[higher] = total[higher]
        self.max_hour[higher] = hour
        self.day_sum[day] += total
        self.day_noncalm[day] += 1
        self.annual_sum += total
        self.noncalm_hours += 1
        for t, threshold in enumerate(self.thresholds):
            self.hours_above[t] += total > threshold
        if len(self.series_receptors):
            self.series[hour] = total[self.series_receptors]

    def merge(self, other: Partial) -> Partial:
        higher = other.max_1h > self.max_1h  # ties keep the earlier task's hour: merged in task order
        self.max_1h = np.where(higher, other.max_1h, self.max_1h)
        self.max_hour = np.where(higher, other.max_hour, self.max_hour)
        self.day_sum += other.day_sum
        self.day_noncalm += other.day_noncalm
        self.day_hours += other.day_hours
        self.annual_sum += other.annual_sum
        self.noncalm_hours += other.noncalm_hours
        self.source_sum += other.source_sum
        self.element_hours += other.element_hours
        self.hours_above += other.hours_above
        self.series += other.series  # every hour is in one task only; the others hold 0 there
        return self


def hour_groups(met: HourlyMet) -> list[np.ndarray]:
    """Non-calm hours grouped by (wind direction, stability class): the geometry they share."""
    hours = np.flatnonzero(~met.calm)
    keys = np.stack([met.wind_from_deg[hours].astype(float), met.stability[hours].astype(float)], axis=1)
    _, inverse = np.unique(keys, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    order = np.argsort(inverse, kind="stable")
    bounds = np.flatnonzero(np.diff(inverse[order])) + 1
    return np.split(hours[order], bounds)


def run_hours(st: Stacks, met: HourlyMet, receptors: Receptors, groups: list[np.ndarray], day_of_hour: np.ndarray,
              n_days: int, model: Model = Model(), calm_hours: np.ndarray | None = None, progress=None,
              fugitives: fugitive.Fugitives | None = None, thresholds=(), series_receptors=()) -> Partial:
    """Accumulate the hours of ``groups`` (from :func:`hour_groups`) and ``calm_hours``.

    ``day_of_hour`` maps every hour of ``met`` to its local day (0 .. n_days-1). ``progress``,
    when given, is called with the number of hours done after each group. Consecutive groups
    with the same wind direction share their geometry (see :func:`split_tasks`). Area and volume
    sources (``fugitives``) are added by :class:`~parksteward.dispersion.fugitive.GroupFields`;
    ``thresholds`` [ug/m3] get hours-above counts, ``series_receptors`` (indices) their hourly values.
    """
    model.check()
    fugitives = fugitives if fugitives is not None and len(fugitives) else None
    n_s, n_r = len(st), len(receptors.x_m)
    out = Partial.empty(n_s + (len(fugitives) if fugitives else 0), n_r, n_days, thresholds, series_receptors,
                        len(met))
    for hour in (calm_hours if calm_hours is not None else ()):
        out.add_hour(int(hour), int(day_of_hour[hour]), None)
    zr = np.ascontiguousarray(receptors.z_flag_m, dtype=float)
    flagpole = bool(np.any(zr != 0.0))
    pairs = _StackPairs(st, receptors, model.sigmas)
    per_stack = np.array([st.q_g_s * _TWO_PI_INV_1E6, st.diameter_m, st.exit_velocity_m_s])
    work = np.zeros((_ROWS, CHUNK))
    rows = tuple(work)  # separate arrays to the compiled loops, so that they vectorise (see _block_terms)
    mode = np.empty(CHUNK, dtype=np.int8)
    pair_sum = np.empty(CHUNK)
    # the ranges of rows holding exponents (see _block_terms): lateral and below, the lid images'
    # steps in groups with a lid, above with flagpole receptors
    exponent_rows = {lid: [(0, 4 if lid else 2)] + ([(4, 5)] if flagpole else []) for lid in (False, True)}
    for bundle in _same_direction(met, groups):
        classes = [_GroupHours(st, met, group, model) for group in bundle] if n_s else []
        totals = [np.zeros((len(group), n_r)) for group in bundle]
        theta = math.radians(float(met.wind_from_deg[bundle[0][0]]))
        # A few stacks at a time, so that their pairs stay in the core's cache from the sigma
        # curves through every hour; their geometry serves every class of the bundle.
        for s0 in range(0, n_s, pairs.batch):
            pairs.take_stacks(s0, theta)
            for hours, sums in zip(classes, totals):
                n = pairs.fill(hours.stability, zr, hours.widest_rise, hours.near)
                step = max(1, CHUNK // len(hours.group))  # a block's pairs times the hours fill the scratch once
                for lo in range(0, n, step):
                    hi = min(lo + step, n)
                    used = _block_terms(lo, hi, s0, pairs.first, pairs.near_first, pairs.near_pair, pairs.near_x,
                                        pairs.y, pairs.z, pairs.syb2, pairs.szb2, per_stack, hours.per_stack_hour,
                                        hours.per_hour, flagpole, rows, mode)
                    # numpy's exp is vectorised (SIMD); the compiled loops' is not
                    for first_row, last_row in exponent_rows[hours.lid]:
                        exponents = work[first_row:last_row, :used]
                        np.exp(exponents, out=exponents)
                    _block_sums(lo, hi, s0, pairs.first, pairs.rec, pairs.y, pairs.z, pairs.syb2, pairs.szb2, per_stack,
                                hours.per_stack_hour, hours.per_hour, flagpole, rows, mode, pair_sum, sums,
                                out.source_sum)
                out.element_hours += n * len(hours.group)
        if fugitives is not None:
            _add_fugitives(fugitives, met, receptors, model, bundle, totals, out)
        for group, sums in zip(bundle, totals):
            for j, hour in enumerate(group):
                out.add_hour(int(hour), int(day_of_hour[hour]), sums[j])
            if progress is not None:
                progress(len(group))
    return out


def _add_fugitives(fugitives: fugitive.Fugitives, met: HourlyMet, receptors: Receptors, model: Model,
                   bundle: list[np.ndarray], totals: list[np.ndarray], out: Partial) -> None:
    """Area and volume sources' concentrations in the hours of a bundle, added to its totals and source sums."""
    heights = fugitives.release_height_m
    source_sum = out.source_sum[out.source_sum.shape[0] - len(fugitives):]
    for group, sums in zip(bundle, totals):
        fields = fugitive.GroupFields(fugitives.areas, fugitives.volumes, receptors, float(met.wind_from_deg[group[0]]),
                                      int(met.stability[group[0]]), model.sigmas)
        for j, hour in enumerate(group):
            fields.add_hour(fugitive.release_hour(heights, met, int(hour), model.land), heights, sums[j], source_sum)
        out.element_hours += fields.pairs * len(group)


def _same_direction(met: HourlyMet, groups: list[np.ndarray]):
    """Runs of consecutive groups with the same wind direction, each a list."""
    bundle: list[np.ndarray] = []
    for group in groups:
        if bundle and met.wind_from_deg[group[0]] != met.wind_from_deg[bundle[0][0]]:
            yield bundle
            bundle = []
        bundle.append(group)
    if bundle:
        yield bundle


class _GroupHours:
    """What the compiled loops need of the hours of a group: per stack-hour and per hour values, in arrays."""

    def __init__(self, st: Stacks, met: HourlyMet, group: np.ndarray, model: Model):
        hours = [stack_hour(st, met, int(hour), model) for hour in group]
        self.group = group
        self.stability = int(met.stability[group[0]])
        self.per_stack_hour = np.array([[sh.us, sh.he, sh.delta_h, sh.fb, sh.fm, sh.xfb, sh.xfm, sh.xf]
                                        for sh in hours])
        self.per_hour = np.array([[sh.zi, math.sqrt(sh.s) if sh.stable else 1.0, sh.stable] for sh in hours])
        # BID never widens a plume more than the final rise does; the gradual rise differs from
        # the final rise only nearer than the distance to final rise.
        self.widest_rise = self.per_stack_hour[:, 2].max(axis=0)
        self.near = self.per_stack_hour[:, 7].max(axis=0)
        self.lid = bool(np.any(self.per_hour[:, 0] < _NO_LID))


class _StackPairs:
    """The downwind (stack, receptor) pairs of a batch of stacks in an hour group, and what the group's hours share.

    :meth:`take_stacks` takes a batch, stacks s0..s0 + ``batch`` (fewer at the end), and their
    downwind receptors for a wind direction; :meth:`fill` then the pairs for a stability class.
    Pairs of the batch's k-th stack are ``first[k]:first[k + 1]``, in receptor order. Per pair:
    the receptor ``rec`` and its height ``z``, the crosswind distance ``y`` and the squares
    ``syb2``, ``szb2`` of the base sigmas (before BID and the cap). The pairs nearer than the
    group's largest distance to final rise (where the gradual rise may differ from the final
    one) are listed apart: ``near_pair[near_first[k]:near_first[k + 1]]``, with their downwind
    distance ``near_x``. The buffers are reused from batch to batch.
    """

    def __init__(self, st: Stacks, receptors: Receptors, method: str):
        n_r = len(receptors.x_m)
        self.dx = np.ascontiguousarray(receptors.x_m[None, :] - st.x_m[:, None])
        self.dy = np.ascontiguousarray(receptors.y_m[None, :] - st.y_m[:, None])
        self.method = method
        self.batch = max(1, SIGMA_BATCH // n_r)
        size = self.batch * n_r
        self.s0 = self.s1 = self.n_candidates = 0
        self.stack_first = np.empty(self.batch + 1, dtype=np.int64)
        self.first = self.stack_first[:1]
        self.near_first = np.empty(self.batch + 1, dtype=np.int64)
        self.rec = np.empty(size, dtype=np.int32)
        self.near_pair = np.empty(size, dtype=np.int64)
        self.y, self.z, self.syb2, self.szb2, self.near_x = (np.empty(size) for _ in range(5))
        self.cand_first = np.empty(self.batch + 1, dtype=np.int64)
        self.cand_rec = np.empty(size, dtype=np.int32)
        self.cand_x, self.cand_y, self.x_km, self.log_x, self.syb, self.szb = (np.empty(size) for _ in range(6))
        self.scratch = np.empty(size)

    def take_stacks(self, s0: int, theta: float) -> None:
        """Take the batch from stack s0 and its downwind receptors (candidates) for wind direction ``theta`` [rad]."""
        self.s0, self.s1 = s0, min(s0 + self.batch, len(self.dx))
        m = _downwind_candidates(self.dx, self.dy, math.sin(theta), math.cos(theta), self.s0, self.s1, self.cand_first,
                                 self.cand_rec, self.cand_x, self.cand_y)
        self.n_candidates = m
        if self.method == "isc3_rural":
            # x_km and its log as sigma.py takes them, for every class
            np.multiply(self.cand_x[:m], 1e-3, out=self.x_km[:m])
            np.log(self.x_km[:m], out=self.log_x[:m])
        self.first = self.stack_first[:self.s1 - self.s0 + 1]

    def fill(self, stab: int, zr: np.ndarray, widest_rise: np.ndarray, near: np.ndarray) -> int:
        """Take the pairs of the batch for stability class ``stab``; returns their number.

        Pairs no plume with a final rise of at most ``widest_rise`` [m] (per stack) can reach
        are left out (see :func:`_keep_reachable`); those nearer than ``near`` [m] (per stack)
        are listed apart.
        """
        m = self.n_candidates
        if self.method == "isc3_rural":
            _isc3_sigmas(self.x_km[:m], self.log_x[:m], stab, self.syb[:m], self.szb[:m], self.scratch[:m])
        else:
            self.syb[:m] = sigma._sigma_y(self.cand_x[:m], np.int8(stab), self.method)
            self.szb[:m] = sigma._sigma_z(self.cand_x[:m], np.int8(stab), self.method)
        return _keep_reachable(self.s0, self.s1, self.cand_first, self.cand_rec, self.cand_x, self.cand_y, self.syb,
                               self.szb, zr, widest_rise, near, self.first, self.rec, self.y, self.z, self.syb2,
                               self.szb2, self.near_first, self.near_pair, self.near_x)


def _isc3_sigmas(x_km: np.ndarray, log_x: np.ndarray, stab: int, sy: np.ndarray, sz: np.ndarray,
                 scratch: np.ndarray) -> None:
    """ISC3 rural sigma_y and sigma_z before BID and the cap into ``sy``, ``sz``, exactly as sigma.py gives them.

    ``log_x`` is log(x_km); ``scratch`` is as long.
    """
    # operation for operation as in sigma._sigma_y / _sigma_z (methods §2.1): numpy's vectorised
    # tan and exp, the arithmetic around them in compiled loops
    bounds, a, b = _ISC3_Z_ROWS[stab]
    _isc3_arguments(x_km, log_x, sigma._ISC3_C[stab], sigma._ISC3_D[stab], bounds, a, b, sy, sz, scratch)
    np.tan(sy, out=sy)
    np.exp(scratch, out=scratch)
    _isc3_products(x_km, scratch, sy, sz)


def _isc3_z_rows(stability_class: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Upper bounds of x_km (the last, open row's left out), a and b of sigma_z = a x_km^b (methods §2.1)."""
    upper, a, b = (np.array(column, dtype=float) for column in zip(*sigma.ISC3_RURAL_SIGMA_Z[stability_class]))
    return upper[:-1], a, b


_ISC3_Z_ROWS = [None] + [_isc3_z_rows(c) for c in _checks.STABILITY_CLASSES]  # by class index 1-6


@numba.njit(nogil=True, cache=True)
def _isc3_arguments(x_km, log_x, c, d, bounds, a, b, theta, a_out, b_log_x):  # pragma: no cover - compiled
    """The arguments of tan and exp in the ISC3 rural sigmas: theta, and ``a``, ``b log x_km`` of the sigma_z row.

    The row is the number of upper bounds below x_km (upper bounds are inclusive), as sigma.py's
    searchsorted(side="left") finds it; neighbouring candidates mostly share it, so the search
    starts from the row before.
    """
    row = 0
    last = len(bounds)
    for i in range(len(x_km)):
        xi = x_km[i]
        while row < last and xi > bounds[row]:
            row += 1
        while row > 0 and xi <= bounds[row - 1]:
            row -= 1
        theta[i] = 0.017453293 * (c - d * log_x[i])
        a_out[i] = a[row]
        b_log_x[i] = b[row] * log_x[i]


@numba.njit(nogil=True, cache=True)
def _isc3_products(x_km, exp_b_log_x, sy, sz):  # pragma: no cover - compiled
    """Finish the ISC3 rural sigmas: tan(theta) in ``sy`` becomes 465.11628 x_km tan(theta), a in ``sz`` a x_km^b."""
    n = len(x_km)
    x, e, y_out, z_out = x_km[:n], exp_b_log_x[:n], sy[:n], sz[:n]
    for i in range(n):
        y_out[i] = 465.11628 * x[i] * y_out[i]
        z_out[i] = z_out[i] * e[i]


# The compiled loops mirror sigma._sigma_y/_sigma_z, rise._gradual_rise, sigma._bid and
# plume._vertical_term/_concentration; tests hold them to plain_hour. Loops meant to compile to
# vector code are functions of their own over slices, indexed by their own counter (so that
# no index can be negative and no wrap-around is compiled in), without branches, and without
# min, max or ** (numba compiles those to calls that are inlined only after vectorising).
@numba.njit(nogil=True, cache=True)
def _downwind_candidates(dx, dy, sin_t, cos_t, s0, s1, first, rec, xs, ys):  # pragma: no cover - compiled
    """The downwind receptors of stacks s0..s1, with x and y as :func:`~parksteward.dispersion.receptors.wind_axes` gives them; returns their number.

    Those of stack s are ``first[s - s0]:first[s - s0 + 1]``.
    """
    n = 0
    for s in range(s0, s1):
        first[s - s0] = n
        for r in range(dx.shape[1]):
            x = -(dx[s, r] * sin_t + dy[s, r] * cos_t)
            if x > 0.0:
                rec[n] = r
                xs[n] = x
                ys[n] = dx[s, r] * cos_t - dy[s, r] * sin_t
                n += 1
    first[s1 - s0] = n
    return n


@numba.njit(nogil=True, cache=True)
def _keep_reachable(s0, s1, cand_first, cand_rec, cand_x, cand_y, syb, szb, zr, widest_rise, near, first, rec, y, z,
                    syb2, szb2, near_first, near_pair, near_x):  # pragma: no cover - compiled
    """Keep the candidates of stacks s0..s1 a plume can reach in some hour of the group; returns how many.

    With BID, sigma_y <= sqrt(syb^2 + (dh/3.5)^2) for the largest final rise dh of the group's
    hours, so beyond |y| = 38.7 of those sigmas exp(-y^2 / 2 sigma_y^2) < exp(-748) is exactly 0
    in double precision: such pairs contribute exactly nothing, and are left out. Those nearer
    than ``near`` are listed apart too.
    """
    n = n_near = 0
    for s in range(s0, s1):
        first[s - s0] = n
        near_first[s - s0] = n_near
        b = widest_rise[s] / _BID_DIVISOR
        bb = b * b
        for i in range(cand_first[s - s0], cand_first[s - s0 + 1]):
            if abs(cand_y[i]) <= _REACH * np.sqrt(syb[i] * syb[i] + bb):
                if cand_x[i] < near[s]:
                    near_pair[n_near] = n
                    near_x[n_near] = cand_x[i]
                    n_near += 1
                rec[n] = cand_rec[i]
                y[n] = cand_y[i]
                z[n] = zr[cand_rec[i]]
                syb2[n] = syb[i] * syb[i]
                szb2[n] = szb[i] * szb[i]
                n += 1
    first[s1 - s0] = n
    near_first[s1 - s0] = n_near
    return n


# Bits of a pair-hour's mode (see _block_terms).
_EXACT = 1
_MIXED = 2
_GROUND_IMAGES = 4
_FLAGPOLE_IMAGES = 8
_FAR_LATERAL = 16
_MORE_IMAGES = 32
_NEAR = 64
_FIX = _EXACT | _FLAGPOLE_IMAGES | _FAR_LATERAL | _MORE_IMAGES  # pair-hours finished one by one (see _block_sums)
# The short route's sigma_z^2 and exponents are within a few ulps of the reference's; a case
# within this relative margin of its boundary is decided by the reference's own operations.
_UNSURE = 1e-12
_ZERO = -746.0  # exp of an exponent below this is exactly 0 in double precision (exp(-745.14) < 2^-1075)
_IMAGE_STEPS = 4  # lid image pairs summed in vector code; further ones one by one
# The upper lid-image step (see _ground_images) is raised to at least exp(-200): the first upper
# image is then still under exp(-160) times the lower one (exp(-40) <= step_low), far under half
# an ulp, and later pairs of images, then under the tolerance, are smaller still; so the sum is
# unchanged to the last bit, and no product of the recurrence comes near the subnormal range
# (where every multiplication is slow).
_IMAGE_FLOOR = -200.0


@numba.njit(nogil=True, cache=True)
def _segments(first, lo, hi):  # pragma: no cover - compiled
    """(stack in the batch, start, end) of the stacks' parts of pairs lo..hi of a :class:`_StackPairs`, one row each."""
    s = np.searchsorted(first, lo, side="right") - 1
    out = np.empty((len(first), 3), dtype=np.int64)
    k = 0
    while s < len(first) - 1 and first[s] < hi:
        start, end = max(lo, first[s]), min(hi, first[s + 1])
        if start < end:
            out[k, 0], out[k, 1], out[k, 2] = s, start, end
            k += 1
        s += 1
    return out[:k]


@numba.njit(inline="always")
def _columns(rows, start, stop):  # pragma: no cover - compiled
    """Columns start..stop of the rows of a block's scratch."""
    return (rows[0][start:stop], rows[1][start:stop], rows[2][start:stop], rows[3][start:stop], rows[4][start:stop],
            rows[5][start:stop], rows[6][start:stop])


@numba.njit(nogil=True, cache=True, error_model="numpy")
def _block_terms(lo, hi, s0, first, near_first, near_pair, near_x, y, z, syb2, szb2, per_stack, per_stack_hour,
                 per_hour, flagpole, rows, mode):  # pragma: no cover - compiled
    """The plume's terms for pairs lo..hi of a :class:`_StackPairs` batch from stack s0 in every hour of the group.

    They are computed up to their exponentials. Pair-hours are laid out stack part by stack part,
    hour by hour, pair by pair, over columns 0..used (used is returned) of ``rows``: the exponents
    of the lateral term, of the plume and its ground image (below), of the steps of the lid
    images (low, high; see :func:`_ground_images`) and of the ground image at a flagpole (above);
    the factor the vertical term is multiplied by; and for pair-hours nearer than the distance
    to final rise, (gradual rise / 3.5)^2. Each exponent row is written where it is used: above
    only with ``flagpole`` receptors, low and high only when the group has a lid (zeros in its
    hours without one). ``mode`` holds bits per pair-hour: _MIXED, _GROUND_IMAGES and
    _FLAGPOLE_IMAGES say which vertical term applies, _NEAR that the last row holds its BID;
    _FAR_LATERAL that the lateral exponent is under :data:`_FAR` (its exp is near or under the
    smallest normal double, where vectorised exp is slow; stored as 0, and left to
    :func:`_block_sums`); _EXACT that the pair-hour is left to :func:`_exact_concentration`: a
    vertical exponent is under :data:`_FAR` or the case is within :data:`_UNSURE` of a boundary,
    where the rounding of the short route taken here might decide otherwise than the reference
    does. Stack-hours with the plume above the lid (nothing reaches the ground) have no pair-hours.
    """
    segments = _segments(first, lo, hi)
    qk, diameter, vs = per_stack[0], per_stack[1], per_stack[2]
    group_lid = np.any(per_hour[:, 0] < _NO_LID)
    m = 0
    for part in range(len(segments)):
        local, start, end = segments[part]
        s = s0 + local
        # the near pairs of this part
        listed = near_pair[near_first[local]:near_first[local + 1]]
        near_lo = near_first[local] + np.searchsorted(listed, start)
        near_hi = near_first[local] + np.searchsorted(listed, end)
        for j in range(len(per_hour)):
            zi, rs, stable = per_hour[j, 0], per_hour[j, 1], per_hour[j, 2] > 0.0
            us, h, delta_h, fb, fm, xfb, xfm, xf = per_stack_hour[j, :, s]
            if h > zi:
                continue  # plume above the lid (methods §3.1)
            b = delta_h / _BID_DIVISOR
            qk_us = qk[s] / us
            columns = _columns(rows, m, m + end - start)
            part_y, part_z, part_syb2, part_szb2 = y[start:end], z[start:end], syb2[start:end], szb2[start:end]
            state = mode[m:m + end - start]
            _final_rise_terms(b * b, part_y, part_z, part_syb2, part_szb2, h, qk_us, zi, flagpole, columns, state)
            if group_lid and not zi < _NO_LID:
                columns[2][:] = 0.0  # no lid this hour: no images, but their rows go through exp
                columns[3][:] = 0.0
            for i in range(near_lo, near_hi):  # nearer than x_f: redone with the gradual rise (methods §2.3)
                xi = near_x[i]
                if xi >= xf:
                    continue
                xpb = max(min(xi, xfb), 1.0)  # as rise._gradual_rise
                dh_b = 1.60 * np.cbrt(max(fb, 1e-10) * xpb * xpb) / us
                beta = 1.0 / 3.0 + us / vs[s]
                xpm = min(xi, xfm)
                if stable:
                    dh_m = np.cbrt(3.0 * fm * np.sin(rs * xpm / us) / (beta * beta * us * rs))
                else:
                    dh_m = np.cbrt(3.0 * fm * xpm / (beta * beta * us * us))
                dh_m = min(dh_m, 3.0 * diameter[s] * vs[s] / us)
                b = min(max(dh_b, dh_m), delta_h) / _BID_DIVISOR
                k = near_pair[i] - start
                _pair_terms(k, b * b, part_y, part_z, part_syb2, part_szb2, h, qk_us, zi, zi < _NO_LID, flagpole,
                            columns, state)
                columns[6][k] = b * b
                state[k] |= _NEAR
            m += end - start
    return m


@numba.njit(nogil=True, cache=True, error_model="numpy")
def _final_rise_terms(bid2, y, z, syb2, szb2, h, qk_us, zi, flagpole, columns, mode):  # pragma: no cover - compiled
    """:func:`_pair_terms` of every pair with the final rise's BID; compiles to vector code.

    Each case (lid, flagpole receptors) has a loop of its own, the other cases' work left out at
    compile time.
    """
    n = len(y)
    if zi < _NO_LID:
        if flagpole:
            for k in range(n):
                _pair_terms(k, bid2, y, z, syb2, szb2, h, qk_us, zi, True, True, columns, mode)
        else:
            for k in range(n):
                _pair_terms(k, bid2, y, z, syb2, szb2, h, qk_us, zi, True, False, columns, mode)
    elif flagpole:
        for k in range(n):
            _pair_terms(k, bid2, y, z, syb2, szb2, h, qk_us, zi, False, True, columns, mode)
    else:
        for k in range(n):
            _pair_terms(k, bid2, y, z, syb2, szb2, h, qk_us, zi, False, False, columns, mode)


@numba.njit(inline="always")
def _pair_terms(k, bid2, y, z, syb2, szb2, h, qk_us, zi, lid, flagpole, columns, mode):  # pragma: no cover - compiled
    """Pair k's terms into column k of :func:`_block_terms`' rows; ``bid2`` is (gradual rise / 3.5)^2, ``lid`` zi < inf.

    ``lid`` and ``flagpole`` are constants where it is inlined, so that the work of other cases is left out.
    """
    lateral_out, below_out, low_out, high_out, above_out, factor_out, _ = columns
    # sigma^2 after BID (methods §2.3), sigma_z^2 capped (methods §2.4); one division and one
    # square root instead of the reference's two of each: 1 / (sy sz) = sqrt(inv).
    sy2 = syb2[k] + bid2
    sz2_free = szb2[k] + bid2
    sz2 = sz2_free if sz2_free < _CAP * _CAP else _CAP * _CAP
    inv = 1.0 / (sy2 * sz2)
    a = -0.5 * sy2 * inv  # -1 / (2 sz^2)
    yk, zk = y[k], z[k]
    lateral = -0.5 * (yk * yk) * (sz2 * inv)
    below = a * ((zk - h) * (zk - h))  # the plume and its ground image (methods §3.2)
    above = a * ((zk + h) * (zk + h))
    # Under a lid: well mixed once sz >= 1.6 z_i, lid images where the nearest, at 2 z_i - h_e,
    # is within exp(-40) (methods §3.2), as plume._vertical_term decides.
    two_zi = 2.0 * zi
    mixed_at = (_WELL_MIXED * zi) * (_WELL_MIXED * zi)
    nearest = a * ((two_zi - h - zk) * (two_zi - h - zk))
    mixed = lid & (sz2 >= mixed_at)
    reach = lid & (sz2 < mixed_at) & (nearest > -_IMAGE_CUTOFF)
    ground = reach & (zk == 0.0)
    unsure = lid & ((abs(sz2 - mixed_at) <= _UNSURE * mixed_at)
                    | (abs(nearest + _IMAGE_CUTOFF) <= _UNSURE * _IMAGE_CUTOFF))
    reached = lateral >= _ZERO  # else nothing reaches the receptor
    far = (below < _FAR) | (above < _FAR)
    # one select per bit (nested conditionals would compile to branches, and no vector code)
    mode[k] = ((_EXACT if reached & (far | unsure) else 0) | (_FAR_LATERAL if reached & (lateral < _FAR) else 0)
               | (_MIXED if reached & mixed else 0) | (_GROUND_IMAGES if reached & ground else 0)
               | (_FLAGPOLE_IMAGES if reached & reach & ~ground else 0))
    lateral_out[k] = 0.0 if lateral < _FAR else lateral
    below_out[k] = 0.0 if below < _FAR else below
    if flagpole:
        above_out[k] = 0.0 if above < _FAR else above
    if lid:  # the steps of the lid images (see _ground_images)
        high = a * two_zi * (two_zi + 2.0 * h)
        low_out[k] = a * two_zi * (two_zi - 2.0 * h) if ground else 0.0
        high_out[k] = (high if high > _IMAGE_FLOOR else _IMAGE_FLOOR) if ground else 0.0
    # C = Q 10^6 V exp(-y^2 / 2 sy^2) / (2 pi u_s sy sz), eq. 1-1 (methods §3.2); well mixed,
    # V = sqrt(2 pi) sz / z_i, so V / (sy sz) = sqrt(2 pi) / (z_i sy)
    factor = qk_us * np.sqrt(sz2 * inv if mixed else inv) * (_SQRT_2PI / zi if mixed else 1.0)
    factor_out[k] = factor if reached else 0.0


@numba.njit(nogil=True, cache=True, error_model="numpy")
def _block_sums(lo, hi, s0, first, rec, y, z, syb2, szb2, per_stack, per_stack_hour, per_hour, flagpole, rows, mode,
                pair_sum, sums, source_sum):  # pragma: no cover - compiled
    """Concentrations of pairs lo..hi of the batch from stack s0 from :func:`_block_terms`' rows after exp, added up.

    ``sums[j]`` gets every receptor's total in the group's hour j, ``source_sum[s]`` stack s's
    part summed over the hours.
    """
    segments = _segments(first, lo, hi)
    qk = per_stack[0]
    m = 0
    for part in range(len(segments)):
        local, start, end = segments[part]
        s = s0 + local
        n = end - start
        part_rec, part_y, part_z, part_sum = rec[start:end], y[start:end], z[start:end], pair_sum[:n]
        part_syb2, part_szb2 = syb2[start:end], szb2[start:end]
        part_sum[:] = 0.0
        for j in range(len(per_hour)):
            zi = per_hour[j, 0]
            us, h, delta_h = per_stack_hour[j, 0, s], per_stack_hour[j, 1, s], per_stack_hour[j, 2, s]
            if h > zi:
                continue
            columns = _columns(rows, m, m + n)
            lateral, below, low, high, above, factor, near_bid2 = columns
            state = mode[m:m + n]
            _concentrations(flagpole, zi < _NO_LID, columns, state)  # the concentrations go over the lateral row
            b = delta_h / _BID_DIVISOR
            for k in range(n):
                bits = state[k]
                if bits & _FIX:
                    bid2 = near_bid2[k] if bits & _NEAR else b * b
                    sy, sz = np.sqrt(part_syb2[k] + bid2), min(np.sqrt(part_szb2[k] + bid2), _CAP)
                    e = lateral[k]
                    if bits & _FAR_LATERAL:
                        r = part_y[k] / sy
                        e = np.exp(-0.5 * r * r)  # as plume._concentration
                    if bits & _EXACT:
                        lateral[k] = _exact_concentration(part_z[k], h, sy, sz, e, qk[s], us, zi)
                        continue
                    e_below = below[k]
                    v = e_below + (above[k] if flagpole else e_below)
                    if bits & _MIXED:
                        v = _SQRT_2PI * sz / zi
                    elif bits & _FLAGPOLE_IMAGES:
                        v += _images(part_z[k], h, sz, zi)
                    elif bits & _GROUND_IMAGES:
                        v += _ground_images(e_below, low[k], high[k])
                    lateral[k] = qk[s] * v * e / (us * sy * sz)  # eq. 1-1 (methods §3.2), as plume._concentration
            hour_sums = sums[j]
            for k in range(n):
                c = lateral[k]
                hour_sums[part_rec[k]] += c
                part_sum[k] += c
            m += n
        source_row = source_sum[s]
        for k in range(n):
            source_row[part_rec[k]] += part_sum[k]


@numba.njit(nogil=True, cache=True, error_model="numpy")
def _concentrations(flagpole, lid, columns, mode):  # pragma: no cover - compiled
    """Concentrations over the lateral row, but of the pair-hours :func:`_block_sums` finishes (_FIX); vector code.

    ``lid`` says whether the hour has one. Pair-hours with more lid images than
    :data:`_IMAGE_STEPS` get _MORE_IMAGES.
    """
    lateral, below, low, high, above, factor, _ = columns
    for k in range(len(lateral)):
        bits = mode[k]
        e_below = below[k]
        v = e_below + (above[k] if flagpole else e_below)  # at ground level the two are equal
        more = False
        if lid:
            # the first image pairs, as _ground_images sums them; only the pairs still summing
            # advance (the others multiply by 1), so that no product comes near the subnormal range
            step_low, step_high = low[k], high[k]
            image_low, image_high = e_below * step_low, e_below * step_high
            ratio = step_low * step_high
            power = ratio
            more = (bits & _GROUND_IMAGES) != 0
            for _ in range(_IMAGE_STEPS):
                term = ((image_low + image_low) + image_high) + image_high
                v += term if more else 0.0
                more &= term >= _REFLECTION_TOLERANCE
                image_low *= step_low * power if more else 1.0
                image_high *= step_high * power if more else 1.0
                power *= ratio if more else 1.0
            v = 1.0 if bits & _MIXED else v  # the factor holds V
            mode[k] = bits | (_MORE_IMAGES if more else 0)
        fixed = ((bits & _FIX) != 0) | more
        lateral[k] = lateral[k] if fixed else factor[k] * v * lateral[k]


@numba.njit(inline="always")
def _ground_images(e0, step_low, step_high):  # pragma: no cover - compiled
    """Lid images of a ground-level receptor: the sum over j of the pairs at 2 j z_i -/+ h_e (methods §3.2).

    With e0 = exp(a h_e^2), a = -1 / (2 sz^2) and L = 2 z_i, the first pair is e0 step_low and
    e0 step_high (step_low = exp(a L (L - 2 h_e)), step_high = exp(a L (L + 2 h_e))), and each
    next pair is the one before times step_low (step_low step_high)^j, resp. step_high
    (step_low step_high)^j: no further exp is needed, and every factor is <= 1. Summed, as
    plume._vertical_term does, until a pair adds less than the reflection tolerance.
    """
    image_low, image_high = e0 * step_low, e0 * step_high
    ratio = step_low * step_high
    power = ratio
    total = 0.0
    for _ in range(_MAX_REFLECTIONS):
        term = ((image_low + image_low) + image_high) + image_high  # z = 0: the terms at -/+ d are equal
        total += term
        if term < _REFLECTION_TOLERANCE:
            break
        image_low *= step_low * power
        image_high *= step_high * power
        power *= ratio
    return total


@numba.njit(nogil=True, cache=True)
def _images(z, h, sz, zi):  # pragma: no cover - compiled
    """Lid images at height z, term by term as plume._vertical_term sums them (methods §3.2)."""
    a = -0.5 / (sz * sz)
    two_zi = 2.0 * zi
    total = 0.0
    for j in range(1, _MAX_REFLECTIONS + 1):
        low = j * two_zi - h
        high = j * two_zi + h
        term = (np.exp(a * (z - low) ** 2) + np.exp(a * (z + low) ** 2)
                + np.exp(a * (z - high) ** 2) + np.exp(a * (z + high) ** 2))
        total += term
        if term < _REFLECTION_TOLERANCE:
            break
    return total


@numba.njit(nogil=True, cache=True)
def _exact_concentration(z, h, sy, sz, e, qk, us, zi):  # pragma: no cover - compiled
    """One pair-hour's concentration the way plume._concentration computes it, given the lateral term ``e``."""
    if e == 0.0:
        return 0.0  # exactly nothing reaches this receptor
    a = -0.5 / (sz * sz)
    below = np.exp(a * (z - h) ** 2)
    v = below + (np.exp(a * (z + h) ** 2) if z != 0.0 else below)  # at ground level the two are equal
    if zi < _NO_LID:
        if sz >= _WELL_MIXED * zi:
            v = _SQRT_2PI * sz / zi
        elif a * (2.0 * zi - h - z) ** 2 > -_IMAGE_CUTOFF:
            v += _images(z, h, sz, zi)
    return qk * v * e / (us * sy * sz)  # eq. 1-1 (methods §3.2)


# ------------------------------------------------------------------ a whole run
@dataclass
class RunResult:
    """Statistics of a run at every receptor (arrays of one element per receptor unless noted)."""

    max_1h_ug_m3: np.ndarray
    max_1h_hour: np.ndarray  # index into the met hours (-1: never above zero)
    daily_dates: np.ndarray  # (D,) local dates, datetime64[D]
    daily_mean_ug_m3: np.ndarray  # (D, R), NaN where the day has too few hours
    annual_mean_ug_m3: np.ndarray
    source_annual_mean_ug_m3: np.ndarray  # (S, R) each source's part of the annual mean (stacks, areas, volumes)
    hours: int
    calm_hours: int
    element_hours: int  # downwind (source, receptor, hour) evaluations
    stack_names: tuple[str, ...] = field(default=())  # the names of the S sources, in order
    thresholds_ug_m3: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (T,)
    hours_above: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.int64))  # (T, R)
    series_receptors: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # (K,) indices
    series_ug_m3: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))  # (met hours, K); calm hours 0

    @property
    def max_24h_ug_m3(self) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return np.nanmax(np.where(np.isnan(self.daily_mean_ug_m3), -np.inf, self.daily_mean_ug_m3), axis=0)

    @property
    def source_names(self) -> tuple[str, ...]:
        return self.stack_names


#: Most receptors whose hourly series a run keeps (hours x receptors values in memory).
MAX_SERIES_RECEPTORS = 2_000


def split_tasks(met: HourlyMet, groups: list[np.ndarray], n_tasks: int) -> list[list[np.ndarray]]:
    """Deal hour groups into ``n_tasks`` tasks of about equal hours (largest first).

    Groups with the same wind direction go to the same task, one after the other, so that
    :func:`run_hours` takes their geometry once.
    """
    bundles: dict[float, list[np.ndarray]] = {}
    for group in groups:
        bundles.setdefault(float(met.wind_from_deg[group[0]]), []).append(group)
    n_tasks = max(1, min(n_tasks, len(bundles)))
    tasks: list[list[np.ndarray]] = [[] for _ in range(n_tasks)]
    load = [0] * n_tasks
    for bundle in sorted(bundles.values(), key=lambda b: sum(len(g) for g in b), reverse=True):
        k = load.index(min(load))
        tasks[k].extend(bundle)
        load[k] += sum(len(g) for g in bundle)
    return tasks


def run(st: Stacks | None, met: HourlyMet, receptors: Receptors, model: Model = Model(), *,
        tz: str | float = "Asia/Shanghai", min_valid_hours: int = 20, tasks: int | None = None, client=None,
        progress=None, fugitives: fugitive.Fugitives | None = None, thresholds_ug_m3=(),
        series_receptors=()) -> RunResult:
    """Run the model over every hour of ``met`` and return the statistics.

    Parameters
    ----------
    st : Stacks or None
        Point sources (None or empty when the run has area or volume sources only).
    met, receptors, model
        Hourly meteorology, receptors and model options.
    tz : str or float
        The park's time zone (or UTC offset in hours) for daily means.
    min_valid_hours : int
        Hours a day needs for its 24-h mean (GB 3095-2012 data validity, see statistics).
    tasks : int, optional
        Number of tasks the hours are split into (default: the cores here, or the client's threads).
    client : distributed.Client, optional
        Run the tasks on this dask cluster instead of local threads; results are identical.
    progress : callable, optional
        Called with a number of hours done (local threads only).
    fugitives : fugitive.Fugitives, optional
        Area and volume sources.
    thresholds_ug_m3 : sequence of float
        Hourly values [ug/m3] (e.g. the 1-h limit) whose exceedances are counted per receptor:
        ``hours_above[t, r]`` is the number of hours receptor r was above threshold t.
    series_receptors : sequence of int
        Receptors (indices) whose hourly values are kept, ``series_ug_m3[hour, k]``; at most
        :data:`MAX_SERIES_RECEPTORS`.
    """
    model.check()
    st = st if st is not None else no_stacks()
    fugitives = fugitives if fugitives is not None else fugitive.Fugitives()
    if len(st) + len(fugitives) == 0:
        raise DispersionInputError("sources", "at least one stack, area or volume source is needed")
    n_r = len(receptors.x_m)
    if n_r == 0:
        raise DispersionInputError("receptors", "at least one receptor is needed")
    thresholds = np.asarray(thresholds_ug_m3, dtype=float).reshape(-1)
    if not np.all(np.isfinite(thresholds)):
        raise DispersionInputError("thresholds_ug_m3", "must be finite numbers")
    keep = np.asarray(series_receptors, dtype=np.int64).reshape(-1)
    if len(keep) > MAX_SERIES_RECEPTORS:
        raise DispersionInputError("series_receptors", f"{len(keep)} receptors asked for, at most "
                                   f"{MAX_SERIES_RECEPTORS} (use hourly() for more, hour by hour)")
    if len(keep) and (keep.min() < 0 or keep.max() >= n_r):
        raise DispersionInputError("series_receptors", f"indices must be 0..{n_r - 1}")
    dates = local_dates(met.time_utc, tz)
    day_dates, day_of_hour = np.unique(dates, return_inverse=True)
    day_of_hour = day_of_hour.ravel()
    groups = hour_groups(met)
    calm = np.flatnonzero(met.calm)
    if tasks is None:
        tasks = sum(client.nthreads().values()) if client is not None else (os.cpu_count() or 1)
    plan = split_tasks(met, groups, tasks) if groups else [[]]
    args = [(st, met, receptors, part, day_of_hour, len(day_dates), model, calm if k == 0 else None)
            for k, part in enumerate(plan)]
    extra = {"fugitives": fugitives, "thresholds": thresholds, "series_receptors": keep}
    if client is not None:
        futures = [client.submit(run_hours, *a, pure=False, **extra) for a in args]
        partials = client.gather(futures)
    elif len(args) == 1:
        partials = [run_hours(*args[0], progress=progress, **extra)]
    else:
        with ThreadPoolExecutor(max_workers=len(args), thread_name_prefix="dispersion") as pool:
            partials = list(pool.map(lambda a: run_hours(*a, progress=progress, **extra), args))
    total = partials[0]
    for part in partials[1:]:
        total.merge(part)
    # 24-h means by EPA calms processing: non-calm sum / max(non-calm hours, 18) (see statistics)
    divisor = np.maximum(total.day_noncalm, EPA_SHORT_TERM_FRACTION * HOURS_PER_DAY)
    valid = total.day_hours >= min_valid_hours
    daily = np.where(valid[:, None], total.day_sum / divisor[:, None], np.nan)
    n = max(total.noncalm_hours, 1)
    return RunResult(total.max_1h, total.max_hour, day_dates, daily, total.annual_sum / n, total.source_sum / n,
                     total.noncalm_hours, len(calm), total.element_hours, st.name + fugitives.name, thresholds,
                     total.hours_above, keep, total.series)


def hourly(st: Stacks | None, met: HourlyMet, receptors: Receptors, model: Model = Model(), *,
           fugitives: fugitive.Fugitives | None = None, hours=None, by_source: bool = False):
    """Hourly concentrations [ug/m3], one hour at a time in time order: ``(hour index, values)``.

    ``values`` has one element per receptor, or with ``by_source`` one row per source (stacks,
    then areas, then volumes) by receptors. Each hour is evaluated on its own (the plain
    evaluation), so this suits a few receptors over many hours, or many receptors over a few,
    holding one hour at a time; for statistics over a year use :func:`run`.
    """
    model.check()
    st = st if st is not None else no_stacks()
    fugitives = fugitives if fugitives is not None else fugitive.Fugitives()
    indices = range(len(met)) if hours is None else hours
    for hour in indices:
        hour = int(hour)
        parts = []
        if len(st):
            parts.append(plain_hour(st, met, receptors, hour, model))
        if len(fugitives):
            parts.append(fugitive.plain_hour(fugitives.areas, fugitives.volumes, met, receptors, hour, model.land,
                                             model.sigmas))
        values = np.concatenate(parts) if len(parts) > 1 else parts[0]
        yield hour, (values if by_source else values.sum(axis=0))
