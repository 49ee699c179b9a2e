"""passport ready: which application's passport is ready per office; a visit's application number

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 13:15:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import queue_server.persistence.types


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('application_no', sa.String(length=20), nullable=True))
        batch_op.create_index('ix_visits_application', ['office_id', 'application_no'])
    op.create_table(
        'passport_ready',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('office_id', sa.String(length=40), nullable=False),
        sa.Column('application_no', sa.String(length=20), nullable=False),
        sa.Column('ready_at', queue_server.persistence.types.UTCDateTime(), nullable=False),
        sa.Column('source', sa.String(length=10), nullable=False),
        sa.Column('visit_id', sa.Integer(), nullable=True),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['office_id'], ['offices.id']),
        sa.ForeignKeyConstraint(['visit_id'], ['visits.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('office_id', 'application_no'),
    )


def downgrade() -> None:
    op.drop_table('passport_ready')
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_index('ix_visits_application')
        batch_op.drop_column('application_no')
