"""notifications: the durable queue of messages to phones, and the opt-out list

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 13:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import queue_server.persistence.types


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'notifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('idempotency_key', sa.String(length=100), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('template', sa.String(length=40), nullable=False),
        sa.Column('language', sa.String(length=2), nullable=False),
        sa.Column('recipient', sa.String(length=20), nullable=True),
        sa.Column('recipient_hash', sa.String(length=64), nullable=False),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column(
            'next_attempt_at', queue_server.persistence.types.UTCDateTime(), nullable=False
        ),
        sa.Column('lease_until', queue_server.persistence.types.UTCDateTime(), nullable=True),
        sa.Column('last_error', sa.String(length=200), nullable=True),
        sa.Column('provider_message_id', sa.String(length=200), nullable=True),
        sa.Column('created_at', queue_server.persistence.types.UTCDateTime(), nullable=False),
        sa.Column('settled_at', queue_server.persistence.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('idempotency_key'),
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index(
            'ix_notifications_due', ['status', 'next_attempt_at'], unique=False
        )
    op.create_table(
        'notification_opt_outs',
        sa.Column('recipient_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', queue_server.persistence.types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('recipient_hash'),
    )


def downgrade() -> None:
    op.drop_table('notification_opt_outs')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_due')
    op.drop_table('notifications')
