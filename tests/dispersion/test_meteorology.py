"""Hourly meteorology (parksteward.dispersion.meteorology): the CSV reader, the station-readings
builder, calms and the screening mixing height.

Expected stability classes are worked by hand from EPA-454/R-99-005 Tables 6-4 to 6-6 (the
working is in the comments); mixing heights from the screening rule z_i = 320·u (A–D), 10 000 m
(E–F) of the reference dispersion-methods.md §3.1; HJ 212 codes from HJ 212-2017 Annex B.
"""

from __future__ import annotations

import io
import json
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from parksteward.dispersion import meteorology as met
from parksteward.dispersion.errors import DispersionInputError

DATA = Path(__file__).parent / "data"
SHANGHAI = {"latitude": 31.23, "longitude": 121.47}


def test_csv_with_turner_stability_and_screening_mixing_height():
    hourly = met.read_met_csv(DATA / "met_turner.csv", **SHANGHAI, calm_threshold_m_s=met.HJ22_CALM_THRESHOLD_M_S)
    # Local +08:00 hours 12, 13, 14, 23 on 21 June and 00, 01 on 22 June, as UTC.
    assert hourly.time_utc.tolist() == list(np.array(
        ["2024-06-21T04:00", "2024-06-21T05:00", "2024-06-21T06:00",
         "2024-06-21T15:00", "2024-06-21T16:00", "2024-06-21T17:00"], dtype="datetime64[s]").tolist())
    assert hourly.temperature_k == pytest.approx([303.15, 304.15, 304.65, 299.15, 298.65, 298.15], abs=1e-9)
    assert hourly.wind_from_deg.tolist() == [90.0, 135.0, 0.0, 0.0, 200.0, 210.0]  # 360 is north, stored as 0
    # Hand working (sun at the middle of each hour; Shanghai transit near 11:56 local):
    # 12:30, sun ~81 deg -> insolation 4; 2/10 cloud -> NRI 4; 2.4 m/s (4-5 kt row) -> 1 (A)
    # 13:30, 10/10 at 1500 m = 4921 ft < 7000 ft -> NRI 0; 5.2 m/s -> 4 (D)
    # 14:30, sun ~55 deg -> insolation 3; clear -> NRI 3; 0 m/s (0-1 kt row) -> 1 (A)
    # 23:30, night, 2/10 -> NRI -2; 1.3 m/s (2-3 kt) -> 7 (G) -> 6 (F)
    # 00:30, night, 6/10 -> NRI -1; 3.6 m/s (7 kt) -> 4 (D)
    # 01:30, 10/10 at 1000 m < 7000 ft -> NRI 0; 0.3 m/s -> 4 (D)
    assert hourly.stability.tolist() == [1, 4, 1, 6, 4, 4]
    assert hourly.stability_method == "turner_1964"
    # Calm: 0 m/s, and 0.3 m/s < 0.5 m/s (HJ 2.2-2018 静风 threshold).
    assert hourly.calm.tolist() == [False, False, True, False, False, True]
    # Screening z_i: A-D 320·u -> 768, 1664, 0 (calm), E-F 10 000, 320·3.6 = 1152, 320·0.3 = 96.
    assert hourly.mixing_height_m == pytest.approx([768.0, 1664.0, 0.0, 10000.0, 1152.0, 96.0], abs=1e-9)
    assert hourly.mixing_height_method == "screening_320u"
    assert hourly.anemometer_height_m == 10.0


def test_csv_with_given_stability_and_mixing_height_and_kelvin():
    text = (
        "\ufeffTime,Wind_Speed_m_s,wind_from_deg,temperature_k,stability,mixing_height_m\n"
        "2024-01-01T00:00Z,3.0,45,280.0,D,800\n"
        "2024-01-01T01:00Z,1.0,50,279.5,g,400\n"
        "\n"
        "2024-01-01T02:00Z,2.0,55,279.0,2,600\n"
    )
    hourly = met.read_met_csv(io.StringIO(text), **SHANGHAI)
    assert hourly.stability.tolist() == [4, 6, 2]  # D; G read as F (EPA/ISC merge); 2 = B
    assert hourly.stability_method == "given"
    assert hourly.mixing_height_m.tolist() == [800.0, 400.0, 600.0]
    assert hourly.mixing_height_method == "given"
    assert hourly.temperature_k.tolist() == [280.0, 279.5, 279.0]


