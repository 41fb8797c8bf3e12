"""A single stack, end to end: the regulatory ISC3/SCREEN3 point source and its screening searches.

:func:`point_source` chains the pieces of the package for given meteorology: stack-top wind
(:mod:`~parksteward.dispersion.wind`), stack-tip downwash and final rise
(:mod:`~parksteward.dispersion.rise`), sigmas with buoyancy-induced dispersion and the sigma_z cap
(:mod:`~parksteward.dispersion.sigma`), the mixing height and the Gaussian kernel
(:mod:`~parksteward.dispersion.plume`). :func:`screen_full_meteorology` is SCREEN3's "full
meteorology": the worst case over the standard wind speeds of every class at each distance.
:func:`max_concentration` finds the highest 1-h concentration between two distances the way
SCREEN3's automated distance option does (a coarse sweep, then an iterative refinement).

Flat terrain and no building downwash only: building dimensions or a terrain height above the
stack base raise :class:`~parksteward.dispersion.errors.OutOfScope` instead of being ignored.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parksteward.dispersion import _checks
from parksteward.dispersion.errors import DispersionInputError, OutOfScope
from parksteward.dispersion.plume import (
    NO_LID_M,
    _brode_mixing_height,
    _concentration,
    _mixing_height_or_no_lid,
    _regulatory_mixing_height,
    check_mixing_height_rule,
)
from parksteward.dispersion.rise import (
    GBT13201_RISE,
    _gbt13201_rise,
    _gradual_rise,
    _rise_from_checked,
    _stack_tip_downwash,
    check_rise_method,
)
from parksteward.dispersion.sigma import (
    GBT3840_SIGMA,
    SIGMA_Z_CAP_M,
    _bid,
    _sigma_y,
    _sigma_z,
    check_sigma_method,
    gbt3840_averaging_factor,
)
from parksteward.dispersion.wind import _EXPONENT_TABLE, _stack_top_wind, check_land

#: SCREEN3's set of 10 m wind speeds for full meteorology [m/s] (dispersion-methods §3.3).
SCREEN_WIND_SPEEDS_M_S = (1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 8.0, 10.0, 15.0, 20.0)

#: Highest 10 m wind tried for each class in full meteorology [m/s] (dispersion-methods §3.3).
SCREEN_MAX_WIND_M_S = {"A": 3.0, "B": 5.0, "C": 10.0, "D": 20.0, "E": 5.0, "F": 4.0}

#: SCREEN3's automated distance array [m]: 100 m steps to 3 km, 500 m to 10 km, 5 km to 30 km,
#: 10 km to 50 km (SCREEN3 Model User's Guide EPA-454/B-95-004, automated distances).
SCREEN_AUTOMATED_DISTANCES_M = tuple(
    [100.0 * i for i in range(1, 31)]
    + [3000.0 + 500.0 * i for i in range(1, 15)]
    + [15000.0, 20000.0, 25000.0, 30000.0, 40000.0, 50000.0]
)

#: Relative offsets SCREEN3 tries around the best coarse distance before its step search.
SCREEN_REFINEMENT_FACTORS = (-0.95, -0.90, -0.85, -0.8, -0.75, -0.7, -0.65, -0.6, -0.55, -0.5, -0.45, -0.4, -0.35,
                             -0.3, -0.25, -0.2, -0.15, -0.1, -0.05, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5)

#: At most this many single steps in the refinement (SCREEN3 stops its iteration at 50).
SCREEN_MAX_STEPS = 50

#: Beyond this distance SCREEN3 raises 10 m winds below 2 m/s to 2 m/s [m].
SCREEN_FAR_DISTANCE_M = 50000.0


@dataclass(frozen=True)
class PointResult:
    """Concentration and plume of a stack; every array field has the broadcast shape of the inputs.

    Attributes
    ----------
    c_ug_m3 : numpy.ndarray
        1-h concentration [ug/m3]; 0 upwind (x <= 0).
    x_m, y_m, receptor_height_m : numpy.ndarray
        Receptor downwind distance, crosswind offset and flagpole height [m].
    he_m : numpy.ndarray
        Effective plume height [m].
    h_prime_m : numpy.ndarray
        Stack height after stack-tip downwash [m].
    delta_h_m : numpy.ndarray
        Final plume rise [m].
    gradual_rise_m : numpy.ndarray
        Rise used for buoyancy-induced dispersion at x [m] (0 where BID does not apply).
    sigma_y_m, sigma_z_m : numpy.ndarray
        Dispersion coefficients at x after BID and the cap [m] (0 upwind).
    us_m_s, u10_m_s : numpy.ndarray
        Stack-top and 10 m wind [m/s].
    zi_m : numpy.ndarray
        Mixing height used [m]; 10 000 means no lid.
    stability : numpy.ndarray
        Pasquill-Gifford class, int8 1-6 (A-F).
    fb_m4_s3, fm_m4_s2 : numpy.ndarray
        Buoyancy [m4/s3] and momentum [m4/s2] fluxes.
    buoyant : numpy.ndarray
        True where the rise is buoyancy-dominated (bool).
    xf_m : numpy.ndarray
        Distance to final rise [m].
    method : str
        ``"ISC3"``, ``"GB/T 3840-91"`` or ``"rise=..., sigma=..."`` for a mix.
    verified : bool
        False when any coefficient set used is not checked against its standard.
    """

    c_ug_m3: np.ndarray
    x_m: np.ndarray
    y_m: np.ndarray
    receptor_height_m: np.ndarray
    he_m: np.ndarray
    h_prime_m: np.ndarray
    delta_h_m: np.ndarray
    gradual_rise_m: np.ndarray
    sigma_y_m: np.ndarray
    sigma_z_m: np.ndarray
    us_m_s: np.ndarray
    u10_m_s: np.ndarray
    zi_m: np.ndarray
    stability: np.ndarray
    fb_m4_s3: np.ndarray
    fm_m4_s2: np.ndarray
    buoyant: np.ndarray
    xf_m: np.ndarray
    method: str
    verified: bool


@dataclass(frozen=True)
class ScreenResult:
    """Worst case over the screening meteorology at each distance (arrays shaped like ``x_m``).

    Attributes
    ----------
    x_m : numpy.ndarray
        Downwind distance [m].
    c_ug_m3 : numpy.ndarray
        Highest 1-h concentration over the (class, wind) pairs tried [ug/m3].
    stability : numpy.ndarray
        Controlling class, int8 1-6 (A-F).
    u10_m_s, us_m_s : numpy.ndarray
        Controlling 10 m and stack-top wind [m/s].
    zi_m, he_m, sigma_y_m, sigma_z_m : numpy.ndarray
        Mixing height, effective height and sigmas of the controlling case [m].
    method : str
        As :attr:`PointResult.method`.
    verified : bool
        As :attr:`PointResult.verified`.
    """

    x_m: np.ndarray
    c_ug_m3: np.ndarray
    stability: np.ndarray
    u10_m_s: np.ndarray
    us_m_s: np.ndarray
    zi_m: np.ndarray
    he_m: np.ndarray
    sigma_y_m: np.ndarray
    sigma_z_m: np.ndarray
    method: str
    verified: bool


@dataclass(frozen=True)
class MaxResult:
    """Highest 1-h concentration found between two distances, with its conditions (floats).

    Attributes
    ----------
    x_m : float
        Distance of the maximum [m].
    c_ug_m3 : float
        The maximum 1-h concentration [ug/m3].
    stability : int
        Controlling class 1-6 (A-F).
    u10_m_s, us_m_s : float
        Controlling 10 m and stack-top wind [m/s].
    zi_m, he_m, sigma_y_m, sigma_z_m : float
        Mixing height, effective height and sigmas at the maximum [m].
    coarse : ScreenResult
        The coarse sweep the refinement started from.
    evaluations : int
        Distances evaluated in the refinement (after the sweep).
    method : str
        As :attr:`PointResult.method`.
    verified : bool
        As :attr:`PointResult.verified`.
    """

    x_m: float
    c_ug_m3: float
    stability: int
    u10_m_s: float
    us_m_s: float
    zi_m: float
    he_m: float
    sigma_y_m: float
    sigma_z_m: float
    coarse: ScreenResult
    evaluations: int
    method: str
    verified: bool


# --------------------------------------------------------------------------------------------------
# Public API


def point_source(q_g_s, stack_height_m, diameter_m, exit_velocity_m_s, exit_temperature_k, ambient_temperature_k,
                 x_m, *, y_m=0.0, receptor_height_m=0.0, land: str = "rural", stability, u10_m_s,
                 mixing_height_m=None, mixing_height_rule: str = "regulatory", rise_method: str = "briggs",
                 sigma_method: str | None = None, averaging_time_h=1.0, pressure_hpa=1013.25,
                 temperature_gradient_k_m=0.01, building_height_m=None, building_width_m=None,
                 building_length_m=None, terrain_height_m=None) -> PointResult:
    """1-h concentration downwind of a stack for given meteorology (ISC3/SCREEN3 regulatory default).

    Parameters
    ----------
    q_g_s : float or array_like
        Emission rate [g/s], >= 0.
    stack_height_m : float or array_like
        Physical stack height [m], > 0.
    diameter_m : float or array_like
        Inside stack diameter [m], > 0.
    exit_velocity_m_s : float or array_like
        Exit velocity [m/s], > 0.
    exit_temperature_k : float or array_like
        Exit gas temperature [K], > 0 (raised to ambient when lower).
    ambient_temperature_k : float or array_like
        Ambient temperature [K], > 0.
    x_m : float or array_like
        Downwind distance of the receptor [m]; x <= 0 (upwind) gives 0.
    y_m : float or array_like
        Crosswind offset of the receptor [m].
    receptor_height_m : float or array_like
        Flagpole height of the receptor [m], >= 0.
    land : {"rural", "urban"}
        Land use: wind-profile exponents and the default sigmas (ISC3 rural / Briggs urban).
    stability : int or str or array_like
        Pasquill-Gifford class, 1-6 or A-F [-].
    u10_m_s : float or array_like
        Wind at 10 m [m/s], > 0.
    mixing_height_m : float or array_like, optional
        Observed mixing height [m] (hourly runs), > 0; inf or >= 10 000 m is no lid. None applies
        ``mixing_height_rule``. For E-F the lid is ignored (no lid), as in ISC3.
    mixing_height_rule : {"regulatory", "brode"}
        Screening rule when ``mixing_height_m`` is None (see
        :func:`parksteward.dispersion.plume.regulatory_mixing_height`).
    rise_method : {"briggs", "gbt13201"}
        Plume rise (:func:`parksteward.dispersion.rise.plume_rise`). BID applies with ``"briggs"`` only.
    sigma_method : {"isc3_rural", "briggs_urban", "gbt3840"}, optional
        Sigma curves; default ``"isc3_rural"`` for rural, ``"briggs_urban"`` for urban land.
    averaging_time_h : float
        Averaging time for the ``gbt3840`` sigma_y scaling [h]; ISC3 curves accept only 1.0.
    pressure_hpa, temperature_gradient_k_m : float or array_like
        Ambient pressure [hPa] and temperature gradient [K/m] for the ``gbt13201`` rise.
    building_height_m, building_width_m, building_length_m : float, optional
        Building dimensions [m]. Any value > 0 needs building downwash: raises OutOfScope.
    terrain_height_m : float, optional
        Terrain height above stack base [m]. Any value > 0 needs (simple or complex) terrain
        treatment: raises OutOfScope.

    Returns
    -------
    PointResult
        Frozen dataclass of arrays (concentration, plume height, sigmas, winds, mixing height ...).

    Raises
    ------
    DispersionInputError
        Non-physical input (zero or negative wind, stack height, diameter, exit velocity, exit or
        ambient temperature; NaN receptor coordinates; unknown stability class), naming it.
    OutOfScope
        Inputs that need building downwash or terrain.
    ValueError
        Unknown ``rise_method``, ``sigma_method`` or ``mixing_height_rule``.

    Notes
    -----
    u_s from the power law (wind.py); h' by stack-tip downwash, h_e = h' + final Briggs rise (rise.py);
    sigmas at x with BID sigma^2 + (dh_g/3.5)^2 and sigma_z <= 5000 m (sigma.py); z_i by the
    regulatory rule; C = Q 10^6 V exp(-y^2/2 sy^2) / (2 pi u_s sy sz) (plume.py).

    References
    ----------
    EPA-454/B-95-003b (ISC3 User's Guide Vol. II) eq. 1-1 and section 1.1; SCREEN3 Model User's Guide
    EPA-454/B-95-004; dispersion-methods §1-§3.
    """
    _refuse_out_of_scope(building_height_m, building_width_m, building_length_m, terrain_height_m)
    args = _check_source(q_g_s, stack_height_m, diameter_m, exit_velocity_m_s, exit_temperature_k,
                         ambient_temperature_k)
    x = _checks.finite("x_m", x_m)
    y = _checks.finite("y_m", y_m)
    zr = _checks.non_negative("receptor_height_m", receptor_height_m, "m")
    stab = _checks.stability_index(stability)
    u10 = _checks.positive("u10_m_s", u10_m_s, "m/s")
    zi = None if mixing_height_m is None else _mixing_height_or_no_lid(mixing_height_m)
    options = _check_options(land, mixing_height_rule, rise_method, sigma_method, averaging_time_h, pressure_hpa,
                             temperature_gradient_k_m)
    return _point(*args, x, y, zr, stab, u10, zi, options)


def screen_full_meteorology(q_g_s, stack_height_m, diameter_m, exit_velocity_m_s, exit_temperature_k,
                            ambient_temperature_k, x_m, *, receptor_height_m=0.0, land: str = "rural",
                            stability=None, u10_m_s=None, mixing_height_rule: str = "regulatory",
                            rise_method: str = "briggs", sigma_method: str | None = None, averaging_time_h=1.0,
                            pressure_hpa=1013.25, temperature_gradient_k_m=0.01, building_height_m=None,
                            building_width_m=None, building_length_m=None, terrain_height_m=None) -> ScreenResult:
    """SCREEN3 "full meteorology": the worst case over classes and wind speeds at each distance.

    Parameters
    ----------
    q_g_s, stack_height_m, diameter_m, exit_velocity_m_s, exit_temperature_k, ambient_temperature_k : float
        One stack, as in :func:`point_source` ([g/s], [m], [m], [m/s], [K], [K]).
    x_m : float or array_like
        Downwind distances on the plume centreline [m]; x <= 0 gives 0.
    receptor_height_m : float
        Flagpole height [m].
    land : {"rural", "urban"}
        Land use.
    stability : int or str or sequence, optional
        Classes to try; None (or ``"full"``) for all six A-F. One class alone is SCREEN3's "single
        stability class" choice.
    u10_m_s : float, optional
        A single 10 m wind to use instead of the standard set (SCREEN3's "single stability class and
        wind speed" choice); the per-class caps then do not apply.
    mixing_height_rule, rise_method, sigma_method, averaging_time_h, pressure_hpa, temperature_gradient_k_m
        As in :func:`point_source`.
    building_height_m, building_width_m, building_length_m, terrain_height_m : float, optional
        Refused with OutOfScope when > 0, as in :func:`point_source`.

    Returns
    -------
    ScreenResult
        Per distance: highest concentration [ug/m3], controlling class and winds, z_i, h_e, sigmas.

    Notes
    -----
    Each class is tried with the 10 m winds 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 8, 10, 15, 20 m/s up to
    its cap (A 3, B 5, C 10, D 20, E 5, F 4 m/s), with the regulatory mixing height (A-D 320 u10
    within [h_e + 1, 10 000] m; E-F no lid). Beyond 50 km winds below 2 m/s are raised to 2 m/s, as
    SCREEN3 does. Ties go to the first pair in class order, then wind order (SCREEN3's loop order).

    References
    ----------
    SCREEN3 Model User's Guide EPA-454/B-95-004 (full meteorology); SCREEN3 (13043) source, USERX;
    dispersion-methods §3.1, §3.3.
    """
    evaluate, _ = _screening_evaluator(
        q_g_s, stack_height_m, diameter_m, exit_velocity_m_s, exit_temperature_k, ambient_temperature_k,
        receptor_height_m, land, stability, u10_m_s, mixing_height_rule, rise_method, sigma_method,
        averaging_time_h, pressure_hpa, temperature_gradient_k_m,
        (building_height_m, building_width_m, building_length_m, terrain_height_m))
    return evaluate(_checks.finite("x_m", x_m))


def max_concentration(q_g_s, stack_height_m, diameter_m, exit_velocity_m_s, exit_temperature_k,
                      ambient_temperature_k, *, xmin_m, xmax_m, receptor_height_m=0.0, land: str = "rural",
                      stability=None, u10_m_s=None, mixing_height_rule: str = "regulatory",
                      rise_method: str = "briggs", sigma_method: str | None = None, averaging_time_h=1.0,
                      pressure_hpa=1013.25, temperature_gradient_k_m=0.01, building_height_m=None,
                      building_width_m=None, building_length_m=None, terrain_height_m=None) -> MaxResult:
    """Highest 1-h centreline concentration between ``xmin_m`` and ``xmax_m``, searched as SCREEN3 does.

    Parameters
    ----------
    q_g_s, stack_height_m, diameter_m, exit_velocity_m_s, exit_temperature_k, ambient_temperature_k : float
        One stack, as in :func:`point_source` ([g/s], [m], [m], [m/s], [K], [K]).
    xmin_m, xmax_m : float
        Search range [m], 0 < xmin <= xmax; distances below 1 m are not searched (SCREEN3's minimum).
    receptor_height_m : float
        Flagpole height [m].
    land, stability, u10_m_s, mixing_height_rule, rise_method, sigma_method, averaging_time_h, pressure_hpa,
    temperature_gradient_k_m, building_height_m, building_width_m, building_length_m, terrain_height_m
        As in :func:`screen_full_meteorology`: with ``stability`` None all classes and the standard
        winds (full meteorology); a class and ``u10_m_s`` for a single condition.

    Returns
    -------
    MaxResult
        The maximum, its distance and controlling conditions, and the coarse sweep.

    Notes
    -----
    The search follows SCREEN3's automated distances (AUTOX) and iteration (TPMX), each distance
    evaluated as the worst case over the meteorology tried:

    1. Coarse sweep over SCREEN3's automated distances (100 m steps to 3 km, 500 m to 10 km, 5 km to
       30 km, 10 km to 50 km) that lie in (xmin, xmax], plus max(100 m, xmin), xmin and xmax.
    2. Around the best coarse distance x_c, try x_c (1 + f) for f = -0.95 ... -0.05, 0.05 ... 0.5.
    3. From the best so far, step by -10 m (x <= 1 km), -100 m (<= 10 km) or -1 km while the
       concentration rises; when it falls, reverse and divide the step by 10; stop below 1 m steps or
       after 50 steps.

    Departures from SCREEN3: the sweep also includes xmin and xmax, and the result is the highest of
    all evaluated points (SCREEN3 reports the higher of the sweep and the iteration's end point); both
    can only raise the maximum found. Every step is kept within [xmin, xmax], whereas SCREEN3 bounds
    the search only from below: for a maximum just beyond xmax, SCREEN3 may report a distance past
    xmax and this function reports xmax. As the reference notes, the located distance may differ by
    a few metres between implementations (here 777 m, as SCREEN3, for its published test case).

    References
    ----------
    SCREEN3 Model User's Guide EPA-454/B-95-004 (automated distance array, iteration to the nearest
    metre); SCREEN3 (13043) source, AUTOX and TPMX; dispersion-methods §3.3.
    """
    lo = _checks.positive("xmin_m", xmin_m, "m")
    hi = _checks.positive("xmax_m", xmax_m, "m")
    if lo.ndim or hi.ndim:
        raise DispersionInputError("xmin_m", "xmin_m and xmax_m must be single numbers")
    lo, hi = float(lo), float(hi)
    if hi < lo:
        raise DispersionInputError("xmax_m", f"must be >= xmin_m ({lo:g} m), found {hi:g}")
    if hi < 1.0:
        raise DispersionInputError("xmax_m", f"must be >= 1 m (the smallest distance searched), found {hi:g}")
    lo = max(lo, 1.0)
    evaluate, _ = _screening_evaluator(
        q_g_s, stack_height_m, diameter_m, exit_velocity_m_s, exit_temperature_k, ambient_temperature_k,
        receptor_height_m, land, stability, u10_m_s, mixing_height_rule, rise_method, sigma_method,
        averaging_time_h, pressure_hpa, temperature_gradient_k_m,
        (building_height_m, building_width_m, building_length_m, terrain_height_m))

    def conc(x):
        return float(evaluate(np.array([x])).c_ug_m3[0])

    # 1. coarse sweep (AUTOX)
    auto = np.array(SCREEN_AUTOMATED_DISTANCES_M)
    sweep = {lo, hi, min(max(100.0, lo), hi), *auto[(auto > lo) & (auto <= hi)].tolist()}
    coarse = evaluate(np.array(sorted(sweep)))
    i = int(np.argmax(coarse.c_ug_m3))
    best_c, best_x = float(coarse.c_ug_m3[i]), float(coarse.x_m[i])
    steps = 0
    if best_c > 0.0:
        # 2. relative offsets around the coarse maximum (TPMX first loop)
        trial = np.clip(best_x * (1.0 + np.array(SCREEN_REFINEMENT_FACTORS)), lo, hi)
        scan = evaluate(trial)
        j = int(np.argmax(scan.c_ug_m3))
        if scan.c_ug_m3[j] > best_c:
            best_c, best_x = float(scan.c_ug_m3[j]), float(trial[j])
        # 3. reversing step search with steps divided by 10 (TPMX second loop)
        x, c_last = best_x, best_c
        dx = 100.0 if x <= 1000.0 else 1000.0 if x <= 10000.0 else 10000.0
        if x == lo:
            dx = -dx
        done = False
        while not done:
            dx = -0.1 * dx
            if abs(dx) < 1.0:
                break
            while True:
                x_new = min(max(x + dx, lo), hi)
                if x_new == x:  # at a bound: turn round as if the concentration had fallen
                    break
                x = x_new
                c = conc(x)
                steps += 1
                if c > best_c:
                    best_c, best_x = c, x
                if steps >= SCREEN_MAX_STEPS:
                    done = True
                    break
                fell = c < c_last
                c_last = c
                if fell:
                    break
    at = evaluate(np.array([best_x]))
    return MaxResult(
        x_m=best_x, c_ug_m3=float(at.c_ug_m3[0]), stability=int(at.stability[0]), u10_m_s=float(at.u10_m_s[0]),
        us_m_s=float(at.us_m_s[0]), zi_m=float(at.zi_m[0]), he_m=float(at.he_m[0]),
        sigma_y_m=float(at.sigma_y_m[0]), sigma_z_m=float(at.sigma_z_m[0]), coarse=coarse, evaluations=steps,
        method=coarse.method, verified=coarse.verified,
    )


def screening_meteorology(stability=None, u10_m_s=None):
    """The (class, 10 m wind) pairs SCREEN3 tries, in its loop order.

    Parameters
    ----------
    stability : int or str or sequence, optional
        Classes to include; None or ``"full"`` for A-F.
    u10_m_s : float, optional
        One wind for every class instead of the capped standard set [m/s].

    Returns
    -------
    numpy.ndarray
        Structured pairs as a (2, n) float array: row 0 the class 1-6, row 1 the 10 m wind [m/s].

    References
    ----------
    SCREEN3 Model User's Guide EPA-454/B-95-004; dispersion-methods §3.3.
    """
    if stability is None or (isinstance(stability, str) and stability.strip().lower() == "full"):
        classes = np.arange(1, 7, dtype=np.int8)
    else:
        classes = np.unique(_checks.stability_index(np.atleast_1d(np.asarray(stability))))
    if u10_m_s is not None:
        u = _checks.positive("u10_m_s", u10_m_s, "m/s")
        if u.ndim:
            raise DispersionInputError("u10_m_s", "must be a single wind speed for the screening search")
        pairs = [(int(k), float(u)) for k in classes]
    else:
        caps = [SCREEN_MAX_WIND_M_S[c] for c in _checks.STABILITY_CLASSES]
        pairs = [(int(k), s) for k in classes for s in SCREEN_WIND_SPEEDS_M_S if s <= caps[k - 1]]
    return np.array(pairs, dtype=float).T


# --------------------------------------------------------------------------------------------------
# Internals


def _refuse_out_of_scope(building_height_m, building_width_m, building_length_m, terrain_height_m):
    for name, value in (("building_height_m", building_height_m), ("building_width_m", building_width_m),
                        ("building_length_m", building_length_m)):
        if value is None:
            continue
        v = _checks.non_negative(name, value, "m")
        if np.any(v > 0):
            raise OutOfScope(name, "building downwash (Huber-Snyder / Schulman-Scire, cavity) is not implemented; "
                                   "this core models isolated stacks only (leave building dimensions unset or 0)")
    if terrain_height_m is not None:
        t = _checks.non_negative("terrain_height_m", terrain_height_m, "m")
        if np.any(t > 0):
            raise OutOfScope("terrain_height_m", "elevated and complex terrain are not implemented; this core models "
                                                 "flat terrain only (leave terrain height unset or 0)")


def _check_source(q_g_s, stack_height_m, diameter_m, exit_velocity_m_s, exit_temperature_k, ambient_temperature_k):
    return (
        _checks.non_negative("q_g_s", q_g_s, "g/s"),
        _checks.positive("stack_height_m", stack_height_m, "m"),
        _checks.positive("diameter_m", diameter_m, "m"),
        _checks.positive("exit_velocity_m_s", exit_velocity_m_s, "m/s"),
        _checks.positive("exit_temperature_k", exit_temperature_k, "K"),
        _checks.positive("ambient_temperature_k", ambient_temperature_k, "K"),
    )


def _check_options(land, mixing_height_rule, rise_method, sigma_method, averaging_time_h, pressure_hpa,
                   temperature_gradient_k_m):
    land = check_land(land)
    check_mixing_height_rule(mixing_height_rule)
    check_rise_method(rise_method)
    sigma_method = sigma_method or ("isc3_rural" if land == "rural" else "briggs_urban")
    check_sigma_method(sigma_method)
    if sigma_method == "gbt3840":
        sy_factor = gbt3840_averaging_factor(averaging_time_h)
    else:
        tau = _checks.finite("averaging_time_h", averaging_time_h)
        if np.any(tau != 1.0):
            raise DispersionInputError("averaging_time_h", f"the {sigma_method} curves are 1-h curves; "
                                                           "only 1.0 is accepted")
        sy_factor = None
    gb_rise = rise_method == "gbt13201"
    pa = _checks.positive("pressure_hpa", pressure_hpa, "hPa") if gb_rise else None
    gradient = _checks.finite("temperature_gradient_k_m", temperature_gradient_k_m) if gb_rise else None
    if rise_method == "briggs" and sigma_method != "gbt3840":
        method, verified = "ISC3", True
    elif gb_rise and sigma_method == "gbt3840":
        method = "GB/T 3840-91"
        verified = bool(GBT13201_RISE["verified"] and GBT3840_SIGMA["verified"])
    else:
        method = f"rise={rise_method}, sigma={sigma_method}"
        verified = bool((not gb_rise or GBT13201_RISE["verified"])
                        and (sigma_method != "gbt3840" or GBT3840_SIGMA["verified"]))
    return {
        "land": land, "rule": mixing_height_rule, "rise": rise_method, "sigma": sigma_method,
        "sy_factor": sy_factor, "pa": pa, "gradient": gradient, "method": method, "verified": verified,
    }


def _point(q, hs, d, vs, ts, ta, x, y, zr, stab, u10, zi_given, o) -> PointResult:
    """Whole point-source calculation on validated arrays (see :func:`point_source`)."""
    p = _EXPONENT_TABLE[o["land"]][stab]
    us = _stack_top_wind(u10, hs, p)  # methods §1.1
    if o["rise"] == "briggs":
        r = _rise_from_checked(d, vs, ts, ta, us, stab)  # methods §1.3-§1.5
        h_prime = _stack_tip_downwash(hs, d, vs, us)  # methods §1.2
        dh, fb, fm, buoyant, xf = r["delta_h"], r["fb"], r["fm"], r["buoyant"], r["xf"]
    else:
        dh, fb, fm, _ = _gbt13201_rise(hs, d, vs, ts, ta, us, u10, stab, o["land"], o["pa"], o["gradient"])
        h_prime, buoyant, xf = hs, np.zeros(np.shape(dh), dtype=bool), np.zeros(np.shape(dh))
    he = np.maximum(h_prime + dh, 0.0)  # methods §1.6
    downwind = x > 0.0
    xp = np.where(downwind, x, 1.0)  # sigmas are evaluated downwind only; upwind gives C = 0
    sy = _sigma_y(xp, stab, o["sigma"])
    if o["sy_factor"] is not None:
        sy = sy * o["sy_factor"]
    sz = _sigma_z(xp, stab, o["sigma"])
    if o["rise"] == "briggs":
        dhg = _gradual_rise(xp, fb, fm, us, d, vs, stab, r["s"], dh, r["xfb"], r["xfm"], xf)  # methods §2.3
        sy = _bid(sy, dhg)
        sz = _bid(sz, dhg)
    else:
        dhg = np.zeros(np.shape(dh))
    sz = np.minimum(sz, SIGMA_Z_CAP_M)  # methods §2.4
    if zi_given is None:
        rule = _regulatory_mixing_height if o["rule"] == "regulatory" else _brode_mixing_height
        zi = rule(u10, stab, he)  # methods §3.1
    else:
        # ISC3 ignores the lid in stable hours; z_i >= 10 000 m (or inf) is no lid and is reported as 10 000
        zi = np.where(stab >= 5, NO_LID_M, np.minimum(zi_given, NO_LID_M))
    c = _concentration(q, x, y, zr, he, sy, sz, us, zi)  # methods §3.2
    shape = np.shape(c)

    def full(a, upwind=None):
        return _checks.filled(a, shape, downwind, upwind)

    return PointResult(
        c_ug_m3=c, x_m=full(x), y_m=full(y), receptor_height_m=full(zr), he_m=full(he), h_prime_m=full(h_prime),
        delta_h_m=full(dh), gradual_rise_m=full(dhg, 0.0), sigma_y_m=full(sy, 0.0), sigma_z_m=full(sz, 0.0),
        us_m_s=full(us), u10_m_s=full(u10), zi_m=full(zi), stability=full(stab), fb_m4_s3=full(fb),
        fm_m4_s2=full(fm), buoyant=full(buoyant), xf_m=full(xf), method=o["method"], verified=o["verified"],
    )


def _screening_evaluator(q_g_s, stack_height_m, diameter_m, exit_velocity_m_s, exit_temperature_k,
                         ambient_temperature_k, receptor_height_m, land, stability, u10_m_s, mixing_height_rule,
                         rise_method, sigma_method, averaging_time_h, pressure_hpa, temperature_gradient_k_m,
                         out_of_scope):
    """Validate once; return (evaluate, pairs) where evaluate(x) -> ScreenResult for an x array."""
    _refuse_out_of_scope(*out_of_scope)
    source = _check_source(q_g_s, stack_height_m, diameter_m, exit_velocity_m_s, exit_temperature_k,
                           ambient_temperature_k)
    for name, value in zip(("q_g_s", "stack_height_m", "diameter_m", "exit_velocity_m_s", "exit_temperature_k",
                            "ambient_temperature_k"), source):
        if value.ndim:
            raise DispersionInputError(name, "the screening search takes one stack: give a single number")
    zr = _checks.non_negative("receptor_height_m", receptor_height_m, "m")
    if zr.ndim:
        raise DispersionInputError("receptor_height_m", "the screening search takes a single receptor height")
    options = _check_options(land, mixing_height_rule, rise_method, sigma_method, averaging_time_h, pressure_hpa,
                             temperature_gradient_k_m)
    pairs = screening_meteorology(stability, u10_m_s)
    classes = pairs[0].astype(np.int8)
    winds = pairs[1]

    def evaluate(x):
        x = np.asarray(x, dtype=float)
        lead = (-1,) + (1,) * x.ndim
        stab = classes.reshape(lead)
        u10 = winds.reshape(lead)
        u10 = np.where((x > SCREEN_FAR_DISTANCE_M) & (u10 < 2.0), 2.0, u10)  # SCREEN3: >= 2 m/s beyond 50 km
        res = _point(*source, x, 0.0, zr, stab, u10, None, options)
        k = np.argmax(res.c_ug_m3, axis=0)[np.newaxis]  # first maximum = SCREEN3's loop order

        def pick(a):
            return np.asarray(np.take_along_axis(np.broadcast_to(a, res.c_ug_m3.shape), k, axis=0)[0])

        return ScreenResult(
            x_m=x.copy(), c_ug_m3=pick(res.c_ug_m3), stability=pick(res.stability), u10_m_s=pick(res.u10_m_s),
            us_m_s=pick(res.us_m_s), zi_m=pick(res.zi_m), he_m=pick(res.he_m), sigma_y_m=pick(res.sigma_y_m),
            sigma_z_m=pick(res.sigma_z_m), method=options["method"], verified=options["verified"],
        )

    return evaluate, pairs

