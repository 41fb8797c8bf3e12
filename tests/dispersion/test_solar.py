"""Solar position (parksteward.dispersion.solar) against published values.

Sources: Meeus, *Astronomical Algorithms* (2nd ed.), Examples 25.a and 28.b; the NREL Solar
Position Algorithm report (Reda & Andreas 2004, NREL/TP-560-34302, Appendix A.5) and NREL SPA
sunrise/sunset times as published in pvlib-python's test suite.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from parksteward.dispersion import solar
from parksteward.dispersion.errors import DispersionInputError

GOLDEN = {"latitude": 39.742476, "longitude": -105.1786}  # NREL, Golden, Colorado (SPA report)


def utc(*values: str) -> np.ndarray:
    return np.array(values, dtype="datetime64[s]")


def test_declination_meeus_example_25a():
    # Meeus Example 25.a: 1992 October 13.0 TD, apparent declination δ = -7.78507 deg
    # (-7°47'06"). The example's instant is taken as UTC; the 59 s TD-UT difference moves δ by
    # < 0.0003 deg, but here the same Julian day is used, so the low-accuracy series must agree
    # to the printed precision.
    assert solar.solar_declination(utc("1992-10-13T00:00:00"))[0] == pytest.approx(-7.78507, abs=1e-4)


def test_equation_of_time_meeus_example_28b():
    # Meeus Example 28.b: 1992 October 13.0 TD, E = +0.0598256 rad = +13 min 42.7 s.
    minutes = solar.equation_of_time(utc("1992-10-13T00:00:00"))[0]
    assert minutes * 60.0 == pytest.approx(13 * 60 + 42.7, abs=0.1)


def test_elevation_nrel_spa_example():
    # NREL/TP-560-34302 Appendix A.5: 2003-10-17 12:30:30 MST (UTC-7), Golden, CO:
    # topocentric elevation without refraction e0 = 39.872046 deg. The next day's value,
    # 39.505196 deg, is SPA output published in pvlib's tests (expected_solpos_multi).
    # Tolerance 0.01 deg: the accuracy of the NOAA/Meeus low-precision sun, plus solar parallax
    # (< 0.0025 deg) that the NOAA equations leave out.
    times = utc("2003-10-17T19:30:30", "2003-10-18T19:30:30")
    elevation = solar.solar_elevation(times, GOLDEN["longitude"], GOLDEN["latitude"])
    assert elevation == pytest.approx([39.872046, 39.505196], abs=0.01)


@pytest.mark.parametrize(
    ("time_utc", "latitude", "longitude"),
    [
        # NREL SPA web calculator, as in pvlib tests (expected_rise_set_spa): Golden, 2015-01-02
        # sunrise 07:21:55 and sunset 16:47:43 MST; 2015-08-02 sunrise 05:00:27 MST.
        ("2015-01-02T14:21:55", GOLDEN["latitude"], GOLDEN["longitude"]),
        ("2015-01-02T23:47:43", GOLDEN["latitude"], GOLDEN["longitude"]),
        ("2015-08-02T12:00:27", GOLDEN["latitude"], GOLDEN["longitude"]),
        # Same source, 35 S 0 E (UTC): 1996-07-05 sunrise 07:08:15, sunset 17:01:04;
        # 2004-12-04 sunrise 04:38:57, sunset 19:02:03.
        ("1996-07-05T07:08:15", -35.0, 0.0),
        ("1996-07-05T17:01:04", -35.0, 0.0),
        ("2004-12-04T04:38:57", -35.0, 0.0),
        ("2004-12-04T19:02:03", -35.0, 0.0),
    ],
)
def test_sun_is_at_rise_set_elevation_at_published_sunrise_and_sunset(time_utc, latitude, longitude):
    # SPA defines rise/set as the centre of the sun at -0.8333 deg geometric elevation
    # (refraction 0.5667 + semi-diameter 0.2667). Times are given to 1 s, i.e. <= 0.003 deg of
    # motion; tolerance 0.01 deg. (The pvlib list's 2015-08-02 sunset is left out: SPA attaches
    # it to the UT date, so it is the previous evening's, a minute off.)
    elevation = solar.solar_elevation(utc(time_utc), longitude, latitude)[0]
    assert elevation == pytest.approx(-0.8333, abs=0.01)


def test_vectorised_over_times_and_broadcast():
    times = utc("2024-06-21T04:00:00", "2024-06-21T16:00:00", "2024-12-21T04:00:00")
    elevation = solar.solar_elevation(times, 121.47, 31.23)
    assert elevation.shape == (3,)
    # Shanghai: noon of the June solstice high (90 - 31.23 + 23.44 = 82.2 deg at transit),
    # midnight below the horizon, December noon near 90 - 31.23 - 23.44 = 35.3 deg.
    assert elevation[0] > 75.0
    assert elevation[1] < -30.0
    assert elevation[2] == pytest.approx(35.3, abs=1.5)


def test_times_with_offsets_are_converted_to_utc():
    expected = np.datetime64("2024-01-01T00:00:00")
    aware = dt.datetime(2024, 1, 1, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    out = solar.as_utc_datetime64([aware, "2024-01-01T08:00+08:00", "2024-01-01T00:00Z"])
    assert (out == expected).all()


@pytest.mark.parametrize("bad", [dt.datetime(2024, 1, 1, 8), "2024-01-01T08:00", "yesterday", np.datetime64("NaT")])
def test_naive_or_unreadable_times_are_refused(bad):
    with pytest.raises(DispersionInputError) as info:
        solar.as_utc_datetime64([bad])
    assert info.value.parameter == "time_utc"


@pytest.mark.parametrize(("longitude", "latitude", "parameter"), [(200.0, 30.0, "longitude"), (120.0, 95.0, "latitude"),
                                                                  (float("nan"), 30.0, "longitude")])
def test_bad_position_names_the_parameter(longitude, latitude, parameter):
    with pytest.raises(DispersionInputError) as info:
        solar.solar_elevation(utc("2024-01-01T00:00:00"), longitude, latitude)
    assert info.value.parameter == parameter
