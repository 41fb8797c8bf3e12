"""Dispersion coefficients (parksteward.dispersion.sigma) against the published coefficient tables.

Expected values are hand calculations from the coefficient tables of dispersion-methods §2.1 (ISC3
rural), §2.2 (Briggs urban) and §5.1 (GB/T 3840-91, unverified), each written out with its
arithmetic, plus the §4 worked example (sigma_y 68.13 m, sigma_z 32.09 m at 1 km, class D).
"""

from __future__ import annotations

import numpy as np
import pytest

from parksteward.dispersion import sigma
from parksteward.dispersion.errors import DispersionInputError


def test_method_names_in_one_constant():
    assert sigma.SIGMA_METHODS == ("isc3_rural", "briggs_urban", "gbt3840")


def test_unknown_method_names_the_valid_ones():
    with pytest.raises(ValueError, match="isc3_rural, briggs_urban, gbt3840"):
        sigma.sigma_y(1000.0, "D", method="pasquill")
    with pytest.raises(ValueError, match="isc3_rural, briggs_urban, gbt3840"):
        sigma.sigma_z(1000.0, "D", method="ISC3")


# --- ISC3 rural (methods §2.1) --------------------------------------------------------------------


def test_worked_example_sigmas():
    # methods §4: sigma_y = 465.11628 * 1 * tan(0.017453293 * 8.3330) = 465.11628 * 0.146472 = 68.126741 m
    # sigma_z = 32.093 * 1^0.81066 = 32.093 m
    assert sigma.sigma_y(1000.0, "D") == pytest.approx(68.126741, rel=1e-7)
    assert sigma.sigma_z(1000.0, "D") == pytest.approx(32.093, rel=1e-9)


@pytest.mark.parametrize(
    ("stability", "x_m", "expected"),
    [
        # sigma_y = 465.11628 x_km tan(0.017453293 (c - d ln x_km)); ln 0.5 = -0.693147, ln 5 = 1.609438
        ("A", 500.0, 113.038148),  # theta = 24.1667 + 2.5334 * 0.693147 = 25.922719 deg, tan = 0.486064
        ("A", 5000.0, 850.551835),  # theta = 24.1667 - 2.5334 * 1.609438 = 20.089350 deg, tan = 0.365737
        ("B", 500.0, 82.752239),  # theta = 19.587319 deg, tan = 0.355835
        ("B", 5000.0, 641.469824),  # theta = 15.420561 deg, tan = 0.275832
        ("C", 500.0, 54.771098),  # theta = 13.252550 deg, tan = 0.235516
        ("C", 5000.0, 441.636172),  # theta = 10.752633 deg, tan = 0.189904
        ("D", 500.0, 36.146193),  # theta = 8.834714 deg, tan = 0.155429
        ("D", 5000.0, 292.472111),  # theta = 7.168057 deg, tan = 0.125763
        ("E", 500.0, 27.016034),  # theta = 6.626289 deg, tan = 0.116169
        ("E", 5000.0, 218.861017),  # theta = 5.376284 deg, tan = 0.094110
        ("F", 500.0, 17.966060),  # theta = 4.417557 deg, tan = 0.077254
        ("F", 5000.0, 145.670504),  # theta = 3.584228 deg, tan = 0.062638
    ],
)
def test_isc3_rural_sigma_y_table(stability, x_m, expected):
    assert sigma.sigma_y(x_m, stability) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize(
    ("stability", "x_m", "expected"),
    [
        # sigma_z = a x_km^b, piece chosen with inclusive upper bounds
        ("A", 100.0, 13.947564),  # 122.8 * 0.1^0.94470 (first piece includes 0.10 km)
        ("A", 100.1, 13.968010),  # 158.080 * 0.1001^1.05420 (second piece)
        ("A", 500.0, 104.651710),  # 346.75 * 0.5^1.72830 (0.40-0.50 piece includes 0.50)
        ("A", 2000.0, 1968.214507),  # 453.85 * 2^2.11660
        ("B", 300.0, 30.144226),  # 98.483 * 0.3^0.98332
        ("B", 1000.0, 109.30),  # 109.30 * 1^1.09710
        ("C", 2000.0, 115.257614),  # 61.141 * 2^0.91465
        ("D", 300.0, 12.093002),  # 34.459 * 0.3^0.86974
        ("D", 5000.0, 88.690205),  # 33.504 * 5^0.60486
        ("D", 50000.0, 326.205551),  # 44.053 * 50^0.51179
        ("E", 1000.0, 21.628),  # 21.628 * 1^0.75660
        ("E", 1500.0, 27.931190),  # 21.628 * 1.5^0.63077
        ("E", 50000.0, 151.541072),  # 47.618 * 50^0.29592
        ("F", 500.0, 8.395559),  # 14.457 * 0.5^0.78407
        ("F", 10000.0, 46.383922),  # 17.836 * 10^0.41507
        ("F", 100000.0, 93.022351),  # 34.219 * 100^0.21716
    ],
)
def test_isc3_rural_sigma_z_table(stability, x_m, expected):
    assert sigma.sigma_z(x_m, stability) == pytest.approx(expected, rel=1e-6)


