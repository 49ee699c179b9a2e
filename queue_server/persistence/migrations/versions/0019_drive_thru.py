"""drive-thru: cars scanned at a pickup lane, in arrival order, and what became of them

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-03 14:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import queue_server.persistence.types


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'drive_thru_arrivals',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('office_id', sa.String(length=40), nullable=False),
        sa.Column('lane', sa.String(length=40), nullable=False),
        sa.Column('application_no', sa.String(length=20), nullable=False),
        sa.Column('arrived_at', queue_server.persistence.types.UTCDateTime(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('device', sa.String(length=80), nullable=False),
        sa.Column('handed_over_at', queue_server.persistence.types.UTCDateTime(), nullable=True),
        sa.Column(
            'sent_to_counter_at', queue_server.persistence.types.UTCDateTime(), nullable=True
        ),
        sa.Column('counter_reason', sa.String(length=20), nullable=True),
        sa.Column('officer_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['office_id'], ['offices.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('drive_thru_arrivals', schema=None) as batch_op:
        batch_op.create_index(
            'uq_drive_thru_waiting',
            ['office_id', 'application_no'],
            unique=True,
            sqlite_where=sa.text("status = 'waiting'"),
            postgresql_where=sa.text("status = 'waiting'"),
        )
        batch_op.create_index(
            'ix_drive_thru_lane', ['office_id', 'lane', 'status', 'arrived_at'], unique=False
        )


def downgrade() -> None:
    op.drop_table('drive_thru_arrivals')
