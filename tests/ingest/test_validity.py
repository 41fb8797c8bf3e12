"""Period validity (HJ 75/76 and HJ 212 Annex C rules) and the flue-gas conversions."""

import pytest

from parksteward.ingest.validity import (
    AIR_DAY,
    AIR_HOUR,
    SHARE_75,
    WATER,
    corrected_concentration,
    emission_rate_g_s,
    period_value,
    rule_for,
)


def minutes(valid: int, invalid: int, value: float = 10.0, bad: float = 99.0):
    return [(value, "N")] * valid + [(bad, "D")] * invalid


def test_an_hour_needs_45_valid_minutes():
    # HJ 75-2017: >= 45 valid minute means make a valid hourly mean.
    assert period_value(minutes(45, 15), AIR_HOUR).valid
    assert not period_value(minutes(44, 16), AIR_HOUR).valid
    hour = period_value(minutes(44, 16), AIR_HOUR)
    assert hour.flag == "D" and hour.n_valid == 44 and hour.n_total == 60
    assert hour.mean == 10.0  # the invalid minutes are excluded from the mean


def test_ten_minute_data_counts_the_time_it_covers():
    # Six 10-minute values cover the hour; five valid ones cover 50 min >= 45.
    assert period_value(minutes(5, 1), AIR_HOUR, step_s=600).valid
    assert not period_value(minutes(4, 2), AIR_HOUR, step_s=600).valid  # 40 min


def test_a_day_needs_20_valid_hours():
    assert period_value(minutes(20, 4), AIR_DAY, step_s=3600).valid
    assert not period_value(minutes(19, 5), AIR_DAY, step_s=3600).valid


def test_wastewater_any_abnormal_value_spoils_the_period():
    assert period_value(minutes(6, 0), WATER, step_s=600).valid
    assert not period_value(minutes(5, 1), WATER, step_s=600).valid


def test_minute_from_real_time_values_needs_75_percent():
    assert period_value(minutes(3, 1), SHARE_75).valid  # 75 % exactly (inclusive reading)
    assert not period_value(minutes(2, 1), SHARE_75).valid  # 67 %


def test_no_valid_values_keeps_what_was_measured():
    result = period_value([(5.0, "M"), (7.0, "C"), (None, "N")], AIR_HOUR)
    assert not result.valid and result.mean == 6.0 and (result.minimum, result.maximum) == (5.0, 7.0)


def test_rules_by_factor_family():
    assert rule_for("a21026", "hour") is AIR_HOUR and rule_for("a21026", "day") is AIR_DAY
    assert rule_for("w01018", "hour") is WATER and rule_for("LA", "hour") is SHARE_75
    assert rule_for("a21026", "minute") is SHARE_75


def test_corrected_concentration_reference_example():
    # Reference hj212.md §11 frame 2: SO2 Avg 24.8 mg/m3 at O2 9.4 %, reference 9 % -> ZsAvg 25.7.
    assert corrected_concentration(24.8, 9.4, 9.0) == pytest.approx(25.655, abs=1e-3)
    with pytest.raises(ValueError, match="21"):
        corrected_concentration(10.0, 21.0, 9.0)


def test_emission_rate():
    # Reference §11 frame 2: 24.8 mg/m3 x 17.0 m3/s = 421.6 mg/s = 0.4216 g/s;
    # over the hour 0.4216 x 3600 / 1000 = 1.518 kg, the frame's a21026-Cou=1.52.
    assert emission_rate_g_s(24.8, 17.0) == pytest.approx(0.4216)
    assert emission_rate_g_s(24.8, 17.0) * 3600 / 1000 == pytest.approx(1.52, abs=0.005)
