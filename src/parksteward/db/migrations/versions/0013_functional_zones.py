"""functional_zone: the park plan's functional zones (功能分区)

Revision ID: 0013
Revises: 0012

A zone is a polygon of the park with a kind (production, storage and logistics, utilities,
services, green buffer, reserve), its label point and its geodesic area.
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: Union[str, Sequence[str], None] = '0012'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('functional_zone',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=True),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('geometry', sa.JSON(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('lon', sa.Double(), nullable=False),
    sa.Column('lat', sa.Double(), nullable=False),
    sa.Column('area_ha', sa.Double(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['park_id'], ['park.id'], name=op.f('fk_functional_zone_park_id_park'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_functional_zone')),
    sa.UniqueConstraint('park_id', 'code', name='uq_functional_zone_park_code')
    )
    with op.batch_alter_table('functional_zone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_functional_zone_park_id'), ['park_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('functional_zone', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_functional_zone_park_id'))
    op.drop_table('functional_zone')
