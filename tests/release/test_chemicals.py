"""The chemicals table (parksteward.release.chemicals): lookup, provenance, properties.

Expected values are literals from their sources: CRC Handbook (95th ed.) Tb and dHvap as transcribed in
CalebBell/chemicals "Phase Change/CRC Handbook Heat of Vaporization.tsv"; HJ 169-2018 Table H.1 / B.1 as
transcribed in /work/shared/reference/standards.md §8; vapour pressures as hand calculations written
out below, compared with handbook values at 25 degC.
"""

from __future__ import annotations

import math

import pytest

from parksteward.dispersion.errors import DispersionInputError
from parksteward.release.chemicals import CHEMICALS, get_chemical, known_chemicals
from parksteward.release.errors import ReleaseInputError


@pytest.mark.parametrize("name", ["氯气", "液氯", "chlorine", "Chlorine", "  CHLORINE ", "7782-50-5", "Cl2"])
def test_lookup_by_chinese_english_cas_or_formula(name):
    assert get_chemical(name).key == "chlorine"


def test_lookup_of_each_demo_chemical():
    assert get_chemical("氨").cas == "7664-41-7"
    assert get_chemical("硫化氢").key == "hydrogen_sulfide"
    assert get_chemical("hydrogen sulphide").key == "hydrogen_sulfide"
    assert get_chemical("7647-01-0").name_zh == "氯化氢"
    assert get_chemical("二氧化硫").key == "sulfur_dioxide"
    assert get_chemical("苯").key == "benzene"
    assert get_chemical("甲醇").key == "methanol"
    assert get_chemical("光气").key == "phosgene"
    assert get_chemical(CHEMICALS["benzene"]) is CHEMICALS["benzene"]


def test_unknown_chemical_names_the_parameter_and_lists_the_known_ones():
    with pytest.raises(ReleaseInputError) as info:
        get_chemical("unobtainium")
    assert info.value.parameter == "chemical"
    assert "氯气 chlorine (CAS 7782-50-5)" in str(info.value)
    assert "甲醇 methanol (CAS 67-56-1)" in str(info.value)
    assert isinstance(info.value, DispersionInputError)  # one error family with the dispersion core
    assert len(known_chemicals()) == len(CHEMICALS) == 8


@pytest.mark.parametrize(
    ("key", "tb", "hvap"),
    [
        # CRC Handbook 95th ed. via CalebBell/chemicals CRC Handbook Heat of Vaporization.tsv (Tb [K], HvapTb [J/mol])
        ("chlorine", 239.11, 20410),
        ("ammonia", 239.82, 23330),
        ("hydrogen_sulfide", 213.6, 18670),
        ("hydrogen_chloride", 188.15, 16150),
        ("sulfur_dioxide", 263.1, 24940),
        ("benzene", 353.24, 30720),
        ("methanol", 337.75, 35210),
    ],
)
def test_boiling_point_and_heat_of_vaporisation_match_crc(key, tb, hvap):
    chem = CHEMICALS[key]
    assert chem.boiling_point_k == tb
    assert chem.heat_of_vaporisation_j_mol == hvap
    assert chem.provenance["boiling_point_k"].verified


@pytest.mark.parametrize(
    ("key", "e1", "e2", "qn"),
    [
        # HJ 169-2018 Table H.1 (endpoints, mg/m3) and Table B.1 (Q_n, t) via standards.md §8
        ("chlorine", 58, 5.8, 1),
        ("ammonia", 770, 110, 5),
        ("hydrogen_sulfide", 70, 38, 2.5),
        ("hydrogen_chloride", 150, 33, 2.5),
        ("sulfur_dioxide", 79, 2, 2.5),
        ("benzene", 13000, 2600, 10),
        ("methanol", 9400, 2700, 10),
        ("phosgene", 3.0, 1.2, 0.25),
    ],
)
def test_endpoints_match_hj169_table_h1(key, e1, e2, qn):
    chem = CHEMICALS[key]
    assert (chem.endpoint_1_mg_m3, chem.endpoint_2_mg_m3, chem.critical_quantity_t) == (e1, e2, qn)


