"""HJ 941-2018 enterprise risk grading (parksteward.standards.risk_grading), worked by hand.

Rules from standards.md §10: Q = Σ q/Q_n (Q_n from HJ 169 Table B.1, §8); Q < 1 -> 一般 (Q0),
Q1 1 <= Q < 10, Q2 10 <= Q < 100, Q3 >= 100. M: 10 per key-hazardous-process unit, 5 per other
high-risk unit, capped at 30; air adds 25 (no toxic-gas monitoring) + 25 (protective distance not
met) + 20 (incident in 3 years); M1 < 25 <= M2 < 45 <= M3 < 60 <= M4. E air: E1 > 50 000 within
5 km or > 1 000 within 500 m; E2 10 000–50 000 or 500–1 000; E3 otherwise. Matrix §10.4.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from parksteward.standards import risk_grading as rg
from parksteward.standards.errors import RiskGradingInputError, UnknownSubstanceError

ON = dt.date(2025, 1, 1)
KEY = rg.ProcessUnit("unit", "key_hazardous", "chlorination")
OTHER = rg.ProcessUnit("unit", "other_high_risk", "high-pressure")


def grade(substances, units=(), *, air_controls=rg.AirControls(), air_e="E3", water=(), water_e="E3", **kw):
    return rg.grade_enterprise(
        substances, units, air_controls=air_controls, air_sensitivity=rg.Sensitivity(air_e),
        water_controls=water, water_sensitivity=rg.Sensitivity(water_e), on=ON, **kw,
    )


def test_reference_check_example():
    # §10.6: ammonia 20 t / 5 t = 4; hydrochloric acid 10 t / 7.5 t = 1.333…; Q = 5.333… -> Q1.
    result = grade([rg.Substance("ammonia", 20), rg.Substance("hydrochloric acid", 10)])
    assert [r.ratio for r in result.air.substances] == [pytest.approx(4.0, abs=1e-12),
                                                        pytest.approx(4 / 3, abs=1e-12)]
    assert result.air.q == pytest.approx(5.3333333333, abs=1e-9)
    assert result.air.q_level == "Q1"
    # No process units, no control points: M = 0 -> M1; E3, Q1, M1 -> 一般 (matrix).
    assert result.air.matrix_cell == {"E": "E3", "Q": "Q1", "M": "M1", "grade": "一般"}


def test_chlorine_120_t_major():
    # 120 t chlorine, Q_n 1 t -> q/Q = 120 -> Q3.
    # M: 2 key-hazardous units (2 × 10) + 1 other (5) = 25 (under the 30 cap); no air controls -> M = 25 -> M2.
    # Air: 60 000 people within 5 km -> E1; (E1, Q3, M2) -> 重大.
    # Water: no water items -> M = 25 -> M2; E3; (E3, Q3, M2) -> 较大.
    # Enterprise: the higher -> 重大.
    result = rg.grade_enterprise(
        [rg.Substance("chlorine", 120, cas="7782-50-5")], [KEY, KEY, OTHER],
        air_controls=rg.AirControls(), air_sensitivity=rg.air_sensitivity(60_000, 200),
        water_controls=[], water_sensitivity=rg.Sensitivity("E3", "no sensitive water within 10 km"), on=ON,
    )
    (chlorine,) = result.air.substances
    assert (chlorine.quantity_t, chlorine.critical_quantity_t, chlorine.ratio) == (120, 1, 120)
    assert (result.air.q, result.air.q_level) == (120, "Q3")
    assert (result.air.m.process_points, result.air.m.total, result.air.m.level) == (25, 25, "M2")
    assert result.air.e.e_class == "E1"
    assert result.air.grade == "重大" and result.water.grade == "较大"
    assert result.grade == "重大" and result.grade_en == "major"
    assert result.notation == "重大[重大-大气(Q3-M2-E1) + 较大-水(Q3-M2-E3)]"


def test_q0_is_general_without_the_matrix():
    # ammonia 4.999 t / 5 t = 0.9998 < 1 -> Q0 -> 一般 directly, written 一般-大气(Q0).
    result = grade([rg.Substance("ammonia", 4.999)], [KEY, KEY, KEY], air_e="E1")
    assert result.air.q_level == "Q0" and result.air.matrix_cell is None
    assert result.notation == "一般[一般-大气(Q0) + 一般-水(Q0)]"


@pytest.mark.parametrize(
    ("substances", "level"),
    [
        ([("ammonia", 5)], "Q1"),  # 5 / 5 = 1 exactly -> Q1
        ([("chlorine", 9.999)], "Q1"),  # 9.999 / 1 < 10
        ([("chlorine", 10)], "Q2"),  # 10 / 1 = 10 -> Q2
        ([("chlorine", 99.99)], "Q2"),
        ([("chlorine", 100)], "Q3"),  # 100 -> Q3
        # 0.7 + 0.2 + 0.1 (all Q_n = 1 t) = 1 exactly -> Q1; a float sum gives 0.9999999999999999 (Q0).
        ([("chlorine", 0.7), ("nitrogen dioxide", 0.2), ("hydrogen cyanide", 0.1)], "Q1"),
        # formaldehyde 2.5 / 0.5 = 5, hydrogen sulfide 12.5 / 2.5 = 5 -> 10 -> Q2.
        ([("formaldehyde", 2.5), ("hydrogen sulfide", 12.5)], "Q2"),
    ],
)
def test_q_band_boundaries(substances, level):
    result = grade([rg.Substance(n, q) for n, q in substances])
    assert result.air.q_level == level


def test_float_pitfall_is_real():
    assert 0.7 + 0.2 + 0.1 < 1.0  # why Q is summed exactly


@pytest.mark.parametrize(
    ("points", "level"),
    [(0, "M1"), (24.9, "M1"), (25, "M2"), (44.9, "M2"), (45, "M3"), (59.9, "M3"), (60, "M4"), (100, "M4")],
)
def test_m_level_boundaries(points, level):
    assert rg.m_level(points) == level


def test_process_points_are_capped_at_30_and_air_controls_add_up_to_100():
    # 4 key-hazardous units: 4 × 10 = 40 -> capped 30. Air shortcomings: 25 + 25 + 20 = 70. M = 100 -> M4.
    m = rg.m_score([KEY] * 4, rg.AirControls(True, True, True))
    assert (m.process_points_uncapped, m.process_points, m.total, m.level) == (40, 30, 100, "M4")
    # 1 other unit (5) + protective distance not met (25) = 30 -> M2; + monitoring missing (25) = 55 -> M3.
    assert rg.m_score([OTHER], rg.AirControls(protective_distance_not_met=True)).level == "M2"
    assert rg.m_score([OTHER], rg.AirControls(True, True)).total == 55


def test_water_items_are_supplied_and_checked():
    m = rg.m_score([KEY], [rg.WaterControlItem("accident_water_collection", 8, "no accident pool"),
                           rg.WaterControlItem("rainwater_system", 7)])
    assert (m.total, m.level) == (25, "M2")  # 10 + 8 + 7
    with pytest.raises(RiskGradingInputError, match=r"water_controls\[0\].item: 'moat'"):
        rg.m_score([], [rg.WaterControlItem("moat", 5)])
    with pytest.raises(RiskGradingInputError, match="exceeds the scale's 100 points"):
        rg.m_score([KEY] * 3, [rg.WaterControlItem("interception", 50), rg.WaterControlItem("rainwater_system", 30)])
    with pytest.raises(RiskGradingInputError, match="given twice"):
        rg.m_score([], [rg.WaterControlItem("interception", 5), rg.WaterControlItem("interception", 5)])


@pytest.mark.parametrize(
    ("p5km", "p500m", "military", "e_class"),
    [
        (50_001, 0, False, "E1"), (50_000, 0, False, "E2"),  # > 50 000 within 5 km
        (10_000, 0, False, "E2"), (9_999, 0, False, "E3"),  # 10 000–50 000
        (0, 1_001, False, "E1"), (0, 1_000, False, "E2"),  # > 1 000 within 500 m
        (0, 500, False, "E2"), (0, 499, False, "E3"),  # 500–1 000
        (0, 0, True, "E1"),  # military / secret zone
    ],
)
def test_air_sensitivity_boundaries(p5km, p500m, military, e_class):
    assert rg.air_sensitivity(p5km, p500m, military_or_secret=military).e_class == e_class


@pytest.mark.parametrize(
    ("e", "q", "m", "expected"),
    [  # §10.4, one or two cells from each row
        ("E1", "Q1", "M1", "较大"), ("E1", "Q1", "M3", "重大"), ("E1", "Q2", "M2", "重大"), ("E1", "Q3", "M1", "重大"),
        ("E2", "Q1", "M1", "一般"), ("E2", "Q1", "M4", "重大"), ("E2", "Q2", "M2", "较大"), ("E2", "Q3", "M1", "较大"),
        ("E3", "Q1", "M2", "一般"), ("E3", "Q1", "M4", "较大"), ("E3", "Q2", "M4", "重大"), ("E3", "Q3", "M2", "较大"),
    ],
)
def test_matrix_cells(e, q, m, expected):
    assert rg.matrix_grade(e, q, m) == expected


def test_matrix_rejects_q0():
    with pytest.raises(RiskGradingInputError, match="q_level"):
        rg.matrix_grade("E1", "Q0", "M1")


def test_penalty_upgrades_one_level_at_most_to_major():
    # chlorine 5 t -> Q = 5 -> Q1; M = 0 -> M1; E1 -> 较大; penalty -> 重大.
    result = grade([rg.Substance("chlorine", 5)], air_e="E1", penalised_in_3_years=True)
    assert (result.grade_before_upgrade, result.grade, result.upgraded) == ("较大", "重大", True)
    assert result.notation == "重大[较大-大气(Q1-M1-E1) + 一般-水(Q1-M1-E3)]"
    # Already 重大 (120 t chlorine, E1): stays 重大.
    top = grade([rg.Substance("chlorine", 120)], air_e="E1", penalised_in_3_years=True)
    assert (top.grade, top.upgraded, top.penalised_in_3_years) == ("重大", False, True)


def test_media_split_the_inventory():
    # chlorine counted in air only: air Q = 10 -> Q2, water Q = 0 -> Q0.
    result = grade([rg.Substance("chlorine", 10, media=("air",))], air_e="E3")
    assert (result.air.q_level, result.water.q_level) == ("Q2", "Q0")
    assert result.notation == "一般[一般-大气(Q2-M1-E3) + 一般-水(Q0)]"  # (E3, Q2, M1) -> 一般


def test_substance_lookup():
    assert rg.critical_quantity(cas="7782-50-5", on=ON).value == 1  # chlorine
    assert rg.critical_quantity("盐酸", on=ON).value == 7.5
    assert rg.critical_quantity("hydrochloric acid", cas="7647-01-0", on=ON).value == 7.5
    assert rg.critical_quantity("hydrogen chloride", cas="7647-01-0", on=ON).value == 2.5
    with pytest.raises(UnknownSubstanceError, match="'7647-01-0' matches several critical quantities"):
        rg.critical_quantity(cas="7647-01-0", on=ON)
    with pytest.raises(UnknownSubstanceError, match="CAS 7782-50-5 is 'chlorine'.*'ammonia'"):
        rg.critical_quantity("ammonia", cas="7782-50-5", on=ON)


def test_unknown_substance_is_an_error_naming_it():
    with pytest.raises(UnknownSubstanceError, match="'dimethyl mystery' has no critical quantity"):
        grade([rg.Substance("ammonia", 1), rg.Substance("dimethyl mystery", 3)])


def test_unlisted_substance_with_a_ghs_class_takes_the_table_b2_default():
    # §8 Table B.2 (verify): acute toxicity category 1 -> 5 t. 12 t / 5 t = 2.4 -> Q1.
    result = grade([rg.Substance("dimethyl mystery", 12, ghs_category="acute_toxicity_1")])
    (ratio,) = result.air.substances
    assert (ratio.critical_quantity_t, ratio.ratio, ratio.verified) == (5, pytest.approx(2.4, abs=1e-12), False)
    assert "Table B.2" in ratio.note
    assert any("dimethyl mystery" in u for u in result.unverified)
    with pytest.raises(UnknownSubstanceError, match="ghs_category: 'flammable'"):
        grade([rg.Substance("dimethyl mystery", 12, ghs_category="flammable")])


def test_bad_inputs():
    with pytest.raises(RiskGradingInputError, match=r"substances\[0\].quantity_t"):
        grade([rg.Substance("ammonia", -1)])
    with pytest.raises(RiskGradingInputError, match=r"process_units\[0\].category"):
        grade([rg.Substance("ammonia", 1)], [rg.ProcessUnit("u", "dangerous")])
    with pytest.raises(RiskGradingInputError, match="air_sensitivity"):
        grade([rg.Substance("ammonia", 1)], air_e="E4")


def test_result_renders_as_json_with_every_intermediate():
    result = grade([rg.Substance("chlorine", 120)], [KEY, KEY, OTHER], air_e="E1")
    data = json.loads(result.to_json())
    assert data["air"]["substances"][0]["ratio"] == 120
    assert data["air"]["m"]["process_units"][0]["points"] == 10
    assert data["air"]["matrix_cell"] == {"E": "E1", "Q": "Q3", "M": "M2", "grade": "重大"}
    assert data["grade"] == "重大" and data["notation"].startswith("重大[")
    assert {r["name"] for r in data["rules"]} >= {"Q", "matrix", "M levels"}
    assert result.to_dict() == data
