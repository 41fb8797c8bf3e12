"""dispersion_run: model runs started through the API, their state and results

Revision ID: 0004
Revises: 0003
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('dispersion_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('scenario', sa.JSON(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('hours_total', sa.Integer(), nullable=False),
    sa.Column('hours_done', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('summary', sa.JSON(), nullable=True),
    sa.Column('contours', sa.JSON(), nullable=True),
    sa.Column('receptors_csv', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['app_user.id'], name=op.f('fk_dispersion_run_created_by_app_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_dispersion_run_enterprise_id_enterprise'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['park_id'], ['park.id'], name=op.f('fk_dispersion_run_park_id_park'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispersion_run'))
    )
    with op.batch_alter_table('dispersion_run', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dispersion_run_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dispersion_run_park_id'), ['park_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('dispersion_run', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dispersion_run_park_id'))
        batch_op.drop_index(batch_op.f('ix_dispersion_run_enterprise_id'))

    op.drop_table('dispersion_run')
