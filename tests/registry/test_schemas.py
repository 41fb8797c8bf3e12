"""Input checks that need no store: CAS numbers, geometries, per-kind required fields."""

import pytest
from pydantic import ValidationError

from parksteward.registry.schemas import (
    EmissionSourceCreate,
    RiskSourceCreate,
    validate_cas,
)


@pytest.mark.parametrize(
    "cas",
    [
        "7732-18-5",  # water: CAS's own worked example, (8x1 + 1x2 + 2x3 + 3x4 + 7x5 + 7x6) mod 10 = 5
        "7782-50-5",  # chlorine
        "7664-41-7",  # ammonia
        "71-43-2",  # benzene
        "67-56-1",  # methanol
        "68476-85-7",  # liquefied petroleum gas
    ],
)
def test_published_cas_numbers_validate(cas):
    assert validate_cas(cas) == cas


@pytest.mark.parametrize(("cas", "fragment"), [("7732-18-4", "expected 5"), ("7732185", "must look like")])
def test_bad_cas_numbers_say_why(cas, fragment):
    with pytest.raises(ValueError, match=fragment):
        validate_cas(cas)


def test_fugitive_area_gets_a_location_inside_its_polygon():
    # An L-shaped area, 2 x 1 plus 1 x 1 cells of 0.01 deg: centroid x = y = (2 x 0.5 + 1 x 1.5) / 3
    # = 5/6 cell (hand calculation), which falls inside,
    # so the centroid is used.
    area = {"type": "Polygon", "coordinates": [[[118.80, 32.25], [118.82, 32.25], [118.82, 32.26],
                                                [118.81, 32.26], [118.81, 32.27], [118.80, 32.27], [118.80, 32.25]]]}
    source = EmissionSourceCreate(enterprise_id=1, code="MF001", name="罐区", kind="fugitive_area", area=area)
    assert source.lon == pytest.approx(118.80 + 0.01 * 5 / 6, abs=1e-9)
    assert source.lat == pytest.approx(32.25 + 0.01 * 5 / 6, abs=1e-9)


def test_wastewater_outlet_needs_its_destination():
    with pytest.raises(ValidationError, match="discharge_destination"):
        EmissionSourceCreate(enterprise_id=1, code="DW001", name="总排口", kind="wastewater_outlet", lon=118.8, lat=32.25)


def test_warehouse_needs_capacity_in_tonnes():
    with pytest.raises(ValidationError, match="capacity_t"):
        RiskSourceCreate(enterprise_id=1, code="W1", name="仓库", kind="warehouse", lon=118.8, lat=32.25)
