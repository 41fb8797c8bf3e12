"""Dense gas (重质气体): the HJ 169-2018 Richardson-number test and the Britter-McQuaid workbook correlations.

Which model a release needs, and what a dense cloud does near the source.

* :func:`heavy_gas_test` -- HJ 169-2018 Annex G.2: continuous or instantaneous by the arrival time
  T = 2X/U_r, then the Richardson number of the release against 1/6 (continuous) or 0.04
  (instantaneous). Heavy -> a dense-gas model (HJ names SLAB; the Britter-McQuaid correlations below
  are the documented lighter alternative), otherwise a passive Gaussian model (HJ names AFTOX).
* :func:`britter_mcquaid_plume`, :func:`britter_mcquaid_puff` -- Britter & McQuaid (1988) workbook
  nomograms for continuous and instantaneous ground-level releases of dense gas, as the curve fits
  tabulated by CCPS (1999) (also EPA TSCREEN): the ratio of the peak ground-level concentration to the
  source concentration, C_m/C_0, against the scaled downwind distance, with the non-isothermal
  correction. :func:`britter_mcquaid_release` combines them for a release of finite duration by the
  workbook's continuity criterion.

Limits, stated by the workbook and refused here rather than extrapolated: flat unobstructed terrain,
ground-level release with negligible momentum, scaled density parameter alpha within -1..1, and
C_m/C_0 no lower than 0.002 (plume) or 0.001 (puff) -- beyond that the cloud is passive and the caller
must switch to a Gaussian model (:mod:`parksteward.release.scenario` does, with a virtual source). A
near-field formula covers x/D below the first curve. The plume is top-hat (uniform inside its width,
zero outside), so crosswind profiles are crude.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from parksteward.release import _checks
from parksteward.release.constants import GRAVITY_M_S2
from parksteward.release.errors import OutOfValidity, ReleaseInputError

#: HJ 169-2018 Annex G.2 thresholds of the Richardson number (dispersion-methods.md §7.2; to verify).
HJ169_RICHARDSON = {
    "source": "HJ 169-2018 Annex G.2 (eq. G.2-G.4) as recalled in dispersion-methods.md §7.2",
    "verified": False,
    "continuous_threshold": 1.0 / 6.0,  # heavy if Ri >= 1/6
    "instantaneous_threshold": 0.04,  # heavy if Ri > 0.04
}

#: Ri within this factor of its threshold is "near the threshold": run both models and keep the larger
#: impact (dispersion-methods.md §7.2). The factor is our choice, not HJ 169's.
NEAR_THRESHOLD_FACTOR = 2.0

RELEASE_MODES = ("continuous", "instantaneous")

#: Britter-McQuaid continuous-plume curve fits: for each C_m/C_0, pieces (alpha upper bound, slope,
#: intercept) of beta = log10(x / D) = slope * alpha + intercept, alpha = 0.2 log10(g0'^2 q0 / u^5).
BM_PLUME_CURVES = {
    "source": "Britter & McQuaid (1988) HSE CRR 17/1988 plume nomogram, curve fits of CCPS (1999) Guidelines for "
    "Consequence Analysis of Chemical Releases (also EPA TSCREEN, EPA-454/B-94-023), as transcribed in "
    "GasDispersion.jl src/utils/britter_mcquaid_correls.jl",
    "verified": False,
    0.10: ((-0.55, 0.0, 1.75), (-0.14, 0.24, 1.88), (1.0, -0.50, 1.78)),
    0.05: ((-0.68, 0.0, 1.92), (-0.29, 0.36, 2.16), (-0.18, 0.0, 2.06), (1.0, -0.56, 1.96)),
    0.02: ((-0.69, 0.0, 2.08), (-0.31, 0.45, 2.39), (-0.16, 0.0, 2.25), (1.0, -0.54, 2.16)),
    0.01: ((-0.70, 0.0, 2.25), (-0.29, 0.49, 2.59), (-0.20, 0.0, 2.45), (1.0, -0.52, 2.35)),
    0.005: ((-0.67, 0.0, 2.40), (-0.28, 0.59, 2.80), (-0.15, 0.0, 2.63), (1.0, -0.48, 2.56)),
    0.002: ((-0.69, 0.0, 2.60), (-0.25, 0.39, 2.87), (-0.13, 0.0, 2.77), (1.0, -0.50, 2.71)),
}

#: Britter-McQuaid instantaneous-puff curve fits: beta = log10(x / V0^(1/3)) against
#: alpha = 0.5 log10(g0' V0^(1/3) / u^2).
BM_PUFF_CURVES = {
    "source": "Britter & McQuaid (1988) puff nomogram, curve fits of CCPS (1999), as transcribed in GasDispersion.jl",
    "verified": False,
    0.10: ((-0.44, 0.0, 0.70), (0.43, 0.26, 0.81), (1.0, 0.0, 0.93)),
    0.05: ((-0.56, 0.0, 0.85), (0.31, 0.26, 1.00), (1.0, -0.12, 1.12)),
    0.02: ((-0.66, 0.0, 0.95), (0.32, 0.36, 1.19), (1.0, -0.26, 1.38)),
    0.01: ((-0.71, 0.0, 1.15), (0.37, 0.34, 1.39), (1.0, -0.38, 1.66)),
    0.005: ((-0.52, 0.0, 1.48), (0.24, 0.26, 1.62), (1.0, -0.30, 1.75)),
    0.002: ((0.27, 0.0, 1.83), (1.0, -0.32, 1.92)),
    0.001: ((-0.10, 0.0, 2.075), (1.0, -0.27, 2.05)),
}

#: alpha range over which the fits are tabulated; the low end is the workbook's own dense-gas criterion
#: (plume: (g0' q0 / (u^3 D))^(1/3) >= 0.15 <=> alpha >= -0.99).
BM_ALPHA_RANGE = (-1.0, 1.0)

#: Workbook geometry and kinematics (from the workbook text as quoted by aefarrell, "Taking a second look
#: at the Britter-McQuaid model" (2023), and GasDispersion.jl; not checked against the workbook).
BM_GEOMETRY = {
    "source": "Britter & McQuaid (1988) as implemented in GasDispersion.jl and discussed by aefarrell (2023)",
    "verified": False,
    "plume_near_field_x_max": 30.0,  # x/D below which C'/C0 = 306 / (306 + (x/D)^2)
    "plume_near_field_coefficient": 306.0,
    "puff_near_field_coefficient": 3.24,  # C'/C0 = 3.24 / (3.24 + (x/V0^(1/3))^2), not below 0.1
    "puff_advection_factor": 0.4,  # cloud centre moves at 0.4 u10
    "puff_spread_coefficient": 1.2,  # R^2 = R0^2 + 1.2 sqrt(g0' V0) t
    "continuous_criterion": 2.5,  # u T_d / x >= 2.5: continuous
    "instantaneous_criterion": 0.6,  # u T_d / x <= 0.6: instantaneous; between: both, the smaller
}


@dataclass(frozen=True)
class HeavyGasTest:
    """Result of :func:`heavy_gas_test`: which kind of model a release needs, and why.

    Attributes
    ----------
    mode : {"continuous", "instantaneous"}
        T_d > T = 2X/U_r -> continuous (eq. G.4).
    richardson : float
        Ri of eq. G.2 (continuous) or G.3 (instantaneous) [-]; negative for a gas lighter than air.
    threshold : float
        1/6 (continuous) or 0.04 (instantaneous) [-].
    heavy : bool
        Ri >= 1/6 (continuous) or Ri > 0.04 (instantaneous).
    near_threshold : bool
        Ri within a factor :data:`NEAR_THRESHOLD_FACTOR` of the threshold: run both models.
    arrival_time_s : float
        T = 2 X / U_r [s].
    source_diameter_m : float
        D_rel used in eq. G.2 [m] (NaN for an instantaneous release).
    reason : str
        One sentence for the report.
    """

    mode: str
    richardson: float
    threshold: float
    heavy: bool
    near_threshold: bool
    arrival_time_s: float
    source_diameter_m: float
    reason: str


@dataclass(frozen=True)
class BritterMcQuaidPlume:
    """Britter-McQuaid continuous dense plume (see :func:`britter_mcquaid_plume`).

    Attributes
    ----------
    volume_rate_m3_s : float
        q0, volume rate of the released gas at its release temperature [m3/s].
    reduced_gravity_m_s2 : float
        g0' = g (rho0 - rho_a) / rho_a [m/s2].
    wind_speed_m_s : float
        u10 [m/s].
    length_scale_m : float
        D = (q0 / u10)^(1/2) [m].
    buoyancy_length_m : float
        l_b = g0' q0 / u10^3 [m].
    alpha : float
        0.2 log10(g0'^2 q0 / u10^5) [-].
    temperature_ratio : float
        T0 / T_a, release over ambient temperature [-].
    log_distances : tuple of float
        beta = log10(x/D) of the interpolation nodes, increasing.
    ratios : tuple of float
        Isothermal C'/C0 at those nodes, decreasing (the first is the near-field join).
    near_field_x : float
        x/D up to which the near-field formula is used [-].
    """

    volume_rate_m3_s: float
    reduced_gravity_m_s2: float
    wind_speed_m_s: float
    length_scale_m: float
    buoyancy_length_m: float
    alpha: float
    temperature_ratio: float
    log_distances: tuple[float, ...]
    ratios: tuple[float, ...]
    near_field_x: float

    @property
    def max_distance_m(self) -> float:
        """End of the correlation (C'/C0 = 0.002) [m]."""
        return self.length_scale_m * 10.0 ** self.log_distances[-1]

    @property
    def upwind_extent_m(self) -> float:
        """L_U = D/2 + 2 l_b, upwind spread of the source cloud [m]."""
        return 0.5 * self.length_scale_m + 2.0 * self.buoyancy_length_m


@dataclass(frozen=True)
class BritterMcQuaidPuff:
    """Britter-McQuaid instantaneous dense puff (see :func:`britter_mcquaid_puff`).

    Attributes
    ----------
    volume_m3 : float
        V0, released gas volume at its release temperature [m3].
    reduced_gravity_m_s2 : float
        g0' [m/s2].
    wind_speed_m_s : float
        u10 [m/s].
    length_scale_m : float
        V0^(1/3) [m].
    alpha : float
        0.5 log10(g0' V0^(1/3) / u10^2) [-].
    temperature_ratio : float
        T0 / T_a [-].
    log_distances, ratios : tuple of float
        Interpolation nodes (beta = log10(x / V0^(1/3)), isothermal C'/C0).
    initial_radius_m : float
        R0 = (3 V0 / (4 pi))^(1/3) [m].
    """

    volume_m3: float
    reduced_gravity_m_s2: float
    wind_speed_m_s: float
    length_scale_m: float
    alpha: float
    temperature_ratio: float
    log_distances: tuple[float, ...]
    ratios: tuple[float, ...]
    initial_radius_m: float

    @property
    def max_distance_m(self) -> float:
        """End of the correlation (C'/C0 = 0.001) [m]."""
        return self.length_scale_m * 10.0 ** self.log_distances[-1]


@dataclass(frozen=True)
class BritterMcQuaidRelease:
    """A dense release of finite duration: the plume and the puff of the same gas (see :func:`britter_mcquaid_release`).

    Attributes
    ----------
    plume : BritterMcQuaidPlume or None
        The release as if continuous (None when its alpha is out of range).
    puff : BritterMcQuaidPuff or None
        The whole released volume q0 T_d as if instantaneous (None when its alpha is out of range).
    duration_s : float
        T_d [s].
    notes : tuple of str
        Why a curve was left out.
    """

    plume: BritterMcQuaidPlume | None
    puff: BritterMcQuaidPuff | None
    duration_s: float
    notes: tuple[str, ...] = ()

    @property
    def wind_speed_m_s(self) -> float:
        """u10 [m/s]."""
        return (self.plume or self.puff).wind_speed_m_s


# --------------------------------------------------------------------------------------------------
# HJ 169-2018 Annex G.2


def arrival_time_s(distance_m: float, wind_speed_m_s: float) -> float:
    """T = 2 X / U_r, the time scale separating continuous from instantaneous releases (HJ 169-2018 eq. G.4) [s].

    Parameters
    ----------
    distance_m : float
        X, distance from the release to the receptor of interest [m].
    wind_speed_m_s : float
        U_r, wind speed at 10 m [m/s].
    """
    x = _checks.positive("distance_m", distance_m, "m")
    u = _checks.positive("wind_speed_m_s", wind_speed_m_s, "m/s")
    return 2.0 * x / u  # eq. G.4


def richardson_continuous(
    rate_kg_s: float, release_density_kg_m3: float, air_density_kg_m3: float, source_diameter_m: float, wind_speed_m_s: float
) -> float:
    """Richardson number of a continuous release (HJ 169-2018 eq. G.2) [-].

    Notes
    -----
    Ri = [ g (Q / rho_rel) / D_rel * (rho_rel - rho_a) / rho_a ]^(1/3) / U_r; the real cube root, so a gas
    lighter than air gives Ri < 0.

    References
    ----------
    HJ 169-2018 Annex G.2, eq. G.2; dispersion-methods.md §7.2.
    """
    q = _checks.positive("rate_kg_s", rate_kg_s, "kg/s")
    rho = _checks.positive("release_density_kg_m3", release_density_kg_m3, "kg/m3")
    rho_a = _checks.positive("air_density_kg_m3", air_density_kg_m3, "kg/m3")
    d = _checks.positive("source_diameter_m", source_diameter_m, "m")
    u = _checks.positive("wind_speed_m_s", wind_speed_m_s, "m/s")
    return float(np.cbrt(GRAVITY_M_S2 * (q / rho) / d * (rho - rho_a) / rho_a)) / u  # eq. G.2


def richardson_instantaneous(mass_kg: float, release_density_kg_m3: float, air_density_kg_m3: float, wind_speed_m_s: float) -> float:
    """Richardson number of an instantaneous release (HJ 169-2018 eq. G.3) [-].

    Notes
    -----
    Ri = g (Q_t / rho_rel)^(1/3) / U_r^2 * (rho_rel - rho_a) / rho_a.

    References
    ----------
    HJ 169-2018 Annex G.2, eq. G.3; dispersion-methods.md §7.2.
    """
    m = _checks.positive("mass_kg", mass_kg, "kg")
    rho = _checks.positive("release_density_kg_m3", release_density_kg_m3, "kg/m3")
    rho_a = _checks.positive("air_density_kg_m3", air_density_kg_m3, "kg/m3")
    u = _checks.positive("wind_speed_m_s", wind_speed_m_s, "m/s")
    return GRAVITY_M_S2 * (m / rho) ** (1.0 / 3.0) / (u * u) * (rho - rho_a) / rho_a  # eq. G.3


def heavy_gas_test(
    *,
    rate_kg_s: float,
    duration_s: float,
    release_density_kg_m3: float,
    air_density_kg_m3: float,
    wind_speed_m_s: float,
    distance_m: float,
    source_diameter_m: float | None = None,
) -> HeavyGasTest:
    """HJ 169-2018 heavy-gas test: continuous or instantaneous, then the Richardson number against its threshold.

    Parameters
    ----------
    rate_kg_s : float
        Release rate Q [kg/s].
    duration_s : float
        Release duration T_d [s]; the instantaneous mass is Q T_d.
    release_density_kg_m3 : float
        rho_rel, initial density of the released gas (or gas-air mixture) [kg/m3].
    air_density_kg_m3 : float
        rho_a [kg/m3].
    wind_speed_m_s : float
        U_r at 10 m [m/s].
    distance_m : float
        X, distance to the receptor of interest [m] (HJ: the nearest receptor or grid point).
    source_diameter_m : float, optional
        D_rel, initial cloud width (a pool's diameter). When omitted, the Britter-McQuaid length scale
        (Q / (rho_rel U_r))^(1/2) is used and the reason says so.

    Returns
    -------
    HeavyGasTest

    References
    ----------
    HJ 169-2018 Annex G.2, eq. G.2-G.4; dispersion-methods.md §7.2.
    """
    q = _checks.positive("rate_kg_s", rate_kg_s, "kg/s")
    td = _checks.positive("duration_s", duration_s, "s")
    rho = _checks.positive("release_density_kg_m3", release_density_kg_m3, "kg/m3")
    rho_a = _checks.positive("air_density_kg_m3", air_density_kg_m3, "kg/m3")
    u = _checks.positive("wind_speed_m_s", wind_speed_m_s, "m/s")
    t_arrival = arrival_time_s(distance_m, u)
    if td > t_arrival:
        mode = "continuous"
        note = ""
        if source_diameter_m is None:
            d = math.sqrt(q / rho / u)
            note = f"; D_rel not given, Britter-McQuaid length (q0/U_r)^1/2 = {d:.3g} m used"
        else:
            d = _checks.positive("source_diameter_m", source_diameter_m, "m")
        ri = richardson_continuous(q, rho, rho_a, d, u)
        threshold = HJ169_RICHARDSON["continuous_threshold"]
        heavy = ri >= threshold
        relation = ">=" if heavy else "<"
    else:
        mode = "instantaneous"
        note = ""
        d = float("nan")
        ri = richardson_instantaneous(q * td, rho, rho_a, u)
        threshold = HJ169_RICHARDSON["instantaneous_threshold"]
        heavy = ri > threshold
        relation = ">" if heavy else "<="
    near = threshold / NEAR_THRESHOLD_FACTOR <= ri <= threshold * NEAR_THRESHOLD_FACTOR
    reason = (
        f"{mode} release (T_d = {td:g} s {'>' if mode == 'continuous' else '<='} T = 2X/U_r = {t_arrival:.3g} s); "
        f"Ri = {ri:.3g} {relation} {threshold:.3g}: {'heavy' if heavy else 'neutral or light'} gas"
        f"{' (near the threshold)' if near else ''}{note}"
    )
    return HeavyGasTest(mode, ri, threshold, heavy, near, t_arrival, d, reason)


# --------------------------------------------------------------------------------------------------
# Britter-McQuaid (1988)


def reduced_gravity_m_s2(release_density_kg_m3: float, air_density_kg_m3: float) -> float:
    """g0' = g (rho0 - rho_a) / rho_a [m/s2]."""
    rho = _checks.positive("release_density_kg_m3", release_density_kg_m3, "kg/m3")
    rho_a = _checks.positive("air_density_kg_m3", air_density_kg_m3, "kg/m3")
    return GRAVITY_M_S2 * (rho - rho_a) / rho_a


def plume_alpha(volume_rate_m3_s: float, reduced_gravity_m_s2: float, wind_speed_m_s: float) -> float:
    """Britter-McQuaid plume parameter alpha = 0.2 log10(g0'^2 q0 / u^5) [-] (g0' > 0)."""
    return 0.2 * math.log10(reduced_gravity_m_s2**2 * volume_rate_m3_s / wind_speed_m_s**5)


def puff_alpha(volume_m3: float, reduced_gravity_m_s2: float, wind_speed_m_s: float) -> float:
    """Britter-McQuaid puff parameter alpha = 0.5 log10(g0' V0^(1/3) / u^2) [-] (g0' > 0)."""
    return 0.5 * math.log10(reduced_gravity_m_s2 * volume_m3 ** (1.0 / 3.0) / wind_speed_m_s**2)


def _curve_betas(curves, alpha: float) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Nodes (ratios decreasing, betas) of a curve family at ``alpha``."""
    ratios = sorted((k for k in curves if isinstance(k, float)), reverse=True)
    betas = []
    for ratio in ratios:
        for upper, slope, intercept in curves[ratio]:
            if alpha <= upper:
                betas.append(slope * alpha + intercept)
                break
    return tuple(ratios), tuple(betas)


def _check_alpha(alpha: float, what: str) -> None:
    low, high = BM_ALPHA_RANGE
    if not low <= alpha <= high:
        hint = "density effects too weak: the cloud is passive, use a Gaussian model" if alpha < low else (
            "density effects stronger than the correlations cover (very dense gas or very low wind)"
        )
        raise OutOfValidity("alpha", f"{what} alpha = {alpha:.3g} is outside the correlation range {low:g}..{high:g} ({hint})")


def britter_mcquaid_plume(
    *,
    volume_rate_m3_s: float,
    release_density_kg_m3: float,
    air_density_kg_m3: float,
    wind_speed_m_s: float,
    release_temperature_k: float,
    ambient_temperature_k: float,
) -> BritterMcQuaidPlume:
    """Britter-McQuaid correlation of a continuous ground-level dense-gas plume.

    Parameters
    ----------
    volume_rate_m3_s : float
        q0, volume rate of the released gas at its release temperature [m3/s] (mass rate / rho0).
    release_density_kg_m3 : float
        rho0, density of the released gas [kg/m3]; must exceed the air density.
    air_density_kg_m3 : float
        rho_a [kg/m3].
    wind_speed_m_s : float
        u10, wind speed at 10 m [m/s].
    release_temperature_k, ambient_temperature_k : float
        T0 and T_a [K] for the non-isothermal correction.

    Returns
    -------
    BritterMcQuaidPlume

    Raises
    ------
    OutOfValidity
        Naming ``alpha`` when alpha = 0.2 log10(g0'^2 q0 / u^5) is outside -1..1.
    ReleaseInputError
        Naming ``release_density_kg_m3`` for a gas not denser than air.

    Notes
    -----
    D = (q0/u)^(1/2), beta = log10(x/D) read from :data:`BM_PLUME_CURVES` at alpha; C'/C0 is linear in
    beta between the curves; below x/D = 30 the near-field C'/C0 = 306 / (306 + (x/D)^2) (for alpha >
    0.605 the first curve lies inside x/D = 30 and the near field stops there, with a step, as in
    GasDispersion.jl). The non-isothermal correction gives the actual ratio
    C/C0 = C' / (C' + (1 - C') T0/T_a).

    References
    ----------
    Britter, R.E. & McQuaid, J. (1988) *Workbook on the Dispersion of Dense Gases*, HSE Contract Research
    Report 17/1988; CCPS (1999) *Guidelines for Consequence Analysis of Chemical Releases*, §2.3 (curve
    fits); EPA (1994) TSCREEN User's Guide, EPA-454/B-94-023.
    """
    q0 = _checks.positive("volume_rate_m3_s", volume_rate_m3_s, "m3/s")
    u = _checks.positive("wind_speed_m_s", wind_speed_m_s, "m/s")
    g0 = _dense_reduced_gravity(release_density_kg_m3, air_density_kg_m3)
    t0 = _checks.positive("release_temperature_k", release_temperature_k, "K")
    ta = _checks.positive("ambient_temperature_k", ambient_temperature_k, "K")
    alpha = plume_alpha(q0, g0, u)
    _check_alpha(alpha, "plume")
    d = math.sqrt(q0 / u)
    lb = g0 * q0 / u**3
    ratios, betas = _curve_betas(BM_PLUME_CURVES, alpha)
    x_nf = BM_GEOMETRY["plume_near_field_x_max"]
    if math.log10(x_nf) < betas[0]:
        c_nf = BM_GEOMETRY["plume_near_field_coefficient"] / (BM_GEOMETRY["plume_near_field_coefficient"] + x_nf**2)
        betas = (math.log10(x_nf), *betas)
        ratios = (c_nf, *ratios)
    else:
        x_nf = 10.0 ** betas[0]
    return BritterMcQuaidPlume(q0, g0, u, d, lb, alpha, t0 / ta, betas, ratios, x_nf)


def britter_mcquaid_puff(
    *,
    volume_m3: float,
    release_density_kg_m3: float,
    air_density_kg_m3: float,
    wind_speed_m_s: float,
    release_temperature_k: float,
    ambient_temperature_k: float,
) -> BritterMcQuaidPuff:
    """Britter-McQuaid correlation of an instantaneous ground-level dense-gas puff.

    Parameters
    ----------
    volume_m3 : float
        V0, released gas volume at its release temperature [m3].
    release_density_kg_m3, air_density_kg_m3 : float
        rho0 > rho_a [kg/m3].
    wind_speed_m_s : float
        u10 [m/s].
    release_temperature_k, ambient_temperature_k : float
        T0, T_a [K].

    Returns
    -------
    BritterMcQuaidPuff

    Notes
    -----
    alpha = 0.5 log10(g0' V0^(1/3) / u^2), beta = log10(x / V0^(1/3)) from :data:`BM_PUFF_CURVES`; near
    field 3.24 / (3.24 + (x/V0^(1/3))^2), not below 0.1 (GasDispersion.jl); the cloud centre moves at
    0.4 u10 and its radius grows as R^2 = R0^2 + 1.2 (g0' V0)^(1/2) t.

    References
    ----------
    Britter & McQuaid (1988); CCPS (1999) §2.3; as for :func:`britter_mcquaid_plume`.
    """
    v0 = _checks.positive("volume_m3", volume_m3, "m3")
    u = _checks.positive("wind_speed_m_s", wind_speed_m_s, "m/s")
    g0 = _dense_reduced_gravity(release_density_kg_m3, air_density_kg_m3)
    t0 = _checks.positive("release_temperature_k", release_temperature_k, "K")
    ta = _checks.positive("ambient_temperature_k", ambient_temperature_k, "K")
    scale = v0 ** (1.0 / 3.0)
    alpha = puff_alpha(v0, g0, u)
    _check_alpha(alpha, "puff")
    ratios, betas = _curve_betas(BM_PUFF_CURVES, alpha)
    r0 = (3.0 * v0 / (4.0 * math.pi)) ** (1.0 / 3.0)
    return BritterMcQuaidPuff(v0, g0, u, scale, alpha, t0 / ta, betas, ratios, r0)


def britter_mcquaid_release(
    *,
    rate_kg_s: float,
    duration_s: float,
    release_density_kg_m3: float,
    air_density_kg_m3: float,
    wind_speed_m_s: float,
    release_temperature_k: float,
    ambient_temperature_k: float,
) -> BritterMcQuaidRelease:
    """A dense release of finite duration: plume (q0 = Q/rho0) and puff (V0 = q0 T_d) of the same gas.

    :func:`release_concentration_ratio` picks between them at each distance by the workbook's
    criterion u T_d / x (>= 2.5 continuous, <= 0.6 instantaneous, between: the smaller of the two, both
    being upper bounds of a release of finite duration).

    A curve whose alpha lies outside -1..1 is left out (``None``, the reason in ``notes``); the
    distances that need it then have no dense-gas answer. When both are out, the plume's
    :class:`~parksteward.release.errors.OutOfValidity` is raised.
    """
    q = _checks.positive("rate_kg_s", rate_kg_s, "kg/s")
    td = _checks.positive("duration_s", duration_s, "s")
    rho = _checks.positive("release_density_kg_m3", release_density_kg_m3, "kg/m3")
    common = dict(
        release_density_kg_m3=rho, air_density_kg_m3=air_density_kg_m3, wind_speed_m_s=wind_speed_m_s,
        release_temperature_k=release_temperature_k, ambient_temperature_k=ambient_temperature_k,
    )
    notes = []
    try:
        plume = britter_mcquaid_plume(volume_rate_m3_s=q / rho, **common)
    except OutOfValidity as exc:
        plume, plume_error = None, exc
        notes.append(f"continuous-plume curves not used: {exc.message}")
    try:
        puff = britter_mcquaid_puff(volume_m3=q / rho * td, **common)
    except OutOfValidity as exc:
        if plume is None:
            raise plume_error from None
        puff = None
        notes.append(f"instantaneous-puff curves not used: {exc.message}")
    return BritterMcQuaidRelease(plume, puff, td, tuple(notes))


def plume_concentration_ratio(plume: BritterMcQuaidPlume, x_m):
    """Peak ground-level C/C0 of the dense plume at downwind distance x (actual, non-isothermal) [-].

    Parameters
    ----------
    plume : BritterMcQuaidPlume
    x_m : float or array_like
        Downwind distance [m]; x <= 0 (over the source) gives 1.

    Returns
    -------
    numpy.ndarray
        C/C0 [-], volume (mole) fraction of released gas relative to the source.

    Raises
    ------
    OutOfValidity
        Naming ``x_m`` beyond :attr:`BritterMcQuaidPlume.max_distance_m` (C'/C0 < 0.002).
    """
    x = _finite_array("x_m", x_m)
    _refuse_beyond("x_m", x, plume.max_distance_m, "plume")
    return _plume_ratio(plume, x)


def puff_concentration_ratio(puff: BritterMcQuaidPuff, x_m):
    """Peak ground-level C/C0 of the dense puff when it passes downwind distance x [-].

    Raises
    ------
    OutOfValidity
        Naming ``x_m`` beyond :attr:`BritterMcQuaidPuff.max_distance_m` (C'/C0 < 0.001).
    """
    x = _finite_array("x_m", x_m)
    _refuse_beyond("x_m", x, puff.max_distance_m, "puff")
    return _puff_ratio(puff, x)


def plume_distance_to_ratio(plume: BritterMcQuaidPlume, ratio: float) -> float:
    """Downwind distance at which the plume's peak C/C0 falls to ``ratio`` [m].

    Parameters
    ----------
    plume : BritterMcQuaidPlume
    ratio : float
        Actual (non-isothermal) C/C0, within the correlation (isothermal C'/C0 in 0.002..1).

    Raises
    ------
    OutOfValidity
        Naming ``ratio`` when it lies below the last curve.

    Notes
    -----
    The isothermal ratio looked up is C' = C / (C + (1 - C) T_a/T0) (CCPS 1999, the LNG example).
    """
    c = _checks.number("ratio", ratio)
    if not 0.0 < c <= 1.0:
        raise ReleaseInputError("ratio", f"must be within (0, 1] (found {c:g})")
    k = 1.0 / plume.temperature_ratio  # T_a / T0
    c_iso = c / (c + (1.0 - c) * k)
    if c_iso < plume.ratios[-1]:
        raise OutOfValidity("ratio", f"isothermal C'/C0 = {c_iso:.3g} is below the last Britter-McQuaid curve {plume.ratios[-1]:g}")
    if c_iso >= plume.ratios[0]:
        x_prime = math.sqrt(BM_GEOMETRY["plume_near_field_coefficient"] * (1.0 / c_iso - 1.0))
        return plume.length_scale_m * min(x_prime, plume.near_field_x)
    beta = float(np.interp(-c_iso, -np.asarray(plume.ratios), plume.log_distances))
    return plume.length_scale_m * 10.0**beta


def plume_half_width_m(plume: BritterMcQuaidPlume, x_m):
    """Top-hat half-width of the dense plume, L_H = D + 8 l_b + 2.5 (l_b x^2)^(1/3) (L_H0 upwind) [m].

    References
    ----------
    Britter & McQuaid (1988) plume dimensions as quoted by aefarrell (2023), who notes the TNO Yellow
    Book (CPR 14E) uses the same L_H; not checked against the workbook.
    """
    x = _finite_array("x_m", x_m)
    return _plume_half_width(plume, x)


def puff_half_width_m(puff: BritterMcQuaidPuff, x_m):
    """Largest crosswind half-width the passing dense puff covers at downwind distance x [m].

    Notes
    -----
    The cloud centre is at v t (v = 0.4 u10) with radius R^2 = R0^2 + k t, k = 1.2 (g0' V0)^(1/2).
    Maximising R^2 - (x - v t)^2 over t >= 0 gives Y^2 = R0^2 + k x / v + k^2 / (4 v^2) for
    x >= -k/(2v), and R0^2 - x^2 before that (the cloud at t = 0).
    """
    x = _finite_array("x_m", x_m)
    return _puff_half_width(puff, x)


def puff_arrival_time_s(puff: BritterMcQuaidPuff, x_m, y_m=0.0):
    """Earliest time the dense puff's edge reaches the ground point (x, y); NaN if it never does [s].

    Notes
    -----
    Solves (x - v t)^2 + y^2 = R0^2 + k t for the smaller root t >= 0.
    """
    x = _finite_array("x_m", x_m)
    y = _finite_array("y_m", y_m)
    return _puff_arrival(puff, x, y)


def release_concentration_ratio(release: BritterMcQuaidRelease, x_m):
    """C/C0 of a finite-duration dense release at distance x, with the regime used there.

    Parameters
    ----------
    release : BritterMcQuaidRelease
    x_m : float or array_like
        Downwind distance [m], > 0.

    Returns
    -------
    ratio : numpy.ndarray
        C/C0 [-].
    regime : numpy.ndarray of str
        ``"plume"``, ``"puff"`` or ``"both_min"`` per distance.

    Raises
    ------
    OutOfValidity
        Naming ``x_m`` where the curve the regime needs has ended.
    """
    x = _finite_array("x_m", x_m)
    ratio, regime = _release_ratio(release, x)
    if np.any(np.isnan(ratio)):
        bad = float(np.min(x[np.isnan(ratio)]))
        raise OutOfValidity("x_m", f"{bad:g} m is beyond the Britter-McQuaid correlations for this release ({_END_NOTE})")
    return ratio, regime


_END_NOTE = "the cloud is passive there: switch to a Gaussian model"


# --------------------------------------------------------------------------------------------------
# Unchecked fast paths (x a float array); NaN beyond the correlation.


def _dense_reduced_gravity(release_density_kg_m3, air_density_kg_m3) -> float:
    rho = _checks.positive("release_density_kg_m3", release_density_kg_m3, "kg/m3")
    rho_a = _checks.positive("air_density_kg_m3", air_density_kg_m3, "kg/m3")
    if rho <= rho_a:
        raise ReleaseInputError(
            "release_density_kg_m3", f"{rho:.4g} kg/m3 is not denser than air ({rho_a:.4g} kg/m3); use a Gaussian model"
        )
    return GRAVITY_M_S2 * (rho - rho_a) / rho_a


def _finite_array(name: str, value) -> np.ndarray:
    array = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(array)):
        raise ReleaseInputError(name, "must be finite (found NaN or infinity)")
    return array


def _refuse_beyond(name: str, x: np.ndarray, limit: float, what: str) -> None:
    if np.any(x > limit):
        raise OutOfValidity(
            name, f"{float(np.max(x)):g} m is beyond the end of the Britter-McQuaid {what} correlation at {limit:.4g} m ({_END_NOTE})"
        )


def _non_isothermal(c_iso: np.ndarray, temperature_ratio: float) -> np.ndarray:
    """Actual C/C0 from the isothermal C'/C0: C'/(C' + (1 - C') T0/T_a) (CCPS 1999)."""
    return c_iso / (c_iso + (1.0 - c_iso) * temperature_ratio)


def _plume_ratio(plume: BritterMcQuaidPlume, x: np.ndarray) -> np.ndarray:
    xp = np.maximum(x, 0.0) / plume.length_scale_m
    a = BM_GEOMETRY["plume_near_field_coefficient"]
    near = a / (a + xp * xp)
    beta = np.log10(np.maximum(xp, 1e-12))
    # C' linear in beta between the nodes (ratios decrease as beta increases)
    curve = np.interp(beta, plume.log_distances, plume.ratios)
    c_iso = np.where(xp <= plume.near_field_x, near, curve)
    c_iso = np.where(xp > 10.0 ** plume.log_distances[-1] * (1 + 1e-12), np.nan, c_iso)
    return _non_isothermal(c_iso, plume.temperature_ratio)


def _puff_ratio(puff: BritterMcQuaidPuff, x: np.ndarray) -> np.ndarray:
    xp = np.maximum(x, 0.0) / puff.length_scale_m
    a = BM_GEOMETRY["puff_near_field_coefficient"]
    near = np.maximum(a / (a + xp * xp), puff.ratios[0])
    beta = np.log10(np.maximum(xp, 1e-12))
    curve = np.interp(beta, puff.log_distances, puff.ratios)
    c_iso = np.where(beta <= puff.log_distances[0], near, curve)
    c_iso = np.where(xp > 10.0 ** puff.log_distances[-1] * (1 + 1e-12), np.nan, c_iso)
    return _non_isothermal(c_iso, puff.temperature_ratio)


def _plume_half_width(plume: BritterMcQuaidPlume, x: np.ndarray) -> np.ndarray:
    lh0 = plume.length_scale_m + 8.0 * plume.buoyancy_length_m
    width = lh0 + 2.5 * np.cbrt(plume.buoyancy_length_m * np.maximum(x, 0.0) ** 2)
    return np.where(x < -plume.upwind_extent_m, 0.0, width)


def _puff_kinematics(puff: BritterMcQuaidPuff) -> tuple[float, float]:
    v = BM_GEOMETRY["puff_advection_factor"] * puff.wind_speed_m_s
    k = BM_GEOMETRY["puff_spread_coefficient"] * math.sqrt(puff.reduced_gravity_m_s2 * puff.volume_m3)
    return v, k


def _puff_half_width(puff: BritterMcQuaidPuff, x: np.ndarray) -> np.ndarray:
    v, k = _puff_kinematics(puff)
    r0 = puff.initial_radius_m
    moving = r0 * r0 + k * x / v + k * k / (4.0 * v * v)
    at_start = r0 * r0 - x * x
    y2 = np.where(x >= -k / (2.0 * v), moving, at_start)
    return np.sqrt(np.maximum(y2, 0.0))


def _puff_arrival(puff: BritterMcQuaidPuff, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    v, k = _puff_kinematics(puff)
    r0 = puff.initial_radius_m
    # v^2 t^2 - (2 x v + k) t + (x^2 + y^2 - R0^2) <= 0
    b = 2.0 * x * v + k
    c = x * x + y * y - r0 * r0
    disc = b * b - 4.0 * v * v * c
    root = (b - np.sqrt(np.maximum(disc, 0.0))) / (2.0 * v * v)
    t = np.where(c <= 0.0, 0.0, root)
    return np.where((disc < 0.0) | (np.maximum(t, 0.0) != t), np.nan, t)


def _release_regime(release: BritterMcQuaidRelease, x: np.ndarray) -> np.ndarray:
    group = release.wind_speed_m_s * release.duration_s / np.maximum(x, 1e-9)
    return np.where(
        group >= BM_GEOMETRY["continuous_criterion"],
        "plume",
        np.where(group <= BM_GEOMETRY["instantaneous_criterion"], "puff", "both_min"),
    )


def _release_ratio(release: BritterMcQuaidRelease, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    regime = _release_regime(release, x)
    missing = np.full(x.shape, np.nan)
    plume = missing if release.plume is None else _plume_ratio(release.plume, x)
    puff = missing if release.puff is None else _puff_ratio(release.puff, x)
    # between the criteria both are upper bounds: the smaller; if one curve has ended, the other
    both = np.where(np.isnan(plume), puff, np.where(np.isnan(puff), plume, np.minimum(plume, puff)))
    ratio = np.where(regime == "plume", plume, np.where(regime == "puff", puff, both))
    return ratio, regime
