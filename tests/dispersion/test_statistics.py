"""HJ 2.2-2018 statistics (parksteward.dispersion.statistics) on hand-built arrays.

Every expected number is worked by hand in the comment next to it. Rules: HJ 663-2013 percentile
(m = 1 + (n - 1)·p, linear between neighbours), GB 3095-2012 limits and data validity, EPA calms
processing (short-term divisor max(non-calm hours, 18); period divisor = non-calm hours),
HJ 2.2-2018 grades (Pmax >= 10 % 一级, 1-10 % 二级, < 1 % 三级), D10%, assessment range and
protection distance — as in the reference standards.md §1 and §11.
"""

from __future__ import annotations

import numpy as np
import pytest

from parksteward.dispersion import statistics as stats
from parksteward.dispersion.errors import DispersionInputError


def hours_from(start: str, n: int) -> np.ndarray:
    return np.datetime64(start, "s") + np.arange(n) * np.timedelta64(3600, "s")


# --- percentile daily mean ------------------------------------------------------------------


def test_percentile_rank():
    # n = 365, p = 0.98: m = 1 + 364 × 0.98 = 1 + 356.72 = 357.72 (between the 357th and 358th values).
    assert stats.percentile_rank(365, 0.98) == pytest.approx(357.72, abs=1e-12)
    # n = 366 (leap year): m = 1 + 365 × 0.98 = 358.7.
    assert stats.percentile_rank(366, 0.98) == pytest.approx(358.7, abs=1e-12)


def test_percentile_daily_mean_365_days():
    # Daily means 10, 20, ..., 3650 in shuffled order (X(i) = 10·i once sorted).
    values = 10.0 * np.arange(1, 366)
    np.random.default_rng(3).shuffle(values)
    # p = 0.98: m = 357.72 -> X(357) + 0.72·(X(358) - X(357)) = 3570 + 0.72·10 = 3577.2
    assert stats.percentile_daily_mean(values, p=0.98) == pytest.approx([3577.2], abs=1e-9)
    # p = 0.95: m = 1 + 364 × 0.95 = 346.8 -> 3460 + 0.8·10 = 3468.0
    assert stats.percentile_daily_mean(values, p=0.95) == pytest.approx([3468.0], abs=1e-9)
    # Same as numpy's default "linear" percentile (an independent implementation).
    assert stats.percentile_daily_mean(values, p=0.98)[0] == pytest.approx(np.percentile(values, 98), abs=1e-9)


def test_percentile_daily_mean_leap_year():
    # 366 days, X(i) = 10·i; m = 358.7 -> 3580 + 0.7·10 = 3587.0
    values = 10.0 * np.arange(1, 367)
    assert stats.percentile_daily_mean(values, pollutant="SO2") == pytest.approx([3587.0], abs=1e-9)


def test_percentile_skips_invalid_days_per_receptor():
    # Receptor 0: [40, 10, 30, 20, 50] (n = 5, NaN days dropped); p = 0.9: m = 1 + 4 × 0.9 = 4.6
    #   -> X(4) + 0.6·(X(5) - X(4)) = 40 + 0.6·10 = 46.0
    # Receptor 1: [5, 1, 3] (n = 3); m = 1 + 2 × 0.9 = 2.8 -> 3 + 0.8·(5 - 3) = 4.6
    # Receptor 2: no valid day -> NaN.
    daily = np.array([
        [40.0, 5.0, np.nan],
        [np.nan, np.nan, np.nan],
        [10.0, 1.0, np.nan],
        [30.0, np.nan, np.nan],
        [np.nan, 3.0, np.nan],
        [20.0, np.nan, np.nan],
        [50.0, np.nan, np.nan],
    ])
    result = stats.percentile_daily_mean(daily, p=0.9)
    assert result[:2] == pytest.approx([46.0, 4.6], abs=1e-12)
    assert np.isnan(result[2])
    # p = 0 and p = 1 are the smallest and largest values.
    assert stats.percentile_daily_mean(daily, p=0.0)[:2].tolist() == [10.0, 1.0]
    assert stats.percentile_daily_mean(daily, p=1.0)[:2].tolist() == [50.0, 5.0]


