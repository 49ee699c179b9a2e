"""notification wiring: ticket-page requests for a "your number is near" message, and the
masked form of opted-out numbers (for the admin list)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 15:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import queue_server.persistence.types


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ticket_alerts',
        sa.Column('ticket_id', sa.Integer(), nullable=False),
        sa.Column('office_id', sa.String(length=40), nullable=False),
        sa.Column('station', sa.String(length=20), nullable=False),
        sa.Column('office_day', sa.Date(), nullable=False),
        sa.Column('phone', sa.String(length=20), nullable=False),
        sa.Column('language', sa.String(length=2), nullable=False),
        sa.Column('created_at', queue_server.persistence.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id']),
        sa.PrimaryKeyConstraint('ticket_id'),
    )
    with op.batch_alter_table('ticket_alerts', schema=None) as batch_op:
        batch_op.create_index('ix_ticket_alerts_station', ['office_id', 'station'], unique=False)
    with op.batch_alter_table('notification_opt_outs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('masked', sa.String(length=24), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('notification_opt_outs', schema=None) as batch_op:
        batch_op.drop_column('masked')
    with op.batch_alter_table('ticket_alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_ticket_alerts_station')
    op.drop_table('ticket_alerts')
