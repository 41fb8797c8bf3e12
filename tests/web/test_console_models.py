"""Models on the console's map (issue 7, item 5): a release drill's threat zones and a dispersion
run's contours, started from the console, against the API's own answers for the same request.

The world's chlorine tank T-301 of enterprise A stands at 118.79 E, 32.255 N. The tests add two
receptors due east of it: one 500 m away (inside any chlorine zone of a 1 kg/s release blowing
east) and one 20 km away (beyond the release model's 10 km range), so which receptors a drill
reaches is known before the model runs.
"""

import math

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from parksteward.access.actor import SYSTEM
from parksteward.alarms.tables import Alarm
from parksteward.registry import service
from tests.factories import PASSWORD
from tests.web.browser import log_in, rendered_points, shot

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

TANK = (118.79, 32.255)
# Wind from the west (270 deg): the cloud goes east, over the two receptors below.
WEATHER = {"wind_speed_m_s": 3.0, "wind_from_deg": 270.0, "stability": "D"}
NEAR, FAR = "东侧近邻村", "东侧远方镇"


def _east_of(lon, lat, metres):
    """The point ``metres`` due east (spherical Earth, R = 6,371 km: good to a metre over 20 km)."""
    return lon + math.degrees(metres / (6_371_000.0 * math.cos(math.radians(lat)))), lat


def _add_receptors(app, world):
    with app.state.sessionmaker() as session:
        for name, metres in ((NEAR, 500.0), (FAR, 20_000.0)):
            service.sensitive_receptors.create(session, SYSTEM, {
                "park_id": world.park, "name": name, "kind": "residential", "population": 800,
                "geometry": {"type": "Point", "coordinates": list(_east_of(*TANK, metres))},
            })


