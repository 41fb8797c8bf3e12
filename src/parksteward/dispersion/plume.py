"""The Gaussian plume kernel of ISC3/SCREEN3: concentration from sigmas, heights, wind and mixing height.

Given the plume's effective height, its sigmas at the receptor distance, the stack-top wind and the
mixing height, :func:`concentration` returns the 1-h concentration at a (flagpole) receptor, with
the vertical term of ISC3: ground reflection only when there is no lid, the sum of images between
ground and lid, the well-mixed limit once sigma_z reaches 1.6 z_i, and zero for a plume above the
lid or a receptor upwind of the source. The mixing height rules of the screening mode are here too
(:func:`regulatory_mixing_height`, and Brode's non-regulatory :func:`brode_mixing_height`).

``_concentration`` and ``_vertical_term`` are the unchecked fast paths the engine calls on
pre-validated arrays.
"""

from __future__ import annotations

import numpy as np

from parksteward.dispersion import _checks
from parksteward.dispersion.errors import DispersionInputError

#: A mixing height at or above this is no lid at all [m] (ISC3; dispersion-methods §3.1, §3.2).
NO_LID_M = 10000.0

#: sigma_z / z_i at or above which the plume is uniform in the mixed layer (dispersion-methods §3.2).
WELL_MIXED_RATIO = 1.6

#: An image term pair below this no longer changes the vertical term (dispersion-methods §3.2).
REFLECTION_TOLERANCE = 1e-8

#: At most this many image pairs between ground and lid (dispersion-methods §3.2).
MAX_REFLECTIONS = 100

#: Mixing-height rules of the screening mode.
MIXING_HEIGHT_RULES = ("regulatory", "brode")

#: Brode (1991) non-regulatory mixing heights for A-D: z_i = max(z_min, h_e (1 + k u10)).
BRODE_MIXING_HEIGHT = {"z_min_m": (300.0, 100.0, 30.0, 30.0), "k": (0.01, 0.02, 0.03, 0.04)}

_SQRT_2PI = float(np.sqrt(2.0 * np.pi))
_IMAGE_CUTOFF = 40.0  # exponent beyond which an image term is treated as 0 (exp(-40) = 4e-18)
_BRODE_ZMIN = np.array((np.nan, *BRODE_MIXING_HEIGHT["z_min_m"], NO_LID_M, NO_LID_M))
_BRODE_K = np.array((np.nan, *BRODE_MIXING_HEIGHT["k"], 0.0, 0.0))


def check_mixing_height_rule(rule: str) -> str:
    """``rule`` if it is one of :data:`MIXING_HEIGHT_RULES`; ``ValueError`` naming the valid ones otherwise."""
    if rule not in MIXING_HEIGHT_RULES:
        raise ValueError(f"unknown mixing-height rule {rule!r}; valid rules: {', '.join(MIXING_HEIGHT_RULES)}")
    return rule


def regulatory_mixing_height(u10_m_s, stability, effective_height_m):
    """Screening mixing height of SCREEN3 (regulatory default).

    Parameters
    ----------
    u10_m_s : float or array_like
        10 m wind speed [m/s], > 0.
    stability : int or str or array_like
        Pasquill-Gifford class, 1-6 or A-F [-].
    effective_height_m : float or array_like
        Effective plume height h_e [m], >= 0.

    Returns
    -------
    numpy.ndarray
        z_i [m]: A-D 320 u10 limited to 10 000 m, then raised to at least h_e + 1 m; E-F 10 000 m
        (no lid).

    References
    ----------
    SCREEN3 Model User's Guide EPA-454/B-95-004 (mechanical mixing height, 0.3 u*/f with u* = 0.1 u10);
    dispersion-methods §3.1.
    """
    u10 = _checks.positive("u10_m_s", u10_m_s, "m/s")
    stab = _checks.stability_index(stability)
    he = _checks.non_negative("effective_height_m", effective_height_m, "m")
    return _regulatory_mixing_height(u10, stab, he)


def brode_mixing_height(u10_m_s, stability, effective_height_m):
    """Brode's non-regulatory screening mixing height (SCREEN3 option "N").

    Parameters
    ----------
    u10_m_s : float or array_like
        10 m wind speed [m/s], > 0.
    stability : int or str or array_like
        Pasquill-Gifford class, 1-6 or A-F [-].
    effective_height_m : float or array_like
        Effective plume height h_e [m], >= 0.

    Returns
    -------
    numpy.ndarray
        z_i [m]: A-D max(z_min, h_e (1 + k u10)) with z_min = 300/100/30/30 m, k = 0.01/0.02/0.03/0.04;
        E-F 10 000 m.

    References
    ----------
    Brode, R.W. (1991), Seventh Joint Conference on Applications of Air Pollution Meteorology with
    AWMA; SCREEN3 (13043) source, non-regulatory option; dispersion-methods §3.1.
    """
    u10 = _checks.positive("u10_m_s", u10_m_s, "m/s")
    stab = _checks.stability_index(stability)
    he = _checks.non_negative("effective_height_m", effective_height_m, "m")
    return _brode_mixing_height(u10, stab, he)


