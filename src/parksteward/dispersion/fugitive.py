"""Area and volume sources (fugitive emissions) in a run: many sources x many receptors x many hours.

The single-source physics is :mod:`~parksteward.dispersion.area` (the point kernel integrated
over a rectangle) and :mod:`~parksteward.dispersion.volume` (ISC3's virtual point). Neither has
plume rise, so within an hour a source's concentration field is

    C = Q G(x, y, z_r; class, z_i) / u_s

where u_s, the wind at the release height, is the only thing that changes from hour to hour
besides the mixing height z_i. Hours with the same wind direction and stability class (an hour
group of :func:`~parksteward.dispersion.engine.hour_groups`) share G wherever the lid cannot
matter: :class:`GroupFields` computes G once per group without a lid and, in an hour with a lid,
again only for the pairs the lid can reach (the plume above the lid, well mixed, or lid images
within exp(-40)), tested at the largest sigma_z of the pair (that of the farthest area element),
so the result is the per-hour evaluation's (:func:`plain_hour`) to rounding.

Receptors a source cannot reach are left out: further across the wind than 38.7 sigma_y (at the
farthest element) beyond the source's half-diagonal, where the crosswind terms are exactly 0 in
double precision, and upwind.

In the fast path the area integral is a compiled loop (:func:`_area_pairs`, numba) doing what
area.py's vectorised ``_area_concentration`` does, pair by pair, without its per-call overhead;
the plain evaluation uses area.py itself, so the tests compare two implementations.

**Area sources in a run** are integrated with :data:`AREA_POINTS_NEAR` Gauss-Legendre nodes per
panel for receptors within :data:`AREA_FAR_DIAGONALS` diagonals of the area's centre and
:data:`AREA_POINTS_FAR` beyond, where the integrand is smooth (tested: within 1e-3 of a
256-node integration for every class). :func:`area_points` is the rule, and the reference uses it
too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numba
import numpy as np

from parksteward.dispersion import _checks, plume, sigma, wind
from parksteward.dispersion.area import MIN_DISTANCE_M, _area_concentration
from parksteward.dispersion.meteorology import HourlyMet
from parksteward.dispersion.receptors import Receptors, wind_axes
from parksteward.dispersion.sigma import SIGMA_Z_CAP_M, _sigma_y, _sigma_z
from parksteward.dispersion.volume import INSIDE_MARGIN_M, _virtual_distance, _volume_kernel

#: Gauss-Legendre nodes per panel for receptors near an area source (the default of area.py).
AREA_POINTS_NEAR = 16
#: ... and for receptors farther than :data:`AREA_FAR_DIAGONALS` diagonals from its centre.
AREA_POINTS_FAR = 4
AREA_FAR_DIAGONALS = 10.0

_REACH = 38.7  # crosswind sigmas beyond which the Gaussian terms are exactly 0: 0.5 * 38.7**2 > 745.2
_PAIRS_PER_CALL = {AREA_POINTS_NEAR: 2_000, AREA_POINTS_FAR: 8_000}  # keeps the node arrays in cache


@dataclass(frozen=True)
class AreaSources:
    """Rectangular area sources in the run's local metric coordinates; arrays of one element per source.

    Attributes
    ----------
    name : tuple of str
    x_m, y_m : numpy.ndarray
        Centre of the rectangle, east and north of the projection origin [m].
    release_height_m : numpy.ndarray
        Release height [m].
    length_m, width_m : numpy.ndarray
        Sides [m].
    bearing_deg : numpy.ndarray
        Direction of the length side, clockwise from north [deg].
    q_g_s : numpy.ndarray
        Emission of the whole area [g/s]; per unit area q / (length width).
    """

    name: tuple[str, ...]
    x_m: np.ndarray
    y_m: np.ndarray
    release_height_m: np.ndarray
    length_m: np.ndarray
    width_m: np.ndarray
    bearing_deg: np.ndarray
    q_g_s: np.ndarray

    def __len__(self) -> int:
        return len(self.name)

    @property
    def q_g_s_m2(self) -> np.ndarray:
        return self.q_g_s / (self.length_m * self.width_m)

    @property
    def half_diagonal_m(self) -> np.ndarray:
        return 0.5 * np.hypot(self.length_m, self.width_m)


@dataclass(frozen=True)
class VolumeSources:
    """Volume sources (ISC3 virtual point); arrays of one element per source.

    Attributes
    ----------
    name : tuple of str
    x_m, y_m : numpy.ndarray
        Centre [m].
    release_height_m : numpy.ndarray
        Height of the centre [m].
    sigma_y0_m, sigma_z0_m : numpy.ndarray
        Initial spreads [m] (:func:`~parksteward.dispersion.volume.initial_sigma_y`, ``initial_sigma_z``).
    q_g_s : numpy.ndarray
        Emission [g/s].
    """

    name: tuple[str, ...]
    x_m: np.ndarray
    y_m: np.ndarray
    release_height_m: np.ndarray
    sigma_y0_m: np.ndarray
    sigma_z0_m: np.ndarray
    q_g_s: np.ndarray

    def __len__(self) -> int:
        return len(self.name)


def _columns(kind: str, names: tuple[str, ...], specs) -> list[np.ndarray]:
    return [_checks.per_source(kind, names, label, values, check, unit) for label, values, check, unit in specs]


def area_sources(name, x_m, y_m, release_height_m, length_m, width_m, bearing_deg, q_g_s) -> AreaSources:
    """Checked :class:`AreaSources`; a bad value raises naming the parameter and the source."""
    names = tuple(str(n) for n in name)
    return AreaSources(names, *_columns("area source", names, (
        ("x_m", x_m, _checks.finite, ""), ("y_m", y_m, _checks.finite, ""),
        ("release_height_m", release_height_m, _checks.non_negative, "m"),
        ("length_m", length_m, _checks.positive, "m"), ("width_m", width_m, _checks.positive, "m"),
        ("bearing_deg", bearing_deg, _checks.finite, ""), ("q_g_s", q_g_s, _checks.non_negative, "g/s"))))


def volume_sources(name, x_m, y_m, release_height_m, sigma_y0_m, sigma_z0_m, q_g_s) -> VolumeSources:
    """Checked :class:`VolumeSources`; a bad value raises naming the parameter and the source."""
    names = tuple(str(n) for n in name)
    return VolumeSources(names, *_columns("volume source", names, (
        ("x_m", x_m, _checks.finite, ""), ("y_m", y_m, _checks.finite, ""),
        ("release_height_m", release_height_m, _checks.non_negative, "m"),
        ("sigma_y0_m", sigma_y0_m, _checks.non_negative, "m"), ("sigma_z0_m", sigma_z0_m, _checks.non_negative, "m"),
        ("q_g_s", q_g_s, _checks.non_negative, "g/s"))))


def no_areas() -> AreaSources:
    empty = np.zeros(0)
    return AreaSources((), *(empty,) * 7)


def no_volumes() -> VolumeSources:
    empty = np.zeros(0)
    return VolumeSources((), *(empty,) * 6)


@dataclass(frozen=True)
class Fugitives:
    """The area and volume sources of a run; areas come first wherever the two are listed together."""

    areas: AreaSources = field(default_factory=lambda: no_areas())
    volumes: VolumeSources = field(default_factory=lambda: no_volumes())

    def __len__(self) -> int:
        return len(self.areas) + len(self.volumes)

    @property
    def name(self) -> tuple[str, ...]:
        return self.areas.name + self.volumes.name

    @property
    def release_height_m(self) -> np.ndarray:
        return np.concatenate([self.areas.release_height_m, self.volumes.release_height_m])


def area_points(distance_m, half_diagonal_m) -> np.ndarray:
    """Gauss-Legendre nodes per panel for receptors ``distance_m`` from an area's centre (see module doc)."""
    far = np.asarray(distance_m) > AREA_FAR_DIAGONALS * 2.0 * np.asarray(half_diagonal_m)
    return np.where(far, AREA_POINTS_FAR, AREA_POINTS_NEAR)


