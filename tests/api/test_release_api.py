"""Release drills over the API: a chlorine leak at a registered tank gives threat zones and the
sensitive receptor's peak and arrival time, under the given and the worst-case weather."""

from __future__ import annotations

from shapely.geometry import Point, shape


def test_a_chlorine_leak_at_a_tank(client, world, login):
    command = login("command")
    answer = client.post("/api/v1/releases", headers=command, json={
        "chemical": "氯", "rate_kg_s": 2.0, "duration_s": 600, "risk_source_id": world.risk_source["a"],
        "weather": {"wind_speed_m_s": 2.0, "wind_from_deg": 0.0, "stability": "D"}})
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["chemical"]["cas"] == "7782-50-5" and "T-301" in report["source"]["where"]
    assert report["given"]["weather"]["stability"] == "D" and report["worst_case"]["weather"]["stability"] == "F"
    [receptor] = report["given"]["receptors"]  # the factories' one sensitive receptor
    assert receptor["name"] == "长芦社区"
    zones = report["given"]["geojson"]["features"]
    assert zones, report["given"]["zones"]
    # wind from the north: the zones lie south of the tank (118.79, 32.255)
    for feature in zones:
        centroid = shape(feature["geometry"]).centroid
        assert centroid.y < 32.255
    assert not shape(zones[0]["geometry"]).contains(Point(118.79, 32.30))


def test_bad_release_requests_name_the_field(client, world, login):
    command = login("command")
    unknown = client.post("/api/v1/releases", headers=command, json={
        "chemical": "unobtainium", "rate_kg_s": 1.0, "duration_s": 600, "lon": 118.8, "lat": 32.25})
    assert unknown.status_code == 422 and unknown.json()["detail"][0]["loc"] == ["chemical"]
    nowhere = client.post("/api/v1/releases", headers=command, json={
        "chemical": "ammonia", "rate_kg_s": 1.0, "duration_s": 600})
    assert nowhere.status_code == 422 and "risk_source_id" in nowhere.text
    calm = client.post("/api/v1/releases", headers=command, json={
        "chemical": "ammonia", "rate_kg_s": 1.0, "duration_s": 600, "lon": 118.8, "lat": 32.25,
        "weather": {"wind_speed_m_s": 0.3, "wind_from_deg": 0, "stability": "F"}})
    assert calm.status_code == 422 and calm.json()["detail"][0]["loc"] == ["wind_speed_m_s"]
