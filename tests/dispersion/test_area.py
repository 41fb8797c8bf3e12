"""Area sources (parksteward.dispersion.area): quadrature convergence and independent integrations.

The area integral is checked three ways: against itself with many more Gauss-Legendre points
(convergence), against a brute-force midpoint sum of the point kernel over a fine grid written in
this file (independent of the area code), and against a point source of the same total emission
far downwind. The vectorised erfc is checked against the standard library's math.erfc.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from parksteward.dispersion import area, plume, sigma
from parksteward.dispersion.errors import DispersionInputError

MET = {"stability": "D", "u10_m_s": 3.0}


def brute_force(qa, he, length, width, angle_deg, x, y, zr, stability, us, zi, cells=(600, 400), dmin=1.0):
    """Midpoint sum of the point kernel over the rotated rectangle (fine grid, no quadrature tricks)."""
    n_l, n_w = cells
    u = (np.arange(n_l) + 0.5) / n_l * length - 0.5 * length
    v = (np.arange(n_w) + 0.5) / n_w * width - 0.5 * width
    uu, vv = np.meshgrid(u, v, indexing="ij")
    t = math.radians(angle_deg)
    px = uu * math.cos(t) - vv * math.sin(t)
    py = uu * math.sin(t) + vv * math.cos(t)
    xd = x - px  # upwind distance of each cell
    keep = xd >= dmin
    xd, dy = xd[keep], y - py[keep]
    sy = sigma.sigma_y(xd, stability)
    sz = np.minimum(sigma.sigma_z(xd, stability), 5000.0)
    c = plume.concentration(qa * (length / n_l) * (width / n_w), xd, dy, zr, he, sy, sz, us, zi)
    return float(np.sum(c))


def test_erfc_approximation_against_stdlib():
    # Numerical Recipes erfcc: fractional error < 1.2e-7 everywhere
    z = np.linspace(0.0, 12.0, 4001)
    expected = np.array([math.erfc(v) for v in z])
    assert np.max(np.abs(area._erfc(z) / expected - 1.0)) < 1.2e-7


def test_gauss_fraction_tails_and_middle():
    a1 = np.array([-1.0, 3.0, -6.0, -0.5])
    a2 = np.array([1.0, 4.0, -5.0, 0.25])
    expected = [0.5 * (math.erf(b) - math.erf(a)) for a, b in zip(a1, a2)]
    expected[1] = 0.5 * (math.erfc(3.0) - math.erfc(4.0))  # right tail without cancellation
    expected[2] = 0.5 * (math.erfc(5.0) - math.erfc(6.0))  # left tail
    assert area._gauss_fraction(a1, a2) == pytest.approx(expected, rel=3e-7)


@pytest.mark.parametrize(
    ("x", "y", "angle", "he", "zr"),
    [
        (120.0, 0.0, 0.0, 0.0, 0.0),  # downwind of a ground-level area
        (60.0, 0.0, 30.0, 0.0, 0.0),  # just past the rotated area's downwind corner
        (0.0, 0.0, 0.0, 0.0, 0.0),  # at the centre, inside the area
        (40.0, 10.0, 30.0, 3.0, 1.5),  # inside, elevated release, flagpole receptor
        (200.0, 30.0, 75.0, 2.0, 0.0),  # off-axis
    ],
)
def test_quadrature_converges(x, y, angle, he, zr):
    kwargs = dict(y_m=y, angle_deg=angle, receptor_height_m=zr, **MET)
    ref = area.area_source(1e-3, he, 100.0, 50.0, x, n_points=256, **kwargs).c_ug_m3
    c16 = area.area_source(1e-3, he, 100.0, 50.0, x, n_points=16, **kwargs).c_ug_m3
    c32 = area.area_source(1e-3, he, 100.0, 50.0, x, n_points=32, **kwargs).c_ug_m3
    assert ref > 0
    assert c16 == pytest.approx(ref, rel=1e-4)
    assert c32 == pytest.approx(ref, rel=1e-6)


@pytest.mark.parametrize(
    ("x", "y", "angle", "he", "zr", "stability"),
    [
        (150.0, 0.0, 0.0, 0.0, 0.0, "D"),
        (120.0, 20.0, 25.0, 2.0, 1.5, "D"),
        (90.0, -15.0, 60.0, 0.0, 0.0, "F"),
        (10.0, 5.0, 20.0, 5.0, 0.0, "B"),  # receptor inside the area, elevated release
    ],
)
def test_against_brute_force_grid(x, y, angle, he, zr, stability):
    us, zi = 3.0, (960.0 if stability in "ABCD" else None)
    c = area.area_source(2e-3, he, 60.0, 40.0, x, y_m=y, angle_deg=angle, receptor_height_m=zr,
                         stability=stability, u10_m_s=3.0, n_points=32).c_ug_m3
    ref = brute_force(2e-3, he, 60.0, 40.0, angle, x, y, zr, stability, us, zi)
    assert c == pytest.approx(ref, rel=2e-5)  # midpoint-rule error of the 600 x 400 grid is about 1e-6


def test_far_field_equals_point_source():
    # 20 m x 20 m at 1e-3 g/(s m2) = 0.4 g/s; at 5 km the area is a point
    c = area.area_source(1e-3, 0.0, 20.0, 20.0, 5000.0, **MET).c_ug_m3
    p = plume.concentration(0.4, 5000.0, 0.0, 0.0, 0.0, sigma.sigma_y(5000.0, "D"), sigma.sigma_z(5000.0, "D"),
                            3.0, 960.0)
    assert c == pytest.approx(p, rel=1e-3)


def test_rotation_symmetries():
    x = np.array([80.0, 150.0, 400.0])
    square = area.area_source(1e-3, 0.0, 40.0, 40.0, x, y_m=7.0, **MET).c_ug_m3
    turned = area.area_source(1e-3, 0.0, 40.0, 40.0, x, y_m=7.0, angle_deg=90.0, **MET).c_ug_m3
    assert turned == pytest.approx(square, rel=1e-9)
    long_way = area.area_source(1e-3, 0.0, 100.0, 30.0, x, angle_deg=90.0, **MET).c_ug_m3
    short_way = area.area_source(1e-3, 0.0, 30.0, 100.0, x, **MET).c_ug_m3
    assert long_way == pytest.approx(short_way, rel=1e-9)
    half_turn = area.area_source(1e-3, 0.0, 100.0, 30.0, x, angle_deg=180.0, **MET).c_ug_m3
    assert half_turn == pytest.approx(area.area_source(1e-3, 0.0, 100.0, 30.0, x, **MET).c_ug_m3, rel=1e-9)


def test_crosswind_symmetry_and_upwind_zero():
    left = area.area_source(1e-3, 0.0, 50.0, 30.0, 100.0, y_m=12.0, **MET).c_ug_m3
    right = area.area_source(1e-3, 0.0, 50.0, 30.0, 100.0, y_m=-12.0, **MET).c_ug_m3
    assert left == pytest.approx(right, rel=1e-12)
    assert area.area_source(1e-3, 0.0, 50.0, 30.0, -40.0, **MET).c_ug_m3 == 0.0


def test_vectorised_over_receptors_and_classes():
    x = np.array([50.0, 200.0, 1000.0])
    r = area.area_source(1e-3, 1.0, 50.0, 30.0, x, stability=np.array(["A", "D", "F"])[:, None], u10_m_s=2.0)
    assert r.c_ug_m3.shape == (3, 3)
    one = area.area_source(1e-3, 1.0, 50.0, 30.0, 200.0, stability="F", u10_m_s=2.0)
    assert r.c_ug_m3[2, 1] == pytest.approx(float(one.c_ug_m3), rel=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"length_m": 0.0}, "length_m"),
        ({"width_m": -5.0}, "width_m"),
        ({"q_g_s_m2": -1.0}, "q_g_s_m2"),
        ({"x_m": np.nan}, "x_m"),
        ({"n_points": 0}, "n_points"),
        ({"u10_m_s": -1.0}, "u10_m_s"),
        ({"stability": "H"}, "stability"),
    ],
)
def test_bad_input_names_parameter(kwargs, parameter):
    args = {"q_g_s_m2": 1e-3, "release_height_m": 0.0, "length_m": 50.0, "width_m": 30.0, "x_m": 100.0,
            "stability": "D", "u10_m_s": 3.0} | kwargs
    with pytest.raises(DispersionInputError) as err:
        area.area_source(args.pop("q_g_s_m2"), args.pop("release_height_m"), args.pop("length_m"),
                         args.pop("width_m"), args.pop("x_m"), **args)
    assert err.value.parameter == parameter
