"""Dispersion coefficients sigma_y, sigma_z: ISC3 rural, Briggs urban, GB/T 3840-91; BID and the cap.

Three curve families, chosen by ``method`` (listed in :data:`SIGMA_METHODS`):

* ``"isc3_rural"`` - the Pasquill-Gifford curves as fitted by ISC3 (sigma_y through a tangent of a
  log-linear half-angle, sigma_z piecewise power laws), exact ISC3 coefficients.
* ``"briggs_urban"`` - Briggs' urban curves (McElroy-Pooler), used by ISC3/SCREEN3 for urban sites.
* ``"gbt3840"`` - the GB/T 3840-91 (HJ/T 2.2-93) power laws, 0.5 h sampling, scaled to the averaging
  time. Recalled coefficients, not checked against the text: :data:`GBT3840_SIGMA` carries
  ``verified: False``.

The regulatory plume adds buoyancy-induced dispersion (:func:`buoyancy_induced_dispersion`) and
caps sigma_z at 5000 m (:func:`cap_sigma_z`). All functions are vectorised; the ``_``-prefixed ones
are the unchecked fast paths the engine calls on pre-validated arrays.
"""

from __future__ import annotations

import numpy as np

from parksteward.dispersion import _checks
from parksteward.dispersion.errors import DispersionInputError

#: Sigma curve families accepted by every ``method=`` argument.
SIGMA_METHODS = ("isc3_rural", "briggs_urban", "gbt3840")

#: sigma_z never exceeds this after BID [m] (ISC3; dispersion-methods §2.4).
SIGMA_Z_CAP_M = 5000.0

#: BID divisor: sigma^2 += (dh / 3.5)^2 (dispersion-methods §2.3).
BID_DIVISOR = 3.5

#: ISC3 rural sigma_y: (c, d) of theta = 0.017453293 (c - d ln x_km) by class A-F
#: (ISC3 User's Guide Vol. II, section 1.1.5; dispersion-methods §2.1).
ISC3_RURAL_SIGMA_Y = {
    "A": (24.1667, 2.5334),
    "B": (18.333, 1.8096),
    "C": (12.5, 1.0857),
    "D": (8.3330, 0.72382),
    "E": (6.25, 0.54287),
    "F": (4.1667, 0.36191),
}

#: ISC3 rural sigma_z = a x_km^b: rows (upper bound of x_km, inclusive; a; b), the last row open
#: ("beyond") (ISC3 User's Guide Vol. II, section 1.1.5; dispersion-methods §2.1).
ISC3_RURAL_SIGMA_Z = {
    "A": ((0.10, 122.8, 0.94470), (0.15, 158.080, 1.05420), (0.20, 170.22, 1.09320), (0.25, 179.52, 1.12620),
          (0.30, 217.41, 1.26440), (0.40, 258.89, 1.40940), (0.50, 346.75, 1.72830), (np.inf, 453.85, 2.11660)),
    "B": ((0.20, 90.673, 0.93198), (0.40, 98.483, 0.98332), (np.inf, 109.30, 1.09710)),
    "C": ((np.inf, 61.141, 0.91465),),
    "D": ((0.30, 34.459, 0.86974), (1.00, 32.093, 0.81066), (3.00, 32.093, 0.64403), (10.0, 33.504, 0.60486),
          (30.0, 36.650, 0.56589), (np.inf, 44.053, 0.51179)),
    "E": ((0.10, 24.26, 0.83660), (0.30, 23.331, 0.81956), (1.00, 21.628, 0.75660), (2.00, 21.628, 0.63077),
          (4.00, 22.534, 0.57154), (10.0, 24.703, 0.50527), (20.0, 26.97, 0.46713), (40.0, 35.42, 0.37615),
          (np.inf, 47.618, 0.29592)),
    "F": ((0.20, 15.209, 0.81558), (0.70, 14.457, 0.78407), (1.00, 13.953, 0.68465), (2.00, 13.953, 0.63227),
          (3.00, 14.823, 0.54503), (7.00, 16.187, 0.46490), (15.0, 17.836, 0.41507), (30.0, 22.651, 0.32681),
          (60.0, 27.074, 0.27436), (np.inf, 34.219, 0.21716)),
}

