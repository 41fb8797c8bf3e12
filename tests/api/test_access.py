"""Access control across every route: login required, and an enterprise user confined to
its own enterprise. The route table below must list every route the app has, so a new
route cannot ship without an access expectation."""

from __future__ import annotations

import pytest

from parksteward.hj212 import build_frame
from tests.factories import BOUNDARY, CREDIT_B, stack

OPEN_ROUTES = {("GET", "/api/v1/health"), ("POST", "/api/v1/auth/token")}


def api_routes(app) -> set[tuple[str, str]]:
    """Every (method, path) of the API, read from its OpenAPI description."""
    return {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if path.startswith("/api/")
        for method in operations
    }


def b_objects(world):
    """Path parameters pointing at enterprise B's objects (or shared ones)."""
    return {
        "/api/v1/enterprises/{obj_id}": world.enterprise["b"],
        "/api/v1/sources/{obj_id}": world.source["b"],
        "/api/v1/points/{obj_id}": world.point["b"],
        "/api/v1/devices/{obj_id}": world.device["b"],
        "/api/v1/risk-sources/{obj_id}": world.risk_source["b"],
        "/api/v1/parks/{obj_id}": world.park,
        "/api/v1/receptors/{obj_id}": world.receptor,
        "/api/v1/zones/{obj_id}": world.zone,
        "/api/v1/weather-stations/{obj_id}": world.weather_station,
        "/api/v1/parks/{park_id}/stats": world.park,
        "/api/v1/parks/{park_id}/geojson": world.park,
        "/api/v1/parks/{park_id}/overview": world.park,
        "/api/v1/users/{user_id}": world.user["b"],
        "/api/v1/factors/{code}": "a21026",
        "/api/v1/points/{point_id}/latest": world.point["b"],
        "/api/v1/points/{point_id}/series": world.point["b"],
        # runs: tests/api/test_dispersion_api.py starts real ones of B and of the park; none exist here
        "/api/v1/dispersion/runs/{run_id}": 1,
        "/api/v1/dispersion/runs/{run_id}/contours": 1,
        "/api/v1/dispersion/runs/{run_id}/receptors.csv": 1,
        "/api/v1/documents/{document_id}": 1,
        "/api/v1/documents/{document_id}/file": 1,
        "/api/v1/ledger/leaves/{index}": 0,
        "/api/v1/ledger/receipts/{index}": 0,
        "/api/v1/ledger/frames/{frame_id}/receipt": 1,
        "/api/v1/enterprises/{enterprise_id}/risk-grade": world.enterprise["b"],
        "/api/v1/dispersion/runs/{run_id}/hourly.csv": 1,
        # alarms, rules, recipients, scenarios: tests/alarms/test_api.py has A fail to reach B's real ones
        "/api/v1/alarms/{alarm_id}": 1,
        "/api/v1/alarms/{alarm_id}/acknowledge": 1,
        "/api/v1/alarms/{alarm_id}/clear": 1,
        "/api/v1/alarm-rules/{obj_id}": 1,
        "/api/v1/alarm-recipients/{obj_id}": 1,
        "/api/v1/emergency-scenarios/{obj_id}": 1,
        "/api/v1/points/{point_id}/limits": world.point["b"],
        "/api/v1/points/{point_id}/limits/defaults": world.point["b"],
    }