def test_percentile_by_pollutant_carries_its_status():
    # standards.md §11 (verify): SO2, NO2 98th; CO, PM10, PM2.5 95th; O3 (daily max 8-h) 90th.
    expected = {"SO2": 0.98, "NO2": 0.98, "CO": 0.95, "PM10": 0.95, "PM2.5": 0.95, "O3": 0.90}
    assert {k: v.p for k, v in stats.DAILY_PERCENTILES.items()} == expected
    assert all(rule.verified == "verify" and "HJ 663-2013" in rule.source for rule in stats.DAILY_PERCENTILES.values())
    with pytest.raises(ValueError, match="known: SO2"):
        stats.percentile_daily_mean([1.0], pollutant="H2S")
    with pytest.raises(ValueError):
        stats.percentile_daily_mean([1.0])


# --- daily, maximum and annual means ----------------------------------------------------------


def three_local_days():
    """72 hours from 2024-01-01T16:00Z = 2024-01-02 00:00 local (UTC+8): three whole local days."""
    times = hours_from("2024-01-01T16:00", 72)
    conc = np.zeros((72, 2))
    calm = np.zeros(72, dtype=bool)
    # Receptor 0. Day 1: 10 every hour. Day 2: hours 0-5 calm, 6-23 at 24. Day 3: 0-9 calm, 10-23 at 18.
    conc[0:24, 0] = 10.0
    calm[24:30] = True
    conc[30:48, 0] = 24.0
    calm[48:58] = True
    conc[58:72, 0] = 18.0
    # Receptor 1. Day 1: 19 hours at 20, 5 missing. Day 2: hours 6-19 at 30, 20-23 missing.
    # Day 3: 5 every hour, also in the calm hours (values in calm hours are ignored).
    conc[0:24, 1] = 20.0
    conc[19:24, 1] = np.nan
    conc[30:44, 1] = 30.0
    conc[44:48, 1] = np.nan
    conc[48:72, 1] = 5.0
    return conc, times, calm


def test_daily_means_with_calms_epa_rule():
    conc, times, calm = three_local_days()
    daily = stats.daily_means(conc, times, tz=8, calm=calm)
    assert daily.date_local.tolist() == list(np.array(["2024-01-02", "2024-01-03", "2024-01-04"],
                                                      dtype="datetime64[D]").tolist())
    # Receptor 0: day 1 = 240/24 = 10; day 2 = 18·24 / max(18, 18) = 24;
    #             day 3 = 14·18 / max(14, 18) = 252/18 = 14.
    # Receptor 1: day 1 has 19 valid hours < 20 -> NaN; day 2: 20 valid (6 calm + 14 at 30),
    #             420 / max(14, 18) = 23.333...; day 3: 14·5 / 18 = 3.888...
    expected = np.array([[10.0, np.nan], [24.0, 420.0 / 18.0], [14.0, 70.0 / 18.0]])
    np.testing.assert_allclose(daily.mean_ug_m3, expected, rtol=0, atol=1e-12)
    assert daily.valid_hours.tolist() == [[24, 19], [24, 20], [24, 24]]
    assert daily.noncalm_hours.tolist() == [[24, 19], [18, 14], [14, 14]]
    assert daily.valid.tolist() == [[True, False], [True, True], [True, True]]


def test_daily_means_with_calms_counted_as_zero():
    conc, times, calm = three_local_days()
    daily = stats.daily_means(conc, times, tz="Asia/Shanghai", calm=calm, calm_rule="zero")
    # Receptor 0: 240/24 = 10; 432/24 = 18; 252/24 = 10.5. Receptor 1: NaN; 420/20 = 21; 70/24.
    expected = np.array([[10.0, np.nan], [18.0, 21.0], [10.5, 70.0 / 24.0]])
    np.testing.assert_allclose(daily.mean_ug_m3, expected, rtol=0, atol=1e-12)


