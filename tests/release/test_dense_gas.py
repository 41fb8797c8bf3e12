"""Heavy-gas test and Britter-McQuaid correlations (parksteward.release.dense_gas).

Sources of the expected values:
* HJ 169-2018 eq. G.2-G.4 (dispersion-methods.md §7.2): hand calculations in the comments;
* the CCPS (1999) *Guidelines for Consequence Analysis of Chemical Releases* Britter-McQuaid worked example
  (Burro LNG trial: 0.23 m3/s of LNG for 174 s, u10 = 10.9 m/s, rho_L = 425.6, rho_v = 1.76 kg/m3, -162 degC,
  distance to the 5 % LFL = 367 m), as reproduced in GasDispersion.jl test/models/britter_mcquaid_plume_tests.jl;
* the same scenario in aefarrell, "Taking a second look at the Britter-McQuaid model" (2023): 354.56 m with
  T_a = 288.15 K and rho_a = 1.225 kg/m3, alpha = -0.4357, l_b = 0.1839 m, L_U = 1.4973 m;
* the CCPS curve-fit tables (beta at given alpha) as tabulated in GasDispersion.jl's tests.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from parksteward.release import dense_gas as dg
from parksteward.release.errors import OutOfValidity, ReleaseInputError

RHO_CL2 = 3.613830  # chlorine vapour at its boiling point, 101 325 Pa (test_chemicals)
RHO_AIR = 1.183917  # dry air at 298.15 K: 101325 * 0.028965 / (8.314462618 * 298.15)


def test_arrival_time_scale():
    # T = 2 X / U_r = 2 * 500 / 1.5 = 666.67 s (eq. G.4)
    assert dg.arrival_time_s(500.0, 1.5) == pytest.approx(666.6667, rel=1e-6)


def test_richardson_continuous_by_hand():
    # g (Q/rho)/D (rho - rho_a)/rho_a = 9.81 * (2 / 3.613830) / 1 * (2.429913 / 1.183917) = 11.14297
    # cube root 2.233574, / 1.5 -> Ri = 1.489049
    assert dg.richardson_continuous(2.0, RHO_CL2, RHO_AIR, 1.0, 1.5) == pytest.approx(1.489049, rel=1e-5)


def test_richardson_instantaneous_by_hand():
    # (Q_t/rho)^(1/3) = (1200 / 3.613830)^(1/3) = 6.924757 m; 9.81 * 6.924757 / 1.5^2 * 2.052437 = 61.967
    assert dg.richardson_instantaneous(1200.0, RHO_CL2, RHO_AIR, 1.5) == pytest.approx(61.967, rel=1e-4)


def test_heavy_gas_test_continuous_and_instantaneous():
    # 600 s release, receptor 300 m away at 1.5 m/s: T = 400 s < 600 s -> continuous
    cont = dg.heavy_gas_test(
        rate_kg_s=2.0, duration_s=600.0, release_density_kg_m3=RHO_CL2, air_density_kg_m3=RHO_AIR,
        wind_speed_m_s=1.5, distance_m=300.0, source_diameter_m=1.0,
    )
    assert cont.mode == "continuous" and cont.heavy and not cont.near_threshold
    assert cont.richardson == pytest.approx(1.489049, rel=1e-5)
    assert cont.threshold == pytest.approx(1 / 6)
    assert "heavy gas" in cont.reason and "400 s" in cont.reason
    # receptor 1 km away: T = 1333 s > 600 s -> instantaneous, mass 1200 kg
    inst = dg.heavy_gas_test(
        rate_kg_s=2.0, duration_s=600.0, release_density_kg_m3=RHO_CL2, air_density_kg_m3=RHO_AIR,
        wind_speed_m_s=1.5, distance_m=1000.0,
    )
    assert inst.mode == "instantaneous" and inst.heavy
    assert inst.richardson == pytest.approx(61.967, rel=1e-4)
    assert inst.threshold == 0.04


def test_light_gas_is_not_heavy():
    # ammonia vapour at its boiling point: 101325 * 0.017031 / (8.314462618 * 239.82) = 0.865440 kg/m3 < air
    test = dg.heavy_gas_test(
        rate_kg_s=1.0, duration_s=1800.0, release_density_kg_m3=0.865440, air_density_kg_m3=RHO_AIR,
        wind_speed_m_s=2.0, distance_m=200.0, source_diameter_m=2.0,
    )
    assert test.richardson < 0 and not test.heavy
    assert "neutral or light" in test.reason


def test_default_source_diameter_is_reported():
    test = dg.heavy_gas_test(
        rate_kg_s=2.0, duration_s=600.0, release_density_kg_m3=RHO_CL2, air_density_kg_m3=RHO_AIR,
        wind_speed_m_s=1.5, distance_m=100.0,
    )
    # (q0 / U)^(1/2) = (2 / 3.613830 / 1.5)^(1/2) = 0.607415 m
    assert test.source_diameter_m == pytest.approx(0.607415, rel=1e-5)
    assert "D_rel not given" in test.reason


@pytest.mark.parametrize(
    ("alpha", "betas"),
    [
        # CCPS (1999) plume curve fits evaluated by hand (and tabulated in GasDispersion.jl's tests)
        (-0.75, (1.75, 1.92, 2.08, 2.25, 2.40, 2.60)),
        (-0.40, (1.784, 2.016, 2.21, 2.394, 2.564, 2.714)),  # 0.24a+1.88, 0.36a+2.16, 0.45a+2.39, 0.49a+2.59, ...
        (-0.20, (1.832, 2.06, 2.25, 2.45, 2.63, 2.77)),
        (0.0, (1.78, 1.96, 2.16, 2.35, 2.56, 2.71)),
    ],
)
def test_plume_curve_table(alpha, betas):
    ratios, got = dg._curve_betas(dg.BM_PLUME_CURVES, alpha)
    assert ratios == (0.10, 0.05, 0.02, 0.01, 0.005, 0.002)
    assert got == pytest.approx(betas, abs=1e-12)


@pytest.mark.parametrize(
    ("alpha", "betas"),
    [
        (-0.75, (0.70, 0.85, 0.95, 1.15, 1.48, 1.83, 2.075)),
        (0.0, (0.81, 1.00, 1.19, 1.39, 1.62, 1.83, 2.05)),
        (0.75, (0.93, 1.03, 1.185, 1.375, 1.525, 1.68, 1.8475)),
    ],
)
def test_puff_curve_table(alpha, betas):
    ratios, got = dg._curve_betas(dg.BM_PUFF_CURVES, alpha)
    assert ratios == (0.10, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001)
    assert got == pytest.approx(betas, abs=1e-12)


@pytest.mark.parametrize("curves", [dg.BM_PLUME_CURVES, dg.BM_PUFF_CURVES])
def test_curve_fits_are_continuous_and_ordered(curves):
    # a transcription error shows up as a jump at a breakpoint or crossing curves
    for ratio in (k for k in curves if isinstance(k, float)):
        pieces = curves[ratio]
        for (upper, s1, i1), (_, s2, i2) in zip(pieces, pieces[1:]):
            assert s1 * upper + i1 == pytest.approx(s2 * upper + i2, abs=0.011), (ratio, upper)
    for alpha in np.linspace(-1, 1, 81):
        _, betas = dg._curve_betas(curves, float(alpha))
        assert np.all(np.diff(betas) > 0), alpha


def _burro(air_density, ambient_temperature):
    return dg.britter_mcquaid_plume(
        volume_rate_m3_s=0.23 * 425.6 / 1.76, release_density_kg_m3=1.76, air_density_kg_m3=air_density,
        wind_speed_m_s=10.9, release_temperature_k=273.15 - 162.0, ambient_temperature_k=ambient_temperature,
    )


def test_ccps_burro_lng_example_distance_to_lfl():
    # CCPS (1999) example: q0 = 0.23 * 425.6 / 1.76 = 55.618 m3/s; D = (55.618 / 10.9)^0.5 = 2.2589 m
    # g0' = 9.81 (1.76 - 1.21) / 1.21 = 4.459 m/s2 (rho_a = 1.21 kg/m3 reproduces the book; 1.184 gives 372 m)
    # alpha = 0.2 log10(4.459^2 * 55.618 / 10.9^5) = -0.4287
    # C* = 0.05 / (0.05 + 0.95 * 298 / 111.15) = 0.019253: between the 0.02 curve (beta = 0.45a + 2.39 = 2.1971)
    # and the 0.01 curve (0.49a + 2.59 = 2.3799): beta = 2.1971 + 0.0747 * 0.1829 = 2.2108 -> x = 2.2589 * 162.5 = 367 m
    plume = _burro(1.21, 298.0)
    assert plume.length_scale_m == pytest.approx(2.2589, rel=1e-4)
    assert plume.alpha == pytest.approx(-0.4287, abs=2e-4)
    assert dg.plume_distance_to_ratio(plume, 0.05) == pytest.approx(367.0, rel=0.01)


def test_aefarrell_burro_variant():
    # aefarrell (2023): T_a = 288.15 K, rho_a = 1.225 kg/m3 -> alpha = -0.4357, x(LFL) = 354.56 m,
    # l_b = g0' q0 / u^3 = 0.1839 m, L_U = D/2 + 2 l_b = 1.4973 m
    plume = _burro(1.225, 288.15)
    assert plume.alpha == pytest.approx(-0.4357, abs=2e-4)
    assert plume.buoyancy_length_m == pytest.approx(0.1839, rel=2e-3)
    assert plume.upwind_extent_m == pytest.approx(1.4973, rel=1e-3)
    x = dg.plume_distance_to_ratio(plume, 0.05)
    assert x == pytest.approx(354.56, rel=2e-3)
    # and the forward curve gives 5 % back there
    assert float(dg.plume_concentration_ratio(plume, x)) == pytest.approx(0.05, rel=1e-6)


def test_non_isothermal_correction_by_hand():
    # C' = 0.0192 on the isothermal curves at T0 = 111.15 K, T_a = 298 K: C = C' / (C' + (1 - C') T0/T_a)
    # = 0.0192 / (0.0192 + 0.9808 * 0.372987) = 0.0192 / 0.385023 = 0.049867 (CCPS: 0.0192 <-> 5 %, rounded)
    assert float(dg._non_isothermal(np.array(0.0192), 111.15 / 298.0)) == pytest.approx(0.049867, rel=1e-4)


def test_plume_decreases_with_distance_and_starts_at_one():
    plume = _burro(1.21, 298.0)
    x = np.geomspace(0.1, plume.max_distance_m, 400)
    ratio = dg.plume_concentration_ratio(plume, x)
    assert np.all(np.diff(ratio) <= 0)
    assert float(dg.plume_concentration_ratio(plume, 0.0)) == 1.0
    # near field at x/D = 20: C' = 306 / (306 + 400) = 0.433428, corrected with T0/T_a = 0.372987:
    # 0.433428 / (0.433428 + 0.566572 * 0.372987) = 0.672240
    assert float(dg.plume_concentration_ratio(plume, 20 * plume.length_scale_m)) == pytest.approx(0.672240, rel=1e-5)


def test_the_correlations_refuse_to_extrapolate():
    plume = _burro(1.21, 298.0)
    with pytest.raises(OutOfValidity) as info:
        dg.plume_concentration_ratio(plume, plume.max_distance_m * 1.01)
    assert info.value.parameter == "x_m" and "Gaussian" in str(info.value)
    with pytest.raises(OutOfValidity) as info:
        dg.plume_distance_to_ratio(plume, 0.001)
    assert info.value.parameter == "ratio"
    with pytest.raises(OutOfValidity) as info:  # alpha = 0.2 log10(20^2 * 300 / 1) = 1.016 > 1
        dg.britter_mcquaid_plume(
            volume_rate_m3_s=300.0, release_density_kg_m3=RHO_AIR * (1 + 20 / 9.81), air_density_kg_m3=RHO_AIR,
            wind_speed_m_s=1.0, release_temperature_k=239.0, ambient_temperature_k=298.15,
        )
    assert info.value.parameter == "alpha"
    with pytest.raises(ReleaseInputError) as info:
        dg.britter_mcquaid_plume(
            volume_rate_m3_s=1.0, release_density_kg_m3=0.8654, air_density_kg_m3=RHO_AIR, wind_speed_m_s=2.0,
            release_temperature_k=239.8, ambient_temperature_k=298.15,
        )
    assert info.value.parameter == "release_density_kg_m3"


def _chlorine_puff(volume_m3=300.0, wind=2.0):
    return dg.britter_mcquaid_puff(
        volume_m3=volume_m3, release_density_kg_m3=RHO_CL2, air_density_kg_m3=RHO_AIR, wind_speed_m_s=wind,
        release_temperature_k=239.11, ambient_temperature_k=298.15,
    )


def test_puff_alpha_and_scale_by_hand():
    # V0 = 300 m3: V0^(1/3) = 6.694330 m; g0' = 9.81 * 2.429913 / 1.183917 = 20.13439 m/s2
    # alpha = 0.5 log10(20.13439 * 6.694330 / 4) = 0.5 log10(33.69656) = 0.763793
    puff = _chlorine_puff()
    assert puff.length_scale_m == pytest.approx(6.694330, rel=1e-6)
    assert puff.alpha == pytest.approx(0.763793, rel=1e-5)
    # R0 = (3 * 300 / (4 pi))^(1/3) = 71.61972^(1/3) = 4.152831 m
    assert puff.initial_radius_m == pytest.approx(4.152831, rel=1e-6)


def test_puff_envelope_and_arrival_against_brute_force():
    # independent check of the closed forms: sample the cloud circle over time
    puff = _chlorine_puff()
    v = 0.4 * 2.0
    k = 1.2 * math.sqrt(puff.reduced_gravity_m_s2 * puff.volume_m3)
    t = np.linspace(0.0, 2000.0, 400001)
    radius2 = puff.initial_radius_m**2 + k * t
    for x in (-3.0, 5.0, 50.0, 300.0):
        brute = math.sqrt(max(np.max(radius2 - (x - v * t) ** 2), 0.0))
        assert float(dg.puff_half_width_m(puff, x)) == pytest.approx(brute, rel=1e-4)
    for x, y in ((50.0, 0.0), (200.0, 30.0)):
        covered = (x - v * t) ** 2 + y**2 <= radius2
        assert float(dg.puff_arrival_time_s(puff, x, y)) == pytest.approx(t[np.argmax(covered)], abs=0.01)
    assert math.isnan(float(dg.puff_arrival_time_s(puff, -500.0, 0.0)))  # far upwind: never reached


def test_release_regime_follows_the_workbook_criterion():
    rel = dg.britter_mcquaid_release(
        rate_kg_s=2.0, duration_s=300.0, release_density_kg_m3=RHO_CL2, air_density_kg_m3=RHO_AIR,
        wind_speed_m_s=2.0, release_temperature_k=239.11, ambient_temperature_k=298.15,
    )
    # u T_d = 600 m: x = 200 m -> 3.0 (>= 2.5, plume); 500 m -> 1.2 (both, smaller); 1200 m -> 0.5 (puff)
    assert list(dg._release_regime(rel, np.array([200.0, 500.0, 1200.0]))) == ["plume", "both_min", "puff"]
    ratio, regime = dg.release_concentration_ratio(rel, np.array([50.0, 100.0]))
    assert list(regime) == ["plume", "plume"]
    assert ratio == pytest.approx(dg.plume_concentration_ratio(rel.plume, np.array([50.0, 100.0])))
    with pytest.raises(OutOfValidity) as info:
        dg.release_concentration_ratio(rel, 5000.0)
    assert info.value.parameter == "x_m"
