"""The kiosk's health publisher without a broker: on change, on connect, as a heartbeat,
and nothing while the link is down."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from devices.config import device_config_from_mapping, open_devices
from devices.health import OutboxCount
from kiosk.app.live import start_health
from kiosk.link.client import KioskLink
from kiosk.link.core import KioskCore
from kiosk.link.health import HealthPublisher
from queue_server.protocol.messages import DeviceHealth, decode_device

MADE = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)


class FakeLink:
    """What the publisher uses of a :class:`KioskLink`: ready, on_up, publish_health."""

    def __init__(self) -> None:
        self.ready = threading.Event()
        self.sent: list[bytes] = []
        self.published = threading.Event()
        self.up_callbacks: list[Callable[[], None]] = []

    def on_up(self, callback: Callable[[], None]) -> None:
        self.up_callbacks.append(callback)

    def publish_health(self, payload: bytes) -> None:
        self.sent.append(payload)
        self.published.set()

    def come_up(self) -> None:
        self.ready.set()
        for callback in self.up_callbacks:
            callback()


class Reporter:
    """A reporter double: a payload when its state changed or when forced."""

    def __init__(self) -> None:
        self.state: str = "ok"
        self.last: str | None = None
        self.forced: list[bool] = []

    def poll(self, force: bool) -> bytes | None:
        self.forced.append(force)
        if self.state == self.last and not force:
            return None
        self.last = self.state
        return self.state.encode()


def publisher_over(link: FakeLink, reporter: Reporter, now: list[float]) -> HealthPublisher:
    return HealthPublisher(
        cast(KioskLink, cast(Any, link)),
        reporter.poll,
        heartbeat_s=300,
        monotonic=lambda: now[0],
    )


def test_published_on_connect_on_change_and_as_a_heartbeat_never_while_down() -> None:
    link, reporter, now = FakeLink(), Reporter(), [1000.0]
    publisher = publisher_over(link, reporter, now)
    assert not publisher.publish_once() and reporter.forced == []  # down: not even asked
    link.come_up()
    assert publisher.publish_once() and link.sent == [b"ok"]
    assert not publisher.publish_once()  # nothing changed, no heartbeat due
    reporter.state = "paper_out"
    assert publisher.publish_once() and link.sent[-1] == b"paper_out"
    now[0] += 299
    assert not publisher.publish_once()
    now[0] += 2  # five minutes after the last one
    assert publisher.publish_once() and link.sent[-1] == b"paper_out"
    assert reporter.forced[-1] is True
    link.ready.clear()  # lost: what changes meanwhile goes with the next connect
    reporter.state = "ok"
    assert not publisher.publish_once()
    link.come_up()
    assert publisher.publish_once() and reporter.forced[-1] is True
    assert link.sent == [b"ok", b"paper_out", b"paper_out", b"ok"]


def test_the_thread_publishes_when_the_link_comes_up_and_stops() -> None:
    link, reporter, now = FakeLink(), Reporter(), [0.0]
    publisher = HealthPublisher(
        cast(KioskLink, cast(Any, link)), reporter.poll, every_s=30, monotonic=lambda: now[0]
    ).start()
    try:
        link.come_up()  # wakes the thread long before its 30 s tick
        assert link.published.wait(10)
        assert link.sent == [b"ok"]
    finally:
        publisher.stop()
    assert not publisher._worker.is_alive()


def test_the_live_kiosk_starts_publishing_its_devices_and_outbox(tmp_path: Path) -> None:
    """What kiosk/app/main.py starts for a real desk: devices and outbox, until closed."""
    link = FakeLink()
    link.ready.set()
    core = SimpleNamespace(link=link, outbox_count=lambda: OutboxCount(2, MADE))
    config = device_config_from_mapping({"printer": f"virtual:{tmp_path}"}, {})
    devices = open_devices(config, on_code=lambda code: None)
    with ExitStack() as stack:
        stack.callback(devices.close)
        start_health(cast(KioskCore, core), devices, stack)
        assert link.published.wait(10)
    report = decode_device("health", link.sent[0])
    assert isinstance(report, DeviceHealth) and report.outbox is not None
    assert (report.outbox.waiting, report.outbox.oldest_at) == (2, MADE)
    assert report.components["printer"] == "ok"
