"""The audit log is append-only: the code never changes a row but to clear its address
(the retention purge), and the database refuses anything else (migration 0012)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError

from queue_server.config import ServerConfig
from queue_server.domain.ids import Role
from queue_server.persistence.migrate import upgrade
from queue_server.persistence.models import AuditLogRow
from queue_server.services.container import build_services
from queue_server.services.unit import Actor
from tests.services.clock import MONDAY_10_WITA, FakeClock

PACKAGE = Path(__file__).parents[2] / "queue_server"
#: Ways to change or remove audit rows, in SQLAlchemy or in SQL.
CHANGES = re.compile(
    r"(update|delete)\(\s*AuditLogRow|AUDIT_LOG\s*\.\s*(update|delete)"
    r"|(update|delete\s+from|truncate(\s+table)?)\s+audit_log\b",
    re.IGNORECASE,
)
ROW = {
    "at": "2026-11-23 02:00:00",
    "actor": "admin",
    "action": "auth.login",
    "target": "admin",
    "details": "{}",
    "remote_addr": "10.0.0.1",
}


def test_only_the_retention_purge_changes_audit_rows() -> None:
    found = {
        str(path.relative_to(PACKAGE)): match.group(0)
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts
        for match in CHANGES.finditer(path.read_text(encoding="utf-8"))
    }
    assert found == {"services/retention.py": "update(AuditLogRow"}
    retention = (PACKAGE / "services" / "retention.py").read_text(encoding="utf-8")
    clearing = retention[retention.index("update(AuditLogRow") :]
    assert ".values(remote_addr=None)" in clearing.split("\n\n")[0]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/audit.db"
    else:
        url = str(request.getfixturevalue("pg_url"))
    upgrade(url)
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    built = create_engine(database_url)
    with built.begin() as connection:
        columns = ", ".join(ROW)
        values = ", ".join(f":{name}" for name in ROW)
        connection.execute(text(f"INSERT INTO audit_log ({columns}) VALUES ({values})"), ROW)
    yield built
    built.dispose()


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM audit_log",
        "UPDATE audit_log SET action = 'user.create'",
        "UPDATE audit_log SET actor = 'someone-else', remote_addr = NULL",
        "UPDATE audit_log SET details = '{\"x\": 1}'",
        "UPDATE audit_log SET remote_addr = '10.6.6.6'",
        "UPDATE audit_log SET at = at, remote_addr = remote_addr",
    ],
)
def test_the_database_refuses_changes_to_audit_rows(engine: Engine, statement: str) -> None:
    with pytest.raises(DatabaseError, match="append-only"), engine.begin() as connection:
        connection.execute(text(statement))
    with engine.connect() as connection:
        row = connection.execute(text("SELECT action, actor, remote_addr FROM audit_log")).one()
    assert tuple(row) == ("auth.login", "admin", "10.0.0.1")


@pytest.mark.postgres
def test_postgresql_refuses_truncating_the_audit_log(pg_url: str) -> None:
    upgrade(pg_url)
    built = create_engine(pg_url)
    try:
        with pytest.raises(DatabaseError, match="append-only"), built.begin() as connection:
            connection.execute(text("TRUNCATE audit_log"))
    finally:
        built.dispose()


def test_clearing_the_address_is_allowed(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET remote_addr = NULL"))
    with engine.connect() as connection:
        row = connection.execute(text("SELECT action, remote_addr FROM audit_log")).one()
    assert tuple(row) == ("auth.login", None)


def test_the_retention_purge_still_clears_old_addresses(database_url: str) -> None:
    clock = FakeClock(MONDAY_10_WITA)
    config = ServerConfig(database_url=database_url, nik_key="test", secret_key="test")
    built = build_services(config, clock=clock)
    try:
        system = Actor(name="test")
        built.accounts.create_user("chief", "C", "chief-password-1", Role.ADMIN, actor=system)
        assert built.accounts.authenticate("chief", "nope", remote_addr="10.1.1.1") is None
        clock.advance(days=400)
        assert built.accounts.authenticate("chief", "nope", remote_addr="10.2.2.2") is None
        report = built.retention.purge(365, actor=system)
        assert report.audit_addresses == 1
        with built.database.reader() as session:
            rows = session.execute(
                select(AuditLogRow.action, AuditLogRow.remote_addr).order_by(AuditLogRow.id)
            ).all()
    finally:
        built.close()
    assert [tuple(row) for row in rows] == [
        ("user.create", None),
        ("auth.login_failed", None),
        ("auth.login_failed", "10.2.2.2"),
        ("data.purge", None),
    ]
