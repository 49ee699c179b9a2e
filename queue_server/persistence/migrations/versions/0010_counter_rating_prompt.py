"""counter rating prompt: the finished ticket a counter's screen asks to rate, and until when

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 22:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import queue_server.persistence.types


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('counters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rating_ticket_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rating_asked_at', queue_server.persistence.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('rating_until', queue_server.persistence.types.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('counters', schema=None) as batch_op:
        batch_op.drop_column('rating_until')
        batch_op.drop_column('rating_asked_at')
        batch_op.drop_column('rating_ticket_id')
