"""accounts scope sessions: users' and tokens' offices, token revocation time, sessions

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-02 15:30:00.000000

Users and tokens that existed before offices were scoped keep what they could do:
non-administrators get every office loaded so far (narrow them by hand), administrators
and administrator tokens keep every office (NULL).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import queue_server.persistence.types


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('user_sessions',
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', queue_server.persistence.types.UTCDateTime(), nullable=False),
    sa.Column('expires_at', queue_server.persistence.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ),
    sa.PrimaryKeyConstraint('id_hash')
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_user_sessions_user', ['user_id'], unique=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('offices', sa.JSON(), nullable=True))
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revoked_at', queue_server.persistence.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('offices', sa.JSON(), nullable=True))
    _scope_existing_accounts()


def _scope_existing_accounts() -> None:
    connection = op.get_bind()
    offices = [row[0] for row in connection.execute(sa.text('SELECT id FROM offices ORDER BY id'))]
    for table in ('users', 'api_tokens'):
        statement = sa.text(f"UPDATE {table} SET offices = :offices WHERE role <> 'admin'")
        connection.execute(
            statement.bindparams(sa.bindparam('offices', type_=sa.JSON())), {'offices': offices}
        )


def downgrade() -> None:
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('offices')
        batch_op.drop_column('revoked_at')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('offices')
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_user_sessions_user')
    op.drop_table('user_sessions')
