"""The park's functional zones on the console's map: drawn, named, counted on a click, toggled."""

import pytest
from playwright.sync_api import expect
from shapely.geometry import Point, shape
from sqlalchemy import select

from parksteward.registry.tables import Enterprise, MonitoringPoint
from tests.factories import WEST_HALF
from tests.web.browser import log_in, rendered_points, shot

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

# The west half of the test park, 0.02 deg x 0.04 deg at 32.25 N: 836.0 ha on the WGS84 ellipsoid
# (N cos(phi) dlambda = 1,884.7 m by M dphi = 4,435.6 m; tests/api/test_zones_api.py).
WEST_HALF_HA = "836"


def test_a_zone_is_drawn_named_and_answers_a_click_on_its_open_ground(browser, server):
    base, app, world = server
    west = shape(WEST_HALF)
    with app.state.sessionmaker() as session:
        enterprises = [e for e in session.scalars(select(Enterprise)) if west.covers(Point(e.lon, e.lat))]
        points = [p for p in session.scalars(select(MonitoringPoint)) if west.covers(Point(p.lon, p.lat))]
    assert len(enterprises) == 1 and 0 < len(points) < 4  # enterprise A and some of the park's points

    page = log_in(browser, base, "admin")
    rendered_points(page)  # the map is up
    drawn = page.evaluate("window.parkMap.queryRenderedFeatures({layers: ['functional_zone-fill']})"
                          ".map(f => f.properties.code)")
    assert set(drawn) == {"Z1"}
    expect(page.locator(".map-label-functional_zone")).to_have_text("化工生产西区")
    expect(page.locator(".map-label-sensitive_receptor")).to_have_text("长芦社区")
    assert "化工生产区" in page.inner_text("aside")  # the legend names the kind, from the registry's vocabulary

    # Open ground in the south-west corner of the zone: nothing else is drawn there.
    xy = page.evaluate("(() => { const p = window.parkMap.project([118.782, 32.233]); return [p.x, p.y]; })()")
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + xy[0], box["y"] + xy[1])
    popup = page.locator(".zone-popup [data-zone=Z1]")
    expect(popup).to_contain_text("化工生产西区")
    expect(popup).to_contain_text(f"{WEST_HALF_HA} 公顷")
    cells = popup.locator("td").all_inner_texts()
    assert cells[1:] == ["1", str(len(points)), "0"], cells  # enterprises, points, points in alarm
    shot(page, "zone-popup")

    # The layer toggle hides the zone and its name.
    page.uncheck("input[data-layer=functional_zone]")
    expect(page.locator(".map-label-functional_zone")).to_be_hidden()
    assert page.evaluate("window.parkMap.getLayoutProperty('functional_zone-fill', 'visibility')") == "none"

    # The enterprise file says which zone the enterprise is in.
    page.evaluate(f"window.consoleContext.showEnterprise({world.enterprise['a']})")
    expect(page.locator(".ent-facts")).to_contain_text("化工生产西区")
    page.close()


def test_an_enterprise_user_sees_the_parks_zones_in_english(browser, server):
    base, _, _ = server
    page = log_in(browser, base, "ent_a")
    rendered_points(page)
    page.click("[data-testid=language]")
    rendered_points(page)
    # Zones are the park's, shared with every role; without an English name the Chinese one stands.
    expect(page.locator(".map-label-functional_zone")).to_have_text("化工生产西区")
    assert "chemical production" in page.inner_text("aside")
    page.close()
