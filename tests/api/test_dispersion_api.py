"""Dispersion runs through the API: background jobs, progress, results and who sees them."""

from __future__ import annotations

import time

SCENARIO = {"name": "quick look", "pollutant": "SO2", "meteorology": {"synthetic_year": 2025, "hours": 24},
            "receptors": {"grid": {"nx": 9, "ny": 9, "spacing_m": 500}}}


def _wait(client, headers, run_id, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/dispersion/runs/{run_id}", headers=headers).json()
        if body["state"] in ("done", "failed"):
            return body
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} not finished after {timeout} s")


def test_a_run_goes_from_queued_to_done_with_its_results(client, world, login):
    steward = login("steward")
    started = client.post("/api/v1/dispersion/runs", json={"scenario": SCENARIO}, headers=steward)
    assert started.status_code == 202, started.text
    run = started.json()
    assert run["state"] in ("queued", "running", "done") and run["hours_total"] == 24
    finished = _wait(client, steward, run["id"])
    assert finished["state"] == "done", finished["error"]
    assert finished["progress"] == 1.0 and finished["hours_done"] == 24
    summary = finished["summary"]
    assert summary["stacks"] == 2 and summary["hours"] == 24 and summary["max_1h"]["value_ug_m3"] > 0
    contours = client.get(f"/api/v1/dispersion/runs/{run['id']}/contours", headers=steward)
    assert contours.status_code == 200 and contours.json()["type"] == "FeatureCollection"
    csv = client.get(f"/api/v1/dispersion/runs/{run['id']}/receptors.csv", headers=steward)
    assert csv.status_code == 200 and len(csv.text.splitlines()) == 1 + 81 + 1  # header, grid, sensitive receptor
    hourly = client.get(f"/api/v1/dispersion/runs/{run['id']}/hourly.csv", headers=steward)
    assert hourly.status_code == 200
    lines = hourly.text.splitlines()
    assert lines[0] == "hour_utc,calm,长芦社区" and len(lines) == 1 + 24  # the sensitive receptor, hour by hour
    listed = client.get("/api/v1/dispersion/runs", headers=steward).json()
    assert listed["count"] == 1 and listed["data"][0]["id"] == run["id"]


def test_an_enterprise_models_only_its_stacks_and_sees_only_its_runs(client, world, login):
    park_run = client.post("/api/v1/dispersion/runs", json={"scenario": SCENARIO}, headers=login("steward")).json()
    own = client.post("/api/v1/dispersion/runs", json={"scenario": SCENARIO}, headers=login("ent_a"))
    assert own.status_code == 202, own.text
    own = own.json()
    assert own["enterprise_id"] == world.enterprise["a"]
    done = _wait(client, login("ent_a"), own["id"])
    assert done["state"] == "done", done["error"]
    assert done["summary"]["stacks"] == 1  # its own stack only
    # another enterprise and the park's run are not found (404: existence does not leak)
    assert client.get(f"/api/v1/dispersion/runs/{own['id']}", headers=login("ent_b")).status_code == 404
    assert client.get(f"/api/v1/dispersion/runs/{park_run['id']}", headers=login("ent_a")).status_code == 404
    assert [r["id"] for r in client.get("/api/v1/dispersion/runs", headers=login("ent_a")).json()["data"]] == [own["id"]]
    assert client.get("/api/v1/dispersion/runs", headers=login("ent_b")).json()["count"] == 0
    _wait(client, login("steward"), park_run["id"])


def test_bad_scenarios_are_refused_naming_the_field(client, world, login):
    steward = login("steward")
    bad = client.post("/api/v1/dispersion/runs", json={"scenario": {**SCENARIO, "land": "suburban"}}, headers=steward)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["land"]
    server_file = {**SCENARIO, "meteorology": {"csv": "/etc/passwd"}}
    refused = client.post("/api/v1/dispersion/runs", json={"scenario": server_file}, headers=steward)
    assert refused.status_code == 422 and "scenario.meteorology.csv" in refused.text
    unknown_rate = {**SCENARIO, "sources": {"rates_g_s": {"nobody/DA001": 1.0}}}
    assert client.post("/api/v1/dispersion/runs", json={"scenario": unknown_rate}, headers=steward).status_code == 422
    assert client.get("/api/v1/dispersion/runs", headers=steward).json()["count"] == 0  # nothing stored


def test_results_wait_for_the_run_and_need_a_login(client, world, login):
    assert client.get("/api/v1/dispersion/runs").status_code == 401
    steward = login("steward")
    year = {**SCENARIO, "meteorology": {"synthetic_year": 2025, "hours": 2000}}
    run = client.post("/api/v1/dispersion/runs", json={"scenario": year}, headers=steward).json()
    early = client.get(f"/api/v1/dispersion/runs/{run['id']}/contours", headers=steward)
    assert early.status_code == 409 and "results exist once it is done" in early.text
    _wait(client, steward, run["id"])
