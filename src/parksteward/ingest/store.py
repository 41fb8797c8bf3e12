"""Fast batched writes of readings: executemany on SQLite, COPY on PostgreSQL.

Rows are tuples in :data:`READING_COLUMNS` order. Rows already stored (same device,
interval, DataTime, factor and field) are skipped, which makes resent frames idempotent.
"""

from __future__ import annotations

from sqlalchemy import Connection

READING_COLUMNS = ("device_id", "interval", "t", "factor", "field", "value", "flag", "code", "received_ms")
_COLUMNS = ", ".join(READING_COLUMNS)
_SQLITE_INSERT = f"INSERT OR IGNORE INTO reading ({_COLUMNS}) VALUES ({', '.join('?' * len(READING_COLUMNS))})"
_PG_STAGE = "CREATE TEMP TABLE IF NOT EXISTS reading_in (LIKE reading) ON COMMIT DELETE ROWS"
_PG_COPY = f"COPY reading_in ({_COLUMNS}) FROM STDIN"
_PG_MERGE = f"INSERT INTO reading ({_COLUMNS}) SELECT {_COLUMNS} FROM reading_in ON CONFLICT DO NOTHING"


def write_readings(connection: Connection, rows: list[tuple]) -> None:
    """Insert ``rows`` inside the caller's transaction."""
    if not rows:
        return
    dialect = connection.dialect.name
    if dialect == "sqlite":
        connection.exec_driver_sql(_SQLITE_INSERT, rows)
    elif dialect == "postgresql":
        # COPY cannot skip duplicates, so it fills a per-session staging table that the
        # INSERT ... ON CONFLICT DO NOTHING then merges; the table empties at commit.
        driver = connection.connection.driver_connection
        with driver.cursor() as cursor:
            cursor.execute(_PG_STAGE)
            with cursor.copy(_PG_COPY) as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(_PG_MERGE)
    else:
        raise ValueError(f"no reading writer for the {dialect!r} dialect (sqlite and postgresql are supported)")
