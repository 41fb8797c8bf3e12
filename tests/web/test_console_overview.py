"""The overview dashboard (总览) in a real browser: its numbers are the ones worked out by hand
from the day the test stores (tests/overview/stored_day.py), for the park and for enterprise A."""

import time
from datetime import datetime, timedelta, timezone

import pytest

from tests.overview.stored_day import ALARMS, local_midnight, store_day
from tests.web.browser import log_in, rendered_points, shot

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def open_day(browser, server, username):
    """Store yesterday (a day that is over), log in, open the overview and choose that day."""
    base, app, world = server
    now = time.time()
    midnight = local_midnight(now, days_back=1)
    with app.state.sessionmaker() as session:
        store_day(session, world, midnight, now)
    day = datetime.fromtimestamp(midnight, timezone(timedelta(hours=8))).date().isoformat()
    page = log_in(browser, base, username)
    rendered_points(page)
    page.click("[data-testid=overview-nav]")
    page.wait_for_selector("[data-testid=overview-panel][data-loaded]")
    page.fill("[data-testid=overview-date]", day)
    page.wait_for_selector(f"[data-testid=overview-panel][data-date='{day}'] [data-testid=overview-raised]")
    return page


def card(page, key: str) -> str:
    return page.inner_text(f"[data-testid=overview-{key}-value]")


def bar_number(page, testid: str) -> str:
    return page.inner_text(f"[data-testid={testid}] .ov-bar-number")


def test_the_dashboard_shows_the_parks_day_as_counted_by_hand(browser, server):
    page = open_day(browser, server, "admin")
    # Alarms: raised 3 (blue, orange, red by peak), open 3 (yellow, orange, red); a drill apart.
    assert (card(page, "raised"), card(page, "open")) == ("3", "3")
    for level, n in ALARMS["admin"]["raised"][1].items():
        assert bar_number(page, f"overview-raised-{level}") == str(n)
    for level, n in ALARMS["admin"]["open"][1].items():
        assert bar_number(page, f"overview-open-{level}") == str(n)
    # Completeness over 24 hours: 216 expected, 43 received, 41 valid -> 19.0 % valid, 19.9 % received.
    assert card(page, "validShare") == "19.0%"
    assert "19.9%" in page.inner_text("[data-testid=overview-validShare]")
    note = page.inner_text("[data-testid=overview-completeness-note]")
    assert all(number in note for number in ("24", "216", "43", "41"))
    # Exceedances, worst first: A 1.5, B 1.3 (折算), A 1.2, A 1.1.
    assert card(page, "exceedances") == "4"
    rows = page.locator("[data-testid=overview-exceedance]")
    assert [rows.nth(i).get_attribute("data-point") for i in range(rows.count())] == [
        "P-a-CEMS", "P-b-CEMS", "P-a-CEMS", "P-a-CEMS"]
    assert page.locator("[data-testid=overview-exceedance] .ov-ratio").all_inner_texts() == ["1.5", "1.3", "1.2", "1.1"]
    assert page.inner_text("[data-testid=overview-exceedance] >> nth=0").count("08:00–09:00") == 1
    # Top emitters of SO2 (the larger total): B 27.36 kg, A 25.56 kg; NOx: A 43.2 kg.
    emitters = page.locator("[data-testid=overview-emitter] .ov-bar-number")
    assert emitters.all_inner_texts() == ["27.36 kg", "25.56 kg"]
    # Devices: P-b-CEMS offline, 2 of 4 points reporting.
    assert (card(page, "offline"), card(page, "reporting")) == ("1", "2")
    assert page.locator("[data-testid=overview-offline-point]").get_attribute("data-point") == "P-b-CEMS"
    shot(page, "overview-admin")
    page.locator("[data-testid=overview-section-devices]").scroll_into_view_if_needed()
    shot(page, "overview-admin-lower")
    page.click(".ov-tab[data-factor=a21002]")
    assert emitters.all_inner_texts() == ["43.2 kg"]
    # An offline point opens its panel and the map flies to it.
    page.click("[data-testid=overview-offline-point]")
    page.wait_for_selector("#drawer[data-key='point:P-b-CEMS']")
    page.wait_for_function("!window.parkMap.isMoving()")
    center = page.evaluate("window.parkMap.getCenter().toArray()")
    assert center == pytest.approx([118.81, 32.245], abs=1e-4)
    page.close()


def test_an_enterprise_sees_only_its_own_numbers(browser, server):
    page = open_day(browser, server, "ent_a")
    # A's alarms: raised 2 (blue, orange), open 1 (orange); completeness 23 valid / 96 = 24.0 %.
    assert (card(page, "raised"), card(page, "open")) == ("2", "1")
    assert bar_number(page, "overview-raised-red") == "0"
    assert card(page, "validShare") == "24.0%"
    assert card(page, "exceedances") == "3"
    assert set(page.locator("[data-testid=overview-exceedance]").evaluate_all(
        "rows => rows.map(r => r.dataset.point)")) == {"P-a-CEMS"}
    # Its own emissions only: NOx 43.2 kg first (larger than its SO2, 25.56 kg).
    assert page.locator("[data-testid=overview-emitter] .ov-bar-number").all_inner_texts() == ["43.2 kg"]
    assert (card(page, "offline"), card(page, "reporting")) == ("0", "1")
    text = page.inner_text("[data-testid=overview-panel]")
    assert "企业B" not in text and "P-b-CEMS" not in text and "园区空气站" not in text
    shot(page, "overview-enterprise")
    page.close()
