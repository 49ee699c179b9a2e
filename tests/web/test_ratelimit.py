"""The in-memory sliding window: limits, sliding, bounded memory, the public endpoint."""

from __future__ import annotations

from flask.testing import FlaskClient

from queue_server.web.app import PUBLIC_REQUESTS_PER_MINUTE
from queue_server.web.ratelimit import SlidingWindowLimiter
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
