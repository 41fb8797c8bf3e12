"""Plume rise (parksteward.dispersion.rise): downwash, fluxes, crossover, Briggs final rise, gradual rise.

Expected values are hand calculations from dispersion-methods §1-§2.3 (arithmetic in the comments)
and numbers printed by SCREEN3 13043: the example run distributed with SCREEN3 (EXAMPLE.OUT:
"BUOY. FLUX = 51.319 M**4/S**3; MOM. FLUX = 146.500 M**4/S**2") and a published no-downwash run
(gauss-ma/screen3, runs/testcase/SCREEN.OUT: Q 0.009 g/s, h_s 23.7 m, D 2.0 m, V_s 8.708 m/s,
T_s 476.4 K, T_a 293.15 K, rural), whose PLUME HT column is h_e.
"""

from __future__ import annotations

import numpy as np
import pytest

from parksteward.dispersion import rise
from parksteward.dispersion.errors import DispersionInputError

# the SCREEN3 testcase stack
TC = {"diameter_m": 2.0, "exit_velocity_m_s": 8.708, "exit_temperature_k": 476.4, "ambient_temperature_k": 293.15}


def tc_rise(us, stability):
    return rise.plume_rise(23.7, 2.0, 8.708, 476.4, 293.15, us, stability)


# --- stack-tip downwash (methods §1.2) ------------------------------------------------------------


def test_downwash_worked_example():
    # methods §4: h' = 50 - 2 * 0.01 * (1.5 - 0.01/6.365251) = 50 - 0.02 * 1.498429 = 49.970031 m
    assert rise.stack_tip_downwash(50.0, 0.01, 0.01, 6.365251) == pytest.approx(49.970031, abs=1e-6)


def test_downwash_screen3_class_c():
    # SCREEN3 testcase, C, u10 10 m/s, u_s = 10.901213: V_s = 8.708 < 1.5 u_s, so
    # h' = 23.7 - 2 * 2 * (1.5 - 8.708/10.901213) = 23.7 - 4 * 0.701176 = 20.895241 m
    assert rise.stack_tip_downwash(23.7, 2.0, 8.708, 10.901213) == pytest.approx(20.895241, abs=1e-5)


def test_no_downwash_when_exit_velocity_high():
    # V_s >= 1.5 u_s: h' = h_s
    assert rise.stack_tip_downwash(23.7, 2.0, 8.708, 5.0) == 23.7
    assert rise.stack_tip_downwash(23.7, 2.0, 7.5, 5.0) == 23.7


def test_downwash_never_below_ground():
    # 1 - 2 * 2 * (1.5 - 0.1/10) = 1 - 5.96 < 0 -> 0
    assert rise.stack_tip_downwash(1.0, 2.0, 0.1, 10.0) == 0.0


# --- fluxes (methods §1.3) ------------------------------------------------------------------------


def test_fluxes_screen3_example_run():
    # SCREEN3 EXAMPLE.OUT: D 2 m, V_s 15 m/s, T_s 450 K, T_a 293 K prints F_b 51.319, F_m 146.500
    # hand: 9.80616 * 15 * 4 * 157 / (4 * 450) = 51.318904; 293 * 225 * 4 / (4 * 450) = 146.5
    assert rise.buoyancy_flux(2.0, 15.0, 450.0, 293.0) == pytest.approx(51.319, abs=5e-4)
    assert rise.momentum_flux(2.0, 15.0, 450.0, 293.0) == pytest.approx(146.500, abs=5e-4)


def test_fluxes_screen3_testcase():
    # SCREEN3 testcase prints F_b 32.847, F_m 46.661
    # hand: 9.80616 * 8.708 * 4 * 183.25 / (4 * 476.4) = 32.846540; 293.15 * 8.708^2 / 476.4 = 46.661101
    assert rise.buoyancy_flux(**TC) == pytest.approx(32.847, abs=5e-4)
    assert rise.momentum_flux(**TC) == pytest.approx(46.661, abs=5e-4)


def test_cold_exhaust_raised_to_ambient():
    # methods §1.3: T_s < T_a -> T_s = T_a: F_b = 0, F_m = V_s^2 D^2 / 4 = 25 * 1 / 4 = 6.25
    assert rise.buoyancy_flux(1.0, 5.0, 280.0, 290.0) == 0.0
    assert rise.momentum_flux(1.0, 5.0, 280.0, 290.0) == pytest.approx(6.25)


