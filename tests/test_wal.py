"""The background WAL checkpointer copies what writers committed into the database file."""

import os
import time

from sqlalchemy import create_engine, text

from parksteward.db import make_engine
from parksteward.db.wal import WalCheckpointer

PAGES = 1_000  # rows of a 4 KB blob: at least a page each


def _write(engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS blob (b BLOB)"))
        connection.execute(text("INSERT INTO blob VALUES (randomblob(4096))"), [{}] * PAGES)


def test_a_checkpoint_copies_the_committed_pages_into_the_database(tmp_path):
    path = tmp_path / "wal.db"
    engine = make_engine(f"sqlite:///{path}")
    _write(engine)  # 1,000 pages, below the writer's own autocheckpoint: all still in the log
    assert os.path.getsize(path) < PAGES * 4096
    checkpointer = WalCheckpointer(engine)
    raw = engine.raw_connection()
    try:
        copied = checkpointer.checkpoint(raw.driver_connection)
        assert copied >= PAGES
        assert os.path.getsize(path) >= PAGES * 4096  # the pages are in the database file now
        assert checkpointer.checkpoint(raw.driver_connection) == 0  # nothing new since
    finally:
        raw.close()
        engine.dispose()


def test_the_thread_checkpoints_while_a_writer_commits(tmp_path):
    path = tmp_path / "wal.db"
    engine = make_engine(f"sqlite:///{path}")
    checkpointer = WalCheckpointer(engine, every_s=0.05)
    checkpointer.start()
    try:
        _write(engine)
        # Wait for the thread's count, not for the file: the file grows while the checkpoint
        # copies, before the thread has counted what it copied.
        deadline = time.monotonic() + 10
        while checkpointer.pages_copied < PAGES and time.monotonic() < deadline:
            time.sleep(0.05)
        assert checkpointer.checkpoints >= 1 and checkpointer.pages_copied >= PAGES
        assert os.path.getsize(path) >= PAGES * 4096
    finally:
        checkpointer.stop()
        engine.dispose()


def test_nothing_to_do_for_postgresql_or_memory():
    assert not WalCheckpointer(create_engine("sqlite://")).applies
    assert not WalCheckpointer(create_engine("postgresql+psycopg://postgres@127.0.0.1:5432/none")).applies