#: Briggs urban (McElroy-Pooler), x in m: sigma_y = c x (1 + 0.0004 x)^-1/2 and
#: sigma_z = a x (1 + b x)^e, by class (ISC3 User's Guide Vol. II, section 1.1.5; dispersion-methods §2.2).
BRIGGS_URBAN_SIGMA_Y = {"A": 0.32, "B": 0.32, "C": 0.22, "D": 0.16, "E": 0.11, "F": 0.11}
BRIGGS_URBAN_SIGMA_Z = {
    "A": (0.24, 0.001, 0.5),
    "B": (0.24, 0.001, 0.5),
    "C": (0.20, 0.0, 0.0),
    "D": (0.14, 0.0003, -0.5),
    "E": (0.08, 0.0015, -0.5),
    "F": (0.08, 0.0015, -0.5),
}

#: GB/T 3840-91 (HJ/T 2.2-93) power laws sigma = gamma x^alpha, x in m, 0.5 h sampling. Rows are
#: (upper bound of x in m, inclusive; alpha (exponent); gamma (multiplier)). Recalled values from
#: dispersion-methods §5.1, NOT checked against the standard's text.
GBT3840_SIGMA = {
    "source": "GB/T 3840-91 (also HJ/T 2.2-93) sigma tables, 0.5 h sampling, as recalled in dispersion-methods §5.1",
    "verified": False,
    "sampling_time_h": 0.5,
    # sigma_y(tau) = sigma_y(0.5 h) (tau / 0.5 h)^q: q below 1 h, q from 1 h up (wording to verify)
    "averaging_exponent": {"below_1h": 0.2, "from_1h": 0.3},
    "sigma_y": {
        "A": ((1000.0, 0.901074, 0.425809), (np.inf, 0.850934, 0.602052)),
        "B": ((1000.0, 0.914370, 0.281846), (np.inf, 0.865014, 0.396353)),
        "B-C": ((1000.0, 0.919325, 0.229500), (np.inf, 0.875086, 0.314238)),
        "C": ((1000.0, 0.924279, 0.177154), (np.inf, 0.885157, 0.232123)),
        "C-D": ((1000.0, 0.926849, 0.143940), (np.inf, 0.886940, 0.189396)),
        "D": ((1000.0, 0.929418, 0.110726), (np.inf, 0.888723, 0.146669)),
        "D-E": ((1000.0, 0.925118, 0.0985631), (np.inf, 0.892794, 0.124308)),
        "E": ((1000.0, 0.920818, 0.0864001), (np.inf, 0.896864, 0.101947)),
        "F": ((1000.0, 0.929418, 0.0553634), (np.inf, 0.888723, 0.0733348)),
    },
    "sigma_z": {
        "A": ((300.0, 1.12154, 0.0799904), (500.0, 1.51360, 0.00854771), (np.inf, 2.10881, 0.000211545)),
        "B": ((500.0, 0.964435, 0.127190), (np.inf, 1.09356, 0.0570251)),
        "B-C": ((500.0, 0.941015, 0.114682), (np.inf, 1.00770, 0.0757182)),
        "C": ((np.inf, 0.917595, 0.106803),),
        "C-D": ((2000.0, 0.838628, 0.126152), (10000.0, 0.756410, 0.235667), (np.inf, 0.815575, 0.136659)),
        "D": ((1000.0, 0.826212, 0.104634), (10000.0, 0.632023, 0.400167), (np.inf, 0.555360, 0.810763)),
        "D-E": ((2000.0, 0.776864, 0.111771), (10000.0, 0.572347, 0.528992), (np.inf, 0.499149, 1.03810)),
        "E": ((1000.0, 0.788370, 0.0927529), (10000.0, 0.565188, 0.433384), (np.inf, 0.414743, 1.73241)),
        "F": ((1000.0, 0.784400, 0.0620765), (10000.0, 0.525969, 0.370015), (np.inf, 0.322659, 2.40691)),
    },
}