def test_bad_file_lists_every_bad_row_and_returns_nothing():
    with pytest.raises(met.MetFileError) as info:
        met.read_met_csv(DATA / "met_bad.csv", **SHANGHAI)
    problems = info.value.problems
    found = {(p.line, p.column) for p in problems}
    assert found == {
        (3, "time"),  # no UTC offset
        (4, "wind_speed_m_s"), (4, "wind_from_deg"),  # -1.5 m/s, 400 deg
        (6, "temperature_c"), (6, "ceiling_height_m"),  # 278.15 °C (kelvin in a °C column); 8/10 without ceiling
        (7, "wind_speed_m_s"), (7, "cloud_cover_tenths"),  # 'abc'; 11 tenths
        (8, "time"),  # 03:00 repeats line 5's hour
        (9, ""),  # five cells for six columns
    }
    message = str(info.value)
    assert "line 4: wind_speed_m_s: must be >= 0 m/s (found -1.5)" in message
    assert "line 8: time" in message and "line 5" in message
    assert [p.line for p in problems] == sorted(p.line for p in problems)


@pytest.mark.parametrize(
    ("header", "fragment"),
    [
        ("time,wind_speed_m_s,temperature_c,cloud_cover_tenths,ceiling_height_m", "missing column 'wind_from_deg'"),
        ("time,wind_speed_m_s,wind_from_deg,temperature_c,temperature_k,stability", "exactly one of"),
        ("time,wind_speed_m_s,wind_from_deg,temperature_c,cloud_cover_tenths", "missing column 'ceiling_height_m'"),
        ("time,wind_speed_m_s,wind_from_deg,temperature_c,stability,humidity", "unknown column(s) 'humidity'"),
    ],
)
def test_header_problems_are_reported_on_line_1(header, fragment):
    with pytest.raises(met.MetFileError) as info:
        met.read_met_csv(io.StringIO(header + "\n"), **SHANGHAI)
    assert all(p.line == 1 for p in info.value.problems)
    assert fragment in str(info.value)


def test_ignored_columns_are_allowed_when_named():
    text = "time,wind_speed_m_s,wind_from_deg,temperature_c,stability,humidity\n2024-01-01T00:00Z,2,90,5,D,60\n"
    assert len(met.read_met_csv(io.StringIO(text), ignore_columns=["humidity"], **SHANGHAI)) == 1


def test_ceiling_rules():
    header = "time,wind_speed_m_s,wind_from_deg,temperature_c,cloud_cover_tenths,ceiling_height_m\n"
    # Blank ceiling is fine at <= 5/10 (Turner does not use it), 'unlimited' means no ceiling.
    ok = header + "2024-01-01T04:00Z,2,90,5,5,\n2024-01-01T05:00Z,2,90,5,9,unlimited\n"
    assert len(met.read_met_csv(io.StringIO(ok), **SHANGHAI)) == 2
    with pytest.raises(met.MetFileError) as info:
        met.read_met_csv(io.StringIO(header + "2024-01-01T04:00Z,2,90,5,6,\n"), **SHANGHAI)
    assert [(p.line, p.column) for p in info.value.problems] == [(2, "ceiling_height_m")]


def test_empty_file_and_header_only_are_errors():
    with pytest.raises(met.MetFileError):
        met.read_met_csv(io.StringIO(""), **SHANGHAI)
    with pytest.raises(met.MetFileError, match="no data rows"):
        met.read_met_csv(io.StringIO("time,wind_speed_m_s,wind_from_deg,temperature_c,stability\n"), **SHANGHAI)


