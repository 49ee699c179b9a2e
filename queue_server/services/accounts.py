"""Users, roles and machine tokens. Passwords are hashed (scrypt); tokens stored as SHA-256."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from queue_server.domain.errors import DomainError
from queue_server.domain.ids import Role
from queue_server.persistence.models import ApiTokenRow, UserRow
from queue_server.services.unit import Actor, UseCases

MIN_PASSWORD_LENGTH = 10
USERNAME = re.compile(r"^[a-z0-9._-]{3,40}$")
#: Checked when the user does not exist, so a wrong name costs as much as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class UsernameTaken(DomainError):
    code = "username_taken"
    template = "The user name {username} is already taken."


class WeakPassword(DomainError):
    code = "weak_password"
    template = "The password must have at least {length} characters."
    http_status = 422


class BadUsername(DomainError):
    code = "bad_username"
    template = "User names use 3 to 40 lowercase letters, digits, dots, dashes or underscores."
    http_status = 422


class AdminExists(DomainError):
    code = "admin_exists"
    template = "An administrator already exists; sign in and add users from the console."


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    display_name: str
    role: str
    active: bool


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AccountService(UseCases):
    def create_user(
        self, username: str, display_name: str, password: str, role: Role, *, actor: Actor
    ) -> UserView:
        if role is Role.KIOSK:
            raise BadUsername()  # kiosks get tokens, never passwords
        _check_credentials(username, password)
        with self.unit() as work:
            if work.session.scalar(select(UserRow.id).where(UserRow.username == username)):
                raise UsernameTaken(username=username)
            row = UserRow(
                username=username,
                display_name=display_name,
                password_hash=generate_password_hash(password),
                role=role.value,
                active=True,
                created_at=work.now,
            )
            work.session.add(row)
            work.session.flush()
            work.audit(actor, "user.create", office_id=None, target=username, role=role.value)
            return _view(row)

    def create_first_admin(
        self, username: str, display_name: str, password: str, *, actor: Actor
    ) -> UserView:
        with self.read() as session:
            if session.scalar(select(UserRow.id).where(UserRow.role == Role.ADMIN.value)):
                raise AdminExists()
        return self.create_user(username, display_name, password, Role.ADMIN, actor=actor)

    def authenticate(self, username: str, password: str) -> Actor | None:
        with self.read() as session:
            row = session.scalar(select(UserRow).where(UserRow.username == username))
        if row is None or not row.active:
            check_password_hash(_DUMMY_HASH, password)
            return None
        if not check_password_hash(row.password_hash, password):
            return None
        return Actor(name=row.username, user_id=row.id, role=Role(row.role))

    def actor_for_user(self, user_id: int) -> Actor | None:
        with self.read() as session:
            row = session.get(UserRow, user_id)
        if row is None or not row.active:
            return None
        return Actor(name=row.username, user_id=row.id, role=Role(row.role))

    def create_token(self, name: str, role: Role, *, actor: Actor) -> str:
        """A new bearer token; the plain text is returned once and never stored."""
        token = "antre_" + secrets.token_urlsafe(32)
        with self.unit() as work:
            work.session.add(
                ApiTokenRow(
                    name=name,
                    token_hash=token_digest(token),
                    role=role.value,
                    user_id=None,
                    created_at=work.now,
                    revoked=False,
                )
            )
            work.audit(actor, "token.create", office_id=None, target=name, role=role.value)
        return token

    def authenticate_token(self, token: str) -> Actor | None:
        with self.read() as session:
            row = session.scalar(
                select(ApiTokenRow).where(ApiTokenRow.token_hash == token_digest(token))
            )
        if row is None or row.revoked:
            return None
        return Actor(name=f"token:{row.name}", role=Role(row.role))

    def list_users(self) -> list[UserView]:
        with self.read() as session:
            return [_view(row) for row in session.scalars(select(UserRow).order_by(UserRow.id))]


def _check_credentials(username: str, password: str) -> None:
    if not USERNAME.fullmatch(username):
        raise BadUsername()
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(length=MIN_PASSWORD_LENGTH)


def _view(row: UserRow) -> UserView:
    return UserView(row.id, row.username, row.display_name, row.role, row.active)
