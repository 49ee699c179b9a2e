"""audit log append-only: triggers refuse DELETE, and UPDATE except clearing remote_addr

The only change the application ever makes to an audit row is the retention purge
clearing its network address (``remote_addr`` set to NULL, nothing else touched). The
database now refuses anything else, on SQLite and PostgreSQL (on PostgreSQL also
TRUNCATE). Beware: a later ``batch_alter_table`` on ``audit_log`` recreates the table on
SQLite and drops these triggers; tests/persistence/test_audit_append_only.py notices.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 08:30:00.000000
"""

from __future__ import annotations

from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

MESSAGE = 'audit_log is append-only: only clearing remote_addr is allowed'
KEPT = ('id', 'at', 'office_id', 'user_id', 'actor', 'action', 'target')

SQLITE_UPGRADE = (
    f"""
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
    f"""
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    WHEN NEW.remote_addr IS NOT NULL
      OR {' OR '.join(f'NEW.{name} IS NOT OLD.{name}' for name in KEPT)}
      OR NEW.details IS NOT OLD.details
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """,
)
SQLITE_DOWNGRADE = (
    'DROP TRIGGER IF EXISTS audit_log_no_update',
    'DROP TRIGGER IF EXISTS audit_log_no_delete',
)

POSTGRES_UPGRADE = (
    f"""
    CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' THEN
        IF NEW.remote_addr IS NULL
           AND ({', '.join(f'NEW.{name}' for name in KEPT)}, NEW.details::text)
               IS NOT DISTINCT FROM
               ({', '.join(f'OLD.{name}' for name in KEPT)}, OLD.details::text) THEN
          RETURN NEW;
        END IF;
      END IF;
      RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
    END
    $$
    """,
    """
    CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()
    """,
    """
    CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()
    """,
)
POSTGRES_DOWNGRADE = (
    'DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log',
    'DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log',
    'DROP FUNCTION IF EXISTS audit_log_append_only()',
)


def _run(statements: dict[str, tuple[str, ...]]) -> None:
    dialect = op.get_bind().dialect.name
    if dialect not in statements:
        raise NotImplementedError(f'audit log triggers for {dialect}')
    for statement in statements[dialect]:
        op.execute(statement)


def upgrade() -> None:
    _run({'sqlite': SQLITE_UPGRADE, 'postgresql': POSTGRES_UPGRADE})


def downgrade() -> None:
    _run({'sqlite': SQLITE_DOWNGRADE, 'postgresql': POSTGRES_DOWNGRADE})
