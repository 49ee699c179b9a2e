"""Who is calling: browser sessions (with CSRF) or machine bearer tokens; role checks."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable

from flask import current_app, g, request, session

from queue_server.domain.ids import Role
from queue_server.services.container import Services
from queue_server.services.unit import Actor
from queue_server.web.errors import CsrfFailed, Forbidden, Unauthenticated

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def services() -> Services:
    """The process's use cases, built by the app factory."""
    built: Services = current_app.extensions["antre"]
    return built


def authenticate_request() -> Actor:
    """The caller as an :class:`Actor`, or raise 401. Session callers must send the CSRF token."""
    cached: Actor | None = g.get("actor")
    if cached is not None:
        return cached
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        actor = services().accounts.authenticate_token(header[len("Bearer ") :].strip())
    else:
        actor = _session_actor()
    if actor is None:
        raise Unauthenticated()
    known = Actor(actor.name, actor.user_id, actor.role, request.remote_addr)
    g.actor = known
    return known


def _session_actor() -> Actor | None:
    user_id = session.get("user_id")
    if not isinstance(user_id, int):
        return None
    if request.method not in SAFE_METHODS:
        expected = session.get("csrf_token", "")
        given = request.headers.get("X-CSRF-Token", "")
        if not expected or not hmac.compare_digest(str(expected), given):
            raise CsrfFailed()
    return services().accounts.actor_for_user(user_id)


def require_roles(allowed: frozenset[Role]) -> None:
    actor: Actor = g.actor
    if actor.role not in allowed:
        raise Forbidden()


def start_session(actor: Actor) -> str:
    session.clear()
    session["user_id"] = actor.user_id
    session["csrf_token"] = secrets.token_urlsafe(24)
    session.permanent = True
    return str(session["csrf_token"])


class RateLimiter:
    """At most ``limit`` hits per key in a sliding ``window_s``; memory bounded by ``max_keys``."""

    def __init__(
        self,
        *,
        limit: int,
        window_s: float,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._limit, self._window_s, self._max_keys, self._clock = limit, window_s, max_keys, clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> float | None:
        """Record a hit; returns None if allowed, else seconds until the next allowed hit."""
        now = self._clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] >= self._window_s:
                hits.popleft()
            if len(hits) >= self._limit:
                return self._window_s - (now - hits[0])
            hits.append(now)
            if len(self._hits) > self._max_keys:
                self._forget_idle(now)
            return None

    def _forget_idle(self, now: float) -> None:
        for key in [
            key for key, hits in self._hits.items() if not hits or now - hits[-1] >= self._window_s
        ]:
            del self._hits[key]
        while len(self._hits) > self._max_keys:
            self._hits.pop(next(iter(self._hits)))
