"""Default limits per monitoring point kind and industry (parksteward.standards.assignment).

Expected numbers are typed from standards.md (section in each comment); the rules are the module
docstring's: industry standards replace the integrated ones, grades follow the zone / discharge.
"""

from __future__ import annotations

import datetime as dt

import pytest

from parksteward.standards.assignment import default_limits
from parksteward.standards.errors import StandardsQueryError

ON = dt.date(2025, 1, 1)


def pick(result, pollutant, **fields):
    rows = [lim for lim in result.limits if lim.pollutant == pollutant
            and all(getattr(lim, k) == v for k, v in fields.items())]
    assert len(rows) == 1, [lim.describe() for lim in rows]
    return rows[0]


def test_petrochemical_stack_gets_gb31571_not_gb16297():
    result = default_limits("stack_cems", "petrochemical", on=ON)
    assert result.standards == ("GB 31571-2015",)
    assert pick(result, "NOx", zone_or_class="general").value == 150  # §4 process heaters
    assert all(lim.zone_or_class in (None, "general") for lim in result.limits)


def test_petrochemical_stack_special_limits_keep_general_where_no_special_exists():
    result = default_limits("stack_cems", "petrochemical", special=True, on=ON)
    assert pick(result, "NOx", quantity="concentration").value == 100  # §4 special
    assert pick(result, "NMHC", quantity="removal_efficiency").value == 97  # §4 special >= 97 %
    assert pick(result, "particulate").value == 20  # no special value in §4: the general one is kept
    assert any("no special limit" in r and "particulate (process heaters)" in r for r in result.reasons)


def test_fine_chemical_stack_gets_gb16297_others_rows_and_grade_2_rates():
    result = default_limits("stack_cems", "fine_chemical", on=ON)
    assert result.standards == ("GB 16297-1996",)
    assert pick(result, "SO2", quantity="concentration").value == 550  # §2 "others"
    assert pick(result, "SO2", quantity="emission_rate").value == 2.6  # §2 grade 2 @ 15 m
    assert pick(result, "particulate", quantity="concentration").value == 120  # §2 "others"
    assert any("sulfur, SO2 and H2SO4 production" in r for r in result.reasons)


def test_stack_grade_follows_the_air_zone():
    assert pick(default_limits("stack_cems", "other", air_zone=3, on=ON), "SO2", quantity="emission_rate").value == 3.5
    with pytest.raises(StandardsQueryError, match="air_zone: GB 16297 allows no new sources in class-1 zones"):
        default_limits("stack_cems", "other", air_zone=1, on=ON)


def test_boundary_vocs():
    fine = default_limits("boundary_vocs", "fine_chemical", on=ON)
    assert fine.standards == ("GB 16297-1996",)
    assert pick(fine, "NMHC").value == 4.0  # §2 / §3: GB 37822 defers to GB 16297 NMHC 4.0
    assert {lim.medium for lim in fine.limits} == {"fugitive_boundary"}  # no in-plant limits at the boundary
    assert any("GB 37822" in r for r in fine.reasons)
    petro = default_limits("boundary_vocs", "petrochemical", on=ON)
    assert petro.standards == ("GB 31571-2015",)
    assert pick(petro, "benzene").value == 0.4  # §4 Table 7


@pytest.mark.parametrize(
    ("discharge", "water_class", "grade", "cod"),
    [("indirect", None, "3", 500), ("direct", "III", "1", 100), ("direct", "IV", "2", 150), ("direct", "V", "2", 150)],
)
def test_wastewater_gb8978_grade_by_discharge(discharge, water_class, grade, cod):
    # §5.1: sewer to a WWTP -> grade 3; class III -> grade 1; class IV–V -> grade 2. COD "other dischargers".
    result = default_limits("wastewater_outlet", "fine_chemical", discharge=discharge, water_class=water_class, on=ON)
    assert result.standards == ("GB 8978-1996",)
    row = pick(result, "COD")
    assert (row.zone_or_class, row.value) == (grade, cod)
    assert pick(result, "Hg").value == 0.05  # §5.1 Table 1 at the workshop outlet


def test_wastewater_industry_row_wins():
    # §5.1: NH3-N grade 2 is 50 for API pharmaceuticals (25 for other dischargers).
    result = default_limits("wastewater_outlet", "pharmaceutical", discharge="direct", water_class="IV", on=ON)
    assert pick(result, "NH3-N").value == 50


def test_wastewater_direct_needs_an_allowed_receiving_class():
    with pytest.raises(StandardsQueryError, match="water_class: direct discharge needs"):
        default_limits("wastewater_outlet", "fine_chemical", discharge="direct", on=ON)
    with pytest.raises(StandardsQueryError, match="no new outfalls into class I–II"):
        default_limits("wastewater_outlet", "fine_chemical", discharge="direct", water_class="II", on=ON)


def test_petrochemical_wastewater():
    direct = default_limits("wastewater_outlet", "petrochemical", discharge="direct", water_class="III", on=ON)
    assert direct.standards == ("GB 31571-2015",) and pick(direct, "COD").value == 60  # §4 Table 1
    special = default_limits("wastewater_outlet", "petrochemical", discharge="direct", water_class="III",
                             special=True, on=ON)
    assert pick(special, "COD").value == 50  # §4 Table 2
    indirect = default_limits("wastewater_outlet", "petrochemical", on=ON)
    assert indirect.limits == () and "GB 8978 is not applied on top" in indirect.reasons[0]


def test_park_wwtp_gets_gb18918_1a():
    result = default_limits("wastewater_outlet", "environmental_services", on=ON)
    assert result.standards == ("GB 18918-2002",)
    assert pick(result, "COD").value == 50  # §5.2 一级A


def test_ambient_surface_water_noise():
    assert pick(default_limits("ambient_air", "other", on=ON), "SO2", averaging="1h").value == 500  # §1 class 2
    assert pick(default_limits("ambient_air", "other", air_zone=1, on=ON), "SO2", averaging="1h").value == 150
    assert pick(default_limits("surface_water", "other", water_class="III", on=ON), "COD").value == 20  # §6
    with pytest.raises(StandardsQueryError, match="water_class"):
        default_limits("surface_water", "other", on=ON)
    noise = default_limits("noise", "logistics", on=ON)
    assert {(lim.period, lim.value) for lim in noise.limits} == {("day", 65), ("night", 55)}  # §7 zone 3


def test_kinds_without_standards_and_unknown_inputs():
    result = default_limits("groundwater_soil", "other", on=ON)
    assert result.limits == () and result.standards == () and result.reasons
    with pytest.raises(StandardsQueryError, match="kind: unknown point kind 'chimney'.*stack_cems"):
        default_limits("chimney", "other")
    with pytest.raises(StandardsQueryError, match="industry: unknown industry 'steel'.*petrochemical"):
        default_limits("noise", "steel")
    with pytest.raises(StandardsQueryError, match="discharge"):
        default_limits("wastewater_outlet", "other", discharge="sea")


def test_to_dict_is_json_ready():
    import json

    data = default_limits("noise", "other", on=ON).to_dict()
    assert json.loads(json.dumps(data))["limits"][0]["standard"] == "GB 12348"