def test_local_calendar_cuts_partial_days():
    # 48 hours from 00:00Z: in UTC+8 that is 16 h of 1 Jan (08:00-23:00), all of 2 Jan, 8 h of 3 Jan;
    # only 2 Jan has >= 20 hours.
    conc = np.ones((48, 1))
    times = hours_from("2024-01-01T00:00", 48)
    daily = stats.daily_means(conc, times, tz="Asia/Shanghai")
    assert daily.valid_hours[:, 0].tolist() == [16, 24, 8]
    assert daily.valid[:, 0].tolist() == [False, True, False]
    assert stats.daily_means(conc, times, tz=0).valid_hours[:, 0].tolist() == [24, 24]


def test_sources_axis_is_summed_first():
    # Two sources at 1 and 2 ug/m3 every hour -> 3 per hour, daily mean 3.
    conc = np.stack([np.full((24, 1), 1.0), np.full((24, 1), 2.0)], axis=1)
    daily = stats.daily_means(conc, hours_from("2024-01-01T16:00", 24), tz=8)
    assert daily.mean_ug_m3.tolist() == [[3.0]]


def test_max_hourly_and_max_daily():
    conc = np.array([[1.0, 5.0], [7.0, 2.0], [7.0, 0.0]])
    times = hours_from("2024-05-01T00:00", 3)
    peak = stats.max_hourly(conc, times)
    assert (peak.value_ug_m3, peak.period_index, peak.receptor_index) == (7.0, 1, 0)  # first occurrence
    assert peak.period_start == np.datetime64("2024-05-01T01:00:00")
    calm_peak = stats.max_hourly(conc, times, calm=np.array([False, True, False]))
    assert (calm_peak.value_ug_m3, calm_peak.period_index) == (7.0, 2)
    conc3, times3, calm3 = three_local_days()
    top = stats.max_daily(stats.daily_means(conc3, times3, tz=8, calm=calm3))
    # 24.0 (receptor 0, 3 Jan) beats 23.33 (receptor 1, 3 Jan).
    assert (top.value_ug_m3, top.period_index, top.receptor_index) == (24.0, 1, 0)
    assert top.period_start == np.datetime64("2024-01-03")


def test_annual_mean_excludes_calms():
    conc = np.array([[10.0], [0.0], [20.0], [np.nan]])
    calm = np.array([False, True, False, False])
    # EPA period average: (10 + 20) / 2 non-calm hours = 15; counting the calm as zero: 30 / 3 = 10.
    assert stats.annual_mean(conc, calm=calm).tolist() == [15.0]
    assert stats.annual_mean(conc, calm=calm, calm_rule="zero").tolist() == [10.0]


def daily_for_2024(invalid_per_month):
    dates = np.arange(np.datetime64("2024-01-01"), np.datetime64("2025-01-01"))
    valid = np.ones(dates.size, dtype=bool)
    months = dates.astype("datetime64[M]")
    for month, n_bad in invalid_per_month.items():
        valid[np.flatnonzero(months == np.datetime64(f"2024-{month:02d}"))[:n_bad]] = False
    mean = np.where(valid, 1.0, np.nan)[:, None]
    count = np.where(valid, 24, 0)[:, None]
    return stats.DailyMeans(dates, mean, count, count, valid[:, None], 20, "epa")


