"""Source terms of HJ 169-2018 Annex F (源强): liquid, gas and two-phase leaks, flashing, pool evaporation.

How fast a hazardous substance leaves its containment (泄漏速率) and how fast a spilt liquid becomes
vapour (泄漏液体蒸发): Bernoulli flow through a hole for a liquid (eq. F.1), critical or sub-critical
ideal-gas flow for a gas (eq. F.2-F.5), homogeneous equilibrium flow for a flashing liquid (eq.
F.6-F.8), and the three evaporation terms of a pool -- flash, heat conducted from the ground and mass
transfer into the wind (eq. F.9-F.13). Every function returns a frozen dataclass with the rate in
kg/s and the intermediate values a report prints.

The coefficients are HJ 169-2018's as recalled in dispersion-methods.md §7.1 (discharge coefficients,
the two-phase critical pressure) and in HJ 169-2004-era transcriptions (ground thermal properties,
minimum pool thickness); each table carries ``verified: False`` and its ``source`` until checked
against the official text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from parksteward.release import _checks
from parksteward.release.constants import GAS_CONSTANT_J_MOL_K, GRAVITY_M_S2, STANDARD_PRESSURE_PA
from parksteward.release.errors import ReleaseInputError

#: Hole shapes of the discharge-coefficient tables.
HOLE_SHAPES = ("circular", "triangular", "rectangular")

#: Liquid discharge coefficient C_d by Reynolds number and hole shape (HJ 169-2018 Table F.1).
LIQUID_DISCHARGE_COEFFICIENTS = {
    "source": "HJ 169-2018 Table F.1 as recalled in dispersion-methods.md §7.1",
    "verified": False,
    "re_above_100": {"circular": 0.65, "triangular": 0.60, "rectangular": 0.55},
    "re_up_to_100": {"circular": 0.50, "triangular": 0.45, "rectangular": 0.40},
}

#: Gas discharge coefficient C_d by hole shape (HJ 169-2018, note to eq. F.4).
GAS_DISCHARGE_COEFFICIENTS = {
    "source": "HJ 169-2018 note to eq. F.4 as recalled in dispersion-methods.md §7.1",
    "verified": False,
    "circular": 1.00,
    "triangular": 0.95,
    "rectangular": 0.90,
}

#: Two-phase leak: discharge coefficient and critical pressure P_c = ratio * P (HJ 169-2018 eq. F.6). The
#: standard prints "P_c = 0.55 Pa"; read as 0.55 P, a critical pressure ratio (dispersion-methods §7.1).
TWO_PHASE = {
    "source": "HJ 169-2018 eq. F.6 and its notes as recalled in dispersion-methods.md §7.1",
    "verified": False,
    "discharge_coefficient": 0.8,
    "critical_pressure_ratio": 0.55,
}

#: Mass-transfer evaporation (eq. F.12): (n, alpha) by atmospheric stability (HJ 169-2018 Table F.3). The
#: table lists A-B, D and E-F; class C is not listed and is treated as neutral (an assumption of ours:
#: the neutral row gives the larger rate for pools of metres and winds of m/s).
MASS_TRANSFER_COEFFICIENTS = {
    "source": "HJ 169-2018 Table F.3 as recalled in dispersion-methods.md §7.1; class C -> neutral is ours",
    "verified": False,
    "unstable": (0.2, 3.846e-3),
    "neutral": (0.25, 4.685e-3),
    "stable": (0.3, 5.285e-3),
}
_STABILITY_GROUP = {"A": "unstable", "B": "unstable", "C": "neutral", "D": "neutral", "E": "stable", "F": "stable"}

#: Ground under a boiling pool: thermal conductivity lambda [W/(m K)] and diffusivity a [m2/s]
#: (HJ 169-2018 Table F.2; the same values as HJ/T 169-2004 Table 2-10).
GROUND_THERMAL_PROPERTIES = {
    "source": "HJ 169-2018 Table F.2 (from HJ/T 169-2004 transcriptions: 水泥, 土地含水8%, 干阔土地, 湿地, 沙砾地)",
    "verified": False,
    "concrete": (1.1, 1.29e-7),
    "soil_8pct_water": (0.9, 4.3e-7),
    "dry_sandy_ground": (0.3, 2.3e-7),
    "wet_ground": (0.6, 3.3e-7),
    "gravel": (2.5, 11.0e-7),
}
GROUND_TYPES = ("concrete", "soil_8pct_water", "dry_sandy_ground", "wet_ground", "gravel")

#: Minimum thickness [m] an unbunded pool spreads to, by surface (HJ/T 169-2004 液池最小物料层厚度, carried
#: over to HJ 169-2018 §8.2.2 practice).
POOL_MIN_THICKNESS_M = {
    "source": "HJ/T 169-2004 table of minimum liquid-layer thickness (草地, 粗糙地面, 平整地面, 混凝土地面, 平静水面)",
    "verified": False,
    "grass": 0.020,
    "rough_ground": 0.025,
    "flat_ground": 0.010,
    "concrete": 0.005,
    "calm_water": 0.0018,
}
POOL_SURFACES = ("grass", "rough_ground", "flat_ground", "concrete", "calm_water")


@dataclass(frozen=True)
class LiquidLeak:
    """Result of :func:`liquid_leak` (HJ 169-2018 eq. F.1).

    Attributes
    ----------
    rate_kg_s : float
        Leak rate Q_L [kg/s].
    discharge_coefficient : float
        C_d used [-].
    hole_area_m2 : float
        A [m2].
    velocity_m_s : float
        Jet velocity sqrt(2 (P - P0)/rho + 2 g h) [m/s].
    pressure_term_m2_s2 : float
        2 (P - P0) / rho [m2/s2].
    head_term_m2_s2 : float
        2 g h [m2/s2].
    """

    rate_kg_s: float
    discharge_coefficient: float
    hole_area_m2: float
    velocity_m_s: float
    pressure_term_m2_s2: float
    head_term_m2_s2: float


@dataclass(frozen=True)
class GasLeak:
    """Result of :func:`gas_leak` (HJ 169-2018 eq. F.2-F.5).

    Attributes
    ----------
    rate_kg_s : float
        Leak rate Q_G [kg/s].
    choked : bool
        True for critical (sonic) flow, P0/P <= critical pressure ratio.
    critical_pressure_ratio : float
        (2/(gamma+1))^(gamma/(gamma-1)) [-].
    pressure_ratio : float
        P0 / P [-].
    outflow_factor : float
        Y: 1 when choked, the sub-critical factor otherwise [-].
    discharge_coefficient : float
        C_d used [-].
    hole_area_m2 : float
        A [m2].
    """

    rate_kg_s: float
    choked: bool
    critical_pressure_ratio: float
    pressure_ratio: float
    outflow_factor: float
    discharge_coefficient: float
    hole_area_m2: float


@dataclass(frozen=True)
class TwoPhaseLeak:
    """Result of :func:`two_phase_leak` (HJ 169-2018 eq. F.6-F.8).

    Attributes
    ----------
    rate_kg_s : float
        Leak rate Q_LG [kg/s].
    flash_fraction : float
        F_v = c_p (T_LG - T_b) / H_v [-].
    mixture_density_kg_m3 : float
        rho_m = 1 / (F_v/rho_vapour + (1 - F_v)/rho_liquid) [kg/m3].
    critical_pressure_pa : float
        P_c = 0.55 P [Pa].
    discharge_coefficient : float
        C_d [-].
    hole_area_m2 : float
        A [m2].
    """

    rate_kg_s: float
    flash_fraction: float
    mixture_density_kg_m3: float
    critical_pressure_pa: float
    discharge_coefficient: float
    hole_area_m2: float


@dataclass(frozen=True)
class PoolEvaporation:
    """Result of :func:`pool_evaporation` (HJ 169-2018 eq. F.9-F.13).

    Attributes
    ----------
    flash_rate_kg_s : float
        Q1 = F_v Q_L, the part of the leak that flashes at once [kg/s].
    heat_rate_kg_s : float
        Q2, boiling driven by heat from the ground at ``heat_time_s`` (0 if the liquid does not boil at
        the ambient temperature) [kg/s].
    mass_transfer_rate_kg_s : float
        Q3, evaporation into the wind [kg/s].
    total_rate_kg_s : float
        Q1 + Q2 + Q3 [kg/s].
    flash_fraction : float
        F_v [-].
    surface_vapour_pressure_pa : float
        p of eq. F.12: the vapour pressure at the ambient temperature, or the ambient pressure for a
        boiling pool [Pa].
    pool_area_m2, pool_radius_m : float
        S [m2] and r = sqrt(S/pi) [m].
    evaporated_mass_kg : float
        W_p = Q1 t1 + Q2 t2 + Q3 t3 (eq. F.13) [kg].
    """

    flash_rate_kg_s: float
    heat_rate_kg_s: float
    mass_transfer_rate_kg_s: float
    total_rate_kg_s: float
    flash_fraction: float
    surface_vapour_pressure_pa: float
    pool_area_m2: float
    pool_radius_m: float
    evaporated_mass_kg: float


def hole_area_m2(hole_diameter_m: float, *, equipment_diameter_m: float | None = None) -> float:
    """Area of a hole of equivalent diameter d, A = pi d^2 / 4 [m2].

    Parameters
    ----------
    hole_diameter_m : float
        Equivalent hole diameter d [m], > 0.
    equipment_diameter_m : float, optional
        Diameter of the pipe or vessel [m]; a hole larger than it (more than a full-bore rupture)
        is refused.

    Raises
    ------
    ReleaseInputError
        Naming ``hole_diameter_m`` for d <= 0, d > equipment diameter or d > 10 m.
    """
    d = _checks.positive("hole_diameter_m", hole_diameter_m, "m")
    if equipment_diameter_m is not None:
        big = _checks.positive("equipment_diameter_m", equipment_diameter_m, "m")
        if d > big:
            raise ReleaseInputError(
                "hole_diameter_m", f"{d:g} m is larger than the equipment diameter {big:g} m (at most a full-bore rupture)"
            )
    if d > 10.0:
        raise ReleaseInputError("hole_diameter_m", f"{d:g} m is not a credible hole (> 10 m); give the diameter in metres")
    return math.pi * d * d / 4.0


def liquid_discharge_coefficient(hole_shape: str = "circular", *, reynolds_above_100: bool = True) -> float:
    """C_d of a liquid leak from HJ 169-2018 Table F.1 (unverified transcription) [-]."""
    _checks.choice("hole_shape", hole_shape, HOLE_SHAPES)
    row = "re_above_100" if reynolds_above_100 else "re_up_to_100"
    return LIQUID_DISCHARGE_COEFFICIENTS[row][hole_shape]


def liquid_leak(
    hole_diameter_m: float,
    pressure_pa: float,
    liquid_density_kg_m3: float,
    *,
    ambient_pressure_pa: float = STANDARD_PRESSURE_PA,
    liquid_head_m: float = 0.0,
    hole_shape: str = "circular",
    reynolds_above_100: bool = True,
    discharge_coefficient: float | None = None,
    equipment_diameter_m: float | None = None,
) -> LiquidLeak:
    """Liquid leak through a hole: Bernoulli with a discharge coefficient (HJ 169-2018 eq. F.1).

    Parameters
    ----------
    hole_diameter_m : float
        Equivalent hole diameter [m].
    pressure_pa : float
        Absolute pressure above the liquid in the vessel P [Pa].
    liquid_density_kg_m3 : float
        Liquid density rho [kg/m3].
    ambient_pressure_pa : float
        Ambient pressure P0 [Pa].
    liquid_head_m : float
        Liquid level above the hole h [m], >= 0.
    hole_shape : {"circular", "triangular", "rectangular"}
        Selects C_d in Table F.1.
    reynolds_above_100 : bool
        Row of Table F.1 (almost every leak of a mobile liquid has Re > 100).
    discharge_coefficient : float, optional
        C_d to use instead of Table F.1 (0 < C_d <= 1).
    equipment_diameter_m : float, optional
        Pipe or vessel diameter, to refuse impossible holes.

    Returns
    -------
    LiquidLeak

    Notes
    -----
    Q_L = C_d A rho sqrt( 2 (P - P0) / rho + 2 g h ). Valid while the liquid does not flash in the hole
    (storage temperature below the normal boiling point); a superheated liquid is a two-phase leak.

    References
    ----------
    HJ 169-2018 Annex F.1.1, eq. F.1 and Table F.1; dispersion-methods.md §7.1.
    """
    area = hole_area_m2(hole_diameter_m, equipment_diameter_m=equipment_diameter_m)
    p = _checks.positive("pressure_pa", pressure_pa, "Pa")
    p0 = _checks.positive("ambient_pressure_pa", ambient_pressure_pa, "Pa")
    rho = _checks.positive("liquid_density_kg_m3", liquid_density_kg_m3, "kg/m3")
    h = _checks.non_negative("liquid_head_m", liquid_head_m, "m")
    cd = _discharge_coefficient(discharge_coefficient, liquid_discharge_coefficient(hole_shape, reynolds_above_100=reynolds_above_100))
    pressure_term = 2.0 * (p - p0) / rho
    head_term = 2.0 * GRAVITY_M_S2 * h
    drive = pressure_term + head_term
    if drive <= 0:
        raise ReleaseInputError(
            "pressure_pa", f"{p:g} Pa with a head of {h:g} m does not push liquid out against {p0:g} Pa ambient"
        )
    velocity = math.sqrt(drive)
    rate = cd * area * rho * velocity  # eq. F.1
    return LiquidLeak(rate, cd, area, velocity, pressure_term, head_term)


def critical_pressure_ratio(heat_capacity_ratio: float) -> float:
    """(2 / (gamma + 1))^(gamma / (gamma - 1)): P0/P at or below which gas flow is choked (eq. F.2) [-]."""
    k = _gamma(heat_capacity_ratio)
    return (2.0 / (k + 1.0)) ** (k / (k - 1.0))


def gas_leak(
    hole_diameter_m: float,
    pressure_pa: float,
    temperature_k: float,
    molar_mass_kg_mol: float,
    heat_capacity_ratio: float,
    *,
    ambient_pressure_pa: float = STANDARD_PRESSURE_PA,
    hole_shape: str = "circular",
    discharge_coefficient: float | None = None,
    equipment_diameter_m: float | None = None,
) -> GasLeak:
    """Ideal-gas leak through a hole, critical (choked) or sub-critical (HJ 169-2018 eq. F.2-F.5).

    Parameters
    ----------
    hole_diameter_m : float
        Equivalent hole diameter [m].
    pressure_pa : float
        Absolute gas pressure in the vessel P [Pa]; must exceed the ambient pressure.
    temperature_k : float
        Gas temperature T_G [K].
    molar_mass_kg_mol : float
        Molar mass M [kg/mol].
    heat_capacity_ratio : float
        gamma = c_p / c_v [-], > 1.
    ambient_pressure_pa : float
        P0 [Pa].
    hole_shape : {"circular", "triangular", "rectangular"}
        Selects C_d (1.00 / 0.95 / 0.90).
    discharge_coefficient : float, optional
        C_d to use instead.
    equipment_diameter_m : float, optional
        Pipe or vessel diameter, to refuse impossible holes.

    Returns
    -------
    GasLeak

    Notes
    -----
    Choked when P0/P <= (2/(gamma+1))^(gamma/(gamma-1)) (eq. F.2). Then (eq. F.4, Y = 1)

        Q_G = Y C_d A P sqrt( M gamma / (R T_G) (2/(gamma+1))^((gamma+1)/(gamma-1)) ),

    and sub-critically (eq. F.5)

        Y = (P0/P)^(1/gamma) [1 - (P0/P)^((gamma-1)/gamma)]^(1/2) [2/(gamma-1) ((gamma+1)/2)^((gamma+1)/(gamma-1))]^(1/2),

    which equals 1 at the critical ratio, so the rate is continuous across it.

    References
    ----------
    HJ 169-2018 Annex F.1.2, eq. F.2-F.5; dispersion-methods.md §7.1; CCPS (1999) *Guidelines for
    Consequence Analysis of Chemical Releases*, §2.1 (the same ideal-gas orifice equations).
    """
    area = hole_area_m2(hole_diameter_m, equipment_diameter_m=equipment_diameter_m)
    p = _checks.positive("pressure_pa", pressure_pa, "Pa")
    p0 = _checks.positive("ambient_pressure_pa", ambient_pressure_pa, "Pa")
    if p <= p0:
        raise ReleaseInputError("pressure_pa", f"{p:g} Pa is not above the ambient {p0:g} Pa; no gas flows out")
    t = _checks.positive("temperature_k", temperature_k, "K")
    m = _checks.positive("molar_mass_kg_mol", molar_mass_kg_mol, "kg/mol")
    k = _gamma(heat_capacity_ratio)
    _checks.choice("hole_shape", hole_shape, HOLE_SHAPES)
    cd = _discharge_coefficient(discharge_coefficient, GAS_DISCHARGE_COEFFICIENTS[hole_shape])
    ratio = p0 / p
    critical = (2.0 / (k + 1.0)) ** (k / (k - 1.0))  # eq. F.2
    choked = ratio <= critical
    if choked:
        y = 1.0
    else:  # eq. F.5
        y = (
            ratio ** (1.0 / k)
            * math.sqrt(1.0 - ratio ** ((k - 1.0) / k))
            * math.sqrt(2.0 / (k - 1.0) * ((k + 1.0) / 2.0) ** ((k + 1.0) / (k - 1.0)))
        )
    rate = y * cd * area * p * math.sqrt(m * k / (GAS_CONSTANT_J_MOL_K * t) * (2.0 / (k + 1.0)) ** ((k + 1.0) / (k - 1.0)))  # eq. F.4
    return GasLeak(rate, choked, critical, ratio, y, cd, area)


def flash_fraction(
    liquid_temperature_k: float, boiling_point_k: float, heat_capacity_j_kg_k: float, heat_of_vaporisation_j_kg: float
) -> float:
    """Fraction of a superheated liquid that flashes to vapour on release, F_v = c_p (T - T_b) / H_v (eq. F.9).

    Parameters
    ----------
    liquid_temperature_k : float
        Liquid temperature before the release T [K].
    boiling_point_k : float
        Normal boiling point T_b [K].
    heat_capacity_j_kg_k : float
        Liquid heat capacity c_p [J/(kg K)].
    heat_of_vaporisation_j_kg : float
        Heat of vaporisation H_v [J/kg].

    Returns
    -------
    float
        F_v [-]: 0 when T <= T_b (no flash); values >= 1 mean the whole release is vapour (HJ 169-2018:
        treat it as a gas leak) and are returned as 1.

    Notes
    -----
    The linear energy balance of HJ 169-2018; the exact form 1 - exp(-c_p (T - T_b)/H_v) differs by a
    few percent for F_v ~ 0.2. Droplets carried with the flash (aerosol, often taken as 1-2 F_v) are
    not included.

    References
    ----------
    HJ 169-2018 Annex F.1.4.1, eq. F.9 (also the F_v of eq. F.7); CCPS (1999), §2.2.
    """
    t = _checks.positive("liquid_temperature_k", liquid_temperature_k, "K")
    tb = _checks.positive("boiling_point_k", boiling_point_k, "K")
    cp = _checks.positive("heat_capacity_j_kg_k", heat_capacity_j_kg_k, "J/(kg K)")
    hv = _checks.positive("heat_of_vaporisation_j_kg", heat_of_vaporisation_j_kg, "J/kg")
    fv = cp * (t - tb) / hv  # eq. F.9
    return min(max(fv, 0.0), 1.0)


def two_phase_leak(
    hole_diameter_m: float,
    pressure_pa: float,
    temperature_k: float,
    boiling_point_k: float,
    heat_capacity_j_kg_k: float,
    heat_of_vaporisation_j_kg: float,
    liquid_density_kg_m3: float,
    vapour_density_kg_m3: float,
    *,
    discharge_coefficient: float | None = None,
    critical_pressure_fraction: float | None = None,
    equipment_diameter_m: float | None = None,
) -> TwoPhaseLeak:
    """Leak of a flashing (superheated) liquid as a homogeneous two-phase mixture (HJ 169-2018 eq. F.6-F.8).

    Parameters
    ----------
    hole_diameter_m : float
        Equivalent hole diameter [m].
    pressure_pa : float
        Absolute vessel pressure P [Pa].
    temperature_k : float
        Temperature of the two-phase mixture T_LG [K].
    boiling_point_k : float
        Boiling point T_b [K] (HJ: at the critical pressure; the normal boiling point is the usual proxy).
    heat_capacity_j_kg_k : float
        c_p of the mixture [J/(kg K)].
    heat_of_vaporisation_j_kg : float
        H_v [J/kg].
    liquid_density_kg_m3, vapour_density_kg_m3 : float
        rho_liquid and rho_vapour [kg/m3].
    discharge_coefficient : float, optional
        C_d, default 0.8 (HJ 169-2018).
    critical_pressure_fraction : float, optional
        P_c / P, default 0.55.
    equipment_diameter_m : float, optional
        Pipe or vessel diameter, to refuse impossible holes.

    Returns
    -------
    TwoPhaseLeak

    Raises
    ------
    ReleaseInputError
        Naming ``temperature_k`` when F_v <= 0 (no flash: use :func:`liquid_leak`) or F_v >= 1 (all
        vapour: use :func:`gas_leak`), as HJ 169-2018 prescribes.

    Notes
    -----
    Q_LG = C_d A sqrt( 2 rho_m (P - P_c) ) (eq. F.6), rho_m = 1 / (F_v/rho_vapour + (1 - F_v)/rho_liquid)
    (eq. F.7), F_v = c_p (T_LG - T_b) / H_v (eq. F.8), P_c = 0.55 P.

    References
    ----------
    HJ 169-2018 Annex F.1.3, eq. F.6-F.8; dispersion-methods.md §7.1 (the "0.55 Pa" misprint).
    """
    area = hole_area_m2(hole_diameter_m, equipment_diameter_m=equipment_diameter_m)
    p = _checks.positive("pressure_pa", pressure_pa, "Pa")
    t = _checks.positive("temperature_k", temperature_k, "K")
    tb = _checks.positive("boiling_point_k", boiling_point_k, "K")
    cp = _checks.positive("heat_capacity_j_kg_k", heat_capacity_j_kg_k, "J/(kg K)")
    hv = _checks.positive("heat_of_vaporisation_j_kg", heat_of_vaporisation_j_kg, "J/kg")
    rho_l = _checks.positive("liquid_density_kg_m3", liquid_density_kg_m3, "kg/m3")
    rho_v = _checks.positive("vapour_density_kg_m3", vapour_density_kg_m3, "kg/m3")
    cd = _discharge_coefficient(discharge_coefficient, TWO_PHASE["discharge_coefficient"])
    ratio = TWO_PHASE["critical_pressure_ratio"] if critical_pressure_fraction is None else _checks.between(
        "critical_pressure_fraction", critical_pressure_fraction, 0.0, 1.0
    )
    fv = cp * (t - tb) / hv  # eq. F.8
    if fv <= 0:
        raise ReleaseInputError("temperature_k", f"{t:g} K is not above the boiling point {tb:g} K: no flash, use liquid_leak")
    if fv >= 1:
        raise ReleaseInputError("temperature_k", f"F_v = {fv:.3g} >= 1: the release is all vapour, use gas_leak")
    rho_m = 1.0 / (fv / rho_v + (1.0 - fv) / rho_l)  # eq. F.7
    pc = ratio * p
    rate = cd * area * math.sqrt(2.0 * rho_m * (p - pc))  # eq. F.6
    return TwoPhaseLeak(rate, fv, rho_m, pc, cd, area)


def pool_area_m2(
    liquid_mass_kg: float, liquid_density_kg_m3: float, *, surface: str = "concrete", bund_area_m2: float | None = None
) -> float:
    """Area a spilt liquid covers: spread to the surface's minimum thickness, capped by a bund (围堰).

    Parameters
    ----------
    liquid_mass_kg : float
        Mass of liquid in the pool [kg].
    liquid_density_kg_m3 : float
        Liquid density [kg/m3].
    surface : {"grass", "rough_ground", "flat_ground", "concrete", "calm_water"}
        Selects the minimum layer thickness.
    bund_area_m2 : float, optional
        Area inside the bund; the pool never exceeds it.

    Returns
    -------
    float
        S = min( m / (rho h_min), S_bund ) [m2].

    References
    ----------
    HJ 169-2018 §8.2.2 (a bunded pool takes the bund area); HJ/T 169-2004 minimum layer thickness.
    """
    m = _checks.positive("liquid_mass_kg", liquid_mass_kg, "kg")
    rho = _checks.positive("liquid_density_kg_m3", liquid_density_kg_m3, "kg/m3")
    _checks.choice("surface", surface, POOL_SURFACES)
    area = m / (rho * POOL_MIN_THICKNESS_M[surface])
    if bund_area_m2 is not None:
        area = min(area, _checks.positive("bund_area_m2", bund_area_m2, "m2"))
    return area


def pool_evaporation(
    *,
    leak_rate_kg_s: float,
    liquid_temperature_k: float,
    boiling_point_k: float,
    heat_capacity_j_kg_k: float,
    heat_of_vaporisation_j_kg: float,
    molar_mass_kg_mol: float,
    vapour_pressure_pa: float,
    pool_area_m2: float,
    wind_speed_m_s: float,
    stability: str,
    ambient_temperature_k: float = 298.15,
    ambient_pressure_pa: float = STANDARD_PRESSURE_PA,
    ground: str = "concrete",
    heat_time_s: float = 600.0,
    flash_time_s: float = 600.0,
    evaporation_time_s: float = 1800.0,
) -> PoolEvaporation:
    """Evaporation of a leaking liquid: flash + heat from the ground + mass transfer (HJ 169-2018 eq. F.9-F.13).

    Parameters
    ----------
    leak_rate_kg_s : float
        Liquid leak rate Q_L [kg/s] (e.g. :func:`liquid_leak`).
    liquid_temperature_k : float
        Liquid temperature before release T_T [K].
    boiling_point_k : float
        Normal boiling point T_b [K].
    heat_capacity_j_kg_k : float
        Liquid c_p [J/(kg K)].
    heat_of_vaporisation_j_kg : float
        H_v [J/kg].
    molar_mass_kg_mol : float
        M [kg/mol].
    vapour_pressure_pa : float
        Vapour pressure of the liquid at the ambient temperature [Pa]; for a boiling pool (T_b below
        ambient) the ambient pressure is used instead.
    pool_area_m2 : float
        Pool area S [m2] (:func:`pool_area_m2`).
    wind_speed_m_s : float
        Wind speed u [m/s] (10 m).
    stability : {"A", ..., "F"}
        Pasquill-Gifford class; selects n and alpha of Table F.3.
    ambient_temperature_k, ambient_pressure_pa : float
        T0 [K], ambient pressure [Pa].
    ground : {"concrete", "soil_8pct_water", "dry_sandy_ground", "wet_ground", "gravel"}
        Selects lambda and a of Table F.2.
    heat_time_s : float
        t of eq. F.11, time since the pool formed; Q2 is reported at this time (HJ practice: t = t2) [s].
    flash_time_s, evaporation_time_s : float
        t1 (flash duration, usually the leak duration) and t2 = t3 (evaporation duration, 15-30 min in
        HJ 169-2018 §8.2.2) for W_p [s].

    Returns
    -------
    PoolEvaporation

    Notes
    -----
    Q1 = F_v Q_L with F_v = c_p (T_T - T_b)/H_v (eq. F.9, F.10; HJ/T 169-2004 writes F W_T / t1, the
    same for W_T = Q_L t1).
    Q2 = lambda S (T0 - T_b) / (H_v sqrt(pi a t)) (eq. F.11), only when T_b < T0.
    Q3 = alpha p M / (R T0) u^((2-n)/(2+n)) r^((4+n)/(2+n)) (eq. F.12), r = sqrt(S/pi).
    W_p = Q1 t1 + Q2 t2 + Q3 t3 (eq. F.13; HJ multiplies Q2 at t2 by t2 rather than integrating,
    which would give twice that).

    References
    ----------
    HJ 169-2018 Annex F.1.4, eq. F.9-F.13, Tables F.2, F.3; dispersion-methods.md §7.1.
    """
    ql = _checks.non_negative("leak_rate_kg_s", leak_rate_kg_s, "kg/s")
    tt = _checks.positive("liquid_temperature_k", liquid_temperature_k, "K")
    tb = _checks.positive("boiling_point_k", boiling_point_k, "K")
    hv = _checks.positive("heat_of_vaporisation_j_kg", heat_of_vaporisation_j_kg, "J/kg")
    m = _checks.positive("molar_mass_kg_mol", molar_mass_kg_mol, "kg/mol")
    pv = _checks.positive("vapour_pressure_pa", vapour_pressure_pa, "Pa")
    s = _checks.positive("pool_area_m2", pool_area_m2, "m2")
    u = _checks.positive("wind_speed_m_s", wind_speed_m_s, "m/s")
    group = _STABILITY_GROUP[_checks.stability(stability)]
    t0 = _checks.positive("ambient_temperature_k", ambient_temperature_k, "K")
    pa = _checks.positive("ambient_pressure_pa", ambient_pressure_pa, "Pa")
    _checks.choice("ground", ground, GROUND_TYPES)
    t_heat = _checks.positive("heat_time_s", heat_time_s, "s")
    t1 = _checks.non_negative("flash_time_s", flash_time_s, "s")
    t23 = _checks.non_negative("evaporation_time_s", evaporation_time_s, "s")

    fv = flash_fraction(tt, tb, heat_capacity_j_kg_k, hv)
    q1 = fv * ql  # eq. F.10
    boiling = tb < t0
    if boiling:
        lam, diffusivity = GROUND_THERMAL_PROPERTIES[ground]
        q2 = lam * s * (t0 - tb) / (hv * math.sqrt(math.pi * diffusivity * t_heat))  # eq. F.11
        p_surface = pa
    else:
        q2 = 0.0
        p_surface = min(pv, pa)
    n, alpha = MASS_TRANSFER_COEFFICIENTS[group]
    r = math.sqrt(s / math.pi)
    q3 = (
        alpha * p_surface * m / (GAS_CONSTANT_J_MOL_K * t0) * u ** ((2.0 - n) / (2.0 + n)) * r ** ((4.0 + n) / (2.0 + n))
    )  # eq. F.12
    mass = q1 * t1 + q2 * t23 + q3 * t23  # eq. F.13
    return PoolEvaporation(q1, q2, q3, q1 + q2 + q3, fv, p_surface, s, r, mass)


def _gamma(value) -> float:
    k = _checks.number("heat_capacity_ratio", value)
    if not 1.0 < k <= 5.0 / 3.0 + 1e-9:
        raise ReleaseInputError("heat_capacity_ratio", f"must be within (1, 5/3] for an ideal gas (found {k:g})")
    return k


def _discharge_coefficient(given, default: float) -> float:
    if given is None:
        return default
    cd = _checks.number("discharge_coefficient", given)
    if not 0.0 < cd <= 1.0:
        raise ReleaseInputError("discharge_coefficient", f"must be within (0, 1] (found {cd:g})")
    return cd
