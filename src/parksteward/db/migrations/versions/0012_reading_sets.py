"""reading_set: one row per device, interval and DataTime; ``reading`` becomes a view of it

Revision ID: 0012
Revises: 0011

A frame's readings share device, interval and DataTime. Stored one row each, the readings of
one frame were ten entries in the primary-key tree, each a search and an insert, and a leaf
page split every six frames of a device. Stored as one row with the readings in a JSON
object ``{"factor,field": [value, flag(, code as sent)]}``, they are one entry (SQLite,
10,000 readings from 1,000 devices per commit into 3 M stored: 66 -> 32 ms per commit with
a 120-byte row; the JSON row is about 270 bytes for ten factors). The ``reading`` view unfolds
the sets into the rows and columns the table had, so queries read readings as before;
``received_ms`` is the set's first arrival.
"""
import json
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = '0012'
down_revision: Union[str, Sequence[str], None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

READING_VIEW = {
    # json_each over the set's object: key "factor,field", value [value, flag(, code)].
    'sqlite': """
        CREATE VIEW reading AS
        SELECT s.device_id AS device_id, s.interval AS interval, s.t AS t,
               substr(e.key, 1, instr(e.key, ',') - 1) AS factor,
               substr(e.key, instr(e.key, ',') + 1) AS field,
               json_extract(e.value, '$[0]') AS value, json_extract(e.value, '$[1]') AS flag,
               coalesce(json_extract(e.value, '$[2]'), substr(e.key, 1, instr(e.key, ',') - 1)) AS code,
               s.received_ms AS received_ms
        FROM reading_set AS s, json_each(s.data) AS e""",
    'postgresql': """
        CREATE VIEW reading AS
        SELECT s.device_id AS device_id, s.interval AS interval, s.t AS t,
               split_part(e.key, ',', 1)::varchar(16) AS factor, split_part(e.key, ',', 2)::varchar(16) AS field,
               (e.value ->> 0)::float8 AS value, (e.value ->> 1)::varchar(4) AS flag,
               coalesce(e.value ->> 2, split_part(e.key, ',', 1))::varchar(16) AS code,
               s.received_ms AS received_ms
        FROM reading_set AS s CROSS JOIN LATERAL jsonb_each(s.data) AS e""",
}
# PostgreSQL writes a float8 into jsonb with its shortest exact digits. SQLite (before 3.43)
# writes a REAL into JSON with 15 significant digits (0.30000000000000004 -> 0.3), so there the
# sets are packed here, in Python, whose float repr reads back to the same double.
PACK_POSTGRESQL = ("jsonb_object_agg(factor || ',' || field, CASE WHEN code = factor THEN jsonb_build_array(value, flag) "
                   "ELSE jsonb_build_array(value, flag, code) END)")
CHUNK = 10_000


def _pack_sqlite() -> None:
    """Fill reading_set from reading, one set per (device, interval, t), in key order."""
    connection = op.get_bind()
    rows = connection.exec_driver_sql("SELECT device_id, interval, t, factor, field, value, flag, code, received_ms "
                                      "FROM reading ORDER BY device_id, interval, t")
    sets, key, data, first_ms = [], None, {}, 0
    insert = "INSERT INTO reading_set (device_id, interval, t, received_ms, data) VALUES (?, ?, ?, ?, ?)"
    for device_id, interval, t, factor, field, value, flag, code, received_ms in rows:
        if (device_id, interval, t) != key:
            if key is not None:
                sets.append((*key, first_ms, json.dumps(data, separators=(",", ":"))))
            key, data, first_ms = (device_id, interval, t), {}, received_ms
        first_ms = min(first_ms, received_ms)
        data[f"{factor},{field}"] = [value, flag] if code == factor else [value, flag, code]
        if len(sets) >= CHUNK:
            connection.exec_driver_sql(insert, sets)
            sets = []
    if key is not None:
        sets.append((*key, first_ms, json.dumps(data, separators=(",", ":"))))
    if sets:
        connection.exec_driver_sql(insert, sets)


def _dialect() -> str:
    return op.get_bind().dialect.name


def _device_trigger(table: str) -> None:
    """A deleted device takes its rows of ``table`` along (what ON DELETE CASCADE did)."""
    action = f"DELETE FROM {table} WHERE device_id = OLD.id"
    if _dialect() == 'postgresql':
        op.execute(f"CREATE FUNCTION delete_device_{table}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   f"BEGIN {action}; RETURN OLD; END $$")
        op.execute(f"CREATE TRIGGER device_deletes_{table} AFTER DELETE ON device FOR EACH ROW "
                   f"EXECUTE FUNCTION delete_device_{table}()")
    else:
        op.execute(f"CREATE TRIGGER device_deletes_{table} AFTER DELETE ON device BEGIN {action}; END")


def _drop_device_trigger(trigger: str, function: str) -> None:
    if _dialect() == 'postgresql':
        op.execute(f"DROP TRIGGER {trigger} ON device")
        op.execute(f"DROP FUNCTION {function}()")
    else:
        op.execute(f"DROP TRIGGER {trigger}")


def upgrade() -> None:
    op.create_table(
        'reading_set',
        sa.Column('device_id', sa.Integer(), nullable=False),
        sa.Column('interval', sa.String(length=8), nullable=False),
        sa.Column('t', sa.BigInteger(), nullable=False),
        sa.Column('received_ms', sa.BigInteger(), nullable=False),
        sa.Column('data', sa.Text().with_variant(JSONB(), 'postgresql'), nullable=False),
        sa.PrimaryKeyConstraint('device_id', 'interval', 't', name=op.f('pk_reading_set')),
        sqlite_with_rowid=False,
    )
    if _dialect() == 'postgresql':
        op.execute(f"INSERT INTO reading_set (device_id, interval, t, received_ms, data) "
                   f"SELECT device_id, interval, t, min(received_ms), {PACK_POSTGRESQL} "
                   f"FROM reading GROUP BY device_id, interval, t")
    else:
        _pack_sqlite()
    _drop_device_trigger('device_deletes_readings', 'delete_device_readings')
    op.drop_table('reading')
    op.execute(READING_VIEW[_dialect()])
    _device_trigger('reading_set')


def downgrade() -> None:
    _drop_device_trigger('device_deletes_reading_set', 'delete_device_reading_set')
    op.execute("DROP VIEW reading")
    op.create_table(
        'reading',
        sa.Column('device_id', sa.Integer(), nullable=False),
        sa.Column('interval', sa.String(length=8), nullable=False),
        sa.Column('t', sa.BigInteger(), nullable=False),
        sa.Column('factor', sa.String(length=16), nullable=False),
        sa.Column('field', sa.String(length=16), nullable=False),
        sa.Column('value', sa.Float(), nullable=True),
        sa.Column('flag', sa.String(length=4), nullable=True),
        sa.Column('code', sa.String(length=16), nullable=False),
        sa.Column('received_ms', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('device_id', 'interval', 't', 'factor', 'field', name=op.f('pk_reading')),
        sqlite_with_rowid=False,
    )
    columns = "device_id, interval, t, factor, field, value, flag, code, received_ms"
    # Unfolded as the view does it, from the table itself (the view is gone).
    op.execute(READING_VIEW[_dialect()].replace("CREATE VIEW reading AS", f"INSERT INTO reading ({columns})"))
    op.drop_table('reading_set')
    if _dialect() == 'postgresql':
        op.execute("CREATE FUNCTION delete_device_readings() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   "BEGIN DELETE FROM reading WHERE device_id = OLD.id; RETURN OLD; END $$")
        op.execute("CREATE TRIGGER device_deletes_readings AFTER DELETE ON device "
                   "FOR EACH ROW EXECUTE FUNCTION delete_device_readings()")
    else:
        op.execute("CREATE TRIGGER device_deletes_readings AFTER DELETE ON device "
                   "BEGIN DELETE FROM reading WHERE device_id = OLD.id; END")
