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


def test_timestamps_are_utc_aware(session_factory):
    with session_factory() as session:
        park = service.parks.create(session, SYSTEM, {"name": "时间园区", "boundary": BOUNDARY})
        park_id = park.id
    with session_factory() as session:
        created = service.parks.get(session, SYSTEM, park_id).created_at
    assert created.tzinfo is not None and created.utcoffset() == timedelta(0)
    assert abs(datetime.now(timezone.utc) - created) < timedelta(minutes=5)
