"""Many stacks x many receptors x many hours: the ISC3 point-source model over a met series.

Two evaluations of the same model:

- :func:`plain_hour` evaluates one hour on the dense (stack, receptor) arrays with the public
  building blocks (:mod:`~parksteward.dispersion.rise`, :mod:`~parksteward.dispersion.sigma`,
  :mod:`~parksteward.dispersion.plume`). It is the reference.
- :func:`run_hours` is the fast path for annual runs. Hours with the same wind direction and
  stability class put every receptor at the same downwind and crosswind distance from every
  stack, so the geometry and the base sigmas are computed once per such group (about 1,600
  groups in a year of whole-degree directions) for the downwind (stack, receptor) pairs only;
  the per-hour part (gradual rise, BID, reflections, the plume) runs in a compiled loop
  (numba) over those pairs, and statistics are accumulated as it goes, so no (hour, stack,
  receptor) array is ever held. The two agree to rounding (tested to 1e-9 relative).

:func:`run` splits the hours into tasks (whole groups), runs them on threads (numba releases
the GIL) or on a ``dask.distributed`` client, and merges the partial sums in task order, so
the result does not depend on where the tasks ran.

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

from parksteward.dispersion import _checks, plume, rise, sigma, wind
from parksteward.dispersion.errors import DispersionInputError
from parksteward.dispersion.meteorology import HourlyMet
from parksteward.dispersion.receptors import Receptors
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
    n = len(names)
    if n == 0:
        raise DispersionInputError("stacks", "at least one stack is needed")

    def column(label, values, check, unit=""):
        array = np.broadcast_to(np.asarray(values, dtype=float), (n,)).copy()
        for i, value in enumerate(array):
            try:
                check(label, value, unit) if unit else check(label, value)
            except DispersionInputError as exc:
                raise DispersionInputError(f"{label} of stack {names[i]!r}", exc.message) from None
        return array

    return Stacks(
        names, column("x_m", x_m, _checks.finite), column("y_m", y_m, _checks.finite),
        column("stack_height_m", stack_height_m, _checks.positive, "m"),
        column("diameter_m", diameter_m, _checks.positive, "m"),
        column("exit_velocity_m_s", exit_velocity_m_s, _checks.positive, "m/s"),
        column("exit_temperature_k", exit_temperature_k, _checks.positive, "K"),
        column("q_g_s", q_g_s, _checks.non_negative, "g/s"),
    )


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
    """Downwind x and crosswind y [m] of every receptor from every stack, shape (stacks, receptors).

    The plume travels towards ``wind_from_deg`` + 180 deg (meteorological convention: the
    direction the wind blows from, clockwise from north).
    """
    dx = receptors.x_m[None, :] - st.x_m[:, None]
    dy = receptors.y_m[None, :] - st.y_m[:, None]
    return _rotate(dx, dy, wind_from_deg)


def _rotate(dx, dy, wind_from_deg):
    theta = np.deg2rad(wind_from_deg)
    sin_t, cos_t = math.sin(theta), math.cos(theta)
    x = -(dx * sin_t + dy * cos_t)  # along (sin, cos) of the direction blown towards
    y = dx * cos_t - dy * sin_t
    return x, y


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
    source_sum: np.ndarray  # (S, R) per-stack sums over the non-calm hours
    element_hours: int = 0  # (stack, receptor, hour) evaluations made downwind

    @classmethod
    def empty(cls, n_stacks: int, n_receptors: int, n_days: int) -> Partial:
        return cls(np.zeros(n_receptors), np.full(n_receptors, -1, dtype=np.int64), np.zeros((n_days, n_receptors)),
                   np.zeros(n_days, dtype=np.int64), np.zeros(n_days, dtype=np.int64), np.zeros(n_receptors), 0,
                   np.zeros((n_stacks, n_receptors)))

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
              n_days: int, model: Model = Model(), calm_hours: np.ndarray | None = None, progress=None) -> Partial:
    """Accumulate the hours of ``groups`` (from :func:`hour_groups`) and ``calm_hours``.

    ``day_of_hour`` maps every hour of ``met`` to its local day (0 .. n_days-1). ``progress``,
    when given, is called with the number of hours done after each group.
    """
    model.check()
    n_s, n_r = len(st), len(receptors.x_m)
    out = Partial.empty(n_s, n_r, n_days)
    for hour in (calm_hours if calm_hours is not None else ()):
        out.add_hour(int(hour), int(day_of_hour[hour]), None)
    dx = receptors.x_m[None, :] - st.x_m[:, None]
    dy = receptors.y_m[None, :] - st.y_m[:, None]
    zr = np.ascontiguousarray(receptors.z_flag_m, dtype=float)
    flat_sum = out.source_sum.reshape(-1)
    total = np.zeros(n_r)
    for group in groups:
        first = int(group[0])
        stab = int(met.stability[first])
        x, y = _rotate(dx, dy, float(met.wind_from_deg[first]))
        pairs = np.flatnonzero(x.reshape(-1) > 0.0)  # downwind pairs only: upwind ones are 0
        xe = x.reshape(-1)[pairs]
        ye = y.reshape(-1)[pairs]
        src = (pairs // n_r).astype(np.int32)
        rec = (pairs % n_r).astype(np.int32)
        syb, szb = _base_sigmas(xe, stab, model.sigmas)
        element_sum = np.zeros(len(pairs))
        for hour in group:
            hour = int(hour)
            sh = stack_hour(st, met, hour, model)
            total[:] = 0.0
            _plume_hour(src, rec, xe, ye, syb, szb, zr, st.q_g_s * _TWO_PI_INV_1E6, sh.us, sh.he, sh.delta_h,
                        sh.fb, sh.fm, sh.xfb, sh.xfm, sh.xf, st.diameter_m, st.exit_velocity_m_s, sh.stable,
                        math.sqrt(sh.s) if sh.stable else 1.0, sh.zi, total, element_sum)
            out.add_hour(hour, int(day_of_hour[hour]), total.copy())
        flat_sum[pairs] += element_sum
        out.element_hours += len(pairs) * len(group)
        if progress is not None:
            progress(len(group))
    return out


def _base_sigmas(x: np.ndarray, stab: int, method: str) -> tuple[np.ndarray, np.ndarray]:
    """sigma_y and sigma_z before BID and the cap, as :func:`sigma._sigma_y` / ``_sigma_z`` give them."""
    sy, sz = np.empty_like(x), np.empty_like(x)
    if method == "isc3_rural":
        _isc3_rural_sigmas(x, stab, sigma._ISC3_C, sigma._ISC3_D, sigma._ISC3_Z_BOUNDS, sigma._ISC3_Z_A,
                           sigma._ISC3_Z_B, sigma._ISC3_Z_N, sy, sz)
    else:
        _briggs_urban_sigmas(x, sigma._URBAN_Y[stab], sigma._URBAN_ZA[stab], sigma._URBAN_ZB[stab],
                             sigma._URBAN_ZE[stab], sy, sz)
    return sy, sz


# The compiled loops mirror sigma._sigma_y/_sigma_z, rise._gradual_rise, sigma._bid and
# plume._vertical_term/_concentration operation for operation; tests hold them to plain_hour.
@numba.njit(nogil=True, cache=True)
def _isc3_rural_sigmas(x, stab, c_tab, d_tab, z_bounds, z_a, z_b, z_n, sy, sz):  # pragma: no cover - compiled
    c, d = c_tab[stab], d_tab[stab]
    n_bounds = len(z_bounds)
    for i in range(len(x)):
        x_km = x[i] * 1e-3
        log_x = np.log(x_km)
        theta = 0.017453293 * (c - d * log_x)  # ISC3 rural sigma_y (methods §2.1)
        sy[i] = 465.11628 * x_km * np.tan(theta)
        g = 0
        while g < n_bounds and z_bounds[g] < x_km:  # searchsorted(side="left")
            g += 1
        k = stab * z_n + g
        sz[i] = z_a[k] * np.exp(z_b[k] * log_x)  # ISC3 rural sigma_z (methods §2.1)


@numba.njit(nogil=True, cache=True)
def _briggs_urban_sigmas(x, y_coef, za, zb, ze, sy, sz):  # pragma: no cover - compiled
    for i in range(len(x)):
        xi = x[i]
        sy[i] = y_coef * xi / np.sqrt(1.0 + 0.0004 * xi)  # Briggs urban (methods §2.2)
        sz[i] = za * xi * (1.0 + zb * xi) ** ze


@numba.njit(nogil=True, cache=True)
def _plume_hour(src, rec, x, y, syb, szb, zr, qk, us, he, delta_h, fb, fm, xfb, xfm, xf, diameter, vs, stable, rs,
                zi, total, element_sum):  # pragma: no cover - compiled
    cap = _CAP
    bid_div = _BID_DIVISOR
    no_lid = not (zi < _NO_LID)
    sqrt_2pi = math.sqrt(2.0 * math.pi)
    for i in range(len(x)):
        s = src[i]
        xi = x[i]
        u = us[s]
        # gradual rise for BID (methods §2.3)
        if xi >= xf[s]:
            dh_g = delta_h[s]
        else:
            xpb = max(min(xi, xfb[s]), 1.0)
            dh_b = 1.60 * np.cbrt(max(fb[s], 1e-10) * xpb * xpb) / u
            beta = 1.0 / 3.0 + u / vs[s]
            xpm = min(xi, xfm[s])
            if stable:
                dh_m = np.cbrt(3.0 * fm[s] * np.sin(rs * xpm / u) / (beta * beta * u * rs))
            else:
                dh_m = np.cbrt(3.0 * fm[s] * xpm / (beta * beta * u * u))
            dh_m = min(dh_m, 3.0 * diameter[s] * vs[s] / u)
            dh_g = min(max(dh_b, dh_m), delta_h[s])
        b = dh_g / bid_div
        sy = np.sqrt(syb[i] * syb[i] + b * b)
        sz = min(np.sqrt(szb[i] * szb[i] + b * b), cap)
        # vertical term (methods §3.2)
        z = zr[rec[i]]
        h = he[s]
        a = -0.5 / (sz * sz)
        v = np.exp(a * (z - h) ** 2) + np.exp(a * (z + h) ** 2)
        if not no_lid:
            if h > zi:
                v = 0.0
            elif sz >= _WELL_MIXED * zi:
                v = sqrt_2pi * sz / zi
            elif a * (2.0 * zi - h - z) ** 2 > -_IMAGE_CUTOFF:
                images = 0.0
                two_zi = 2.0 * zi
                for k in range(1, _MAX_REFLECTIONS + 1):
                    lo = k * two_zi - h
                    hi = k * two_zi + h
                    term = (np.exp(a * (z - lo) ** 2) + np.exp(a * (z + lo) ** 2)
                            + np.exp(a * (z - hi) ** 2) + np.exp(a * (z + hi) ** 2))
                    images += term
                    if term < _REFLECTION_TOLERANCE:
                        break
                v += images
        r = y[i] / sy
        c = qk[s] * v * np.exp(-0.5 * r * r) / (u * sy * sz)  # eq. 1-1 (methods §3.2)
        total[rec[i]] += c
        element_sum[i] += c


# ------------------------------------------------------------------ a whole run
@dataclass
class RunResult:
    """Statistics of a run at every receptor (arrays of one element per receptor unless noted)."""

    max_1h_ug_m3: np.ndarray
    max_1h_hour: np.ndarray  # index into the met hours (-1: never above zero)
    daily_dates: np.ndarray  # (D,) local dates, datetime64[D]
    daily_mean_ug_m3: np.ndarray  # (D, R), NaN where the day has too few hours
    annual_mean_ug_m3: np.ndarray
    source_annual_mean_ug_m3: np.ndarray  # (S, R) each stack's part of the annual mean
    hours: int
    calm_hours: int
    element_hours: int  # downwind (stack, receptor, hour) evaluations
    stack_names: tuple[str, ...] = field(default=())

    @property
    def max_24h_ug_m3(self) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return np.nanmax(np.where(np.isnan(self.daily_mean_ug_m3), -np.inf, self.daily_mean_ug_m3), axis=0)


def split_tasks(groups: list[np.ndarray], n_tasks: int) -> list[list[np.ndarray]]:
    """Deal hour groups into ``n_tasks`` tasks of about equal hours (largest groups first)."""
    n_tasks = max(1, min(n_tasks, len(groups)))
    tasks: list[list[np.ndarray]] = [[] for _ in range(n_tasks)]
    load = [0] * n_tasks
    for group in sorted(groups, key=len, reverse=True):
        k = load.index(min(load))
        tasks[k].append(group)
        load[k] += len(group)
    return tasks


def run(st: Stacks, met: HourlyMet, receptors: Receptors, model: Model = Model(), *, tz: str | float = "Asia/Shanghai",
        min_valid_hours: int = 20, tasks: int | None = None, client=None, progress=None) -> RunResult:
    """Run the model over every hour of ``met`` and return the statistics.

    Parameters
    ----------
    st, met, receptors, model
        Stacks, hourly meteorology, receptors and model options.
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
    """
    model.check()
    if len(receptors.x_m) == 0:
        raise DispersionInputError("receptors", "at least one receptor is needed")
    dates = local_dates(met.time_utc, tz)
    day_dates, day_of_hour = np.unique(dates, return_inverse=True)
    day_of_hour = day_of_hour.ravel()
    groups = hour_groups(met)
    calm = np.flatnonzero(met.calm)
    if tasks is None:
        tasks = sum(client.nthreads().values()) if client is not None else (os.cpu_count() or 1)
    plan = split_tasks(groups, tasks) if groups else [[]]
    args = [(st, met, receptors, part, day_of_hour, len(day_dates), model, calm if k == 0 else None)
            for k, part in enumerate(plan)]
    if client is not None:
        futures = [client.submit(run_hours, *a, pure=False) for a in args]
        partials = client.gather(futures)
    elif len(args) == 1:
        partials = [run_hours(*args[0], progress=progress)]
    else:
        with ThreadPoolExecutor(max_workers=len(args), thread_name_prefix="dispersion") as pool:
            partials = list(pool.map(lambda a: run_hours(*a, progress=progress), args))
    total = partials[0]
    for part in partials[1:]:
        total.merge(part)
    # 24-h means by EPA calms processing: non-calm sum / max(non-calm hours, 18) (see statistics)
    divisor = np.maximum(total.day_noncalm, EPA_SHORT_TERM_FRACTION * HOURS_PER_DAY)
    valid = total.day_hours >= min_valid_hours
    daily = np.where(valid[:, None], total.day_sum / divisor[:, None], np.nan)
    n = max(total.noncalm_hours, 1)
    return RunResult(total.max_1h, total.max_hour, day_dates, daily, total.annual_sum / n, total.source_sum / n,
                     total.noncalm_hours, len(calm), total.element_hours, st.name)
