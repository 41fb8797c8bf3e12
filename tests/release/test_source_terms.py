"""HJ 169-2018 Annex F source terms (parksteward.release.source_terms) against hand calculations.

Every expected value is worked out step by step in the comments from the formulas of HJ 169-2018 Annex F
(dispersion-methods.md §7.1), with R = 8.314462618 J/(mol K) and g = 9.81 m/s2; one sub-critical gas case
is checked against the other textbook form of the isentropic orifice equation (CCPS 1999 §2.1, Crowl &
Louvar *Chemical Process Safety* eq. 4-48), and the flash fractions against handbook rules of thumb.
"""

from __future__ import annotations

import math

import pytest

from parksteward.release import source_terms as st
from parksteward.release.chemicals import get_chemical
from parksteward.release.errors import ReleaseInputError


def test_liquid_leak_bernoulli_by_hand():
    # d = 20 mm: A = pi 0.02^2 / 4 = 3.141593e-4 m2; circular hole, Re > 100 -> C_d = 0.65 (Table F.1)
    # P = 300 kPa abs, P0 = 101 325 Pa, rho = 1000 kg/m3, h = 2 m
    # 2 (P - P0) / rho = 2 * 198 675 / 1000 = 397.35 m2/s2;  2 g h = 2 * 9.81 * 2 = 39.24 m2/s2
    # sqrt(436.59) = 20.894736 m/s;  Q_L = 0.65 * 3.141593e-4 * 1000 * 20.894736 = 4.266779 kg/s
    leak = st.liquid_leak(0.02, 300_000.0, 1000.0, liquid_head_m=2.0)
    assert leak.discharge_coefficient == 0.65
    assert leak.hole_area_m2 == pytest.approx(3.141593e-4, rel=1e-6)
    assert leak.pressure_term_m2_s2 == pytest.approx(397.35, rel=1e-12)
    assert leak.head_term_m2_s2 == pytest.approx(39.24, rel=1e-12)
    assert leak.velocity_m_s == pytest.approx(20.894736, rel=1e-6)
    assert leak.rate_kg_s == pytest.approx(4.266779, rel=1e-6)


def test_liquid_discharge_coefficients_by_shape_and_reynolds():
    # HJ 169-2018 Table F.1 as in dispersion-methods.md §7.1
    assert [st.liquid_discharge_coefficient(s) for s in st.HOLE_SHAPES] == [0.65, 0.60, 0.55]
    assert [st.liquid_discharge_coefficient(s, reynolds_above_100=False) for s in st.HOLE_SHAPES] == [0.50, 0.45, 0.40]
    assert st.LIQUID_DISCHARGE_COEFFICIENTS["verified"] is False


def test_liquid_leak_driven_by_head_alone():
    # open tank (P = P0), 5 m of liquid: v = sqrt(2 * 9.81 * 5) = 9.904544 m/s, d = 50 mm triangular (C_d 0.60)
    # A = pi 0.05^2/4 = 1.963495e-3 m2 -> Q = 0.60 * 1.963495e-3 * 876.5 * 9.904544 = 10.22741 kg/s
    leak = st.liquid_leak(0.05, 101325.0, 876.5, liquid_head_m=5.0, hole_shape="triangular")
    assert leak.rate_kg_s == pytest.approx(10.22741, rel=1e-5)


def test_choked_chlorine_gas_leak_by_hand():
    # chlorine gas, P = 500 kPa abs, T = 293.15 K, M = 0.070906 kg/mol, gamma = 1.3, d = 10 mm, C_d = 1.00
    # critical ratio (2/2.3)^(1.3/0.3) = 0.869565^4.333333 = 0.545728 >= P0/P = 0.20265 -> choked, Y = 1
    # (2/2.3)^(2.3/0.3) = 0.342492;  M gamma / (R T) = 0.0921778 / 2437.385 = 3.781832e-5 s2/m2
    # sqrt(3.781832e-5 * 0.342492) = 3.598952e-3 s/m;  A = 7.853982e-5 m2
    # Q_G = 1 * 1.0 * 7.853982e-5 * 500 000 * 3.598952e-3 = 0.141331 kg/s
    leak = st.gas_leak(0.01, 500_000.0, 293.15, 0.070906, 1.3)
    assert leak.choked
    assert leak.critical_pressure_ratio == pytest.approx(0.545728, rel=1e-5)
    assert leak.outflow_factor == 1.0
    assert leak.rate_kg_s == pytest.approx(0.141331, rel=1e-5)


