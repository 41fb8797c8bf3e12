"""The console's alarm panel in a real browser: alarms raised by the alarm engine from committed
frames appear live in the list, the badge and the map; acknowledge and clear with a comment reach
the store; an enterprise user sees its own alarms only; the notification log shows the deliveries
as stored.

Alarms come through the real path: an HJ 212 frame posted to /ingest/frames is committed, the
alarm engine (started here, as `parksteward serve` starts it) judges it against a threshold rule,
and the dispatcher publishes the event on the alarm stream the console listens to.
"""

import threading
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import select

from parksteward.access.actor import SYSTEM
from parksteward.alarms import lifecycle
from parksteward.alarms import service as alarms
from parksteward.alarms.tables import Alarm, Delivery, Recipient
from parksteward.hj212 import build_frame
from parksteward.registry.tables import Device, MonitoringPoint
from parksteward.server import start_alarms
from tests.factories import PASSWORD
from tests.web.browser import log_in, rendered_points, shot

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

# SO2 bands of the test rule [mg/m3]: 250 lies in orange (200 <= 250 < 400).
BANDS = {"yellow": 100.0, "orange": 200.0, "red": 400.0}
STEPS = ["核查脱硫设施运行 check the desulphurisation unit", "降低裂解炉负荷 reduce the cracker's load"]
# What the console calls each stored value (its words, written out here by hand).
CHANNEL_ZH = {"sse": "控制台推送", "email": "邮件"}
STATUS_ZH = {"delivered": "已送达", "skipped": "已跳过"}
GROUP_ZH = {"command": "指挥中心", "regulator": "生态环境局"}


@pytest.fixture
def park(server):
    """The server with a threshold rule on each enterprise's stack (SO2), a plan scenario with
    advice for enterprise A's, e-mail recipients, and the alarm engine and dispatcher running."""
    base, app, world = server
    with app.state.sessionmaker() as session:
        scenario = alarms.scenarios.create(session, SYSTEM, {
            "park_id": world.park, "enterprise_id": world.enterprise["a"], "code": "A-DA001-SO2",
            "name": "企业A 裂解炉二氧化硫超标 SO2 high", "kind": "exceedance",
            "responses": {"orange": {"steps": STEPS, "roles": ["值班长 shift leader"]}},
        })
        for key in ("a", "b"):
            alarms.rules.create(session, SYSTEM, {
                "name": f"企业{key.upper()} 二氧化硫阈值", "kind": "threshold", "park_id": world.park,
                "enterprise_id": world.enterprise[key], "point_id": world.point[key], "factor": "a21026",
                "bands": BANDS, "scenario_id": scenario.id if key == "a" else None,
            })
        # No SMTP server is configured: e-mails are logged as skipped (alarms/dispatch.py).
        session.add_all([
            Recipient(park_id=world.park, name="指挥中心", group="command", email="command@park.example", min_level="blue"),
            Recipient(park_id=world.park, name="生态环境局", group="regulator", email="regulator@park.example",
                      min_level="orange"),
        ])
        session.commit()
        mns = {key: session.get(Device, world.device[key]).mn for key in ("a", "b")}
        codes = {key: session.get(MonitoringPoint, world.point[key]).code for key in ("a", "b")}
    stop = threading.Event()
    start_alarms(app, app.state.settings, stop)
    yield base, app, world, mns, codes
    stop.set()


def send_so2(base: str, mn: str, value: float, seconds_ago: int = 0) -> None:
    """One real-time frame (HJ 212-2017, CN 2011) with SO2 at ``value`` [mg/m3], through the API."""
    at = datetime.now(ZoneInfo("Asia/Shanghai")) - timedelta(seconds=seconds_ago)
    now = at.strftime("%Y%m%d%H%M%S")
    frame = build_frame(st="31", cn="2011", mn=mn, pw="123456", qn=f"{now}000",
                        cp=[("DataTime", now), ("a21026-Rtd", f"{value}"), ("a21026-Flag", "N")])
    token = httpx.post(f"{base}/api/v1/auth/token", data={"username": "admin", "password": PASSWORD}).json()
    answer = httpx.post(f"{base}/api/v1/ingest/frames", content=frame.decode().strip(),
                        headers={"Authorization": f"Bearer {token['access_token']}", "Content-Type": "text/plain"})
    assert answer.status_code == 200 and answer.json()["data"][0]["ok"], answer.text


