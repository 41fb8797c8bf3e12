"""The ingestion pipeline against a real store: archive, authenticate, store, idempotency, replies."""

from __future__ import annotations

import calendar
import time

import pytest
from sqlalchemy import func, select

from parksteward.hj212 import build_frame, parse_frame
from parksteward.hj212.checksum import modbus
from parksteward.hj212.frame import encode_segment, wrap_segment
from parksteward.ingest.pipeline import Arrival, Pipeline
from parksteward.ingest.tables import FrameVerdict, RawFrame, Reading
from parksteward.registry.tables import Device
from tests.factories import build_world

# Decoding runs in C where the extension is built; every test here runs on both paths.
pytestmark = pytest.mark.usefixtures("implementation")

HOURLY_CP = [("DataTime", "20250315090000"),
             ("a21026-Avg", "24.8"), ("a21026-Max", "29.3"), ("a21026-Flag", "N"),
             ("a19001-Avg", "9.4"), ("a19001-Flag", "N")]


@pytest.fixture
def world_and_pipeline(engine, session_factory):
    with session_factory() as session:
        world = build_world(session)
        mn = session.get(Device, world.device["a"]).mn
    return world, mn, Pipeline(engine)


def readings(session_factory) -> list[Reading]:
    with session_factory() as session:
        return list(session.scalars(select(Reading).order_by(Reading.factor, Reading.field)))


def hourly(mn: str, pw: str = "123456", qn: str = "20250315100000123", cp=HOURLY_CP, flag: int = 5) -> bytes:
    return build_frame(st="31", cn="2061", mn=mn, pw=pw, qn=qn, flag=flag, cp=cp)


def test_an_hourly_upload_is_archived_stored_and_answered(world_and_pipeline, session_factory):
    world, mn, pipeline = world_and_pipeline
    raw = hourly(mn)
    [outcome] = pipeline.process([Arrival(raw, peer="127.0.0.1:5000")])
    assert outcome.ok and outcome.readings == 3
    # The data answer echoes the upload's QN, ST=91, CN=9014, Flag=4 (HJ 212-2017 §6.5).
    reply = parse_frame(outcome.reply)
    assert (reply.qn, reply.st, reply.cn, reply.flag.raw, reply.mn) == ("20250315100000123", "91", "9014", 4, mn)
    stored = readings(session_factory)
    # DataTime 2025-03-15 09:00 in Asia/Shanghai (UTC+8) is 01:00 UTC.
    start = calendar.timegm((2025, 3, 15, 1, 0, 0))
    assert [(r.factor, r.field, r.value, r.flag, r.interval, r.t) for r in stored] == [
        ("a19001", "Avg", 9.4, "N", "hour", start),
        ("a21026", "Avg", 24.8, "N", "hour", start),
        ("a21026", "Max", 29.3, "N", "hour", start),
    ]
    with session_factory() as session:
        archived = session.scalars(select(RawFrame)).one()
        assert archived.raw == raw and archived.transport == "tcp" and archived.peer == "127.0.0.1:5000"
        verdict = session.get(FrameVerdict, archived.id)
        assert verdict.ok and verdict.device_id == world.device["a"] and verdict.readings == 3


def test_a_resent_frame_stores_nothing_twice_and_is_answered_again(world_and_pipeline, session_factory):
    _, mn, pipeline = world_and_pipeline
    raw = hourly(mn)
    pipeline.process([Arrival(raw)])
    [again] = pipeline.process([Arrival(raw), ])
    assert again.ok and again.reply is not None
    assert len(readings(session_factory)) == 3
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(RawFrame)) == 2  # both arrivals archived


def test_no_reply_unless_the_flag_asks(world_and_pipeline):
    _, mn, pipeline = world_and_pipeline
    [outcome] = pipeline.process([Arrival(hourly(mn, flag=4))])
    assert outcome.ok and outcome.reply is None