# ------------------------------------------------------------------ what an hour is
@dataclass(frozen=True)
class ReleaseHour:
    """One hour as a release without rise sees it: class, wind at each release height, mixing height."""

    stability: np.int8
    wind_from_deg: float
    us: np.ndarray  # (sources,) wind at the release height [m/s]
    zi: float  # mixing height [m]; inf for no lid (E-F hours, or none given)


def release_hour(release_height_m: np.ndarray, met: HourlyMet, hour: int, land: str) -> ReleaseHour:
    """The wind at each release height (power law, >= 1 m/s) and the lid, as for a stack (engine.stack_hour)."""
    stab = int(met.stability[hour])
    p = wind.profile_exponent(np.int8(stab), land)
    us = wind._stack_top_wind(float(met.wind_speed_m_s[hour]), release_height_m, p, met.anemometer_height_m)
    zi = float(met.mixing_height_m[hour])
    if stab >= 5 or not math.isfinite(zi) or zi >= plume.NO_LID_M:
        zi = math.inf  # ISC3 ignores the lid in E-F hours
    return ReleaseHour(np.int8(stab), float(met.wind_from_deg[hour]), np.atleast_1d(us), zi)


def _area_angle(bearing_deg, wind_from_deg):
    """Counter-clockwise angle from the downwind direction to the length side [rad] (area.py's ``angle``)."""
    return np.deg2rad((wind_from_deg + 180.0) - bearing_deg)


