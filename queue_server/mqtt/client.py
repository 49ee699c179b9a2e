"""The server's MQTT connection (paho-mqtt 2, MQTT v5, callback API version 2).

Paho's network thread only queues incoming messages; one worker thread handles them
through the use cases and publishes the replies, so a slow database never stalls the
network loop, and web requests never wait on the broker. The session is persistent
(``clean_start=False`` with an expiry), so requests sent while the server was away are
delivered when it returns; paho reconnects with back-off by itself.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from queue_server.mqtt.kiosk_requests import Outgoing

log = logging.getLogger(__name__)
SESSION_EXPIRY_S = 24 * 3600
KEEPALIVE_S = 15


class MessageHandler(Protocol):
    """What the client hands incoming messages to (``ServerMessages`` or ``KioskRequests``)."""

    def handle(self, topic: str, payload: bytes) -> Outgoing | None: ...

    def subscriptions(self, office: str) -> list[str]: ...


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    username: str
    password: str


class ServerMqtt:
    def __init__(
        self,
        *,
        broker: BrokerAddress,
        office: str,
        handler: MessageHandler,
        client_id: str = "antre-server",
        on_connected: Callable[[], None] | None = None,
    ) -> None:
        self._broker, self._office, self._handler = broker, office, handler
        self._on_connected = on_connected
        self._inbox: queue.Queue[tuple[str, bytes] | None] = queue.Queue()
        self._client = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=client_id,
            protocol=MQTTProtocolVersion.MQTTv5,
        )
        self._client.username_pw_set(broker.username, broker.password)
        self._client.reconnect_delay_set(min_delay=1, max_delay=30)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message
        self._worker = threading.Thread(target=self._work, name="mqtt-kiosk-requests", daemon=True)
        self.connected = threading.Event()

    def start(self) -> None:
        properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        properties.SessionExpiryInterval = SESSION_EXPIRY_S
        self._worker.start()
        self._client.connect_async(
            self._broker.host,
            self._broker.port,
            keepalive=KEEPALIVE_S,
            clean_start=False,
            properties=properties,
        )
        self._client.loop_start()

    def publish(self, topic: str, payload: bytes, retain: bool) -> None:
        """Queue a QoS 1 message; paho keeps it while the link is down and sends it on return."""
        self._client.publish(topic, payload, qos=1, retain=retain)

    def stop(self) -> None:
        self._inbox.put(None)
        self._worker.join(timeout=10)
        self.connected.clear()  # a disconnect we asked for is not worth a warning
        self._client.disconnect()
        self._client.loop_stop()

    def _on_connect(
        self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _properties: Any
    ) -> None:
        if reason.is_failure:
            log.warning("broker refused the connection: %s", reason)
            return
        for topic in self._handler.subscriptions(self._office):
            client.subscribe(topic, qos=1)
        self.connected.set()
        if self._on_connected is not None:
            self._on_connected()  # e.g. re-publish every retained state after a broker restart
        log.info("connected to the broker")

    def _on_disconnect(
        self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _properties: Any
    ) -> None:
        if self.connected.is_set():
            log.warning("lost the broker (%s); reconnecting", reason)
        self.connected.clear()

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        self._inbox.put((message.topic, bytes(message.payload)))

    def _work(self) -> None:
        while True:
            item = self._inbox.get()
            if item is None:
                return
            try:
                reply = self._handler.handle(*item)
            except Exception:  # a handler bug must not kill the worker; the kiosk retries
                log.exception("kiosk request failed")
                continue
            if reply is not None:
                self._client.publish(reply.topic, reply.payload, qos=reply.qos, retain=reply.retain)
