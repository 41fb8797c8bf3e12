"""The park overview against numbers worked out by hand from the day the test stores
(tests/overview/stored_day.py), on both stores, as the park and as enterprise A."""

from __future__ import annotations

import calendar
import time
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from parksteward.access import Actor
from parksteward.ingest.tables import Rollup
from parksteward.overview import service
from parksteward.registry.tables import Device
from tests.overview.stored_day import ALARMS, DEVICES, EMITTERS, EXCEEDANCES, FULL_DAY, local_midnight, store_day

# 2026-11-30 00:00 Asia/Shanghai (UTC+8) is 2026-11-29 16:00 UTC.
MIDNIGHT = calendar.timegm((2026, 11, 29, 16, 0, 0))
MORNING = MIDNIGHT + 9.5 * 3600  # 09:30 local: hours 0-8 are over


def actor(world, username: str) -> Actor:
    if username == "admin":
        return Actor(world.user["admin"], "admin", "admin")
    return Actor(world.user["a"], "ent_a", "enterprise", world.enterprise["a"])


def check_data_figures(answer: dict, who: str, midnight: int) -> None:
    """Exceedances, emitters, alarms and devices: the same hand numbers whatever the hour."""
    listed = [(e["point_code"], (e["t"] - datetime.fromtimestamp(midnight, timezone.utc)) // timedelta(hours=1),
               e["value"], e["ratio"]) for e in answer["exceedances"]["data"]]
    assert answer["exceedances"]["count"] == len(EXCEEDANCES[who])
    assert listed == [(code, hour, pytest.approx(value), pytest.approx(ratio))
                      for code, hour, value, ratio in EXCEEDANCES[who]]
    b_hour_4 = [e for e in answer["exceedances"]["data"] if e["point_code"] == "P-b-CEMS"]
    assert all(e["corrected"] and e["unit"] == "µg/m³" for e in b_hour_4)
    emitters = [(f["factor"], f["total_kg"], [(e["enterprise_name"], e["mass_kg"], e["hours"]) for e in f["data"]])
                for f in answer["top_emitters"]]
    assert emitters == [(factor, pytest.approx(total, abs=1e-9),
                         [(name, pytest.approx(kg, abs=1e-9), hours) for name, kg, hours in rows])
                        for factor, total, rows in EMITTERS[who]]
    alarms = answer["alarms"]
    for part, key in (("raised", "raised_today"), ("open", "open_now")):
        total, by_level, by_kind = ALARMS[who][part]
        assert (alarms[key]["total"], alarms[key]["by_level"], alarms[key]["by_kind"]) == (total, by_level, by_kind)
    assert alarms["drills_today"] == ALARMS[who]["drills"]
    devices = answer["devices"]
    assert {k: devices[k] for k in ("points", "by_status", "reporting")} == {
        k: DEVICES[who][k] for k in ("points", "by_status", "reporting")}
    assert [p["code"] for p in devices["offline"]] == DEVICES[who]["offline"]


@pytest.mark.parametrize("who", ["admin", "ent_a"])
def test_a_morning_in_the_park(app, world, who):
    with app.state.sessionmaker() as session:
        store_day(session, world, MIDNIGHT, MORNING)
        answer = service.overview(session, actor(world, who), world.park, date(2026, 11, 30), now=MORNING)
    assert answer["date"] == date(2026, 11, 30)
    assert answer["start"] == datetime(2026, 11, 29, 16, tzinfo=timezone.utc)
    assert answer["end"] == datetime(2026, 11, 30, 1, 30, tzinfo=timezone.utc)
    # Nine hours are over (00-09); expected = factors x 9: A 36, B 36, AQ 9.
    # Received A 9 + 6 + 9 = 24, B 9, AQ 9; valid A 23 (SO2 hour 3), B 9, AQ 9.
    completeness = answer["completeness"]
    assert completeness["complete_hours"] == 9
    overall = completeness["overall"]
    by_kind = {k["kind"]: (k["expected"], k["received"], k["valid"]) for k in completeness["by_kind"]}
    if who == "admin":
        assert (overall["devices"], overall["expected"], overall["received"], overall["valid"]) == (3, 81, 42, 41)
        assert overall["received_share"] == pytest.approx(42 / 81)
        assert overall["valid_share"] == pytest.approx(41 / 81)
        assert by_kind == {"stack_cems": (72, 33, 32), "ambient_air": (9, 9, 9)}
    else:
        assert (overall["devices"], overall["expected"], overall["received"], overall["valid"]) == (1, 36, 24, 23)
        assert by_kind == {"stack_cems": (36, 24, 23)}
    check_data_figures(answer, who, MIDNIGHT)


