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
_REACH = 38.7  # crosswind sigmas beyond which the plume is exactly 0 in double precision: 0.5 * 38.7**2 > 745.2
_FAR = -700.0  # exponents below this are exponentiated one by one (see _hour_exponents)
_NOTHING = 1.0  # an image exponent that stands for a term of 0 (no real term exceeds exp(0) = 1)
_IMAGE_PAIRS = 4  # lid image pairs exponentiated in bulk; further ones are summed one by one
CHUNK = 16_384  # pairs per pass: the scratch of a chunk stays in the core's cache


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
    dx = np.ascontiguousarray(receptors.x_m[None, :] - st.x_m[:, None])
    dy = np.ascontiguousarray(receptors.y_m[None, :] - st.y_m[:, None])
    zr = np.ascontiguousarray(receptors.z_flag_m, dtype=float)
    qk = st.q_g_s * _TWO_PI_INV_1E6
    # Pairs of a group, and the scratch of one chunk of them, reused from group to group.
    src, rec = np.empty(n_s * n_r, dtype=np.int32), np.empty(n_s * n_r, dtype=np.int32)
    xs, ys = np.empty(n_s * n_r), np.empty(n_s * n_r)
    scratch = np.empty((5, CHUNK))
    image_scratch = np.zeros((CHUNK, 2 * _IMAGE_PAIRS))  # pair-major: one pair's terms side by side
    state = np.empty(CHUNK, dtype=np.int8)
    far = np.empty(CHUNK, dtype=np.int8)
    flat_sum = out.source_sum.reshape(-1)
    total = np.zeros(n_r)
    for group in groups:
        first = int(group[0])
        stab = int(met.stability[first])
        theta = math.radians(float(met.wind_from_deg[first]))
        n = _downwind_pairs(dx, dy, math.sin(theta), math.cos(theta), src, rec, xs, ys)
        syb, szb = _base_sigmas(xs[:n], stab, model.sigmas)
        hours = [stack_hour(st, met, int(hour), model) for hour in group]
        widest = np.max([sh.delta_h for sh in hours], axis=0)  # BID never widens more than the final rise
        n = _drop_beyond_reach(src, rec, xs, ys, syb, szb, widest, n)
        pair_src, pair_rec, pair_x, pair_y = src[:n], rec[:n], xs[:n], ys[:n]
        pair_syb, pair_szb = syb[:n], szb[:n]
        element_sum = np.zeros(n)
        for hour, sh in zip(group, hours):
            total[:] = 0.0
            rs = math.sqrt(sh.s) if sh.stable else 1.0
            for lo in range(0, n, CHUNK):
                hi = min(lo + CHUNK, n)
                sy, sz, lateral, below, above = scratch[:, :hi - lo]
                images = image_scratch[:hi - lo]
                with_images = _hour_exponents(lo, hi, pair_src, pair_rec, pair_x, pair_y, pair_syb, pair_szb, zr, sh.us, sh.he,
                                      sh.delta_h, sh.fb, sh.fm, sh.xfb, sh.xfm, sh.xf, st.diameter_m,
                                      st.exit_velocity_m_s, sh.stable, rs, sh.zi, sy, sz, lateral, below, above,
                                      images, state, far)
                # numpy's exp is vectorised (SIMD); the compiled loops around it are not.
                with np.errstate(under="ignore"):
                    np.exp(scratch[2:, :hi - lo], out=scratch[2:, :hi - lo])
                    if with_images:
                        np.exp(images, out=images)
                _hour_accumulate(lo, hi, pair_src, pair_rec, pair_y, zr, qk, sh.us, sh.he, sh.zi, sy, sz, lateral,
                                 below, above, images, state, far, total, element_sum)
            out.add_hour(int(hour), int(day_of_hour[hour]), total.copy())
        flat_sum[pair_src.astype(np.int64) * n_r + pair_rec] += element_sum
        out.element_hours += n * len(group)
        if progress is not None:
            progress(len(group))
    return out


def _base_sigmas(x: np.ndarray, stab: int, method: str) -> tuple[np.ndarray, np.ndarray]:
    """sigma_y and sigma_z before BID and the cap, exactly as :func:`sigma._sigma_y` / ``_sigma_z`` give them."""
    if method == "isc3_rural":
        x_km = x * 1e-3
        log_x = np.log(x_km)
        # ISC3 rural sigma_y and sigma_z (methods §2.1), numpy's vectorised log/tan/exp as in sigma.py;
        # only the interval of the sigma_z table is found by a compiled loop (searchsorted is slow here).
        sy = 465.11628 * x_km * np.tan(0.017453293 * (sigma._ISC3_C[stab] - sigma._ISC3_D[stab] * log_x))
        idx = _table_rows(x_km, sigma._ISC3_Z_BOUNDS, stab * sigma._ISC3_Z_N)
        sz = np.take(sigma._ISC3_Z_A, idx) * np.exp(np.take(sigma._ISC3_Z_B, idx) * log_x)
        return sy, sz
    sy, sz = np.empty_like(x), np.empty_like(x)
    _briggs_urban_sigmas(x, sigma._URBAN_Y[stab], sigma._URBAN_ZA[stab], sigma._URBAN_ZB[stab],
                         sigma._URBAN_ZE[stab], sy, sz)
    return sy, sz