# ------------------------------------------------------------------ the reference: one hour, dense
def plain_hour(areas: AreaSources, volumes: VolumeSources, met: HourlyMet, receptors: Receptors, hour: int,
               land: str = "rural", sigma_method: str = "isc3_rural") -> np.ndarray:
    """Concentration [ug/m3] of every area, then every volume source at every receptor, shape (sources, receptors).

    Every pair evaluated with area.py's and volume.py's kernels; the reference for :class:`GroupFields`.
    Calm hours give zeros.
    """
    n_r = len(receptors.x_m)
    out = np.zeros((len(areas) + len(volumes), n_r))
    if met.calm[hour]:
        return out
    zr = receptors.z_flag_m
    if len(areas):
        h = release_hour(areas.release_height_m, met, hour, land)
        x, y = wind_axes(areas.x_m, areas.y_m, receptors, h.wind_from_deg)
        angle = _area_angle(areas.bearing_deg, h.wind_from_deg)
        for a in range(len(areas)):
            n_points = area_points(np.hypot(x[a], y[a]), areas.half_diagonal_m[a])
            for n in (AREA_POINTS_NEAR, AREA_POINTS_FAR):
                use = n_points == n
                if use.any():
                    out[a, use] = _area_concentration(areas.q_g_s_m2[a], areas.release_height_m[a], areas.length_m[a],
                                                      areas.width_m[a], angle[a], x[a, use], y[a, use], zr[use],
                                                      h.stability, h.us[a], h.zi, sigma_method, n, MIN_DISTANCE_M)
    if len(volumes):
        h = release_hour(volumes.release_height_m, met, hour, land)
        x, y = wind_axes(volumes.x_m, volumes.y_m, receptors, h.wind_from_deg)
        for v in range(len(volumes)):
            out[len(areas) + v] = _volume_concentration(volumes, v, x[v], y[v], zr, h.stability, h.us[v], h.zi,
                                                        sigma_method)
    return out


def _volume_virtual(volumes: VolumeSources, stab: int, method: str) -> tuple[np.ndarray, np.ndarray]:
    k = np.full(len(volumes), stab)
    return _virtual_distance(_sigma_y, volumes.sigma_y0_m, k, method), _virtual_distance(_sigma_z, volumes.sigma_z0_m,
                                                                                         k, method)


def _volume_concentration(volumes: VolumeSources, v: int, x, y, zr, stab, us, zi, method, virtual=None):
    """volume.volume_source's kernel for source ``v`` at receptors (x, y, zr), no checks."""
    xy, xz = virtual if virtual is not None else (a[v] for a in _volume_virtual(volumes, stab, method))
    return _volume_kernel(volumes.q_g_s[v], volumes.release_height_m[v], volumes.sigma_y0_m[v], x, y, zr, stab, us,
                          zi, method, xy, xz)[0]