@pytest.mark.parametrize("who", ["admin", "ent_a"])
def test_the_route_on_a_day_that_is_over(client, login, app, world, who):
    now = time.time()
    midnight = local_midnight(now, days_back=1)
    with app.state.sessionmaker() as session:
        store_day(session, world, midnight, now)
    day = datetime.fromtimestamp(midnight, timezone(timedelta(hours=8))).date()
    response = client.get(f"/api/v1/parks/{world.park}/overview", params={"date": day.isoformat()},
                          headers=login(who))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["date"] == day.isoformat() and answer["timezone"] == "Asia/Shanghai"
    assert answer["completeness"]["complete_hours"] == 24
    overall, expected = answer["completeness"]["overall"], FULL_DAY[who]
    assert (overall["expected"], overall["received"], overall["valid"]) == (
        expected["expected"], expected["received"], expected["valid"])
    by_kind = {k["kind"]: (k["expected"], k["received"], k["valid"]) for k in answer["completeness"]["by_kind"]}
    assert by_kind == {kind: counts for kind, counts in expected.items() if kind in ("stack_cems", "ambient_air")}
    for e in answer["exceedances"]["data"]:
        e["t"] = datetime.fromisoformat(e["t"].replace("Z", "+00:00"))
    check_data_figures(answer, who, midnight)


def test_today_is_the_default_and_counts_the_hours_over_so_far(client, login, world):
    answer = client.get(f"/api/v1/parks/{world.park}/overview", headers=login("admin")).json()
    local_now = datetime.now(timezone(timedelta(hours=8)))
    assert answer["date"] == local_now.date().isoformat()
    assert answer["completeness"]["complete_hours"] in (local_now.hour, local_now.hour - 1)  # at a turn of the hour


def test_a_device_registered_during_the_day_is_expected_from_its_first_hour_or_data(app, world):
    with app.state.sessionmaker() as session:
        ambient = store_day(session, world, MIDNIGHT, MORNING)
        # Registered at 03:20: expected from 04:00 to 09:00 = 5 hours; its data (hours 0-8)
        # came from midnight, which is earlier: expected from 00:00, 9 hours.
        registered = datetime.fromtimestamp(MIDNIGHT + 3 * 3600 + 20 * 60, timezone.utc)
        session.execute(update(Device).where(Device.id == ambient).values(created_at=registered))
        session.commit()
        air = _ambient(service.overview(session, actor(world, "admin"), world.park, date(2026, 11, 30), now=MORNING))
        assert (air["expected"], air["received"], air["valid"]) == (9, 9, 9)
        # Registered at 03:20 and nothing before 05:00: expected 04-09 = 5, received 05-09 = 4.
        session.query(Rollup).filter(Rollup.device_id == ambient, Rollup.t < MIDNIGHT + 5 * 3600).delete()
        session.commit()
        air = _ambient(service.overview(session, actor(world, "admin"), world.park, date(2026, 11, 30), now=MORNING))
        assert (air["expected"], air["received"], air["valid"]) == (5, 4, 4)


def _ambient(answer: dict) -> dict:
    return next(k for k in answer["completeness"]["by_kind"] if k["kind"] == "ambient_air")


def test_bad_requests_name_what_was_wrong(client, login, world):
    tomorrow = (datetime.now(timezone(timedelta(hours=8))) + timedelta(days=1)).date().isoformat()
    response = client.get(f"/api/v1/parks/{world.park}/overview", params={"date": tomorrow}, headers=login("admin"))
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["date"] and "after today" in error["msg"]
    response = client.get(f"/api/v1/parks/{world.park}/overview", params={"date": "30.11.2026"},
                          headers=login("admin"))
    assert response.status_code == 422 and "date" in response.json()["detail"][0]["loc"]
    assert client.get(f"/api/v1/parks/{world.park + 99}/overview", headers=login("admin")).status_code == 404
    assert client.get(f"/api/v1/parks/{world.park}/overview").status_code == 401