@pytest.mark.parametrize(("mn", "pw", "kind"), [("NOSUCHMN0001", "123456", "unknown_device"),
                                                (None, "999999", "wrong_password")])
def test_unknown_devices_and_wrong_passwords_are_refused_and_kept(world_and_pipeline, session_factory, mn, pw, kind):
    _, known_mn, pipeline = world_and_pipeline
    [outcome] = pipeline.process([Arrival(hourly(mn or known_mn, pw=pw))])
    assert not outcome.ok and outcome.kind == kind and outcome.reply is None
    assert readings(session_factory) == []
    with session_factory() as session:
        verdict = session.scalars(select(FrameVerdict)).one()
        assert not verdict.ok and verdict.kind == kind


def test_modbus_checksum_needs_the_lenient_policy(world_and_pipeline, session_factory):
    world, mn, pipeline = world_and_pipeline
    segment = encode_segment([("QN", "1"), ("ST", "31"), ("CN", "2061"), ("PW", "123456"), ("MN", mn),
                              ("Flag", "5")], HOURLY_CP)
    raw = wrap_segment(segment, checksum=modbus(segment))
    [refused] = pipeline.process([Arrival(raw)])
    assert not refused.ok and refused.kind == "bad_checksum" and "strict" in refused.message
    with session_factory() as session:
        session.get(Device, world.device["a"]).checksum_policy = "lenient"
        session.commit()
    pipeline.directory.refresh()
    [accepted] = pipeline.process([Arrival(raw)])
    assert accepted.ok and accepted.readings == 3
    assert any("modbus" in note for note in accepted.notes)


def test_valid_frames_survive_a_batch_full_of_bad_ones(world_and_pipeline, session_factory):
    _, mn, pipeline = world_and_pipeline
    good = hourly(mn)
    bad = [good[:-6] + b"FFFF\r\n", good[:40], b"##abcd", b"\x00\xff" * 20, hourly(mn, cp=[]),
           hourly(mn, cp=[("DataTime", "2025031509"), ("a21026-Avg", "1")])]
    outcomes = pipeline.process([Arrival(raw) for raw in bad[:3]] + [Arrival(good)] + [Arrival(raw) for raw in bad[3:]])
    assert [o.ok for o in outcomes] == [False, False, False, True, False, False, False]
    assert [o.kind for o in outcomes if not o.ok] == ["bad_checksum", "truncated", "bad_header", "bad_header",
                                                      "bad_data_time", "bad_data_time"]
    assert len(readings(session_factory)) == 3


def test_values_that_are_not_numbers_are_named_not_stored(world_and_pipeline, session_factory):
    _, mn, pipeline = world_and_pipeline
    cp = [("DataTime", "20250315090000"), ("a21026-Avg", "abc"), ("a21002-Avg", "NaN"), ("a34013-Avg", "3.3")]
    [outcome] = pipeline.process([Arrival(hourly(mn, cp=cp))])
    assert outcome.ok and outcome.readings == 1
    assert any("a21026-Avg='abc'" in note for note in outcome.notes)
    assert any("a21002-Avg='NaN'" in note for note in outcome.notes)


def test_a_data_time_from_the_future_is_refused(world_and_pipeline):
    _, mn, pipeline = world_and_pipeline
    ahead = time.strftime("%Y%m%d%H%M%S", time.gmtime(time.time() + 8 * 3600 + 3600))  # an hour ahead, UTC+8
    [outcome] = pipeline.process([Arrival(hourly(mn, cp=[("DataTime", ahead), ("a21026-Avg", "1")]))])
    assert not outcome.ok and outcome.kind == "future_data_time"