def test_stability_parameter():
    # methods §1.5: s = 9.80616 * 0.035 / 293.15 = 0.00117078 (F), 9.80616 * 0.020 / 293.15 = 0.00066902 (E)
    s = rise.stability_parameter(293.15, ["D", "E", "F"])
    assert s[0] == 0.0
    assert s[1] == pytest.approx(6.690200e-4, rel=1e-6)
    assert s[2] == pytest.approx(1.1707849e-3, rel=1e-6)


# --- crossover and final rise, unstable/neutral (methods §1.4) ------------------------------------


def test_crossover_momentum_side():
    # D 1 m, V_s 10 m/s, T_a 293 K, T_s 310 K, class D, u_s 5 m/s
    # F_b = 9.80616 * 10 * 1 * 17 / (4 * 310) = 1.344393 < 55
    # dT_c = 0.0297 * 310 * (10 / 1)^(1/3) = 9.207 * 2.154435 = 19.835880 K > dT = 17 K -> momentum
    # dh = 3 D V_s / u_s = 3 * 1 * 10 / 5 = 6.0 m
    assert rise.crossover_temperature_difference(1.0, 10.0, 310.0, 293.0, "D") == pytest.approx(19.835880, rel=1e-6)
    r = rise.plume_rise(40.0, 1.0, 10.0, 310.0, 293.0, 5.0, "D")
    assert not r.buoyant
    assert r.delta_h_m == pytest.approx(6.0)
    # x_fm = 4 D (V_s + 3 u_s)^2 / (V_s u_s) = 4 * 625 / 50 = 50 m; x_fb = 49 F_b^0.625 = 58.955586 m
    assert r.xfm_m == pytest.approx(50.0)
    assert r.xfb_m == pytest.approx(58.955586, rel=1e-6)
    assert r.xf_m == pytest.approx(58.955586, rel=1e-6)


def test_crossover_buoyant_side():
    # as above with T_s 315 K: dT_c = 0.0297 * 315 * 2.154435 = 20.155814 K < dT = 22 K -> buoyant
    # F_b = 9.80616 * 10 * 22 / (4 * 315) = 1.712187; dh = 21.425 F_b^0.75 / 5
    # F_b^0.75 = exp(0.75 * ln 1.712187) = exp(0.403328) = 1.496798 -> dh = 32.068907 / 5 = 6.413781 m
    r = rise.plume_rise(40.0, 1.0, 10.0, 315.0, 293.0, 5.0, "D")
    assert r.buoyant
    assert r.delta_tc_k == pytest.approx(20.155814, rel=1e-6)
    assert r.delta_h_m == pytest.approx(6.413781, rel=1e-6)
    # no downwash (10 >= 1.5 * 5): h_e = 40 + 6.413781
    assert r.he_m == pytest.approx(46.413781, rel=1e-6)


def test_buoyant_rise_large_flux_branch():
    # D 3 m, V_s 20 m/s, T_s 450 K, T_a 293 K: F_b = 9.80616 * 20 * 9 * 157 / 1800 = 153.956712 >= 55
    # dT_c = 0.00575 * 450 * (400/3)^(1/3) = 2.5875 * 5.108733 = 13.218838 K < 157 K -> buoyant
    # dh = 38.71 F_b^0.6 / u_s, F_b^0.6 = exp(0.6 * 5.036671) = 20.532374 -> 794.808216 / 5 = 158.961643 m
    # x_fb = 119 F_b^0.4 = 119 * exp(0.4 * 5.036671) = 119 * 7.498242 = 892.290794 m
    r = rise.plume_rise(100.0, 3.0, 20.0, 450.0, 293.0, 5.0, "B")
    assert r.fb_m4_s3 == pytest.approx(153.956712, rel=1e-6)
    assert r.delta_tc_k == pytest.approx(13.218838, rel=1e-6)
    assert r.delta_h_m == pytest.approx(158.961643, rel=1e-6)
    assert r.xfb_m == pytest.approx(892.290794, rel=1e-6)


