"""A pickup-only Saturday through the real server and broker: when the Saturday pickup
session opens, the server's minute tick re-publishes the queue states, the kiosk (its ACL
reads ``queue/+/state``) learns that only pickup is open and until when; at 12:00 that
ends. The test office's ``sabtu-ambil`` session: Saturdays 08:00-12:00, pickup only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kiosk.sessions import OpenSessions
from queue_server.mqtt.session_watch import SessionWatch
from tests.kiosk.conftest import KioskStack
from tests.mqtt.live import OFFICE, LiveServer, wait_until
from tests.services.clock import FakeClock

#: Saturday 28 November 2026, 08:00 WITA.
SATURDAY_08 = datetime(2026, 11, 28, 0, 0, tzinfo=UTC)
NOON = datetime(2026, 11, 28, 4, 0, tzinfo=UTC)


def test_the_kiosk_learns_the_saturday_pickup_session_from_the_server(
    live: LiveServer, kiosk: KioskStack
) -> None:
    sessions = OpenSessions()
    kiosk.link.on_queue_state(sessions.update)
    runtime = live.runtime
    assert runtime is not None and runtime.session_watch is not None  # antre serve's tick
    # The same watch, driven by the test (the runtime's own ticks every 30 s on its thread).
    watch = SessionWatch(live.services.views, runtime.publisher.refresh, offices=[OFFICE])
    clock = live.services.clock
    assert isinstance(clock, FakeClock)
    assert watch.look() == []  # Monday 10:00: every service is open
    assert sessions.pickup_only(clock()) is None

    clock.now = SATURDAY_08
    assert watch.look() == [OFFICE]
    assert wait_until(lambda: sessions.pickup_only(SATURDAY_08) is not None)
    day = sessions.pickup_only(SATURDAY_08)
    assert day is not None and day.services == {"pickup"}
    assert day.banner()["en"] == "Today (Saturday): passport pickup only, 08:00–12:00"

    clock.now = NOON
    assert watch.look() == [OFFICE]
    # The new state says closed: even a kiosk clock a minute slow no longer says so.
    assert wait_until(lambda: sessions.pickup_only(NOON - timedelta(minutes=1)) is None)
