"""Volume sources (fugitive emissions from a building, a conveyor, a process unit) by ISC3's virtual point.

A volume source is a point source with initial spreads sigma_y0, sigma_z0 taken from its size: the
plume at distance x has the sigmas of a point source at x + x_y (lateral) and x + x_z (vertical),
where the virtual distances x_y, x_z are those at which the chosen curves reach sigma_y0 and
sigma_z0. There is no plume rise and no BID; the release height is the effective height and the
wind is taken at the release height. Receptors inside the volume (closer than 2.15 sigma_y0 + 1 m to
its centre) are not computed (0), as in ISC3/SCREEN3.

The virtual distances are found by inverting the sigma curves numerically (bisection in log x), so
they are exact for every curve family. ISC3 inverts the rural sigma_y curve through a power-law fit
instead, so rural results can differ slightly from ISC3 close to the source.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parksteward.dispersion import _checks
from parksteward.dispersion.errors import DispersionInputError
from parksteward.dispersion.plume import (
    NO_LID_M,
    _brode_mixing_height,
    _concentration,
    _mixing_height_or_no_lid,
    _regulatory_mixing_height,
    check_mixing_height_rule,
)
from parksteward.dispersion.sigma import (
    GBT3840_SIGMA,
    SIGMA_Z_CAP_M,
    _sigma_y,
    _sigma_z,
    check_sigma_method,
    gbt3840_averaging_factor,
)
from parksteward.dispersion.wind import _EXPONENT_TABLE, _stack_top_wind, check_land

#: sigma_y0 = lateral dimension / divisor (ISC3 User's Guide Vol. I, volume source initial dimensions):
#: a single volume source, or one of a line of adjacent volumes representing a line source.
LATERAL_DIVISORS = {"single": 4.3, "line": 2.15}

#: sigma_z0 = vertical dimension / divisor: a surface-based source, a source on or next to a building
#: (vertical dimension = building height), an elevated source not on a building.
VERTICAL_DIVISORS = {"surface": 2.15, "on_building": 2.15, "elevated": 4.3}

#: Receptors with x - 2.15 sigma_y0 below this are inside the volume and get 0 [m] (SCREEN3 USERX).
INSIDE_MARGIN_M = 0.99

_BISECTION_STEPS = 64
_LOG_X_RANGE = (np.log(1e-4), np.log(1e8))  # virtual distances searched between 0.1 mm and 100 000 km


@dataclass(frozen=True)
class VolumeResult:
    """Concentration and plume of a volume source; arrays of the broadcast shape of the inputs.

    Attributes
    ----------
    c_ug_m3 : numpy.ndarray
        1-h concentration [ug/m3].
    sigma_y_m, sigma_z_m : numpy.ndarray
        sigma_y(x + x_y), sigma_z(x + x_z) (capped at 5000 m) [m] (0 where not computed).
    x_y_m, x_z_m : numpy.ndarray
        Lateral and vertical virtual distances [m].
    he_m : numpy.ndarray
        Release height = effective height [m].
    us_m_s : numpy.ndarray
        Wind at the release height [m/s].
    zi_m : numpy.ndarray
        Mixing height used [m]; 10 000 means no lid.
    stability : numpy.ndarray
        Class, int8 1-6.
    method : str
        Sigma curves used.
    verified : bool
        False for the unverified ``gbt3840`` curves.
    """

    c_ug_m3: np.ndarray
    sigma_y_m: np.ndarray
    sigma_z_m: np.ndarray
    x_y_m: np.ndarray
    x_z_m: np.ndarray
    he_m: np.ndarray
    us_m_s: np.ndarray
    zi_m: np.ndarray
    stability: np.ndarray
    method: str
    verified: bool


def initial_sigma_y(lateral_dimension_m, source: str = "single"):
    """Initial lateral spread sigma_y0 of a volume source.

    Parameters
    ----------
    lateral_dimension_m : float or array_like
        Length of the side of the (square) volume [m], >= 0.
    source : {"single", "line"}
        A single volume source (side / 4.3) or one of adjacent volumes representing a line source
        (side / 2.15).

    Returns
    -------
    numpy.ndarray
        sigma_y0 [m].

    References
    ----------
    EPA-454/B-95-003a (ISC3 User's Guide Vol. I), initial lateral and vertical dimensions of volume
    sources; EPA-454/B-95-003b Vol. II, volume source model.
    """
    if source not in LATERAL_DIVISORS:
        raise ValueError(f"unknown volume source kind {source!r}; valid kinds: {', '.join(LATERAL_DIVISORS)}")
    return _checks.non_negative("lateral_dimension_m", lateral_dimension_m, "m") / LATERAL_DIVISORS[source]


def initial_sigma_z(vertical_dimension_m, source: str = "surface"):
    """Initial vertical spread sigma_z0 of a volume source.

    Parameters
    ----------
    vertical_dimension_m : float or array_like
        Vertical dimension of the source [m] (for ``"on_building"`` the building height), >= 0.
    source : {"surface", "on_building", "elevated"}
        Surface-based (/ 2.15), on or adjacent to a building (/ 2.15), elevated not on a building
        (/ 4.3).

    Returns
    -------
    numpy.ndarray
        sigma_z0 [m].

    References
    ----------
    EPA-454/B-95-003a (ISC3 User's Guide Vol. I), initial dimensions of volume sources.
    """
    if source not in VERTICAL_DIVISORS:
        raise ValueError(f"unknown volume source kind {source!r}; valid kinds: {', '.join(VERTICAL_DIVISORS)}")
    return _checks.non_negative("vertical_dimension_m", vertical_dimension_m, "m") / VERTICAL_DIVISORS[source]


def virtual_distance_y(sigma_y0_m, stability, method: str = "isc3_rural"):
    """Lateral virtual distance x_y: sigma_y(x_y) = sigma_y0 on the chosen curves.

    Parameters
    ----------
    sigma_y0_m : float or array_like
        Initial lateral spread [m], >= 0 (0 gives x_y = 0).
    stability : int or str or array_like
        Pasquill-Gifford class, 1-6 or A-F [-].
    method : {"isc3_rural", "briggs_urban", "gbt3840"}
        Sigma curves (0.5-h ``gbt3840`` tables, without averaging-time scaling).

    Returns
    -------
    numpy.ndarray
        x_y [m], found by bisection in ln x to machine precision (limited to 1e8 m).

    References
    ----------
    EPA-454/B-95-003b (ISC3 User's Guide Vol. II), volume source virtual distances.
    """
    check_sigma_method(method)
    s0 = _checks.non_negative("sigma_y0_m", sigma_y0_m, "m")
    return _virtual_distance(_sigma_y, s0, _checks.stability_index(stability), method)


def virtual_distance_z(sigma_z0_m, stability, method: str = "isc3_rural"):
    """Vertical virtual distance x_z: sigma_z(x_z) = sigma_z0 on the chosen curves.

    Parameters
    ----------
    sigma_z0_m : float or array_like
        Initial vertical spread [m], >= 0 (0 gives x_z = 0).
    stability : int or str or array_like
        Pasquill-Gifford class, 1-6 or A-F [-].
    method : {"isc3_rural", "briggs_urban", "gbt3840"}
        Sigma curves.

    Returns
    -------
    numpy.ndarray
        x_z [m], found by bisection in ln x (limited to 1e8 m).

    References
    ----------
    EPA-454/B-95-003b (ISC3 User's Guide Vol. II), volume source virtual distances.
    """
    check_sigma_method(method)
    s0 = _checks.non_negative("sigma_z0_m", sigma_z0_m, "m")
    return _virtual_distance(_sigma_z, s0, _checks.stability_index(stability), method)


def volume_source(q_g_s, release_height_m, sigma_y0_m, sigma_z0_m, x_m, *, y_m=0.0, receptor_height_m=0.0,
                  land: str = "rural", stability, u10_m_s, mixing_height_m=None,
                  mixing_height_rule: str = "regulatory", sigma_method: str | None = None,
                  averaging_time_h=1.0) -> VolumeResult:
    """1-h concentration downwind of a volume source (ISC3 virtual point source).

    Parameters
    ----------
    q_g_s : float or array_like
        Emission rate [g/s], >= 0.
    release_height_m : float or array_like
        Height of the volume's centre [m], >= 0.
    sigma_y0_m, sigma_z0_m : float or array_like
        Initial spreads [m], >= 0 (:func:`initial_sigma_y`, :func:`initial_sigma_z`).
    x_m, y_m : float or array_like
        Receptor downwind distance from the volume's centre and crosswind offset [m].
    receptor_height_m : float or array_like
        Flagpole height [m], >= 0.
    land : {"rural", "urban"}
        Land use (wind exponents, default sigmas).
    stability : int or str or array_like
        Pasquill-Gifford class, 1-6 or A-F [-].
    u10_m_s : float or array_like
        10 m wind [m/s], > 0.
    mixing_height_m : float or array_like, optional
        Observed mixing height [m]; None for ``mixing_height_rule`` (E-F: no lid).
    mixing_height_rule : {"regulatory", "brode"}
        Screening mixing-height rule.
    sigma_method : {"isc3_rural", "briggs_urban", "gbt3840"}, optional
        Default by land use.
    averaging_time_h : float
        For ``gbt3840`` sigma_y scaling [h].

    Returns
    -------
    VolumeResult
        Concentration [ug/m3], sigmas, virtual distances, wind and mixing height.

    Notes
    -----
    sigma_y = sigma_y(x + x_y), sigma_z = min(sigma_z(x + x_z), 5000 m), h_e = release height,
    u_s = wind at the release height (>= 1 m/s), then the Gaussian kernel (plume.py). 0 where
    x - 2.15 sigma_y0 < 0.99 m (inside the volume or upwind).

    References
    ----------
    EPA-454/B-95-003b (ISC3 User's Guide Vol. II), volume source model; SCREEN3 Model User's Guide
    EPA-454/B-95-004 (volume sources); SCREEN3 (13043) source, USERX.
    """
    q = _checks.non_negative("q_g_s", q_g_s, "g/s")
    h = _checks.non_negative("release_height_m", release_height_m, "m")
    sy0 = _checks.non_negative("sigma_y0_m", sigma_y0_m, "m")
    sz0 = _checks.non_negative("sigma_z0_m", sigma_z0_m, "m")
    x = _checks.finite("x_m", x_m)
    y = _checks.finite("y_m", y_m)
    zr = _checks.non_negative("receptor_height_m", receptor_height_m, "m")
    met = _met_at_release(h, stability, u10_m_s, mixing_height_m, land, mixing_height_rule, sigma_method,
                          averaging_time_h)
    stab, method = met["stability"], met["sigma_method"]
    xy = _virtual_distance(_sigma_y, sy0, stab, method)
    xz = _virtual_distance(_sigma_z, sz0, stab, method)
    c, sy, sz, outside = _volume_kernel(q, h, sy0, x, y, zr, stab, met["us"], met["zi"], method, xy, xz,
                                        met["sy_factor"])
    shape = c.shape

    def full(a, inside=None):
        return _checks.filled(a, shape, outside, inside)

    return VolumeResult(
        c_ug_m3=c, sigma_y_m=full(sy, 0.0), sigma_z_m=full(sz, 0.0), x_y_m=full(xy), x_z_m=full(xz), he_m=full(h),
        us_m_s=full(met["us"]), zi_m=full(met["zi"]), stability=full(stab), method=method,
        verified=met["verified"],
    )


# --------------------------------------------------------------------------------------------------
# Shared with area.py, and fast paths


def _met_at_release(h, stability, u10_m_s, mixing_height_m, land, mixing_height_rule, sigma_method,
                    averaging_time_h):
    """Validate the meteorology and options of a release without rise; wind and z_i at height ``h``."""
    stab = _checks.stability_index(stability)
    u10 = _checks.positive("u10_m_s", u10_m_s, "m/s")
    land = check_land(land)
    check_mixing_height_rule(mixing_height_rule)
    sigma_method = sigma_method or ("isc3_rural" if land == "rural" else "briggs_urban")
    check_sigma_method(sigma_method)
    if sigma_method == "gbt3840":
        sy_factor = gbt3840_averaging_factor(averaging_time_h)
    else:
        if np.any(_checks.finite("averaging_time_h", averaging_time_h) != 1.0):
            raise DispersionInputError("averaging_time_h", f"the {sigma_method} curves are 1-h curves; "
                                                           "only 1.0 is accepted")
        sy_factor = None
    # wind at the release height; below 10 m the 10 m wind (methods §1.1)
    us = _stack_top_wind(u10, h, _EXPONENT_TABLE[land][stab])
    if mixing_height_m is None:
        rule = _regulatory_mixing_height if mixing_height_rule == "regulatory" else _brode_mixing_height
        zi = rule(u10, stab, h)
    else:
        zi = np.where(stab >= 5, NO_LID_M, np.minimum(_mixing_height_or_no_lid(mixing_height_m), NO_LID_M))
    return {
        "stability": stab, "us": us, "zi": zi, "sigma_method": sigma_method, "sy_factor": sy_factor,
        "verified": sigma_method != "gbt3840" or bool(GBT3840_SIGMA["verified"]),
    }


def _volume_kernel(q, h, sy0, x, y, zr, stab, us, zi, method, xy, xz, sy_factor=None):
    """Concentration [ug/m3], sigmas and the outside-the-volume mask, no checks (see :func:`volume_source`).

    Receptors inside the volume (x - 2.15 sigma_y0 below :data:`INSIDE_MARGIN_M`) get 0; their
    sigmas are evaluated at 1 m and not meant to be used.
    """
    outside = (x - 2.15 * sy0) >= INSIDE_MARGIN_M
    xe = np.where(outside, x, 1.0)
    sy = _sigma_y(xe + xy, stab, method)
    if sy_factor is not None:
        sy = sy * sy_factor
    sz = np.minimum(_sigma_z(xe + xz, stab, method), SIGMA_Z_CAP_M)
    return _concentration(q, np.where(outside, x, 0.0), y, zr, h, sy, sz, us, zi), sy, sz, outside


def _virtual_distance(curve, sigma0, stab, method):
    """x with curve(x) = sigma0 by bisection in ln x (no checks); 0 where sigma0 = 0.

    ``curve`` is :func:`parksteward.dispersion.sigma._sigma_y` or ``_sigma_z`` (increasing in x).
    """
    shape = np.broadcast_shapes(np.shape(sigma0), np.shape(stab))
    target = np.broadcast_to(sigma0, shape)
    k = np.broadcast_to(stab, shape)
    lo = np.full(shape, _LOG_X_RANGE[0])
    hi = np.full(shape, _LOG_X_RANGE[1])
    for _ in range(_BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        below = curve(np.exp(mid), k, method) < target
        lo = np.where(below, mid, lo)
        hi = np.where(below, hi, mid)
    return np.where(target > 0.0, np.exp(0.5 * (lo + hi)), 0.0)
