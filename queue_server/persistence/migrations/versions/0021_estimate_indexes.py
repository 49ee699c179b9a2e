"""indexes for the wait estimate's inputs (arrivals, bookings, breaks) and number leases

Plain ``create_index`` (no ``batch_alter_table``): a batch on SQLite may recreate the
table, which would drop the audit log's append-only triggers (0012).

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

INDEXES = [
    (
        'ix_tickets_joins',
        'tickets',
        ['office_id', 'station', 'queued_at', 'office_day', 'priority', 'appointment_at'],
    ),
    ('ix_number_leases_device', 'number_leases', ['office_id', 'device', 'office_day']),
    (
        'ix_bookings_day',
        'bookings',
        ['office_id', 'office_day', 'service_code', 'slot_at', 'visit_id'],
    ),
    ('ix_audit_log_office_action', 'audit_log', ['office_id', 'action', 'at', 'target']),
]


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