def test_calm_rule():
    # ISC (the default): calm at 0 m/s only; HJ 2.2-2018 静风: also strictly below 0.5 m/s.
    speeds = [0.0, 0.3, 0.49, 0.5, 1.0]
    assert met.calm_hours(speeds).tolist() == [True, False, False, False, False]
    assert met.calm_hours(speeds, met.HJ22_CALM_THRESHOLD_M_S).tolist() == [True, True, True, False, False]


def test_screening_mixing_height():
    # dispersion-methods.md §3.1: A-D 320·u10 (5 m/s -> 1600 m; 40 m/s -> 12 800, capped 10 000), E-F 10 000 m.
    zi = met.screening_mixing_height([5.0, 5.0, 40.0, 2.0, 2.0], ["A", "D", "C", "E", "F"])
    assert zi.tolist() == [1600.0, 1600.0, 10000.0, 10000.0, 10000.0]


# --- station readings -----------------------------------------------------------------------


def reading_rows():
    hour = "2024-03-01T{:02d}:00+08:00".format
    rows = []
    for h in range(6):
        if h == 4:
            continue  # nothing at all for 04:00
        rows.append((hour(h), "a01007", 2.0 if h != 3 else 4.0, "D" if h == 2 else "N"))
        rows.append((hour(h), "a01008", 90.0))
        if h != 1:
            rows.append((hour(h), "a01001", 10.0))
        rows.append((hour(h), "a01006", 101.3))
        rows.append((hour(h), "a34004", 35.0))  # PM2.5 from the same station: not meteorology
    rows.append((hour(0), "a01002", 60.0))  # humidity only once
    return rows


def test_station_readings_report_incomplete_hours_instead_of_filling_them():
    clouds = [(f"2024-03-01T{h:02d}:00+08:00", 10, 800.0) for h in range(6)]
    result = met.met_from_station_readings(
        reading_rows(), clouds=clouds, stability=[("2024-03-01T00:00+08:00", "B")], **SHANGHAI
    )
    hourly = result.met
    # Kept: 00:00, 03:00 and 05:00 local (16:00, 19:00, 21:00 UTC on 29 Feb).
    assert hourly.time_utc.tolist() == list(np.array(
        ["2024-02-29T16:00", "2024-02-29T19:00", "2024-02-29T21:00"], dtype="datetime64[s]").tolist())
    missing = {str(h.time_utc): h.missing for h in result.incomplete_hours}
    assert set(missing) == {"2024-02-29T17:00:00", "2024-02-29T18:00:00", "2024-02-29T20:00:00"}
    assert missing["2024-02-29T17:00:00"] == ("a01001 air temperature [°C]: missing",)
    assert missing["2024-02-29T18:00:00"] == ("a01007 wind speed [m/s]: flag D",)
    assert len(missing["2024-02-29T20:00:00"]) == 3  # wind speed, direction, temperature
    # 00:00 given B; 03:00 and 05:00 overcast at 800 m = 2625 ft < 7000 ft -> NRI 0 -> D.
    assert hourly.stability.tolist() == [2, 4, 4]
    assert hourly.stability_method == "given+turner_1964"
    assert hourly.temperature_k.tolist() == [283.15, 283.15, 283.15]
    assert hourly.pressure_pa == pytest.approx([101300.0] * 3)  # 101.3 kPa
    assert hourly.relative_humidity_pct is None
    assert result.dropped_optional == ("a01002",)
    assert result.ignored_codes == ("a34004",)
    # Screening z_i: B at 2 m/s -> 640 m; D at 4 m/s -> 1280 m; D at 2 m/s -> 640 m.
    assert hourly.mixing_height_m.tolist() == [640.0, 1280.0, 640.0]


