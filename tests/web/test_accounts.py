"""Account rules: user names, password policy, duplicates, tokens, deactivation, audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from queue_server.domain.errors import DomainError, NotFound
from queue_server.domain.ids import Role
from queue_server.i18n import both
from queue_server.persistence.models import ApiTokenRow, AuditLogRow, UserRow
from queue_server.services.accounts import (
    AdminExists,
    BadUsername,
    KioskNeedsToken,
    LastAdmin,
    UsernameTaken,
)
from queue_server.services.container import Services
from queue_server.services.passwords import WeakPassword
from queue_server.services.unit import Actor

ADMIN = Actor(name="admin", user_id=1, role=Role.ADMIN)


@pytest.mark.parametrize(
    ("username", "password", "role", "error"),
    [
        ("ab", "long-enough-1", Role.PETUGAS, BadUsername),
        ("Budi", "long-enough-1", Role.PETUGAS, BadUsername),
        ("budi santoso", "long-enough-1", Role.PETUGAS, BadUsername),
        ("budi", "short", Role.PETUGAS, WeakPassword),
        ("budi", "x" * 201, Role.PETUGAS, WeakPassword),
        ("kiosk-9", "long-enough-1", Role.KIOSK, KioskNeedsToken),
        ("petugas", "long-enough-1", Role.PETUGAS, UsernameTaken),
    ],
)
def test_create_user_refuses(
    services: Services, username: str, password: str, role: Role, error: type[DomainError]
) -> None:
    before = len(services.accounts.list_users())
    with pytest.raises(error):
        services.accounts.create_user(username, "Budi", password, role, actor=ADMIN)
    assert len(services.accounts.list_users()) == before


def test_passwords_are_hashed_with_scrypt(services: Services) -> None:
    services.accounts.create_user("budi.s", "Budi", "long-enough-1", Role.PETUGAS, actor=ADMIN)
    with services.database.reader() as session:
        stored = session.scalar(select(UserRow.password_hash).where(UserRow.username == "budi.s"))
    assert stored is not None
    assert stored.startswith("scrypt:")
    assert "long-enough-1" not in stored
    actor = services.accounts.authenticate("budi.s", "long-enough-1")
    assert actor is not None and actor.role is Role.PETUGAS
    assert services.accounts.authenticate("budi.s", "long-enough-2") is None


def test_first_admin_only_once(services: Services) -> None:
    with pytest.raises(AdminExists):
        services.accounts.create_first_admin("boss", "Boss", "long-enough-1", actor=ADMIN)


def test_deactivate_keeps_one_admin_and_revokes_tokens(services: Services) -> None:
    with pytest.raises(LastAdmin):
        services.accounts.deactivate_user("admin", actor=ADMIN)
    with pytest.raises(NotFound) as missing:
        services.accounts.deactivate_user("ghost", actor=ADMIN)
    assert both(missing.value.template, **missing.value.params)["en"] == "User ghost was not found."
    view = services.accounts.deactivate_user("laporan", actor=ADMIN)
    assert view.active is False
    assert services.accounts.authenticate("laporan", "laporan-password-1") is None


def test_account_changes_and_sign_ins_are_audited(services: Services) -> None:
    services.accounts.authenticate("petugas", "wrong-password")
    services.accounts.authenticate("petugas", "petugas-password-1")
    services.accounts.authenticate("nobody", "typed-secret")
    services.accounts.create_token("kiosk-2", Role.KIOSK, actor=ADMIN)
    with services.database.reader() as session:
        rows = list(session.scalars(select(AuditLogRow).order_by(AuditLogRow.id)))
    actions = [(row.action, row.target) for row in rows]
    assert ("user.create", "petugas") in actions
    assert ("auth.login_failed", "petugas") in actions
    assert ("auth.login", "petugas") in actions
    assert ("token.create", "kiosk-2") in actions
    assert all(row.target != "nobody" for row in rows)  # unknown names are never stored
    assert all("typed-secret" not in str(row.details) for row in rows)


def test_unknown_and_malformed_tokens_are_refused(services: Services) -> None:
    token = services.accounts.create_token("kiosk-3", Role.KIOSK, actor=ADMIN)
    assert services.accounts.authenticate_token(token) is not None
    assert services.accounts.authenticate_token(token + "x") is None
    assert services.accounts.authenticate_token("") is None
    assert services.accounts.authenticate_token("antre_" + "x" * 500) is None


@pytest.mark.parametrize(
    "password",
    [
        " " * 12,
        "1234567890",
        "abcdefghijk",
        "zyxwvutsrqp",
        "1111111111",
        "xyxyxyxyxyxy",
        "PASSWORD123",
        "Merdeka1945!",
        "budi.s2026",
    ],
)
def test_weak_passwords_are_refused(services: Services, password: str) -> None:
    with pytest.raises(WeakPassword):
        services.accounts.create_user("budi.s", "Budi", password, Role.PETUGAS, actor=ADMIN)
    assert services.accounts.authenticate("budi.s", password) is None


@pytest.mark.parametrize("password", ["Kuat-sekali-77", "tiga kata acak", "kopi-hitam-pagi-9"])
def test_reasonable_passwords_pass(services: Services, password: str) -> None:
    services.accounts.create_user("budi.s", "Budi", password, Role.PETUGAS, actor=ADMIN)
    assert services.accounts.authenticate("budi.s", password) is not None


def test_tokens_record_the_creating_user(services: Services) -> None:
    token = services.accounts.create_token("kiosk-7", Role.KIOSK, actor=ADMIN)
    with services.database.reader() as session:
        row = session.scalars(select(ApiTokenRow).where(ApiTokenRow.name == "kiosk-7")).one()
    assert row.user_id == ADMIN.user_id
    found = services.accounts.authenticate_token(token)
    assert found is not None and found.offices == frozenset({"kanim-test"})