# ------------------------------------------------------------------ the fast path: one hour group
class GroupFields:
    """The fields G (see module doc) of every fugitive source for an hour group, and its hours' concentrations.

    Built for one wind direction and stability class; :meth:`add_hour` adds one hour's
    concentrations to a receptor total and to the per-source sums.
    """

    def __init__(self, areas: AreaSources, volumes: VolumeSources, receptors: Receptors, wind_from_deg: float,
                 stab: int, sigma_method: str):
        self.areas, self.volumes, self.receptors = areas, volumes, receptors
        self.wind_from_deg, self.stab, self.method = wind_from_deg, np.int8(stab), sigma_method
        self.zr = receptors.z_flag_m
        # per source: receptor indices reached, their G without a lid (Q included, u_s = 1) and the
        # largest sigma_z over the pair's plume (for the lid test)
        self.rec: list[np.ndarray] = []
        self.g0: list[np.ndarray] = []
        self.sz_far: list[np.ndarray] = []
        self.n_points: list[np.ndarray] = []
        self.pairs = 0
        if len(areas):
            self._areas()
        if len(volumes):
            self._volumes()

    def _areas(self) -> None:
        a = self.areas
        x, y = wind_axes(a.x_m, a.y_m, self.receptors, self.wind_from_deg)
        self.angle = _area_angle(a.bearing_deg, self.wind_from_deg)
        self.corners_x, self.corners_y = _corners(a.length_m, a.width_m, self.angle)
        hd = a.half_diagonal_m
        for s in range(len(a)):
            far_x = np.maximum(x[s] + hd[s], MIN_DISTANCE_M)  # the farthest element's upwind distance
            sy_far = _sigma_y(far_x, self.stab, self.method)
            rec = np.flatnonzero((x[s] + hd[s] > MIN_DISTANCE_M) & (np.abs(y[s]) <= hd[s] + _REACH * sy_far))
            n_points = area_points(np.hypot(x[s, rec], y[s, rec]), hd[s])
            g = np.empty(len(rec))
            for n in (AREA_POINTS_NEAR, AREA_POINTS_FAR):
                idx = np.flatnonzero(n_points == n)
                for lo in range(0, len(idx), _PAIRS_PER_CALL[n]):
                    part = idx[lo:lo + _PAIRS_PER_CALL[n]]
                    g[part] = self._area(s, x[s, rec[part]], y[s, rec[part]], self.zr[rec[part]], 1.0, math.inf, n)
            self.rec.append(rec)
            self.g0.append(g)
            self.sz_far.append(np.minimum(_sigma_z(far_x[rec], self.stab, self.method), SIGMA_Z_CAP_M))
            self.n_points.append(n_points)
            self.pairs += len(rec)
        self._x, self._y = x, y

    def _area(self, s, x, y, zr, us, zi, n):
        """Concentration of area ``s`` at receptors (x, y, zr) in wind axes: the compiled loop, as area.py."""
        a = self.areas
        out = np.empty(len(x))
        _area_pairs(np.ascontiguousarray(x), np.ascontiguousarray(y), np.ascontiguousarray(zr, dtype=float), out,
                    a.q_g_s_m2[s] * (1e6 / _SQRT_2PI) / us, a.release_height_m[s], self.corners_x[s], self.corners_y[s],
                    *_NODES[n], MIN_DISTANCE_M, int(self.stab), _METHOD_CODES[self.method], zi, *_SIGMA_TABLES)
        return out

    def _volumes(self) -> None:
        v = self.volumes
        x, y = wind_axes(v.x_m, v.y_m, self.receptors, self.wind_from_deg)
        xy, xz = _volume_virtual(v, self.stab, self.method)
        self._virtual = (xy, xz)
        for s in range(len(v)):
            outside = (x[s] - 2.15 * v.sigma_y0_m[s]) >= INSIDE_MARGIN_M
            xe = np.where(outside, x[s], 1.0)
            sy = _sigma_y(xe + xy[s], self.stab, self.method)
            rec = np.flatnonzero(outside & (np.abs(y[s]) <= _REACH * sy))
            g = _volume_concentration(v, s, x[s, rec], y[s, rec], self.zr[rec], self.stab, 1.0, math.inf,
                                      self.method, (xy[s], xz[s]))
            self.rec.append(rec)
            self.g0.append(g)
            self.sz_far.append(np.minimum(_sigma_z(xe[rec] + xz[s], self.stab, self.method), SIGMA_Z_CAP_M))
            self.n_points.append(np.zeros(len(rec), dtype=int))
            self.pairs += len(rec)
        self._vx, self._vy = x, y

    def add_hour(self, hour: ReleaseHour, heights: np.ndarray, total: np.ndarray, source_sum: np.ndarray) -> None:
        """Add the hour's concentrations [ug/m3]: every source to ``total`` (receptors), each to its row of ``source_sum``.

        ``hour`` carries the wind at every fugitive source (areas first) and the mixing height.
        """
        n_a = len(self.areas)
        for s, (rec, g) in enumerate(zip(self.rec, self.g0)):
            if not len(rec):
                continue
            us = hour.us[s]
            c = g / us
            if math.isfinite(hour.zi):
                c = self._with_lid(s, n_a, rec, c, us, hour.zi, heights[s])
            total[rec] += c
            source_sum[s, rec] += c

    def _with_lid(self, s, n_a, rec, c, us, zi, h):
        """The pairs the lid reaches, computed again with it (as plume._vertical_term decides, at the largest sigma_z)."""
        if h > zi:
            return np.zeros_like(c)  # released above the lid (methods §3.1)
        sz = self.sz_far[s]
        zr = self.zr[rec]
        reach = (sz >= plume.WELL_MIXED_RATIO * zi) | ((-0.5 / (sz * sz)) * (2.0 * zi - h - zr) ** 2
                                                       > -plume._IMAGE_CUTOFF)
        idx = np.flatnonzero(reach)
        if not len(idx):
            return c
        c = c.copy()
        r = rec[idx]
        if s < n_a:
            n_points = self.n_points[s][idx]
            for n in (AREA_POINTS_NEAR, AREA_POINTS_FAR):
                use = n_points == n
                if use.any():
                    c[idx[use]] = self._area(s, self._x[s, r[use]], self._y[s, r[use]], zr[idx[use]], us, zi, n)
        else:
            v = s - n_a
            c[idx] = _volume_concentration(self.volumes, v, self._vx[v, r], self._vy[v, r], zr[idx], self.stab, us,
                                           zi, self.method, (self._virtual[0][v], self._virtual[1][v]))
        return c


