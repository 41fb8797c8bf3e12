"""Passive (neutral or light) gas: Gaussian plume, puff and finite-duration release with the ISC3 sigmas.

The AFTOX-type Gaussian models HJ 169-2018 Annex G names for gases no denser than air, built on the
dispersion coefficients of :mod:`parksteward.dispersion.sigma` (ISC3 rural Pasquill-Gifford curves or
Briggs urban) and the wind profile of :mod:`parksteward.dispersion.wind`:

* :func:`plume_concentration` -- steady continuous release;
* :func:`puff_concentration` -- instantaneous release, sigmas at the puff's travel distance (the
  snapshot integrates to the released mass);
* :func:`release_concentration` -- release of finite duration T_d (Palazzi et al. 1982): the plume
  times 1/2 [erf((x - u max(t - T_d, 0)) / (sqrt2 sigma_x)) - erf((x - u t) / (sqrt2 sigma_x))];
* :func:`peak_concentration` -- its maximum over time in closed form, and
  :func:`arrival_time_s` -- when it first reaches a fraction of that peak.

Ground reflection only (no mixing lid: the releases of interest are near the ground and the
distances a few km); concentrations in mg/m3 from rates in kg/s. Limits: flat terrain, no calms
(the stack-top wind is floored at 1 m/s like ISC3), sigma_x = sigma_y for the along-wind spread, and
the ISC3 curves are plume (about 1-h) sigmas -- for an instantaneous puff they overstate the lateral
spread and so understate the peak relative to puff-specific coefficients.
"""

from __future__ import annotations

import math

import numpy as np

from parksteward.dispersion import _checks as dispersion_checks
from parksteward.dispersion import sigma as dispersion_sigma
from parksteward.dispersion import wind as dispersion_wind
from parksteward.release import _checks
from parksteward.release.errors import ReleaseInputError

#: Sigma curve families usable here (``method=``); ``land`` of the wind profile follows them.
NEUTRAL_SIGMA_METHODS = ("isc3_rural", "briggs_urban")
_LAND = {"isc3_rural": "rural", "briggs_urban": "urban"}

#: Fraction of the peak at which :func:`arrival_time_s` says the cloud has arrived.
ARRIVAL_FRACTION = 0.1

_SQRT2 = math.sqrt(2.0)
_erf = np.vectorize(math.erf, otypes=[float])


def check_method(method: str) -> str:
    """``method`` if it is one of :data:`NEUTRAL_SIGMA_METHODS`; ``ValueError`` naming the valid ones otherwise."""
    if method not in NEUTRAL_SIGMA_METHODS:
        raise ValueError(f"unknown sigma method {method!r}; valid methods: {', '.join(NEUTRAL_SIGMA_METHODS)}")
    return method


def transport_wind_m_s(wind_speed_m_s: float, release_height_m: float, stability: str, method: str = "isc3_rural") -> float:
    """Wind carrying the cloud: the 10 m wind taken to the release height by the ISC3 power law, at least 1 m/s [m/s].

    References
    ----------
    :func:`parksteward.dispersion.wind.stack_top_wind` (ISC3 User's Guide Vol. II §1.1.3).
    """
    check_method(method)
    u10 = _checks.positive("wind_speed_m_s", wind_speed_m_s, "m/s")
    h = _checks.non_negative("release_height_m", release_height_m, "m")
    stab = _checks.stability(stability)
    return float(dispersion_wind.stack_top_wind(u10, max(h, 1e-3), stab, _LAND[method]))


def sigmas_m(distance_m, stability: str, method: str = "isc3_rural") -> tuple[np.ndarray, np.ndarray]:
    """(sigma_y, sigma_z) [m] at downwind distances > 0 from :mod:`parksteward.dispersion.sigma`.

    sigma_z is capped at 5000 m as in ISC3; no buoyancy-induced dispersion (no plume rise).
    """
    check_method(method)
    x = np.asarray(distance_m, dtype=float)
    stab = dispersion_checks.stability_index(_checks.stability(stability))
    sy = dispersion_sigma.sigma_y(x, stab, method)
    sz = dispersion_sigma.cap_sigma_z(dispersion_sigma.sigma_z(x, stab, method))
    return np.asarray(sy, dtype=float), np.asarray(sz, dtype=float)


