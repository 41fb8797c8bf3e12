"""Plume rise of a stack: stack-tip downwash, Briggs final rise (ISC3) and the GB/T 13201-91 option.

The regulatory default (``method="briggs"``) is the ISC3/SCREEN3 scheme: the stack height is
lowered for stack-tip downwash, the buoyancy and momentum fluxes decide through the crossover
temperature difference whether the plume is buoyancy- or momentum-dominated, and the **final**
rise is used at every distance. The distance-dependent (gradual) rise appears only inside
buoyancy-induced dispersion (:func:`gradual_rise`, used by :mod:`parksteward.dispersion.sigma`).

``method="gbt13201"`` is the Chinese-standard heat-release formula (GB/T 13201-91, also in
GB/T 3840-91 and HJ/T 2.2-93). Its coefficients were recalled, not checked against the text:
they are kept in :data:`GBT13201_RISE` with ``verified: False`` and every result made with them
says so.

Stack-tip downwash and plume rise for building wakes (Huber-Snyder, Schulman-Scire) are out of
scope; :mod:`parksteward.dispersion.point` refuses inputs that need them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from parksteward.dispersion import _checks
from parksteward.dispersion.errors import DispersionInputError
from parksteward.dispersion.wind import check_land

#: Gravitational acceleration used by ISC3/SCREEN3 [m/s2] (dispersion-methods §1.3).
G = 9.80616

#: Potential temperature gradient assumed for the stable classes [K/m] (dispersion-methods §1.5).
STABLE_DTHETA_DZ = {"E": 0.020, "F": 0.035}

#: Plume-rise methods accepted by :func:`plume_rise`.
RISE_METHODS = ("briggs", "gbt13201")

#: GB/T 13201-91 plume-rise coefficients as given in dispersion-methods §5.2 (recalled, not checked
#: against the standard's text: ``verified`` stays False until someone does).
GBT13201_RISE = {
    "source": "GB/T 13201-91 (also GB/T 3840-91, HJ/T 2.2-93) plume rise, as recalled in dispersion-methods §5.2",
    "verified": False,
    "heat_release_coefficient": 0.35,  # Q_h = 0.35 P_a Q_v dT / T_s [kJ/s], P_a in hPa
    "n_coefficients": {  # (n0, n1, n2) for Q_h >= 21000 kJ/s and for 2100 <= Q_h < 21000 kJ/s
        "rural": {"high": (1.427, 1.0 / 3.0, 2.0 / 3.0), "mid": (0.332, 3.0 / 5.0, 2.0 / 5.0)},
        "urban": {"high": (1.303, 1.0 / 3.0, 2.0 / 3.0), "mid": (0.292, 3.0 / 5.0, 2.0 / 5.0)},
    },
    "qh_high_kj_s": 21000.0,
    "qh_mid_kj_s": 2100.0,
    "qh_low_kj_s": 1700.0,
    "delta_t_min_k": 35.0,
    "low_heat_coefficients": (2.0, 1.5, 0.01),  # dH = 2 (1.5 Vs D + 0.01 Q_h) / U
    "transition_slope": 0.048,  # dH1 = low formula - 0.048 (Q_h - 1700) / U
    "dry_adiabatic_k_m": 0.0098,
    "calm_coefficient": 5.50,
    "calm_wind_m_s": 1.5,
    "min_temperature_gradient_k_m": 0.01,
}

_DTHETA_TABLE = np.array((np.nan, 0.0, 0.0, 0.0, 0.0, STABLE_DTHETA_DZ["E"], STABLE_DTHETA_DZ["F"]))


@dataclass(frozen=True)
class PlumeRise:
    """Plume rise of one or many stack-hours; every field is a float ndarray of the broadcast shape.

    Attributes
    ----------
    h_prime_m : numpy.ndarray
        Stack height after stack-tip downwash [m] (the physical height for ``gbt13201``).
    delta_h_m : numpy.ndarray
        Final plume rise [m].
    he_m : numpy.ndarray
        Effective height h' + dh, >= 0 [m].
    fb_m4_s3 : numpy.ndarray
        Buoyancy flux F_b [m4/s3].
    fm_m4_s2 : numpy.ndarray
        Momentum flux F_m [m4/s2].
    delta_t_k : numpy.ndarray
        T_s - T_a after raising T_s to T_a [K].
    delta_tc_k : numpy.ndarray
        Crossover temperature difference [K] (NaN for ``gbt13201``).
    buoyant : numpy.ndarray
        True where the rise is buoyancy-dominated (bool; False for ``gbt13201``).
    s_1_s2 : numpy.ndarray
        Stability parameter s = g (dtheta/dz) / T_a [1/s2]; 0 for classes A-D.
    xfb_m, xfm_m, xf_m : numpy.ndarray
        Distances to final buoyant, momentum and overall rise [m] (0 for ``gbt13201``, which has
        no distance dependence).
    method : str
        ``"briggs"`` or ``"gbt13201"``.
    verified : bool
        False when the coefficients are not checked against their standard (``gbt13201``).
    """

    h_prime_m: np.ndarray
    delta_h_m: np.ndarray
    he_m: np.ndarray
    fb_m4_s3: np.ndarray
    fm_m4_s2: np.ndarray
    delta_t_k: np.ndarray
    delta_tc_k: np.ndarray
    buoyant: np.ndarray
    s_1_s2: np.ndarray
    xfb_m: np.ndarray
    xfm_m: np.ndarray
    xf_m: np.ndarray
    method: str
    verified: bool


def check_rise_method(method: str) -> str:
    """``method`` if it is one of :data:`RISE_METHODS`; ``ValueError`` naming the valid ones otherwise."""
    if method not in RISE_METHODS:
        raise ValueError(f"unknown plume-rise method {method!r}; valid methods: {', '.join(RISE_METHODS)}")
    return method


# --------------------------------------------------------------------------------------------------
# Pieces


def stack_tip_downwash(stack_height_m, diameter_m, exit_velocity_m_s, us_m_s):
    """Stack height lowered by stack-tip downwash (Briggs 1974, as used by ISC3).

    Parameters
    ----------
    stack_height_m : float or array_like
        Physical stack height h_s [m].
    diameter_m : float or array_like
        Inside stack diameter D [m].
    exit_velocity_m_s : float or array_like
        Exit velocity V_s [m/s].
    us_m_s : float or array_like
        Wind at stack top u_s [m/s].

    Returns
    -------
    numpy.ndarray
        h' [m], >= 0.

    Notes
    -----
    h' = h_s - 2 D (1.5 - V_s/u_s) if V_s < 1.5 u_s, else h_s; never below 0.

    References
    ----------
    EPA-454/B-95-003b (ISC3 User's Guide Vol. II), stack-tip downwash (section 1.1.4);
    dispersion-methods §1.2.
    """
    hs = _checks.positive("stack_height_m", stack_height_m, "m")
    d = _checks.positive("diameter_m", diameter_m, "m")
    vs = _checks.positive("exit_velocity_m_s", exit_velocity_m_s, "m/s")
    us = _checks.positive("us_m_s", us_m_s, "m/s")
    return _stack_tip_downwash(hs, d, vs, us)


def _stack_tip_downwash(hs, d, vs, us):
    """Fast path of :func:`stack_tip_downwash` on pre-validated arrays (no checks)."""
    # 1.5 - Vs/us <= 0 when Vs >= 1.5 us, i.e. no downwash (methods §1.2)
    h = hs - 2.0 * d * np.maximum(1.5 - vs / us, 0.0)
    return np.maximum(h, 0.0)


def buoyancy_flux(diameter_m, exit_velocity_m_s, exit_temperature_k, ambient_temperature_k):
    """Briggs buoyancy flux F_b.

    Parameters
    ----------
    diameter_m : float or array_like
        Inside stack diameter D [m].
    exit_velocity_m_s : float or array_like
        Exit velocity V_s [m/s].
    exit_temperature_k : float or array_like
        Exit gas temperature T_s [K]; raised to T_a when lower.
    ambient_temperature_k : float or array_like
        Ambient temperature T_a [K].

    Returns
    -------
    numpy.ndarray
        F_b [m4/s3].

    Notes
    -----
    F_b = g V_s D^2 (T_s - T_a) / (4 T_s), g = 9.80616 m/s2.

    References
    ----------
    EPA-454/B-95-003b (ISC3 User's Guide Vol. II), section 1.1.4; dispersion-methods §1.3.
    """
    d, vs, ts, ta = _check_stack(diameter_m, exit_velocity_m_s, exit_temperature_k, ambient_temperature_k)
    ts = np.maximum(ts, ta)
    return G * vs * d * d * (ts - ta) / (4.0 * ts)  # methods §1.3


def momentum_flux(diameter_m, exit_velocity_m_s, exit_temperature_k, ambient_temperature_k):
    """Briggs momentum flux F_m.

    Parameters
    ----------
    diameter_m : float or array_like
        Inside stack diameter D [m].
    exit_velocity_m_s : float or array_like
        Exit velocity V_s [m/s].
    exit_temperature_k : float or array_like
        Exit gas temperature T_s [K]; raised to T_a when lower.
    ambient_temperature_k : float or array_like
        Ambient temperature T_a [K].

    Returns
    -------
    numpy.ndarray
        F_m [m4/s2].

    Notes
    -----
    F_m = T_a V_s^2 D^2 / (4 T_s).

    References
    ----------
    EPA-454/B-95-003b (ISC3 User's Guide Vol. II), section 1.1.4; dispersion-methods §1.3.
    """
    d, vs, ts, ta = _check_stack(diameter_m, exit_velocity_m_s, exit_temperature_k, ambient_temperature_k)
    ts = np.maximum(ts, ta)
    return ta * vs * vs * d * d / (4.0 * ts)  # methods §1.3


def stability_parameter(ambient_temperature_k, stability):
    """Stability parameter s of the stable classes.

    Parameters
    ----------
    ambient_temperature_k : float or array_like
        Ambient temperature T_a [K].
    stability : int or str or array_like
        Pasquill-Gifford class, 1-6 or A-F [-].

    Returns
    -------
    numpy.ndarray
        s = g (dtheta/dz) / T_a [1/s2] with dtheta/dz = 0.020 K/m (E) and 0.035 K/m (F); 0 for A-D.

    References
    ----------
    EPA-454/B-95-003b (ISC3 User's Guide Vol. II), stable plume rise (section 1.1.4);
    dispersion-methods §1.5.
    """
    ta = _checks.positive("ambient_temperature_k", ambient_temperature_k, "K")
    stab = _checks.stability_index(stability)
    return G * _DTHETA_TABLE[stab] / ta


def crossover_temperature_difference(diameter_m, exit_velocity_m_s, exit_temperature_k, ambient_temperature_k,
                                     stability):
    """Crossover temperature difference dT_c: buoyancy dominates where T_s - T_a >= dT_c.

    Parameters
    ----------
    diameter_m : float or array_like
        Inside stack diameter D [m].
    exit_velocity_m_s : float or array_like
        Exit velocity V_s [m/s].
    exit_temperature_k : float or array_like
        Exit gas temperature T_s [K]; raised to T_a when lower.
    ambient_temperature_k : float or array_like
        Ambient temperature T_a [K].
    stability : int or str or array_like
        Pasquill-Gifford class, 1-6 or A-F [-].

    Returns
    -------
    numpy.ndarray
        dT_c [K].

    Notes
    -----
    A-D: dT_c = 0.0297 T_s (V_s/D^2)^(1/3) for F_b < 55, 0.00575 T_s (V_s^2/D)^(1/3) for F_b >= 55;
    E-F: dT_c = 0.019582 V_s T_a sqrt(s) (T_a, not T_s).

    References
    ----------
    EPA-454/B-95-003b (ISC3 User's Guide Vol. II), section 1.1.4; dispersion-methods §1.4-§1.5.
    """
    r = _rise_from_checked(*_check_stack(diameter_m, exit_velocity_m_s, exit_temperature_k, ambient_temperature_k),
                           np.ones(()), _checks.stability_index(stability))
    return r["delta_tc"]


def effective_height(h_prime_m, delta_h_m):
    """Effective plume height h_e = h' + dh, never below 0.

    Parameters
    ----------
    h_prime_m : float or array_like
        Stack height after stack-tip downwash [m].
    delta_h_m : float or array_like
        Final plume rise [m].

    Returns
    -------
    numpy.ndarray
        h_e [m].

    References
    ----------
    dispersion-methods §1.6.
    """
    h = _checks.finite("h_prime_m", h_prime_m)
    dh = _checks.finite("delta_h_m", delta_h_m)
    return np.maximum(h + dh, 0.0)  # methods §1.6


# --------------------------------------------------------------------------------------------------
# Whole rise


def plume_rise(stack_height_m, diameter_m, exit_velocity_m_s, exit_temperature_k, ambient_temperature_k, us_m_s,
               stability, *, method: str = "briggs", u10_m_s=None, land: str = "rural", pressure_hpa=1013.25,
               temperature_gradient_k_m=0.01) -> PlumeRise:
    """Final plume rise and effective height of a stack.

    Parameters
    ----------
    stack_height_m : float or array_like
        Physical stack height h_s [m].
    diameter_m : float or array_like
        Inside stack diameter D [m].
    exit_velocity_m_s : float or array_like
        Exit velocity V_s [m/s].
    exit_temperature_k : float or array_like
        Exit gas temperature T_s [K].
    ambient_temperature_k : float or array_like
        Ambient temperature T_a [K].
    us_m_s : float or array_like
        Wind at stack top [m/s] (:func:`parksteward.dispersion.wind.stack_top_wind`).
    stability : int or str or array_like
        Pasquill-Gifford class, 1-6 or A-F [-].
    method : {"briggs", "gbt13201"}
        ``"briggs"``: ISC3/SCREEN3 (default). ``"gbt13201"``: GB/T 13201-91, unverified coefficients.
    u10_m_s : float or array_like, optional
        10 m wind [m/s]; needed by ``gbt13201`` only (its calm / light-wind branch, U10 < 1.5 m/s).
    land : {"rural", "urban"}
        Selects the ``gbt13201`` coefficient column (rural/suburban or urban/industrial).
    pressure_hpa : float or array_like
        Ambient pressure P_a [hPa] (``gbt13201`` only).
    temperature_gradient_k_m : float or array_like
        Ambient temperature gradient dT_a/dz [K/m] for the ``gbt13201`` stable and calm formulas,
        floored at 0.01 K/m.

    Returns
    -------
    PlumeRise
        Frozen dataclass of arrays (see its attributes), including ``method`` and ``verified``.

    Notes
    -----
    Briggs (ISC3), with F_b, F_m from :func:`buoyancy_flux`, :func:`momentum_flux`:

    * A-D, buoyant (dT >= dT_c): dh = 21.425 F_b^0.75/u_s (F_b < 55), 38.71 F_b^0.6/u_s (F_b >= 55);
      x_fb = 49 F_b^0.625 or 119 F_b^0.4.
    * A-D, momentum: dh = 3 D V_s/u_s; x_fm = 4 D (V_s + 3 u_s)^2/(V_s u_s).
    * E-F, buoyant: dh = min(2.6 (F_b/(u_s s))^(1/3), 4 F_b^(1/4) s^(-3/8)); x_fb = 2.0715 u_s/sqrt(s).
    * E-F, momentum: dh = min(1.5 (F_m/(u_s sqrt(s)))^(1/3), 3 D V_s/u_s); x_fm = (pi/2) u_s/sqrt(s).
    * x_fb takes the momentum value where F_b = 0; x_f = max(x_fb, x_fm); h_e = max(h' + dh, 0).

    GB/T 13201-91: Q_h = 0.35 P_a Q_v dT/T_s [kJ/s], Q_v = (pi/4) D^2 V_s; with Q_h >= 2100 and
    dT >= 35 K, dh = n0 Q_h^n1 H^n2 / U; Q_h <= 1700 or dT < 35 K, dh = 2 (1.5 V_s D + 0.01 Q_h)/U;
    linear blend in between; E-F: dh = Q_h^(1/3) (dT_a/dz + 0.0098)^(-1/3) U^(-1/3); U10 < 1.5 m/s:
    dh = 5.50 Q_h^(1/4) (dT_a/dz + 0.0098)^(-3/8). No stack-tip downwash in this method (h' = h_s).
    U is the stack-top wind of the ISC3 profile (GB/T 3840-91 has its own exponents).

    References
    ----------
    EPA-454/B-95-003b (ISC3 User's Guide Vol. II), plume rise (section 1.1.4); SCREEN3 Model User's
    Guide EPA-454/B-95-004; Briggs, G.A. (1975) Plume rise predictions, in Lectures on Air Pollution
    and Environmental Impact Analyses, AMS; GB/T 13201-91; dispersion-methods §1.2-§1.6, §5.2.
    """
    check_rise_method(method)
    hs = _checks.positive("stack_height_m", stack_height_m, "m")
    d, vs, ts, ta = _check_stack(diameter_m, exit_velocity_m_s, exit_temperature_k, ambient_temperature_k)
    us = _checks.positive("us_m_s", us_m_s, "m/s")
    stab = _checks.stability_index(stability)
    if method == "briggs":
        r = _rise_from_checked(d, vs, ts, ta, us, stab)
        h_prime = _stack_tip_downwash(hs, d, vs, us)
        he = np.maximum(h_prime + r["delta_h"], 0.0)  # methods §1.6
        shape = np.broadcast_shapes(hs.shape, he.shape)
        return PlumeRise(
            h_prime_m=np.broadcast_to(h_prime, shape).copy(),
            delta_h_m=np.broadcast_to(r["delta_h"], shape).copy(),
            he_m=np.broadcast_to(he, shape).copy(),
            fb_m4_s3=np.broadcast_to(r["fb"], shape).copy(),
            fm_m4_s2=np.broadcast_to(r["fm"], shape).copy(),
            delta_t_k=np.broadcast_to(r["delta_t"], shape).copy(),
            delta_tc_k=np.broadcast_to(r["delta_tc"], shape).copy(),
            buoyant=np.broadcast_to(r["buoyant"], shape).copy(),
            s_1_s2=np.broadcast_to(r["s"], shape).copy(),
            xfb_m=np.broadcast_to(r["xfb"], shape).copy(),
            xfm_m=np.broadcast_to(r["xfm"], shape).copy(),
            xf_m=np.broadcast_to(r["xf"], shape).copy(),
            method="briggs",
            verified=True,
        )
    if u10_m_s is None:
        raise DispersionInputError("u10_m_s", "required by the gbt13201 plume rise (calm / light-wind branch)")
    u10 = _checks.positive("u10_m_s", u10_m_s, "m/s")
    pa = _checks.positive("pressure_hpa", pressure_hpa, "hPa")
    gradient = _checks.finite("temperature_gradient_k_m", temperature_gradient_k_m)
    land = check_land(land)
    dh, fb, fm, dt = _gbt13201_rise(hs, d, vs, ts, ta, us, u10, stab, land, pa, gradient)
    he = np.maximum(hs + dh, 0.0)
    shape = he.shape
    zeros = np.zeros(shape)
    s = np.broadcast_to(G * _DTHETA_TABLE[stab] / ta, shape).copy()
    return PlumeRise(
        h_prime_m=np.broadcast_to(hs, shape).copy(),
        delta_h_m=np.broadcast_to(dh, shape).copy(),
        he_m=he,
        fb_m4_s3=np.broadcast_to(fb, shape).copy(),
        fm_m4_s2=np.broadcast_to(fm, shape).copy(),
        delta_t_k=np.broadcast_to(dt, shape).copy(),
        delta_tc_k=np.full(shape, np.nan),
        buoyant=np.zeros(shape, dtype=bool),
        s_1_s2=s,
        xfb_m=zeros,
        xfm_m=zeros.copy(),
        xf_m=zeros.copy(),
        method="gbt13201",
        verified=bool(GBT13201_RISE["verified"]),
    )


def gradual_rise(x_m, diameter_m, exit_velocity_m_s, exit_temperature_k, ambient_temperature_k, us_m_s, stability):
    """Distance-dependent (gradual) Briggs rise, as ISC3 uses it for buoyancy-induced dispersion.

    Parameters
    ----------
    x_m : float or array_like
        Downwind distance [m], > 0.
    diameter_m : float or array_like
        Inside stack diameter D [m].
    exit_velocity_m_s : float or array_like
        Exit velocity V_s [m/s].
    exit_temperature_k : float or array_like
        Exit gas temperature T_s [K].
    ambient_temperature_k : float or array_like
        Ambient temperature T_a [K].
    us_m_s : float or array_like
        Wind at stack top [m/s].
    stability : int or str or array_like
        Pasquill-Gifford class, 1-6 or A-F [-].

    Returns
    -------
    numpy.ndarray
        Gradual rise dh_g [m]: the final rise for x >= x_f, otherwise
        min(max(dh_buoyant(x), dh_momentum(x)), final rise).

    Notes
    -----
    dh_buoyant = 1.60 (F_b x_p^2)^(1/3) / u_s with x_p = max(min(x, x_fb), 1 m), F_b floored at 1e-10.
    dh_momentum, beta_j = 1/3 + u_s/V_s, x_p = min(x, x_fm): A-D (3 F_m x_p / (beta_j^2 u_s^2))^(1/3);
    E-F (3 F_m sin(sqrt(s) x_p/u_s) / (beta_j^2 u_s sqrt(s)))^(1/3); never more than 3 D V_s/u_s.

    References
    ----------
    EPA-454/B-95-003b (ISC3 User's Guide Vol. II), buoyancy-induced dispersion and distance-dependent
    rise (sections 1.1.4, 1.1.5); dispersion-methods §2.3.
    """
    x = _checks.positive("x_m", x_m, "m")
    d, vs, ts, ta = _check_stack(diameter_m, exit_velocity_m_s, exit_temperature_k, ambient_temperature_k)
    us = _checks.positive("us_m_s", us_m_s, "m/s")
    stab = _checks.stability_index(stability)
    r = _rise_from_checked(d, vs, ts, ta, us, stab)
    return _gradual_rise(x, r["fb"], r["fm"], us, d, vs, stab, r["s"], r["delta_h"], r["xfb"], r["xfm"], r["xf"])


# --------------------------------------------------------------------------------------------------
# Fast paths (no validation): for the engine, on pre-validated, broadcastable float arrays.


def _check_stack(diameter_m, exit_velocity_m_s, exit_temperature_k, ambient_temperature_k):
    d = _checks.positive("diameter_m", diameter_m, "m")
    vs = _checks.positive("exit_velocity_m_s", exit_velocity_m_s, "m/s")
    ts = _checks.positive("exit_temperature_k", exit_temperature_k, "K")
    ta = _checks.positive("ambient_temperature_k", ambient_temperature_k, "K")
    return d, vs, ts, ta


def _rise_from_checked(d, vs, ts, ta, us, stab):
    """Briggs fluxes, crossover, final rise and distances to final rise (no checks).

    Parameters are float arrays (``stab`` an int array 1-6) that broadcast together. Returns a dict
    of arrays: fb, fm, delta_t, delta_tc, buoyant, s, delta_h, xfb, xfm, xf. Intended for the
    engine, which evaluates it once per stack-hour.
    """
    ts = np.maximum(ts, ta)  # T_s raised to T_a (methods §1.3)
    delta_t = ts - ta
    fb = G * vs * d * d * delta_t / (4.0 * ts)  # methods §1.3
    fm = ta * vs * vs * d * d / (4.0 * ts)  # methods §1.3
    stable = stab >= 5
    s = G * _DTHETA_TABLE[stab] / ta  # methods §1.5; 0 for A-D
    s_safe = np.where(stable, s, 1.0)  # keeps the stable branch finite where it is not used
    rs = np.sqrt(s_safe)
    big = fb >= 55.0
    momentum_limit = 3.0 * d * vs / us  # methods §1.4 (momentum rise, A-D; cap of the E-F one)

    # crossover temperature difference (methods §1.4, §1.5)
    dtc_unstable = np.where(big, 0.00575 * ts * np.cbrt(vs * vs / d), 0.0297 * ts * np.cbrt(vs / (d * d)))
    delta_tc = np.where(stable, 0.019582 * vs * ta * rs, dtc_unstable)
    buoyant = delta_t >= delta_tc

    # final rise
    dh_buoyant = np.where(big, 38.71 * fb**0.6, 21.425 * fb**0.75) / us  # methods §1.4
    dh_buoyant_stable = np.minimum(2.6 * np.cbrt(fb / (us * s_safe)), 4.0 * fb**0.25 * s_safe**-0.375)  # §1.5
    dh_momentum_stable = np.minimum(1.5 * np.cbrt(fm / (us * rs)), momentum_limit)  # methods §1.5
    dh_b = np.where(stable, dh_buoyant_stable, dh_buoyant)
    dh_m = np.where(stable, dh_momentum_stable, momentum_limit)
    delta_h = np.where(buoyant, dh_b, dh_m)

    # distances to final rise (methods §1.4, §1.5)
    xfb = np.where(stable, 2.0715 * us / rs, np.where(big, 119.0 * fb**0.4, 49.0 * fb**0.625))
    xfm = np.where(stable, (0.5 * np.pi) * us / rs, 4.0 * d * (vs + 3.0 * us) ** 2 / (vs * us))
    xfb = np.where(fb > 0.0, xfb, xfm)  # F_b = 0: x_fb takes the momentum value
    xf = np.maximum(xfb, xfm)
    return {
        "fb": fb, "fm": fm, "delta_t": delta_t, "delta_tc": delta_tc, "buoyant": buoyant, "s": s,
        "delta_h": delta_h, "xfb": xfb, "xfm": xfm, "xf": xf,
    }


def _gradual_rise(x, fb, fm, us, d, vs, stab, s, delta_h, xfb, xfm, xf):
    """Gradual rise for BID on pre-validated arrays (no checks); see :func:`gradual_rise`.

    ``x`` must be > 0 where the result is used; ``s`` as from :func:`stability_parameter`.
    """
    xpb = np.maximum(np.minimum(x, xfb), 1.0)  # x_p = min(x, x_fb), at least 1 m (methods §2.3)
    dh_b = 1.60 * np.cbrt(np.maximum(fb, 1e-10) * xpb * xpb) / us  # methods §2.3
    beta = 1.0 / 3.0 + us / vs
    xpm = np.minimum(x, xfm)
    stable = stab >= 5
    dh_m = np.cbrt(3.0 * fm * xpm / (beta * beta * us * us))  # A-D (methods §2.3)
    if np.any(stable):
        rs = np.sqrt(np.where(stable, s, 1.0))
        dh_m_stable = np.cbrt(3.0 * fm * np.sin(rs * xpm / us) / (beta * beta * us * rs))  # E-F (methods §2.3)
        dh_m = np.where(stable, dh_m_stable, dh_m)
    dh_m = np.minimum(dh_m, 3.0 * d * vs / us)
    dh_g = np.minimum(np.maximum(dh_b, dh_m), delta_h)
    return np.where(x >= xf, delta_h, dh_g)


def _gbt13201_rise(hs, d, vs, ts, ta, us, u10, stab, land, pa, gradient):
    """GB/T 13201-91 final rise (no checks). Returns (dh, fb, fm, delta_t) arrays; see :func:`plume_rise`."""
    c = GBT13201_RISE
    ts = np.maximum(ts, ta)
    delta_t = ts - ta
    fb = G * vs * d * d * delta_t / (4.0 * ts)
    fm = ta * vs * vs * d * d / (4.0 * ts)
    qv = 0.25 * np.pi * d * d * vs  # exit volume flow [m3/s]
    qh = c["heat_release_coefficient"] * pa * qv * delta_t / ts  # heat release [kJ/s] (methods §5.2)
    high = qh >= c["qh_high_kj_s"]
    n = c["n_coefficients"][land]
    n0 = np.where(high, n["high"][0], n["mid"][0])
    n1 = np.where(high, n["high"][1], n["mid"][1])
    n2 = np.where(high, n["high"][2], n["mid"][2])
    dh_hot = n0 * qh**n1 * hs**n2 / us  # Q_h >= 2100 kJ/s and dT >= 35 K (methods §5.2)
    a, b, k = c["low_heat_coefficients"]
    dh_low = a * (b * vs * d + k * qh) / us  # Q_h <= 1700 kJ/s or dT < 35 K
    q_low, q_mid = c["qh_low_kj_s"], c["qh_mid_kj_s"]
    dh1 = dh_low - c["transition_slope"] * (qh - q_low) / us
    dh_blend = dh1 + (dh_hot - dh1) * (qh - q_low) / (q_mid - q_low)  # 1700 < Q_h < 2100
    dh = np.where((delta_t < c["delta_t_min_k"]) | (qh <= q_low), dh_low, np.where(qh >= q_mid, dh_hot, dh_blend))
    lapse = np.maximum(gradient, c["min_temperature_gradient_k_m"]) + c["dry_adiabatic_k_m"]
    dh_stable = np.cbrt(qh) * lapse ** (-1.0 / 3.0) * us ** (-1.0 / 3.0)  # E-F
    dh = np.where(stab >= 5, dh_stable, dh)
    dh_calm = c["calm_coefficient"] * qh**0.25 * lapse**-0.375  # U10 < 1.5 m/s
    dh = np.where(u10 < c["calm_wind_m_s"], dh_calm, dh)
    return dh, fb, fm, delta_t
