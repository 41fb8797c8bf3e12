"""Rules, recipients, limits and drills through the API: bad input is refused naming the field."""

from __future__ import annotations

from parksteward.alarms.setup import prepare_park
from parksteward.registry.tables import Park


def rule(world, **overrides) -> dict:
    return {"name": "T-301 fill", "kind": "threshold", "park_id": world.park, "point_kind": "tank_level",
            "factor": "x01002", "bands": {"yellow": 80, "orange": 90}, **overrides}


def fields(response) -> set[str]:
    # FastAPI's own validation prefixes "body"; the services' checks name the field alone.
    return {".".join(map(str, e["loc"][1:] if e["loc"][0] in ("body", "query") else e["loc"]))
            for e in response.json()["detail"]}


def test_rules_are_data_and_bad_ones_name_the_field(client, world, login):
    steward = login("steward")
    created = client.post("/api/v1/alarm-rules", json=rule(world), headers=steward)
    assert created.status_code == 201, created.text
    rule_id = created.json()["id"]
    r = client.patch(f"/api/v1/alarm-rules/{rule_id}", json={"bands": {"yellow": 85, "red": 97}}, headers=steward)
    assert r.status_code == 200 and r.json()["bands"] == {"yellow": 85, "red": 97}
    bad = client.post("/api/v1/alarm-rules", json=rule(world, bands={"yellow": 80, "red": 70}), headers=steward)
    assert bad.status_code == 422 and fields(bad) == {"bands"}
    assert "must lie above the yellow threshold" in bad.text
    bad = client.post("/api/v1/alarm-rules", json=rule(world, kind="smell", factor=None), headers=steward)
    assert bad.status_code == 422 and fields(bad) == {"kind"}
    bad = client.post("/api/v1/alarm-rules", json=rule(world, factor=None), headers=steward)
    assert bad.status_code == 422 and fields(bad) == {"factor"}
    bad = client.post("/api/v1/alarm-rules", json=rule(world, kind="rate_of_change", params={"window_min": -5}),
                      headers=steward)
    assert bad.status_code == 422 and fields(bad) == {"params.window_min"}
    bad = client.post("/api/v1/alarm-rules", json=rule(world, point_kind="volcano"), headers=steward)
    assert bad.status_code == 422 and fields(bad) == {"point_kind"}
    assert client.post("/api/v1/alarm-rules", json=rule(world), headers=login("regulator")).status_code == 403


def test_recipients_keep_their_webhook_secret_to_themselves(client, world, login):
    admin = login("admin")
    body = {"park_id": world.park, "name": "指挥中心", "group": "command", "webhook_url": "http://127.0.0.1:9/hook",
            "webhook_secret": "a-secret-of-sixteen+"}
    r = client.post("/api/v1/alarm-recipients", json=body, headers=admin)
    assert r.status_code == 201, r.text
    assert "webhook_secret" not in r.json() and r.json()["has_secret"] is True
    bad = client.post("/api/v1/alarm-recipients", json={**body, "group": "press"}, headers=admin)
    assert bad.status_code == 422 and fields(bad) == {"group"}
    bad = client.post("/api/v1/alarm-recipients", json={**body, "webhook_url": "ftp://x"}, headers=admin)
    assert bad.status_code == 422 and fields(bad) == {"webhook_url"}


def test_point_limits_default_and_edited(client, world, login):
    steward = login("steward")
    r = client.post(f"/api/v1/points/{world.point['a']}/limits/defaults", headers=steward)
    assert r.status_code == 200, r.text
    so2 = [lim for lim in r.json()["data"] if lim["factor"] == "a21026" and lim["quantity"] == "concentration"]
    assert [(lim["standard"], lim["value"], lim["unit"]) for lim in so2] == [("GB 16297-1996", 550.0, "mg/m³")]
    edit = {"factor": "a21026", "value": 100.0, "unit": "mg/m³", "standard": "排污许可证 permit"}
    assert client.put(f"/api/v1/points/{world.point['a']}/limits", json=edit, headers=steward).status_code == 200
    again = client.post(f"/api/v1/points/{world.point['a']}/limits/defaults", headers=steward).json()["data"]
    so2 = [lim for lim in again if lim["factor"] == "a21026" and lim["quantity"] == "concentration"]
    assert [(lim["value"], lim["origin"]) for lim in so2] == [(100.0, "edited")]  # the edit survives
    bad = client.put(f"/api/v1/points/{world.point['a']}/limits", json={**edit, "direction": "range"},
                     headers=steward)
    assert bad.status_code == 422 and fields(bad) == {"value_max"}
    other = client.get(f"/api/v1/points/{world.point['b']}/limits", headers=login("ent_a"))
    assert other.status_code == 404  # another enterprise's point


