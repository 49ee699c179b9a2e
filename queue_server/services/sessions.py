"""Browser sessions kept on the server: one row per signed-in browser.

The cookie carries a random session id; the database keeps its SHA-256, the user and
when the session ends. A request is accepted only while the row exists, has not expired
and its user is active, so signing out, changing the password or deactivating the user
ends a session at once, whatever copy of the cookie is replayed.

``expires_at`` is the idle deadline: each use moves it ``idle`` ahead (written at most
once per tenth of ``idle``), never past ``created_at + lifetime``, the absolute limit.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from queue_server.persistence.models import UserRow, UserSessionRow

SESSION_ID_BYTES = 32
MAX_SESSION_ID_LENGTH = 100


def session_digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def open_session(
    session: Session,
    user_id: int,
    *,
    now: datetime,
    lifetime: timedelta,
    idle: timedelta | None = None,
) -> str:
    """Store a new session of ``user_id`` (expired ones are purged); returns its id."""
    session.execute(delete(UserSessionRow).where(UserSessionRow.expires_at <= now))
    session_id = secrets.token_urlsafe(SESSION_ID_BYTES)
    session.add(
        UserSessionRow(
            id_hash=session_digest(session_id),
            user_id=user_id,
            created_at=now,
            expires_at=now + min(lifetime, idle or lifetime),
        )
    )
    return session_id


def session_user(session: Session, session_id: str, *, now: datetime) -> UserRow | None:
    """The active user of a live session, else None."""
    found = live_session(session, session_id, now=now)
    return None if found is None else found[0]


def live_session(
    session: Session, session_id: str, *, now: datetime
) -> tuple[UserRow, UserSessionRow] | None:
    """The active user of a live session and the session's row, else None."""
    if not session_id or len(session_id) > MAX_SESSION_ID_LENGTH:
        return None
    query = (
        select(UserRow, UserSessionRow)
        .join(UserSessionRow, UserSessionRow.user_id == UserRow.id)
        .where(
            UserSessionRow.id_hash == session_digest(session_id),
            UserSessionRow.expires_at > now,
            UserRow.active,
        )
    )
    row = session.execute(query).one_or_none()
    return None if row is None else (row[0], row[1])


def idle_deadline(
    row: UserSessionRow, *, now: datetime, idle: timedelta, lifetime: timedelta
) -> datetime | None:
    """The new ``expires_at`` after a use at ``now``, or None when it need not be written
    (it moved less than a tenth of ``idle``, or it already stands at the absolute limit)."""
    deadline = min(now + idle, row.created_at + lifetime)
    if deadline - row.expires_at < idle / 10:
        return None
    return deadline


def touch_session(session: Session, session_id: str, deadline: datetime) -> None:
    session.execute(
        update(UserSessionRow)
        .where(UserSessionRow.id_hash == session_digest(session_id))
        .values(expires_at=deadline)
    )


def close_session(session: Session, session_id: str) -> None:
    session.execute(
        delete(UserSessionRow).where(UserSessionRow.id_hash == session_digest(session_id))
    )


def close_user_sessions(session: Session, user_id: int) -> int:
    """End every session of ``user_id``; returns how many were open."""
    result = session.execute(delete(UserSessionRow).where(UserSessionRow.user_id == user_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
