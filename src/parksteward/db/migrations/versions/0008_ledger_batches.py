"""ledger_leaf.secret and .content: batch leaves (frames) keep their key and their summary record

Revision ID: 0008
Revises: 0007
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: Union[str, Sequence[str], None] = '0007'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('ledger_leaf') as batch:
        batch.add_column(sa.Column('secret', sa.LargeBinary(length=32), nullable=True))
        batch.add_column(sa.Column('content', sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('ledger_leaf') as batch:
        batch.drop_column('content')
        batch.drop_column('secret')