@pytest.mark.parametrize(
    ("stability", "us", "expected_he"),
    [
        # SCREEN3 testcase PLUME HT column, with the hand calculation of each
        # A, u_s = 1.062264: dh = 21.425 * 32.846540^0.75 / 1.062264 = 276.729632; h_e = 23.7 + 276.73 = 300.43
        ("A", 1.0622638, 300.43),
        # C, u10 10, u_s = 10.901213: h' = 20.895241 (downwash), dh = 293.959872 / 10.901213 = 26.965795 -> 47.86
        ("C", 10.901213, 47.86),
    ],
)
def test_screen3_effective_heights_unstable(stability, us, expected_he):
    assert tc_rise(us, stability).he_m == pytest.approx(expected_he, abs=0.006)


# --- stable rise (methods §1.5) -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stability", "us", "expected_dh", "expected_he"),
    [
        # F, u_s 1.607354, s = 0.00117078: dT_c = 0.019582 * 8.708 * 293.15 * sqrt(s) = 1.710425 K -> buoyant
        # 2.6 (F_b / (u_s s))^(1/3) = 2.6 * (32.846540 / 0.00188186)^(1/3) = 67.443534;
        # calm limit 4 F_b^0.25 s^-0.375 = 120.365903; min = 67.443534; SCREEN3 prints h_e 91.14
        ("F", 1.6073542, 67.443534, 91.14),
        # E, u_s 1.352577, s = 0.00066904: 2.6 * (F_b / (u_s s))^(1/3) = 86.086733 (< 148.471380); prints 109.79
        ("E", 1.3525768, 86.086733, 109.79),
    ],
)
def test_stable_buoyant_rise_screen3(stability, us, expected_dh, expected_he):
    r = tc_rise(us, stability)
    assert r.buoyant
    assert r.delta_h_m == pytest.approx(expected_dh, rel=1e-6)
    assert r.he_m == pytest.approx(expected_he, abs=0.006)


def test_stable_distances_to_final_rise():
    # F testcase: x_fb = 2.0715 u_s / sqrt(s) = 2.0715 * 1.6073542 / 0.03421673 = 97.310111 m
    # x_fm = (pi/2) u_s / sqrt(s) = 73.789218 m; x_f = max = 97.310111 m
    r = tc_rise(1.6073542, "F")
    assert r.xfb_m == pytest.approx(97.310111, rel=1e-6)
    assert r.xfm_m == pytest.approx(73.789218, rel=1e-6)
    assert r.xf_m == pytest.approx(97.310111, rel=1e-6)


def test_stable_crossover_uses_ambient_temperature():
    # dT_c = 0.019582 V_s T_a sqrt(s) (T_a, not T_s): 0.019582 * 8.708 * 293.15 * 0.03421673 = 1.710425 K
    assert rise.crossover_temperature_difference(**TC, stability="F") == pytest.approx(1.710425, rel=1e-5)
    # T_s 1 K above ambient: dT = 1 < 1.710 -> momentum-dominated
    r = rise.plume_rise(23.7, 2.0, 8.708, 294.15, 293.15, 1.6073542, "F")
    assert not r.buoyant


def test_stable_momentum_rise_both_limits():
    # cold jet (T_s = T_a = 290 K, F_b = 0), D 1 m, V_s 5 m/s, F: F_m = 290 * 25 / (4 * 290) = 6.25,
    # s = 9.80616 * 0.035 / 290 = 0.00118350, sqrt(s) = 0.03440206
    # u_s 1.0: 1.5 (6.25 / (1 * 0.03440206))^(1/3) = 1.5 * 181.6752^(1/3) = 1.5 * 5.663677 = 8.495516 < 3 D V_s / u_s = 15
    r = rise.plume_rise(30.0, 1.0, 5.0, 290.0, 290.0, 1.0, "F")
    assert not r.buoyant
    assert r.delta_h_m == pytest.approx(8.495516, rel=1e-6)
    # u_s 3.659710: 1.5 (6.25 / (3.659710 * 0.03440206))^(1/3) = 5.512825 > 3 * 1 * 5 / 3.659710 = 4.098685 -> 4.098685
    r = rise.plume_rise(30.0, 1.0, 5.0, 290.0, 290.0, 3.659710, "F")
    assert r.delta_h_m == pytest.approx(4.098685, rel=1e-6)
    # F_b = 0: x_fb takes the momentum value (pi/2) u_s / sqrt(s) = 1.570796 * 3.659710 / 0.03440206 = 167.102150
    assert r.xfb_m == pytest.approx(167.102150, rel=1e-6)
    assert r.xf_m == pytest.approx(167.102150, rel=1e-6)


