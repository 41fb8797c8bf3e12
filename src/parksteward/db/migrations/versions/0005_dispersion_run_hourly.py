"""dispersion_run.hourly_csv: the hourly values of a run's sensitive and discrete receptors

Revision ID: 0005
Revises: 0004
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('dispersion_run') as batch:
        batch.add_column(sa.Column('hourly_csv', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('dispersion_run') as batch:
        batch.drop_column('hourly_csv')
