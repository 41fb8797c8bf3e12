"""Volume sources (parksteward.dispersion.volume): ISC3 initial sigmas and virtual distances.

Expected values: the ISC3 initial-dimension rules (sigma_y0 = side / 4.3, sigma_z0 = vertical
dimension / 2.15, as the issue states them), virtual distances solved by hand where the curves
invert in closed form (ISC3 rural sigma_z power law, Briggs urban quadratics), a whole urban case
computed by hand, and consistency with the point kernel.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from parksteward.dispersion import plume, sigma, volume
from parksteward.dispersion.errors import DispersionInputError


def test_initial_sigmas():
    # 10 m side / 4.3 = 2.325581 m; 10 m high / 2.15 = 4.651163 m; line source side / 2.15; elevated / 4.3
    assert volume.initial_sigma_y(10.0) == pytest.approx(2.325581, rel=1e-6)
    assert volume.initial_sigma_y(10.0, "line") == pytest.approx(4.651163, rel=1e-6)
    assert volume.initial_sigma_z(10.0) == pytest.approx(4.651163, rel=1e-6)
    assert volume.initial_sigma_z(10.0, "elevated") == pytest.approx(2.325581, rel=1e-6)
    with pytest.raises(ValueError, match="single, line"):
        volume.initial_sigma_y(10.0, "square")


def test_virtual_distance_rural_sigma_z_closed_form():
    # D rural, first piece (x_km <= 0.3): x_km = (4.651163 / 34.459)^(1 / 0.86974)
    # = 0.134976^1.149769 = 0.0999997 km = 99.99970 m
    assert volume.virtual_distance_z(10.0 / 2.15, "D") == pytest.approx(99.99970, rel=1e-6)


def test_virtual_distances_urban_quadratic():
    # Briggs urban D: sigma_y = 0.16 x / sqrt(1 + 0.0004 x) -> 0.0256 x^2 - 0.0004 s^2 x - s^2 = 0 with
    # s = 2.325581: x = (0.0004 s^2 + sqrt((0.0004 s^2)^2 + 4 * 0.0256 s^2)) / (2 * 0.0256) = 14.577198 m
    # sigma_z = 0.14 x / sqrt(1 + 0.0003 x) -> 0.0196 x^2 - 0.0003 s^2 x - s^2 = 0, s = 4.651163: 33.388565 m
    assert volume.virtual_distance_y(10.0 / 4.3, "D", "briggs_urban") == pytest.approx(14.577198, rel=1e-6)
    assert volume.virtual_distance_z(10.0 / 2.15, "D", "briggs_urban") == pytest.approx(33.388565, rel=1e-6)


def test_virtual_distance_round_trip_all_classes():
    s0 = np.array([0.5, 2.0, 10.0, 50.0])[:, None]
    for method in ("isc3_rural", "briggs_urban", "gbt3840"):
        xy = volume.virtual_distance_y(s0, [1, 2, 3, 4, 5, 6], method)
        xz = volume.virtual_distance_z(s0, [1, 2, 3, 4, 5, 6], method)
        assert sigma.sigma_y(xy, [1, 2, 3, 4, 5, 6], method, averaging_time_h=0.5 if method == "gbt3840" else 1.0) \
            == pytest.approx(np.broadcast_to(s0, xy.shape), rel=1e-9)
        assert sigma.sigma_z(xz, [1, 2, 3, 4, 5, 6], method) == pytest.approx(np.broadcast_to(s0, xz.shape), rel=1e-9)
    assert volume.virtual_distance_y(0.0, "D") == 0.0


def test_whole_urban_volume_by_hand():
    # 10 m cube on the ground, centre at 5 m, urban D, u10 3 m/s (below 10 m: u_s = 3), receptor 200 m
    # sy = 0.16 * 214.577198 / sqrt(1 + 0.0004 * 214.577198) = 32.947499
    # sz = 0.14 * 233.388565 / sqrt(1 + 0.0003 * 233.388565) = 31.587289; z_i = 320 * 3 = 960 (no images)
    # C = 1e6 / (2 pi * 3 * sy * sz) * 2 exp(-25 / (2 sz^2)) = 100.682310 ug/m3
    r = volume.volume_source(1.0, 5.0, 10.0 / 4.3, 10.0 / 2.15, 200.0, land="urban", stability="D", u10_m_s=3.0)
    assert r.x_y_m == pytest.approx(14.577198, rel=1e-6)
    assert r.sigma_y_m == pytest.approx(32.947499, rel=1e-6)
    assert r.sigma_z_m == pytest.approx(31.587289, rel=1e-6)
    assert r.us_m_s == 3.0 and r.zi_m == 960.0
    assert r.c_ug_m3 == pytest.approx(100.682310, rel=1e-6)


def test_rural_volume_consistent_with_kernel():
    x = np.array([50.0, 300.0, 2000.0])
    sy0, sz0 = 10.0 / 4.3, 8.0 / 2.15
    r = volume.volume_source(2.0, 4.0, sy0, sz0, x, y_m=15.0, receptor_height_m=1.5, stability="C", u10_m_s=4.0)
    sy = sigma.sigma_y(x + r.x_y_m, "C")
    sz = sigma.sigma_z(x + r.x_z_m, "C")
    expected = plume.concentration(2.0, x, 15.0, 1.5, 4.0, sy, sz, 4.0, 320.0 * 4.0)
    assert r.c_ug_m3 == pytest.approx(expected, rel=1e-12)


def test_small_volume_tends_to_point():
    # sigma_y0, sigma_z0 -> 0: the plain kernel at the release height, no rise
    x = np.array([100.0, 1000.0])
    r = volume.volume_source(1.0, 10.0, 1e-6, 1e-6, x, stability="D", u10_m_s=5.0)
    expected = plume.concentration(1.0, x, 0.0, 0.0, 10.0, sigma.sigma_y(x, "D"), sigma.sigma_z(x, "D"), 5.0, 1600.0)
    assert r.c_ug_m3 == pytest.approx(expected, rel=1e-5)


def test_far_field_approaches_point():
    r = volume.volume_source(1.0, 0.0, 10.0 / 4.3, 10.0 / 2.15, 30000.0, stability="D", u10_m_s=5.0)
    p = plume.concentration(1.0, 30000.0, 0.0, 0.0, 0.0, sigma.sigma_y(30000.0, "D"), sigma.sigma_z(30000.0, "D"),
                            5.0, 1600.0)
    assert r.c_ug_m3 == pytest.approx(p, rel=0.01)


def test_inside_volume_not_computed():
    # SCREEN3: 0 where x - 2.15 sigma_y0 < 0.99 m; 2.15 * 2.325581 = 5.0 m
    r = volume.volume_source(1.0, 5.0, 10.0 / 4.3, 10.0 / 2.15, [-20.0, 3.0, 5.5, 6.0, 50.0], stability="D",
                             u10_m_s=3.0)
    assert r.c_ug_m3[:3].tolist() == [0.0, 0.0, 0.0]
    assert np.all(r.c_ug_m3[3:] > 0.0)
    assert math.isclose(r.sigma_y_m[1], 0.0)


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"q_g_s": -1.0}, "q_g_s"),
        ({"release_height_m": -1.0}, "release_height_m"),
        ({"sigma_y0_m": -1.0}, "sigma_y0_m"),
        ({"x_m": np.nan}, "x_m"),
        ({"u10_m_s": 0.0}, "u10_m_s"),
        ({"stability": "Z"}, "stability"),
    ],
)
def test_bad_input_names_parameter(kwargs, parameter):
    args = {"q_g_s": 1.0, "release_height_m": 5.0, "sigma_y0_m": 2.0, "sigma_z0_m": 2.0, "x_m": 100.0,
            "stability": "D", "u10_m_s": 3.0} | kwargs
    with pytest.raises(DispersionInputError) as err:
        volume.volume_source(args.pop("q_g_s"), args.pop("release_height_m"), args.pop("sigma_y0_m"),
                             args.pop("sigma_z0_m"), args.pop("x_m"), **args)
    assert err.value.parameter == parameter
