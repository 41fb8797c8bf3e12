"""frame_verdict: no index on device_id

Revision ID: 0011
Revises: 0010

Every ingest commit inserted one entry per frame into ix_frame_verdict_device_id, and the
entries of a device sit together: with frames from 1,000 devices in a commit, 1,000 index
pages changed and went to the WAL, as many as the readings themselves dirty. Nothing reads
the verdicts by device: the API reaches a verdict by its frame id, the notary by frame id
ranges. Only the trigger that unlinks a deleted device's verdicts (migration 0010) looked
them up by device; it now scans the table (SQLite: about 0.6 s per 10 million verdicts
cached, a few seconds from disk), once per deleted device instead of a page per device per
commit. Benchmark (SQLite, 100,000 readings/s from 1,000 devices, 60 s): commit p50
123 -> 21 ms, acknowledgement p99 1.7-3.6 s -> 0.77 s on a saturated 2-core machine.
"""
from typing import Sequence, Union

from alembic import op

revision: str = '0011'
down_revision: Union[str, Sequence[str], None] = '0010'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

INDEX = 'ix_frame_verdict_device_id'


def upgrade() -> None:
    op.drop_index(INDEX, table_name='frame_verdict')


def downgrade() -> None:
    op.create_index(INDEX, 'frame_verdict', ['device_id'], unique=False)