def wait_for(condition, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout} s")


def stored_alarm(app, point_id: int) -> Alarm | None:
    with app.state.sessionmaker() as session:
        return session.scalar(select(Alarm).where(Alarm.point_id == point_id))


def sent_deliveries(app, alarm_id: int) -> list[Delivery] | None:
    """The alarm's deliveries once the dispatcher has handled every one of them."""
    with app.state.sessionmaker() as session:
        rows = list(session.scalars(select(Delivery).where(Delivery.alarm_id == alarm_id).order_by(Delivery.id)))
        return rows if rows and all(d.status != "pending" for d in rows) else None


def map_alarm(page, code: str):
    return page.evaluate(f"window.parkMap.getFeatureState({{source: 'park', id: '{code}'}}).alarm ?? null")


def console_with_stream(browser, base: str, username: str):
    page = log_in(browser, base, username)
    rendered_points(page)
    page.wait_for_function("window.alarmStream && window.alarmStream.readyState === 1", timeout=10_000)
    return page


def test_a_raised_alarm_appears_in_the_list_badge_and_map_without_reload(browser, park):
    from playwright.sync_api import expect

    base, app, world, mns, codes = park
    page = console_with_stream(browser, base, "command")
    badge = page.locator("[data-testid=alarms-badge]")
    expect(badge).to_have_text("0")
    page.click("[data-testid=alarms-nav]")
    expect(page.locator("[data-testid=alarm-list]")).to_have_text("当前无未解除告警")
    assert map_alarm(page, codes["a"]) is None

    send_so2(base, mns["a"], 250.0, seconds_ago=2)
    row = page.locator(".alarms-row")
    expect(row).to_have_count(1, timeout=5_000)  # no reload: the alarm stream brought it
    expect(badge).to_have_text("1")
    assert badge.get_attribute("data-level") == "orange"
    alarm = stored_alarm(app, world.point["a"])
    assert (alarm.level, alarm.value, alarm.threshold, alarm.state) == ("orange", 250.0, 200.0, "active")
    assert row.get_attribute("data-alarm") == str(alarm.id)
    assert row.locator(".level-chip").inner_text() == "橙色预警"
    assert row.locator(".alarms-state").inner_text() == "未确认"
    assert row.locator(".alarms-place").inner_text() == "企业A 1#排气筒CEMS (P-a-CEMS) · 企业A"
    assert "250" in row.locator(".alarms-message").inner_text()
    # The visual cue (row and badge flash) and the sound cue (the login click unlocked audio).
    assert "alarms-flash" in row.get_attribute("class") and "alarms-flash" in badge.get_attribute("class")
    cues = page.evaluate("window.alarmCues")
    assert [(c["alarm"], c["level"], c["sound"]) for c in cues] == [(alarm.id, "orange", True)]
    # The map's point takes the level's colour.
    page.wait_for_function(f"window.parkMap.getFeatureState({{source: 'park', id: '{codes['a']}'}}).alarm === 'orange'",
                           timeout=2_000)
    shot(page, "alarm-list")

    # A higher value lifts the same alarm to red: one row, the badge red, the map red.
    send_so2(base, mns["a"], 450.0)
    expect(row).to_have_attribute("data-level", "red", timeout=5_000)
    expect(badge).to_have_attribute("data-level", "red")
    assert badge.inner_text() == "1" and map_alarm(page, codes["a"]) == "red"
    assert [c["level"] for c in page.evaluate("window.alarmCues")] == ["orange", "red"]
    # Red again: no event, no stream message; the minute's re-read of the open list shows the count.
    before = stored_alarm(app, world.point["a"]).count
    time.sleep(1.1)  # a later DataTime: the same second again would be the same reading resent
    send_so2(base, mns["a"], 460.0)
    deadline = time.monotonic() + 10
    while (count := stored_alarm(app, world.point["a"]).count) == before:
        assert time.monotonic() < deadline, "the repeated sighting was not stored"
        time.sleep(0.2)
    assert count > before >= 2 and f"{count} 次" not in row.locator(".alarms-times").inner_text()
    page.evaluate("window.alarmsRefresh()")
    expect(row.locator(".alarms-times")).to_contain_text(f"{count} 次")
    page.click(".alarms-filter-button[data-level=orange]")
    expect(page.locator("[data-testid=alarm-list]")).to_have_text("该等级无未解除告警")
    page.click(".alarms-filter-button[data-level=red]")
    expect(row).to_have_count(1)
    page.close()