def bodies_aimed_at_b(world):
    """Create bodies that would place a new object under enterprise B (or at park level)."""
    b = world.enterprise["b"]
    return {
        "/api/v1/enterprises": {"park_id": world.park, "name": "冒名企业", "credit_code": "91330100799655058B",
                                "industry": "other", "size_class": "small", "pollution_class": "registration",
                                "lon": 118.80, "lat": 32.25},
        "/api/v1/sources": stack(b, code="DA099"),
        "/api/v1/points": {"park_id": world.park, "enterprise_id": b, "code": "P-X", "name": "x",
                           "kind": "noise", "lon": 118.80, "lat": 32.25},
        "/api/v1/devices": {"point_id": world.point["b"], "mn": "MNX1", "password": "123456"},
        "/api/v1/risk-sources": {"enterprise_id": b, "code": "W-1", "name": "仓库", "kind": "warehouse",
                                 "lon": 118.80, "lat": 32.25, "capacity_t": 50.0},
        "/api/v1/parks": {"name": "另一园区", "boundary": BOUNDARY},
        "/api/v1/receptors": {"park_id": world.park, "name": "村", "kind": "residential",
                              "geometry": {"type": "Point", "coordinates": [118.9, 32.3]}},
        "/api/v1/weather-stations": {"park_id": world.park, "name": "站", "lon": 118.8, "lat": 32.25},
        "/api/v1/zones": {"park_id": world.park, "code": "Z9", "name": "区", "kind": "reserve",
                          "geometry": {"type": "Polygon", "coordinates": [[[118.81, 32.24], [118.815, 32.24],
                                                                            [118.815, 32.245], [118.81, 32.24]]]}},
        "/api/v1/users": {"username": "intruder", "password": "12345678x", "role": "admin"},
        "/api/v1/parks/import": {"type": "FeatureCollection", "features": []},
        "/api/v1/ingest/readings": {"mn": "MN0000000000000000000B01", "pw": "123456", "data_time": "2025-03-15T09:00",
                                    "values": [{"code": "a21026", "value": 1.0}]},
        # a run of B's stacks finds none in A's scope: refused, nothing stored
        "/api/v1/dispersion/runs": {"scenario": {"pollutant": "SO2", "meteorology": {"synthetic_year": 2025},
                                                 "sources": {"enterprises": [CREDIT_B]}}},
        "/api/v1/releases": {"chemical": "chlorine", "rate_kg_s": 1.0, "duration_s": 600,
                             "risk_source_id": world.risk_source["b"]},
        "/api/v1/enterprises/{enterprise_id}/risk-grade": {"water_sensitivity": "E2"},
        "/api/v1/alarm-rules": {"name": "x", "kind": "threshold", "park_id": world.park, "enterprise_id": b,
                                "point_kind": "tank_level", "factor": "x01002", "bands": {"yellow": 80}},
        "/api/v1/alarm-recipients": {"park_id": world.park, "enterprise_id": b, "name": "x", "group": "enterprise",
                                     "email": "x@b.example"},
        "/api/v1/emergency-scenarios": {"park_id": world.park, "enterprise_id": b, "code": "X", "name": "x",
                                        "kind": "fire"},
        "/api/v1/points/{point_id}/limits": {"factor": "a21026", "value": 1.0, "unit": "mg/m³"},
    }