def vertical_term(z_m, release_height_m: float, sigma_z_m) -> np.ndarray:
    """exp(-(z - h)^2 / 2 sigma_z^2) + exp(-(z + h)^2 / 2 sigma_z^2): ground reflection, no lid [-]."""
    z = np.asarray(z_m, dtype=float)
    sz = np.asarray(sigma_z_m, dtype=float)
    h = float(release_height_m)
    return np.exp(-((z - h) ** 2) / (2 * sz * sz)) + np.exp(-((z + h) ** 2) / (2 * sz * sz))


def plume_concentration(
    rate_kg_s: float,
    x_m,
    y_m=0.0,
    z_m=0.0,
    *,
    wind_speed_m_s: float,
    stability: str,
    release_height_m: float = 0.0,
    method: str = "isc3_rural",
) -> np.ndarray:
    """Steady Gaussian plume of a continuous release [mg/m3].

    Parameters
    ----------
    rate_kg_s : float
        Release rate Q [kg/s].
    x_m, y_m, z_m : float or array_like
        Downwind distance, crosswind offset and height of the receptor [m] (broadcast).
    wind_speed_m_s : float
        Wind at 10 m [m/s].
    stability : {"A", ..., "F"}
        Pasquill-Gifford class.
    release_height_m : float
        Release height h [m].
    method : {"isc3_rural", "briggs_urban"}
        Sigma curves.

    Returns
    -------
    numpy.ndarray
        C [mg/m3]; 0 upwind (x <= 0).

    Notes
    -----
    C = Q / (2 pi u sigma_y sigma_z) exp(-y^2 / 2 sigma_y^2) [exp(-(z-h)^2 / 2 sigma_z^2) + exp(-(z+h)^2 / 2 sigma_z^2)].

    References
    ----------
    Turner (1970) *Workbook of Atmospheric Dispersion Estimates*, eq. 3.1; dispersion-methods.md §3.2.
    """
    q = _checks.positive("rate_kg_s", rate_kg_s, "kg/s") * 1e6
    x, y, z = _receptor_arrays(x_m, y_m, z_m)
    u = transport_wind_m_s(wind_speed_m_s, release_height_m, stability, method)
    h = _checks.non_negative("release_height_m", release_height_m, "m")
    out = np.zeros(np.broadcast(x, y, z).shape)
    down = np.broadcast_to(x > 0, out.shape)
    if np.any(down):
        xd, yd, zd = (np.broadcast_to(a, out.shape)[down] for a in (x, y, z))
        sy, sz = sigmas_m(xd, stability, method)
        out[down] = _plume(q, yd, zd, sy, sz, u, h)
    return out


def puff_concentration(
    mass_kg: float,
    x_m,
    y_m=0.0,
    z_m=0.0,
    *,
    time_s: float,
    wind_speed_m_s: float,
    stability: str,
    release_height_m: float = 0.0,
    method: str = "isc3_rural",
) -> np.ndarray:
    """Gaussian puff of an instantaneous release, at one time [mg/m3].

    Parameters
    ----------
    mass_kg : float
        Released mass M [kg].
    x_m, y_m, z_m : float or array_like
        Receptor position relative to the release, x downwind [m].
    time_s : float
        Time since the release t [s], > 0.
    wind_speed_m_s, stability, release_height_m, method
        As for :func:`plume_concentration`.

    Returns
    -------
    numpy.ndarray
        C [mg/m3].

    Notes
    -----
    C = M / ((2 pi)^(3/2) sigma_x sigma_y sigma_z) exp(-(x - u t)^2 / 2 sigma_x^2) exp(-y^2 / 2 sigma_y^2) V(z),
    sigmas at the travel distance u t, sigma_x = sigma_y: the snapshot integrates to M over the
    half-space z >= 0.

    References
    ----------
    CCPS (1999) *Guidelines for Consequence Analysis of Chemical Releases*, §2.3.1 (puff model).
    """
    m = _checks.positive("mass_kg", mass_kg, "kg") * 1e6
    t = _checks.positive("time_s", time_s, "s")
    x, y, z = _receptor_arrays(x_m, y_m, z_m)
    u = transport_wind_m_s(wind_speed_m_s, release_height_m, stability, method)
    h = _checks.non_negative("release_height_m", release_height_m, "m")
    sy, sz = sigmas_m(u * t, stability, method)
    sx = sy
    norm = m / ((2 * math.pi) ** 1.5 * sx * sy * sz)
    return norm * np.exp(-((x - u * t) ** 2) / (2 * sx * sx)) * np.exp(-(y * y) / (2 * sy * sy)) * vertical_term(z, h, sz)