def test_subcritical_gas_leak_matches_the_isentropic_orifice_equation():
    # P = 150 kPa: P0/P = 0.6755 > 0.545728 -> sub-critical. The textbook form
    # Q = C_d A P sqrt( 2 M/(R T) gamma/(gamma-1) [r^(2/gamma) - r^((gamma+1)/gamma)] )
    # with r = 0.6755, gamma = 1.3, A = 7.853982e-5 m2 gives 0.0406980 kg/s (CCPS 1999 §2.1 form).
    leak = st.gas_leak(0.01, 150_000.0, 293.15, 0.070906, 1.3)
    assert not leak.choked
    assert leak.rate_kg_s == pytest.approx(0.0406980, rel=1e-5)


def test_subcritical_factor_is_one_at_the_critical_ratio():
    # Y(r_c) = 1 makes the rate continuous across the choking point
    k = 1.4
    r_c = st.critical_pressure_ratio(k)
    assert r_c == pytest.approx(0.528282, rel=1e-5)  # (2/2.4)^3.5 = 0.528282, the classic air value
    p = 101325.0 / (r_c * (1 + 1e-9))
    leak = st.gas_leak(0.01, p, 293.15, 0.028965, k)
    assert leak.outflow_factor == pytest.approx(1.0, abs=1e-6)


def test_gas_discharge_coefficients_by_shape():
    rates = [st.gas_leak(0.01, 500_000.0, 293.15, 0.070906, 1.3, hole_shape=s).rate_kg_s for s in st.HOLE_SHAPES]
    assert rates[1] / rates[0] == pytest.approx(0.95) and rates[2] / rates[0] == pytest.approx(0.90)


def test_flash_fraction_of_chlorine_and_ammonia_from_20c():
    # chlorine: F = c_p (T - T_b) / H_v = 946 * (293.15 - 239.11) / 287 845.9 = 946 * 54.04 / 287 845.9 = 0.177601
    # (rule of thumb: about 18 % of liquid chlorine at 20 degC flashes)
    cl2 = get_chemical("chlorine")
    f = st.flash_fraction(293.15, cl2.boiling_point_k, cl2.liquid_heat_capacity_j_kg_k, cl2.heat_of_vaporisation_j_kg)
    assert f == pytest.approx(0.177601, rel=1e-5)
    # ammonia: 4700 * (293.15 - 239.82) / (23330 / 0.017031 = 1 369 855) = 0.182976 (about 18-20 % in the literature)
    nh3 = get_chemical("ammonia")
    f = st.flash_fraction(293.15, nh3.boiling_point_k, nh3.liquid_heat_capacity_j_kg_k, nh3.heat_of_vaporisation_j_kg)
    assert f == pytest.approx(0.182976, rel=1e-5)
    # below the boiling point nothing flashes; an absurd superheat is capped at 1
    assert st.flash_fraction(280.0, 337.75, 2530.0, 1.1e6) == 0.0
    assert st.flash_fraction(2000.0, 239.11, 946.0, 287845.9) == 1.0


def test_two_phase_ammonia_leak_by_hand():
    # liquid ammonia at 20 degC and 854.5 kPa, d = 10 mm (A = 7.853982e-5 m2), C_d = 0.8
    # F_v = 0.182976 (above); rho_vapour = 101325 * 0.017031 / (8.314462618 * 239.82) = 0.865440 kg/m3
    # rho_m = 1 / (0.182976 / 0.865440 + 0.817024 / 610) = 1 / (0.211430 + 0.001339) = 4.700020 kg/m3
    # P_c = 0.55 P = 469 975 Pa;  Q = 0.8 * 7.853982e-5 * sqrt(2 * 4.700020 * 384 525) = 0.119456 kg/s
    nh3 = get_chemical("ammonia")
    leak = st.two_phase_leak(
        0.01, 854_500.0, 293.15, nh3.boiling_point_k, nh3.liquid_heat_capacity_j_kg_k, nh3.heat_of_vaporisation_j_kg,
        nh3.liquid_density_kg_m3, nh3.gas_density_kg_m3(),
    )
    assert leak.flash_fraction == pytest.approx(0.182976, rel=1e-5)
    assert leak.mixture_density_kg_m3 == pytest.approx(4.700020, rel=1e-5)
    assert leak.critical_pressure_pa == pytest.approx(469975.0)
    assert leak.rate_kg_s == pytest.approx(0.119456, rel=1e-5)


