"""Turner's stability classes (parksteward.dispersion.stability) cell by cell.

Source: EPA (2000) *Meteorological Monitoring Guidance for Regulatory Modeling Applications*,
EPA-454/R-99-005, §6.4.1: Table 6-4 (class by wind speed and net radiation index), Table 6-5
(insolation class from solar altitude), Table 6-6 (net radiation index); Turner (1964).
"""

from __future__ import annotations

import numpy as np
import pytest

from parksteward.dispersion import stability as st
from parksteward.dispersion.errors import DispersionInputError

# EPA-454/R-99-005 Table 6-4, typed from the printed table: knots, m/s range, then the classes
# for net radiation index 4, 3, 2, 1, 0, -1, -2.
EPA_TABLE_6_4 = """
0,1    0.0-0.7  1 1 2 3 4 6 7
2,3    0.8-1.8  1 2 2 3 4 6 7
4,5    1.9-2.8  1 2 3 4 4 5 6
6      2.9-3.3  2 2 3 4 4 5 6
7      3.4-3.8  2 2 3 4 4 4 5
8,9    3.9-4.8  2 3 3 4 4 4 5
10     4.9-5.4  3 3 4 4 4 4 5
11     5.5-5.9  3 3 4 4 4 4 4
>=12   6.0-30   3 4 4 4 4 4 4
"""
NRI_COLUMNS = (4, 3, 2, 1, 0, -1, -2)


def table_rows():
    for line in EPA_TABLE_6_4.strip().splitlines():
        _knots, speeds, *classes = line.split()
        low, high = (float(v) for v in speeds.split("-"))
        yield low, high, [int(c) for c in classes]


@pytest.mark.parametrize(("low", "high", "classes"), list(table_rows()))
def test_every_cell_of_table_6_4(low, high, classes):
    # Both ends of each printed m/s range must fall in that row, in every NRI column; the raw
    # Turner class (G = 7 kept) first, then with G merged into F as EPA/ISC3 do.
    for speed in (low, high):
        raw = st.turner_class(np.full(7, speed), np.array(NRI_COLUMNS), merge_g_into_f=False)
        assert raw.tolist() == classes
        merged = st.turner_class(np.full(7, speed), np.array(NRI_COLUMNS))
        assert merged.tolist() == [min(c, 6) for c in classes]


@pytest.mark.parametrize(
    ("speed", "row"),
    [(0.0, 0), (0.7, 0), (0.8, 1), (1.8, 1), (1.9, 2), (2.8, 2), (2.9, 3), (3.3, 3), (3.4, 4), (3.8, 4),
     (3.9, 5), (4.8, 5), (4.9, 6), (5.4, 6), (5.5, 7), (5.9, 7), (6.0, 8), (25.0, 8)],
)
def test_wind_rows_follow_the_printed_m_s_column(speed, row):
    # EPA Table 6-4 m/s column, at its 0.1 m/s resolution.
    assert st.wind_speed_row(speed) == row


def test_wind_rows_in_knots():
    # Turner's rows are whole knots: 1 kt -> row 0, 2 kt -> row 1, 12 kt -> row 8 (1 kt = 0.514444 m/s).
    knots = np.array([1.0, 2.0, 5.0, 6.0, 7.0, 9.0, 10.0, 11.0, 12.0])
    assert st.wind_speed_row(knots * 1852 / 3600).tolist() == [0, 1, 2, 3, 4, 5, 6, 7, 8]


@pytest.mark.parametrize(
    ("elevation", "klass"),
    [(-5.0, 1), (15.0, 1), (15.01, 2), (35.0, 2), (35.01, 3), (60.0, 3), (60.01, 4), (89.0, 4)],
)
def test_insolation_class_table_6_5(elevation, klass):
    # Table 6-5: 60 < h strong (4); 35 < h <= 60 moderate (3); 15 < h <= 35 slight (2); else weak (1).
    assert st.insolation_class(elevation) == klass


FT = 0.3048  # m per ft


