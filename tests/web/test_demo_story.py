"""Issue 7's "done when", in a browser: a newcomer runs the demo, logs in with the printed account,
and within a minute sees the live park, the night-shift NMHC story in a chart, the tank warning
arrive with its advice, and starts a chlorine-leak drill whose threat zone reaches a village or
school. One `parksteward demo` process, as `make demo` runs it (SQLite, its device simulator),
then checked over plain HTTP and TCP for the rest of what the command promises.
"""

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from parksteward.sim.demo_park import DEMO_USERS
from parksteward.sim.stories import NIGHT_WINDOW_H
from tests.serving import free_port, wait_until_answering
from tests.web.browser import shot

PARK_ZONE = ZoneInfo("Asia/Shanghai")
# It times a newcomer's first minute: `make test` runs it by itself, after the rest.
pytestmark = pytest.mark.alone


@pytest.fixture
def demo(tmp_path):
    port, gateway_port = free_port(), free_port()
    env = {**os.environ, "PARKSTEWARD_SECRET_KEY": "a-secret-for-this-test-only-32-bytes!"}
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "parksteward.cli", "demo", "--data-dir", str(tmp_path), "--port", str(port),
         "--gateway-port", str(gateway_port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
    base = f"http://127.0.0.1:{port}"
    wait_until_answering(process, f"{base}/api/v1/health", 120, "the demo")
    yield Demo(base, started, gateway_port, tmp_path)
    process.terminate()
    output, _ = process.communicate(timeout=30)
    # What a newcomer reads in the terminal: the address to open and the accounts to log in with.
    assert f"http://127.0.0.1:{port}/" in output and all(name in output for name in DEMO_USERS), output[-2000:]


@dataclass
class Demo:
    base: str
    started: float  # time.monotonic() when the command ran
    gateway_port: int
    data_dir: Path


def check_served_over_http(demo: Demo) -> None:
    """The rest of what `parksteward demo` promises, over HTTP and TCP: the landing page, the
    store, the gateway, the notarized and cosigned log, and the flat-line story's warning."""
    landing = httpx.get(demo.base + "/")
    assert landing.status_code == 200 and "82" in landing.text and "入驻企业" in landing.text
    username, (password, _role) = next(iter(DEMO_USERS.items()))
    token = httpx.post(f"{demo.base}/api/v1/auth/token", data={"username": username, "password": password})
    assert token.status_code == 200, token.text
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert httpx.get(f"{demo.base}/api/v1/enterprises?limit=1", headers=headers).json()["count"] == 82
    assert (demo.data_dir / "demo.db").exists()
    with socket.create_connection(("127.0.0.1", demo.gateway_port), timeout=5):  # the HJ 212 gateway
        pass
    # The simulated devices' frames are notarized, and the demo's regulator and auditor witnesses
    # (served under /witnesses/) cosign the checkpoints over HTTP.
    deadline = time.monotonic() + 60
    while True:
        head = httpx.get(f"{demo.base}/api/v1/ledger", headers=headers).json()
        if head["checkpoint"] and head["checkpoint"]["final"]:
            break
        assert time.monotonic() < deadline, f"no final checkpoint within 60 s: {head}"
        time.sleep(1)
    assert head["size"] > 0 and sorted(head["checkpoint"]["cosigners"]) == [
        "auditor.demo.parksteward.local/witness", "regulator.demo.parksteward.local/witness"]
    assert (demo.data_dir / "witnesses" / "trust.txt").exists() and (demo.data_dir / "ledger" / "log.key").exists()
    # The flat pH of the story outlet raises its warning, in Chinese with its English beside it.
    deadline = time.monotonic() + 60
    while True:
        open_alarms = httpx.get(f"{demo.base}/api/v1/alarms?open=true&limit=1000", headers=headers).json()["data"]
        flat = [a for a in open_alarms if a["kind"] == "flat_line" and a["factor"] == "w01001"]
        if flat:
            break
        assert time.monotonic() < deadline, f"no flat-line alarm: {open_alarms}"
        time.sleep(2)
    assert "恒定为 7.21" in flat[0]["message"] and "stuck at 7.21" in flat[0]["message_en"]


# The newcomer's minute starts when they have logged in at the printed URL (the command first
# builds the park: about 20 s on two cores). Bounds from the login [s]; the test prints what it
# measured, from the login and from the command's start (benchmarks/console.py startup times
# the same over HTTP, without a browser beside the demo).
LIVE_PARK_S = 75
TANK_WARNING_S = 75
NIGHT_SHIFT_S = 120


def remaining_ms(started: float, bound_s: float) -> int:
    return max(1_000, int(1000 * (bound_s - (time.monotonic() - started))))


def test_a_newcomer_sees_the_demo_parks_stories_within_a_minute(browser, demo):
    from playwright.sync_api import expect

    base, started = demo.base, demo.started
    password = DEMO_USERS["command"][0]
    page = browser.new_page(viewport={"width": 1600, "height": 900})
    page.goto(f"{base}/console")
    page.fill("input[name=username]", "command")
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_function("window.parkMap && window.parkMap.loaded() && window.consoleContext", timeout=30_000)
    logged_in = time.monotonic()

    # The live park: most of its 638 points have valid data (green). The park is built in about
    # 20 s; the simulator then replays three hours at 720 x (minute data, the last 5 min of
    # real-time values), and the devices are live once the gateway has taken that in; the day
    # before follows as stored hours, two a second per device (sim/simulator.py).
    page.wait_for_function("""() => { const ctx = window.consoleContext;
        return ctx.points.filter((p) => ctx.pointState(p.code).status === 'normal').length > 500; }""",
                           timeout=remaining_ms(logged_in, LIVE_PARK_S))
    seen = {"logged in": logged_in, "live park on the map": time.monotonic()}
    # The park's plan on the map: its six functional zones, named (tests/sim/test_demo_park.py checks them).
    expect(page.locator(".map-label-functional_zone")).to_have_count(6)
    expect(page.locator(".map-label-functional_zone", has_text="沿江仓储物流区")).to_be_visible()
    shot(page, "demo-park")

    # The tank warning arrives, with its plan's advice (the tank crosses 80 % two simulated hours in).
    page.click("[data-testid=alarms-nav]")
    tank = page.locator(".alarms-row", has_text="T-104")
    # The replay reaches the tank's 80 % two simulated hours in, 10 s after it starts.
    expect(tank.first).to_be_visible(timeout=remaining_ms(logged_in, TANK_WARNING_S))
    seen["tank warning on screen"] = time.monotonic()
    tank.first.click()
    expect(page.locator("[data-testid=alarm-advice]")).to_contain_text("Stop feeding T-104", timeout=10_000)
    shot(page, "demo-tank-warning")

    # The night-shift NMHC story in the hourly chart of the story stack: the value steps up by 30 %
    # into the night window (22:00-04:00, park time) and down out of it. Each step is read between
    # neighbouring hours, where the production load has barely moved (the means of whole windows
    # drift with the enterprise's daily load profile and the hour the demo starts).
    page.evaluate("window.consoleContext.showPoint(window.consoleContext.pointByCode.get('JB-E002-DA003'))")
    page.select_option("select[data-control=factor]", "a24088", timeout=10_000)
    page.click("[data-control=interval] button[data-value=hour]")
    page.wait_for_function("""() => { const c = document.querySelector('[data-testid=point-chart]');
        return c && c.dataset.interval === 'hour' && c.dataset.factor === 'a24088' && c.dataset.ready
               && window.pointChart && window.pointChart.getOption().series[0].data.length >= 20; }""",
                           timeout=remaining_ms(logged_in, NIGHT_SHIFT_S))  # re-read every 5 s while hours arrive
    seen["20 h of night-shift NMHC in the chart"] = time.monotonic()
    hours = page.evaluate("window.pointChart.getOption().series[0].data")
    value_at = {datetime.fromtimestamp(ms / 1000, PARK_ZONE): value for ms, value in hours if value is not None}
    start, end = (int(h) for h in NIGHT_WINDOW_H)
    steps = []  # (into the window?, value inside / value outside)
    for at, value in value_at.items():
        before = value_at.get(at - timedelta(hours=1))
        if before is not None and at.hour == start:
            steps.append(("up", value / before))
        elif before is not None and at.hour == end:
            steps.append(("down", before / value))
    assert steps, sorted(value_at.items())
    assert all(ratio > 1.15 for _, ratio in steps), steps  # the story: +30 % at the same load
    shot(page, "demo-nmhc-hourly")

    # A chlorine-leak drill from the console: its threat zone reaches a village or a school.
    page.click("[data-testid=models-nav]")
    page.click("[data-testid=drill-start]")
    reached = page.locator("[data-testid=drill-reached] tr[data-receptor]")
    expect(reached.first).to_be_visible(timeout=60_000)
    assert page.evaluate("window.parkMap.querySourceFeatures('models-drill-zones').length") > 0
    names = reached.evaluate_all("rows => rows.map(r => r.dataset.receptor)")
    assert any(name.endswith(("村", "社区", "小学", "中学", "学校", "苑", "花园")) for name in names), names
    shot(page, "demo-drill")
    page.close()
    print("seconds from the demo command's start (and from the login): "
          + ", ".join(f"{k} {at - started:.0f} ({at - logged_in:.0f})" for k, at in seen.items()))
    check_served_over_http(demo)