def test_isc3_tables_hold_published_coefficients():
    # spot checks of the tables themselves against dispersion-methods §2.1
    assert sigma.ISC3_RURAL_SIGMA_Y["D"] == (8.3330, 0.72382)
    assert sigma.ISC3_RURAL_SIGMA_Z["A"][0] == (0.10, 122.8, 0.94470)
    assert sigma.ISC3_RURAL_SIGMA_Z["F"][-1][1:] == (34.219, 0.21716)
    assert [len(sigma.ISC3_RURAL_SIGMA_Z[c]) for c in "ABCDEF"] == [8, 3, 1, 6, 9, 10]


def test_isc3_sigma_z_increases_with_distance():
    x = np.geomspace(1.0, 100000.0, 2000)
    for k in range(1, 7):
        sz = sigma.sigma_z(x, k)
        assert np.all(np.diff(sz) > -1e-9 * sz[1:]), k


# --- Briggs urban (methods §2.2) ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stability", "x_m", "expected_y", "expected_z"),
    [
        ("A", 500.0, 146.059349, 0.24 * 500 * 1.5**0.5),  # 0.32 * 500 / sqrt(1.2); 0.24 * 500 * sqrt(1.5) = 146.969
        ("B", 1000.0, 0.32 * 1000 / 1.4**0.5, 339.411255),  # 0.24 * 1000 * sqrt(2) = 339.411255
        ("C", 1000.0, 185.933936, 200.0),  # 0.22 * 1000 / sqrt(1.4); 0.20 * 1000
        ("D", 1000.0, 0.16 * 1000 / 1.4**0.5, 122.788123),  # 0.14 * 1000 / sqrt(1.3)
        ("E", 1000.0, 0.11 * 1000 / 1.4**0.5, 50.596443),  # 0.08 * 1000 / sqrt(2.5)
        ("F", 2000.0, 163.978318, 0.08 * 2000 / 4.0**0.5),  # 0.11 * 2000 / sqrt(1.8); 160 / 2 = 80
    ],
)
def test_briggs_urban(stability, x_m, expected_y, expected_z):
    assert sigma.sigma_y(x_m, stability, "briggs_urban") == pytest.approx(expected_y, rel=1e-6)
    assert sigma.sigma_z(x_m, stability, "briggs_urban") == pytest.approx(expected_z, rel=1e-6)


# --- GB/T 3840-91 (methods §5.1, unverified) -------------------------------------------------------


def test_gbt3840_marked_unverified():
    assert sigma.GBT3840_SIGMA["verified"] is False
    assert "GB/T 3840-91" in sigma.GBT3840_SIGMA["source"]
    # alpha is the exponent, gamma the multiplier (methods §5.1 warns about swapped ports)
    assert sigma.GBT3840_SIGMA["sigma_y"]["D"][0] == (1000.0, 0.929418, 0.110726)


@pytest.mark.parametrize(
    ("fn", "stability", "x_m", "expected"),
    [
        ("sigma_y", "D", 1000.0, 67.999170),  # 0.110726 * 1000^0.929418 (x <= 1000 piece)
        ("sigma_y", "D", 2000.0, 125.904024),  # 0.146669 * 2000^0.888723
        ("sigma_z", "D", 1000.0, 31.499875),  # 0.104634 * 1000^0.826212
        ("sigma_z", "D", 5000.0, 87.111480),  # 0.400167 * 5000^0.632023
        ("sigma_z", "A", 400.0, 74.186995),  # 0.00854771 * 400^1.51360
        ("sigma_z", "F", 20000.0, 58.779500),  # 2.40691 * 20000^0.322659
    ],
)
def test_gbt3840_half_hour_table(fn, stability, x_m, expected):
    kwargs = {"averaging_time_h": 0.5} if fn == "sigma_y" else {}
    assert getattr(sigma, fn)(x_m, stability, "gbt3840", **kwargs) == pytest.approx(expected, rel=1e-6)