_CLASSES = _checks.STABILITY_CLASSES


def _row_table(values):
    """Class-indexed lookup array (index 0 unused) from a per-class mapping of numbers."""
    return np.array([np.nan] + [values[c] for c in _CLASSES], dtype=float)


def _piecewise_tables(pieces, scale=1.0):
    """Flatten per-class piecewise power laws onto the union of their breakpoints.

    Returns (breakpoints, first, second, n_intervals): ``breakpoints`` sorted (searchsorted with
    side="left" gives the interval g of x, i.e. breakpoints[g-1] < x <= breakpoints[g]); ``first`` and
    ``second`` the rows' second and third columns as flat arrays indexed by
    ``stability * n_intervals + g``. ``pieces`` rows are (upper, first, second); ``scale`` converts the
    bounds' unit.
    """
    bounds = sorted({row[0] * scale for c in _CLASSES for row in pieces[c] if np.isfinite(row[0])})
    uppers = [*bounds, np.inf]
    n = len(uppers)
    first = np.full((7, n), np.nan)
    second = np.full((7, n), np.nan)
    for k, c in enumerate(_CLASSES, start=1):
        rows = pieces[c]
        piece_bounds = [row[0] * scale for row in rows]
        for g, upper in enumerate(uppers):
            j = int(np.searchsorted(piece_bounds, upper, side="left"))
            first[k, g], second[k, g] = rows[j][1], rows[j][2]
    return np.array(bounds), first.ravel(), second.ravel(), n


# ISC3 rural: sigma_y (c, d) by class; sigma_z a, b on the union of the km breakpoints.
_ISC3_C = _row_table({c: v[0] for c, v in ISC3_RURAL_SIGMA_Y.items()})
_ISC3_D = _row_table({c: v[1] for c, v in ISC3_RURAL_SIGMA_Y.items()})
_ISC3_Z_BOUNDS, _ISC3_Z_A, _ISC3_Z_B, _ISC3_Z_N = _piecewise_tables(ISC3_RURAL_SIGMA_Z)
_URBAN_Y = _row_table(BRIGGS_URBAN_SIGMA_Y)
_URBAN_ZA = _row_table({c: v[0] for c, v in BRIGGS_URBAN_SIGMA_Z.items()})
_URBAN_ZB = _row_table({c: v[1] for c, v in BRIGGS_URBAN_SIGMA_Z.items()})
_URBAN_ZE = _row_table({c: v[2] for c, v in BRIGGS_URBAN_SIGMA_Z.items()})
# GB/T 3840-91 rows are (upper, alpha, gamma): first = exponent, second = multiplier.
_GB_Y_BOUNDS, _GB_Y_ALPHA, _GB_Y_GAMMA, _GB_Y_N = _piecewise_tables(GBT3840_SIGMA["sigma_y"])
_GB_Z_BOUNDS, _GB_Z_ALPHA, _GB_Z_GAMMA, _GB_Z_N = _piecewise_tables(GBT3840_SIGMA["sigma_z"])


def check_sigma_method(method: str) -> str:
    """``method`` if it is one of :data:`SIGMA_METHODS`; ``ValueError`` naming the valid ones otherwise."""
    if method not in SIGMA_METHODS:
        raise ValueError(f"unknown sigma method {method!r}; valid methods: {', '.join(SIGMA_METHODS)}")
    return method


def gbt3840_averaging_factor(averaging_time_h):
    """GB/T 3840-91 factor on sigma_y for an averaging time other than the tables' 0.5 h (unverified).

    Parameters
    ----------
    averaging_time_h : float or array_like
        Averaging time tau [h], >= 0.5.

    Returns
    -------
    numpy.ndarray
        (tau / 0.5 h)^q [-] with q = 0.2 for tau < 1 h and q = 0.3 from 1 h up.

    References
    ----------
    GB/T 3840-91, averaging-time correction of sigma_y (wording to verify); dispersion-methods §5.1.
    """
    tau = _checks.finite("averaging_time_h", averaging_time_h)
    if np.any(tau < GBT3840_SIGMA["sampling_time_h"]):
        raise DispersionInputError("averaging_time_h", f"must be >= 0.5 h for gbt3840 (found {float(np.min(tau)):g})")
    q = np.where(tau < 1.0, GBT3840_SIGMA["averaging_exponent"]["below_1h"], GBT3840_SIGMA["averaging_exponent"]["from_1h"])
    return (tau / GBT3840_SIGMA["sampling_time_h"]) ** q


