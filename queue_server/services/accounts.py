"""Users, roles and machine tokens. Passwords are hashed (scrypt); tokens stored as SHA-256."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from queue_server.domain.errors import DomainError, NotFound
from queue_server.domain.ids import Role
from queue_server.persistence.models import ApiTokenRow, UserRow
from queue_server.services.unit import Actor, UseCases

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200
USERNAME = re.compile(r"^[a-z0-9._-]{3,40}$")
TOKEN_PREFIX = "antre_"
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


class KioskNeedsToken(DomainError):
    code = "kiosk_needs_token"
    template = "Kiosks get machine tokens, not user accounts."
    http_status = 422


class LastAdmin(DomainError):
    code = "last_admin"
    template = "The last active administrator cannot be deactivated."


class UserNotFound(NotFound):
    """Reuses the generic "{what} was not found." message with a bilingual ``what``."""

    def __init__(self, username: str) -> None:
        super().__init__(what={"id": f"Pengguna {username}", "en": f"User {username}"})


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
    """Sign-in and account administration; every change is written to the audit log."""

    def create_user(
        self, username: str, display_name: str, password: str, role: Role, *, actor: Actor
    ) -> UserView:
        """Add a user. Raises BadUsername, WeakPassword, KioskNeedsToken or UsernameTaken."""
        if role is Role.KIOSK:
            raise KioskNeedsToken()
        _check_credentials(username, password)
        password_hash = generate_password_hash(password)  # slow: outside the transaction
        with self.unit() as work:
            if work.session.scalar(select(UserRow.id).where(UserRow.username == username)):
                raise UsernameTaken(username=username)
            row = UserRow(
                username=username,
                display_name=display_name,
                password_hash=password_hash,
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
        """The bootstrap administrator (CLI only); refused once any administrator exists."""
        with self.read() as session:
            if session.scalar(select(UserRow.id).where(UserRow.role == Role.ADMIN.value)):
                raise AdminExists()
        return self.create_user(username, display_name, password, Role.ADMIN, actor=actor)

    def authenticate(
        self, username: str, password: str, *, remote_addr: str | None = None
    ) -> Actor | None:
        """The user's Actor if the password matches an active account, else None.

        A hash is always checked, so unknown names and wrong passwords take as long.
        Attempts on existing accounts are audited (never the typed password or name).
        """
        with self.read() as session:
            row = session.scalar(select(UserRow).where(UserRow.username == username))
        if row is None or not row.active:
            check_password_hash(_DUMMY_HASH, password)
            return None
        actor = Actor(
            name=row.username, user_id=row.id, role=Role(row.role), remote_addr=remote_addr
        )
        accepted = check_password_hash(row.password_hash, password)
        with self.unit() as work:
            action = "auth.login" if accepted else "auth.login_failed"
            work.audit(actor, action, office_id=None, target=row.username)
        return actor if accepted else None

    def actor_for_user(self, user_id: int) -> Actor | None:
        """The Actor of a signed-in session, or None once the user is gone or deactivated."""
        with self.read() as session:
            row = session.get(UserRow, user_id)
        if row is None or not row.active:
            return None
        return Actor(name=row.username, user_id=row.id, role=Role(row.role))

    def create_token(self, name: str, role: Role, *, actor: Actor) -> str:
        """A new bearer token; the plain text is returned once and never stored."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
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
        """The Actor of a valid, unrevoked bearer token, else None."""
        if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
            return None
        with self.read() as session:
            row = session.scalar(
                select(ApiTokenRow).where(ApiTokenRow.token_hash == token_digest(token))
            )
        if row is None or row.revoked:
            return None
        return Actor(name=f"token:{row.name}", user_id=row.user_id, role=Role(row.role))

    def list_users(self) -> list[UserView]:
        with self.read() as session:
            return [_view(row) for row in session.scalars(select(UserRow).order_by(UserRow.id))]

    def deactivate_user(self, username: str, *, actor: Actor) -> UserView:
        """Lock an account out (its sessions end at their next request, its tokens are revoked).

        The last active administrator cannot be deactivated.
        """
        with self.unit() as work:
            row = work.session.scalar(
                select(UserRow).where(UserRow.username == username).with_for_update()
            )
            if row is None:
                raise UserNotFound(username)
            if row.role == Role.ADMIN.value and row.active and _active_admins(work.session) <= 1:
                raise LastAdmin()
            row.active = False
            work.session.execute(
                update(ApiTokenRow).where(ApiTokenRow.user_id == row.id).values(revoked=True)
            )
            work.audit(actor, "user.deactivate", office_id=None, target=username)
            return _view(row)


def _active_admins(session: Session) -> int:
    count = session.scalar(
        select(func.count()).where(UserRow.role == Role.ADMIN.value, UserRow.active)
    )
    return int(count or 0)


def _check_credentials(username: str, password: str) -> None:
    if not USERNAME.fullmatch(username):
        raise BadUsername()
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise WeakPassword(length=MIN_PASSWORD_LENGTH)


def _view(row: UserRow) -> UserView:
    return UserView(row.id, row.username, row.display_name, row.role, row.active)