def test_pool_area_spreads_to_minimum_thickness_within_the_bund():
    # 500 kg methanol (791.4 kg/m3) = 0.631792 m3 on concrete (5 mm) -> 126.358 m2; a 20 m2 bund caps it
    assert st.pool_area_m2(500.0, 791.4) == pytest.approx(126.358, rel=1e-5)
    assert st.pool_area_m2(500.0, 791.4, bund_area_m2=20.0) == 20.0
    assert st.pool_area_m2(500.0, 791.4, surface="grass") == pytest.approx(31.5896, rel=1e-5)


def test_boiling_ammonia_pool_heat_and_mass_terms_by_hand():
    # Q2 = lambda S (T0 - T_b) / (H sqrt(pi a t)), concrete lambda = 1.1 W/(m K), a = 1.29e-7 m2/s, S = 100 m2,
    # t = 600 s: sqrt(pi * 1.29e-7 * 600) = 0.0155936 m;  Q2 = 1.1 * 100 * 58.33 / (1 369 855 * 0.0155936) = 0.300376 kg/s
    # Q3 with p = 101 325 Pa (boiling pool), stable (n 0.3, alpha 5.285e-3), u = 1.5 m/s, r = sqrt(100/pi) = 5.641896 m:
    # alpha p M / (R T0) = 5.285e-3 * 101325 * 0.017031 / (8.314462618 * 298.15) = 3.679025e-3
    # u^(1.7/2.3) = 1.349443;  r^(4.3/2.3) = 5.641896^1.869565 = 25.40026
    # Q3 = 3.679025e-3 * 1.349443 * 25.40026 = 0.126103 kg/s;  Q1 = 0.182976 * 0.5 = 0.0914882 kg/s
    nh3 = get_chemical("ammonia")
    ev = st.pool_evaporation(
        leak_rate_kg_s=0.5, liquid_temperature_k=293.15, boiling_point_k=nh3.boiling_point_k,
        heat_capacity_j_kg_k=nh3.liquid_heat_capacity_j_kg_k, heat_of_vaporisation_j_kg=nh3.heat_of_vaporisation_j_kg,
        molar_mass_kg_mol=nh3.molar_mass_kg_mol, vapour_pressure_pa=nh3.vapour_pressure_pa(298.15), pool_area_m2=100.0,
        wind_speed_m_s=1.5, stability="F", heat_time_s=600.0, flash_time_s=600.0, evaporation_time_s=1800.0,
    )
    assert ev.flash_rate_kg_s == pytest.approx(0.0914882, rel=1e-5)
    assert ev.heat_rate_kg_s == pytest.approx(0.300376, rel=1e-5)
    assert ev.surface_vapour_pressure_pa == 101325.0
    assert ev.mass_transfer_rate_kg_s == pytest.approx(0.126103, rel=1e-5)
    assert ev.total_rate_kg_s == pytest.approx(0.0914882 + 0.300376 + 0.126103, rel=1e-5)
    # W_p = Q1 t1 + Q2 t2 + Q3 t3 (eq. F.13) = 54.893 + 540.677 + 226.985 = 822.555 kg
    assert ev.evaporated_mass_kg == pytest.approx(822.555, rel=1e-5)


