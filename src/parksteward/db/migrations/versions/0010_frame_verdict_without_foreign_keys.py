"""frame_verdict: no per-row foreign keys (triggers keep what they did)

Revision ID: 0010
Revises: 0009

PostgreSQL checks each foreign key with a trigger per inserted row: on frame_verdict, one row
per frame at ten thousand frames a second, the two keys cost about 14 µs a row, a fifth of an
ingest commit. The writer already knows both sides: a verdict's frame id comes from the
archive rows it has just written, and its device is checked once per batch
(parksteward.ingest.store). These triggers do what ON DELETE did: a deleted device leaves
its verdicts with no device (SET NULL), a deleted archived frame takes its verdict along
(CASCADE), as migration 0003 did for readings.
"""
from typing import Sequence, Union

from alembic import op

revision: str = '0010'
down_revision: Union[str, Sequence[str], None] = '0009'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

DEVICE_FK = 'fk_frame_verdict_device_id_device'
FRAME_FK = 'fk_frame_verdict_frame_id_raw_frame'
# (trigger, table whose row deletions fire it, what it does for the deleted row OLD)
TRIGGERS = (
    ('device_leaves_verdicts', 'device', 'UPDATE frame_verdict SET device_id = NULL WHERE device_id = OLD.id'),
    ('raw_frame_deletes_verdict', 'raw_frame', 'DELETE FROM frame_verdict WHERE frame_id = OLD.id'),
)


def upgrade() -> None:
    with op.batch_alter_table('frame_verdict') as batch:
        batch.drop_constraint(DEVICE_FK, type_='foreignkey')
        batch.drop_constraint(FRAME_FK, type_='foreignkey')
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for trigger, table, action in TRIGGERS:
        if postgresql:
            op.execute(f"CREATE FUNCTION {trigger}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                       f"BEGIN {action}; RETURN OLD; END $$")
            op.execute(f"CREATE TRIGGER {trigger} AFTER DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION {trigger}()")
        else:
            op.execute(f"CREATE TRIGGER {trigger} AFTER DELETE ON {table} BEGIN {action}; END")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == 'postgresql'
    for trigger, table, _ in TRIGGERS:
        op.execute(f"DROP TRIGGER {trigger}" + (f" ON {table}" if postgresql else ""))
        if postgresql:
            op.execute(f"DROP FUNCTION {trigger}()")
    op.execute("UPDATE frame_verdict SET device_id = NULL WHERE device_id NOT IN (SELECT id FROM device)")
    op.execute("DELETE FROM frame_verdict WHERE frame_id NOT IN (SELECT id FROM raw_frame)")
    with op.batch_alter_table('frame_verdict') as batch:
        batch.create_foreign_key(DEVICE_FK, 'device', ['device_id'], ['id'], ondelete='SET NULL')
        batch.create_foreign_key(FRAME_FK, 'raw_frame', ['frame_id'], ['id'], ondelete='CASCADE')