def test_2005_codes_are_stored_under_their_2017_codes(world_and_pipeline, session_factory):
    _, mn, pipeline = world_and_pipeline
    cp = [("DataTime", "20250315090000"), ("02-Avg", "24.8"), ("02-Flag", "N"), ("B02-Avg", "17.0")]
    raw = build_frame(st="31", cn="2061", mn=mn, pw="123456", qn=None, flag=1, cp=cp)  # 2005: Flag 1 = reply
    [outcome] = pipeline.process([Arrival(raw)])
    assert outcome.ok
    assert [(r.factor, r.code) for r in readings(session_factory)] == [("a00000", "B02"), ("a21026", "02")]
    assert parse_frame(outcome.reply).flag.raw == 0  # a 2005 answer


def test_split_packets_are_stored_part_by_part(world_and_pipeline, session_factory):
    _, mn, pipeline = world_and_pipeline
    parts = [build_frame(st="31", cn="2061", mn=mn, pw="123456", qn=f"2025031510000012{n}", flag=7, pnum=2, pno=n,
                         cp=[("DataTime", "20250315090000"), (code, value)])
             for n, (code, value) in ((1, ("a21026-Avg", "24.8")), (2, ("a21002-Avg", "46.9")))]
    first, second = pipeline.process([Arrival(parts[0])]) + pipeline.process([Arrival(parts[1])])
    # Each part is answered with its own QN (HJ 212-2017 Annex C).
    assert [parse_frame(o.reply).qn for o in (first, second)] == ["20250315100000121", "20250315100000122"]
    assert "split packet set complete: 2 parts" in second.notes
    assert [(r.factor, r.value) for r in readings(session_factory)] == [("a21002", 46.9), ("a21026", 24.8)]


def test_archive_ids_match_their_frames_in_a_batch(world_and_pipeline, session_factory):
    _, mn, pipeline = world_and_pipeline
    raws = [hourly(mn, qn=f"Q{i}", cp=[("DataTime", f"2025031509{i:02d}00"), ("a21026-Avg", "1")]) for i in range(5)]
    raws.insert(2, b"##junk")
    pipeline.process([Arrival(r) for r in raws])
    pipeline.process([Arrival(raws[0])])
    with session_factory() as session:
        pairs = session.execute(select(RawFrame.raw, FrameVerdict.ok, FrameVerdict.readings)
                                .join(FrameVerdict, FrameVerdict.frame_id == RawFrame.id).order_by(RawFrame.id)).all()
    assert [raw for raw, _, _ in pairs] == raws + [raws[0]]
    # A resent frame carries its reading again (stored once: the key ignores the repeat).
    assert [(ok, n) for _, ok, n in pairs] == [(True, 1)] * 2 + [(False, 0)] + [(True, 1)] * 4


def test_the_archive_is_for_operators_and_verdicts_follow_their_device(world_and_pipeline, session_factory):
    from parksteward.access import Actor, scoped

    world, mn, pipeline = world_and_pipeline
    pipeline.process([Arrival(hourly(mn))])
    own = Actor(user_id=None, username="a", role="enterprise", enterprise_id=world.enterprise["a"])
    other = Actor(user_id=None, username="b", role="enterprise", enterprise_id=world.enterprise["b"])
    regulator = Actor(user_id=None, username="r", role="regulator")
    with session_factory() as session:
        def count(model, actor):
            return len(session.scalars(scoped(select(model), model, actor)).all())

        assert (count(RawFrame, own), count(RawFrame, regulator)) == (0, 1)
        assert (count(FrameVerdict, own), count(FrameVerdict, other), count(FrameVerdict, regulator)) == (1, 0, 1)


