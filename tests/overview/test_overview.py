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


def test_wastewater_outlets_rank_by_their_load(app, world):
    # A's wastewater outlet, three hours. Load per hour (HJ 212-2017 Annex D.1): volume D = Q x 3600 s
    # x 1e-3 m3, load G = D x C x 1e-3 kg. COD: 10 L/s x 50 mg/L -> 36 m3 x 50 g/m3 = 1.8 kg; hour 1
    # 12 L/s x 40 mg/L -> 43.2 m3 x 40 = 1.728 kg; hour 2 has an invalid flow: not counted. NH3-N in
    # hour 0: 36 m3 x 2.5 g/m3 = 0.09 kg. Total Hg in µg/L: 36 m3 x 0.4 mg/m3 = 14.4 mg = 1.44e-5 kg.
    from parksteward.access.actor import SYSTEM
    from parksteward.registry import service as registry
    from tests.overview.stored_day import _rollup

    with app.state.sessionmaker() as session:
        point = registry.monitoring_points.create(session, SYSTEM, {
            "park_id": world.park, "enterprise_id": world.enterprise["a"], "code": "P-a-DW001", "name": "废水总排口",
            "kind": "wastewater_outlet", "lon": 118.79, "lat": 32.244})
        device = registry.devices.create(session, SYSTEM, {
            "point_id": point.id, "mn": "MN00000000000000000DW01", "password": "123456",
            "factor_codes": ["w00000", "w01018", "w21003", "w20111"]}).id
        session.execute(update(Device).values(created_at=datetime.fromtimestamp(MIDNIGHT - 86400, timezone.utc)))
        session.add_all([
            _rollup(device, MIDNIGHT, "w00000", 10.0), _rollup(device, MIDNIGHT, "w01018", 50.0),
            _rollup(device, MIDNIGHT, "w21003", 2.5), _rollup(device, MIDNIGHT, "w20111", 0.4),
            _rollup(device, MIDNIGHT + 3600, "w00000", 12.0), _rollup(device, MIDNIGHT + 3600, "w01018", 40.0),
            _rollup(device, MIDNIGHT + 7200, "w00000", 11.0, valid=False), _rollup(device, MIDNIGHT + 7200, "w01018", 45.0),
        ])
        session.commit()
        answer = service.overview(session, actor(world, "admin"), world.park, date(2026, 11, 30), now=MORNING)
    by_factor = {f["factor"]: f for f in answer["top_emitters"]}
    assert by_factor["w01018"]["total_kg"] == pytest.approx(1.8 + 1.728)
    assert [(e["enterprise_name"], e["hours"]) for e in by_factor["w01018"]["data"]] == [("企业A", 2)]
    assert by_factor["w21003"]["total_kg"] == pytest.approx(0.09)
    assert by_factor["w20111"]["total_kg"] == pytest.approx(1.44e-5)
    assert "w00000" not in by_factor and "w01001" not in by_factor  # a flow and pH are not loads
