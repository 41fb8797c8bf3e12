"""HTTP batch upload of HJ 212 frames and JSON readings."""

from __future__ import annotations

from parksteward.hj212 import build_frame
from parksteward.registry.tables import Device


def mns(app, world):
    with app.state.sessionmaker() as session:
        return {k: session.get(Device, world.device[k]).mn for k in ("a", "b")}


def frame(mn: str, qn: str, value: str = "24.8") -> str:
    return build_frame(st="31", cn="2011", mn=mn, pw="123456", qn=qn,
                       cp=[("DataTime", "20250315093000"), ("a21026-Rtd", value), ("a21026-Flag", "N")]).decode()


def test_frames_one_per_line_with_literal_or_real_line_ends(client, app, world, login):
    mn = mns(app, world)["a"]
    body = frame(mn, "Q1").replace("\r\n", "\\r\\n") + "\n" + "##0010garbage\n" + frame(mn, "Q1")
    response = client.post("/api/v1/ingest/frames", content=body, headers={
        **login("steward"), "Content-Type": "text/plain"})
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["accepted"], result["refused"], result["readings"]) == (2, 1, 2)
    assert [d["ok"] for d in result["data"]] == [True, False, True]
    assert result["data"][0]["reply"].startswith("##") and "CN=9014" in result["data"][0]["reply"]
    # Both copies of the frame land on one reading (idempotent).
    series = client.get(f"/api/v1/points/{world.point['a']}/series", headers=login("admin"), params={
        "factor": "a21026", "from": "2025-03-15T00:00:00Z", "to": "2025-03-16T00:00:00Z"}).json()
    assert series["count"] == 1 and series["data"][0]["value"] == 24.8


def test_an_enterprise_uploads_for_its_own_devices_only(client, app, world, login):
    devices = mns(app, world)
    body = frame(devices["a"], "Q1") + frame(devices["b"], "Q2", "99.0")
    result = client.post("/api/v1/ingest/frames", content=body, headers={
        **login("ent_a"), "Content-Type": "text/plain"}).json()
    assert [(d["ok"], d["kind"]) for d in result["data"]] == [(True, None), (False, "not_your_device")]
    b_series = client.get(f"/api/v1/points/{world.point['b']}/series", headers=login("admin"), params={
        "factor": "a21026", "from": "2025-03-15T00:00:00Z", "to": "2025-03-16T00:00:00Z"}).json()
    assert b_series["count"] == 0


def test_reading_roles_may_not_upload(client, world, login):
    response = client.post("/api/v1/ingest/frames", content="x", headers={
        **login("regulator"), "Content-Type": "text/plain"})
    assert response.status_code == 403


def test_json_readings_over_http(client, app, world, login):
    mn = mns(app, world)["a"]
    message = {"mn": mn, "pw": "123456", "cn": "2061", "data_time": "2025-03-15T09:00:00",
               "values": [{"code": "a21026", "field": "Avg", "value": 24.8, "flag": "N"}]}
    result = client.post("/api/v1/ingest/readings", json=[message, {**message, "pw": "nope"}],
                         headers=login("steward")).json()
    assert [(d["ok"], d["kind"]) for d in result["data"]] == [(True, None), (False, "wrong_password")]
    bad = client.post("/api/v1/ingest/readings", content=b'{"mn": 1}', headers=login("steward")).json()
    assert bad["data"][0]["kind"] == "bad_json" and "pw" in bad["data"][0]["message"]
    series = client.get(f"/api/v1/points/{world.point['a']}/series", headers=login("admin"), params={
        "factor": "a21026", "interval": "hour", "from": "2025-03-15T00:00:00Z", "to": "2025-03-16T00:00:00Z"}).json()
    # 09:00 without an offset is the park's local time (UTC+8): 01:00 UTC.
    assert [(p["t"], p["value"]) for p in series["data"]] == [("2025-03-15T01:00:00Z", 24.8)]
