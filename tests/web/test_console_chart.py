"""A point's time-series chart in the console (Playwright driving Debian's Chromium): it draws
exactly the values the test stored, the limit the test set, the hourly roll-ups of those values
(means worked out by hand below), and appends live values while the raw data are shown."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from parksteward.hj212 import build_frame
from parksteward.registry.tables import Device, MonitoringPoint
from tests.factories import PASSWORD
from tests.web.browser import log_in, rendered_points, shot

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

PARK_ZONE = ZoneInfo("Asia/Shanghai")  # the world's park keeps the default time zone; DataTime is local
LIMIT_MG_M3 = 50.0


def _token(base: str, username: str) -> dict:
    answer = httpx.post(f"{base}/api/v1/auth/token", data={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _frame(mn: str, at: datetime, value: float, flag: str) -> str:
    stamp = at.strftime("%Y%m%d%H%M%S")
    return build_frame(st="31", cn="2011", mn=mn, pw="123456", qn=f"{stamp}000",
                       cp=[("DataTime", stamp), ("a21026-Rtd", f"{value:g}"), ("a21026-Flag", flag)]).decode().strip()


def _stored_hour(mn: str, hour: datetime, mean: float) -> str:
    """An hourly data frame (2061) a logger uploads from its store: the hour's mean, flag N."""
    stamp = hour.strftime("%Y%m%d%H%M%S")
    return build_frame(st="31", cn="2061", mn=mn, pw="123456", qn=f"{stamp}000",
                       cp=[("DataTime", stamp), ("a21026-Avg", f"{mean:g}"), ("a21026-Flag", "N")]).decode().strip()


def _send(base: str, headers: dict, frames: list[str]) -> None:
    answer = httpx.post(f"{base}/api/v1/ingest/frames", content="\n".join(frames),
                        headers={**headers, "Content-Type": "text/plain"})
    assert answer.status_code == 200 and all(d["ok"] for d in answer.json()["data"]), answer.text


def _open_point(page, lon: float, lat: float, code: str):
    rendered_points(page)
    x, y = page.evaluate(f"(() => {{ const p = window.parkMap.project([{lon}, {lat}]); return [p.x, p.y]; }})()")
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_selector(f".panel[data-point='{code}'] [data-testid=point-chart]", timeout=10_000)


def _wait_drawn(page, interval: str) -> None:
    page.wait_for_function(
        f"(() => {{ const c = document.querySelector('[data-testid=point-chart]');"
        f" return c && c.dataset.interval === '{interval}' && c.dataset.ready && window.pointChart"
        f" && window.pointChart.getOption().series[0].data.length > 0; }})()", timeout=10_000)


def _drawn(page) -> dict:
    """What the chart instance holds: the line's points, the limit line, the red and the marked points."""
    return page.evaluate("""(() => {
        const o = window.pointChart.getOption();
        const by = (id) => o.series.find((s) => s.id === id);
        return {values: by('values').data, limit: (by('values').markLine.data || []).map((l) => [l.yAxis, l.name]),
                exceed: by('exceed').data, flagged: by('flagged').data};
    })()""")


