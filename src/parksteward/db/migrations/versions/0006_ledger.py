"""ledger: the notarization log's leaves, tree nodes, head, checkpoints, witnesses and audits

Revision ID: 0006
Revises: 0005
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('ledger_leaf',
    sa.Column('idx', BIG_ID, autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('ref', sa.String(length=160), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.Column('submitter', sa.String(length=80), nullable=False),
    sa.Column('submitted_ms', sa.BigInteger(), nullable=False),
    sa.Column('logged_ms', sa.BigInteger(), nullable=False),
    sa.Column('salt', sa.LargeBinary(length=32), nullable=False),
    sa.Column('commitment', sa.LargeBinary(length=32), nullable=False),
    sa.Column('leaf_hash', sa.LargeBinary(length=32), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('supersedes', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('idx', name=op.f('pk_ledger_leaf'))
    )
    op.create_index(op.f('ix_ledger_leaf_enterprise_id'), 'ledger_leaf', ['enterprise_id'], unique=False)
    op.create_index('ix_ledger_leaf_kind_ref', 'ledger_leaf', ['kind', 'ref'], unique=False)
    op.create_table('ledger_node',
    sa.Column('key', BIG_ID, autoincrement=False, nullable=False),
    sa.Column('hash', sa.LargeBinary(length=32), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_ledger_node'))
    )
    op.create_table('ledger_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=200), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('root', sa.LargeBinary(length=32), nullable=False),
    sa.Column('updated_ms', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_head'))
    )
    op.create_table('ledger_checkpoint',
    sa.Column('size', BIG_ID, autoincrement=False, nullable=False),
    sa.Column('root', sa.LargeBinary(length=32), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_ms', sa.BigInteger(), nullable=False),
    sa.Column('final', sa.Boolean(), nullable=False),
    sa.Column('cosigners', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('size', name=op.f('pk_ledger_checkpoint'))
    )
    op.create_table('ledger_witness',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('updated_ms', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_ledger_witness'))
    )
    op.create_table('ledger_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_ms', sa.BigInteger(), nullable=False),
    sa.Column('finished_ms', sa.BigInteger(), nullable=True),
    sa.Column('checked', sa.BigInteger(), nullable=False),
    sa.Column('clean', sa.Boolean(), nullable=True),
    sa.Column('findings', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_audit'))
    )


def downgrade() -> None:
    op.drop_table('ledger_audit')
    op.drop_table('ledger_witness')
    op.drop_table('ledger_checkpoint')
    op.drop_table('ledger_head')
    op.drop_table('ledger_node')
    op.drop_index('ix_ledger_leaf_kind_ref', table_name='ledger_leaf')
    op.drop_index(op.f('ix_ledger_leaf_enterprise_id'), table_name='ledger_leaf')
    op.drop_table('ledger_leaf')
