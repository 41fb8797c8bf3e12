"""The park console in a real browser (Playwright driving Debian's Chromium).

The fixtures and helpers are in tests/web/browser.py; screenshots go to artifacts/console/.
"""

import socket
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import func, select

from parksteward.hj212 import build_frame
from parksteward.registry.tables import Device, EmissionSource, MonitoringPoint, RiskSource
from tests.factories import PASSWORD
from tests.web.browser import log_in, rendered_points, shot

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_the_map_shows_every_monitoring_point_of_the_park(browser, server):
    base, app, _ = server
    with app.state.sessionmaker() as session:
        stored = set(session.scalars(select(MonitoringPoint.code)))
    page = log_in(browser, base, "admin")
    assert rendered_points(page) == stored and len(stored) >= 3
    assert page.inner_text("[data-testid=point-count]").startswith(f"{len(stored)} ")
    shot(page, "map-admin")
    page.close()


def test_a_wrong_password_is_refused_in_chinese_by_default(browser, server):
    base, _, _ = server
    page = log_in(browser, base, "admin", "not the password")
    from playwright.sync_api import expect

    expect(page.locator("[role=alert]")).to_have_text("用户名或密码错误", timeout=10_000)
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    shot(page, "login-refused")
    page.close()


def test_switching_language_shows_english_and_sticks(browser, server):
    base, _, _ = server
    page = log_in(browser, base, "steward")
    page.wait_for_selector("[data-testid=point-count]")
    assert "监测点位" in page.inner_text("aside")
    page.click("[data-testid=language]")
    page.wait_for_selector("[data-testid=point-count]")
    assert "Monitoring points" in page.inner_text("aside") and "监测点位" not in page.inner_text("aside")
    page.reload()
    page.wait_for_selector("[data-testid=point-count]")
    assert page.evaluate("document.documentElement.lang") == "en"
    shot(page, "map-english")
    page.close()


def test_an_enterprise_user_sees_only_its_own_points(browser, server):
    base, app, world = server
    with app.state.sessionmaker() as session:
        own = set(session.scalars(select(MonitoringPoint.code).where(
            MonitoringPoint.enterprise_id == world.enterprise["a"])))
        others = session.scalar(select(func.count()).select_from(MonitoringPoint).where(
            MonitoringPoint.enterprise_id != world.enterprise["a"]))
    assert own and others  # the world has points of another enterprise to hide
    page = log_in(browser, base, "ent_a")
    assert rendered_points(page) == own
    shot(page, "map-enterprise")
    page.close()


def open_waiting_point(page, code: str, lon: float, lat: float):
    """Click a point on the map, as a user does; its panel opens, the live stream is connected, and
    the point is still waiting (the store holds no data of it yet, says /live/status)."""
    from playwright.sync_api import expect

    rendered_points(page)
    x, y = page.evaluate(f"(() => {{ const p = window.parkMap.project([{lon}, {lat}]); return [p.x, p.y]; }})()")
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    panel = page.locator(f".panel[data-point='{code}']")
    expect(panel).to_be_visible(timeout=10_000)
    page.wait_for_function("window.liveStream && window.liveStream.readyState === 1", timeout=10_000)
    page.wait_for_function(f"window.parkMap.getFeatureState({{source: 'park', id: '{code}'}}).status === 'waiting'",
                           timeout=10_000)
    return panel