def test_acknowledge_and_clear_with_a_comment_reach_the_store(browser, park):
    from playwright.sync_api import expect

    base, app, world, mns, codes = park
    page = console_with_stream(browser, base, "steward")
    send_so2(base, mns["a"], 250.0)
    page.click("[data-testid=alarms-nav]")
    page.locator(".alarms-row").first.click(timeout=5_000)
    alarm_id = stored_alarm(app, world.point["a"]).id
    detail = page.locator(f".alarms-detail[data-alarm='{alarm_id}']")
    expect(detail).to_have_attribute("data-state", "active")
    advice = detail.locator("[data-testid=alarm-advice]")
    assert advice.locator("li").all_inner_texts() == STEPS  # the orange response of the rule's scenario
    assert "企业A 裂解炉二氧化硫超标 SO2 high" in advice.inner_text()
    assert detail.locator("tr[data-fact=value] td").inner_text() == "250 mg/m³"
    assert detail.locator("tr[data-fact=threshold] td").inner_text() == "200 mg/m³"
    expect(detail.locator("[data-testid=alarm-history] tr[data-event=raised]")).to_have_count(1)
    shot(page, "alarm-detail")

    detail.locator("textarea[name=comment]").fill("已电话通知企业A降负荷")
    detail.locator("button[data-action=acknowledge]").click()
    expect(detail).to_have_attribute("data-state", "acknowledged")
    expect(detail.locator("button[data-action=acknowledge]")).to_be_disabled()
    expect(detail.locator("button[data-action=clear]")).to_be_enabled()
    with app.state.sessionmaker() as session:
        alarm = session.get(Alarm, alarm_id)
        assert (alarm.state, alarm.acknowledged_by, alarm.acknowledge_comment) == (
            "acknowledged", "steward", "已电话通知企业A降负荷")
    ack = detail.locator("[data-testid=alarm-history] tr[data-event=acknowledged]")
    assert ack.locator("[data-field=actor]").inner_text() == "steward"
    assert ack.locator("[data-field=comment]").inner_text() == "已电话通知企业A降负荷"
    expect(page.locator("[data-testid=alarms-badge]")).to_have_text("1")  # acknowledged is still open

    detail.locator("textarea[name=comment]").fill("脱硫塔循环泵已恢复")
    detail.locator("button[data-action=clear]").click()
    expect(detail).to_have_attribute("data-state", "cleared")
    expect(detail.locator("button[data-action=clear]")).to_be_disabled()
    with app.state.sessionmaker() as session:
        alarm = session.get(Alarm, alarm_id)
        assert (alarm.state, alarm.cleared_by, alarm.clear_comment) == ("cleared", "steward", "脱硫塔循环泵已恢复")
    expect(page.locator("[data-testid=alarms-badge]")).to_have_text("0")
    page.wait_for_function(f"window.parkMap.getFeatureState({{source: 'park', id: '{codes['a']}'}}).alarm === null",
                           timeout=2_000)
    page.close()


def test_an_api_refusal_shows_in_the_panel_and_a_regulator_may_only_read(browser, park):
    from playwright.sync_api import expect

    base, app, world, mns, codes = park
    send_so2(base, mns["a"], 250.0)
    alarm_id = wait_for(lambda: stored_alarm(app, world.point["a"])).id
    page = console_with_stream(browser, base, "admin")
    page.click("[data-testid=alarms-nav]")
    page.click(f".alarms-row[data-alarm='{alarm_id}']")
    detail = page.locator(f".alarms-detail[data-alarm='{alarm_id}']")
    expect(detail.locator("button[data-action=acknowledge]")).to_be_enabled()
    # Another desk acknowledges it in the store meanwhile, without an event reaching this console.
    with app.state.sessionmaker() as session:
        lifecycle.acknowledge(session, session.get(Alarm, alarm_id), "command", "现场已处置",
                              datetime.now(timezone.utc))
        session.commit()
    detail.locator("button[data-action=acknowledge]").click()
    expect(detail.locator("[data-testid=alarm-error]")).to_contain_text(
        f"alarm {alarm_id} was already acknowledged by command")
    page.close()

    page = console_with_stream(browser, base, "regulator")
    page.click("[data-testid=alarms-nav]")
    page.click(f".alarms-row[data-alarm='{alarm_id}']")
    detail = page.locator(f".alarms-detail[data-alarm='{alarm_id}']")
    expect(detail.locator("[data-testid=alarm-advice]")).to_be_visible()
    expect(detail).to_contain_text("当前角色只能查看告警，不能确认或解除。")
    assert detail.locator("button[data-action]").count() == 0
    # The point's button opens the point's own panel (and flies the map there).
    detail.locator("[data-testid=alarm-point]").click()
    expect(page.locator(f".panel[data-point='{codes['a']}']")).to_be_visible(timeout=5_000)
    page.close()


