"""reading: no per-row foreign key (a trigger deletes a device's readings); WITHOUT ROWID on SQLite

Revision ID: 0003
Revises: 0002

PostgreSQL checks a foreign key with a trigger per inserted row; on the reading table that
was two thirds of the insert cost. The writer now inserts only rows of existing devices
(one check per batch), and these triggers delete a device's readings with the device.
On SQLite the table is rebuilt WITHOUT ROWID: one B-tree per reading instead of two.
"""
from typing import Sequence, Union

from alembic import op

revision: str = '0003'
down_revision: Union[str, Sequence[str], None] = '0002'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

FK = 'fk_reading_device_id_device'


def upgrade() -> None:
    with op.batch_alter_table('reading', recreate='always', table_kwargs={'sqlite_with_rowid': False}) as batch:
        batch.drop_constraint(FK, type_='foreignkey')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("""
            CREATE FUNCTION delete_device_readings() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                DELETE FROM reading WHERE device_id = OLD.id;
                RETURN OLD;
            END $$""")
        op.execute("CREATE TRIGGER device_deletes_readings AFTER DELETE ON device "
                   "FOR EACH ROW EXECUTE FUNCTION delete_device_readings()")
    else:
        op.execute("CREATE TRIGGER device_deletes_readings AFTER DELETE ON device "
                   "BEGIN DELETE FROM reading WHERE device_id = OLD.id; END")


def downgrade() -> None:
    op.execute("DROP TRIGGER device_deletes_readings" + (" ON device" if op.get_bind().dialect.name == 'postgresql'
                                                          else ""))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP FUNCTION delete_device_readings()")
    op.execute("DELETE FROM reading WHERE device_id NOT IN (SELECT id FROM device)")
    with op.batch_alter_table('reading', recreate='always', table_kwargs={'sqlite_with_rowid': True}) as batch:
        batch.create_foreign_key(FK, 'device', ['device_id'], ['id'], ondelete='CASCADE')
