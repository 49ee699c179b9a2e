"""Account lockout across addresses, session idle timeout and absolute lifetime."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from queue_server.domain.ids import Role
from queue_server.persistence.migrate import upgrade
from queue_server.persistence.models import AuditLogRow
from queue_server.services.container import Services, build_services
from queue_server.services.unit import Actor
from queue_server.web import create_app
from tests.services.clock import MONDAY_10_WITA, FakeClock
from tests.web.conftest import PASSWORDS, AuthActions, FakeMonotonic, web_config

LOGIN = "/api/v1/auth/login"
LOCKOUT_FAILURES = 10  # ServerConfig.login_lockout_failures' default
LOCK_S = 15 * 60


def sign_in(client: FlaskClient, username: str, password: str, address: str) -> Any:
    return client.post(
        LOGIN,
        json={"username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def audit_rows(services: Services, action: str) -> list[AuditLogRow]:
    with services.database.reader() as session:
        return list(session.scalars(select(AuditLogRow).where(AuditLogRow.action == action)))


def test_one_account_tried_from_many_addresses_is_locked_for_a_while(
    client: FlaskClient, services: Services, monotonic: FakeMonotonic
) -> None:
    for attempt in range(LOCKOUT_FAILURES):
        wrong = sign_in(client, "admin", f"guess-{attempt}", f"10.0.{attempt}.1")
        assert wrong.status_code == 401, attempt  # each address is well under its own limit
    locked = sign_in(client, "admin", PASSWORDS["admin"], "10.9.9.9")
    assert locked.status_code == 429
    error = locked.get_json()["error"]
    assert error["code"] == "account_locked"
    assert error["messages"]["en"] == (
        "This account is locked for 15 minutes after too many failed sign-ins; try again later."
    )
    assert error["messages"]["id"].startswith("Akun ini dikunci selama 15 menit")
    assert 1 <= int(locked.headers["Retry-After"]) <= LOCK_S
    # Other accounts are not affected.
    assert sign_in(client, "laporan", PASSWORDS["laporan"], "10.9.9.9").status_code == 200
    # Tries during the lock neither count nor extend it.
    for attempt in range(2 * LOCKOUT_FAILURES):
        monotonic.advance(30)
        refused = sign_in(client, "admin", "still-guessing", f"10.1.{attempt}.1")
        assert refused.get_json()["error"]["code"] == "account_locked"
    monotonic.advance(LOCK_S - 2 * LOCKOUT_FAILURES * 30 + 1)
    assert sign_in(client, "admin", PASSWORDS["admin"], "10.9.9.9").status_code == 200
    rows = audit_rows(services, "auth.locked")
    assert [(row.target, row.actor, row.details) for row in rows] == [
        ("admin", "system", {"minutes": 15})
    ]
    assert rows[0].remote_addr == "10.0.9.1"  # the address whose try locked it


def test_a_successful_sign_in_forgets_the_failures(
    client: FlaskClient, monotonic: FakeMonotonic
) -> None:
    for attempt in range(LOCKOUT_FAILURES - 1):
        assert sign_in(client, "petugas", "nope", f"10.2.{attempt}.1").status_code == 401
    assert sign_in(client, "petugas", PASSWORDS["petugas"], "10.3.0.1").status_code == 200
    for attempt in range(LOCKOUT_FAILURES - 1):
        assert sign_in(client, "petugas", "nope", f"10.4.{attempt}.1").status_code == 401
    assert sign_in(client, "petugas", PASSWORDS["petugas"], "10.3.0.1").status_code == 200


def test_a_lock_does_not_keep_the_owner_out_of_an_address_they_signed_in_from(
    client: FlaskClient, monotonic: FakeMonotonic
) -> None:
    office_pc = "192.168.1.20"
    assert sign_in(client, "admin", PASSWORDS["admin"], office_pc).status_code == 200
    for attempt in range(LOCKOUT_FAILURES):
        assert sign_in(client, "admin", "guess", f"10.6.{attempt}.1").status_code == 401
    assert sign_in(client, "admin", PASSWORDS["admin"], "10.6.99.1").status_code == 429
    # From the office PC the owner still gets in (and a typo there does not count) ...
    assert sign_in(client, "admin", "typo", office_pc).status_code == 401
    assert sign_in(client, "admin", PASSWORDS["admin"], office_pc).status_code == 200
    # ... while everywhere else the name stays locked until the lock ends.
    locked = sign_in(client, "admin", PASSWORDS["admin"], "10.6.98.1")
    assert locked.get_json()["error"]["code"] == "account_locked"
    monotonic.advance(LOCK_S + 1)
    assert sign_in(client, "admin", PASSWORDS["admin"], "10.6.98.1").status_code == 200


def test_unknown_names_lock_alike_and_are_not_audited(
    client: FlaskClient, services: Services
) -> None:
    answers = [
        sign_in(client, name, "nope", f"10.5.{attempt}.1").get_json()["error"]["code"]
        for name in ("ghost", "petugas")
        for attempt in range(LOCKOUT_FAILURES + 1)
    ]
    per_name = LOCKOUT_FAILURES + 1
    assert answers[:per_name] == answers[per_name:]  # a lock tells nothing of the name
    assert answers[-1] == "account_locked"
    assert [row.target for row in audit_rows(services, "auth.locked")] == ["petugas"]


def test_an_unused_session_ends_after_the_idle_time(
    client: FlaskClient, auth: AuthActions, clock: FakeClock
) -> None:
    assert auth.login("petugas").status_code == 200
    for _ in range(3):  # used every 50 minutes: it lives on past the first hour
        clock.advance(minutes=50)
        assert client.get("/api/v1/auth/me").status_code == 200
    clock.advance(minutes=61)
    assert client.get("/api/v1/auth/me").status_code == 401


def test_a_used_session_still_ends_twelve_hours_after_sign_in(
    client: FlaskClient, auth: AuthActions, clock: FakeClock
) -> None:
    assert auth.login("laporan").status_code == 200
    answers = []
    for _ in range(16):  # 16 x 50 minutes = 13 h 20 min
        clock.advance(minutes=50)
        answers.append(client.get("/api/v1/auth/me").status_code)
    assert answers == [200] * 14 + [401] * 2  # 11 h 40 min still in; 12 h 30 min out


@pytest.mark.postgres
def test_the_idle_deadline_moves_on_postgresql_too(pg_url: str, tmp_path: Path) -> None:
    upgrade(pg_url)
    clock = FakeClock(MONDAY_10_WITA)
    built = build_services(web_config(tmp_path, database_url=pg_url), clock=clock)
    try:
        built.accounts.create_user(
            "admin", "A", PASSWORDS["admin"], Role.ADMIN, actor=Actor(name="fixture")
        )
        client = create_app(services=built).test_client()
        assert AuthActions(client).login("admin").status_code == 200
        answers = []
        for minutes in (50, 50, 50, 61):
            clock.advance(minutes=minutes)
            answers.append(client.get("/api/v1/auth/me").status_code)
        assert answers == [200, 200, 200, 401]
    finally:
        built.close()