@pytest.mark.parametrize(
    ("elevation", "cloud", "ceiling_m", "night", "nri", "why"),
    [
        (65.0, 3, np.inf, False, 4, "cover <= 5/10: NRI = insolation class 4"),
        (65.0, 5, 1000.0, False, 4, "cover 5/10 is not > 5/10: no modification"),
        (65.0, 7, 1000.0, False, 2, "ceiling 3281 ft < 7000 ft: 4 - 2"),
        (65.0, 7, 3000.0, False, 3, "ceiling 9843 ft in 7000-16000 ft: 4 - 1"),
        (65.0, 7, 6000.0, False, 4, "ceiling 19685 ft >= 16000 ft, cover < 10/10: unchanged"),
        (65.0, 10, 3000.0, False, 2, "10/10 with ceiling 9843 ft: 4 - 1 - 1"),
        (65.0, 10, 6000.0, False, 3, "10/10 with ceiling 19685 ft: 4 - 1"),
        (45.0, 7, 7000 * FT, False, 2, "ceiling exactly 7000 ft is not < 7000: 3 - 1"),
        (45.0, 7, 16000 * FT, False, 3, "ceiling exactly 16000 ft: unchanged, 3"),
        (10.0, 8, 1000.0, False, 1, "weak sun 1 - 2 = -1, floored at 1"),
        (65.0, 10, 2000.0, False, 0, "10/10 below 7000 ft (6562 ft): NRI 0 by day"),
        (-20.0, 10, 2000.0, True, 0, "10/10 below 7000 ft: NRI 0 at night too"),
        (-20.0, 4, np.inf, True, -2, "night, cover <= 4/10"),
        (-20.0, 5, np.inf, True, -1, "night, cover > 4/10"),
        (-20.0, 10, 3000.0, True, -1, "night overcast above 7000 ft: -1"),
    ],
)
def test_net_radiation_index_table_6_6(elevation, cloud, ceiling_m, night, nri, why):
    assert st.net_radiation_index(elevation, cloud, ceiling_m, night) == nri, why


def test_g_is_merged_into_f():
    # Clear night (NRI -2) in light wind is Turner's class 7 (G); EPA-454/R-99-005 §6.4.1:
    # "stability categories 6 and 7 (F and G) are combined and considered category 6".
    assert st.turner_class(0.5, -2, merge_g_into_f=False) == 7
    assert st.turner_class(0.5, -2) == 6


# NREL SPA (pvlib tests): Golden, CO, 2015-01-02 sunrise 07:21:55 MST = 14:21:55 UTC and sunset
# 16:47:43 MST = 23:47:43 UTC. Turner's night ends one hour after sunrise, starts one hour before
# sunset; a 3-minute margin either side.
@pytest.mark.parametrize(
    ("time_utc", "night"),
    [("2015-01-02T15:18:55", True), ("2015-01-02T15:24:55", False),
     ("2015-01-02T22:44:43", False), ("2015-01-02T22:50:43", True),
     ("2015-01-02T19:00:00", False), ("2015-01-03T06:00:00", True)],
)
def test_night_runs_from_an_hour_before_sunset_to_an_hour_after_sunrise(time_utc, night):
    times = np.array([time_utc], dtype="datetime64[s]")
    assert st.turner_night(times, -105.1786, 39.742476)[0] == night


def test_whole_method_for_hand_worked_hours():
    # Shanghai, 31.23 N 121.47 E. 2024-06-21 04:30 UTC = 12:30 local, sun about 81 deg (transit
    # 90 - 31.23 + 23.44 = 82.2 deg near 11:56 local): insolation 4; clear sky.
    #   2.4 m/s -> row 4-5 kt -> class 1 (A);  5.2 m/s -> row 10 kt -> class 3 (C).
    # 2024-12-21 16:00 UTC = local midnight: clear night (NRI -2) at 1.3 m/s -> 7 -> F (6);
    # overcast at 600 m (1969 ft) -> NRI 0 -> D (4).
    times = np.array(["2024-06-21T04:30", "2024-06-21T04:30", "2024-12-21T16:00", "2024-12-21T16:00"],
                     dtype="datetime64[s]")
    ceilings = [np.inf, np.inf, np.inf, 600.0]
    classes = st.turner_stability(times, 121.47, 31.23, [2.4, 5.2, 1.3, 1.3], [0, 0, 0, 10], ceilings)
    assert classes.tolist() == [1, 3, 6, 4]


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"cloud_cover_tenths": 11}, "cloud_cover_tenths"),
        ({"cloud_cover_tenths": -1}, "cloud_cover_tenths"),
        ({"ceiling_height_m": 0.0}, "ceiling_height_m"),
        ({"ceiling_height_m": float("nan")}, "ceiling_height_m"),
        ({"solar_elevation_deg": float("nan")}, "solar_elevation_deg"),
    ],
)
def test_bad_inputs_name_the_parameter(kwargs, parameter):
    args = {"solar_elevation_deg": 40.0, "cloud_cover_tenths": 5, "ceiling_height_m": 1000.0, "night": False, **kwargs}
    with pytest.raises(DispersionInputError) as info:
        st.net_radiation_index(**args)
    assert info.value.parameter == parameter


def test_negative_wind_and_bad_index_are_refused():
    with pytest.raises(DispersionInputError) as info:
        st.turner_class(-1.0, 2)
    assert info.value.parameter == "wind_speed_m_s"
    with pytest.raises(DispersionInputError) as info:
        st.turner_class(2.0, 5)
    assert info.value.parameter == "net_radiation_index"