def test_a_device_deleted_while_the_gateway_knows_it_loses_its_readings_not_the_batch(world_and_pipeline,
                                                                                     session_factory):
    world, mn, pipeline = world_and_pipeline
    with session_factory() as session:
        other = session.get(Device, world.device["b"]).mn
    pipeline.process([Arrival(hourly(other, qn="1"))])  # both devices are now in the gateway's directory
    assert pipeline.directory.get(mn) is not None
    with session_factory() as session:
        session.delete(session.get(Device, world.device["a"]))
        session.commit()
    outcomes = pipeline.process([Arrival(hourly(mn, qn="2")), Arrival(hourly(other, qn="3", cp=[
        ("DataTime", "20250315100000"), ("a21026-Avg", "1.5")]))])
    assert all(o.ok for o in outcomes)  # the batch is not refused for one vanished device
    with session_factory() as session:
        stored = session.execute(select(Reading.device_id, Reading.t)).all()
        assert {device for device, _ in stored} == {world.device["b"]}
        assert len(stored) == 4  # 3 from the first upload of b, 1 from the second
        verdicts = session.scalars(select(FrameVerdict).order_by(FrameVerdict.frame_id)).all()
        assert [v.device_id for v in verdicts] == [world.device["b"], None, world.device["b"]]


def test_deleting_a_device_deletes_its_readings(world_and_pipeline, session_factory):
    world, mn, pipeline = world_and_pipeline
    pipeline.process([Arrival(hourly(mn))])
    assert len(readings(session_factory)) == 3
    with session_factory() as session:
        session.delete(session.get(Device, world.device["a"]))
        session.commit()
    assert readings(session_factory) == []


def test_a_batch_mixing_new_and_resent_frames_stores_each_reading_once(world_and_pipeline, session_factory):
    """PostgreSQL copies a batch straight into the table and, when a resent frame collides,
    goes back and merges the batch instead: nothing of the batch may be lost either way."""
    _, mn, pipeline = world_and_pipeline
    first = hourly(mn, qn="1")
    pipeline.process([Arrival(first)])
    later = hourly(mn, qn="2", cp=[("DataTime", "20250315100000"), ("a21026-Avg", "30.5"), ("a21026-Flag", "N")])
    outcomes = pipeline.process([Arrival(later), Arrival(first)])
    assert all(o.ok for o in outcomes)
    stored = [(r.t, r.factor, r.field, r.value) for r in readings(session_factory)]
    start = calendar.timegm((2025, 3, 15, 1, 0, 0))
    assert sorted(stored) == sorted([(start, "a19001", "Avg", 9.4), (start, "a21026", "Avg", 24.8),
                                     (start, "a21026", "Max", 29.3), (start + 3600, "a21026", "Avg", 30.5)])


@pytest.mark.parametrize("path", ["decoded by a worker", "decoded by the writer"])
def test_a_store_failure_after_the_archive_keeps_the_frames_archived(world_and_pipeline, session_factory, monkeypatch,
                                                                    path):
    # Worker batches go in one transaction (archive, savepoint, data); the writer's own
    # arrivals commit the archive first. Either way a failing data write leaves the archive.
    import parksteward.ingest.pipeline as pipeline_module

    _, mn, pipeline = world_and_pipeline
    arrivals = [Arrival(hourly(mn, qn=f"2025031510000012{k}")) for k in range(3)]

    def broken(connection, rows):
        connection.exec_driver_sql("INSERT INTO no_such_table VALUES (1)")  # a database error mid-transaction

    monkeypatch.setattr(pipeline_module, "write_reading_sets", broken)
    with pytest.raises(Exception, match="no_such_table"):
        if path == "decoded by a worker":
            _, decoded = pipeline.decoder.decode(arrivals)
            decoded.archive = [pipeline_module.archive_row(a) for a in arrivals]
            pipeline.run([], [decoded])
        else:
            pipeline.run(arrivals)
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(RawFrame)) == 3
        assert session.scalar(select(func.count()).select_from(FrameVerdict)) == 0
    assert readings(session_factory) == []
    monkeypatch.undo()  # the store works again: the device's resend is stored
    _, decoded = pipeline.decoder.decode(arrivals)
    decoded.archive = [pipeline_module.archive_row(a) for a in arrivals]
    pipeline.run([], [decoded])
    assert len(readings(session_factory)) == 3  # one frame's readings: the three resends share DataTime
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(RawFrame)) == 6
        assert session.scalar(select(func.count()).select_from(FrameVerdict)) == 3
