"""indexes for the wait estimate's arrival rate and the kiosks' number leases

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 04:20:00
"""

from __future__ import annotations

from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.create_index(
            'ix_tickets_joins',
            ['office_id', 'station', 'queued_at', 'office_day', 'priority', 'appointment_at'],
            unique=False,
        )
    with op.batch_alter_table('number_leases', schema=None) as batch_op:
        batch_op.create_index(
            'ix_number_leases_device', ['office_id', 'device', 'office_day'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('number_leases', schema=None) as batch_op:
        batch_op.drop_index('ix_number_leases_device')
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.drop_index('ix_tickets_joins')
