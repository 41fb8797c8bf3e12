"""An alarm's words: Chinese for the park's staff and its history, English beside it, one set of facts."""

import pytest

from parksteward.alarms.wording import Facts, messages

POINT = "E001-DA001 1#排气筒CEMS"


@pytest.mark.parametrize("facts, zh, en", [
    (Facts("threshold", POINT, "orange", "液位", "Level", "%", value=91.5, threshold=90),
     "液位 91.5 % ≥ 90 %，橙色预警", "Level 91.5 % ≥ 90 %: orange warning"),
    (Facts("threshold", POINT, "blue", "溶解氧", "DO", "mg/L", value=1.8, threshold=2, direction="below"),
     "溶解氧 1.8 mg/L ≤ 2 mg/L，蓝色预警", "DO 1.8 mg/L ≤ 2 mg/L: blue warning"),
    (Facts("exceedance", POINT, "yellow", "二氧化硫", "SO₂", "mg/m³", value=120, measure=1.2, reference_o2_pct=3,
           limit_value=120, limit_unit="mg/m³", standard="GB 13223-2011", limit_text="≤ 100 mg/m³"),
     "二氧化硫小时均值（折算至基准氧含量 3%） 120 mg/m³，为GB 13223-2011限值 ≤ 100 mg/m³ 的 1.20 倍，黄色预警",
     "SO₂ hourly mean (corrected to 3 % O2) 120 mg/m³ = 1.20 × the GB 13223-2011 limit ≤ 100 mg/m³: yellow warning"),
    (Facts("rate_of_change", POINT, "red", "非甲烷总烃", "NMHC", "mg/m³", measure=0.42, threshold=0.3, window_min=10),
     "非甲烷总烃 10 分钟内变化速率 +0.42 mg/m³/min（≥ 0.3），红色预警",
     "NMHC changing +0.42 mg/m³/min over 10 min (≥ 0.3): red warning"),
    (Facts("invalid_data", POINT, "blue", "pH值", "pH", None, measure=60, flag="D"),
     "pH值连续 60 分钟数据标记为 D（非 N），蓝色预警", "pH flagged D (not N) for 60 min: blue warning"),
    (Facts("interruption", POINT, "yellow", measure=125),
     "连续 125 分钟无数据，黄色预警", "no data for 125 min: yellow warning"),
])
def test_each_kind_in_both_languages(facts, zh, en):
    assert messages(facts) == (f"{POINT}：{zh}", f"{POINT}: {en}")


def test_a_factor_without_an_english_name_keeps_its_chinese_one():
    _, en = messages(Facts("flat_line", POINT, "blue", "氨氮", None, "mg/L", value=0.52, measure=720))
    assert en == f"{POINT}: 氨氮 stuck at 0.52 mg/L for 720 min: blue warning"