def test_annual_data_validity_gb3095():
    # 324 days a year, 27 a month, 25 in February (standards.md §1, verify).
    assert stats.annual_data_valid(daily_for_2024({})).tolist() == [True]
    # 3 bad days every month: February 29 - 3 = 26 >= 25, April 30 - 3 = 27, total 366 - 36 = 330.
    assert stats.annual_data_valid(daily_for_2024({m: 3 for m in range(1, 13)})).tolist() == [True]
    # 5 bad February days: 24 < 25.
    assert stats.annual_data_valid(daily_for_2024({2: 5})).tolist() == [False]
    # Every month at its minimum (27, February 25): 11 × 27 + 25 = 322 < 324 days.
    at_minimum = {m: (31 if m in (1, 3, 5, 7, 8, 10, 12) else 30) - 27 for m in range(1, 13)}
    at_minimum[2] = 29 - 25
    assert stats.annual_data_valid(daily_for_2024(at_minimum)).tolist() == [False]


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda: stats.daily_means(-np.ones((24, 1)), hours_from("2024-01-01T00:00", 24)), "conc_ug_m3"),
        (lambda: stats.daily_means(np.ones((2, 1)), np.array(["2024-01-01T01:00", "2024-01-01T00:00"],
                                                              dtype="datetime64[s]")), "time_utc"),
        (lambda: stats.daily_means(np.ones((2, 1)), hours_from("2024-01-01T00:00", 2), min_valid_hours=0),
         "min_valid_hours"),
        (lambda: stats.daily_means(np.ones((2, 1)), hours_from("2024-01-01T00:00", 2), tz="Mars/Olympus"), "tz"),
        (lambda: stats.max_hourly(np.full((2, 1), np.nan)), "conc_ug_m3"),
        (lambda: stats.max_hourly(np.ones((2, 1)), calm=[True]), "calm"),
    ],
)
def test_bad_statistics_input_names_the_parameter(call, parameter):
    with pytest.raises(DispersionInputError) as info:
        call()
    assert info.value.parameter == parameter


def test_unknown_calm_rule_lists_the_valid_ones():
    with pytest.raises(ValueError, match="epa, zero"):
        stats.annual_mean(np.ones((2, 1)), calm_rule="isc")


# --- GB 3095-2012 limits and exceedances ------------------------------------------------------


def test_limits_table():
    limit = stats.ambient_limit("SO2", "24h", 1)
    assert (limit.value_ug_m3, limit.source, limit.verified) == (50.0, "GB 3095-2012 Table 1", "checked")
    assert stats.ambient_limit("a21026", "1h").value_ug_m3 == 500.0  # by HJ 212 code, class 2 by default
    co = stats.ambient_limit("CO", "1h")
    assert (co.value_ug_m3, co.printed) == (10000.0, "10 mg/m³")  # the only mg/m³ item
    assert stats.ambient_limit("NOx", "1h").source == "GB 3095-2012 Table 2"
    assert stats.ambient_limit("O3", "8h", 1).value_ug_m3 == 100.0
    assert stats.ambient_limit("PM2.5", "annual", 2).value_ug_m3 == 35.0
    assert "298.15 K" in stats.ambient_limit("NO2", "1h").reference_state
    with pytest.raises(ValueError, match="no GB 3095-2012 limit for 'H2S'"):
        stats.ambient_limit("H2S", "1h")
    with pytest.raises(ValueError, match="it has 24h, annual"):
        stats.ambient_limit("PM10", "1h")


def test_exceedance_counts():
    # SO2 1-h, class 2 limit 500: a value equal to the limit meets it.
    hourly = np.array([[499.0, 10.0], [500.0, 600.0], [500.1, 400.0], [800.0, np.nan]])
    assert stats.count_exceedances(hourly, stats.ambient_limit("SO2", "1h")).tolist() == [2, 1]
    # PM10 24-h: class 1 limit 50 -> 51, 150, 151 exceed (3); class 2 limit 150 -> only 151 (1).
    daily = np.array([45.0, 50.0, 51.0, 150.0, 151.0])
    assert int(stats.count_exceedances(daily, stats.ambient_limit("PM10", "24h", 1))) == 3
    assert int(stats.count_exceedances(daily, stats.ambient_limit("PM10", "24h", 2))) == 1
    # CO 1-h, 10 mg/m³ = 10 000 ug/m3.
    assert int(stats.count_exceedances([9999.0, 10000.0, 10001.0], stats.ambient_limit("CO", "1h"))) == 1
    # Annual NO2 40: one value per receptor as (1, receptors).
    assert stats.count_exceedances([[40.0, 40.5]], 40.0).tolist() == [0, 1]


