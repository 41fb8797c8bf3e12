"""Stack-top wind (parksteward.dispersion.wind) against the published exponents and hand calculations.

Sources: dispersion-methods §1.1 (exponent table, 1 m/s floor, constant wind below 10 m), the §4
worked example, and a published SCREEN3 (13043) run (gauss-ma/screen3, runs/testcase/SCREEN.OUT:
23.7 m stack, rural, full meteorology), whose USTK column prints the stack-top winds.
"""

from __future__ import annotations

import numpy as np
import pytest

from parksteward.dispersion import wind
from parksteward.dispersion.errors import DispersionInputError


@pytest.mark.parametrize(
    ("land", "expected"),
    [
        # dispersion-methods §1.1 table (ISC3 / SCREEN3 PRURAL, PURBAN)
        ("rural", [0.07, 0.07, 0.10, 0.15, 0.35, 0.55]),
        ("urban", [0.15, 0.15, 0.20, 0.25, 0.30, 0.30]),
    ],
)
def test_profile_exponents_published_table(land, expected):
    assert wind.profile_exponent(list("ABCDEF"), land).tolist() == expected
    assert wind.profile_exponent([1, 2, 3, 4, 5, 6], land).tolist() == expected


def test_worked_example_stack_top_wind():
    # dispersion-methods §4: u_s = 5 (50/10)^0.15 = 5 * exp(0.15 ln 5) = 5 * exp(0.241416) = 5 * 1.273050
    # = 6.36525 m/s ("6.365", SCREEN3 prints 6.37)
    assert wind.stack_top_wind(5.0, 50.0, "D") == pytest.approx(6.36525, rel=2e-6)


@pytest.mark.parametrize(
    ("u10", "stability", "expected"),
    [
        # SCREEN3 13043 testcase, stack 23.7 m, USTK column; hand: (23.7/10) = 2.37, ln 2.37 = 0.862890
        (1.0, "F", 1.60735),  # 2.37^0.55 = exp(0.474590) = 1.60735 (prints 1.6)
        (1.0, "E", 1.35258),  # 2.37^0.35 = exp(0.302012) = 1.35258 (prints 1.4)
        (1.0, "A", 1.06226),  # 2.37^0.07 = exp(0.060402) = 1.06226 (prints 1.1)
        (10.0, "C", 10.90121),  # 10 * 2.37^0.10 = 10 * exp(0.086289) = 10.90121 (prints 10.9)
    ],
)
def test_screen3_stack_top_winds(u10, stability, expected):
    assert wind.stack_top_wind(u10, 23.7, stability) == pytest.approx(expected, rel=5e-6)


def test_urban_exponent_used():
    # urban D, p = 0.25: 5 * 5^0.25 = 5 * 1.495349 = 7.476744 m/s
    assert wind.stack_top_wind(5.0, 50.0, "D", "urban") == pytest.approx(7.476744, rel=1e-6)


def test_constant_below_anemometer_height():
    # methods §1.1: below 10 m the wind is the 10 m wind
    assert wind.stack_top_wind(3.0, 5.0, "F") == 3.0
    assert wind.stack_top_wind(3.0, 10.0, "F") == 3.0


def test_minimum_wind_one_metre_per_second():
    # methods §1.1: u_s = max(1.0, ...): 0.5 * (20/10)^0.15 = 0.5 * 1.109569 = 0.55478 -> 1.0
    assert wind.stack_top_wind(0.5, 20.0, "D") == 1.0
    # 0.95 * (100/10)^0.55 = 0.95 * 3.548134 = 3.37073: the floor does not touch it
    assert wind.stack_top_wind(0.95, 100.0, "F") == pytest.approx(3.370727, rel=1e-6)


def test_vectorised_broadcast():
    us = wind.stack_top_wind(np.array([[1.0], [2.0]]), 23.7, np.array(["A", "F"]))
    assert us.shape == (2, 2)
    assert us[1, 1] == pytest.approx(2 * 1.60735, rel=5e-6)
    assert us[0, 0] == pytest.approx(1.06226, rel=5e-6)


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"u10_m_s": 0.0}, "u10_m_s"),
        ({"u10_m_s": -2.0}, "u10_m_s"),
        ({"u10_m_s": np.nan}, "u10_m_s"),
        ({"height_m": 0.0}, "height_m"),
        ({"height_m": -10.0}, "height_m"),
        ({"stability": "G"}, "stability"),
        ({"stability": 7}, "stability"),
        ({"land": "suburban"}, "land"),
    ],
)
def test_bad_input_names_parameter(kwargs, parameter):
    args = {"u10_m_s": 5.0, "height_m": 50.0, "stability": "D", "land": "rural"} | kwargs
    with pytest.raises(DispersionInputError) as err:
        wind.stack_top_wind(args["u10_m_s"], args["height_m"], args["stability"], args["land"])
    assert err.value.parameter == parameter
