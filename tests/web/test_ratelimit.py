"""In-memory limits: the sliding window, sign-in limits, the public endpoint, the token cache."""

from __future__ import annotations

from flask.testing import FlaskClient

from queue_server.services.unit import Actor
from queue_server.web.app import PUBLIC_REQUESTS_PER_MINUTE
from queue_server.web.ratelimit import LoginLimiter, SlidingWindowLimiter
from queue_server.web.token_cache import TokenCache
from tests.web.conftest import FakeMonotonic


def test_window_slides() -> None:
    clock = FakeMonotonic()
    limiter = SlidingWindowLimiter(limit=2, window_s=60, clock=clock)
    assert limiter.hit("a") is None
    clock.advance(30)
    assert limiter.hit("a") is None
    assert limiter.hit("a") == 30
    assert limiter.hit("b") is None
    clock.advance(30)
    assert limiter.hit("a") is None  # the first hit left the window
    assert limiter.retry_after("a") == 30


def test_memory_is_bounded() -> None:
    clock = FakeMonotonic()
    limiter = SlidingWindowLimiter(limit=3, window_s=60, max_keys=100, clock=clock)
    for number in range(10_000):
        limiter.record(f"address-{number}")
        clock.advance(0.001)
    assert len(limiter) <= 100
    for _ in range(10):
        limiter.record("busy")
    assert limiter.retry_after("busy") is not None  # kept: it is the most recent key


def test_public_status_is_limited_per_address(
    client: FlaskClient, monotonic: FakeMonotonic
) -> None:
    for _ in range(PUBLIC_REQUESTS_PER_MINUTE):
        assert client.get("/api/v1/public/tickets/guess").status_code == 404
    limited = client.get("/api/v1/public/tickets/guess")
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) >= 1
    other = client.get("/api/v1/public/tickets/guess", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 404
    monotonic.advance(60)
    assert client.get("/api/v1/public/tickets/guess").status_code == 404


def test_login_limits_per_name_and_per_address() -> None:
    clock = FakeMonotonic()
    limits = LoginLimiter(per_user=2, per_address=3, clock=clock)
    for _ in range(2):
        limits.record_failure("10.0.0.1", "budi")
    assert limits.retry_after("10.0.0.1", "budi") == 60
    assert limits.retry_after("10.0.0.1", "sari") is None  # other names: not yet
    limits.record_failure("10.0.0.1", "sari")
    assert limits.retry_after("10.0.0.1", "sari") == 60  # the address has used its three
    assert limits.retry_after("10.0.0.2", "sari") is None
    clock.advance(60)
    assert limits.retry_after("10.0.0.1", "budi") is None


def test_token_cache_forgets_on_clear_and_never_caches_a_lookup_raced_by_it() -> None:
    clock = FakeMonotonic()
    cache = TokenCache(clock=clock)
    actor = Actor(name="token:kiosk-1")
    lookups: list[str] = []

    def lookup(token: str) -> Actor | None:
        lookups.append(token)
        return actor

    assert cache.actor("antre_x", lookup) == actor
    assert cache.actor("antre_x", lookup) == actor
    assert len(lookups) == 1  # the second came from the cache
    cache.clear()
    assert cache.actor("antre_x", lookup) == actor
    assert len(lookups) == 2

    def racing(token: str) -> Actor | None:  # a revocation lands during the look-up
        cache.clear()
        return lookup(token)

    cache.clear()
    cache.actor("antre_y", racing)
    cache.actor("antre_y", lookup)
    assert lookups.count("antre_y") == 2  # the raced answer was not kept