@numba.njit(nogil=True, cache=True)
def _table_rows(x_km, bounds, offset):  # pragma: no cover - compiled
    """``offset + searchsorted(bounds, x_km, side="left")`` for every element."""
    out = np.empty(len(x_km), dtype=np.intp)
    n_bounds = len(bounds)
    for i in range(len(x_km)):
        g = 0
        while g < n_bounds and bounds[g] < x_km[i]:
            g += 1
        out[i] = offset + g
    return out


# The compiled loops mirror sigma._sigma_y/_sigma_z, rise._gradual_rise, sigma._bid and
# plume._vertical_term/_concentration operation for operation; tests hold them to plain_hour.
@numba.njit(nogil=True, cache=True)
def _briggs_urban_sigmas(x, y_coef, za, zb, ze, sy, sz):  # pragma: no cover - compiled
    for i in range(len(x)):
        xi = x[i]
        sy[i] = y_coef * xi / np.sqrt(1.0 + 0.0004 * xi)  # Briggs urban (methods §2.2)
        sz[i] = za * xi * (1.0 + zb * xi) ** ze


@numba.njit(nogil=True, cache=True)
def _downwind_pairs(dx, dy, sin_t, cos_t, src, rec, xs, ys):  # pragma: no cover - compiled
    """Write the downwind (stack, receptor) pairs, with x and y as :func:`_rotate` gives them; returns their number."""
    n = 0
    n_s, n_r = dx.shape
    for s in range(n_s):
        for r in range(n_r):
            x = -(dx[s, r] * sin_t + dy[s, r] * cos_t)
            if x > 0.0:
                src[n] = s
                rec[n] = r
                xs[n] = x
                ys[n] = dx[s, r] * cos_t - dy[s, r] * sin_t
                n += 1
    return n


@numba.njit(nogil=True, cache=True)
def _drop_beyond_reach(src, rec, xs, ys, syb, szb, widest_rise, n):  # pragma: no cover - compiled
    """Keep the pairs a plume can reach in some hour of the group; returns how many are kept.

    With BID, sigma_y <= sqrt(syb^2 + (dh/3.5)^2) for the largest final rise dh of the group's
    hours, so beyond |y| = 38.7 of those sigmas exp(-y^2 / 2 sigma_y^2) < exp(-748) is exactly 0
    in double precision: such pairs contribute exactly nothing, and are left out.
    """
    m = 0
    for i in range(n):
        b = widest_rise[src[i]] / _BID_DIVISOR
        if abs(ys[i]) <= _REACH * np.sqrt(syb[i] * syb[i] + b * b):
            src[m] = src[i]
            rec[m] = rec[i]
            xs[m] = xs[i]
            ys[m] = ys[i]
            syb[m] = syb[i]
            szb[m] = szb[i]
            m += 1
    return m