# ------------------------------------------------------------------ the compiled area integral
_SQRT_2PI = float(np.sqrt(2.0 * np.pi))
_METHOD_CODES = {"isc3_rural": 0, "briggs_urban": 1}
_LN_1000 = math.log(1000.0)
_NODES = {n: tuple(np.polynomial.legendre.leggauss(n)) for n in (AREA_POINTS_NEAR, AREA_POINTS_FAR)}
_SIGMA_TABLES = (sigma._ISC3_C, sigma._ISC3_D, sigma._ISC3_Z_BOUNDS, sigma._ISC3_Z_A, sigma._ISC3_Z_B,
                 sigma._ISC3_Z_N, sigma._URBAN_Y, sigma._URBAN_ZA, sigma._URBAN_ZB, sigma._URBAN_ZE)


def _corners(length, width, angle):
    """The rectangles' corners (+a,+b), (-a,+b), (-a,-b), (+a,-b) in wind axes about their centres, (sources, 4) each."""
    sa = np.array((1.0, -1.0, -1.0, 1.0))
    sb = np.array((1.0, 1.0, -1.0, -1.0))
    a = 0.5 * np.asarray(length)[:, None] * sa
    b = 0.5 * np.asarray(width)[:, None] * sb
    cos, sin = np.cos(angle)[:, None], np.sin(angle)[:, None]
    return np.ascontiguousarray(a * cos - b * sin), np.ascontiguousarray(a * sin + b * cos)


@numba.njit(nogil=True, cache=True)
def _erfc(z):  # pragma: no cover - compiled
    """area._erfc for one z >= 0 (Numerical Recipes erfcc, fractional error < 1.2e-7)."""
    t = 1.0 / (1.0 + 0.5 * z)
    poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (
        -0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))
    return t * math.exp(-z * z + poly)


@numba.njit(nogil=True, cache=True)
def _gauss_fraction(a1, a2):  # pragma: no cover - compiled
    """0.5 (erf(a2) - erf(a1)) for a1 <= a2, as area._gauss_fraction."""
    e1 = _erfc(abs(a1))
    e2 = _erfc(abs(a2))
    if a1 >= 0.0:
        return 0.5 * (e1 - e2)
    if a2 <= 0.0:
        return 0.5 * (e2 - e1)
    return 1.0 - 0.5 * (e1 + e2)


