"""A live MQTT side for tests: ``start_mqtt`` over SQLite; kiosks and displays as paho clients.

Every wait is bounded; kiosks retry a request with the same transaction until answered,
like the real kiosk does.
"""

from __future__ import annotations

import json
import queue
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from sqlalchemy import func, select

from queue_server.config import ServerConfig
from queue_server.mqtt.broker import free_port, hash_password
from queue_server.mqtt.runtime import MqttRuntime, start_mqtt
from queue_server.persistence.migrate import upgrade
from queue_server.services.container import Services, build_services
from queue_server.services.offices import store_office
from queue_server.services.unit import Actor
from tests.services.clock import MONDAY_10_WITA, FakeClock
from tests.services.conftest import office_settings

OFFICE = "kanim-test"
PREFIX = f"antre/v1/{OFFICE}"
WAIT_S = 20.0


def wait_until(
    condition: Callable[[], bool], limit_s: float = WAIT_S, step_s: float = 0.05
) -> bool:
    """Poll ``condition`` until true or ``limit_s`` passed; the last answer."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step_s)
    return condition()


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@dataclass
class LiveServer:
    """The server's services and MQTT runtime over one SQLite file."""

    services: Services
    config: ServerConfig
    runtime: MqttRuntime | None = None
    passwords: dict[str, str] = field(default_factory=dict)

    @property
    def port(self) -> int:
        return self.config.mqtt_port

    def add_device(self, device: str, kind: str = "kiosk") -> str:
        """Register a device (as ``antre device add`` does); its clear password."""
        password = secrets.token_urlsafe(12)
        self.services.devices.add(
            OFFICE, device, kind, hash_password(password), actor=Actor(name="test")
        )
        self.passwords[device] = password
        return password

    def start(self) -> MqttRuntime:
        self.runtime = start_mqtt(self.services, self.config, OFFICE)
        assert self.runtime.client.connected.wait(WAIT_S)
        return self.runtime

    def count(self, row: type[Any]) -> int:
        with self.services.database.reader() as session:
            return int(session.scalar(select(func.count()).select_from(row)) or 0)

    def close(self) -> None:
        if self.runtime is not None:
            self.runtime.stop()
        self.services.close()


def live_server(folder: Path, **settings: Any) -> LiveServer:
    """Services over a fresh SQLite file in ``folder`` with the test office, not yet started."""
    config = ServerConfig(
        database_url=f"sqlite:///{folder / 'antre.db'}",
        nik_key="test-key",
        mqtt_port=free_port(),
        mqtt_account_check_s=0.2,
        **settings,
    )
    upgrade(config.database_url)
    services = build_services(config, clock=FakeClock(MONDAY_10_WITA))
    with services.database.writer() as session, session.begin():
        store_office(session, office_settings(), now=services.clock())
    return LiveServer(services=services, config=config)


def new_client(client_id: str, username: str, password: str) -> mqtt.Client:
    client = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id=client_id,
        protocol=MQTTProtocolVersion.MQTTv5,
    )
    client.username_pw_set(username, password)
    client.reconnect_delay_set(min_delay=1, max_delay=2)  # tests wait for reconnects
    client.on_socket_open = lambda _c, _u, sock: sock.setsockopt(  # like the server's client
        socket.IPPROTO_TCP, socket.TCP_NODELAY, 1
    )
    return client


def session_properties(expiry_s: int = 3600) -> Properties:
    properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    properties.SessionExpiryInterval = expiry_s
    return properties


class Kiosk:
    """A kiosk: subscribes to its responses on every (re)connect and retries requests.

    Every answer is kept by transaction (``copies``), so a test can check that retries of
    one transaction were all answered alike.
    """

    def __init__(self, port: int, device: str, password: str) -> None:
        self.device = device
        self.answers: queue.Queue[dict[str, Any]] = queue.Queue()
        self.copies: dict[str, list[dict[str, Any]]] = {}
        self.subscribed = threading.Event()
        self.client = new_client(device, device, password)
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = lambda *_args: self.subscribed.set()
        self.client.on_disconnect = lambda *_args: self.subscribed.clear()
        self.client.on_message = self._on_message
        self.client.connect("127.0.0.1", port, keepalive=5)
        self.client.loop_start()

    def _on_connect(self, client: mqtt.Client, *_args: Any) -> None:
        client.subscribe(f"{PREFIX}/kiosk/{self.device}/response/+", qos=1)

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        answer = json.loads(message.payload)
        self.copies.setdefault(str(answer.get("transaction")), []).append(answer)
        self.answers.put(answer)

    def send(self, action: str, payload: bytes) -> None:
        assert self.subscribed.wait(WAIT_S), "the kiosk never got its subscription"
        self.client.publish(f"{PREFIX}/kiosk/{self.device}/request/{action}", payload, qos=1)

    def next_answer(self, limit_s: float = WAIT_S) -> dict[str, Any]:
        return self.answers.get(timeout=limit_s)

    def request(
        self, action: str, data: dict[str, Any], *, retry_s: float = 1.5, limit_s: float = 45.0
    ) -> dict[str, Any]:
        """Send until answered, with the same transaction each time; the first answer."""
        transaction = str(uuid.uuid4())
        payload = json.dumps({"transaction": transaction, "data": data}).encode()
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            self.send(action, payload)
            answer = self._answer_to(transaction, min(deadline, time.monotonic() + retry_s))
            if answer is not None:
                return answer
        raise AssertionError(f"{self.device}: no answer for {transaction}")

    def _answer_to(self, transaction: str, until: float) -> dict[str, Any] | None:
        while (left_s := until - time.monotonic()) > 0:
            try:
                answer = self.answers.get(timeout=left_s)
            except queue.Empty:
                return None
            if answer.get("transaction") == transaction and not _try_again(answer):
                return answer
        return None

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def _try_again(answer: dict[str, Any]) -> bool:
    """A "not now" answer (the server did nothing); the real kiosk sends again too."""
    error = answer.get("error")
    return isinstance(error, dict) and error.get("code") in {"rate_limited", "busy"}
