"""The server's MQTT side against a real Mosquitto on a random loopback port."""

from __future__ import annotations

import json
import os
import queue
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion

from queue_server.mqtt.broker import Account, DeviceKind, MosquittoProcess, acl_rules, free_port
from queue_server.mqtt.client import BrokerAddress, ServerMqtt
from queue_server.mqtt.kiosk_requests import KioskRequests
from tests.services.conftest import Engine

OFFICE = "kanim-test"
SERVER = Account("antre-server", "server-secret-1", None)
KIOSK = Account("kiosk-1", "kiosk-secret-1", DeviceKind.KIOSK)
DISPLAY = Account("lobby-1", "display-secret-1", DeviceKind.DISPLAY)
TIMEOUT_S = 10


@pytest.fixture
def broker() -> Iterator[MosquittoProcess]:
    # Not under pytest's tmp_path: its parents are private to root, and mosquitto runs as
    # the 'mosquitto' user.
    with tempfile.TemporaryDirectory(prefix="antre-mqtt-") as folder:
        os.chmod(folder, 0o755)
        with MosquittoProcess(
            Path(folder) / "mqtt",
            office=OFFICE,
            accounts=[SERVER, KIOSK, DISPLAY],
            port=free_port(),
        ) as process:
            yield process


class Device:
    """A paho client standing in for a kiosk or display."""

    def __init__(self, port: int, account: Account) -> None:
        self.inbox: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
        self.client = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=account.username,
            protocol=MQTTProtocolVersion.MQTTv5,
        )
        self.client.username_pw_set(account.username, account.password)
        self.client.on_message = lambda _c, _u, message: self.inbox.put(message)
        self.acks: dict[int, Any] = {}
        self.client.on_publish = lambda _c, _u, mid, reason, _p: self.acks.__setitem__(mid, reason)
        self.client.connect("127.0.0.1", port, keepalive=10)
        self.client.loop_start()

    def subscribe(self, topic: str) -> None:
        """Subscribe and wait for the broker's SUBACK, so nothing published later is missed."""
        granted: queue.Queue[int] = queue.Queue()
        self.client.on_subscribe = lambda _c, _u, mid, _codes, _p: granted.put(mid)
        result, mid = self.client.subscribe(topic, qos=1)
        assert result == mqtt.MQTT_ERR_SUCCESS
        assert granted.get(timeout=TIMEOUT_S) == mid

    def publish(self, topic: str, payload: bytes) -> Any:
        info = self.client.publish(topic, payload, qos=1)
        info.wait_for_publish(TIMEOUT_S)
        return info

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def test_acl_rules_per_kind() -> None:
    rules = acl_rules(OFFICE, KIOSK)
    assert "topic write antre/v1/kanim-test/kiosk/kiosk-1/request/+" in rules
    assert not any("event/called" in rule for rule in rules)
    assert "topic read antre/v1/kanim-test/event/called" in acl_rules(OFFICE, DISPLAY)
    assert acl_rules(OFFICE, SERVER) == ["topic readwrite antre/v1/#"]


def test_kiosk_request_round_trip_through_the_broker(
    broker: MosquittoProcess, engine: Engine
) -> None:
    server = ServerMqtt(
        broker=BrokerAddress("127.0.0.1", broker.port, SERVER.username, SERVER.password),
        office=OFFICE,
        handler=KioskRequests(issuing=engine.issuing),
    )
    server.start()
    kiosk = Device(broker.port, KIOSK)
    try:
        assert server.connected.wait(TIMEOUT_S)
        kiosk.subscribe(f"antre/v1/{OFFICE}/kiosk/kiosk-1/response/+")
        transaction = str(uuid.uuid4())
        kiosk.publish(
            f"antre/v1/{OFFICE}/kiosk/kiosk-1/request/issue_ticket",
            json.dumps({"transaction": transaction, "data": {"service": "walkin"}}).encode(),
        )
        answer = json.loads(kiosk.inbox.get(timeout=TIMEOUT_S).payload)
        assert (answer["status"], answer["transaction"]) == ("ok", transaction)
        assert answer["data"]["label"] == "B-001"
    finally:
        kiosk.close()
        server.stop()


def test_a_kiosk_cannot_publish_for_another_device_or_announce_calls(
    broker: MosquittoProcess,
) -> None:
    kiosk = Device(broker.port, KIOSK)
    listener = Device(broker.port, SERVER)
    try:
        listener.subscribe("antre/v1/#")
        forged = kiosk.publish(f"antre/v1/{OFFICE}/kiosk/kiosk-2/request/issue_ticket", b"{}")
        announced = kiosk.publish(f"antre/v1/{OFFICE}/event/called", b"{}")
        allowed = kiosk.publish(f"antre/v1/{OFFICE}/device/kiosk-1/status", b'{"state":"online"}')
        assert allowed.rc == mqtt.MQTT_ERR_SUCCESS
        message = listener.inbox.get(timeout=TIMEOUT_S)
        assert message.topic == f"antre/v1/{OFFICE}/device/kiosk-1/status"
        assert listener.inbox.empty()
        # MQTT v5: the broker answers a denied publish with "Not authorized" in the PUBACK.
        assert str(kiosk.acks[forged.mid]).lower() == "not authorized"
        assert str(kiosk.acks[announced.mid]).lower() == "not authorized"
        assert not kiosk.acks[allowed.mid].is_failure
    finally:
        kiosk.close()
        listener.close()


def test_wrong_password_is_refused(broker: MosquittoProcess) -> None:
    reasons: queue.Queue[Any] = queue.Queue()
    client = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id="intruder",
        protocol=MQTTProtocolVersion.MQTTv5,
    )
    client.username_pw_set("kiosk-1", "wrong")
    client.on_connect = lambda _c, _u, _f, reason, _p: reasons.put(reason)
    client.connect("127.0.0.1", broker.port, keepalive=5)
    client.loop_start()
    try:
        reason = reasons.get(timeout=TIMEOUT_S)
        assert reason.is_failure
        assert "not authorized" in str(reason).lower() or "password" in str(reason).lower()
    finally:
        client.disconnect()
        client.loop_stop()