def sigma_y(x_m, stability, method: str = "isc3_rural", *, averaging_time_h=1.0):
    """Lateral dispersion coefficient sigma_y (before BID).

    Parameters
    ----------
    x_m : float or array_like
        Downwind distance [m], > 0.
    stability : int or str or array_like
        Pasquill-Gifford class, 1-6 or A-F [-].
    method : {"isc3_rural", "briggs_urban", "gbt3840"}
        Curve family (:data:`SIGMA_METHODS`).
    averaging_time_h : float or array_like
        Averaging time [h]. Used by ``gbt3840`` (tables for 0.5 h, scaled by
        :func:`gbt3840_averaging_factor`); the ISC3 curves are 1-h curves and accept only 1.0.

    Returns
    -------
    numpy.ndarray
        sigma_y [m].

    Notes
    -----
    isc3_rural: sigma_y = 465.11628 x_km tan(theta), theta = 0.017453293 (c - d ln x_km).
    briggs_urban: sigma_y = c x (1 + 0.0004 x)^(-1/2).
    gbt3840: sigma_y = gamma_1 x^alpha_1 (tau/0.5 h)^q.

    References
    ----------
    EPA-454/B-95-003b (ISC3 User's Guide Vol. II), dispersion parameters (section 1.1.5); GB/T 3840-91;
    dispersion-methods §2.1, §2.2, §5.1.
    """
    check_sigma_method(method)
    x = _checks.positive("x_m", x_m, "m")
    stab = _checks.stability_index(stability)
    sy = _sigma_y(x, stab, method)
    if method == "gbt3840":
        return sy * gbt3840_averaging_factor(averaging_time_h)
    if np.any(_checks.finite("averaging_time_h", averaging_time_h) != 1.0):
        raise DispersionInputError("averaging_time_h", f"the {method} curves are 1-h curves; only 1.0 is accepted")
    return sy


def sigma_z(x_m, stability, method: str = "isc3_rural"):
    """Vertical dispersion coefficient sigma_z (before BID and the cap).

    Parameters
    ----------
    x_m : float or array_like
        Downwind distance [m], > 0.
    stability : int or str or array_like
        Pasquill-Gifford class, 1-6 or A-F [-].
    method : {"isc3_rural", "briggs_urban", "gbt3840"}
        Curve family (:data:`SIGMA_METHODS`).

    Returns
    -------
    numpy.ndarray
        sigma_z [m].

    Notes
    -----
    isc3_rural: sigma_z = a x_km^b, piecewise in x_km (upper bounds inclusive).
    briggs_urban: A-B 0.24 x (1 + 0.001 x)^(1/2); C 0.20 x; D 0.14 x (1 + 0.0003 x)^(-1/2);
    E-F 0.08 x (1 + 0.0015 x)^(-1/2).
    gbt3840: sigma_z = gamma_2 x^alpha_2, piecewise in x.

    References
    ----------
    EPA-454/B-95-003b (ISC3 User's Guide Vol. II), dispersion parameters (section 1.1.5); GB/T 3840-91;
    dispersion-methods §2.1, §2.2, §5.1.
    """
    check_sigma_method(method)
    x = _checks.positive("x_m", x_m, "m")
    stab = _checks.stability_index(stability)
    return _sigma_z(x, stab, method)