def test_gbt3840_averaging_time():
    # 1 h: (1 / 0.5)^0.3 = 1.231144; 0.75 h: (0.75 / 0.5)^0.2 = 1.084472
    assert sigma.gbt3840_averaging_factor(1.0) == pytest.approx(1.231144, rel=1e-6)
    assert sigma.gbt3840_averaging_factor(0.75) == pytest.approx(1.084472, rel=1e-6)
    assert sigma.sigma_y(1000.0, "D", "gbt3840") == pytest.approx(67.999170 * 1.231144, rel=1e-6)
    with pytest.raises(DispersionInputError) as err:
        sigma.gbt3840_averaging_factor(0.25)
    assert err.value.parameter == "averaging_time_h"
    with pytest.raises(DispersionInputError):
        sigma.sigma_y(1000.0, "D", "isc3_rural", averaging_time_h=24.0)


def test_gbt3840_close_to_isc3_rural():
    # methods §5.1: over 0.1-10 km the GB/T 3840-91 values agree with the ISC3 rural fits to about 3 %
    # (sigma_y) and 7 % (sigma_z, largest gaps E/F at 2-5 km); a swapped alpha/gamma would be off by
    # orders of magnitude
    x = np.geomspace(100.0, 10000.0, 200)
    for k in range(1, 7):
        ry = sigma.sigma_y(x, k, "gbt3840", averaging_time_h=0.5) / sigma.sigma_y(x, k)
        rz = sigma.sigma_z(x, k, "gbt3840") / sigma.sigma_z(x, k)
        assert np.all(np.abs(ry - 1) < 0.035), k
        assert np.all(np.abs(rz - 1) < 0.08), k


# --- BID and cap (methods §2.3, §2.4) -------------------------------------------------------------


def test_buoyancy_induced_dispersion():
    # sqrt(3^2 + (7/3.5)^2) = sqrt(9 + 4) = 3.605551
    assert sigma.buoyancy_induced_dispersion(3.0, 7.0) == pytest.approx(3.605551, rel=1e-6)
    # SCREEN3 testcase, A at 700 m: sigma_y = 465.11628 * 0.7 * tan(25.070300 deg) = 152.307725, final rise
    # 276.729632 m: sqrt(152.307725^2 + 79.065609^2) = 171.607149 (SCREEN3 prints 171.61)
    sy = sigma.sigma_y(700.0, "A")
    assert sy == pytest.approx(152.307725, rel=1e-6)
    assert sigma.buoyancy_induced_dispersion(sy, 276.729632) == pytest.approx(171.607149, rel=1e-6)


def test_sigma_z_cap():
    # A at 10 km: 453.85 * 10^2.11660 = 59362.5 m -> capped at 5000 m
    assert sigma.sigma_z(10000.0, "A") == pytest.approx(59362.521, rel=1e-6)
    assert sigma.cap_sigma_z(59362.521) == 5000.0
    assert sigma.cap_sigma_z(4999.0) == 4999.0


# --- vectorisation and bad input ------------------------------------------------------------------


def test_vectorised_letters_and_numbers():
    x = np.array([[500.0], [5000.0]])
    sy = sigma.sigma_y(x, np.array(["A", "D", "F"]))
    assert sy.shape == (2, 3)
    assert sy[0, 1] == pytest.approx(36.146193, rel=1e-6)
    assert sy[1, 2] == pytest.approx(145.670504, rel=1e-6)
    assert np.array_equal(sigma.sigma_z(x, [1, 4, 6]), sigma.sigma_z(x, ["A", "D", "F"]))


@pytest.mark.parametrize("bad", [0.0, -10.0, np.nan])
def test_bad_distance(bad):
    with pytest.raises(DispersionInputError) as err:
        sigma.sigma_y([100.0, bad], "D")
    assert err.value.parameter == "x_m"


def test_bad_stability():
    with pytest.raises(DispersionInputError) as err:
        sigma.sigma_z(100.0, "G")
    assert err.value.parameter == "stability"