def vertical_term(receptor_height_m, effective_height_m, sigma_z_m, mixing_height_m=None):
    """Vertical term V of the Gaussian plume (ground and lid reflections, well-mixed limit).

    Parameters
    ----------
    receptor_height_m : float or array_like
        Receptor (flagpole) height z_r [m], >= 0.
    effective_height_m : float or array_like
        Effective plume height h_e [m], >= 0.
    sigma_z_m : float or array_like
        sigma_z [m], > 0.
    mixing_height_m : float or array_like, optional
        Mixing height z_i [m]; None, inf or >= 10 000 m means no lid (stable hours: ISC3 ignores the
        lid for E-F, so pass None or inf for them).

    Returns
    -------
    numpy.ndarray
        V [-].

    Notes
    -----
    No lid: V = exp(-(z_r - h_e)^2 / 2 sz^2) + exp(-(z_r + h_e)^2 / 2 sz^2).
    Lid, h_e > z_i: V = 0. Lid, sz / z_i >= 1.6: V = sqrt(2 pi) sz / z_i.
    Otherwise the two terms plus, for i = 1, 2, ..., the images at 2 i z_i -/+ h_e,
    exp(-(z_r -/+ (2 i z_i - h_e))^2 / 2 sz^2) + exp(-(z_r -/+ (2 i z_i + h_e))^2 / 2 sz^2), summed
    per element until the i-th contribution is below 1e-8 (at most 100 terms).

    References
    ----------
    EPA-454/B-95-003b (ISC3 User's Guide Vol. II), vertical term (section 1.1.6);
    dispersion-methods §3.2.
    """
    zr = _checks.non_negative("receptor_height_m", receptor_height_m, "m")
    he = _checks.non_negative("effective_height_m", effective_height_m, "m")
    sz = _checks.positive("sigma_z_m", sigma_z_m, "m")
    zi = _mixing_height_or_no_lid(mixing_height_m)
    with np.errstate(under="ignore"):
        return _vertical_term(zr, he, sz, zi)


def concentration(q_g_s, x_m, y_m, receptor_height_m, effective_height_m, sigma_y_m, sigma_z_m, us_m_s,
                  mixing_height_m=None):
    """1-h concentration of the Gaussian plume at a (flagpole) receptor.

    Parameters
    ----------
    q_g_s : float or array_like
        Emission rate [g/s], >= 0.
    x_m : float or array_like
        Downwind distance [m]; the concentration is 0 for x <= 0 (upwind).
    y_m : float or array_like
        Crosswind offset from the plume centreline [m].
    receptor_height_m : float or array_like
        Receptor height above ground z_r [m], >= 0.
    effective_height_m : float or array_like
        Effective plume height h_e [m], >= 0.
    sigma_y_m, sigma_z_m : float or array_like
        Dispersion coefficients at x, after BID and the cap [m], > 0.
    us_m_s : float or array_like
        Wind at the release height [m/s], > 0.
    mixing_height_m : float or array_like, optional
        Mixing height z_i [m]; None, inf or >= 10 000 m for no lid (see :func:`vertical_term`).

    Returns
    -------
    numpy.ndarray
        C [ug/m3], broadcast shape of the inputs.

    Notes
    -----
    C = Q 10^6 V exp(-y^2 / 2 sy^2) / (2 pi u_s sy sz), V from :func:`vertical_term`.

    References
    ----------
    EPA-454/B-95-003b (ISC3 User's Guide Vol. II) eq. 1-1; dispersion-methods §3.2.
    """
    q = _checks.non_negative("q_g_s", q_g_s, "g/s")
    x = _checks.finite("x_m", x_m)
    y = _checks.finite("y_m", y_m)
    zr = _checks.non_negative("receptor_height_m", receptor_height_m, "m")
    he = _checks.non_negative("effective_height_m", effective_height_m, "m")
    sy = _checks.positive("sigma_y_m", sigma_y_m, "m")
    sz = _checks.positive("sigma_z_m", sigma_z_m, "m")
    us = _checks.positive("us_m_s", us_m_s, "m/s")
    zi = _mixing_height_or_no_lid(mixing_height_m)
    return _concentration(q, x, y, zr, he, sy, sz, us, zi)


def _mixing_height_or_no_lid(mixing_height_m):
    if mixing_height_m is None:
        return np.float64(np.inf)
    zi = np.asarray(mixing_height_m, dtype=float)
    if np.any(np.isnan(zi)) or np.any(zi <= 0):
        raise DispersionInputError("mixing_height_m", "must be > 0 m (or inf / None for no lid)")
    return zi


