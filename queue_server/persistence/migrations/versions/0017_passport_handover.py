"""passport handover: when a ready passport was handed over, by whom, and whether to a proxy

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 13:25:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import queue_server.persistence.types


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('passport_ready', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('handed_over_at', queue_server.persistence.types.UTCDateTime(), nullable=True)
        )
        batch_op.add_column(sa.Column('handed_over_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('handed_to_proxy', sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('passport_ready', schema=None) as batch_op:
        batch_op.drop_column('handed_to_proxy')
        batch_op.drop_column('handed_over_by')
        batch_op.drop_column('handed_over_at')