# --- screening grade, D10%, assessment range -------------------------------------------------


@pytest.mark.parametrize(("pmax", "grade"), [(10.0, 1), (55.0, 1), (9.999, 2), (1.0, 2), (0.999, 3), (0.0, 3)])
def test_grade_boundaries(pmax, grade):
    # HJ 2.2-2018: 一级 Pmax >= 10 %; 二级 1 % <= Pmax < 10 %; 三级 Pmax < 1 %.
    assert stats.assessment_grade(pmax) == grade


def test_ratio_on_the_boundary_is_exact():
    # 50 of C0 = 500 is exactly 10 % -> 一级.
    assert float(stats.max_ratio_pct(50.0, 500.0)) == 10.0
    assert stats.assessment_grade(stats.max_ratio_pct(50.0, 500.0)) == 1


@pytest.mark.parametrize(
    ("pollutant", "c0"),
    [("SO2", 500.0), ("NO2", 200.0), ("O3", 200.0), ("PM10", 450.0), ("PM2.5", 225.0), ("TSP", 900.0),
     ("Pb", 3.0), ("NH3", 200.0), ("TVOC", 1200.0)],
)
def test_c0(pollutant, c0):
    # 1-h class-2 limit; else 3 × 24-h (PM10 3 × 150, PM2.5 3 × 75, TSP 3 × 300), 6 × annual
    # (Pb 6 × 0.5), 2 × 8-h (TVOC 2 × 600, Annex D); Annex D 1-h (NH3 200).
    assert stats.screening_c0_ug_m3(pollutant) == pytest.approx(c0, rel=1e-12)


def test_d10_distance():
    # C0 = 500 -> 10 % = 50. Samples 80, 60, 40, 20 at 100-400 m: crossing between 200 m (60) and
    # 300 m (40) at 200 + (60 - 50)/(60 - 40)·100 = 250 m.
    assert stats.d10_distance_m([100, 200, 300, 400], [80, 60, 40, 20], 500.0) == pytest.approx(250.0, abs=1e-9)
    # Rise then fall: last sample >= 50 is 55 at 300 m, next 20 at 400 m: 300 + 5/35·100 = 314.2857 m.
    assert stats.d10_distance_m([100, 200, 300, 400], [30, 70, 55, 20], 500.0) == pytest.approx(314.285714, abs=1e-5)
    assert stats.d10_distance_m([100, 200], [10, 5], 500.0) == 0.0  # never reaches 10 %
    assert stats.d10_distance_m([100, 200], [90, 60], 500.0) == float("inf")  # still above at the end


def test_screening_and_range():
    # SO2 60 / 500 = 12 %, NO2 10 / 200 = 5 % -> Pmax 12 % (SO2), 一级; D10% 3 km -> side 6 km.
    result = stats.screening({"SO2": 60.0, "NO2": 10.0}, d10_m={"SO2": 3000.0, "NO2": 0.0})
    assert result.p_pct == pytest.approx({"SO2": 12.0, "NO2": 5.0})
    assert (result.controlling_pollutant, result.grade, result.grade_name) == ("SO2", 1, "一级")
    assert result.range_side_m == 6000.0
    assert "verify" in result.source
    # Grade 1 side: 2·D10% clamped to 5-50 km.
    assert stats.assessment_range_side_m(1, 1000.0) == 5000.0
    assert stats.assessment_range_side_m(1, 30000.0) == 50000.0
    assert stats.assessment_range_side_m(1, float("inf")) == 50000.0
    # 二级: 5 km; 三级: no range.
    assert stats.screening({"NO2": 10.0}).range_side_m == 5000.0
    low = stats.screening({"NO2": 1.0})  # 0.5 %
    assert (low.grade, low.grade_name, low.range_side_m) == (3, "三级", 0.0)
    # A C0 given by the user overrides the table.
    assert stats.screening({"HCl": 5.0}, c0_ug_m3={"HCl": 50.0}).pmax_pct == pytest.approx(10.0)


