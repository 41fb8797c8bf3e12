"""The alarm engine's rule kinds and the lifecycle, fed committed readings directly."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from parksteward.access.actor import SYSTEM
from parksteward.alarms.engine import AlarmEngine
from parksteward.alarms.setup import prepare_park
from parksteward.alarms.tables import Alarm, AlarmEvent, Delivery
from parksteward.registry import service as registry
from parksteward.registry.tables import Park
from parksteward.standards.points import LimitEdit, point_limits, set_limit
from tests.factories import build_world


@pytest.fixture
def world(session_factory):
    with session_factory() as session:
        world = build_world(session)
        tank = registry.monitoring_points.create(session, SYSTEM, {
            "park_id": world.park, "enterprise_id": world.enterprise["a"], "risk_source_id": world.risk_source["a"],
            "code": "P-a-T301", "name": "T-301 液位", "kind": "tank_level", "lon": 118.79, "lat": 32.255})
        world.point["tank"] = tank.id
        world.device["tank"] = registry.devices.create(session, SYSTEM, {
            "point_id": tank.id, "mn": "TANKT301MN00000000000001", "password": "123456",
            "factor_codes": ["x01002"]}).id
        prepare_park(session, session.get(Park, world.park))
        return world


def row(device, t, factor, value, flag="N", interval="raw", field="Rtd"):
    return (device, interval, t, factor, field, value, flag, factor, int(time.time() * 1000))


def alarms(session_factory, **where):
    with session_factory() as session:
        stmt = select(Alarm).order_by(Alarm.id)
        for name, value in where.items():
            stmt = stmt.where(getattr(Alarm, name) == value)
        return session.scalars(stmt).all()


def test_a_flat_line_raises_a_data_alarm_and_a_change_clears_it(session_factory, world):
    engine = AlarmEngine(session_factory)
    device, t0 = world.device["a"], 1_700_000_000

    def minute(i, value, factor="a21026"):  # minute means every 10 min, as data loggers send them
        return row(device, t0 + 600 * i, factor, value, interval="minute", field="Avg")

    engine.judge_readings([minute(i, 35.2) for i in range(6)])
    engine.judge_readings([row(device, t0 + 60 * i, "a21026", 35.2) for i in range(100)])  # real-time: not judged
    assert alarms(session_factory, kind="flat_line") == []  # the same for 50 min: below the blue band of 60
    engine.judge_readings([minute(6, 35.2)])
    (alarm,) = alarms(session_factory, kind="flat_line")
    assert alarm.level == "blue" and alarm.factor == "a21026" and alarm.state == "active"
    assert "连续 60 分钟恒定为 35.2 mg/m³" in alarm.message  # Chinese, as SMS and e-mail carry it
    assert "stuck at 35.2 mg/m³ for 60 min" in alarm.details["message_en"]  # for the console's English view
    assert alarm.advice.startswith("Check the data logger")  # the park's abnormal-data scenario
    engine.judge_readings([minute(7, 35.3)])
    (alarm,) = alarms(session_factory, kind="flat_line")
    assert alarm.state == "cleared" and alarm.cleared_by == "system" and alarm.open_key is None
    engine.judge_readings([minute(i, 0.0, "a21002") for i in range(40)])  # 6.5 h of zeros: below detection
    assert len(alarms(session_factory, kind="flat_line")) == 1
    # A COD analyser repeats its result between hourly cycles: only 12 h unchanged is a flat line.
    engine.judge_readings([minute(i, 41.0, "w01018") for i in range(72)])  # 0 .. 710 min
    assert len(alarms(session_factory, kind="flat_line")) == 1
    engine.judge_readings([minute(72, 41.0, "w01018")])  # 720 min
    (cod,) = alarms(session_factory, kind="flat_line", factor="w01018")
    assert cod.message.split("：", 1)[1] == "化学需氧量连续 720 分钟恒定为 41 mg/L，蓝色预警"
    assert cod.details["message_en"].split(": ", 1)[1] == "COD (CODcr) stuck at 41 mg/L for 720 min: blue warning"


def test_an_hourly_mean_above_the_limit_is_graded_by_its_multiple(session_factory, world):
    point = world.point["a"]
    with session_factory() as session:
        set_limit(session, SYSTEM, point, LimitEdit(factor="a21026", value=100.0, unit="mg/m³", standard="permit"))
        assert [lim.value for lim in point_limits(session, SYSTEM, point) if lim.factor == "a21026" and lim.quantity == "concentration"] == [100.0]
    engine = AlarmEngine(session_factory)
    hour = 1_700_000_000 - 1_700_000_000 % 3600
    engine.judge_readings([row(world.device["a"], hour, "a21026", 160.0, interval="hour", field="Avg")])
    (alarm,) = alarms(session_factory, kind="exceedance")
    assert alarm.level == "orange"  # 160 / 100 = 1.6 times the limit: orange from 1.5
    assert "1.60 × the permit limit ≤ 100 mg/m³" in alarm.details["message_en"]
    # An invalid hour (flag other than N) is not judged; a valid one within the limit clears.
    engine.judge_readings([row(world.device["a"], hour + 3600, "a21026", 400.0, flag="D", interval="hour",
                               field="Avg")])
    assert alarms(session_factory, kind="exceedance")[0].state == "active"
    engine.judge_readings([row(world.device["a"], hour + 7200, "a21026", 90.0, interval="hour", field="Avg")])
    assert alarms(session_factory, kind="exceedance")[0].state == "cleared"


def test_silence_raises_an_interruption_and_data_clears_it(session_factory, world):
    engine = AlarmEngine(session_factory)
    now = datetime.now(timezone.utc)
    engine.sweep(now + timedelta(minutes=16))
    silent = {a.point_id: a for a in alarms(session_factory, kind="interruption")}
    assert world.point["a"] in silent and silent[world.point["a"]].level == "blue"  # 16 min >= 15
    engine.sweep(now + timedelta(minutes=61))
    assert {a.level for a in alarms(session_factory, kind="interruption")} == {"yellow"}  # 61 min >= 60
    engine.judge_readings([row(world.device["a"], int(now.timestamp()), "a21026", 20.0)])
    engine._last_seen[world.device["a"]] = (now + timedelta(minutes=61)).timestamp()
    engine.sweep(now + timedelta(minutes=62))
    assert alarms(session_factory, kind="interruption", point_id=world.point["a"])[0].state == "cleared"


def test_an_unacknowledged_warning_escalates_to_more_recipients(session_factory, world):
    engine = AlarmEngine(session_factory)
    engine.judge_readings([row(world.device["tank"], 1_700_000_000, "x01002", 83.0)])
    (alarm,) = alarms(session_factory, kind="threshold")
    assert alarm.level == "yellow"
    with session_factory() as session:
        first = {d.address for d in session.scalars(select(Delivery).where(Delivery.channel == "email"))}
    assert first == {"command@park.example", "steward@park.example"}
    engine.sweep(alarm.first_at + timedelta(minutes=16))  # the tank rule escalates after 15 min
    (alarm,) = alarms(session_factory, kind="threshold")
    assert alarm.level == "orange" and alarm.escalations == 1
    assert "report to the park command centre" in alarm.advice  # the orange response of the plan
    with session_factory() as session:
        kinds = [e.kind for e in session.scalars(select(AlarmEvent).where(AlarmEvent.alarm_id == alarm.id))]
        escalated = {d.address for d in session.scalars(select(Delivery).where(
            Delivery.channel == "email", Delivery.event_id == select(AlarmEvent.id).where(
                AlarmEvent.kind == "escalated").scalar_subquery()))}
    assert kinds == ["raised", "escalated"]
    assert "regulator@park.example" in escalated and "hospital@park.example" not in escalated


def test_a_rising_tank_goes_up_the_levels_in_one_alarm(session_factory, world):
    engine = AlarmEngine(session_factory)
    device, t0 = world.device["tank"], 1_700_000_000
    for i, fill in enumerate((79.0, 81.0, 84.0, 91.0, 96.0)):
        engine.judge_readings([row(device, t0 + 60 * i, "x01002", fill)])
    (alarm,) = alarms(session_factory, kind="threshold")
    assert (alarm.level, alarm.peak_level, alarm.count, alarm.peak_value) == ("red", "red", 4, 96.0)
    with session_factory() as session:
        kinds = [e.kind for e in session.scalars(select(AlarmEvent).where(AlarmEvent.alarm_id == alarm.id))]
    assert kinds == ["raised", "level_up", "level_up"]


def test_alarm_events_are_notarized_and_a_rewritten_acknowledgement_is_found(engine, session_factory, world,
                                                                             tmp_path):
    from sqlalchemy import text

    from parksteward.alarms import lifecycle
    from parksteward.alarms.notary import notarize_pending
    from parksteward.config import Settings
    from parksteward.ledger.audit import audit
    from parksteward.ledger.store import LogStore

    settings = Settings(database_url=str(engine.url), data_dir=tmp_path / "data", document_dir=tmp_path / "docs")
    log = LogStore(engine, settings.ledger_origin)
    alarm_engine = AlarmEngine(session_factory)
    alarm_engine.judge_readings([row(world.device["tank"], 1_700_000_000, "x01002", 83.0)])
    with session_factory() as session:
        alarm = session.scalars(select(Alarm)).one()
        lifecycle.acknowledge(session, alarm, "duty_officer", "feed stopped", datetime.now(timezone.utc))
        session.commit()
    assert notarize_pending(session_factory, log) == 2  # raised, acknowledged
    assert notarize_pending(session_factory, log) == 0
    with session_factory() as session:
        assert [e.ledger_index for e in session.scalars(select(AlarmEvent).order_by(AlarmEvent.id))] == [0, 1]
    assert audit(engine, settings).clean
    with engine.begin() as connection:  # someone moves the acknowledgement to another person afterwards
        connection.execute(text("UPDATE alarm_event SET actor = 'shift_leader' WHERE kind = 'acknowledged'"))
    (finding,) = audit(engine, settings).findings
    assert (finding.change, finding.kind, finding.leaf_index) == ("altered", "alarm", 1)


def test_values_flagged_invalid_for_an_hour_raise_a_data_alarm(session_factory, world):
    engine = AlarmEngine(session_factory)
    device, t0 = world.device["a"], 1_700_000_000

    def minute(i, flag):
        return row(device, t0 + 600 * i, "a21026", 0.0 if flag == "D" else 20.0, flag=flag, interval="minute",
                   field="Avg")

    engine.judge_readings([minute(0, "N")] + [minute(i, "D") for i in range(1, 7)])  # D from 10 to 60 min: 50 min
    assert alarms(session_factory, kind="invalid_data") == []
    engine.judge_readings([minute(7, "D")])  # 60 min
    (alarm,) = alarms(session_factory, kind="invalid_data")
    assert alarm.level == "blue" and "连续 60 分钟数据标记为 D（非 N）" in alarm.message
    assert "flagged D (not N) for 60 min" in alarm.details["message_en"]
    engine.judge_readings([minute(8, "N")])
    assert alarms(session_factory, kind="invalid_data")[0].state == "cleared"


def test_an_o2_corrected_point_is_judged_on_its_corrected_hourly_means(session_factory, world):
    from parksteward.ingest.tables import Rollup
    from parksteward.registry.tables import MonitoringPoint

    point, device = world.point["a"], world.device["a"]
    with session_factory() as session:
        session.get(MonitoringPoint, point).reference_o2_pct = 3.0
        session.commit()
        set_limit(session, SYSTEM, point, LimitEdit(factor="a21026", value=100.0, unit="mg/m³", standard="permit"))
    now = datetime.now(timezone.utc)
    hour = int(now.timestamp()) // 3600 * 3600 - 3600
    with session_factory() as session:  # measured 80, but 120 at the reference O2: above the limit
        session.add(Rollup(device_id=device, interval="hour", t=hour, factor="a21026", n_valid=60, n_total=60,
                           mean=80.0, minimum=70.0, maximum=90.0, valid=True, flag="N", corrected=120.0))
        session.commit()
    engine = AlarmEngine(session_factory)
    engine.sweep(now)
    (alarm,) = alarms(session_factory, kind="exceedance")
    assert alarm.level == "yellow" and alarm.value == 120.0  # 120 / 100 = 1.2 times the limit
    assert "小时均值（折算至基准氧含量 3%） 120 mg/m³，为permit限值 ≤ 100 mg/m³ 的 1.20 倍" in alarm.message
    assert "hourly mean (corrected to 3 % O2) 120 mg/m³ = 1.20 × the permit limit" in alarm.details["message_en"]
    # The device's own hourly means: the corrected ZsAvg counts, the measured Avg does not.
    engine.judge_readings([row(device, hour + 3600, "a21026", 90.0, interval="hour", field="Avg"),
                           row(device, hour + 3600, "a21026", 160.0, interval="hour", field="ZsAvg")])
    (alarm,) = alarms(session_factory, kind="exceedance")
    assert alarm.level == "orange" and alarm.value == 160.0


class SteppedClock:
    """The engine's ``time`` module with a monotonic clock the test moves by hand, so a slow
    database between two sightings cannot make them look seconds apart."""

    def __init__(self):
        self.now = 1000.0

    def monotonic(self):
        return self.now

    def time(self):
        return time.time()


def test_a_persisting_condition_is_counted_in_memory_and_written_every_few_seconds(session_factory, world,
                                                                                  monkeypatch):
    from parksteward.alarms import engine as engine_module

    clock = SteppedClock()
    monkeypatch.setattr(engine_module, "time", clock)
    engine = AlarmEngine(session_factory)
    device, t0 = world.device["tank"], 1_700_000_000
    for i, fill in enumerate((81.0, 83.5, 82.0)):  # yellow three times within one update interval
        engine.judge_readings([row(device, t0 + i, "x01002", fill)])
        clock.now += 0.1
    (alarm,) = alarms(session_factory, kind="threshold")
    assert (alarm.count, alarm.peak_value) == (1, 81.0)  # the two repeats are held in memory
    engine.sweep()  # not yet due: nothing is written
    (alarm,) = alarms(session_factory, kind="threshold")
    assert alarm.count == 1
    clock.now += engine_module.UPDATE_EVERY_S
    engine.sweep()  # due: the held sightings are written
    (alarm,) = alarms(session_factory, kind="threshold")
    assert (alarm.count, alarm.peak_value, alarm.value) == (3, 83.5, 82.0)
    for i, fill in enumerate((84.0, 86.0)):
        engine.judge_readings([row(device, t0 + 10 + i, "x01002", fill)])
        clock.now += 0.1
    engine.judge_readings([row(device, t0 + 20, "x01002", 70.0)])  # eased: what was held goes in first
    (alarm,) = alarms(session_factory, kind="threshold")
    assert (alarm.count, alarm.peak_value, alarm.state) == (5, 86.0, "cleared")


def test_committed_reading_sets_are_judged_as_their_readings(session_factory, world):
    # The ingest writer hands the stage reading sets; a tank at 83 % (yellow band 80-85 % of
    # the safe level) gives the same alarm as the reading row does, and a set of a device no
    # rule watches still counts as the device being heard from.
    from parksteward.ingest.store import pack_readings

    engine = AlarmEngine(session_factory)
    tank, other = world.device["tank"], world.device["b"]
    sets = pack_readings([row(tank, 1_700_000_000, "x01002", 83.0), row(other, 1_700_000_000, "w01018", 5.0)])
    engine.judge_sets(sets)
    (alarm,) = alarms(session_factory, kind="threshold")
    assert alarm.level == "yellow" and alarm.factor == "x01002" and alarm.peak_value == 83.0
    assert engine._last_seen[other] == sets[1][3] / 1000