def buoyancy_induced_dispersion(sigma_m, gradual_rise_m):
    """Add buoyancy-induced dispersion to a sigma.

    Parameters
    ----------
    sigma_m : float or array_like
        sigma_y or sigma_z from the curves [m].
    gradual_rise_m : float or array_like
        Gradual plume rise at the receptor distance [m]
        (:func:`parksteward.dispersion.rise.gradual_rise`).

    Returns
    -------
    numpy.ndarray
        sqrt(sigma^2 + (dh / 3.5)^2) [m].

    References
    ----------
    EPA-454/B-95-003b (ISC3 User's Guide Vol. II), buoyancy-induced dispersion (Pasquill 1976);
    dispersion-methods §2.3.
    """
    sigma = _checks.non_negative("sigma_m", sigma_m, "m")
    dh = _checks.non_negative("gradual_rise_m", gradual_rise_m, "m")
    return _bid(sigma, dh)


def cap_sigma_z(sigma_z_m):
    """sigma_z limited to :data:`SIGMA_Z_CAP_M` (5000 m), applied after BID.

    Parameters
    ----------
    sigma_z_m : float or array_like
        sigma_z [m].

    Returns
    -------
    numpy.ndarray
        min(sigma_z, 5000) [m].

    References
    ----------
    EPA-454/B-95-003b (ISC3 User's Guide Vol. II); dispersion-methods §2.4.
    """
    return np.minimum(_checks.non_negative("sigma_z_m", sigma_z_m, "m"), SIGMA_Z_CAP_M)


# --------------------------------------------------------------------------------------------------
# Fast paths (no validation) for the engine: x > 0 float array, stab int array 1-6, broadcastable.


def _bid(sigma, dh):
    """sqrt(sigma^2 + (dh/3.5)^2) without checks (methods §2.3)."""
    b = dh / BID_DIVISOR
    return np.sqrt(sigma * sigma + b * b)


def _sigma_y(x, stab, method):
    """sigma_y [m] without checks or averaging-time scaling; see :func:`sigma_y`."""
    if method == "isc3_rural":
        x_km = x * 1e-3
        theta = 0.017453293 * (_ISC3_C[stab] - _ISC3_D[stab] * np.log(x_km))  # ISC3 rural sigma_y (methods §2.1)
        return 465.11628 * x_km * np.tan(theta)
    if method == "briggs_urban":
        return _URBAN_Y[stab] * x / np.sqrt(1.0 + 0.0004 * x)  # Briggs urban sigma_y (methods §2.2)
    if method == "gbt3840":
        idx = np.searchsorted(_GB_Y_BOUNDS, x, side="left") + stab.astype(np.intp) * _GB_Y_N
        return np.take(_GB_Y_GAMMA, idx) * np.exp(np.take(_GB_Y_ALPHA, idx) * np.log(x))  # methods §5.1
    raise ValueError(f"unknown sigma method {method!r}; valid methods: {', '.join(SIGMA_METHODS)}")


def _sigma_z(x, stab, method):
    """sigma_z [m] without checks, BID or cap; see :func:`sigma_z`."""
    if method == "isc3_rural":
        x_km = x * 1e-3
        idx = np.searchsorted(_ISC3_Z_BOUNDS, x_km, side="left") + stab.astype(np.intp) * _ISC3_Z_N
        return np.take(_ISC3_Z_A, idx) * np.exp(np.take(_ISC3_Z_B, idx) * np.log(x_km))  # ISC3 rural sigma_z (methods §2.1)
    if method == "briggs_urban":
        # Briggs urban sigma_z (methods §2.2): a x (1 + b x)^e
        return _URBAN_ZA[stab] * x * (1.0 + _URBAN_ZB[stab] * x) ** _URBAN_ZE[stab]
    if method == "gbt3840":
        idx = np.searchsorted(_GB_Z_BOUNDS, x, side="left") + stab.astype(np.intp) * _GB_Z_N
        return np.take(_GB_Z_GAMMA, idx) * np.exp(np.take(_GB_Z_ALPHA, idx) * np.log(x))  # methods §5.1
    raise ValueError(f"unknown sigma method {method!r}; valid methods: {', '.join(SIGMA_METHODS)}")
