"""The demo park's hazardous chemicals (危险化学品) as data: physical properties and HJ 169 toxic endpoints.

One :class:`Chemical` per substance with the properties the source terms and the dispersion models
need (molar mass, normal boiling point, heat of vaporisation, liquid density and heat capacity,
ideal-gas heat capacity, vapour pressure) and the two atmospheric toxic endpoints of HJ 169-2018
Table H.1 (大气毒性终点浓度-1 / -2). Every value carries a :class:`Provenance`: where it comes from and
whether it was checked against an independent transcription (``verified``). Values recalled from
handbooks are ``verified=False`` and must be checked before they drive a decision.

:func:`get_chemical` finds a substance by Chinese name, English name, formula or CAS number and
lists the known ones when it cannot.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from parksteward.release import _checks
from parksteward.release.constants import GAS_CONSTANT_J_MOL_K, STANDARD_PRESSURE_PA
from parksteward.release.errors import ReleaseInputError

#: Vapour-pressure methods of :meth:`Chemical.vapour_pressure_pa`.
VAPOUR_PRESSURE_METHODS = ("auto", "antoine", "clausius_clapeyron")


@dataclass(frozen=True)
class Provenance:
    """Where a value comes from and whether it was checked against an independent transcription."""

    source: str
    verified: bool


_MW = Provenance("computed from IUPAC standard atomic weights (abridged, 2021)", True)
_CRC = Provenance(
    "CRC Handbook of Chemistry and Physics (95th ed.), enthalpy-of-vaporisation table (Tb, dHvap at Tb), "
    "checked against the transcription in CalebBell/chemicals 'Phase Change/CRC Handbook Heat of Vaporization.tsv'",
    True,
)
_H1 = Provenance("HJ 169-2018 Table H.1 as transcribed in standards.md §8 (status: checked)", True)
_B1 = Provenance("HJ 169-2018 Table B.1 as transcribed in standards.md §8 (status: checked)", True)
_H1_VERIFY = Provenance("HJ 169-2018 Table H.1 as transcribed in standards.md §8 (status: verify)", False)
_B1_VERIFY = Provenance("HJ 169-2018 Table B.1 as transcribed in standards.md §8 (status: verify)", False)
_RECALLED = Provenance("recalled handbook value (Perry's Chemical Engineers' Handbook 8th ed. / CRC); verify", False)
_JANAF = Provenance("ideal-gas Cp at 298.15 K (NIST-JANAF / NIST Chemistry WebBook), recalled; verify", False)
_ANTOINE = Provenance(
    "NIST Chemistry WebBook Antoine parameters, log10(P/bar) = A - B/(T/K + C), recalled; they reproduce the CRC "
    "normal boiling point within 0.2 %; verify",
    False,
)
_NOT_IN_CRC = Provenance("recalled handbook value, not in the CRC table used for the other substances; verify", False)


@dataclass(frozen=True)
class Chemical:
    """A hazardous substance with the properties the release models use (SI units).

    Attributes
    ----------
    key : str
        Stable identifier (``"chlorine"``).
    name_zh, name_en : str
        Names as in HJ 169-2018 Table H.1 / B.1 and in English.
    cas : str
        CAS registry number.
    formula : str
        Molecular formula.
    molar_mass_kg_mol : float
        Molar mass M [kg/mol].
    boiling_point_k : float
        Normal boiling point T_b at 101.325 kPa [K].
    heat_of_vaporisation_j_mol : float
        Enthalpy of vaporisation at T_b [J/mol].
    liquid_density_kg_m3 : float
        Liquid density [kg/m3] at ``liquid_density_temperature_k`` (saturated liquid).
    liquid_density_temperature_k : float
        Temperature of that density [K].
    liquid_heat_capacity_j_kg_k : float
        Liquid isobaric heat capacity c_p [J/(kg K)] (flash fraction, two-phase leak).
    ideal_gas_heat_capacity_j_mol_k : float
        Ideal-gas c_p at 298.15 K [J/(mol K)]; gives the heat-capacity ratio gamma.
    antoine : tuple of float or None
        (A, B, C, T_min, T_max) of log10(P/bar) = A - B/(T/K + C), valid for T_min..T_max [K]; None
        where no Antoine fit is carried (Clausius-Clapeyron is used).
    endpoint_1_mg_m3, endpoint_2_mg_m3 : float
        HJ 169-2018 Table H.1 atmospheric toxic endpoints -1 and -2 [mg/m3].
    critical_quantity_t : float
        HJ 169-2018 Table B.1 critical quantity Q_n [t].
    aliases : tuple of str
        Further names accepted by :func:`get_chemical`.
    provenance : Mapping[str, Provenance]
        Source and verification status of every numeric field, by field name.
    """

    key: str
    name_zh: str
    name_en: str
    cas: str
    formula: str
    molar_mass_kg_mol: float
    boiling_point_k: float
    heat_of_vaporisation_j_mol: float
    liquid_density_kg_m3: float
    liquid_density_temperature_k: float
    liquid_heat_capacity_j_kg_k: float
    ideal_gas_heat_capacity_j_mol_k: float
    antoine: tuple[float, float, float, float, float] | None
    endpoint_1_mg_m3: float
    endpoint_2_mg_m3: float
    critical_quantity_t: float
    aliases: tuple[str, ...] = ()
    provenance: Mapping[str, Provenance] = field(default_factory=dict)

    @property
    def heat_of_vaporisation_j_kg(self) -> float:
        """Enthalpy of vaporisation at T_b per unit mass [J/kg]."""
        return self.heat_of_vaporisation_j_mol / self.molar_mass_kg_mol

    @property
    def heat_capacity_ratio(self) -> float:
        """gamma = c_p / c_v = c_p / (c_p - R) of the ideal gas at 298.15 K [-]."""
        cp = self.ideal_gas_heat_capacity_j_mol_k
        return cp / (cp - GAS_CONSTANT_J_MOL_K)

    @property
    def unverified_fields(self) -> tuple[str, ...]:
        """Names of the fields whose value is not checked (``verified=False``)."""
        return tuple(name for name, prov in self.provenance.items() if not prov.verified)

    def gas_density_kg_m3(self, temperature_k: float | None = None, pressure_pa: float = STANDARD_PRESSURE_PA) -> float:
        """Density of the pure vapour as an ideal gas, rho = P M / (R T) [kg/m3].

        Parameters
        ----------
        temperature_k : float, optional
            Gas temperature [K]; the normal boiling point when omitted (the density of the vapour
            leaving a boiling pool or a flashing jet).
        pressure_pa : float
            Pressure [Pa].
        """
        t = self.boiling_point_k if temperature_k is None else _checks.positive("temperature_k", temperature_k, "K")
        p = _checks.positive("pressure_pa", pressure_pa, "Pa")
        return p * self.molar_mass_kg_mol / (GAS_CONSTANT_J_MOL_K * t)

    def vapour_pressure_pa(self, temperature_k: float, method: str = "auto") -> float:
        """Saturated vapour pressure p_v(T) [Pa].

        Parameters
        ----------
        temperature_k : float
            Liquid temperature [K].
        method : {"auto", "antoine", "clausius_clapeyron"}
            ``"antoine"`` uses the carried Antoine fit and refuses temperatures outside its range;
            ``"clausius_clapeyron"`` integrates from the normal boiling point with a constant heat of
            vaporisation; ``"auto"`` takes Antoine inside its range, Clausius-Clapeyron elsewhere.

        Returns
        -------
        float
            p_v [Pa].

        Notes
        -----
        Antoine: log10(p_v / bar) = A - B / (T + C). Clausius-Clapeyron:
        p_v = 101325 exp( dH_v / R (1/T_b - 1/T) ) -- within about 5 % of the handbook values for the
        liquefied gases here between T_b and 20 degC, but about 20 % high for benzene at 20 degC,
        hence Antoine where it exists.

        References
        ----------
        NIST Chemistry WebBook (Antoine parameters); Atkins, *Physical Chemistry*, Clausius-Clapeyron.
        """
        t = _checks.positive("temperature_k", temperature_k, "K")
        _checks.choice("method", method, VAPOUR_PRESSURE_METHODS)
        if method != "clausius_clapeyron" and self.antoine is not None:
            a, b, c, t_min, t_max = self.antoine
            if t_min <= t <= t_max:
                return 1e5 * 10.0 ** (a - b / (t + c))
            if method == "antoine":
                raise ReleaseInputError(
                    "temperature_k", f"{t:g} K is outside the Antoine range {t_min:g}-{t_max:g} K of {self.key}"
                )
        elif method == "antoine":
            raise ReleaseInputError("method", f"no Antoine fit is carried for {self.key}; use 'clausius_clapeyron'")
        exponent = self.heat_of_vaporisation_j_mol / GAS_CONSTANT_J_MOL_K * (1.0 / self.boiling_point_k - 1.0 / t)
        return STANDARD_PRESSURE_PA * math.exp(exponent)


def _chemical(provenance: dict, **values) -> Chemical:
    return Chemical(provenance=MappingProxyType(provenance), **values)


_STANDARD_PROVENANCE = {
    "molar_mass_kg_mol": _MW,
    "boiling_point_k": _CRC,
    "heat_of_vaporisation_j_mol": _CRC,
    "liquid_density_kg_m3": _RECALLED,
    "liquid_heat_capacity_j_kg_k": _RECALLED,
    "ideal_gas_heat_capacity_j_mol_k": _JANAF,
    "endpoint_1_mg_m3": _H1,
    "endpoint_2_mg_m3": _H1,
    "critical_quantity_t": _B1,
}

_TABLE = (
    _chemical(
        dict(_STANDARD_PROVENANCE),
        key="chlorine", name_zh="氯气", name_en="chlorine", cas="7782-50-5", formula="Cl2",
        molar_mass_kg_mol=0.070906, boiling_point_k=239.11, heat_of_vaporisation_j_mol=20410.0,
        liquid_density_kg_m3=1410.0, liquid_density_temperature_k=293.15, liquid_heat_capacity_j_kg_k=946.0,
        ideal_gas_heat_capacity_j_mol_k=33.95, antoine=None,
        endpoint_1_mg_m3=58.0, endpoint_2_mg_m3=5.8, critical_quantity_t=1.0,
        aliases=("氯", "液氯"),
    ),
    _chemical(
        dict(_STANDARD_PROVENANCE),
        key="ammonia", name_zh="氨", name_en="ammonia", cas="7664-41-7", formula="NH3",
        molar_mass_kg_mol=0.017031, boiling_point_k=239.82, heat_of_vaporisation_j_mol=23330.0,
        liquid_density_kg_m3=610.0, liquid_density_temperature_k=293.15, liquid_heat_capacity_j_kg_k=4700.0,
        ideal_gas_heat_capacity_j_mol_k=35.06, antoine=None,
        endpoint_1_mg_m3=770.0, endpoint_2_mg_m3=110.0, critical_quantity_t=5.0,
        aliases=("氨气", "液氨", "anhydrous ammonia"),
    ),
    _chemical(
        dict(_STANDARD_PROVENANCE),
        key="hydrogen_sulfide", name_zh="硫化氢", name_en="hydrogen sulfide", cas="7783-06-4", formula="H2S",
        molar_mass_kg_mol=0.034076, boiling_point_k=213.6, heat_of_vaporisation_j_mol=18670.0,
        liquid_density_kg_m3=950.0, liquid_density_temperature_k=213.6, liquid_heat_capacity_j_kg_k=2000.0,
        ideal_gas_heat_capacity_j_mol_k=34.2, antoine=None,
        endpoint_1_mg_m3=70.0, endpoint_2_mg_m3=38.0, critical_quantity_t=2.5,
        aliases=("hydrogen sulphide",),
    ),
    _chemical(
        dict(_STANDARD_PROVENANCE),
        key="hydrogen_chloride", name_zh="氯化氢", name_en="hydrogen chloride", cas="7647-01-0", formula="HCl",
        molar_mass_kg_mol=0.036461, boiling_point_k=188.15, heat_of_vaporisation_j_mol=16150.0,
        liquid_density_kg_m3=1190.0, liquid_density_temperature_k=188.15, liquid_heat_capacity_j_kg_k=1600.0,
        ideal_gas_heat_capacity_j_mol_k=29.14, antoine=None,
        endpoint_1_mg_m3=150.0, endpoint_2_mg_m3=33.0, critical_quantity_t=2.5,
        aliases=(),
    ),
    _chemical(
        dict(_STANDARD_PROVENANCE),
        key="sulfur_dioxide", name_zh="二氧化硫", name_en="sulfur dioxide", cas="7446-09-5", formula="SO2",
        molar_mass_kg_mol=0.064058, boiling_point_k=263.1, heat_of_vaporisation_j_mol=24940.0,
        liquid_density_kg_m3=1380.0, liquid_density_temperature_k=293.15, liquid_heat_capacity_j_kg_k=1360.0,
        ideal_gas_heat_capacity_j_mol_k=39.87, antoine=None,
        endpoint_1_mg_m3=79.0, endpoint_2_mg_m3=2.0, critical_quantity_t=2.5,
        aliases=("sulphur dioxide",),
    ),
    _chemical(
        dict(_STANDARD_PROVENANCE, antoine=_ANTOINE),
        key="benzene", name_zh="苯", name_en="benzene", cas="71-43-2", formula="C6H6",
        molar_mass_kg_mol=0.078114, boiling_point_k=353.24, heat_of_vaporisation_j_mol=30720.0,
        liquid_density_kg_m3=876.5, liquid_density_temperature_k=293.15, liquid_heat_capacity_j_kg_k=1740.0,
        ideal_gas_heat_capacity_j_mol_k=82.44, antoine=(4.01814, 1203.835, -53.226, 287.70, 354.07),
        endpoint_1_mg_m3=13000.0, endpoint_2_mg_m3=2600.0, critical_quantity_t=10.0,
        aliases=(),
    ),
    _chemical(
        dict(_STANDARD_PROVENANCE, antoine=_ANTOINE),
        key="methanol", name_zh="甲醇", name_en="methanol", cas="67-56-1", formula="CH4O",
        molar_mass_kg_mol=0.032042, boiling_point_k=337.75, heat_of_vaporisation_j_mol=35210.0,
        liquid_density_kg_m3=791.4, liquid_density_temperature_k=293.15, liquid_heat_capacity_j_kg_k=2530.0,
        ideal_gas_heat_capacity_j_mol_k=44.06, antoine=(5.20409, 1581.341, -33.50, 288.10, 356.83),
        endpoint_1_mg_m3=9400.0, endpoint_2_mg_m3=2700.0, critical_quantity_t=10.0,
        aliases=("methyl alcohol", "CH3OH"),
    ),
    _chemical(
        dict(
            _STANDARD_PROVENANCE,
            boiling_point_k=_NOT_IN_CRC,
            heat_of_vaporisation_j_mol=_NOT_IN_CRC,
            ideal_gas_heat_capacity_j_mol_k=_NOT_IN_CRC,
            endpoint_1_mg_m3=_H1_VERIFY,
            endpoint_2_mg_m3=_H1_VERIFY,
            critical_quantity_t=_B1_VERIFY,
        ),
        key="phosgene", name_zh="光气", name_en="phosgene", cas="75-44-5", formula="COCl2",
        molar_mass_kg_mol=0.098916, boiling_point_k=281.45, heat_of_vaporisation_j_mol=24400.0,
        liquid_density_kg_m3=1387.0, liquid_density_temperature_k=293.15, liquid_heat_capacity_j_kg_k=1020.0,
        ideal_gas_heat_capacity_j_mol_k=57.7, antoine=None,
        endpoint_1_mg_m3=3.0, endpoint_2_mg_m3=1.2, critical_quantity_t=0.25,
        aliases=("碳酰氯", "carbonyl chloride"),
    ),
)

#: The known chemicals by key.
CHEMICALS: Mapping[str, Chemical] = MappingProxyType({c.key: c for c in _TABLE})


def _normalise(text: str) -> str:
    return " ".join(str(text).strip().lower().replace("_", " ").split())


_INDEX = {}
for _c in _TABLE:
    for _name in (_c.key, _c.name_zh, _c.name_en, _c.cas, _c.formula, *_c.aliases):
        _INDEX[_normalise(_name)] = _c


def known_chemicals() -> tuple[str, ...]:
    """One line per known chemical, ``"氯气 chlorine (CAS 7782-50-5)"``, for messages and menus."""
    return tuple(f"{c.name_zh} {c.name_en} (CAS {c.cas})" for c in _TABLE)


def get_chemical(name: str | Chemical) -> Chemical:
    """A chemical by Chinese name, English name, key, formula or CAS number (case and spacing ignored).

    Parameters
    ----------
    name : str or Chemical
        ``"氯气"``, ``"chlorine"``, ``"Cl2"`` or ``"7782-50-5"``; a :class:`Chemical` is returned as is.

    Returns
    -------
    Chemical

    Raises
    ------
    ReleaseInputError
        Naming ``chemical`` and listing the known chemicals when nothing matches.
    """
    if isinstance(name, Chemical):
        return name
    found = _INDEX.get(_normalise(name))
    if found is None:
        raise ReleaseInputError("chemical", f"unknown chemical {name!r}; known: {'; '.join(known_chemicals())}")
    return found
