"""The Gaussian kernel (parksteward.dispersion.plume): vertical term, reflections, well-mixed limit, lid.

Expected values: the §4 worked example of dispersion-methods (prefactor 2287, exp term 0.2975,
C 680.6 ug/m3), hand calculations with their arithmetic, an independent image sum written out with
math.exp, and the mixing-height rules of dispersion-methods §3.1.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from parksteward.dispersion import plume
from parksteward.dispersion.errors import DispersionInputError


def images_by_hand(zr, he, sz, zi, terms=60):
    """V between ground and lid summed term by term (methods §3.2), independent of the package."""
    def g(d):
        return math.exp(-d * d / (2 * sz * sz))

    v = g(zr - he) + g(zr + he)
    for i in range(1, terms + 1):
        v += g(zr - (2 * i * zi - he)) + g(zr + (2 * i * zi - he)) + g(zr - (2 * i * zi + he)) + g(zr + (2 * i * zi + he))
    return v


# --- worked example (methods §4) ------------------------------------------------------------------


def test_worked_example_vertical_term():
    # ground level, no images at 1 km: V = 2 exp(-49.970031^2 / (2 * 32.093^2)) = 2 * exp(-1.212184) = 2 * 0.297547
    v = plume.vertical_term(0.0, 49.970031, 32.093, 1600.0)
    assert v == pytest.approx(2 * 0.297547, rel=2e-6)


def test_worked_example_concentration():
    # prefactor Q 1e6 / (pi u_s sy sz) = 1e8 / (pi * 6.365251 * 68.126741 * 32.093) = 2287.2133
    # C = 2287.2133 * 0.297547 = 680.553 ug/m3 (reference and SCREEN3: 680.6)
    c = plume.concentration(100.0, 1000.0, 0.0, 0.0, 49.970031, 68.126741, 32.093, 6.365251, 1600.0)
    assert c == pytest.approx(680.553, rel=1e-5)
    assert c == pytest.approx(680.6, rel=1e-4)


# --- vertical term pieces (methods §3.2) ----------------------------------------------------------


def test_flagpole_receptor_no_lid():
    # z_r 10, h_e 50, sz 20: exp(-40^2/800) + exp(-60^2/800) = exp(-2) + exp(-4.5) = 0.135335 + 0.011109 = 0.146444
    assert plume.vertical_term(10.0, 50.0, 20.0) == pytest.approx(0.146444, rel=2e-6)
    assert plume.vertical_term(10.0, 50.0, 20.0, np.inf) == plume.vertical_term(10.0, 50.0, 20.0)
    # z_i >= 10 000 m is no lid (stable hours in screening)
    assert plume.vertical_term(10.0, 50.0, 20.0, 10000.0) == plume.vertical_term(10.0, 50.0, 20.0)


def test_well_mixed_limit():
    # sz / z_i = 1600 / 1000 = 1.6 >= 1.6: V = sqrt(2 pi) * 1.6 = 2.506628 * 1.6 = 4.010605
    assert plume.vertical_term(0.0, 100.0, 1600.0, 1000.0) == pytest.approx(4.010605, rel=1e-6)
    # independent of the receptor height
    assert plume.vertical_term(80.0, 100.0, 1600.0, 1000.0) == pytest.approx(4.010605, rel=1e-6)


@pytest.mark.parametrize(
    ("zr", "he", "sz", "zi"),
    [
        (0.0, 100.0, 500.0, 600.0),  # sz/zi = 0.83: several image pairs matter
        (1.5, 300.43, 227.51, 320.0),  # SCREEN3 testcase, A at 700 m
        (0.0, 300.43, 460.69, 320.0),  # A at 1000 m, sz/zi = 1.44
        (25.0, 590.0, 150.0, 600.0),  # plume just under the lid
    ],
)
def test_reflections_match_term_by_term_sum(zr, he, sz, zi):
    assert plume.vertical_term(zr, he, sz, zi) == pytest.approx(images_by_hand(zr, he, sz, zi), rel=1e-8)


def test_reflection_sum_meets_well_mixed_limit():
    # the image sum tends to sqrt(2 pi) sz / z_i; at sz/z_i = 1.6 the next Fourier term is
    # exp(-pi^2 * 1.6^2 / 2) = 3.3e-6, so the two branches join continuously at the 1.6 switch
    zi = 1000.0
    below = plume.vertical_term(0.0, 100.0, 1.5999 * zi, zi)
    assert below == pytest.approx(math.sqrt(2 * math.pi) * 1.5999, rel=1e-5)


def test_images_negligible_far_from_lid():
    # worked example: the first image at 2 * 1600 - 50 m is exp(-3150^2 / (2 * 32^2)) = 0
    assert plume.vertical_term(0.0, 50.0, 32.0, 1600.0) == plume.vertical_term(0.0, 50.0, 32.0)


def test_plume_above_lid_gives_zero():
    # methods §3.1: A-D with h_e > z_i -> 0
    assert plume.vertical_term(0.0, 700.0, 100.0, 600.0) == 0.0
    assert plume.concentration(10.0, 1000.0, 0.0, 0.0, 700.0, 80.0, 100.0, 3.0, 600.0) == 0.0
    # the same plume with no lid reaches the ground
    assert plume.concentration(10.0, 1000.0, 0.0, 0.0, 700.0, 80.0, 100.0, 3.0) > 0.0


# --- concentration (methods §3.2) -----------------------------------------------------------------


def test_crosswind_offset():
    # y = sigma_y: factor exp(-1/2) = 0.606531
    c0 = plume.concentration(1.0, 500.0, 0.0, 0.0, 20.0, 40.0, 20.0, 3.0)
    c1 = plume.concentration(1.0, 500.0, 40.0, 0.0, 20.0, 40.0, 20.0, 3.0)
    assert c1 / c0 == pytest.approx(0.606531, rel=1e-6)


def test_ground_level_release_by_hand():
    # h_e = z_r = 0: C = Q 1e6 * 2 / (2 pi u sy sz) = 1e6 / (pi * 2 * 10 * 5) = 3183.0989 ug/m3
    assert plume.concentration(1.0, 100.0, 0.0, 0.0, 0.0, 10.0, 5.0, 2.0) == pytest.approx(3183.0989, rel=1e-7)


def test_upwind_is_zero():
    c = plume.concentration(1.0, np.array([-100.0, 0.0, 100.0]), 0.0, 0.0, 0.0, 10.0, 5.0, 2.0)
    assert c[0] == 0.0 and c[1] == 0.0 and c[2] > 0.0


def test_vectorised_mixed_lid_cases():
    # one call with no-lid, image, well-mixed and above-lid elements equals the elementwise results
    he = np.array([50.0, 100.0, 100.0, 700.0, 100.0])
    sz = np.array([30.0, 500.0, 1600.0, 100.0, 40.0])
    zi = np.array([np.inf, 600.0, 1000.0, 600.0, 10000.0])
    v = plume.vertical_term(0.0, he, sz, zi)
    for i in range(5):
        assert v[i] == plume.vertical_term(0.0, he[i], sz[i], zi[i])
    assert v[1] == pytest.approx(images_by_hand(0.0, 100.0, 500.0, 600.0), rel=1e-8)
    assert v[3] == 0.0


def test_lid_array_larger_than_the_rest():
    # z_i varies along a leading axis (hours), the receptors along the last one
    zr = np.array([0.0, 1.5, 10.0])
    zi = np.array([[np.inf], [600.0]])
    v = plume.vertical_term(zr, 100.0, 500.0, zi)
    assert v.shape == (2, 3)
    for j, z in enumerate(zr):
        assert v[0, j] == pytest.approx(math.exp(-((z - 100.0) ** 2) / 5e5) + math.exp(-((z + 100.0) ** 2) / 5e5))
        assert v[1, j] == pytest.approx(images_by_hand(z, 100.0, 500.0, 600.0), rel=1e-8)


def test_fast_path_equals_public():
    rng = np.random.default_rng(4)
    n = 500
    args = dict(q=rng.uniform(0, 10, n), x=rng.uniform(-100, 5000, n), y=rng.uniform(-200, 200, n),
                zr=rng.uniform(0, 20, n), he=rng.uniform(0, 400, n), sy=rng.uniform(1, 500, n),
                sz=rng.uniform(1, 900, n), us=rng.uniform(1, 10, n), zi=rng.choice([300.0, 800.0, np.inf], n))
    fast = plume._concentration(**args)
    public = plume.concentration(args["q"], args["x"], args["y"], args["zr"], args["he"], args["sy"], args["sz"],
                                 args["us"], args["zi"])
    assert np.array_equal(fast, public)


# --- mixing height (methods §3.1) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("u10", "stability", "he", "expected"),
    [
        (5.0, "D", 49.97, 1600.0),  # 320 * 5
        (1.0, "A", 300.43, 320.0),  # 320 * 1 = 320 >= 301.43 (SCREEN3 testcase prints 320.0)
        (1.0, "A", 400.0, 401.0),  # raised to h_e + 1
        (40.0, "C", 50.0, 10000.0),  # 12800 capped at 10 000
        (1.0, "E", 109.79, 10000.0),  # stable: no lid
        (3.0, "F", 10.0, 10000.0),
    ],
)
def test_regulatory_mixing_height(u10, stability, he, expected):
    assert plume.regulatory_mixing_height(u10, stability, he) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("u10", "stability", "he", "expected"),
    [
        (2.0, "A", 100.0, 300.0),  # max(300, 100 * 1.02)
        (10.0, "D", 100.0, 140.0),  # max(30, 100 * (1 + 0.04 * 10))
        (5.0, "B", 200.0, 220.0),  # max(100, 200 * 1.1)
        (2.0, "F", 100.0, 10000.0),
    ],
)
def test_brode_mixing_height(u10, stability, he, expected):
    assert plume.brode_mixing_height(u10, stability, he) == pytest.approx(expected)


def test_mixing_height_rule_names():
    with pytest.raises(ValueError, match="regulatory, brode"):
        plume.check_mixing_height_rule("holzworth")


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("position", "value", "parameter"),
    [
        (0, -1.0, "q_g_s"),
        (1, np.nan, "x_m"),
        (2, np.nan, "y_m"),
        (3, np.nan, "receptor_height_m"),
        (3, -2.0, "receptor_height_m"),
        (4, -1.0, "effective_height_m"),
        (5, 0.0, "sigma_y_m"),
        (6, -3.0, "sigma_z_m"),
        (7, 0.0, "us_m_s"),
        (8, 0.0, "mixing_height_m"),
        (8, np.nan, "mixing_height_m"),
    ],
)
def test_bad_input_names_parameter(position, value, parameter):
    args = [1.0, 100.0, 0.0, 0.0, 10.0, 10.0, 5.0, 2.0, 500.0]
    args[position] = value
    with pytest.raises(DispersionInputError) as err:
        plume.concentration(*args)
    assert err.value.parameter == parameter
