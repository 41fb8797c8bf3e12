"""Latest values and series over HTTP, after frames went through the pipeline."""

from __future__ import annotations

from parksteward.hj212 import build_frame
from parksteward.ingest.pipeline import Arrival, Pipeline
from parksteward.registry.tables import Device


def ingest(app, world, key: str, frames: list[tuple[str, str, list]]) -> None:
    with app.state.sessionmaker() as session:
        mn = session.get(Device, world.device[key]).mn
    pipeline = Pipeline(app.state.engine)
    arrivals = [Arrival(build_frame(st="31", cn=cn, mn=mn, pw="123456", qn=f"Q{i}", cp=[("DataTime", dt)] + cp))
                for i, (cn, dt, cp) in enumerate(frames)]
    assert all(o.ok for o in pipeline.process(arrivals))


def test_series_and_latest(client, app, world, login):
    frames = [("2061", f"202503150{h}0000", [("a21026-Avg", f"{20 + h}.0"), ("a21026-Flag", "N" if h != 8 else "D")])
              for h in (7, 8, 9)]
    frames.append(("2011", "20250315093015", [("a21026-Rtd", "31.5"), ("a21026-Flag", "N")]))
    ingest(app, world, "a", frames)
    headers = login("ent_a")
    point = world.point["a"]
    response = client.get(f"/api/v1/points/{point}/series", headers=headers, params={
        "factor": "a21026", "interval": "hour", "from": "2025-03-14T23:00:00Z", "to": "2025-03-15T01:00:00Z"})
    assert response.status_code == 200, response.text
    body = response.json()
    # 07:00-09:00 Asia/Shanghai are 23:00-01:00 UTC; the 08:00 value carries flag D (invalid).
    assert body["unit"] == "mg/m³" and body["field"] == "Avg" and body["count"] == 3
    assert [(p["t"], p["value"], p["flag"], p["valid"]) for p in body["data"]] == [
        ("2025-03-14T23:00:00Z", 27.0, "N", True),
        ("2025-03-15T00:00:00Z", 28.0, "D", False),
        ("2025-03-15T01:00:00Z", 29.0, "N", True),
    ]
    raw = client.get(f"/api/v1/points/{point}/series", headers=headers, params={
        "factor": "a21026", "from": "2025-03-15T01:00:00+00:00", "to": "2025-03-15T02:00:00+00:00"}).json()
    assert [(p["t"], p["value"]) for p in raw["data"]] == [("2025-03-15T01:30:15Z", 31.5)]
    latest = client.get(f"/api/v1/points/{point}/latest", headers=headers).json()["data"]
    assert {(v["interval"], v["field"], v["value"], v["t"]) for v in latest} == {
        ("hour", "Avg", 29.0, "2025-03-15T01:00:00Z"), ("raw", "Rtd", 31.5, "2025-03-15T01:30:15Z")}
    assert latest[0]["name_zh"] == "二氧化硫"


def test_series_refuses_bad_ranges(client, world, login):
    headers = login("admin")
    url = f"/api/v1/points/{world.point['a']}/series"
    assert client.get(url, headers=headers, params={"factor": "a21026", "interval": "week"}).status_code == 422
    response = client.get(url, headers=headers, params={"factor": "a21026", "from": "2025-03-16T00:00:00Z",
                                                         "to": "2025-03-15T00:00:00Z"})
    assert response.status_code == 422 and "after" in response.text
