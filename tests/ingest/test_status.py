"""Where each point stands (the console's map colours): normal, invalid, offline, waiting, alarm level."""

from datetime import datetime, timezone

import pytest

from parksteward.access import Actor
from parksteward.access.actor import SYSTEM
from parksteward.alarms.tables import Alarm, AlarmRule
from parksteward.hj212 import build_frame
from parksteward.ingest.pipeline import Arrival, Pipeline
from parksteward.ingest.status import point_status
from parksteward.registry.tables import Device, MonitoringPoint
from tests.factories import build_world


def realtime(mn: str, minute: int, cp: list) -> Arrival:
    return Arrival(build_frame(st="31", cn="2011", mn=mn, pw="123456", qn=f"20250315{9:02d}{minute:02d}00000",
                               cp=[("DataTime", f"2025031509{minute:02d}00")] + cp))


@pytest.fixture
def stored(engine, session_factory):
    """Device a sends valid values (flags N), device b a value flagged D (calibration); nothing else."""
    with session_factory() as session:
        world = build_world(session)
        mn = {key: session.get(Device, world.device[key]).mn for key in ("a", "b")}
    pipeline = Pipeline(engine)
    before = datetime.now(timezone.utc).timestamp()
    pipeline.process([realtime(mn["a"], 0, [("a21026-Rtd", "20.5"), ("a21026-Flag", "N")]),
                      realtime(mn["a"], 1, [("a21026-Rtd", "21.5"), ("a21026-Flag", "N"), ("a21002-Rtd", "7"),
                                            ("a21002-Flag", "N")]),
                      realtime(mn["b"], 1, [("a21026-Rtd", "35.0"), ("a21026-Flag", "D")])])
    after = datetime.now(timezone.utc).timestamp()
    return world, before, after


def by_code(answer: dict) -> dict:
    return {entry["code"]: entry for entry in answer["data"]}


def test_each_point_is_normal_invalid_or_waiting_by_its_newest_values(session_factory, stored):
    world, before, after = stored
    with session_factory() as session:
        answer = by_code(point_status(session, SYSTEM, world.park, now=after))
    # Four points: two CEMS with devices, the air station and the weather station without data.
    assert set(answer) == {"P-a-CEMS", "P-b-CEMS", "AQ-01", "WX-01"}
    assert answer["P-a-CEMS"]["status"] == "normal"
    assert answer["P-a-CEMS"]["last_t"] == 1742000460  # 2025-03-15 09:01 Asia/Shanghai = 01:01 UTC
    assert before - 0.001 <= answer["P-a-CEMS"]["last_received"] <= after  # stored in whole ms
    assert answer["P-b-CEMS"]["status"] == "invalid"  # flag D: calibration, not valid data
    assert answer["AQ-01"]["status"] == "waiting" and answer["AQ-01"]["last_t"] is None
    assert all(entry["alarm_level"] is None for entry in answer.values())


def test_a_point_is_offline_once_its_data_stopped_arriving_longer_than_the_interruption_rule_allows(
        session_factory, stored):
    world, _, after = stored
    with session_factory() as session:
        # No interruption rule: 15 min, the platform's default first band.
        assert by_code(point_status(session, SYSTEM, world.park, now=after + 14 * 60))["P-a-CEMS"]["status"] == "normal"
        assert by_code(point_status(session, SYSTEM, world.park, now=after + 16 * 60))["P-a-CEMS"]["status"] == "offline"
        # A rule for stack CEMS that allows 5 min (bands: blue 5, yellow 30) and a disabled one of 1 min.
        session.add_all([
            AlarmRule(park_id=world.park, name="CEMS 中断", kind="interruption", point_kind="stack_cems",
                      bands={"blue": 5.0, "yellow": 30.0}),
            AlarmRule(park_id=world.park, name="停用", kind="interruption", point_kind=None, bands={"blue": 1.0},
                      enabled=False)])
        session.commit()
        answer = by_code(point_status(session, SYSTEM, world.park, now=after + 6 * 60))
        assert answer["P-a-CEMS"]["status"] == "offline" and answer["P-b-CEMS"]["status"] == "offline"
        answer = by_code(point_status(session, SYSTEM, world.park, now=after + 4 * 60))
        assert answer["P-a-CEMS"]["status"] == "normal"


def test_the_alarm_level_is_the_worst_open_one_leaving_out_data_interruption(session_factory, stored):
    world, _, after = stored
    now = datetime.now(timezone.utc)

    def alarm(kind: str, level: str, state: str = "active") -> Alarm:
        return Alarm(park_id=world.park, point_id=world.point["a"], kind=kind, level=level, peak_level=level,
                     state=state, message=f"{kind} {level}", first_at=now, last_at=now)

    with session_factory() as session:
        session.add_all([alarm("threshold", "yellow"), alarm("exceedance", "blue", "acknowledged"),
                         alarm("exceedance", "red", "cleared"), alarm("interruption", "orange")])
        session.commit()
        answer = by_code(point_status(session, SYSTEM, world.park, now=after))
    assert answer["P-a-CEMS"]["alarm_level"] == "yellow"
    assert answer["P-b-CEMS"]["alarm_level"] is None


def test_an_enterprise_user_gets_only_its_own_points(session_factory, stored):
    world, _, after = stored
    own = Actor(user_id=None, username="a", role="enterprise", enterprise_id=world.enterprise["a"])
    with session_factory() as session:
        assert set(by_code(point_status(session, own, world.park, now=after))) == {"P-a-CEMS"}


def test_the_route_answers_with_the_same_and_scopes_by_token(client, world, login):
    answer = client.get(f"/api/v1/live/status?park_id={world.park}", headers=login("ent_b"))
    assert answer.status_code == 200
    assert [entry["code"] for entry in answer.json()["data"]] == ["P-b-CEMS"]
    everything = client.get("/api/v1/live/status", headers=login("regulator")).json()
    assert everything["count"] == 4 and {e["status"] for e in everything["data"]} == {"waiting"}
    assert client.get("/api/v1/live/status").status_code == 401


def test_a_point_without_devices_waits(session_factory, stored):
    world, _, after = stored
    with session_factory() as session:
        session.add(MonitoringPoint(park_id=world.park, code="N-01", name="厂界噪声1", kind="noise",
                                    lon=118.79, lat=32.25))
        session.commit()
        assert by_code(point_status(session, SYSTEM, world.park, now=after))["N-01"]["status"] == "waiting"


def test_the_newest_values_of_the_factors_asked_for_come_along(client, world, login):
    headers = login("steward")
    frame = build_frame(st="31", cn="2011", mn="MN0000000000000000000A01", pw="123456", qn="20250315090000000",
                        cp=[("DataTime", "20250315090000"), ("a21026-Rtd", "20.5"), ("a21026-Flag", "N"),
                            ("a21002-Rtd", "7.5"), ("a21002-Flag", "D")])
    stored = client.post("/api/v1/ingest/frames", content=frame.decode().strip(),
                         headers={**headers, "Content-Type": "text/plain"})
    assert stored.status_code == 200 and stored.json()["data"][0]["ok"], stored.text
    answer = by_code(client.get(f"/api/v1/live/status?park_id={world.park}&factor=a21002&factor=x01002",
                                headers=headers).json())
    assert answer["P-a-CEMS"]["values"] == {"a21002": [7.5, "D"]}  # no x01002 sent: left out
    assert answer["AQ-01"]["values"] == {}
    assert "values" not in by_code(client.get("/api/v1/live/status", headers=headers).json())["P-a-CEMS"]
