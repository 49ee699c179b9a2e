"""Device presence through a real broker: status, health, and the last will."""

from __future__ import annotations

import json
import logging
import os
import socket
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from sqlalchemy import select

from queue_server.mqtt.broker import MosquittoProcess, free_port
from queue_server.mqtt.client import BrokerAddress, ServerMqtt
from queue_server.mqtt.dispatch import ServerMessages
from queue_server.mqtt.kiosk_requests import KioskRequests
from queue_server.mqtt.log_throttle import ThrottledWarnings
from queue_server.persistence.models import DeviceRow
from queue_server.services.devices import DevicePresence, DeviceService
from queue_server.services.unit import Actor
from tests.mqtt.test_broker import KIOSK, OFFICE, SERVER, TIMEOUT_S
from tests.services.conftest import Engine

STATUS = f"antre/v1/{OFFICE}/device/kiosk-1/status"


@pytest.fixture
def broker() -> Iterator[MosquittoProcess]:
    with tempfile.TemporaryDirectory(prefix="antre-mqtt-") as folder:
        os.chmod(folder, 0o755)
        with MosquittoProcess(
            Path(folder) / "mqtt", office=OFFICE, accounts=[SERVER, KIOSK], port=free_port()
        ) as process:
            yield process


def presence_of(engine: Engine) -> DevicePresence:
    """Presence tracking over ``engine`` with kiosk-1 registered."""
    DeviceService(**engine.shared).add(
        OFFICE, "kiosk-1", "kiosk", "unused-hash", actor=Actor(name="t")
    )
    return DevicePresence(**engine.shared)


def wait_for(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_status_health_and_last_will_are_recorded(broker: MosquittoProcess, engine: Engine) -> None:
    presence = presence_of(engine)
    server = ServerMqtt(
        broker=BrokerAddress("127.0.0.1", broker.port, SERVER.username, SERVER.password),
        office=OFFICE,
        handler=ServerMessages(kiosk=KioskRequests(issuing=engine.issuing), presence=presence),
    )
    server.start()
    kiosk = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id="kiosk-1",
        protocol=MQTTProtocolVersion.MQTTv5,
    )
    kiosk.username_pw_set(KIOSK.username, KIOSK.password)
    kiosk.will_set(STATUS, json.dumps({"state": "offline"}), qos=1, retain=True)
    try:
        assert server.connected.wait(TIMEOUT_S)
        kiosk.connect("127.0.0.1", broker.port, keepalive=5)
        kiosk.loop_start()
        kiosk.publish(
            STATUS,
            json.dumps({"state": "online", "kind": "kiosk", "version": "0.1.0"}),
            qos=1,
            retain=True,
        ).wait_for_publish(TIMEOUT_S)
        kiosk.publish(
            f"antre/v1/{OFFICE}/device/kiosk-1/health",
            json.dumps({"components": {"printer": "paper_low", "reader": "ok"}}),
            qos=1,
            retain=True,
        ).wait_for_publish(TIMEOUT_S)
        kiosk.publish(STATUS, b"{not json", qos=1).wait_for_publish(TIMEOUT_S)  # ignored
        wait_for(lambda: fleet(presence)["health"] == {"printer": "paper_low", "reader": "ok"})
        assert fleet(presence)["status"] == "online"
        kiosk.loop_stop()
        sock = kiosk.socket()
        assert isinstance(sock, socket.socket)
        sock.close()  # a power cut: no DISCONNECT, so the broker sends the last will
        wait_for(lambda: fleet(presence)["status"] == "offline")
    finally:
        server.stop()
    with engine.database.reader() as session:
        assert session.scalar(select(DeviceRow.last_seen_at)) is not None


def fleet(presence: DevicePresence) -> dict[str, object]:
    [device] = presence.fleet(OFFICE)
    return device


def test_the_dispatcher_answers_unknown_actions_and_survives_hostile_reports(
    engine: Engine,
) -> None:
    presence = presence_of(engine)
    messages = ServerMessages(kiosk=KioskRequests(issuing=engine.issuing), presence=presence)
    hostile = [
        b"[" * 32_000 + b"]" * 32_000,
        b'{"a":' * 6_000 + b"1" + b"}" * 6_000,
        b'{"state": "online", "version": ' + b"9" * 5_000 + b"}",
        b"\xff",
    ]
    for raw in hostile:
        assert messages.handle(STATUS, raw) is None
        assert messages.handle(STATUS.replace("status", "health"), raw) is None
    [device] = presence.fleet(OFFICE)
    assert device["status"] != "online" and not device["health"]
    reply = messages.handle(
        f"antre/v1/{OFFICE}/kiosk/kiosk-1/request/explode",
        json.dumps({"transaction": "5b0c2f5e-8a47-4f0e-9d55-1c1f0d2b7a10"}).encode(),
    )
    assert reply is not None and reply.topic.endswith("/kiosk/kiosk-1/response/explode")
    assert json.loads(reply.payload)["error"]["code"] == "unknown_action"


def test_a_flood_of_invalid_reports_logs_one_warning_a_minute(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    presence = DevicePresence(
        database=engine.database,
        catalog=engine.issuing.catalog,
        events=engine.events,
        clock=engine.clock,
    )
    messages = ServerMessages(kiosk=KioskRequests(issuing=engine.issuing), presence=presence)
    with caplog.at_level("WARNING", logger="queue_server.mqtt.dispatch"):
        for _ in range(1_000):
            messages.handle(STATUS, b"\xff")
            messages.handle(f"antre/v1/{OFFICE}/kiosk/kiosk-1/request/" + "x" * 201, b"{}")
    lines = [record.getMessage() for record in caplog.records]
    assert len(lines) == 2, lines
    assert "device kiosk-1 sent an invalid device_status: malformed_json" in lines[0]


def test_throttled_warnings_count_what_they_left_out(caplog: pytest.LogCaptureFixture) -> None:
    now = [0.0]
    warnings = ThrottledWarnings(logging.getLogger("t"), every_s=60, clock=lambda: now[0])
    with caplog.at_level("WARNING", logger="t"):
        for step in range(5):
            now[0] = step * 20.0  # 0, 20, 40: one line; 60: the next, counting 2; 80: none
            warnings.warn(("kiosk-1", "status"), "bad %s", "status")
        warnings.warn(("kiosk-2", "status"), "bad %s", "status")  # another device: its own
    assert [record.getMessage() for record in caplog.records] == [
        "bad status (0 more since the previous warning)",
        "bad status (2 more since the previous warning)",
        "bad status (0 more since the previous warning)",
    ]
