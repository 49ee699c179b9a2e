"""Users, roles, machine tokens and browser sessions, scoped to offices.

Passwords are hashed (scrypt) and checked against :mod:`~queue_server.services.passwords`;
tokens and session ids are stored as SHA-256. Every user and token carries the offices it
may act in; only administrators (and administrator tokens) may have every office (None).
An actor limited to some offices can only see, create, revoke or deactivate accounts
within those offices.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from queue_server.domain.errors import DomainError, NotFound
from queue_server.domain.ids import Role
from queue_server.persistence.models import ApiTokenRow, UserRow
from queue_server.services import sessions
from queue_server.services.office_scope import frozen_offices, manages, new_account_scope
from queue_server.services.passwords import check_password
from queue_server.services.unit import Actor, UseCases

USERNAME = re.compile(r"^[a-z0-9._-]{3,40}$")
TOKEN_PREFIX = "antre_"
#: Checked when the user does not exist, so a wrong name costs as much as a wrong password.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class UsernameTaken(DomainError):
    code = "username_taken"
    template = "The user name {username} is already taken."


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


class WrongPassword(DomainError):
    code = "wrong_password"
    template = "The current password is wrong."
    http_status = 403


class UserNotFound(NotFound):
    """Reuses the generic "{what} was not found." message with a bilingual ``what``."""

    def __init__(self, username: str) -> None:
        super().__init__(what={"id": f"Pengguna {username}", "en": f"User {username}"})


class TokenNotFound(NotFound):
    def __init__(self, token_id: int) -> None:
        super().__init__(what={"id": f"Token {token_id}", "en": f"Token {token_id}"})


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    display_name: str
    role: str
    active: bool
    offices: list[str] | None
    #: The end of the lock after too many failed sign-ins (None: not locked; filled in by
    #: :meth:`~queue_server.services.sign_in_guards.SignInGuards.with_locks`).
    locked_until: datetime | None = None


@dataclass(frozen=True)
class TokenView:
    """A token as listed: never its secret, which is shown once on creation."""

    id: int
    name: str
    role: str
    created_by: str | None
    created_at: datetime
    revoked: bool
    revoked_at: datetime | None
    offices: list[str] | None


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AccountService(UseCases):
    """Sign-in and account administration; every change is written to the audit log."""

    def __init__(self, **collaborators: Any) -> None:
        super().__init__(**collaborators)
        self._revocation_listeners: list[Callable[[], None]] = []

    def on_revocation(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after any token is revoked (e.g. to drop a token cache)."""
        self._revocation_listeners.append(listener)

    def _revoked(self) -> None:
        for listener in self._revocation_listeners:
            listener()

    def create_user(
        self,
        username: str,
        display_name: str,
        password: str,
        role: Role,
        *,
        actor: Actor,
        offices: Collection[str] | None = None,
    ) -> UserView:
        """Add a user. Raises BadUsername, WeakPassword, KioskNeedsToken, UsernameTaken,
        UnknownOffice, OfficesRequired or OutsideYourOffices."""
        if role is Role.KIOSK:
            raise KioskNeedsToken()
        if not USERNAME.fullmatch(username):
            raise BadUsername()
        check_password(password, username=username)
        password_hash = generate_password_hash(password)  # slow: outside the transaction
        with self.unit() as work:
            scope = new_account_scope(work.session, offices, role, actor)
            if work.session.scalar(select(UserRow.id).where(UserRow.username == username)):
                raise UsernameTaken(username=username)
            row = UserRow(
                username=username,
                display_name=display_name,
                password_hash=password_hash,
                role=role.value,
                active=True,
                created_at=work.now,
                offices=scope,
            )
            work.session.add(row)
            work.session.flush()
            work.audit(
                actor,
                "user.create",
                office_id=None,
                target=username,
                role=role.value,
                offices=scope,
            )
            return _view(row)

    def create_first_admin(
        self,
        username: str,
        display_name: str,
        password: str,
        *,
        actor: Actor,
        offices: Collection[str] | None = None,
    ) -> UserView:
        """The bootstrap administrator (CLI only); refused once any administrator exists."""
        with self.read() as session:
            if session.scalar(select(UserRow.id).where(UserRow.role == Role.ADMIN.value)):
                raise AdminExists()
        return self.create_user(
            username, display_name, password, Role.ADMIN, actor=actor, offices=offices
        )

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
        actor = _user_actor(row, remote_addr)
        accepted = check_password_hash(row.password_hash, password)
        with self.unit() as work:
            action = "auth.login" if accepted else "auth.login_failed"
            work.audit(actor, action, office_id=None, target=row.username)
        return actor if accepted else None

    def start_session(
        self, actor: Actor, *, lifetime: timedelta, idle: timedelta | None = None
    ) -> str:
        """A new server-side session of the signed-in ``actor``; returns its secret id.

        It ends ``lifetime`` after it started, or sooner once unused for ``idle``.
        """
        assert actor.user_id is not None
        with self.unit() as work:
            return sessions.open_session(
                work.session, actor.user_id, now=work.now, lifetime=lifetime, idle=idle
            )

    def session_actor(
        self,
        session_id: str,
        *,
        remote_addr: str | None = None,
        touch: tuple[timedelta, timedelta] | None = None,
    ) -> Actor | None:
        """The Actor of a live session, or None once it ended, expired or the user left.

        ``touch`` (idle, lifetime): this is a use of the session, which moves its idle
        deadline ahead (an open event stream checking its grant is not a use).
        """
        now = self.clock()
        with self.read() as session:
            found = sessions.live_session(session, session_id, now=now)
            if found is None:
                return None
            user, row = found
            deadline = None
            if touch is not None:
                idle, lifetime = touch
                deadline = sessions.idle_deadline(row, now=now, idle=idle, lifetime=lifetime)
            actor = _user_actor(user, remote_addr)
        if deadline is not None:
            with self.unit() as work:
                sessions.touch_session(work.session, session_id, deadline)
        return actor

    def end_session(self, session_id: str) -> None:
        with self.unit() as work:
            sessions.close_session(work.session, session_id)

    def change_password(self, actor: Actor, current: str, new: str) -> None:
        """Set a new password (after checking the current one); every session ends."""
        with self.read() as session:
            row = session.get(UserRow, actor.user_id) if actor.user_id is not None else None
        if row is None or not row.active:
            raise WrongPassword()
        if not check_password_hash(row.password_hash, current):
            raise WrongPassword()
        check_password(new, username=row.username)
        password_hash = generate_password_hash(new)
        with self.unit() as work:
            work.session.execute(
                update(UserRow).where(UserRow.id == row.id).values(password_hash=password_hash)
            )
            ended = sessions.close_user_sessions(work.session, row.id)
            work.audit(actor, "user.password", office_id=None, target=row.username, ended=ended)

    def create_token(
        self,
        name: str,
        role: Role,
        *,
        actor: Actor,
        offices: Collection[str] | None = None,
    ) -> str:
        """A new bearer token; the plain text is returned once and never stored.

        The creating user is recorded: deactivating that user revokes the token.
        """
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.unit() as work:
            scope = new_account_scope(work.session, offices, role, actor)
            work.session.add(
                ApiTokenRow(
                    name=name,
                    token_hash=token_digest(token),
                    role=role.value,
                    user_id=actor.user_id,
                    created_at=work.now,
                    revoked=False,
                    offices=scope,
                )
            )
            work.audit(
                actor, "token.create", office_id=None, target=name, role=role.value, offices=scope
            )
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
        return Actor(
            name=f"token:{row.name}", role=Role(row.role), offices=frozen_offices(row.offices)
        )

    def list_tokens(self, *, actor: Actor) -> list[TokenView]:
        """Every token the actor may manage (revoked ones too), oldest first."""
        with self.read() as session:
            query = (
                select(ApiTokenRow, UserRow.username)
                .outerjoin(UserRow, UserRow.id == ApiTokenRow.user_id)
                .order_by(ApiTokenRow.id)
            )
            return [
                _token_view(row, creator)
                for row, creator in session.execute(query)
                if manages(actor, row.offices)
            ]

    def revoke_token(self, token_id: int, *, actor: Actor) -> TokenView:
        """Revoke a token (revoking it again changes nothing)."""
        with self.unit() as work:
            row = work.session.get(ApiTokenRow, token_id, with_for_update=True)
            if row is None or not manages(actor, row.offices):
                raise TokenNotFound(token_id)
            if not row.revoked:
                row.revoked, row.revoked_at = True, work.now
                work.audit(actor, "token.revoke", office_id=None, target=row.name, id=row.id)
            creator = work.session.get(UserRow, row.user_id) if row.user_id else None
            view = _token_view(row, creator.username if creator else None)
        self._revoked()
        return view

    def list_users(self, *, actor: Actor | None = None) -> list[UserView]:
        """The users the actor may manage (every user without an actor)."""
        with self.read() as session:
            rows = session.scalars(select(UserRow).order_by(UserRow.id))
            return [_view(row) for row in rows if actor is None or manages(actor, row.offices)]

    def deactivate_user(self, username: str, *, actor: Actor) -> UserView:
        """Lock an account out: its sessions end and the tokens it created are revoked.

        The last active administrator cannot be deactivated.
        """
        with self.unit() as work:
            row = work.session.scalar(
                select(UserRow).where(UserRow.username == username).with_for_update()
            )
            if row is None or not manages(actor, row.offices):
                raise UserNotFound(username)
            if row.role == Role.ADMIN.value and row.active and _active_admins(work.session) <= 1:
                raise LastAdmin()
            row.active = False
            work.session.execute(
                update(ApiTokenRow)
                .where(ApiTokenRow.user_id == row.id, ApiTokenRow.revoked.is_(False))
                .values(revoked=True, revoked_at=work.now)
            )
            sessions.close_user_sessions(work.session, row.id)
            work.audit(actor, "user.deactivate", office_id=None, target=username)
            view = _view(row)
        self._revoked()
        return view


def _active_admins(session: Session) -> int:
    count = session.scalar(
        select(func.count()).where(UserRow.role == Role.ADMIN.value, UserRow.active)
    )
    return int(count or 0)


def _user_actor(row: UserRow, remote_addr: str | None = None) -> Actor:
    return Actor(
        name=row.username,
        user_id=row.id,
        role=Role(row.role),
        remote_addr=remote_addr,
        offices=frozen_offices(row.offices),
    )


def _view(row: UserRow) -> UserView:
    offices = None if row.offices is None else [str(office) for office in row.offices]
    return UserView(row.id, row.username, row.display_name, row.role, row.active, offices)


def _token_view(row: ApiTokenRow, creator: str | None) -> TokenView:
    return TokenView(
        id=row.id,
        name=row.name,
        role=row.role,
        created_by=creator,
        created_at=row.created_at,
        revoked=row.revoked,
        revoked_at=row.revoked_at,
        offices=None if row.offices is None else [str(office) for office in row.offices],
    )
