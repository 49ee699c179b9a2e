"""Who is calling: browser sessions (with CSRF) or machine bearer tokens; role checks.

Browsers sign in once and carry Flask's signed session cookie (HttpOnly, SameSite=Lax,
Secure behind TLS); every unsafe request made with that cookie must also carry the
session's CSRF token in ``X-CSRF-Token``. Machines send ``Authorization: Bearer``;
a cookie-less request cannot be forged cross-site, so tokens need no CSRF header.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Collection

from flask import current_app, g, request, session

from queue_server.domain.ids import Role
from queue_server.services.container import Services
from queue_server.services.unit import Actor
from queue_server.web.errors import CsrfFailed, Forbidden, TooManyAttempts, Unauthenticated
from queue_server.web.ratelimit import SlidingWindowLimiter
from queue_server.web.token_cache import TokenCache

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_HEADER = "X-CSRF-Token"
BEARER = "Bearer "


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


def refuse_if_limited(name: str, key: str) -> None:
    """Raise 429 when ``key`` has used up its attempts in the ``name`` limiter."""
    wait_s = limiter(name).retry_after(key)
    if wait_s is not None:
        raise TooManyAttempts(seconds=max(1, int(wait_s + 0.999)))


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
    actor = Actor(found.name, found.user_id, found.role, request.remote_addr)
    g.actor = actor
    return actor


def _session_actor() -> Actor | None:
    user_id = session.get("user_id")
    if not isinstance(user_id, int):
        return None
    if request.method not in SAFE_METHODS:
        expected = str(session.get("csrf_token", ""))
        given = request.headers.get(CSRF_HEADER, "")
        if not expected or not hmac.compare_digest(expected.encode(), given.encode()):
            raise CsrfFailed()
    actor = services().accounts.actor_for_user(user_id)
    if actor is None:
        session.clear()  # the account was deactivated: end the session
    return actor


def require_role(allowed: Collection[Role]) -> Actor:
    """The authenticated caller, if its role is one of ``allowed``; else 401/403."""
    actor = current_actor()
    if actor.role not in allowed:
        raise Forbidden()
    return actor


def start_session(actor: Actor) -> str:
    """A fresh session for ``actor`` (no fixation); returns its CSRF token."""
    session.clear()
    session["user_id"] = actor.user_id
    session["csrf_token"] = secrets.token_urlsafe(24)
    session.permanent = True
    return str(session["csrf_token"])


def session_csrf() -> str | None:
    token = session.get("csrf_token")
    return token if isinstance(token, str) else None
