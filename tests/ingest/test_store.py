"""The batched writers of :mod:`parksteward.ingest.store` on their own: readings of devices
that are gone are dropped, resent readings are skipped, and on SQLite the batch's device
check runs under the write lock (no device can vanish between the check and the insert)."""

from __future__ import annotations

import json
import sqlite3

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from parksteward.ingest.store import write_readings
from parksteward.ingest.tables import Reading
from parksteward.registry.tables import Device
from tests.factories import build_world


def _row(device_id: int, t: int, value: float) -> tuple:
    # READING_COLUMNS order
    return (device_id, "raw", t, "a21026", "Rtd", value, "N", "a21026", 1_700_000_000_000)


@pytest.fixture
def device_ids(session_factory):
    with session_factory() as session:
        world = build_world(session)
        return world.device["a"], world.device["b"]


def test_readings_of_missing_devices_are_dropped_and_resends_skipped(engine, session_factory, device_ids):
    a, b = device_ids
    missing = max(a, b) + 1000
    with engine.begin() as connection:
        write_readings(connection, [_row(a, 1, 1.0), _row(missing, 1, 2.0), _row(b, 1, 3.0)])
    with engine.begin() as connection:  # a resend (another value, the same key) and one new reading
        write_readings(connection, [_row(a, 1, 9.0), _row(a, 2, 4.0)])
    with session_factory() as session:
        stored = session.execute(select(Reading.device_id, Reading.t, Reading.value)
                                 .order_by(Reading.device_id, Reading.t)).all()
    assert sorted(stored) == sorted([(a, 1, 1.0), (a, 2, 4.0), (b, 1, 3.0)])


def test_readings_of_a_batch_whose_devices_are_all_gone_store_nothing(engine, session_factory, device_ids):
    a, _ = device_ids
    with session_factory() as session:
        session.delete(session.get(Device, a))
        session.commit()
    with engine.begin() as connection:
        write_readings(connection, [_row(a, 1, 1.0)])
    with session_factory() as session:
        assert session.scalars(select(Reading)).all() == []


def test_on_sqlite_the_device_check_holds_the_write_lock(engine, database_url, device_ids):
    if not database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL locks the batch's devices FOR KEY SHARE instead")
    a, _ = device_ids
    other = sqlite3.connect(make_url(database_url).database, timeout=0)
    try:
        with engine.begin() as connection:
            write_readings(connection, [_row(a, 1, 1.0)])
            # Until the commit, nobody else can write, so nobody can delete the device.
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("DELETE FROM device WHERE id = ?", (a,))
    finally:
        other.close()


def test_verdicts_follow_deleted_devices_and_frames_without_foreign_keys(engine, session_factory, device_ids):
    # frame_verdict has no foreign keys (migration 0010); its triggers do what ON DELETE did.
    from parksteward.ingest.store import write_archive, write_verdicts
    from parksteward.ingest.tables import FrameVerdict, RawFrame

    a, b = device_ids
    missing = max(a, b) + 1000
    with engine.begin() as connection:
        ids = write_archive(connection, [(1, "tcp", None, b"##one"), (2, "tcp", None, b"##two"),
                                         (3, "tcp", None, b"##three")])
        # VERDICT_COLUMNS order; a device that does not exist is stored as none
        write_verdicts(connection, [(ids[0], a, "MN-A", "2011", True, None, None, 1),
                                    (ids[1], b, "MN-B", "2011", True, None, None, 1),
                                    (ids[2], missing, "MN-X", "2011", False, "unknown_device", None, 0)])
    with session_factory() as session:
        session.delete(session.get(Device, a))
        session.commit()
    with engine.begin() as connection:
        connection.execute(RawFrame.__table__.delete().where(RawFrame.id == ids[1]))
    with session_factory() as session:
        verdicts = session.execute(select(FrameVerdict.frame_id, FrameVerdict.device_id)
                                   .order_by(FrameVerdict.frame_id)).all()
    assert verdicts == [(ids[0], None), (ids[2], None)]  # a's verdict lost its device; b's frame took its verdict


def test_pack_readings_makes_one_set_per_device_interval_and_time_and_keeps_the_first_value():
    from parksteward.ingest.store import pack_readings, unpack_reading_sets

    rows = [
        (1, "raw", 60, "a21026", "Rtd", 12.5, "N", "a21026", 1000),
        (1, "raw", 60, "a21026", "Rtd", 99.0, "N", "a21026", 1000),  # a repeat: the first value stays
        (1, "raw", 60, "a21002", "Rtd", 0.1, None, "03", 1000),  # sent as the 2005 code 03
        (2, "raw", 60, "a21026", "Rtd", 7.0, "D", "a21026", 2000),
    ]
    sets = pack_readings(rows)
    assert sets == [
        (1, "raw", 60, 1000, '{"a21026,Rtd":[12.5,"N"],"a21002,Rtd":[0.1,null,"03"]}'),
        (2, "raw", 60, 2000, '{"a21026,Rtd":[7.0,"D"]}'),
    ]
    assert unpack_reading_sets(sets) == [rows[0], rows[2], rows[3]]


def test_sets_of_one_key_from_two_batches_of_a_commit_merge_the_earlier_winning():
    from parksteward.ingest.store import merge_reading_sets

    first = (1, "raw", 60, 1000, '{"a21026,Rtd":[12.5,"N"]}')
    second = (1, "raw", 60, 1500, '{"a21026,Rtd":[99.0,"N"],"a01012,Rtd":[25.0,"N"]}')
    other = (2, "raw", 60, 1200, '{"a21026,Rtd":[7.0,"N"]}')
    merged = merge_reading_sets([first, other, second])
    assert merged[1] == other and len(merged) == 2
    assert merged[0][:4] == (1, "raw", 60, 1000)
    assert json.loads(merged[0][4]) == {"a21026,Rtd": [12.5, "N"], "a01012,Rtd": [25.0, "N"]}


def test_a_set_meeting_a_stored_one_adds_its_new_factors_and_changes_no_stored_value(engine, session_factory,
                                                                                    device_ids):
    # E.g. the parts of a split frame (one DataTime, factors spread over packets), or a resend
    # carrying one more factor: the store keeps what it has and adds what is new.
    a, _ = device_ids
    with engine.begin() as connection:
        write_readings(connection, [_row(a, 1, 1.0)])
    with engine.begin() as connection:
        write_readings(connection, [_row(a, 1, 9.0), (a, "raw", 1, "a01012", "Rtd", 25.5, "N", "a01012", 0)])
    with session_factory() as session:
        stored = session.execute(select(Reading.factor, Reading.value, Reading.flag, Reading.code)
                                 .where(Reading.device_id == a).order_by(Reading.factor)).all()
    assert stored == [("a01012", 25.5, "N", "a01012"), ("a21026", 1.0, "N", "a21026")]


def test_the_reading_view_gives_values_exactly_as_sent(engine, session_factory, device_ids):
    # JSON numbers are written with Python's shortest round-trip repr; both stores read them
    # back to the same double.
    a, _ = device_ids
    values = [0.1 + 0.2, 1e-7, 123456.789012345, 5.0]
    with engine.begin() as connection:
        write_readings(connection, [_row(a, t, v) for t, v in enumerate(values)])
    with session_factory() as session:
        stored = session.scalars(select(Reading.value).where(Reading.device_id == a).order_by(Reading.t)).all()
    assert stored == values