def test_volatile_pool_below_its_boiling_point_by_hand():
    # methanol pool at 25 degC, p = 16 900 Pa, r = 2.5 m (S = 19.63495 m2), F stable, u = 1.5 m/s:
    # alpha p M/(R T0) = 5.285e-3 * 16900 * 0.032042 / 2478.960 = 1.154469e-3; u^0.739130 = 1.349443;
    # r^1.869565 = 5.545935 -> Q3 = 8.63996e-3 kg/s; no heat term (not boiling), no flash
    ev = st.pool_evaporation(
        leak_rate_kg_s=0.5, liquid_temperature_k=298.15, boiling_point_k=337.75, heat_capacity_j_kg_k=2530.0,
        heat_of_vaporisation_j_kg=35210 / 0.032042, molar_mass_kg_mol=0.032042, vapour_pressure_pa=16900.0,
        pool_area_m2=math.pi * 2.5**2, wind_speed_m_s=1.5, stability="E",
    )
    assert (ev.flash_rate_kg_s, ev.heat_rate_kg_s) == (0.0, 0.0)
    assert ev.mass_transfer_rate_kg_s == pytest.approx(8.63996e-3, rel=1e-5)


def test_class_c_uses_the_neutral_row_and_unstable_differs():
    kwargs = dict(
        leak_rate_kg_s=0.1, liquid_temperature_k=298.15, boiling_point_k=337.75, heat_capacity_j_kg_k=2530.0,
        heat_of_vaporisation_j_kg=1.1e6, molar_mass_kg_mol=0.032042, vapour_pressure_pa=16900.0, pool_area_m2=20.0,
        wind_speed_m_s=2.0,
    )
    rate = {c: st.pool_evaporation(stability=c, **kwargs).mass_transfer_rate_kg_s for c in "ABCDEF"}
    assert rate["A"] == rate["B"] and rate["C"] == rate["D"] and rate["E"] == rate["F"]
    assert len({rate["A"], rate["D"], rate["F"]}) == 3


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda: st.liquid_leak(0.0, 3e5, 1000.0), "hole_diameter_m"),
        (lambda: st.liquid_leak(-0.01, 3e5, 1000.0), "hole_diameter_m"),
        (lambda: st.liquid_leak(0.2, 3e5, 1000.0, equipment_diameter_m=0.1), "hole_diameter_m"),
        (lambda: st.liquid_leak(25.0, 3e5, 1000.0), "hole_diameter_m"),
        (lambda: st.liquid_leak(0.01, 5e4, 1000.0), "pressure_pa"),
        (lambda: st.liquid_leak(0.01, 3e5, 1000.0, liquid_head_m=-1.0), "liquid_head_m"),
        (lambda: st.liquid_leak(0.01, 3e5, 0.0), "liquid_density_kg_m3"),
        (lambda: st.liquid_leak(0.01, 3e5, 1000.0, hole_shape="square"), "hole_shape"),
        (lambda: st.liquid_leak(0.01, 3e5, 1000.0, discharge_coefficient=1.2), "discharge_coefficient"),
        (lambda: st.gas_leak(0.01, 9e4, 293.15, 0.070906, 1.3), "pressure_pa"),
        (lambda: st.gas_leak(0.01, 101325.0, 293.15, 0.070906, 1.3), "pressure_pa"),
        (lambda: st.gas_leak(0.01, 5e5, 293.15, 0.070906, 1.0), "heat_capacity_ratio"),
        (lambda: st.gas_leak(0.01, 5e5, float("nan"), 0.070906, 1.3), "temperature_k"),
        (lambda: st.two_phase_leak(0.01, 8e5, 230.0, 239.82, 4700, 1.37e6, 610, 0.87), "temperature_k"),
        (lambda: st.two_phase_leak(0.01, 8e5, 600.0, 239.82, 4700, 1.37e6, 610, 0.87), "temperature_k"),
        (lambda: st.pool_area_m2(100.0, 800.0, surface="ice"), "surface"),
        (lambda: st.pool_area_m2(0.0, 800.0), "liquid_mass_kg"),
    ],
)
def test_bad_input_names_the_parameter(call, parameter):
    with pytest.raises(ReleaseInputError) as info:
        call()
    assert info.value.parameter == parameter


def test_pool_evaporation_refuses_unknown_stability():
    with pytest.raises(ReleaseInputError) as info:
        st.pool_evaporation(
            leak_rate_kg_s=0.1, liquid_temperature_k=298.15, boiling_point_k=337.75, heat_capacity_j_kg_k=2530.0,
            heat_of_vaporisation_j_kg=1.1e6, molar_mass_kg_mol=0.032042, vapour_pressure_pa=16900.0, pool_area_m2=20.0,
            wind_speed_m_s=2.0, stability="G",
        )
    assert info.value.parameter == "stability"
