"""Functional zones (功能分区): geodesic area, inside the park, no two zones on the same ground."""

from __future__ import annotations

import math

import pytest

from parksteward.registry.geometry import lonlat_inside
from tests.factories import BOUNDARY, WEST_HALF

# WGS84 ellipsoid (NIMA TR8350.2): semi-major axis [m] and first eccentricity squared.
A_M = 6378137.0
E2 = 0.0066943799901413165


def ellipsoid_quad_area_m2(lon0: float, lat0: float, lon1: float, lat1: float) -> float:
    """Area between two meridians and two parallels of the ellipsoid [m2].

    Snyder (1987), *Map Projections - A Working Manual*, USGS PP 1395, eq. (3-12):
    q(phi) = (1 - e2) [sin phi / (1 - e2 sin2 phi) - 1/(2e) ln((1 - e sin phi) / (1 + e sin phi))],
    and the area of the quadrangle is a2 * dlambda * (q1 - q0) / 2.
    """
    e = math.sqrt(E2)

    def q(lat_deg: float) -> float:
        s = math.sin(math.radians(lat_deg))
        return (1 - E2) * (s / (1 - E2 * s * s) - math.log((1 - e * s) / (1 + e * s)) / (2 * e))

    return A_M ** 2 * math.radians(lon1 - lon0) * (q(lat1) - q(lat0)) / 2


def square(lon0, lat0, lon1, lat1) -> dict:
    return {"type": "Polygon", "coordinates": [[[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]]}


def zone(world, code, geometry, kind="storage_logistics", **extra) -> dict:
    return {"park_id": world.park, "code": code, "name": f"分区{code}", "kind": kind, "geometry": geometry, **extra}


def test_a_zone_reads_back_with_its_geodesic_area_and_a_label_point_on_it(client, world, login):
    answer = client.get(f"/api/v1/zones/{world.zone}", headers=login("regulator"))
    assert answer.status_code == 200, answer.text
    read = answer.json()
    # 0.02 deg x 0.04 deg at 32.25 N: about 1.88 km x 4.43 km. The parallels' edges are not
    # geodesics (the geodesic bows about 5 cm poleward over 1.9 km), hence the tolerance.
    expected_ha = ellipsoid_quad_area_m2(118.78, 32.23, 118.80, 32.27) / 1e4
    # The formula against a hand figure: at the mid-latitude 32.25 N, the prime-vertical radius
    # N = 6,384,222 m and the meridian radius M = 6,353,534 m, so N cos(phi) dlambda = 1,884.7 m
    # by M dphi = 4,435.6 m: 836.0 ha.
    assert expected_ha == pytest.approx(836.0, abs=0.1)
    assert read["area_ha"] == pytest.approx(expected_ha, rel=1e-4)
    assert lonlat_inside(WEST_HALF, read["lon"], read["lat"])
    assert (read["code"], read["kind"], read["geometry"]) == ("Z1", "chemical_production", WEST_HALF)


def test_a_zone_sharing_a_border_is_accepted_and_one_on_the_same_ground_is_not(client, world, login):
    admin = login("admin")
    east = client.post("/api/v1/zones", json=zone(world, "Z2", square(118.80, 32.23, 118.82, 32.27)), headers=admin)
    assert east.status_code == 201, east.text

    # 0.001 deg x 0.04 deg over the west half's eastern edge: about 94 m x 4.4 km.
    overlapping = client.post("/api/v1/zones", json=zone(world, "Z3", square(118.799, 32.23, 118.80, 32.27)),
                              headers=admin)
    assert overlapping.status_code == 422
    [error] = overlapping.json()["detail"]
    assert error["loc"][-1] == "geometry"
    assert "overlaps zone Z1 '化工生产西区'" in error["msg"]
    shared_m2 = ellipsoid_quad_area_m2(118.799, 32.23, 118.80, 32.27)
    assert f"by {shared_m2:,.0f} m²"[:-6] in error["msg"]  # the figure, to the nearest thousand m²

    listed = client.get(f"/api/v1/zones?park_id={world.park}", headers=admin).json()
    assert [z["code"] for z in listed["data"]] == ["Z1", "Z2"]


def test_an_update_is_not_compared_with_the_zone_itself_but_with_the_others(client, world, login):
    admin = login("admin")
    renamed = client.patch(f"/api/v1/zones/{world.zone}", json={"name": "精细化工区", "name_en": "Fine chemicals"},
                           headers=admin)
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "精细化工区"

    east = client.post("/api/v1/zones", json=zone(world, "Z2", square(118.80, 32.23, 118.82, 32.27)), headers=admin)
    grown = client.patch(f"/api/v1/zones/{east.json()['id']}", json={"geometry": BOUNDARY}, headers=admin)
    assert grown.status_code == 422
    assert "overlaps zone Z1" in grown.json()["detail"][0]["msg"]
    # The new geometry's area follows the geometry.
    smaller = client.patch(f"/api/v1/zones/{east.json()['id']}", json={"geometry": square(118.80, 32.23, 118.81, 32.27)},
                           headers=admin)
    assert smaller.json()["area_ha"] == pytest.approx(ellipsoid_quad_area_m2(118.80, 32.23, 118.81, 32.27) / 1e4, rel=1e-4)


@pytest.mark.parametrize("body, field, fragment", [
    (lambda w: zone(w, "Z8", square(118.81, 32.26, 118.83, 32.28)), "geometry", "outside the boundary of park '测试园区'"),
    (lambda w: zone(w, "Z8", {"type": "Point", "coordinates": [118.81, 32.25]}), "geometry", "expected one of ['Polygon', 'MultiPolygon']"),
    (lambda w: zone(w, "Z8", square(118.81, 32.24, 118.815, 32.245), kind="industrial"), "kind", "unknown zone kind 'industrial'"),
    (lambda w: zone(w, "Z 8", square(118.81, 32.24, 118.815, 32.245)), "code", "pattern"),
])
def test_a_bad_zone_is_refused_naming_the_field(client, world, login, body, field, fragment):
    answer = client.post("/api/v1/zones", json=body(world), headers=login("steward"))
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["detail"]
    assert error["loc"][-1] == field and fragment in error["msg"], error


def test_zone_codes_are_unique_within_a_park(client, world, login):
    answer = client.post("/api/v1/zones", json=zone(world, "Z1", square(118.81, 32.24, 118.815, 32.245)),
                         headers=login("admin"))
    assert answer.status_code == 409 and "Z1" in answer.text


def test_the_park_counts_its_zones(client, world, login):
    stats = client.get(f"/api/v1/parks/{world.park}/stats", headers=login("ent_a")).json()
    assert stats["functional_zones"] == 1


def test_the_map_view_labels_zones_and_receptors_at_a_point_on_them(client, world, login):
    collection = client.get(f"/api/v1/parks/{world.park}/geojson?view=map", headers=login("ent_a")).json()
    [z] = [f for f in collection["features"] if f["properties"]["feature_type"] == "functional_zone"]
    assert z["properties"]["code"] == "Z1" and lonlat_inside(WEST_HALF, *z["properties"]["label"])
    [receptor] = [f for f in collection["features"] if f["properties"]["feature_type"] == "sensitive_receptor"]
    assert receptor["properties"]["label"] == [118.84, 32.25]  # a point receptor is its own label point