def _token(base, username):
    answer = httpx.post(f"{base}/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _open_models(page):
    rendered_points(page)  # the map is up
    page.click("[data-testid=models-nav]")
    expect(page.locator("[data-testid=models-panel]")).to_be_visible()


def _zone_keys(features):
    return sorted((f["properties"]["weather"], f["properties"]["endpoint"], f["properties"]["threshold_mg_m3"],
                   round(f["properties"]["downwind_distance_m"], 3)) for f in features)


def _map_data(page, source):
    return page.evaluate(f"window.parkMap.getSource('{source}').getData()")


def test_a_command_user_starts_a_chlorine_drill_and_sees_its_threat_zones(browser, server):
    base, app, world = server
    _add_receptors(app, world)
    page = log_in(browser, base, "command")
    _open_models(page)
    # The form's default is the API's: the park's first chlorine tank, and its chlorine.
    expect(page.locator("[data-testid=drill-source] option")).to_have_count(2)
    assert page.input_value("[data-testid=drill-source]") == str(world.risk_source["a"])
    assert page.input_value("[data-testid=drill-chemical]") == "7782-50-5"
    page.check("[data-testid=drill-weather-given]")
    page.fill("input[name=wind_speed_m_s]", "3")
    page.fill("input[name=wind_from_deg]", "270")
    page.select_option("select[name=stability]", "D")

    # Hold the drill's answer back a moment to see the panel while the request runs.
    held = []
    page.route("**/api/v1/drills", lambda route: held.append((route, route.fetch())))
    page.click("[data-testid=drill-start]")
    progress = page.locator("[data-testid=drill-progress]")
    expect(progress).to_be_visible()
    page.wait_for_function("() => parseFloat(document.querySelector('[data-testid=drill-progress]').textContent"
                           ".replace(/[^0-9.]/g, '')) >= 0.5")
    assert page.is_disabled("[data-testid=drill-start]")
    assert held, "the drill request was not sent"
    route, response = held[0]
    route.fulfill(response=response)
    expect(page.locator("[data-testid=drill-alarm]")).to_be_visible(timeout=30_000)
    expect(progress).to_be_hidden()
    assert page.is_enabled("[data-testid=drill-start]")

    # The store holds the drill's alarm: red, as a receptor lies within endpoint 1.
    alarm_id = int(page.get_attribute("[data-testid=drill-alarm]", "data-alarm-id"))
    with app.state.sessionmaker() as session:
        alarm = session.scalars(select(Alarm).where(Alarm.kind == "drill")).one()
    assert alarm.id == alarm_id and alarm.level == "red" and alarm.risk_source_id == world.risk_source["a"]
    assert f"#{alarm_id}" in page.inner_text("[data-testid=drill-alarm]")

    # The zones on the map are those the release API gives for the same request.
    direct = httpx.post(f"{base}/api/v1/releases", headers=_token(base, "command"), json={
        "chemical": "7782-50-5", "rate_kg_s": 1.0, "duration_s": 600.0, "risk_source_id": world.risk_source["a"],
        "weather": WEATHER}).json()
    expected = direct["given"]["geojson"]["features"] + direct["worst_case"]["geojson"]["features"]
    drawn = _map_data(page, "models-drill-zones")["features"]
    assert len(drawn) == len(expected) == 4  # two endpoints, given and worst-case weather
    assert _zone_keys(drawn) == _zone_keys(expected)
    assert {(f["properties"]["part"], f["properties"]["weather"]) for f in drawn} == {
        ("given", "given"), ("worst_case", "worst_case_hj169")}
    page.wait_for_timeout(300)
    rendered = page.evaluate("window.parkMap.queryRenderedFeatures({layers: ['models-drill-fill']})"
                             ".map(f => f.properties.part + '/' + f.properties.endpoint)")
    assert set(rendered) == {"given/endpoint_1", "given/endpoint_2", "worst_case/endpoint_1", "worst_case/endpoint_2"}

    # The receptors listed and ringed on the map are those reached: the near one within endpoint 1
    # in both weathers, the far one (20 km, beyond the model's range) and 长芦社区 (4.7 km, off the axis of
    # endpoint 2 given 3 m/s) not at all.
    stored = {(r["name"], r["weather"], r["exceeds_endpoint_1"]) for r in alarm.details["reached"]}
    assert stored == {(NEAR, "given", True), (NEAR, "worst_case", True)}
    rows = page.locator("[data-testid=drill-reached] tr[data-receptor]")
    listed = {(rows.nth(i).get_attribute("data-receptor"), rows.nth(i).get_attribute("data-weather"),
               rows.nth(i).get_attribute("data-endpoint")) for i in range(rows.count())}
    assert listed == {(NEAR, "given", "endpoint_1"), (NEAR, "worst_case", "endpoint_1")}
    ringed = _map_data(page, "models-drill-receptors")["features"]
    assert {f["properties"]["name"] for f in ringed} == {NEAR}
    near_lon, near_lat = _east_of(*TANK, 500.0)
    assert ringed[0]["geometry"]["coordinates"] == pytest.approx([near_lon, near_lat], abs=1e-6)
    # Arrival times shown in minutes, as the API gave them in seconds.
    arrivals = {r["weather"]: r["arrival_time_s"] / 60 for r in alarm.details["reached"]}
    shown = page.locator("[data-testid=drill-reached] tr[data-weather=given] td").nth(2).inner_text()
    assert float(shown) == pytest.approx(arrivals["given"], rel=1e-2)
    legend = page.inner_text("[data-testid=drill-legend]")
    assert "毒性终点浓度-1 58 mg/m³" in legend and "毒性终点浓度-2 5.8 mg/m³" in legend  # chlorine, HJ 169 Annex H
    shot(page, "models-drill")

    # Only the worst case, then the layers cleared.
    page.check("[data-testid=drill-view] input[value=worst_case]")
    page.wait_for_timeout(300)
    rendered = page.evaluate("window.parkMap.queryRenderedFeatures({layers: ['models-drill-fill']})"
                             ".map(f => f.properties.part)")
    assert set(rendered) == {"worst_case"}
    page.click("[data-testid=models-clear]")
    assert page.evaluate("!window.parkMap.getLayer('models-drill-fill') && !window.parkMap.getSource('models-drill-zones')")
    page.close()


def test_a_drill_can_be_started_only_once_the_parks_risk_sources_are_listed(browser, server):
    """A click on 开始演练 before the list has loaded used to send risk source 0 (an empty choice)."""
    base, app, world = server
    page = log_in(browser, base, "command")
    rendered_points(page)
    held = []
    page.route("**/api/v1/risk-sources?*", lambda route: held.append(route))
    page.click("[data-testid=models-nav]")
    page.wait_for_function("() => document.querySelector('[data-testid=drill-start]')")
    assert held, "the panel did not ask for the risk sources"
    assert page.is_disabled("[data-testid=drill-start]")
    assert page.locator("[data-testid=drill-source] option").count() == 0
    for route in held:
        route.continue_()
    expect(page.locator("[data-testid=drill-start]")).to_be_enabled()
    assert page.input_value("[data-testid=drill-source]") == str(world.risk_source["a"])  # the chlorine tank
    page.close()


def test_a_regulator_sees_past_drills_but_may_not_start_one(browser, server):
    base, app, world = server
    _add_receptors(app, world)
    started = httpx.post(f"{base}/api/v1/drills", headers=_token(base, "command"), timeout=60,
                         json={"risk_source_id": world.risk_source["b"], "weather": WEATHER})
    assert started.status_code == 201, started.text
    page = log_in(browser, base, "regulator")
    _open_models(page)
    expect(page.locator("[data-testid=drill-section]")).to_contain_text("当前角色只能查看历次结果")
    assert page.locator("[data-testid=drill-start]").count() == 0
    assert page.locator("[data-testid=drill-form]").count() == 0
    past = page.locator(f"[data-testid=drill-past] tr[data-alarm-id='{started.json()['alarm_id']}']")
    expect(past).to_be_visible()
    past.locator("button").click()
    expect(page.locator("[data-testid=drill-alarm]")).to_be_visible(timeout=10_000)
    drawn = _map_data(page, "models-drill-zones")["features"]
    release = started.json()["release"]
    assert _zone_keys(drawn) == _zone_keys(release["given"]["geojson"]["features"]
                                           + release["worst_case"]["geojson"]["features"])
    page.close()


def test_a_dispersion_run_started_from_the_console_shows_progress_then_its_contours(browser, server):
    base, app, world = server
    page = log_in(browser, base, "steward")
    _open_models(page)
    page.select_option("[data-testid=run-hours]", "168")
    # The finest grid: a run long enough for the progress bar to be seen before its end (on the
    # 21 x 21 default a fast machine finished before the first 500-ms poll).
    page.select_option("[data-testid=run-grid]", "41")
    page.fill("[data-testid=run-emission]", "20")
    # Every value the progress bar takes, sampled in the page while the run goes.
    page.evaluate("""() => { window.seenProgress = [];
        setInterval(() => { const box = document.querySelector('[data-testid=run-progress-box]');
          if (box && !box.hidden) window.seenProgress.push(document.querySelector('[data-testid=run-progress-bar]').value);
        }, 50); }""")
    page.click("[data-testid=run-start]")
    expect(page.locator("[data-testid=run-progress]")).to_contain_text("100 %", timeout=120_000)
    expect(page.locator("[data-testid=run-legend]")).to_be_visible()
    seen = page.evaluate("window.seenProgress")
    assert any(0 <= value < 1 for value in seen) and seen[-1] == 1, seen  # shown before the end, full at the end
    run_id = int(page.get_attribute("[data-testid=run-result]", "data-run-id"))

    headers = _token(base, "steward")
    run = httpx.get(f"{base}/api/v1/dispersion/runs/{run_id}", headers=headers).json()
    assert run["state"] == "done" and run["hours_total"] == 168 and run["summary"]["stacks"] == 2
    assert run["scenario"]["sources"]["emission_g_s"] == 20
    contours = httpx.get(f"{base}/api/v1/dispersion/runs/{run_id}/contours", headers=headers).json()
    drawn = _map_data(page, "models-run-contours")["features"]
    assert len(drawn) == len(contours["features"]) > 0
    assert [f["properties"] for f in drawn] == [f["properties"] for f in contours["features"]]
    # The legend lists the highest-hour levels of the run, highest first.
    levels = sorted({f["properties"]["level_ug_m3"] for f in contours["features"]
                     if f["properties"]["statistic"] == "max_1h"}, reverse=True)
    legend = page.locator("[data-testid=run-legend] [data-level]")
    assert [float(legend.nth(i).get_attribute("data-level")) for i in range(legend.count())] == levels
    page.wait_for_timeout(300)
    assert page.evaluate("window.parkMap.queryRenderedFeatures({layers: ['models-run-fill']}).length") > 0
    top = run["summary"]["max_1h"]["value_ug_m3"]
    shown = page.locator("[data-testid=run-statistics] tr[data-statistic=max_1h] td").nth(1).inner_text()
    assert float(shown) == pytest.approx(top, rel=5e-3)  # three significant digits
    expect(page.locator(f"[data-testid=run-past] tr[data-run-id='{run_id}']")).to_contain_text("100 %")
    shot(page, "models-dispersion")
    page.close()
