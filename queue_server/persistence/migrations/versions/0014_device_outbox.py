"""device outbox: how many items a kiosk has not delivered and when the oldest was made

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import queue_server.persistence.types


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outbox_waiting', sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                'outbox_oldest_at', queue_server.persistence.types.UTCDateTime(), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_column('outbox_oldest_at')
        batch_op.drop_column('outbox_waiting')
