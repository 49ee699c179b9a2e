"""passport identity: the keyed hash and last four of an e-passport number read at the kiosk

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 07:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.add_column(sa.Column('passport_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('passport_last4', sa.String(length=4), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('visits', schema=None) as batch_op:
        batch_op.drop_column('passport_last4')
        batch_op.drop_column('passport_hash')
