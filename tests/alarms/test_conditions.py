"""Level judgements and webhook signatures against hand-computed numbers."""

from __future__ import annotations

import hashlib
import hmac
import math

import pytest

from parksteward.alarms.channels import backoff_s, sign, verify_signature
from parksteward.alarms.conditions import (
    band_level,
    check_bands,
    convert,
    limit_ratio,
    rate_per_minute,
    slope_per_minute,
)

TANK = {"yellow": 80.0, "orange": 90.0, "red": 95.0}


@pytest.mark.parametrize("value, level", [(79.9, None), (80.0, "yellow"), (82.0, "yellow"), (90.0, "orange"),
                                          (94.99, "orange"), (96.0, "red"), (float("nan"), None), (None, None)])
def test_a_value_takes_the_most_severe_band_it_reaches(value, level):
    assert band_level(value, TANK) == level


def test_bands_below_a_floor_count_downwards():
    oxygen = {"blue": 5.0, "yellow": 3.0, "red": 2.0}  # dissolved oxygen falling [mg/L]
    assert band_level(5.5, oxygen, "below") is None
    assert band_level(2.9, oxygen, "below") == "yellow"
    assert band_level(1.0, oxygen, "below") == "red"


@pytest.mark.parametrize("bands, direction, words", [
    ({"yellow": 80, "red": 70}, "above", "red threshold (70) must lie above the yellow threshold (80)"),
    ({"yellow": 3, "red": 4}, "below", "red threshold (4) must lie below the yellow threshold (3)"),
    ({"amber": 1}, "above", "unknown level(s) ['amber']"),
    ({}, "above", "at least one level"),
    ({"red": math.inf}, "above", "finite"),
    ({"red": 1}, "sideways", "direction must be one of"),
])
def test_bands_that_cannot_work_are_refused_with_the_reason(bands, direction, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)").replace("[", r"\[")
                       .replace("]", r"\]")):
        check_bands(bands, direction)


def test_limit_ratios():
    assert limit_ratio(160.0, "le", 100.0) == pytest.approx(1.6)  # 160 / 100
    assert limit_ratio(2.5, "ge", 5.0) == pytest.approx(2.0)  # DO 2.5 against a minimum of 5: 5 / 2.5
    assert limit_ratio(9.9, "range", 6.0, 9.0) == pytest.approx(1.1)  # pH 9.9 against 6-9: 9.9 / 9
    assert limit_ratio(5.0, "range", 6.0, 9.0) == pytest.approx(1.2)  # pH 5 against 6-9: 6 / 5
    assert limit_ratio(7.0, "range", 6.0, 9.0) < 1
    assert limit_ratio(0.0, "ge", 5.0) == math.inf


def test_rate_per_minute_and_unit_conversion():
    assert rate_per_minute(1.0, 0, 4.0, 600) == pytest.approx(0.3)  # +3 over 10 min
    assert rate_per_minute(1.0, 60, 4.0, 60) is None
    assert convert(0.5, "mg/m³", "µg/m³") == pytest.approx(500.0)
    assert convert(150.0, "µg/m³", "mg/m³") == pytest.approx(0.15)
    assert convert(7.2, "-", "无量纲") == 7.2
    assert convert(1.0, "mg/L", "mg/m³") is None  # a litre is not a cubic metre of air
    assert convert(60.0, "dB(A)", "mg/m³") is None


def test_webhook_signature_is_hmac_sha256_over_timestamp_and_body():
    body = b'{"alarm":{"id":7,"level":"yellow"}}'
    expected = hmac.new(b"s3cret-key", b"1700000000." + body, hashlib.sha256).hexdigest()
    header = sign("s3cret-key", 1700000000, body)
    assert header == f"t=1700000000,v1={expected}"
    assert verify_signature("s3cret-key", header, body, now=1700000100)
    assert not verify_signature("s3cret-key", header, body, now=1700000000 + 301)  # replayed too late
    assert not verify_signature("s3cret-key", header, body + b" ", now=1700000100)
    assert not verify_signature("s3cret-key", "garbage", body, now=1700000100)


def test_backoff_doubles_up_to_five_minutes():
    assert [backoff_s(n) for n in range(1, 11)] == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300]


def test_the_rising_rate_is_a_fitted_slope_not_the_noisy_ends():
    assert slope_per_minute([(0, 1.0), (60, 2.0), (120, 3.0)]) == pytest.approx(1.0)
    # Flat at 1.0 with one spike at the last reading: the end-to-end difference says +0.5/min
    # over 10 min; the least-squares slope of the 11 values says 5 * 5/110 = 0.227 per minute.
    points = [(60 * i, 1.0) for i in range(10)] + [(600, 6.0)]
    assert rate_per_minute(1.0, 0, 6.0, 600) == pytest.approx(0.5)
    assert slope_per_minute(points) == pytest.approx(25 / 110)
    assert slope_per_minute([(0, 1.0)]) is None and slope_per_minute([(5, 1.0), (5, 2.0)]) is None


def test_the_sliding_fit_equals_the_direct_fit_over_a_moving_window():
    from parksteward.alarms.conditions import SlidingFit

    rng = __import__("random").Random(7)
    fit = SlidingFit(600.0)
    points = []
    t = 1_700_000_000
    for _ in range(3000):  # past several re-basings
        t += rng.choice((20, 30, 60))
        value = 0.8 + 0.001 * (t % 5000) + rng.gauss(0, 0.05)
        fit.add(t, value)
        points = [(pt, pv) for pt, pv in points + [(t, value)] if pt >= t - 600]
        expected = slope_per_minute(points)
        got = fit.slope_per_minute()
        assert len(fit) == len(points)
        assert (got is None) == (expected is None)
        if expected is not None:
            assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)
