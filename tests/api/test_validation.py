"""Every write validates, and the error names the field and what was expected."""

from __future__ import annotations

import pytest

from tests.factories import stack


def detail_for(response, field):
    """The error entries whose location ends with ``field``."""
    assert response.status_code == 422, response.text
    return [d for d in response.json()["detail"] if d["loc"][-1] == field or field in d["loc"]]


def test_invalid_credit_code_names_the_field_and_the_expected_check_character(client, world, login):
    body = {"park_id": world.park, "name": "新企业", "credit_code": "91350100M000100Y44", "industry": "other",
            "size_class": "small", "pollution_class": "registration", "lon": 118.80, "lat": 32.25}
    response = client.post("/api/v1/enterprises", json=body, headers=login("steward"))
    [error] = detail_for(response, "credit_code")
    assert "expected '3'" in error["msg"]


def test_negative_stack_height_is_refused(client, world, login):
    response = client.post("/api/v1/sources", json=stack(world.enterprise["a"], code="DA010", stack_height_m=-5),
                           headers=login("steward"))
    [error] = detail_for(response, "stack_height_m")
    assert "greater than 0" in error["msg"]


def test_stack_without_its_parameters_is_refused(client, world, login):
    body = stack(world.enterprise["a"], code="DA011")
    del body["exit_velocity_m_s"]
    response = client.post("/api/v1/sources", json=body, headers=login("steward"))
    assert response.status_code == 422 and "exit_velocity_m_s" in response.text


def test_exit_temperature_in_celsius_is_caught(client, world, login):
    response = client.post("/api/v1/sources", json=stack(world.enterprise["a"], code="DA012", exit_temperature_k=140),
                           headers=login("steward"))
    assert response.status_code == 422 and "kelvin" in response.text


def test_point_outside_the_park_is_refused(client, world, login):
    body = {"park_id": world.park, "enterprise_id": world.enterprise["a"], "code": "P-OUT", "name": "界外",
            "kind": "noise", "lon": 118.90, "lat": 32.25}
    response = client.post("/api/v1/points", json=body, headers=login("steward"))
    [error] = detail_for(response, "lon")
    assert "outside the boundary" in error["msg"]


def test_unknown_factor_code_is_refused(client, world, login):
    body = {"point_id": world.point["a"], "mn": "MNNEW0001", "password": "654321",
            "factor_codes": ["a21026", "a99999"]}
    response = client.post("/api/v1/devices", json=body, headers=login("steward"))
    [error] = detail_for(response, "factor_codes")
    assert "a99999" in error["msg"] and "a21026" not in error["msg"]


def test_duplicate_mn_conflicts(client, world, login):
    headers = login("steward")
    mn = client.get(f"/api/v1/devices/{world.device['a']}", headers=headers).json()["mn"]
    response = client.post("/api/v1/devices", json={"point_id": world.point["b"], "mn": mn, "password": "1"},
                           headers=headers)
    assert response.status_code == 409 and mn in response.text


def test_device_password_is_never_returned(client, world, login):
    device = client.get(f"/api/v1/devices/{world.device['a']}", headers=login("admin")).json()
    assert "password" not in device and "password_hash" not in device


def test_update_is_validated_as_a_whole(client, world, login):
    headers = login("steward")
    response = client.patch(f"/api/v1/sources/{world.source['a']}", json={"kind": "wastewater_outlet"},
                            headers=headers)
    assert response.status_code == 422 and "discharge_destination" in response.text
    response = client.patch(f"/api/v1/sources/{world.source['a']}", json={"lon": 120.0}, headers=headers)
    assert response.status_code == 422 and "outside the boundary" in response.text


def test_unknown_field_is_refused_not_dropped(client, world, login):
    response = client.patch(f"/api/v1/enterprises/{world.enterprise['a']}", json={"colour": "red"},
                            headers=login("steward"))
    assert response.status_code == 422 and "colour" in response.text


