"""Engine and session factory for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, sqlite_cache_kib: int | None = None, **kwargs) -> Engine:
    """Create an engine; SQLite gets WAL journaling, foreign keys and a busy timeout.

    WAL lets the API read while the ingest pipeline writes; SQLite leaves foreign keys off
    unless asked per connection. ``sqlite_cache_kib`` is each connection's page cache
    (default :data:`SQLITE_CACHE_KIB`).
    """
    cache_kib = SQLITE_CACHE_KIB if sqlite_cache_kib is None else sqlite_cache_kib
    parsed = make_url(url)
    # Hand out the connection used last: a busy writer then keeps one warm page cache (SQLite
    # resets a connection's cache when another connection changed the file meanwhile), and
    # connections idle long enough are closed.
    if "poolclass" not in kwargs:  # pools without a queue (NullPool, for migrations) take no LIFO option
        kwargs.setdefault("pool_use_lifo", True)
    if parsed.get_backend_name() == "sqlite":
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            if parsed.database not in (None, "", ":memory:"):
                cursor.execute("PRAGMA journal_mode=WAL")
                # Checkpoint every ~120 MB of WAL instead of 4 MB: an ingest batch rewrites a
                # page per device (a batch of 800 frames writes ~2,100 pages to the WAL), and a
                # page changed by many commits is then copied into the database once instead of
                # once per commit. Writer CPU per 1,000 readings, batches of 800 frames from
                # 1,000 devices: 6.5 ms at 10,000 pages, 5.2 ms at 30,000, 5.2 ms at 50,000,
                # whose checkpoints took longer (batch p99 190 ms against 150 ms).
                cursor.execute(f"PRAGMA wal_autocheckpoint={SQLITE_CHECKPOINT_PAGES}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            # The ingest writer's connections take a larger one (use_writer_page_cache).
            cursor.execute(f"PRAGMA cache_size=-{cache_kib}")
            cursor.close()

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


SQLITE_CACHE_KIB = 8 * 1024  # per connection; pages are allocated only as they are used
# The ingest writer's connection: a thousand devices each append to their own part of the
# reading-set tree, and an ingest batch touches more pages than the default cache holds.
SQLITE_WRITER_CACHE_KIB = 64 * 1024
SQLITE_CHECKPOINT_PAGES = 30_000


def use_writer_page_cache(connection) -> None:
    """Give ``connection`` (a SQLAlchemy Connection) the ingest writer's larger SQLite page cache,
    once per database connection. The other connections (API reads, the alarm stage) keep
    :data:`SQLITE_CACHE_KIB`: each connection has its own cache, and readers at the writer's
    size made the server's memory grow with the number of connections it had opened."""
    if connection.dialect.name != "sqlite":
        return
    info = connection.connection.info  # lives as long as the database connection, in the pool too
    if not info.get("writer_page_cache"):
        connection.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_WRITER_CACHE_KIB}")
        info["writer_page_cache"] = True


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