@numba.njit(nogil=True, cache=True, error_model="numpy", fastmath=True)
def _hour_exponents(lo, hi, src, rec, x, y, syb, szb, zr, us, he, delta_h, fb, fm, xfb, xfm, xf, diameter, vs, stable,
                    rs, zi, sy_out, sz_out, lateral, below, above, images, state, far):  # pragma: no cover - compiled
    """sigma_y, sigma_z (with BID and the cap) and the exponents of the plume's terms, pairs lo..hi.

    Under a lid, ``state`` says per pair which case of the vertical term applies (0 reflections
    at the ground only, 1 plume above the lid, 2 well mixed, 3 lid images, 4 lid images of a
    flagpole receptor) and the rows of ``images`` hold the exponents of the first image pairs of
    case 3; returns whether any pair is in case 3. Exponents below :data:`_FAR` (results near or
    under the smallest normal double, where vectorised exp is slow) are replaced by 0 and flagged
    in ``far``; :func:`_hour_accumulate` computes those terms itself.

    The loops after the first have no branches or calls, so that they compile to vector code.
    """
    n = hi - lo
    bid2 = sy_out  # first holds (gradual rise / 3.5)^2
    for k in range(n):  # gradual rise for BID (methods §2.3); only near the stack it differs from the final rise
        i = lo + k
        s = src[i]
        xi = x[i]
        if xi >= xf[s]:
            dh_g = delta_h[s]
        else:
            u = us[s]
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
        b = dh_g / _BID_DIVISOR
        bid2[k] = b * b
    for k in range(n):
        i = lo + k
        s = src[i]
        b2 = bid2[k]
        sy = np.sqrt(syb[i] * syb[i] + b2)
        sz = min(np.sqrt(szb[i] * szb[i] + b2), _CAP)
        sy_out[k] = sy
        sz_out[k] = sz
        r = y[i] / sy
        a = -0.5 / (sz * sz)
        z = zr[rec[i]]
        h = he[s]
        t_lateral = -0.5 * r * r
        t_below = a * (z - h) ** 2  # the plume and its ground image (methods §3.2)
        t_above = a * (z + h) ** 2
        lateral[k] = 0.0 if t_lateral < _FAR else t_lateral
        below[k] = 0.0 if t_below < _FAR else t_below
        above[k] = 0.0 if t_above < _FAR else t_above
        far[k] = (1 if t_lateral < _FAR else 0) | (2 if t_below < _FAR else 0) | (4 if t_above < _FAR else 0)
    with_images = 0
    if zi < _NO_LID:
        two_zi = 2.0 * zi
        for k in range(n):
            i = lo + k
            h = he[src[i]]
            z = zr[rec[i]]
            sz = sz_out[k]
            a = -0.5 / (sz * sz)
            reach = a * (two_zi - h - z) ** 2 > -_IMAGE_CUTOFF
            # plume above the lid (methods §3.1), well mixed, lid images (methods §3.2)
            case = 1 if h > zi else (2 if sz >= _WELL_MIXED * zi else ((3 if z == 0.0 else 4) if reach else 0))
            state[k] = case
            with_images |= 1 if case == 3 else 0
            for j in range(_IMAGE_PAIRS):
                low = (j + 1) * two_zi - h
                high = (j + 1) * two_zi + h
                t_low = a * (low * low)
                t_high = a * (high * high)
                # an image term under exp(-700) cannot change a sum that holds one above exp(-40)
                images[k, 2 * j] = (_NOTHING if t_low < _FAR else t_low) if case == 3 else 0.0
                images[k, 2 * j + 1] = (_NOTHING if t_high < _FAR else t_high) if case == 3 else 0.0
    return with_images > 0


@numba.njit(nogil=True, cache=True)
def _hour_accumulate(lo, hi, src, rec, y, zr, qk, us, he, zi, sy, sz, lateral, below, above, images, state, far, total,
                     element_sum):  # pragma: no cover - compiled
    """Concentrations of pairs lo..hi from the exponentiated terms, added to the receptors' total."""
    lid = zi < _NO_LID
    sqrt_2pi = math.sqrt(2.0 * math.pi)
    for i in range(lo, hi):
        k = i - lo
        flags = far[k]
        s = src[i]
        szk = sz[k]
        e = lateral[k]
        if flags & 1:
            r = y[i] / sy[k]
            e = np.exp(-0.5 * r * r)
        if e == 0.0:
            continue  # exactly nothing reaches this receptor
        z = zr[rec[i]]
        h = he[s]
        a = -0.5 / (szk * szk)
        eb = below[k]
        if flags & 2:
            eb = np.exp(a * (z - h) ** 2)
        ea = above[k]
        if flags & 4:
            ea = np.exp(a * (z + h) ** 2)
        v = eb + ea
        if lid:
            case = state[k]
            if case == 1:
                v = 0.0
            elif case == 2:
                v = sqrt_2pi * szk / zi
            elif case >= 3:
                two_zi = 2.0 * zi
                total_images = 0.0
                first = 1
                if case == 3:
                    for j in range(_IMAGE_PAIRS):
                        e_low = images[k, 2 * j]
                        e_high = images[k, 2 * j + 1]
                        if e_low > 1.0:
                            e_low = 0.0
                        if e_high > 1.0:
                            e_high = 0.0
                        term = ((e_low + e_low) + e_high) + e_high  # z = 0: the terms at -/+ d are equal
                        total_images += term
                        first = j + 2
                        if term < _REFLECTION_TOLERANCE:
                            first = _MAX_REFLECTIONS + 1  # done
                            break
                for j in range(first, _MAX_REFLECTIONS + 1):  # further pairs at 2 j z_i -/+ h_e
                    lo_j = j * two_zi - h
                    hi_j = j * two_zi + h
                    term = (np.exp(a * (z - lo_j) ** 2) + np.exp(a * (z + lo_j) ** 2)
                            + np.exp(a * (z - hi_j) ** 2) + np.exp(a * (z + hi_j) ** 2))
                    total_images += term
                    if term < _REFLECTION_TOLERANCE:
                        break
                v += total_images
        c = qk[s] * v * e / (us[s] * sy[k] * szk)  # eq. 1-1 (methods §3.2)
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