@pytest.mark.parametrize(
    ("body", "field", "fragment"),
    [
        ({"safe_level_m": 9.0}, None, "must be below tank_height_m"),
        ({"safe_level_m": 8.0}, None, "must be below tank_height_m"),
        ({"inventory": [{"substance": "氯", "cas": "7782-50-6", "quantity_t": 1}]}, "cas", "expected 5"),
        ({"inventory": [{"substance": "氯", "cas": "7782-50-5", "quantity_t": -1}]}, "quantity_t", "greater than or equal to 0"),
    ],
)
def test_risk_source_checks(client, world, login, body, field, fragment):
    response = client.patch(f"/api/v1/risk-sources/{world.risk_source['a']}", json=body, headers=login("steward"))
    assert response.status_code == 422, response.text
    assert fragment in response.text
    if field:
        assert detail_for(response, field)


def test_invalid_boundary_and_timezone(client, login, world):
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    response = client.post("/api/v1/parks", json={"name": "坏园区", "boundary": bowtie}, headers=login("admin"))
    [error] = detail_for(response, "boundary")
    assert "Self-intersection" in error["msg"]
    response = client.patch(f"/api/v1/parks/{world.park}", json={"timezone": "Mars/Olympus"}, headers=login("admin"))
    assert response.status_code == 422 and "Mars/Olympus" in response.text


def test_factor_catalogue_serves_both_code_systems(client, login, world):
    headers = login("ent_a")
    so2 = client.get("/api/v1/factors/a21026", headers=headers).json()
    assert so2["code_2005"] == "02" and so2["unit"] == "mg/m³"  # HJ 212-2017 Table B.2
    assert client.get("/api/v1/factors/011", headers=headers).json()["code"] == "w01018"  # COD, Table B.1
    assert client.get("/api/v1/factors/zz", headers=headers).status_code == 404
    water = client.get("/api/v1/factors?medium=water", headers=headers).json()
    assert water["count"] >= 35 and all(f["code"].startswith("w") for f in water["data"])


def test_health_is_open(client):
    body = client.get("/api/v1/health").json()
    assert body["status"] == "ok" and body["store"] == "ok"


def test_device_password_survives_updates_and_can_be_changed(client, app, world, login):
    from parksteward.registry.service import devices
    from parksteward.registry.tables import Device

    headers = login("steward")
    assert client.patch(f"/api/v1/devices/{world.device['a']}", json={"model": "CEMS-2000"},
                        headers=headers).status_code == 200
    with app.state.sessionmaker() as session:
        assert devices.verify_password(session.get(Device, world.device["a"]), "123456")
    assert client.patch(f"/api/v1/devices/{world.device['a']}", json={"password": "7654321"},
                        headers=headers).status_code == 200
    with app.state.sessionmaker() as session:
        device = session.get(Device, world.device["a"])
        assert devices.verify_password(device, "7654321") and not devices.verify_password(device, "123456")
    response = client.patch(f"/api/v1/devices/{world.device['a']}", json={"password": "\x00x"}, headers=headers)
    assert response.status_code == 422 and "password" in response.text


def test_over_long_text_is_a_422_not_a_server_error(client, world, login):
    response = client.patch(f"/api/v1/enterprises/{world.enterprise['a']}", json={"address": "路" * 301},
                            headers=login("steward"))
    assert response.status_code == 422 and "address" in response.text


def test_a_stack_must_stand_on_its_enterprise_site_when_the_site_is_known(client, world, login):
    headers = login("steward")
    site = {"type": "Polygon", "coordinates": [[[118.785, 32.24], [118.795, 32.24], [118.795, 32.26],
                                                [118.785, 32.26], [118.785, 32.24]]]}
    assert client.patch(f"/api/v1/enterprises/{world.enterprise['a']}", json={"footprint": site},
                        headers=headers).status_code == 200
    inside = client.post("/api/v1/sources", json=stack(world.enterprise["a"], code="DA020", lon=118.79, lat=32.25),
                         headers=headers)
    assert inside.status_code == 201, inside.text
    outside = client.post("/api/v1/sources", json=stack(world.enterprise["a"], code="DA021", lon=118.81, lat=32.25),
                          headers=headers)
    [error] = detail_for(outside, "lon")
    assert "outside the site of enterprise" in error["msg"]
