"""registrations: remote registrations (WhatsApp, web) with their short code, no personal data

Revision ID: 0020
Revises: 0017
Create Date: 2026-12-03 15:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import queue_server.persistence.types


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'registrations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('office_id', sa.String(length=40), nullable=False),
        sa.Column('window_code', sa.String(length=40), nullable=False),
        sa.Column('service_code', sa.String(length=40), nullable=False),
        sa.Column('service_day', sa.Date(), nullable=False),
        sa.Column('code', sa.String(length=12), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('language', sa.String(length=2), nullable=False),
        sa.Column('phone_hash', sa.String(length=64), nullable=True),
        sa.Column('created_at', queue_server.persistence.types.UTCDateTime(), nullable=False),
        sa.Column('checked_in_at', queue_server.persistence.types.UTCDateTime(), nullable=True),
        sa.Column('visit_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['office_id'], ['offices.id']),
        sa.ForeignKeyConstraint(['visit_id'], ['visits.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('office_id', 'service_day', 'code'),
    )


def downgrade() -> None:
    op.drop_table('registrations')
