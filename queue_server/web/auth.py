"""Who is calling: browser sessions (with CSRF) or machine bearer tokens; role and office checks.

Browsers sign in once and carry Flask's signed session cookie (HttpOnly, SameSite=Lax,
Secure behind TLS) holding a random session id; the session itself is a row on the
server, checked on every request, so signing out ends it even for a copied cookie. It
ends after ``ANTRE_SESSION_IDLE_MINUTES`` unused, and 12 hours after sign-in at most. Every
unsafe request made with that cookie must also carry the session's CSRF token in
``X-CSRF-Token``. Machines send ``Authorization: Bearer``; a cookie-less request cannot
be forged cross-site, so tokens need no CSRF header.
"""

from __future__ import annotations

import hmac
import math
import secrets
from collections.abc import Collection
from dataclasses import replace
from datetime import timedelta

from flask import current_app, g, request, session

from queue_server.domain.ids import Role
from queue_server.services.container import Services
from queue_server.services.unit import Actor
from queue_server.web.errors import (
    AccountLocked,
    CsrfFailed,
    Forbidden,
    OfficeForbidden,
    TooManyAttempts,
    Unauthenticated,
)
from queue_server.web.ratelimit import LoginLimiter, SlidingWindowLimiter
from queue_server.web.token_cache import TokenCache

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"
BEARER = "Bearer "
SESSION_HOURS = 12
SESSION_LIFETIME = timedelta(hours=SESSION_HOURS)


def services() -> Services:
    """The process's use cases, built by the app factory."""
    built: Services = current_app.extensions["antre"]
    return built


def token_cache() -> TokenCache:
    cache: TokenCache = current_app.extensions["antre_tokens"]
    return cache


def limiter(name: str) -> SlidingWindowLimiter:
    built: SlidingWindowLimiter = current_app.extensions["antre_limits"][name]
    return built


def login_limiter() -> LoginLimiter:
    built: LoginLimiter = current_app.extensions["antre_login_limit"]
    return built


def refuse_if_limited(wait_s: float | None) -> None:
    """Raise 429 (with the seconds to wait) when a limiter answered a delay."""
    if wait_s is not None:
        raise TooManyAttempts(seconds=max(1, int(wait_s + 0.999)))


def refuse_sign_in_if_limited(address: str, username: str) -> None:
    """Raise 429 while ``username`` is locked, or this address tried too often."""
    locked_s = services().sign_in_guards.locked_for(username, address)
    if locked_s is not None:
        seconds = max(1, math.ceil(locked_s))
        raise AccountLocked(seconds=seconds, minutes=math.ceil(seconds / 60))
    refuse_if_limited(login_limiter().retry_after(address, username))


def record_sign_in_failure(address: str, username: str) -> None:
    """Count a failed password (in memory per address; per name in the database, where
    a failure that locks the name is audited)."""
    login_limiter().record_failure(address, username)
    services().sign_in_guards.record_failure(username, address)


def record_sign_in(address: str, username: str) -> None:
    services().sign_in_guards.signed_in(username, address)


def session_idle() -> timedelta:
    idle: timedelta = current_app.config["ANTRE_SESSION_IDLE"]
    return idle


def current_actor() -> Actor:
    """The caller as an :class:`Actor`, or raise 401 (403 for a session without CSRF)."""
    cached: Actor | None = g.get("actor")
    if cached is not None:
        return cached
    header = request.headers.get("Authorization", "")
    if header.startswith(BEARER):
        token = header[len(BEARER) :].strip()
        found = token_cache().actor(token, services().accounts.authenticate_token)
    else:
        found = _session_actor()
    if found is None:
        raise Unauthenticated()
    actor = replace(found, remote_addr=request.remote_addr)
    g.actor = actor
    return actor


def _session_actor() -> Actor | None:
    session_id = session.get("sid")
    if not isinstance(session_id, str):
        return None
    if request.method not in SAFE_METHODS:
        expected = str(session.get("csrf_token", ""))
        given = request.headers.get(CSRF_HEADER, "")
        if not expected or not hmac.compare_digest(expected.encode(), given.encode()):
            raise CsrfFailed()
    touch = (session_idle(), SESSION_LIFETIME)
    actor = services().accounts.session_actor(session_id, touch=touch)
    if actor is None:
        session.clear()  # signed out, expired, or the account was deactivated
    return actor


def require_role(allowed: Collection[Role]) -> Actor:
    """The authenticated caller, if its role is one of ``allowed``; else 401/403."""
    actor = current_actor()
    if actor.role not in allowed:
        raise Forbidden()
    return actor


def require_office(actor: Actor, office: str) -> None:
    """Raise 403 unless ``office`` is one of the actor's offices."""
    if not actor.may_act_in(office):
        raise OfficeForbidden(office=office)


def start_session(actor: Actor) -> str:
    """A fresh server-side session for ``actor`` (no fixation); returns its CSRF token.

    A session the browser still had is ended on the server first.
    """
    end_session()
    session["sid"] = services().accounts.start_session(
        actor, lifetime=SESSION_LIFETIME, idle=session_idle()
    )
    session["csrf_token"] = secrets.token_urlsafe(24)
    session.permanent = True
    return str(session["csrf_token"])


def end_session() -> None:
    """End the browser's session on the server and clear its cookie."""
    session_id = session.get("sid")
    if isinstance(session_id, str):
        services().accounts.end_session(session_id)
    session.clear()


def session_csrf() -> str | None:
    token = session.get("csrf_token")
    return token if isinstance(token, str) else None