def test_stable_calm_wind_limit():
    # large source: D 16 m, V_s 35 m/s, T_s 550 K, T_a 290 K, F, u_s 1 m/s
    # F_b = 9.80616 * 35 * 256 * 260 / 2200 = 10383.831971; s = 0.00118350
    # 2.6 (F_b / s)^(1/3) = 536.252782 > 4 F_b^0.25 s^-0.375 = 505.488199 -> calm limit 505.488199 m
    r = rise.plume_rise(200.0, 16.0, 35.0, 550.0, 290.0, 1.0, "F")
    assert r.buoyant
    assert r.delta_h_m == pytest.approx(505.488199, rel=1e-6)


# --- gradual rise for BID (methods §2.3) ----------------------------------------------------------


def test_gradual_rise_before_final():
    # SCREEN3 testcase, C, u_s 10.901213, x = 200 m < x_f = x_fb = 434.51 m
    # buoyant: 1.60 (F_b x^2)^(1/3) / u_s = 1.6 * (32.846540 * 40000)^(1/3) / 10.901213 = 16.075396
    # momentum: beta = 1/3 + 10.901213/8.708 = 1.585195, x_fm = 144.524537, x_p = 144.524537:
    #   (3 * 46.661101 * 144.524537 / (1.585195^2 * 10.901213^2))^(1/3) = 4.076626 (< 3 D V_s/u_s = 4.793)
    # max(16.075396, 4.076626) = 16.075396 < final rise 26.965794
    g = rise.gradual_rise(200.0, **TC, us_m_s=10.901213, stability="C")
    assert g == pytest.approx(16.075396, rel=1e-6)


def test_gradual_rise_is_final_beyond_xf():
    # A testcase: x_f = 49 * 32.846540^0.625 = 434.512321 m; at 700 m the final rise 276.729632 m applies
    assert rise.gradual_rise(700.0, **TC, us_m_s=1.0622638, stability="A") == pytest.approx(276.729632, rel=1e-6)
    # and never above it
    x = np.array([10.0, 100.0, 300.0, 434.0, 435.0, 5000.0])
    g = rise.gradual_rise(x, **TC, us_m_s=1.0622638, stability="A")
    assert np.all(g <= 276.72964)
    assert np.all(np.diff(g) >= 0)


def test_gradual_rise_stable_momentum():
    # cold jet, F, u_s 1 m/s (F_b = 0 -> buoyant part 1.6 (1e-10 x^2)^(1/3) ~ 0): x_fm = (pi/2) / 0.03440206
    # = 45.659943 m; at x = 20 m: beta = 1/3 + 1/5 = 0.533333, beta^2 u_s sqrt(s) = 0.00978548;
    # (3 * 6.25 * sin(0.03440206 * 20) / 0.00978548)^(1/3) = (18.75 * 0.635025 / 0.00978548)^(1/3)
    # = 1216.774^(1/3) = 10.675874 (< 3 D V_s / u_s = 15), then capped at the final rise 8.495516
    g = rise.gradual_rise(20.0, 1.0, 5.0, 290.0, 290.0, 1.0, "F")
    assert g == pytest.approx(8.495516, rel=1e-6)
    # at x = 2 m: (18.75 * sin(0.06880413) / 0.00978548)^(1/3) = (18.75 * 0.06874986 / 0.00978548)^(1/3)
    # = 131.7320^(1/3) = 5.088194
    g = rise.gradual_rise(2.0, 1.0, 5.0, 290.0, 290.0, 1.0, "F")
    assert g == pytest.approx(5.088194, rel=1e-6)


# --- GB/T 13201-91 option (methods §5.2; coefficients unverified) ----------------------------------


def test_gbt13201_constants_marked_unverified():
    assert rise.GBT13201_RISE["verified"] is False
    assert "GB/T 13201-91" in rise.GBT13201_RISE["source"]


