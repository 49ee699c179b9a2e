"""The kiosk's health report through the real broker: a kiosk cut off from the server
keeps its offline tickets and ratings in its outbox, reports the outbox when it is back,
and the server's device list and dashboard show it until the kiosk has delivered it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devices.config import KioskDevices, device_config_from_mapping, open_devices
from devices.health import HealthReporter
from kiosk.link import IssuedOffline, IssuedOnline
from kiosk.link.health import HealthPublisher
from tests.kiosk.conftest import DEVICE, KioskStack, advance, restart_broker, stop_broker
from tests.mqtt.live import OFFICE, LiveServer, wait_until


@pytest.fixture
def devices(tmp_path: Path) -> Iterator[KioskDevices]:
    config = device_config_from_mapping({"printer": f"virtual:{tmp_path / 'printer'}"}, {})
    opened = open_devices(config, on_code=lambda code: None)
    yield opened
    opened.close()


def device_row(live: LiveServer) -> dict[str, Any]:
    [device] = [row for row in live.services.presence.fleet(OFFICE) if row["id"] == DEVICE]
    return device


def outbox_alerts(live: LiveServer) -> list[dict[str, Any]]:
    alerts = live.services.dashboard.summary(OFFICE)["alerts"]
    return [alert for alert in alerts if alert["kind"] == "outbox"]


def test_a_cut_off_kiosk_reports_its_outbox_when_back_and_the_server_shows_it(
    live: LiveServer, kiosk: KioskStack, devices: KioskDevices
) -> None:
    kiosk.core.maintain()  # online: leases a block for walkin
    online = kiosk.core.issue("walkin")
    assert isinstance(online, IssuedOnline)
    reporter = HealthReporter(devices, clock=live.services.clock, outbox=kiosk.core.outbox_count)
    publisher = HealthPublisher(kiosk.link, lambda force: reporter.poll(force=force), every_s=0.1)
    publisher.start()
    try:
        assert wait_until(lambda: device_row(live)["outbox"] is not None)
        assert device_row(live)["outbox"] == {
            "waiting": 0,
            "oldest_at": None,
            "oldest_minutes": None,
        }
        assert device_row(live)["health"]["printer"] == "ok"

        stop_broker(live, kiosk)  # the server is cut off: the kiosk keeps what it cannot send
        for _ in range(3):
            assert isinstance(kiosk.core.issue("walkin"), IssuedOffline)
        assert kiosk.core.rate(online.data.token, 4) is None
        assert kiosk.core.outbox_count().waiting == 4
        advance(live, minutes=12)
        assert device_row(live)["outbox"]["waiting"] == 0  # the server has heard nothing yet
        assert outbox_alerts(live) == []

        restart_broker(live, kiosk)  # back: the kiosk reports at once, before any sync
        assert wait_until(lambda: device_row(live)["outbox"]["waiting"] == 4)
        shown = device_row(live)["outbox"]
        assert shown["oldest_minutes"] == 12.0
        [alert] = outbox_alerts(live)
        assert alert == {
            "kind": "outbox",
            "device": DEVICE,
            "waiting": 4,
            "minutes": 12.0,
            "threshold": 10,
        }

        kiosk.core.maintain()  # delivers the tickets and the rating
        assert kiosk.core.outbox_count().waiting == 0
        assert wait_until(lambda: device_row(live)["outbox"]["waiting"] == 0)
        assert device_row(live)["outbox"]["oldest_at"] is None
        assert outbox_alerts(live) == []
    finally:
        publisher.stop()
