"""sign in guards: failed sign-ins and account locks kept in the database

Until now the lockout lived in the server's memory: a restart lifted every lock and two
server processes did not share them. Nothing to carry over: the table starts empty. User
names are stored as a keyed hash (a password typed into the name field is not kept).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 12:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import queue_server.persistence.types


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sign_in_guards',
    sa.Column('name_hash', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.JSON(), nullable=False),
    sa.Column('locked_until', queue_server.persistence.types.UTCDateTime(), nullable=True),
    sa.Column('known_addresses', sa.JSON(), nullable=True),
    sa.Column('signed_in_at', queue_server.persistence.types.UTCDateTime(), nullable=True),
    sa.Column('updated_at', queue_server.persistence.types.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name_hash')
    )
    with op.batch_alter_table('sign_in_guards', schema=None) as batch_op:
        batch_op.create_index('ix_sign_in_guards_updated', ['updated_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('sign_in_guards', schema=None) as batch_op:
        batch_op.drop_index('ix_sign_in_guards_updated')
    op.drop_table('sign_in_guards')
