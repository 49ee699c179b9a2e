"""Account lockout kept in the database, so a restart lifts no lock and every server
process sees the same ones.

A user name is locked for ``lock`` once ``failures`` sign-ins on it failed within
``lock``, from whatever addresses: rotating addresses does not help an attacker. The lock
ends by itself (no account is locked for good, an administrator's neither, and an
administrator may lift it sooner), and tries made while it holds neither count nor extend
it. Names that do not exist are counted and locked alike, so a lock tells nothing about
which names exist; only a real account's lock is audited. The last few addresses a name
signed in from are not locked out, nor do their failures count: an attacker elsewhere
cannot keep the owner out by locking the name again and again (those addresses stay under
the per-address limits of :class:`~queue_server.web.ratelimit.LoginLimiter`). Those
addresses are personal data: the retention purge clears them. A name is stored only as a
keyed hash: whatever was typed into the name field (a password, by mistake) is not kept.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, null, select, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from queue_server.persistence.models import SignInGuardRow, UserRow
from queue_server.services.accounts import UserNotFound, UserView
from queue_server.services.office_scope import manages
from queue_server.services.unit import Actor, UseCases

#: Addresses remembered per user name that signed in successfully.
KNOWN_ADDRESSES = 5


class SignInGuards(UseCases):
    """Counts failed sign-ins per user name and locks the name after too many."""

    def __init__(self, *, key: bytes, failures: int, lock: timedelta, **collaborators: Any) -> None:
        super().__init__(**collaborators)
        self._key = hmac.new(key, b"antre sign-in guard", hashlib.sha256).digest()
        self.failures = failures
        self.lock = lock

    def digest(self, username: str) -> str:
        """The stored form of a user name (keyed, so a typed secret cannot be looked up)."""
        return hmac.new(self._key, username.encode(), hashlib.sha256).hexdigest()

    @property
    def lock_minutes(self) -> int:
        return math.ceil(self.lock.total_seconds() / 60)

    def locked_for(self, username: str, address: str | None = None) -> float | None:
        """Seconds the name stays locked for ``address``, or None when it is not locked."""
        now = self.clock()
        with self.read() as session:
            row = session.get(SignInGuardRow, self.digest(username))
            if row is None or (address is not None and address in (row.known_addresses or ())):
                return None
            if row.locked_until is None or row.locked_until <= now:
                return None
            return (row.locked_until - now).total_seconds()

    def record_failure(self, username: str, address: str | None = None) -> bool:
        """Count a failed sign-in; True when this one locks the name (audited)."""
        with self.unit() as work:
            now = work.now
            name = self.digest(username)
            row = _guard(work.session, name, now)
            if address is not None and address in (row.known_addresses or ()):
                return False
            if row.locked_until is not None and row.locked_until > now:
                return False
            recent = [moment for moment in _times(row.failures) if now - moment < self.lock]
            recent.append(now)
            row.updated_at = now
            _forget_stale(work.session, name, now - self.lock, now)
            if len(recent) < self.failures:
                row.failures = [moment.isoformat() for moment in recent[-self.failures :]]
                return False
            row.failures, row.locked_until = [], now + self.lock
            exists = work.session.scalar(select(UserRow.id).where(UserRow.username == username))
            if exists is not None:
                system = Actor(name="system", remote_addr=address)
                work.audit(
                    system,
                    "auth.locked",
                    office_id=None,
                    target=username,
                    minutes=self.lock_minutes,
                )
            return True

    def signed_in(self, username: str, address: str) -> None:
        """A successful sign-in: the name's failures are forgotten, the address known."""
        with self.unit() as work:
            row = _guard(work.session, self.digest(username), work.now)
            known = [item for item in (row.known_addresses or ()) if item != address]
            row.known_addresses = [address, *known][:KNOWN_ADDRESSES]
            row.failures = []
            row.signed_in_at = row.updated_at = work.now

    def with_locks(self, users: list[UserView]) -> list[UserView]:
        """``users`` with the end of their lock, if locked now."""
        now = self.clock()
        with self.read() as session:
            query = select(SignInGuardRow.name_hash, SignInGuardRow.locked_until).where(
                SignInGuardRow.locked_until > now
            )
            locked: dict[str, datetime | None] = {
                name: until for name, until in session.execute(query)
            }
        return [
            replace(user, locked_until=locked.get(self.digest(user.username))) for user in users
        ]

    def unlock(self, username: str, *, actor: Actor) -> UserView:
        """Lift a user's lock now and forget the failures (audited when there was a lock).

        Raises UserNotFound for a user outside the actor's offices too.
        """
        with self.unit() as work:
            user = work.session.scalar(select(UserRow).where(UserRow.username == username))
            if user is None or not manages(actor, user.offices):
                raise UserNotFound(username)
            row = work.session.scalar(
                select(SignInGuardRow)
                .where(SignInGuardRow.name_hash == self.digest(username))
                .with_for_update()
            )
            if row is not None:
                if row.locked_until is not None and row.locked_until > work.now:
                    work.audit(actor, "user.unlock", office_id=None, target=username)
                row.locked_until, row.failures, row.updated_at = None, [], work.now
            offices = None if user.offices is None else [str(office) for office in user.offices]
            return UserView(
                user.id, user.username, user.display_name, user.role, user.active, offices
            )


def forget_addresses(session: Session, cutoff: datetime, *, count_only: bool = False) -> int:
    """Clear the known addresses of names last signed in before ``cutoff``; how many."""
    stale = and_(
        SignInGuardRow.known_addresses.is_not(None),
        SignInGuardRow.signed_in_at < cutoff,
    )
    names = list(session.scalars(select(SignInGuardRow.name_hash).where(stale)))
    if names and not count_only:
        session.execute(update(SignInGuardRow).where(stale).values(known_addresses=null()))
    return len(names)


def _guard(session: Session, name: str, now: datetime) -> SignInGuardRow:
    """The row of a name's hash, locked for this transaction (created if missing, race-free)."""
    dialect = session.get_bind().dialect.name
    insert = postgres_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(SignInGuardRow)
        .values(name_hash=name, failures=[], updated_at=now)
        .on_conflict_do_nothing(index_elements=["name_hash"])
    )
    row = session.scalar(
        select(SignInGuardRow)
        .where(SignInGuardRow.name_hash == name)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert row is not None
    return row


def _forget_stale(session: Session, name: str, before: datetime, now: datetime) -> None:
    """Drop other names' rows with nothing left to remember (old failures, no lock, no
    address), so names tried once do not pile up."""
    session.execute(
        delete(SignInGuardRow)
        .where(
            SignInGuardRow.name_hash != name,
            SignInGuardRow.updated_at < before,
            SignInGuardRow.known_addresses.is_(None),
            (SignInGuardRow.locked_until.is_(None)) | (SignInGuardRow.locked_until <= now),
        )
        .execution_options(synchronize_session=False)
    )


def _times(values: list[Any]) -> list[datetime]:
    return [datetime.fromisoformat(value) for value in values if isinstance(value, str)]