@pytest.mark.parametrize(
    ("args", "land", "stability", "u10", "expected"),
    [
        # D 4 m, V_s 15, T_s 423.15, T_a 293.15, P 1013.25 hPa: Q_v = pi/4 * 16 * 15 = 188.495559 m3/s,
        # Q_h = 0.35 * 1013.25 * 188.495559 * 130 / 423.15 = 20536.895 kJ/s (2100-21000, dT >= 35)
        # rural: 0.332 * Q_h^0.6 * 100^0.4 / 5 = 162.064895 m; urban 0.292 ... = 142.539004 m
        ((100.0, 4.0, 15.0, 423.15, 293.15, 5.0), "rural", "D", 3.5, 162.064895),
        ((100.0, 4.0, 15.0, 423.15, 293.15, 5.0), "urban", "D", 3.5, 142.539004),
        # D 6, V_s 20, H 150, u_s 6: Q_h = 61610.686 >= 21000: 1.427 Q_h^(1/3) 150^(2/3) / 6 = 265.187008
        ((150.0, 6.0, 20.0, 423.15, 293.15, 6.0), "rural", "C", 4.0, 265.187008),
        # D 1, V_s 10, T_s 350: Q_h = 452.415 <= 1700: 2 (1.5 * 10 * 1 + 0.01 Q_h) / 4 = 9.762075
        ((50.0, 1.0, 10.0, 350.0, 293.15, 4.0), "rural", "B", 3.0, 9.762075),
        # D 1.5, V_s 10, T_s 420, H 60, U 4: Q_h = 1892.772 (1700-2100):
        # dH1 = 2 (22.5 + 18.92772) / 4 - 0.048 * 192.772 / 4 = 18.400598; dH2 = 0.332 Q_h^0.6 60^0.4 / 4 = 39.500040
        # dH = 18.400598 + 21.099442 * 192.772 / 400 = 28.569037
        ((60.0, 1.5, 10.0, 420.0, 293.15, 4.0), "rural", "D", 3.0, 28.569037),
        # stable (E), dT_a/dz 0.01: Q_h^(1/3) (0.0198)^(-1/3) 5^(-1/3) = 59.197023
        ((100.0, 4.0, 15.0, 423.15, 293.15, 5.0), "rural", "E", 3.5, 59.197023),
        # calm (U10 1.2 < 1.5): 5.50 Q_h^0.25 (0.0198)^(-3/8) = 286.580700
        ((100.0, 4.0, 15.0, 423.15, 293.15, 5.0), "rural", "D", 1.2, 286.580700),
    ],
)
def test_gbt13201_branches(args, land, stability, u10, expected):
    r = rise.plume_rise(*args, stability, method="gbt13201", u10_m_s=u10, land=land)
    assert r.delta_h_m == pytest.approx(expected, rel=1e-6)
    assert r.he_m == pytest.approx(args[0] + expected, rel=1e-6)  # no stack-tip downwash in this method
    assert r.method == "gbt13201" and r.verified is False


def test_gbt13201_needs_u10():
    with pytest.raises(DispersionInputError) as err:
        rise.plume_rise(100.0, 4.0, 15.0, 423.15, 293.15, 5.0, "D", method="gbt13201")
    assert err.value.parameter == "u10_m_s"


# --- vectorisation, method names, bad input --------------------------------------------------------


def test_vectorised_over_classes_matches_single():
    classes = np.array([1, 2, 3, 4, 5, 6], dtype=np.int8)
    us = np.array([1.0, 2.0, 3.0, 4.0, 2.0, 1.5])
    r = rise.plume_rise(23.7, 2.0, 8.708, 476.4, 293.15, us, classes)
    for i in range(6):
        one = rise.plume_rise(23.7, 2.0, 8.708, 476.4, 293.15, us[i], int(classes[i]))
        assert r.he_m[i] == one.he_m
        assert r.xf_m[i] == one.xf_m


def test_unknown_method():
    with pytest.raises(ValueError, match="briggs, gbt13201"):
        rise.plume_rise(23.7, 2.0, 8.708, 476.4, 293.15, 5.0, "D", method="holland")


@pytest.mark.parametrize(
    ("position", "value", "parameter"),
    [
        (0, 0.0, "stack_height_m"),
        (0, -5.0, "stack_height_m"),
        (1, 0.0, "diameter_m"),
        (1, -1.0, "diameter_m"),
        (2, 0.0, "exit_velocity_m_s"),
        (3, 0.0, "exit_temperature_k"),
        (3, -10.0, "exit_temperature_k"),
        (4, np.nan, "ambient_temperature_k"),
        (5, 0.0, "us_m_s"),
        (6, "X", "stability"),
    ],
)
def test_bad_input_names_parameter(position, value, parameter):
    args = [23.7, 2.0, 8.708, 476.4, 293.15, 5.0, "D"]
    args[position] = value
    with pytest.raises(DispersionInputError) as err:
        rise.plume_rise(*args)
    assert err.value.parameter == parameter