def release_concentration(
    rate_kg_s: float,
    duration_s: float,
    x_m,
    y_m=0.0,
    z_m=0.0,
    *,
    time_s,
    wind_speed_m_s: float,
    stability: str,
    release_height_m: float = 0.0,
    method: str = "isc3_rural",
) -> np.ndarray:
    """Concentration of a release of finite duration at time t (Palazzi et al. 1982) [mg/m3].

    Parameters
    ----------
    rate_kg_s : float
        Release rate Q [kg/s] during 0 < t <= T_d.
    duration_s : float
        T_d [s].
    x_m, y_m, z_m : float or array_like
        Receptor position, x downwind [m].
    time_s : float or array_like
        Time since the release began [s] (broadcast with the positions).
    wind_speed_m_s, stability, release_height_m, method
        As for :func:`plume_concentration`.

    Returns
    -------
    numpy.ndarray
        C [mg/m3]; 0 upwind and before the release.

    Notes
    -----
    C = C_plume / 2 [erf((x - u max(t - T_d, 0)) / (sqrt2 sigma_x)) - erf((x - u t) / (sqrt2 sigma_x))],
    sigmas at the receptor's distance x, sigma_x = sigma_y. Tends to the plume for T_d -> infinity and
    to the puff for T_d -> 0 at fixed Q T_d.

    References
    ----------
    Palazzi, E., De Faveri, M., Fumarola, G. & Ferraiolo, G. (1982) Diffusion from a steady source of
    short duration, *Atmospheric Environment* 16, 2785-2790; CCPS (1999) §2.3.1.
    """
    q = _checks.positive("rate_kg_s", rate_kg_s, "kg/s") * 1e6
    td = _checks.positive("duration_s", duration_s, "s")
    x, y, z = _receptor_arrays(x_m, y_m, z_m)
    t = np.asarray(time_s, dtype=float)
    if not np.all(np.isfinite(t)):
        raise ReleaseInputError("time_s", "must be finite (found NaN or infinity)")
    u = transport_wind_m_s(wind_speed_m_s, release_height_m, stability, method)
    h = _checks.non_negative("release_height_m", release_height_m, "m")
    shape = np.broadcast(x, y, z, t).shape
    out = np.zeros(shape)
    down = np.broadcast_to(x > 0, shape)
    if np.any(down):
        xd, yd, zd, td_ = (np.broadcast_to(a, shape)[down] for a in (x, y, z, t))
        sy, sz = sigmas_m(xd, stability, method)
        plume = _plume(q, yd, zd, sy, sz, u, h)
        out[down] = plume * _time_factor(xd, td_, sy, u, td)
    return out


def peak_concentration(
    rate_kg_s: float,
    duration_s: float,
    x_m,
    y_m=0.0,
    z_m=0.0,
    *,
    wind_speed_m_s: float,
    stability: str,
    release_height_m: float = 0.0,
    method: str = "isc3_rural",
) -> tuple[np.ndarray, np.ndarray]:
    """Highest concentration over time of a finite-duration release, and when it occurs.

    Returns
    -------
    peak_mg_m3 : numpy.ndarray
        max_t C [mg/m3] (0 upwind).
    time_of_peak_s : numpy.ndarray
        t* = max(T_d, x/u + T_d/2) [s] (NaN upwind).

    Notes
    -----
    The time factor of :func:`release_concentration` peaks at t* = x/u + T_d/2 with value
    erf(u T_d / (2 sqrt2 sigma_x)) when x >= u T_d / 2, and at t* = T_d with value
    1/2 [erf(x / (sqrt2 sigma_x)) - erf((x - u T_d) / (sqrt2 sigma_x))] closer to the source.
    """
    q = _checks.positive("rate_kg_s", rate_kg_s, "kg/s") * 1e6
    td = _checks.positive("duration_s", duration_s, "s")
    x, y, z = _receptor_arrays(x_m, y_m, z_m)
    u = transport_wind_m_s(wind_speed_m_s, release_height_m, stability, method)
    h = _checks.non_negative("release_height_m", release_height_m, "m")
    shape = np.broadcast(x, y, z).shape
    peak = np.zeros(shape)
    when = np.full(shape, np.nan)
    down = np.broadcast_to(x > 0, shape)
    if np.any(down):
        xd, yd, zd = (np.broadcast_to(a, shape)[down] for a in (x, y, z))
        sy, sz = sigmas_m(xd, stability, method)
        factor, t_star = _peak_time_factor(xd, sy, u, td)
        peak[down] = _plume(q, yd, zd, sy, sz, u, h) * factor
        when[down] = t_star
    return peak, when