# --------------------------------------------------------------------------------------------------
# Fast paths (no validation) for the engine, on pre-validated arrays that broadcast together.


def _regulatory_mixing_height(u10, stab, he):
    """SCREEN3 regulatory z_i without checks; see :func:`regulatory_mixing_height`."""
    zi = np.maximum(np.minimum(320.0 * u10, NO_LID_M), he + 1.0)  # methods §3.1, SCREEN3 order: cap, then >= h_e + 1
    return np.where(stab >= 5, NO_LID_M, zi)


def _brode_mixing_height(u10, stab, he):
    """Brode z_i without checks; see :func:`brode_mixing_height`."""
    zi = np.maximum(_BRODE_ZMIN[stab], he * (1.0 + _BRODE_K[stab] * u10))  # methods §3.1 (non-regulatory)
    return np.where(stab >= 5, NO_LID_M, zi)


def _vertical_term(zr, he, sz, zi):
    """Vertical term V without checks; see :func:`vertical_term`. ``zi`` may be inf (no lid)."""
    a = -0.5 / (sz * sz)
    ground = np.ndim(zr) == 0 and zr == 0.0  # the usual receptor: the image terms pair up
    if ground:
        v = 2.0 * np.exp(a * he * he)  # ground reflection at z_r = 0 (methods §3.2)
    else:
        v = np.exp(a * (zr - he) ** 2) + np.exp(a * (zr + he) ** 2)  # ground reflection (methods §3.2)
    lid = zi < NO_LID_M
    if not np.any(lid):
        return v
    shape = np.broadcast_shapes(np.shape(v), np.shape(zi))
    v = np.array(np.broadcast_to(v, shape), dtype=float)  # writable copy

    def full(t):
        return np.broadcast_to(t, shape)

    lid, zi_b, he_b, sz_b, a_b = full(lid), full(zi), full(he), full(sz), full(a)
    above = lid & (he_b > zi_b)  # plume above the lid (methods §3.1)
    mixed = lid & (sz_b >= WELL_MIXED_RATIO * zi_b) & ~above  # well mixed (methods §3.2)
    # Image pairs matter only where the nearest image, at 2 z_i - h_e, is within reach of the receptor:
    # elsewhere every image term is below exp(-40) (4 terms < 2e-17, far under the 1e-8 stopping rule).
    images = lid & ~above & ~mixed & (a_b * (2.0 * zi_b - he_b - zr) ** 2 > -_IMAGE_CUTOFF)
    if np.any(images):

        def pick(t):
            return t if np.ndim(t) == 0 else full(t)[images]

        z, h, l2, ai = pick(zr), pick(he), 2.0 * zi_b[images], a_b[images]
        total = np.zeros(l2.shape)
        active = None
        for i in range(1, MAX_REFLECTIONS + 1):  # image pairs at 2 i z_i -/+ h_e (methods §3.2)
            if active is None:
                zz, hh, ll, aa = z, h, l2, ai
            else:
                zz = z if np.ndim(z) == 0 else z[active]
                hh = h if np.ndim(h) == 0 else h[active]
                ll, aa = l2[active], ai[active]
            lo = i * ll - hh
            hi = i * ll + hh
            if ground:
                term = 2.0 * (np.exp(aa * lo * lo) + np.exp(aa * hi * hi))
            else:
                term = (np.exp(aa * (zz - lo) ** 2) + np.exp(aa * (zz + lo) ** 2)
                        + np.exp(aa * (zz - hi) ** 2) + np.exp(aa * (zz + hi) ** 2))
            if active is None:
                total += term
                active = np.flatnonzero(term >= REFLECTION_TOLERANCE)
            else:
                total[active] += term
                active = active[term >= REFLECTION_TOLERANCE]
            if active.size == 0:  # every i-th contribution below 1e-8 (methods §3.2)
                break
        v[images] += total
    if np.any(mixed):
        v[mixed] = _SQRT_2PI * sz_b[mixed] / zi_b[mixed]  # uniform in the mixed layer (methods §3.2)
    np.copyto(v, 0.0, where=above)
    return v


def _concentration(q, x, y, zr, he, sy, sz, us, zi):
    """Concentration [ug/m3] without checks; see :func:`concentration`.

    All arguments are float arrays (or scalars) that broadcast together; ``zi`` may be inf for no
    lid. Elements with x <= 0 are 0 whatever their sigmas (they may be NaN there).
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        v = _vertical_term(zr, he, sz, zi)
        r = y / sy
        c = (q * (1e6 / (2.0 * np.pi))) * v * np.exp(-0.5 * r * r) / (us * sy * sz)  # eq. 1-1 (methods §3.2)
    return np.where(x > 0.0, c, 0.0)
