"""The store: WAL on SQLite, and timestamps that come back in UTC on both backends."""

from datetime import datetime, timedelta, timezone

from sqlalchemy import text

from parksteward.access.actor import SYSTEM
from parksteward.registry import service
from tests.factories import BOUNDARY


def test_sqlite_file_store_runs_in_wal_mode(tmp_path):
    from parksteward.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
    engine.dispose()


def test_sqlite_page_cache_is_set_per_engine_and_larger_for_the_ingest_writer(tmp_path):
    from parksteward.db import make_engine
    from parksteward.db.engine import use_writer_page_cache

    url = f"sqlite:///{tmp_path / 'a.db'}"
    default, small = make_engine(url), make_engine(url, sqlite_cache_kib=2 * 1024)
    for engine, kib in ((default, 8 * 1024), (small, 2 * 1024)):
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA cache_size")).scalar() == -kib  # negative: KiB, not pages
    with default.connect() as connection:
        use_writer_page_cache(connection)
    with default.connect() as connection:  # the same database connection, back from the pool
        assert connection.execute(text("PRAGMA cache_size")).scalar() == -64 * 1024
    for engine in (default, small):
        engine.dispose()
    from parksteward.ingest.pipeline import Pipeline

    writer = make_engine(url)
    with Pipeline(writer).begin() as connection:  # the writer's transactions, and its jobs'
        assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == -64 * 1024
    writer.dispose()


def test_timestamps_are_utc_aware(session_factory):
    with session_factory() as session:
        park = service.parks.create(session, SYSTEM, {"name": "时间园区", "boundary": BOUNDARY})
        park_id = park.id
    with session_factory() as session:
        created = service.parks.get(session, SYSTEM, park_id).created_at
    assert created.tzinfo is not None and created.utcoffset() == timedelta(0)
    assert abs(datetime.now(timezone.utc) - created) < timedelta(minutes=5)


def test_migration_0003_keeps_readings_and_moves_the_cascade_to_a_trigger(tmp_path):
    from sqlalchemy import inspect

    from parksteward.db import make_engine, make_sessionmaker
    from parksteward.db.migrate import upgrade
    from parksteward.registry.tables import Device
    from tests.factories import build_world

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0002")
    with make_sessionmaker(engine)() as session:
        service.factors.load_catalogue(session)
        device_id = build_world(session, zones=False).device["a"]
    insert = text("INSERT INTO reading (device_id, interval, t, factor, field, value, flag, code, received_ms) "
                  "VALUES (:d, 'raw', 1, 'a21026', 'Rtd', 2.5, 'N', 'a21026', 0)")
    with engine.begin() as connection:
        connection.execute(insert, {"d": device_id})
    upgrade(engine)
    assert inspect(engine).get_foreign_keys("reading") == []
    with engine.connect() as connection:
        assert connection.execute(text("SELECT value FROM reading")).scalars().all() == [2.5]
    with make_sessionmaker(engine)() as session:
        session.delete(session.get(Device, device_id))
        session.commit()
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM reading")).scalar() == 0
    engine.dispose()


def test_sqlite_keeps_reading_sets_in_the_primary_key_tree(tmp_path):
    from parksteward.bootstrap import prepare_database
    from parksteward.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    prepare_database(engine)
    with engine.connect() as connection:
        ddl = connection.execute(text("SELECT sql FROM sqlite_master WHERE name = 'reading_set'")).scalar()
        kind = connection.execute(text("SELECT type FROM sqlite_master WHERE name = 'reading'")).scalar()
    assert ddl.rstrip().endswith("WITHOUT ROWID")
    assert kind == "view"
    engine.dispose()


def test_migration_0011_drops_the_verdict_device_index_and_gives_it_back(engine):
    # Ingest commits no longer write one index page per device for verdicts (migration 0011);
    # going back to 0010 restores the index, and forward drops it again.
    from sqlalchemy import inspect

    from parksteward.db.migrate import downgrade, upgrade

    def verdict_indexes():
        return [index["column_names"] for index in inspect(engine).get_indexes("frame_verdict")]

    assert ["device_id"] not in verdict_indexes()
    downgrade(engine, "0010")
    try:
        assert ["device_id"] in verdict_indexes()
    finally:
        upgrade(engine)
    assert ["device_id"] not in verdict_indexes()


def test_migration_0012_converts_readings_to_sets_and_back(engine, session_factory):
    # Readings written as sets; back at 0011 they are one row each in the reading table (the
    # code as sent kept where it differs), and forward again they are sets.
    from parksteward.db.migrate import downgrade, upgrade
    from parksteward.ingest.store import write_readings
    from tests.factories import build_world

    with session_factory() as session:
        device = build_world(session).device["a"]
    rows = [(device, "raw", 60, "a21026", "Rtd", 0.1 + 0.2, "N", "a21026", 1000),
            (device, "raw", 60, "a21002", "Rtd", 12.5, None, "03", 1000),
            (device, "hour", 3600, "a21026", "Avg", 24.8, "N", "a21026", 2000)]
    with engine.begin() as connection:
        write_readings(connection, rows)
    query = text("SELECT device_id, interval, t, factor, field, value, flag, code, received_ms FROM reading "
                 "ORDER BY interval, t, factor")
    expected = sorted(rows, key=lambda r: (r[1], r[2], r[3]))
    downgrade(engine, "0011")
    try:
        with engine.connect() as connection:
            assert [tuple(r) for r in connection.execute(query)] == expected
            assert connection.execute(text("SELECT count(*) FROM reading")).scalar() == 3
    finally:
        upgrade(engine)
    with engine.connect() as connection:
        assert [tuple(r) for r in connection.execute(query)] == expected
        assert connection.execute(text("SELECT count(*) FROM reading_set")).scalar() == 2