def test_an_enterprise_user_lists_only_its_own_enterprises_alarms(browser, park):
    from playwright.sync_api import expect

    base, app, world, mns, codes = park
    page = console_with_stream(browser, base, "ent_a")
    page.click("[data-testid=alarms-nav]")
    send_so2(base, mns["a"], 250.0)
    expect(page.locator(".alarms-row")).to_have_count(1, timeout=5_000)
    own = stored_alarm(app, world.point["a"])
    send_so2(base, mns["b"], 450.0)
    other = wait_for(lambda: stored_alarm(app, world.point["b"]))
    wait_for(lambda: sent_deliveries(app, other.id))  # B's red alarm went out on the stream
    page.wait_for_timeout(500)
    assert page.locator(".alarms-row").evaluate_all("rows => rows.map(r => r.dataset.alarm)") == [str(own.id)]
    assert page.inner_text("[data-testid=alarms-badge]") == "1"
    assert page.evaluate("window.alarmCues.map(c => c.alarm)") == [own.id]
    page.reload()  # and as loaded afresh
    page.wait_for_selector("[data-testid=alarms-nav]")
    expect(page.locator("[data-testid=alarms-badge]")).to_have_text("1")
    page.click("[data-testid=alarms-nav]")
    expect(page.locator(".alarms-row")).to_have_count(1)
    assert page.locator(".alarms-row").get_attribute("data-alarm") == str(own.id)
    page.close()


def test_the_notification_log_lists_the_alarms_deliveries_as_stored(browser, park):
    from playwright.sync_api import expect

    base, app, world, mns, _ = park
    send_so2(base, mns["a"], 250.0)
    alarm = wait_for(lambda: stored_alarm(app, world.point["a"]))
    stored = wait_for(lambda: sent_deliveries(app, alarm.id))
    # An orange alarm (alarms/routing.py): the live stream, and e-mail to the command centre and
    # the regulator (both reach orange); no SMTP server here, so the e-mails are skipped.
    assert sorted((d.channel, d.address, d.status, d.attempts) for d in stored) == [
        ("email", "command@park.example", "skipped", 1), ("email", "regulator@park.example", "skipped", 1),
        ("sse", "live stream", "delivered", 1)]
    page = console_with_stream(browser, base, "admin")
    page.click("[data-testid=alarms-nav]")
    page.click("[data-tab=log]")
    rows = page.locator("[data-testid=alarm-deliveries] tr[data-delivery]")
    expect(rows).to_have_count(len(stored))
    shown = {int(r.get_attribute("data-delivery")): r for r in rows.all()}
    assert set(shown) == {d.id for d in stored}
    for d in stored:
        r = shown[d.id]
        assert r.get_attribute("data-alarm") == str(alarm.id)
        assert r.locator("[data-field=channel]").inner_text() == CHANNEL_ZH[d.channel]
        address = r.locator("[data-field=address]")
        assert address.get_attribute("title") == d.address
        if d.channel == "sse":
            assert address.inner_text() == "在线控制台"
        else:
            assert address.inner_text() == f"{d.address}\n{GROUP_ZH[d.group]}"
        assert r.locator("[data-field=status]").inner_text() == STATUS_ZH[d.status]
        assert r.locator("[data-field=attempts]").inner_text() == str(d.attempts)
    shot(page, "alarm-log")
    # The alarm's own detail lists the same deliveries.
    rows.first.locator("button.link").click()
    detail = page.locator(f".alarms-detail[data-alarm='{alarm.id}']")
    expect(detail.locator("tr[data-delivery]")).to_have_count(len(stored))
    page.close()
