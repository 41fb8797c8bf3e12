"""Wind at the release height: the power-law profile of ISC3/SCREEN3 and its 1 m/s floor.

The regulatory Gaussian plume uses the wind at stack top, extrapolated from the 10 m anemometer
with a power law whose exponent depends on the Pasquill-Gifford class and on the land use
(rural or urban). Below the anemometer height the wind is taken as constant, and the stack-top
wind is never below 1.0 m/s (the ISC minimum wind convention).

Stability classes are int arrays 1-6 (A-F) everywhere in the package; public functions also
accept the letters (:func:`parksteward.dispersion._checks.stability_index`).
"""

from __future__ import annotations

import numpy as np

from parksteward.dispersion import _checks
from parksteward.dispersion.errors import DispersionInputError

LAND_USES = ("rural", "urban")

#: Power-law exponents p by class A-F (dispersion-methods §1.1; ISC3 User's Guide Vol. II,
#: wind speed profile; the same values are the PRURAL/PURBAN tables of SCREEN3).
WIND_PROFILE_EXPONENTS = {
    "rural": (0.07, 0.07, 0.10, 0.15, 0.35, 0.55),
    "urban": (0.15, 0.15, 0.20, 0.25, 0.30, 0.30),
}

#: Stack-top wind floor [m/s]: ISC3/SCREEN3 never use a wind below 1.0 m/s.
MIN_WIND_SPEED_M_S = 1.0

#: Regulatory anemometer height [m].
ANEMOMETER_HEIGHT_M = 10.0

# Lookup tables indexed directly by the class number 1-6 (index 0 unused).
_EXPONENT_TABLE = {land: np.array((np.nan, *p)) for land, p in WIND_PROFILE_EXPONENTS.items()}


def check_land(land: str) -> str:
    """``land`` lower-cased if it is ``"rural"`` or ``"urban"``; raises naming the valid ones otherwise."""
    value = str(land).strip().lower()
    if value not in LAND_USES:
        raise DispersionInputError("land", f"unknown land use {land!r}, expected one of {', '.join(LAND_USES)}")
    return value


def profile_exponent(stability, land: str = "rural") -> np.ndarray:
    """Wind-profile exponent p for each stability class.

    Parameters
    ----------
    stability : int or str or array_like
        Pasquill-Gifford class, 1-6 or A-F [-].
    land : {"rural", "urban"}
        Land use of the site.

    Returns
    -------
    numpy.ndarray
        Exponent p [-], same shape as ``stability``.

    References
    ----------
    EPA-454/B-95-003b (ISC3 User's Guide Vol. II), wind speed profile (section 1.1.3);
    dispersion-methods §1.1.
    """
    return _EXPONENT_TABLE[check_land(land)][_checks.stability_index(stability)]


def stack_top_wind(u10_m_s, height_m, stability, land: str = "rural", *, anemometer_height_m=ANEMOMETER_HEIGHT_M):
    """Wind speed at the release height from the anemometer wind, ISC3 convention.

    Parameters
    ----------
    u10_m_s : float or array_like
        Wind speed at the anemometer height [m/s], > 0.
    height_m : float or array_like
        Release (stack) height [m], > 0.
    stability : int or str or array_like
        Pasquill-Gifford class, 1-6 or A-F [-].
    land : {"rural", "urban"}
        Selects the exponent table.
    anemometer_height_m : float or array_like
        Anemometer height z_ref [m]; 10 m is the regulatory default.

    Returns
    -------
    numpy.ndarray
        Stack-top wind u_s [m/s], broadcast shape of the inputs.

    Notes
    -----
    u_s = max(1.0, u_ref * (max(h, z_ref) / z_ref) ** p): the power law above the anemometer, a
    constant wind below it, and the 1.0 m/s floor.

    References
    ----------
    EPA-454/B-95-003b (ISC3 User's Guide Vol. II), section 1.1.3; SCREEN3 Model User's Guide
    EPA-454/B-95-004; dispersion-methods §1.1.
    """
    u10 = _checks.positive("u10_m_s", u10_m_s, "m/s")
    height = _checks.positive("height_m", height_m, "m")
    zref = _checks.positive("anemometer_height_m", anemometer_height_m, "m")
    p = profile_exponent(stability, land)
    return _stack_top_wind(u10, height, p, zref)


def _stack_top_wind(u10, height, p, zref=ANEMOMETER_HEIGHT_M):
    """Fast path of :func:`stack_top_wind` on pre-validated arrays (no checks).

    Parameters
    ----------
    u10 : numpy.ndarray
        Anemometer wind [m/s].
    height : numpy.ndarray
        Release height [m].
    p : numpy.ndarray
        Profile exponent [-] (see :func:`profile_exponent`).
    zref : float or numpy.ndarray
        Anemometer height [m].

    Returns
    -------
    numpy.ndarray
        u_s [m/s].
    """
    # power law above the anemometer, constant wind below it (methods §1.1)
    us = np.power(np.maximum(height, zref) / zref, p) * u10
    return np.maximum(us, MIN_WIND_SPEED_M_S)  # ISC floor u_s >= 1.0 m/s (methods §1.1)
