"""Receptors and the local projection (parksteward.dispersion.receptors).

Independent checks: pyproj.Geod (Karney's geodesic algorithm on WGS84) for distances; the WGS84
meridian arc for one degree of latitude at the equator (110 574 m, e.g. NGA / the Wikipedia
"Latitude" table: 110.574 km); hand-written grid coordinates.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from pyproj import Geod

from parksteward.dispersion.errors import DispersionInputError
from parksteward.dispersion.receptors import (
    LocalProjection,
    Receptors,
    cartesian_grid,
    discrete,
    discrete_lonlat,
    polar_grid,
)

ORIGIN = (121.47, 31.23)  # a park near Shanghai
GEOD = Geod(ellps="WGS84")


def test_round_trip_below_a_millimetre():
    projection = LocalProjection(*ORIGIN)
    rng = np.random.default_rng(7)
    lon = ORIGIN[0] + rng.uniform(-0.5, 0.5, 200)  # about ±48 km east-west
    lat = ORIGIN[1] + rng.uniform(-0.45, 0.45, 200)  # about ±50 km north-south
    x, y = projection.to_local(lon, lat)
    lon2, lat2 = projection.to_lonlat(x, y)
    _, _, error_m = GEOD.inv(lon, lat, lon2, lat2)
    assert np.max(error_m) < 1e-3


def test_distance_from_origin_is_the_geodesic_distance():
    # Azimuthal equidistant: |(x, y)| equals the geodesic distance from the origin; check against
    # pyproj.Geod to 1 mm, and the bearing against the forward azimuth to 1e-6 deg.
    projection = LocalProjection(*ORIGIN)
    lon = np.array([121.97, 121.47, 120.9, 121.8])
    lat = np.array([31.23, 31.73, 30.9, 30.8])
    x, y = projection.to_local(lon, lat)
    azimuth, _, distance = GEOD.inv(np.full(4, ORIGIN[0]), np.full(4, ORIGIN[1]), lon, lat)
    assert np.hypot(x, y) == pytest.approx(distance, abs=1e-3)
    assert np.degrees(np.arctan2(x, y)) == pytest.approx(azimuth, abs=1e-6)


def test_one_degree_of_latitude_at_the_equator():
    # WGS84 meridian arc from 0 to 1 deg N: 110 574.4 m (published as 110.574 km).
    x, y = LocalProjection(0.0, 0.0).to_local(0.0, 1.0)
    assert float(x) == pytest.approx(0.0, abs=1e-6)
    assert float(y) == pytest.approx(110574.4, abs=1.0)


def test_origin_maps_to_zero_and_projection_pickles():
    projection = LocalProjection(*ORIGIN)
    x, y = projection.to_local(*ORIGIN)
    assert (float(x), float(y)) == pytest.approx((0.0, 0.0), abs=1e-9)
    clone = pickle.loads(pickle.dumps(projection))
    assert clone == projection
    assert clone.to_local(121.5, 31.3)[0] == pytest.approx(projection.to_local(121.5, 31.3)[0], abs=1e-9)


@pytest.mark.parametrize(("lon0", "lat0", "parameter"), [(float("nan"), 30.0, "lon0"), (190.0, 30.0, "lon0"),
                                                          (120.0, 90.0, "lat0")])
def test_bad_origin(lon0, lat0, parameter):
    with pytest.raises(DispersionInputError) as info:
        LocalProjection(lon0, lat0)
    assert info.value.parameter == parameter


def test_cartesian_grid_size_and_order():
    grid = cartesian_grid(-100.0, -50.0, nx=3, ny=2, spacing_m=100.0, z_flag_m=1.5)
    # ISC GRIDCART order: rows from the south, x fastest.
    assert len(grid) == 6 and grid.grid_shape == (2, 3)
    assert grid.x_m.tolist() == [-100.0, 0.0, 100.0, -100.0, 0.0, 100.0]
    assert grid.y_m.tolist() == [-50.0, -50.0, -50.0, 50.0, 50.0, 50.0]
    assert grid.name.tolist() == ["G0_0", "G0_1", "G0_2", "G1_0", "G1_1", "G1_2"]
    assert set(grid.z_flag_m.tolist()) == {1.5} and set(grid.kind.tolist()) == {"grid_cartesian"}
    field = grid.grid_values(np.arange(6.0))
    assert field.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]
    assert field[1, 2] == 5.0  # row 1 (north), column 2 (east): x = 100, y = 50


def test_large_grid_count():
    grid = cartesian_grid(-5000.0, -5000.0, nx=101, ny=101, spacing_m=100.0)
    assert len(grid) == 10201 and grid.x_m[-1] == 5000.0 and grid.y_m[-1] == 5000.0


def test_polar_grid_directions_clockwise_from_north():
    grid = polar_grid(10.0, 20.0, [100.0, 200.0], [0.0, 90.0, 180.0, 270.0])
    assert grid.grid_shape == (4, 2)
    # x = x0 + r sin θ, y = y0 + r cos θ: north, then east, south, west; distance fastest.
    expected = [(10, 120), (10, 220), (110, 20), (210, 20), (10, -80), (10, -180), (-90, 20), (-190, 20)]
    assert np.column_stack([grid.x_m, grid.y_m]) == pytest.approx(np.array(expected, dtype=float), abs=1e-9)
    assert grid.name[2] == "P90deg_100m"
    assert grid.grid_values(np.arange(8)).shape == (4, 2)


@pytest.mark.parametrize(("distances", "directions"), [([100, 100], [0]), ([0, 100], [0]), ([100], [0, 360]),
                                                       ([100], [90, 0])])
def test_polar_grid_refuses_bad_rings_and_directions(distances, directions):
    with pytest.raises(DispersionInputError):
        polar_grid(0.0, 0.0, distances, directions)


def test_discrete_and_append_keep_the_grid_first():
    grid = cartesian_grid(0.0, 0.0, nx=2, ny=2, spacing_m=50.0)
    villages = discrete([("东村", 500.0, 20.0, 1.5), ("school", -300.0, 400.0)], kind="sensitive")
    both = grid.append(villages)
    assert len(both) == 6 and both.grid_shape == (2, 2)
    assert both.name[4:].tolist() == ["东村", "school"]
    assert both.z_flag_m[4:].tolist() == [1.5, 0.0]
    assert both.kind.tolist()[-1] == "sensitive"
    assert both.grid_values(np.arange(6)).tolist() == [[0, 1], [2, 3]]
    with pytest.raises(DispersionInputError):
        villages.append(grid)


def test_nan_coordinate_names_the_receptor():
    with pytest.raises(DispersionInputError) as info:
        discrete([("well", 1.0, 2.0), ("hospital", float("nan"), 3.0)])
    assert info.value.parameter == "receptor 1 'hospital'"
    assert "x_m" in info.value.message
    with pytest.raises(DispersionInputError) as info:
        discrete_lonlat([("kindergarten", 121.5, float("nan"))], LocalProjection(*ORIGIN))
    assert info.value.parameter == "receptor 0 'kindergarten'"
    with pytest.raises(DispersionInputError) as info:
        Receptors(x_m=[0.0, np.inf], y_m=[0.0, 0.0], z_flag_m=[0.0, 0.0], name=["a", "b"], kind=["discrete"] * 2)
    assert info.value.parameter == "receptor 1 'b'"


def test_sensitive_receptors_from_lonlat():
    projection = LocalProjection(*ORIGIN)
    receptors = discrete_lonlat([("north village", 121.47, 31.24, 2.0)], projection)
    # 0.01 deg of latitude north: Geod distance, straight north.
    _, _, distance = GEOD.inv(121.47, 31.23, 121.47, 31.24)
    assert receptors.x_m[0] == pytest.approx(0.0, abs=1e-6)
    assert receptors.y_m[0] == pytest.approx(distance, abs=1e-3)
    assert receptors.z_flag_m[0] == 2.0 and receptors.kind[0] == "sensitive"
