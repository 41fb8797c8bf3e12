"""The batched writers of :mod:`parksteward.ingest.store` on their own: readings of devices
that are gone are dropped, resent readings are skipped, and on SQLite the batch's device
check runs under the write lock (no device can vanish between the check and the insert)."""

from __future__ import annotations

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