# --- atmospheric protection distance -----------------------------------------------------------


SQUARE = ([0.0, 100.0, 100.0, 0.0], [0.0, 0.0, 100.0, 100.0])


def test_protection_distance_from_the_boundary():
    x = [50.0, 150.0, 160.0, 300.0, 50.0]
    y = [50.0, 50.0, 180.0, 50.0, -30.0]
    conc = [900.0, 600.0, 501.0, 400.0, 500.0]
    # Receptor 0 inside the plant: ignored. 1: 50 m east of the east edge. 2: nearest boundary
    # point is the corner (100, 100): hypot(60, 80) = 100 m. 3: below the limit. 4: equal to the
    # limit, not an exceedance. -> 100 m, set by receptor 2.
    result = stats.protection_distance(x, y, conc, 500.0, *SQUARE, grid_spacing_m=50.0)
    assert result.distance_m == pytest.approx(100.0, abs=1e-9)
    assert result.receptor_index == 2
    assert result.exceeding.tolist() == [1, 2]


def test_protection_distance_concave_boundary_and_no_exceedance():
    # L-shaped plant; (150, 150) sits in the notch, outside: 50 m from the edges x = 100 and y = 100.
    # (50, 150) is inside the L.
    bx = [0.0, 200.0, 200.0, 100.0, 100.0, 0.0, 0.0]  # closed ring accepted
    by = [0.0, 0.0, 100.0, 100.0, 200.0, 200.0, 0.0]
    result = stats.protection_distance([150.0, 50.0], [150.0, 150.0], [900.0, 900.0], 500.0, bx, by)
    assert (result.distance_m, result.receptor_index) == (pytest.approx(50.0, abs=1e-9), 0)
    none = stats.protection_distance([150.0], [150.0], [100.0], stats.ambient_limit("SO2", "1h"), bx, by)
    assert (none.distance_m, none.receptor_index, none.exceeding.size) == (0.0, None, 0)


def test_protection_grid_must_be_fine_enough():
    # HJ 2.2-2018: prediction grid outside the boundary no coarser than 50 m.
    with pytest.raises(DispersionInputError) as info:
        stats.protection_distance([150.0], [50.0], [600.0], 500.0, *SQUARE, grid_spacing_m=100.0)
    assert info.value.parameter == "grid_spacing_m"


def test_exceedance_counts_for_all_averaging_times():
    # SO2, class 2 (1-h 500, 24-h 150, annual 60). 48 hours = 2 whole local days (UTC+8),
    # receptor 0: day 1 at 100 with two hours at 600 -> 2 hours above 500;
    #   daily mean (22·100 + 2·600)/24 = 3400/24 = 141.67 <= 150; day 2 at 200 -> 200 > 150;
    #   annual (3400 + 4800)/48 = 170.8 > 60 -> 1.
    # receptor 1: 10 every hour -> nothing exceeds.
    conc = np.full((48, 2), 10.0)
    conc[0:24, 0] = 100.0
    conc[3:5, 0] = 600.0
    conc[24:48, 0] = 200.0
    counts = stats.exceedance_counts(conc, hours_from("2024-01-01T16:00", 48), "SO2")
    assert {k: v.tolist() for k, v in counts.items()} == {"1h": [2, 0], "24h": [1, 0], "annual": [1, 0]}
    # PM2.5 has no 1-h limit: only 24-h and annual are counted.
    assert set(stats.exceedance_counts(conc, hours_from("2024-01-01T16:00", 48), "PM2.5")) == {"24h", "annual"}
    with pytest.raises(ValueError):
        stats.exceedance_counts(conc, hours_from("2024-01-01T16:00", 48), "H2S")