# (method, path) -> status an enterprise-A user gets when aiming at B's object or a shared one.
ENTERPRISE_A_EXPECTS = {
    ("GET", "/api/v1/auth/me"): 200,
    ("GET", "/api/v1/users"): 403,
    ("POST", "/api/v1/users"): 403,
    ("GET", "/api/v1/users/{user_id}"): 404,
    ("PATCH", "/api/v1/users/{user_id}"): 403,
    ("DELETE", "/api/v1/users/{user_id}"): 403,
    ("GET", "/api/v1/parks/{park_id}/stats"): 200,
    ("GET", "/api/v1/parks/{park_id}/geojson"): 200,
    # its own enterprise only: tests/overview/test_overview.py
    ("GET", "/api/v1/parks/{park_id}/overview"): 200,
    ("POST", "/api/v1/parks/import"): 403,
    ("GET", "/api/v1/factors"): 200,
    ("GET", "/api/v1/factors/{code}"): 200,
    ("GET", "/api/v1/points/{point_id}/latest"): 404,
    ("GET", "/api/v1/points/{point_id}/series"): 404,
    # Uploads answer 200 with a verdict per frame; B's frames are refused (tests/ingest/test_http_ingest.py).
    ("POST", "/api/v1/ingest/frames"): 200,
    ("POST", "/api/v1/ingest/readings"): 200,
    ("GET", "/api/v1/dispersion/runs"): 200,
    ("POST", "/api/v1/dispersion/runs"): 422,
    ("GET", "/api/v1/dispersion/runs/{run_id}"): 404,
    ("GET", "/api/v1/dispersion/runs/{run_id}/contours"): 404,
    ("GET", "/api/v1/dispersion/runs/{run_id}/receptors.csv"): 404,
    ("GET", "/api/v1/dispersion/runs/{run_id}/hourly.csv"): 404,
    # documents and the log: tests/ledger/test_ledger_api.py has B upload and A fail to reach it
    ("GET", "/api/v1/documents"): 200,
    ("POST", "/api/v1/documents"): 422,
    ("GET", "/api/v1/documents/{document_id}"): 404,
    ("GET", "/api/v1/documents/{document_id}/file"): 404,
    ("GET", "/api/v1/ledger"): 200,
    ("GET", "/api/v1/ledger/checkpoint"): 404,
    ("GET", "/api/v1/ledger/proofs/inclusion"): 422,
    ("GET", "/api/v1/ledger/proofs/consistency"): 422,
    ("GET", "/api/v1/ledger/leaves/{index}"): 404,
    ("GET", "/api/v1/ledger/receipts/{index}"): 404,
    ("GET", "/api/v1/ledger/receipts"): 422,
    ("GET", "/api/v1/ledger/frames/{frame_id}/receipt"): 404,
    ("POST", "/api/v1/ledger/verify"): 422,
    ("POST", "/api/v1/ledger/audits"): 403,
    ("GET", "/api/v1/ledger/audits"): 403,
    ("POST", "/api/v1/releases"): 404,  # a drill at B's risk source
    ("POST", "/api/v1/enterprises/{enterprise_id}/risk-grade"): 404,
    ("GET", "/api/v1/alarms"): 200,
    ("GET", "/api/v1/alarms/stream"): "stream",  # never ends: scoping in tests/alarms/test_delivery.py
    ("GET", "/api/v1/live/readings"): "stream",  # never ends: scoping in tests/ingest/test_live.py
    ("GET", "/api/v1/live/status"): 200,  # only its own points: tests/ingest/test_status.py
    ("GET", "/api/v1/alarms/{alarm_id}"): 404,
    ("POST", "/api/v1/alarms/{alarm_id}/acknowledge"): 404,
    ("POST", "/api/v1/alarms/{alarm_id}/clear"): 404,
    ("GET", "/api/v1/alarm-events"): 200,
    ("GET", "/api/v1/alarm-deliveries"): 200,
    ("POST", "/api/v1/drills"): 403,  # drills are the park's (admin, steward, command)
    ("GET", "/api/v1/standards/limits"): 200,
    ("GET", "/api/v1/points/{point_id}/limits"): 404,
    ("POST", "/api/v1/points/{point_id}/limits/defaults"): 404,
    ("PUT", "/api/v1/points/{point_id}/limits"): 404,
}
for prefix in ("/api/v1/alarm-rules", "/api/v1/alarm-recipients", "/api/v1/emergency-scenarios"):
    ENTERPRISE_A_EXPECTS.update({
        ("GET", prefix): 200,
        ("POST", prefix): 403,  # an object of enterprise B
        ("GET", prefix + "/{obj_id}"): 404,
        ("PATCH", prefix + "/{obj_id}"): 404,
        ("DELETE", prefix + "/{obj_id}"): 404,
    })
for prefix in ("/api/v1/enterprises", "/api/v1/sources", "/api/v1/points", "/api/v1/devices", "/api/v1/risk-sources"):
    ENTERPRISE_A_EXPECTS.update({
        ("GET", prefix): 200,  # and the list holds none of B's objects (checked below)
        ("POST", prefix): 403 if prefix == "/api/v1/enterprises" else 422,
        ("GET", prefix + "/{obj_id}"): 404,
        ("PATCH", prefix + "/{obj_id}"): 404,
        # Enterprises are removed by the park, whatever the id: a role check, so no leak.
        ("DELETE", prefix + "/{obj_id}"): 403 if prefix == "/api/v1/enterprises" else 404,
    })
