"""Browser sessions kept on the server: one row per signed-in browser.

The cookie carries a random session id; the database keeps its SHA-256, the user and
when the session ends. A request is accepted only while the row exists, has not expired
and its user is active, so signing out, changing the password or deactivating the user
ends a session at once, whatever copy of the cookie is replayed.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from queue_server.persistence.models import UserRow, UserSessionRow

SESSION_ID_BYTES = 32
MAX_SESSION_ID_LENGTH = 100


def session_digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def open_session(session: Session, user_id: int, *, now: datetime, lifetime: timedelta) -> str:
    """Store a new session of ``user_id`` (expired ones are purged); returns its id."""
    session.execute(delete(UserSessionRow).where(UserSessionRow.expires_at <= now))
    session_id = secrets.token_urlsafe(SESSION_ID_BYTES)
    session.add(
        UserSessionRow(
            id_hash=session_digest(session_id),
            user_id=user_id,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    return session_id


def session_user(session: Session, session_id: str, *, now: datetime) -> UserRow | None:
    """The active user of a live session, else None."""
    if not session_id or len(session_id) > MAX_SESSION_ID_LENGTH:
        return None
    query = (
        select(UserRow)
        .join(UserSessionRow, UserSessionRow.user_id == UserRow.id)
        .where(
            UserSessionRow.id_hash == session_digest(session_id),
            UserSessionRow.expires_at > now,
            UserRow.active,
        )
    )
    return session.scalars(query).one_or_none()


def close_session(session: Session, session_id: str) -> None:
    session.execute(
        delete(UserSessionRow).where(UserSessionRow.id_hash == session_digest(session_id))
    )


def close_user_sessions(session: Session, user_id: int) -> int:
    """End every session of ``user_id``; returns how many were open."""
    result = session.execute(delete(UserSessionRow).where(UserSessionRow.user_id == user_id))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