def test_a_committed_frame_changes_a_points_colour_and_value_on_screen_within_2_s(browser, server):
    from playwright.sync_api import expect

    base, app, world = server
    with app.state.sessionmaker() as session:
        device = session.get(Device, world.device["a"])
        point = session.get(MonitoringPoint, device.point_id)
        mn, code, lon, lat = device.mn, point.code, point.lon, point.lat
    page = log_in(browser, base, "admin")
    panel = open_waiting_point(page, code, lon, lat)

    now = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y%m%d%H%M%S")
    frame = build_frame(st="31", cn="2011", mn=mn, pw="123456", qn=f"{now}000",
                        cp=[("DataTime", now), ("a21026-Rtd", "47.25"), ("a21026-Flag", "N")])
    token = httpx.post(f"{base}/api/v1/auth/token", data={"username": "admin", "password": PASSWORD}).json()
    answer = httpx.post(f"{base}/api/v1/ingest/frames", content=frame.decode().strip(),
                        headers={"Authorization": f"Bearer {token['access_token']}", "Content-Type": "text/plain"})
    assert answer.status_code == 200 and answer.json()["data"][0]["ok"], answer.text
    # Committed (the answer comes after the commit): on screen within 2 s, no reload.
    row = panel.locator("tr[data-factor='a21026']")
    expect(row.locator("td.number")).to_have_text("47.25", timeout=2_000)
    assert row.locator("td").nth(0).inner_text() == "二氧化硫"  # a21026 in the factor catalogue (HJ 212-2017)
    assert row.locator("td").nth(2).inner_text() == "mg/m³"
    assert page.evaluate(f"window.parkMap.getFeatureState({{source: 'park', id: '{code}'}}).status") == "normal"
    shot(page, "point-live")
    page.close()


def test_a_frame_sent_to_the_tcp_gateway_shows_on_screen_within_2_s(browser, served):
    """The whole path: an HJ 212 frame over TCP to the gateway, its acknowledgement (sent after the
    commit), then the value and colour in the open panel of the console, without a reload."""
    from playwright.sync_api import expect

    with served.sessions() as session:
        device = session.get(Device, served.world.device["b"])
        point = session.get(MonitoringPoint, device.point_id)
        mn, code, lon, lat = device.mn, point.code, point.lon, point.lat
    page = log_in(browser, served.base, "steward")
    panel = open_waiting_point(page, code, lon, lat)

    now = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y%m%d%H%M%S")
    frame = build_frame(st="31", cn="2011", mn=mn, pw="123456", qn=f"{now}000", flag=5,
                        cp=[("DataTime", now), ("a21026-Rtd", "63.5"), ("a21026-Flag", "N"),
                            ("a21002-Rtd", "88.25"), ("a21002-Flag", "N")])
    with socket.create_connection(("127.0.0.1", served.gateway_port), timeout=5) as logger:
        logger.sendall(frame)
        logger.settimeout(5)
        reply = logger.recv(4096)
    sent_at = time.monotonic()
    assert b"CN=9014" in reply, reply  # the data answer (数据应答): the frame is committed
    row = panel.locator("tr[data-factor='a21002']")
    expect(row.locator("td.number")).to_have_text("88.25", timeout=2_000)
    expect(panel.locator("tr[data-factor='a21026'] td.number")).to_have_text("63.5", timeout=2_000)
    page.wait_for_function(f"window.parkMap.getFeatureState({{source: 'park', id: '{code}'}}).status === 'normal'",
                           timeout=max(0.0, 2.0 - (time.monotonic() - sent_at)) * 1000 + 1)
    assert row.locator("td").nth(0).inner_text() == "氮氧化物"  # a21002 in the factor catalogue
    shot(page, "point-live-from-gateway")
    page.close()


def test_the_3d_view_raises_tanks_and_stacks_to_their_recorded_heights(browser, server):
    base, app, _ = server
    with app.state.sessionmaker() as session:
        tanks = session.scalars(select(RiskSource.tank_height_m).where(
            RiskSource.tank_height_m.is_not(None), RiskSource.capacity_m3.is_not(None))).all()
        stacks = session.scalars(select(EmissionSource.stack_height_m).where(
            EmissionSource.stack_height_m.is_not(None))).all()
    assert tanks and stacks
    page = log_in(browser, base, "regulator")
    rendered_points(page)
    page.click("[data-testid=tilt]")
    page.wait_for_function("window.parkMap.getPitch() > 50 && !window.parkMap.isMoving()", timeout=10_000)
    page.wait_for_timeout(300)
    heights = page.evaluate("window.parkMap.getSource('solids').serialize().data.features.map(f => f.properties.height)")
    assert sorted(heights) == sorted(tanks + stacks)  # one solid each, at its recorded height [m]
    assert page.evaluate("window.parkMap.queryRenderedFeatures({layers: ['solids']}).length") > 0  # drawn
    shot(page, "map-3d")
    page.click("[data-testid=tilt]")
    page.wait_for_function("window.parkMap.getPitch() === 0", timeout=10_000)
    page.close()