for prefix in ("/api/v1/parks", "/api/v1/receptors", "/api/v1/weather-stations", "/api/v1/zones"):
    ENTERPRISE_A_EXPECTS.update({
        ("GET", prefix): 200,
        ("POST", prefix): 403,
        ("GET", prefix + "/{obj_id}"): 200,
        ("PATCH", prefix + "/{obj_id}"): 403,
        ("DELETE", prefix + "/{obj_id}"): 403,
    })


def fill(path: str, world) -> str:
    value = b_objects(world).get(path)
    query = "?factor=a21026" if path.endswith("/series") else ""
    if value is None:
        return path + query
    return path.replace(path[path.index("{"):path.index("}") + 1], str(value)) + query


def test_route_table_covers_every_route(app):
    assert api_routes(app) - OPEN_ROUTES == set(ENTERPRISE_A_EXPECTS)


def test_every_route_but_health_and_login_requires_a_token(client, app, world):
    for method, path in sorted(api_routes(app) - OPEN_ROUTES):
        response = client.request(method, fill(path, world), json={})
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["www-authenticate"] == "Bearer"


def test_a_forged_or_expired_token_is_refused(client, world):
    import jwt

    forged = jwt.encode({"sub": str(world.user["admin"]), "exp": 4102444800}, "not-the-key-but-at-least-32-bytes-long", algorithm="HS256")
    expired = jwt.encode({"sub": str(world.user["admin"]), "exp": 1}, "test-secret-of-at-least-32-bytes-length", algorithm="HS256")
    for token in (forged, expired, "garbage"):
        response = client.get("/api/v1/enterprises", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401


def test_enterprise_user_reaches_nothing_of_another_enterprise(client, app, world, login):
    headers = login("ent_a")
    bodies = bodies_aimed_at_b(world)
    for (method, path), expected in sorted(ENTERPRISE_A_EXPECTS.items(), key=lambda item: item[0]):
        if expected == "stream":
            continue
        patch = {"model": "改名"} if "devices" in path else {"full_name": "改名"} if "users" in path else {"name": "改名"}
        body = bodies.get(path) if method in ("POST", "PUT") else (patch if method == "PATCH" else None)
        if path == "/api/v1/ingest/frames":
            frame = build_frame(st="31", cn="2011", mn="MN0000000000000000000B01", pw="123456",
                                cp=[("DataTime", "20250315090000"), ("a21026-Rtd", "1")])
            response = client.post(path, content=frame, headers={**headers, "Content-Type": "text/plain"})
        else:
            response = client.request(method, fill(path, world), json=body, headers=headers)
        assert response.status_code == expected, (method, path, response.text)
        if path.startswith("/api/v1/ingest/"):
            assert [d["kind"] for d in response.json()["data"]] == ["not_your_device"], response.text
        if method == "GET" and expected == 200 and "{" not in path:
            text = response.text
            assert CREDIT_B not in text, (path, "leaks enterprise B")
            for item in response.json().get("data", []):
                owner = item.get("enterprise_id", item.get("id") if path.endswith("enterprises") else None)
                if path.endswith(("/enterprises", "/sources", "/points", "/risk-sources")):
                    assert owner == world.enterprise["a"], (path, item)
                if path.endswith("/devices"):
                    assert item["point_id"] == world.point["a"], item
    # Nothing of B was changed or deleted along the way.
    admin = login("admin")
    for path, key in (("/api/v1/enterprises/{obj_id}", "enterprise"), ("/api/v1/sources/{obj_id}", "source"),
                      ("/api/v1/points/{obj_id}", "point"), ("/api/v1/devices/{obj_id}", "device"),
                      ("/api/v1/risk-sources/{obj_id}", "risk_source")):
        response = client.get(fill(path, world), headers=admin)
        assert response.status_code == 200, path
        assert response.json().get("name") != "改名"


def test_enterprise_user_sees_only_its_own_in_stats_and_export(client, world, login):
    stats = client.get(f"/api/v1/parks/{world.park}/stats", headers=login("ent_a")).json()
    assert stats["enterprises"] == 1 and stats["stacks"] == 1 and stats["risk_sources"] == 1
    assert stats["monitoring_points"] == 1 and stats["devices"] == 1  # park-owned points are not its own
    assert client.get(f"/api/v1/parks/{world.park}/stats", headers=login("admin")).json()["enterprises"] == 2


def test_enterprise_user_manages_its_own_objects(client, world, login):
    headers = login("ent_a")
    a = world.enterprise["a"]
    created = client.post("/api/v1/sources", json=stack(a, code="DA002"), headers=headers)
    assert created.status_code == 201, created.text
    source_id = created.json()["id"]
    changed = client.patch(f"/api/v1/sources/{source_id}", json={"stack_height_m": 45}, headers=headers)
    assert changed.status_code == 200 and changed.json()["stack_height_m"] == 45
    moved = client.patch(f"/api/v1/sources/{source_id}", json={"enterprise_id": world.enterprise["b"]}, headers=headers)
    assert moved.status_code == 422 and moved.json()["detail"][0]["loc"] == ["enterprise_id"]
    point = client.post("/api/v1/points", json={"park_id": world.park, "enterprise_id": a, "code": "P-A-N1",
                                                "name": "厂界噪声1", "kind": "noise", "lon": 118.79, "lat": 32.251},
                        headers=headers)
    assert point.status_code == 201, point.text
    assert client.patch(f"/api/v1/enterprises/{a}", json={"address": "化工大道1号"}, headers=headers).status_code == 200
    assert client.delete(f"/api/v1/enterprises/{a}", headers=headers).status_code == 403
    assert client.delete(f"/api/v1/sources/{source_id}", headers=headers).status_code == 204


@pytest.mark.parametrize("role", ["regulator", "command"])
def test_reading_roles_read_everything_and_change_nothing(client, world, login, role):
    headers = login(role)
    listed = client.get("/api/v1/enterprises", headers=headers).json()
    assert listed["count"] == 2
    assert client.get(f"/api/v1/devices/{world.device['b']}", headers=headers).status_code == 200
    assert client.patch(f"/api/v1/enterprises/{world.enterprise['b']}", json={"name": "x"}, headers=headers).status_code == 403
    assert client.post("/api/v1/sources", json=stack(world.enterprise["a"], code="DA050"), headers=headers).status_code == 403
    assert client.delete(f"/api/v1/points/{world.point['a']}", headers=headers).status_code == 403
    assert client.get("/api/v1/users", headers=headers).status_code == 403


def test_steward_writes_the_registry_but_not_users(client, world, login):
    headers = login("steward")
    response = client.patch(f"/api/v1/enterprises/{world.enterprise['b']}", json={"size_class": "large"}, headers=headers)
    assert response.status_code == 200 and response.json()["size_class"] == "large"
    assert client.post("/api/v1/users", json={"username": "x1", "password": "12345678x", "role": "admin"},
                       headers=headers).status_code == 403


def test_admin_manages_users(client, world, login):
    headers = login("admin")
    created = client.post("/api/v1/users", json={"username": "ent_a2", "password": "another pass",
                                                "role": "enterprise", "enterprise_id": world.enterprise["a"]},
                          headers=headers)
    assert created.status_code == 201, created.text
    assert "password" not in created.text and "hash" not in created.text
    assert client.post("/api/v1/users", json={"username": "ent_a2", "password": "another pass", "role": "steward"},
                       headers=headers).status_code == 409
    bad = client.post("/api/v1/users", json={"username": "x2", "password": "another pass", "role": "enterprise"},
                      headers=headers)
    assert bad.status_code == 422
    user_id = created.json()["id"]
    assert client.patch(f"/api/v1/users/{user_id}", json={"is_active": False}, headers=headers).status_code == 200
    login_attempt = client.post("/api/v1/auth/token", data={"username": "ent_a2", "password": "another pass"})
    assert login_attempt.status_code == 401
    assert client.delete(f"/api/v1/users/{user_id}", headers=headers).status_code == 204


def test_wrong_password_is_refused(client, world):
    response = client.post("/api/v1/auth/token", data={"username": "admin", "password": "wrong"})
    assert response.status_code == 401
    response = client.post("/api/v1/auth/token", data={"username": "nobody", "password": "wrong"})
    assert response.status_code == 401
