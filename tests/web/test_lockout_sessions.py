"""Account lockout across addresses (kept in the database: a restart or a second server
process sees the same locks; an administrator lifts one), session idle timeout and
absolute lifetime."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from queue_server.domain.ids import Role
from queue_server.persistence.migrate import upgrade
from queue_server.persistence.models import AuditLogRow, SignInGuardRow
from queue_server.services.container import Services, build_services
from queue_server.services.offices import store_office
from queue_server.services.unit import Actor
from queue_server.web import create_app
from tests.services.clock import MONDAY_10_WITA, FakeClock
from tests.web.conftest import OFFICE, PASSWORDS, AuthActions, office_settings, web_config
from tests.web.test_security import OTHER, load_second_office

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
    client: FlaskClient, services: Services, clock: FakeClock
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
        clock.advance(seconds=30)
        refused = sign_in(client, "admin", "still-guessing", f"10.1.{attempt}.1")
        assert refused.get_json()["error"]["code"] == "account_locked"
    clock.advance(seconds=LOCK_S - 2 * LOCKOUT_FAILURES * 30 + 1)
    assert sign_in(client, "admin", PASSWORDS["admin"], "10.9.9.9").status_code == 200
    rows = audit_rows(services, "auth.locked")
    assert [(row.target, row.actor, row.details) for row in rows] == [
        ("admin", "system", {"minutes": 15})
    ]
    assert rows[0].remote_addr == "10.0.9.1"  # the address whose try locked it


def test_a_successful_sign_in_forgets_the_failures(client: FlaskClient) -> None:
    for attempt in range(LOCKOUT_FAILURES - 1):
        assert sign_in(client, "petugas", "nope", f"10.2.{attempt}.1").status_code == 401
    assert sign_in(client, "petugas", PASSWORDS["petugas"], "10.3.0.1").status_code == 200
    for attempt in range(LOCKOUT_FAILURES - 1):
        assert sign_in(client, "petugas", "nope", f"10.4.{attempt}.1").status_code == 401
    assert sign_in(client, "petugas", PASSWORDS["petugas"], "10.3.0.1").status_code == 200


def test_a_lock_does_not_keep_the_owner_out_of_an_address_they_signed_in_from(
    client: FlaskClient, clock: FakeClock
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
    clock.advance(seconds=LOCK_S + 1)
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


def lock(client: FlaskClient, username: str, prefix: str = "10.7") -> None:
    for attempt in range(LOCKOUT_FAILURES):
        assert sign_in(client, username, "guess", f"{prefix}.{attempt}.1").status_code == 401
    assert sign_in(client, username, "guess", f"{prefix}.99.1").status_code == 429


def test_a_lock_outlives_a_restart_and_is_shared_by_every_server_process(
    client: FlaskClient, services: Services, clock: FakeClock, tmp_path: Path
) -> None:
    lock(client, "petugas")
    services.close()  # the first server stops; another starts over the same database
    again = build_services(web_config(tmp_path), clock=clock)
    try:
        second = create_app(services=again).test_client()
        refused = sign_in(second, "petugas", PASSWORDS["petugas"], "10.8.0.1")
        assert refused.get_json()["error"]["code"] == "account_locked"
        clock.advance(seconds=LOCK_S + 1)
        assert sign_in(second, "petugas", PASSWORDS["petugas"], "10.8.0.1").status_code == 200
    finally:
        again.close()


def test_an_administrator_sees_the_lock_and_lifts_it(
    client: FlaskClient, services: Services, clock: FakeClock, auth: AuthActions
) -> None:
    assert auth.login("admin").status_code == 200
    other = create_app(services=services).test_client()  # the locked user's browser
    lock(other, "petugas")
    listed = {item["username"]: item for item in auth.get("/api/v1/users").get_json()["items"]}
    until = clock.now + timedelta(seconds=LOCK_S)
    assert datetime.fromisoformat(listed["petugas"]["locked_until"]) == until
    assert listed["laporan"]["locked_until"] is None
    assert other.post("/api/v1/users/petugas/unlock", json={}).status_code == 401
    unlocked = auth.post("/api/v1/users/petugas/unlock")
    assert unlocked.status_code == 200
    assert unlocked.get_json()["locked_until"] is None
    assert sign_in(other, "petugas", PASSWORDS["petugas"], "10.8.0.2").status_code == 200
    # Lifting it again changes nothing and is not audited again.
    assert auth.post("/api/v1/users/petugas/unlock").status_code == 200
    rows = audit_rows(services, "user.unlock")
    assert [(row.actor, row.target) for row in rows] == [("admin", "petugas")]
    assert auth.post("/api/v1/users/nobody/unlock").status_code == 404


def test_an_administrator_of_another_office_cannot_lift_the_lock(
    client: FlaskClient, services: Services
) -> None:
    load_second_office(services)
    services.accounts.create_user(
        "admin.other", "O", "Other-office-2026!", Role.ADMIN, actor=Actor(name="t"), offices=[OTHER]
    )
    services.accounts.create_user(
        "budi", "B", "Budi-office-2026!", Role.PETUGAS, actor=Actor(name="t"), offices=[OFFICE]
    )
    lock(client, "budi")
    auth = AuthActions(create_app(services=services).test_client())
    assert auth.login("admin.other", "Other-office-2026!").status_code == 200
    assert "budi" not in [
        item["username"] for item in auth.get("/api/v1/users").get_json()["items"]
    ]
    refused = auth.post("/api/v1/users/budi/unlock")
    assert refused.status_code == 404
    assert services.sign_in_guards.locked_for("budi") is not None
    assert audit_rows(services, "user.unlock") == []


def test_the_addresses_users_signed_in_from_are_purged_with_the_audit_addresses(
    client: FlaskClient, services: Services, clock: FakeClock
) -> None:
    assert sign_in(client, "laporan", PASSWORDS["laporan"], "192.168.1.30").status_code == 200
    clock.advance(days=31)
    assert sign_in(client, "admin", PASSWORDS["admin"], "192.168.1.31").status_code == 200
    report = services.retention.purge(30, actor=Actor(name="t"))
    assert report.sign_in_addresses == 1
    digest = services.sign_in_guards.digest
    with services.database.reader() as session:
        known = {
            row.name_hash: row.known_addresses for row in session.scalars(select(SignInGuardRow))
        }
    assert known == {digest("laporan"): None, digest("admin"): ["192.168.1.31"]}
    assert services.retention.purge(30, actor=Actor(name="t")).sign_in_addresses == 0


def test_names_tried_are_kept_hashed_and_forgotten_once_stale(
    client: FlaskClient, services: Services, clock: FakeClock
) -> None:
    for name in ("ghost-1", "ghost-2"):
        assert sign_in(client, name, "nope", "10.9.0.1").status_code == 401
    clock.advance(seconds=LOCK_S + 1)
    typed = "Rahasia-Saya-2026"  # a password typed into the name field by mistake
    assert sign_in(client, typed, "nope", "10.9.0.2").status_code == 401
    with services.database.reader() as session:
        rows = list(session.scalars(select(SignInGuardRow)))
    assert [row.name_hash for row in rows] == [services.sign_in_guards.digest(typed)]
    assert typed not in repr([vars(row) for row in rows])
    assert services.sign_in_guards.digest(typed) != hashlib.sha256(typed.encode()).hexdigest()


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


@pytest.mark.postgres
def test_locks_are_kept_and_lifted_on_postgresql_too(pg_url: str, tmp_path: Path) -> None:
    upgrade(pg_url)
    clock = FakeClock(MONDAY_10_WITA)
    config = web_config(tmp_path, database_url=pg_url)
    built = build_services(config, clock=clock)
    try:
        with built.database.writer() as session, session.begin():
            store_office(session, office_settings(), now=MONDAY_10_WITA)
        for name in ("admin", "petugas"):
            built.accounts.create_user(
                name, name, PASSWORDS[name], Role(name), actor=Actor(name="fixture")
            )
        lock(create_app(services=built).test_client(), "petugas")
    finally:
        built.close()
    restarted = build_services(config, clock=clock)
    try:
        client = create_app(services=restarted).test_client()
        refused = sign_in(client, "petugas", PASSWORDS["petugas"], "10.8.0.1")
        assert refused.get_json()["error"]["code"] == "account_locked"
        auth = AuthActions(client)
        assert auth.login("admin").status_code == 200
        assert auth.post("/api/v1/users/petugas/unlock").status_code == 200
        assert sign_in(client, "petugas", PASSWORDS["petugas"], "10.8.0.1").status_code == 200
    finally:
        restarted.close()