def test_standards_are_queried_with_their_provenance(client, world, login):
    r = client.get("/api/v1/standards/limits", params={"pollutant": "SO2", "medium": "ambient_air",
                                                       "averaging": "1h", "zone": "2"}, headers=login("steward"))
    assert r.status_code == 200, r.text
    (limit,) = r.json()["data"]
    assert (limit["value"], limit["unit"], limit["table_ref"]) == (500.0, "µg/m³", "Table 1")  # GB 3095-2012
    assert limit["verified"] is True and limit["source"]
    bad = client.get("/api/v1/standards/limits", params={"medium": "moon"}, headers=login("steward"))
    assert bad.status_code == 422 and fields(bad) == {"medium"}


def test_a_chlorine_drill_reaches_the_village_and_is_notified(app, client, world, login):
    with app.state.sessionmaker() as session:
        prepare_park(session, session.get(Park, world.park))
    command = login("command")
    r = client.post("/api/v1/drills", json={"rate_kg_s": 1.0, "duration_s": 600}, headers=command)
    assert r.status_code == 201, r.text
    drill = r.json()
    assert drill["release"]["chemical"]["cas"] == "7782-50-5"
    assert drill["release"]["worst_case"] is None or drill["release"]["given"]["weather"]["stability"] == "F"
    assert [x["name"] for x in drill["reached"]] == ["长芦社区"]  # the only receptor, 3.8 km downwind
    alarm = client.get(f"/api/v1/alarms/{drill['alarm_id']}", headers=command).json()
    assert alarm["alarm"]["kind"] == "drill" and "Isolate T-301" in alarm["alarm"]["advice"]
    groups = {d["group"] for d in alarm["deliveries"] if d["channel"] == "email"}
    assert {"command", "steward", "regulator"} <= groups
    assert client.post("/api/v1/drills", json={}, headers=login("regulator")).status_code == 403
    bad = client.post("/api/v1/drills", json={"chemical": "unobtainium"}, headers=command)
    assert bad.status_code == 422 and fields(bad) == {"chemical"}
    bad = client.post("/api/v1/drills", json={"rate_kg_s": -1}, headers=command)
    assert bad.status_code == 422 and fields(bad) == {"rate_kg_s"}


def test_an_enterprise_sees_its_own_alarms_and_history_only(app, client, world, login):
    with app.state.sessionmaker() as session:
        prepare_park(session, session.get(Park, world.park))
    drill = client.post("/api/v1/drills", json={}, headers=login("admin")).json()  # at enterprise A's T-301
    own, other = login("ent_a"), login("ent_b")
    assert client.get(f"/api/v1/alarms/{drill['alarm_id']}", headers=own).status_code == 200
    assert client.get(f"/api/v1/alarms/{drill['alarm_id']}", headers=other).status_code == 404
    assert client.get("/api/v1/alarms", headers=other).json()["count"] == 0
    listed = client.get("/api/v1/alarms?open=true", headers=own).json()
    assert listed["count"] == 1 and sum(listed["open_by_level"].values()) == 1
    assert listed["open_by_level"][drill["level"]] == 1
    assert client.get("/api/v1/alarm-events", headers=other).json()["data"] == []
    assert client.get("/api/v1/alarm-deliveries", headers=other).json()["data"] == []
    events = client.get("/api/v1/alarm-events", params={"enterprise_id": world.enterprise["a"]}, headers=own).json()
    assert [e["kind"] for e in events["data"]] == ["raised"]
    assert client.post(f"/api/v1/alarms/{drill['alarm_id']}/acknowledge", json={},
                       headers=other).status_code == 404
    assert client.post(f"/api/v1/alarms/{drill['alarm_id']}/acknowledge", json={},
                       headers=login("regulator")).status_code == 403


def test_a_drill_points_its_worst_case_at_the_nearest_receptor_whatever_the_wind_does_now(app, client, world, login):
    with app.state.sessionmaker() as session:
        prepare_park(session, session.get(Park, world.park))
    # The village (118.84 E) lies east of the tank (118.79 E): a wind from the east (90 deg) carries
    # the cloud west, away from it; HJ 169's worst case still blows toward it, from the west.
    weather = {"wind_speed_m_s": 3.0, "wind_from_deg": 90.0, "stability": "D"}
    r = client.post("/api/v1/drills", json={"rate_kg_s": 1.0, "duration_s": 600, "weather": weather},
                    headers=login("command"))
    assert r.status_code == 201, r.text
    drill = r.json()
    assert drill["release"]["given"]["weather"]["wind_from_deg"] == 90.0
    # Tank (118.79, 32.255) to village (118.84, 32.25): 0.05 deg E x 111.32 km x cos(32.25 deg) = 4.71 km east,
    # 0.005 deg x 110.9 km = 0.555 km south; bearing 90 + atan(0.555 / 4.71) = 96.7 deg, so from 276.7 deg.
    assert 276.2 < drill["release"]["worst_case"]["weather"]["wind_from_deg"] < 277.2
    assert [(x["name"], x["weather"]) for x in drill["reached"]] == [("长芦社区", "worst_case")]