@numba.njit(nogil=True, cache=True)
def _vertical(zr, he, sz, zi):  # pragma: no cover - compiled
    """plume._vertical_term for one element (zi inf: no lid), methods §3.2."""
    a = -0.5 / (sz * sz)
    if zr == 0.0:
        v = 2.0 * math.exp(a * he * he)  # the same sum at ground level, with one exp
    else:
        v = math.exp(a * (zr - he) ** 2) + math.exp(a * (zr + he) ** 2)
    if zi < plume.NO_LID_M:
        if he > zi:
            return 0.0
        if sz >= plume.WELL_MIXED_RATIO * zi:
            return _SQRT_2PI * sz / zi
        if a * (2.0 * zi - he - zr) ** 2 > -plume._IMAGE_CUTOFF:
            two_zi = 2.0 * zi
            for j in range(1, plume.MAX_REFLECTIONS + 1):
                low = j * two_zi - he
                high = j * two_zi + he
                term = (math.exp(a * (zr - low) ** 2) + math.exp(a * (zr + low) ** 2)
                        + math.exp(a * (zr - high) ** 2) + math.exp(a * (zr + high) ** 2))
                v += term
                if term < plume.REFLECTION_TOLERANCE:
                    break
    return v


@numba.njit(nogil=True, cache=True)
def _area_pairs(x, y, zr, out, factor, he, vx, vy, nodes, weights, dmin, stab, method, zi, isc3_c, isc3_d, z_bounds,
                z_a, z_b, z_n, urban_y, urban_za, urban_zb, urban_ze):  # pragma: no cover - compiled
    """area._area_concentration for one source at many receptors; ``factor`` = q 10^6 / (sqrt(2 pi) u_s).

    Per receptor (x downwind, y to the left of the wind, zr high): the along-wind integral split
    at the corners and where an edge crosses y, each panel by Gauss-Legendre in ln(upwind
    distance); the crosswind integral over the rectangle's chord by error functions (area.py's
    module doc, ISC3 User's Guide Vol. II area source).
    """
    bounds = np.empty(8)
    n_nodes = len(nodes)
    for p in range(len(x)):
        xp, yp, zp = x[p], y[p], zr[p]
        for k in range(4):
            bounds[k] = xp - vx[k]
        for k in range(4):
            j = (k + 1) % 4
            dvx, dvy = vx[j] - vx[k], vy[j] - vy[k]
            crossing = bounds[0]
            if dvy != 0.0:
                s = (yp - vy[k]) / dvy
                if 0.0 < s < 1.0:
                    crossing = xp - (vx[k] + s * dvx)
            bounds[4 + k] = crossing
        bounds.sort()
        for k in range(8):
            bounds[k] = max(bounds[k], dmin)
        total = 0.0
        for panel in range(7):
            log_lo, log_hi = math.log(bounds[panel]), math.log(bounds[panel + 1])
            half = 0.5 * (log_hi - log_lo)
            if half == 0.0:
                continue  # an empty panel adds nothing
            mid = 0.5 * (log_hi + log_lo)
            for m in range(n_nodes):
                t = mid + half * nodes[m]
                xd = math.exp(t)
                w = half * weights[m] * xd  # dx' = x' dt
                xs = xp - xd
                y_lo, y_hi = math.inf, -math.inf
                for k in range(4):  # the chord of the rectangle across the wind at the strip
                    j = (k + 1) % 4
                    dx = vx[j] - vx[k]
                    if dx != 0.0:
                        s = (xs - vx[k]) / dx
                        if -1e-12 <= s <= 1.0 + 1e-12:
                            yk = vy[k] + s * (vy[j] - vy[k])
                            y_lo, y_hi = min(y_lo, yk), max(y_hi, yk)
                if not y_hi > y_lo:
                    continue
                x_km = xd * 1e-3
                if method == 0:  # ISC3 rural (methods §2.1)
                    log_x = t - _LN_1000  # ln(x_km), without a log
                    sy = 465.11628 * x_km * math.tan(0.017453293 * (isc3_c[stab] - isc3_d[stab] * log_x))
                    g = np.searchsorted(z_bounds, x_km) + stab * z_n
                    sz = z_a[g] * math.exp(z_b[g] * log_x)
                else:  # Briggs urban (methods §2.2)
                    sy = urban_y[stab] * xd / math.sqrt(1.0 + 0.0004 * xd)
                    sz = urban_za[stab] * xd * (1.0 + urban_zb[stab] * xd) ** urban_ze[stab]
                sz = min(sz, SIGMA_Z_CAP_M)
                r = 1.0 / (math.sqrt(2.0) * sy)
                frac = _gauss_fraction((y_lo - yp) * r, (y_hi - yp) * r)
                total += w * frac * _vertical(zp, he, sz, zi) / sz
        out[p] = factor * total