def test_station_hour_without_cloud_or_stability_is_incomplete():
    rows = [("2024-03-01T00:00Z", code, value) for code, value in (("a01007", 2), ("a01008", 90), ("a01001", 5))]
    rows += [("2024-03-01T01:00Z", code, value) for code, value in (("a01007", 2), ("a01008", 90), ("a01001", 5))]
    result = met.met_from_station_readings(rows, stability=[("2024-03-01T00:00Z", 4)], **SHANGHAI)
    assert len(result.met) == 1
    assert result.incomplete_hours[0].missing == ("stability or cloud observation: missing",)


def test_malformed_readings_are_all_listed():
    rows = [
        ("2024-03-01T00:00Z", "a01007", "x"),  # not a number
        ("2024-03-01T00:30Z", "a01008", 90),  # not on the hour
        ("2024-03-01T00:00Z", "a01008", 400),  # direction out of range
        ("2024-03-01T00:00", "a01001", 5),  # no offset
        ("2024-03-01T01:00Z", "a01001", 5),
        ("2024-03-01T01:00Z", "a01001", 6),  # second value for the hour
    ]
    with pytest.raises(met.MetDataError) as info:
        met.met_from_station_readings(rows, stability=[], **SHANGHAI)
    assert [p.where for p in info.value.problems] == [f"reading {i}" for i in (0, 1, 2, 3, 5)]


def test_hj212_codes_match_the_protocol_catalogue():
    # HJ 212-2017 Annex B as transcribed in parksteward/hj212/data/factors.json.
    catalogue = json.loads(resources.files("parksteward.hj212").joinpath("data/factors.json").read_text("utf-8"))
    units = {f["code"]: f["unit"] for f in catalogue["factors"]}
    assert units["a01007"] == "m/s" and units["a01008"] == "°" and units["a01001"] == "°C"
    assert units["a01006"] == "kPa" and units["a01002"] == "%"
    assert set(met.HJ212_MET_FACTORS) == {"a01007", "a01008", "a01001", "a01006", "a01002"}


# --- the record itself ----------------------------------------------------------------------


def make(**changes):
    base = {
        "time_utc": np.array(["2024-01-01T00:00", "2024-01-01T01:00"], dtype="datetime64[s]"),
        "wind_speed_m_s": [2.0, 3.0], "wind_from_deg": [90.0, 180.0], "temperature_k": [280.0, 281.0],
        "stability": np.array([4, 5]), "mixing_height_m": [640.0, 10000.0], "calm": np.array([False, False]),
    }
    base.update(changes)
    return met.HourlyMet(**base)


@pytest.mark.parametrize(
    ("changes", "parameter"),
    [
        ({"wind_speed_m_s": [-1.0, 2.0]}, "wind_speed_m_s"),
        ({"wind_speed_m_s": [float("nan"), 2.0]}, "wind_speed_m_s"),
        ({"wind_from_deg": [370.0, 0.0]}, "wind_from_deg"),
        ({"temperature_k": [-5.0, 280.0]}, "temperature_k"),
        ({"stability": np.array([7, 4])}, "stability"),
        ({"mixing_height_m": [0.0, 100.0]}, "mixing_height_m"),
        ({"wind_speed_m_s": [1.0]}, "wind_speed_m_s"),
        ({"time_utc": np.array(["2024-01-01T01:00", "2024-01-01T01:00"], dtype="datetime64[s]")}, "time_utc"),
        ({"anemometer_height_m": 0.0}, "anemometer_height_m"),
    ],
)
def test_hourly_met_refuses_non_physical_values(changes, parameter):
    with pytest.raises(DispersionInputError) as info:
        make(**changes)
    assert info.value.parameter == parameter


def test_hourly_met_is_frozen_and_selectable():
    hourly = make(calm=np.array([True, False]), mixing_height_m=[0.0, 100.0])  # zero z_i allowed in a calm hour
    with pytest.raises(ValueError):
        hourly.wind_speed_m_s[0] = 5.0
    later = hourly.select(slice(1, None))
    assert len(later) == 1 and later.stability.tolist() == [5]
