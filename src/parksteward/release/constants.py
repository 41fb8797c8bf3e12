"""Physical constants and the HJ 169-2018 reference atmosphere shared by the release modules (SI units)."""

from __future__ import annotations

#: Molar gas constant R [J/(mol K)] (CODATA 2018, exact). HJ 169-2018 eq. F.4 / F.12 print no value.
GAS_CONSTANT_J_MOL_K = 8.314462618

#: Standard gravity g [m/s2]; HJ 169-2018 eq. F.1 uses 9.81 (9.8 in older transcriptions).
GRAVITY_M_S2 = 9.81

#: Molar mass of dry air [kg/mol] (ISO 2533 standard atmosphere).
AIR_MOLAR_MASS_KG_MOL = 0.028965

#: Standard atmospheric pressure [Pa].
STANDARD_PRESSURE_PA = 101325.0

#: HJ 169-2018 worst-case meteorology (最不利气象, §9.1.1.4 as cited in standards.md §8.1):
#: F stability, 1.5 m/s at 10 m, 25 degC, relative humidity 50 %. Recalled transcription.
HJ169_WORST_CASE = {
    "stability": "F",
    "wind_speed_m_s": 1.5,
    "temperature_k": 298.15,
    "relative_humidity_pct": 50.0,
    "source": "HJ 169-2018 §9.1.1.4 via dispersion-methods.md §7.2 and standards.md §8.1",
    "verified": False,
}


def air_density_kg_m3(temperature_k: float, pressure_pa: float = STANDARD_PRESSURE_PA) -> float:
    """Dry-air density from the ideal gas law, rho = P M_air / (R T) [kg/m3].

    Humidity changes it by < 1 % at 25 degC and 50 % RH and is ignored.
    """
    return pressure_pa * AIR_MOLAR_MASS_KG_MOL / (GAS_CONSTANT_J_MOL_K * temperature_k)
