"""The park console in a real browser (Playwright driving Debian's Chromium).

Skipped with a message where no browser is found; under CI (CI=true) a missing browser is a
failure, as .ci/run installs one. Screenshots of the views go to artifacts/console/.
"""

import os
import shutil
import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import uvicorn
from sqlalchemy import func, select

from parksteward.api import create_app
from parksteward.config import Settings
from parksteward.hj212 import build_frame
from parksteward.registry.tables import Device, MonitoringPoint
from parksteward.web import console
from tests.factories import PASSWORD, build_world

SHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "console"
CHROMIUM = os.environ.get("PARKSTEWARD_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[dev]')"
    if CHROMIUM is None:
        return "no Chromium found (Debian: apt-get install chromium; or set PARKSTEWARD_CHROMIUM)"
    if not console.built():
        return "the console is not built (make console needs Node.js and npm)"
    return None


@pytest.fixture(scope="module")
def browser():
    missing = _missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests must run in CI: {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--use-gl=swiftshader",
                                                                             "--enable-unsafe-swiftshader"])
        yield browser
        browser.close()


@pytest.fixture
def server(database_url, tmp_path):
    app = create_app(Settings(database_url=database_url, secret_key="test-secret-of-at-least-32-bytes-length",
                              data_dir=tmp_path / "data", document_dir=tmp_path / "documents"))
    with app.state.sessionmaker() as session:
        world = build_world(session)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}", app, world
    server.should_exit = True
    thread.join(10)
    app.state.engine.dispose()


def _log_in(browser, base: str, username: str, password: str = PASSWORD):
    page = browser.new_page(viewport={"width": 1400, "height": 860})
    page.goto(f"{base}/console")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    return page


def _rendered_points(page) -> set[str]:
    page.wait_for_function("window.parkMap && window.parkMap.loaded() && window.parkMap.isStyleLoaded()",
                           timeout=30_000)
    page.wait_for_timeout(300)  # the last frame drawn
    codes = page.evaluate("window.parkMap.queryRenderedFeatures({layers: ['monitoring_point-circle']})"
                          ".map(f => f.properties.code)")
    return set(codes)


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_the_map_shows_every_monitoring_point_of_the_park(browser, server):
    base, app, _ = server
    with app.state.sessionmaker() as session:
        stored = set(session.scalars(select(MonitoringPoint.code)))
    page = _log_in(browser, base, "admin")
    assert _rendered_points(page) == stored and len(stored) >= 3
    assert page.inner_text("[data-testid=point-count]").startswith(f"{len(stored)} ")
    _shot(page, "map-admin")
    page.close()


def test_a_wrong_password_is_refused_in_chinese_by_default(browser, server):
    base, _, _ = server
    page = _log_in(browser, base, "admin", "not the password")
    from playwright.sync_api import expect

    expect(page.locator("[role=alert]")).to_have_text("用户名或密码错误", timeout=10_000)
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    _shot(page, "login-refused")
    page.close()


def test_switching_language_shows_english_and_sticks(browser, server):
    base, _, _ = server
    page = _log_in(browser, base, "steward")
    page.wait_for_selector("[data-testid=point-count]")
    assert "监测点位" in page.inner_text("aside")
    page.click("[data-testid=language]")
    page.wait_for_selector("[data-testid=point-count]")
    assert "Monitoring points" in page.inner_text("aside") and "监测点位" not in page.inner_text("aside")
    page.reload()
    page.wait_for_selector("[data-testid=point-count]")
    assert page.evaluate("document.documentElement.lang") == "en"
    _shot(page, "map-english")
    page.close()


def test_an_enterprise_user_sees_only_its_own_points(browser, server):
    base, app, world = server
    with app.state.sessionmaker() as session:
        own = set(session.scalars(select(MonitoringPoint.code).where(
            MonitoringPoint.enterprise_id == world.enterprise["a"])))
        others = session.scalar(select(func.count()).select_from(MonitoringPoint).where(
            MonitoringPoint.enterprise_id != world.enterprise["a"]))
    assert own and others  # the world has points of another enterprise to hide
    page = _log_in(browser, base, "ent_a")
    assert _rendered_points(page) == own
    _shot(page, "map-enterprise")
    page.close()


def test_a_committed_frame_changes_a_points_colour_and_value_on_screen_within_2_s(browser, server):
    from playwright.sync_api import expect

    base, app, world = server
    with app.state.sessionmaker() as session:
        device = session.get(Device, world.device["a"])
        point = session.get(MonitoringPoint, device.point_id)
        mn, code, lon, lat = device.mn, point.code, point.lon, point.lat
    page = _log_in(browser, base, "admin")
    _rendered_points(page)
    x, y = page.evaluate(f"(() => {{ const p = window.parkMap.project([{lon}, {lat}]); return [p.x, p.y]; }})()")
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)  # the point's panel opens
    panel = page.locator(f".panel[data-point='{code}']")
    expect(panel).to_be_visible(timeout=10_000)
    page.wait_for_function("window.liveStream && window.liveStream.readyState === 1", timeout=10_000)
    assert page.evaluate(f"window.parkMap.getFeatureState({{source: 'park', id: '{code}'}}).status") is None

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
    _shot(page, "point-live")
    page.close()