def test_the_chart_draws_the_stored_values_the_limit_and_the_hourly_means(browser, server):
    base, app, world = server
    with app.state.sessionmaker() as session:
        device = session.get(Device, world.device["a"])
        point = session.get(MonitoringPoint, device.point_id)
        mn, code, lon, lat, point_id = device.mn, point.code, point.lon, point.lat, point.id
    admin = _token(base, "admin")

    # Two whole local hours before the current one, so that both lie inside the chart's default 24 h.
    hour_a = datetime.now(PARK_ZONE).replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
    hour_b = hour_a + timedelta(hours=1)
    stored = [  # (local time, mg/m3, flag)
        (hour_a + timedelta(minutes=5), 12.0, "N"),
        (hour_a + timedelta(minutes=15), 18.0, "N"),
        (hour_a + timedelta(minutes=25), 57.0, "N"),  # above the limit
        (hour_b + timedelta(minutes=10), 40.0, "N"),
        (hour_b + timedelta(minutes=20), 90.0, "D"),  # above the limit, and flagged D (data not valid)
    ]
    _send(base, admin, [_frame(mn, at, value, flag) for at, value, flag in stored])
    limit = httpx.put(f"{base}/api/v1/points/{point_id}/limits", headers=admin, json={
        "factor": "a21026", "value": LIMIT_MG_M3, "unit": "mg/m³", "standard": "排污许可证"})
    assert limit.status_code == 200, limit.text
    # The roll-ups, computed now in the test's time rather than by the server's timer.
    assert app.state.rollups.run(force=True) > 0

    page = log_in(browser, base, "admin")
    _open_point(page, lon, lat, code)
    _wait_drawn(page, "raw")
    drawn = _drawn(page)
    ms = lambda at: int(at.timestamp() * 1000)  # noqa: E731
    assert drawn["values"] == [[ms(at), value] for at, value, _ in stored]
    assert [value for value, _ in drawn["limit"]] == [LIMIT_MG_M3]
    assert "排污许可证" in drawn["limit"][0][1] and "50" in drawn["limit"][0][1]
    assert drawn["exceed"] == [[ms(stored[2][0]), 57.0], [ms(stored[4][0]), 90.0]]
    assert drawn["flagged"] == [[ms(stored[4][0]), 90.0, "D"]]
    caption = page.inner_text("[data-testid=chart-caption]")
    assert caption.startswith("5 个数据") and "排污许可证" in caption
    shot(page, "point-chart-raw")

    # Hours: the mean of the hour's valid minutes (HJ 212-2017 Annex C: only N values count).
    # Hour A: (12 + 18 + 57) / 3 = 29. Hour B: the minute of 40 (N); the minute of 90 (D) is left out.
    # Neither hour has the 45 valid minutes HJ 75-2017 asks for, so both are drawn as marked (D).
    page.click("[data-control=interval] button[data-value=hour]")
    _wait_drawn(page, "hour")
    drawn = _drawn(page)
    assert [[t, pytest.approx(v, abs=1e-9)] for t, v in drawn["values"]] == [[ms(hour_a), 29.0], [ms(hour_b), 40.0]]
    assert [value for value, _ in drawn["limit"]] == [LIMIT_MG_M3]
    assert drawn["exceed"] == []
    assert [f[2] for f in drawn["flagged"]] == ["D", "D"]
    shot(page, "point-chart-hour")

    # A logger uploads a stored hour from before (no minute values, so its own mean stands) while
    # the hourly chart is open: the chart follows within seconds (it re-reads 5 s after it is
    # drawn, and every 5 s while the count changes), not at the half-minute re-read.
    earlier = hour_a - timedelta(hours=2)
    _send(base, admin, [_stored_hour(mn, earlier, 21.5)])
    page.wait_for_function("window.pointChart.getOption().series[0].data.length === 3", timeout=9_000)
    assert _drawn(page)["values"][0] == [ms(earlier), 21.5]

    # Back to the raw values: a live value arriving while the panel is open is appended.
    page.click("[data-control=interval] button[data-value=raw]")
    _wait_drawn(page, "raw")
    page.wait_for_function("window.liveStream && window.liveStream.readyState === 1", timeout=10_000)
    now = datetime.now(PARK_ZONE).replace(microsecond=0)
    _send(base, admin, [_frame(mn, now, 47.5, "N")])
    page.wait_for_function(f"window.pointChart.getOption().series[0].data.length === {len(stored) + 1}",
                           timeout=3_000)
    assert _drawn(page)["values"][-1] == [ms(now), 47.5]
    shot(page, "point-chart-live")

    # Closing the drawer disposes of the chart.
    page.click("#drawer .close")
    page.wait_for_function("window.pointChart === null", timeout=3_000)
    page.close()


def test_a_point_without_a_limit_says_so(browser, server):
    base, app, world = server
    with app.state.sessionmaker() as session:
        point = session.get(MonitoringPoint, world.point["b"])
        device = session.get(Device, world.device["b"])
        code, lon, lat, mn = point.code, point.lon, point.lat, device.mn
    at = datetime.now(PARK_ZONE).replace(microsecond=0) - timedelta(minutes=30)
    _send(base, _token(base, "admin"), [_frame(mn, at, 3.5, "N")])
    page = log_in(browser, base, "admin")
    _open_point(page, lon, lat, code)
    _wait_drawn(page, "raw")
    drawn = _drawn(page)
    assert drawn["values"] == [[int(at.timestamp() * 1000), 3.5]] and drawn["limit"] == []
    assert "无适用限值" in page.inner_text("[data-testid=chart-caption]")
    page.close()


def test_chart_times_are_on_the_parks_clock_whatever_the_browsers_time_zone(browser, server):
    base, app, world = server
    with app.state.sessionmaker() as session:
        point = session.get(MonitoringPoint, world.point["a"])
        code, lon, lat = point.code, point.lon, point.lat
    context = browser.new_context(viewport={"width": 1400, "height": 860}, timezone_id="America/New_York")
    page = context.new_page()
    page.goto(f"{base}/console")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    _open_point(page, lon, lat, code)
    # Drawn, not merely created: the chart's options (its axes) are set once the data is read.
    page.wait_for_function(
        "(() => { const c = document.querySelector('[data-testid=point-chart]');"
        " return c && c.dataset.ready && window.pointChart && window.pointChart.getOption().xAxis; })()",
        timeout=10_000)
    label = "(ms) => window.pointChart.getOption().xAxis[0].axisLabel.formatter(ms)"
    # The test world's park keeps the default time zone, Asia/Shanghai (UTC+8, no summer time):
    # 14:00 UTC is 22:00 there (10:00 in New York), and 16:00 UTC is midnight: the date, 03-16.
    assert page.evaluate(label, 1742047200000) == "22:00"  # 2025-03-15 14:00 UTC
    assert page.evaluate(label, 1742054400000) == "03-16"  # 2025-03-15 16:00 UTC
    assert page.evaluate("new Date(1742047200000).getHours()") == 10  # the browser itself is in New York
    context.close()