def test_recalled_values_are_flagged_unverified():
    # standards.md §8 marks phosgene "verify"; liquid properties are recalled for every substance
    phosgene = CHEMICALS["phosgene"]
    assert not phosgene.provenance["endpoint_1_mg_m3"].verified
    assert "verify" in phosgene.provenance["endpoint_1_mg_m3"].source
    assert "boiling_point_k" in phosgene.unverified_fields
    for chem in CHEMICALS.values():
        assert "liquid_density_kg_m3" in chem.unverified_fields
        assert chem.provenance["molar_mass_kg_mol"].verified
        for prov in chem.provenance.values():
            assert prov.source
    assert CHEMICALS["chlorine"].provenance["endpoint_1_mg_m3"].verified


def test_derived_properties_by_hand():
    cl2 = CHEMICALS["chlorine"]
    # H_v = 20410 J/mol / 0.070906 kg/mol = 287 845.9 J/kg
    assert cl2.heat_of_vaporisation_j_kg == pytest.approx(287845.9, rel=1e-6)
    # gamma = cp / (cp - R) = 33.95 / (33.95 - 8.314462618) = 1.324333
    assert cl2.heat_capacity_ratio == pytest.approx(1.324333, rel=1e-6)
    # vapour at the boiling point: 101325 * 0.070906 / (8.314462618 * 239.11) = 3.613830 kg/m3
    assert cl2.gas_density_kg_m3() == pytest.approx(3.613830, rel=1e-6)
    # and at 25 degC: 101325 * 0.070906 / (8.314462618 * 298.15) = 2.898195 kg/m3
    assert cl2.gas_density_kg_m3(298.15) == pytest.approx(2.898195, rel=1e-5)


def test_clausius_clapeyron_for_chlorine_at_20c():
    # ln(p/101325) = 20410 / 8.314462618 * (1/239.11 - 1/293.15) = 1.892503 -> p = 672 388 Pa.
    # Handbook: about 6.7-6.8 bar absolute at 20 degC (Euro Chlor), so within a few percent.
    p = CHEMICALS["chlorine"].vapour_pressure_pa(293.15)
    assert p == pytest.approx(672388, rel=1e-5)
    assert p == pytest.approx(6.78e5, rel=0.03)


def test_antoine_benzene_and_methanol_at_25c():
    # benzene: log10(p/bar) = 4.01814 - 1203.835 / (298.15 - 53.226) = 4.01814 - 4.915137 = -0.896997
    # -> p = 0.126766 bar = 12 676.6 Pa; CRC: 12.7 kPa at 25 degC
    benzene = CHEMICALS["benzene"]
    assert benzene.vapour_pressure_pa(298.15) == pytest.approx(12676.6, rel=1e-5)
    # methanol: 5.20409 - 1581.341 / (298.15 - 33.50) = 5.20409 - 5.975216 = -0.771126 -> 16 938.5 Pa; CRC: 16.9 kPa
    assert CHEMICALS["methanol"].vapour_pressure_pa(298.15) == pytest.approx(16938.5, rel=1e-5)
    # the fits reproduce the CRC normal boiling points: p(Tb) within 0.5 % of 101 325 Pa
    assert benzene.vapour_pressure_pa(353.24) == pytest.approx(101325, rel=5e-3)
    assert CHEMICALS["methanol"].vapour_pressure_pa(337.75) == pytest.approx(101325, rel=5e-3)


def test_vapour_pressure_method_and_range():
    benzene = CHEMICALS["benzene"]
    with pytest.raises(ReleaseInputError, match="outside the Antoine range") as info:
        benzene.vapour_pressure_pa(273.15, method="antoine")
    assert info.value.parameter == "temperature_k"
    # auto falls back to Clausius-Clapeyron outside the fit
    cc = benzene.vapour_pressure_pa(273.15, method="clausius_clapeyron")
    assert benzene.vapour_pressure_pa(273.15) == cc
    assert cc == pytest.approx(101325 * math.exp(30720 / 8.314462618 * (1 / 353.24 - 1 / 273.15)), rel=1e-12)
    with pytest.raises(ReleaseInputError, match="no Antoine fit"):
        CHEMICALS["chlorine"].vapour_pressure_pa(250.0, method="antoine")
    with pytest.raises(ReleaseInputError) as info:
        benzene.vapour_pressure_pa(300.0, method="raoult")
    assert info.value.parameter == "method"
    with pytest.raises(ReleaseInputError) as info:
        benzene.vapour_pressure_pa(-5.0)
    assert info.value.parameter == "temperature_k"
