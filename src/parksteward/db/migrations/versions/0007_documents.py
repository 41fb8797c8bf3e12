"""document: the register of uploaded (and notarized) documents

Revision ID: 0007
Revises: 0006
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('document',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('park_id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=120), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('uploaded_by', sa.Integer(), nullable=True),
    sa.Column('uploaded_ms', sa.BigInteger(), nullable=False),
    sa.Column('ledger_index', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprise.id'], name=op.f('fk_document_enterprise_id_enterprise'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['park_id'], ['park.id'], name=op.f('fk_document_park_id_park'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by'], ['app_user.id'], name=op.f('fk_document_uploaded_by_app_user'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document'))
    )
    op.create_index(op.f('ix_document_enterprise_id'), 'document', ['enterprise_id'], unique=False)
    op.create_index(op.f('ix_document_park_id'), 'document', ['park_id'], unique=False)
    op.create_index(op.f('ix_document_sha256'), 'document', ['sha256'], unique=False)


def downgrade() -> None:
    op.drop_table('document')