def arrival_time_s(
    duration_s: float, x_m, *, wind_speed_m_s: float, stability: str, release_height_m: float = 0.0,
    method: str = "isc3_rural", fraction: float = ARRIVAL_FRACTION,
) -> np.ndarray:
    """Time at which a finite-duration release first reaches ``fraction`` of its peak at distance x [s].

    The crosswind and vertical position scale the concentration but not its time course, so only x
    matters. NaN upwind.
    """
    td = _checks.positive("duration_s", duration_s, "s")
    frac = _checks.number("fraction", fraction)
    if not 0.0 < frac < 1.0:
        raise ReleaseInputError("fraction", f"must be within (0, 1) (found {frac:g})")
    x = np.atleast_1d(np.asarray(x_m, dtype=float))
    u = transport_wind_m_s(wind_speed_m_s, release_height_m, stability, method)
    out = np.full(x.shape, np.nan)
    down = x > 0
    if np.any(down):
        sy, _ = sigmas_m(x[down], stability, method)
        out[down] = _arrival(x[down], sy, u, td, frac)
    return out.reshape(np.shape(x_m))


# --------------------------------------------------------------------------------------------------
# Fast paths on checked arrays (x > 0, sigmas precomputed); concentrations in mg/m3 for q in mg/s.


def _receptor_arrays(x_m, y_m, z_m):
    arrays = []
    for name, value in (("x_m", x_m), ("y_m", y_m), ("z_m", z_m)):
        a = np.asarray(value, dtype=float)
        if not np.all(np.isfinite(a)):
            raise ReleaseInputError(name, "must be finite (found NaN or infinity)")
        arrays.append(a)
    if np.any(arrays[2] < 0):
        raise ReleaseInputError("z_m", "receptor height must be >= 0 m")
    return arrays


def _plume(q_mg_s, y, z, sy, sz, u, h):
    """Steady plume [mg/m3] for q in mg/s (Turner eq. 3.1)."""
    return q_mg_s / (2 * math.pi * u * sy * sz) * np.exp(-(y * y) / (2 * sy * sy)) * vertical_term(z, h, sz)


def _time_factor(x, t, sx, u, td):
    """Palazzi time factor in [0, 1]; 0 for t <= 0."""
    a = _SQRT2 * sx
    lead = _erf((x - u * np.maximum(t - td, 0.0)) / a)
    tail = _erf((x - u * t) / a)
    return np.where(t > 0, 0.5 * (lead - tail), 0.0)


def _peak_time_factor(x, sx, u, td):
    """max_t of the Palazzi time factor and the time it occurs."""
    a = _SQRT2 * sx
    far = x >= u * td / 2.0
    factor = np.where(far, _erf(u * td / (2.0 * a)), 0.5 * (_erf(x / a) - _erf((x - u * td) / a)))
    t_star = np.where(far, x / u + td / 2.0, td)
    return factor, t_star


def _arrival(x, sx, u, td, fraction, iterations: int = 60):
    """Bisection for the first t with time factor = fraction * peak factor (the factor rises up to t*)."""
    peak, t_star = _peak_time_factor(x, sx, u, td)
    target = fraction * peak
    lo = np.zeros_like(x)
    hi = t_star.copy()
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        above = _time_factor(x, mid, sx, u, td) >= target
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
    return hi
