"""The server's MQTT connection (paho-mqtt 2, MQTT v5, callback API version 2).

Paho's network thread only queues incoming messages; worker threads (one by default,
several on PostgreSQL) handle them through the use cases and publish the replies, each
device's messages in order on one worker, so a slow database never stalls the
network loop, and web requests never wait on the broker. The session is persistent
(``clean_start=False`` with an expiry), so requests sent while the server was away are
delivered when it returns. paho reconnects with back-off (1 s doubling to 30 s), also when
the first connection fails; publishing only queues, so no caller waits on the broker.
"""

from __future__ import annotations

import logging
import queue
import socket
import threading
import zlib
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
RECONNECT_MIN_S, RECONNECT_MAX_S = 1, 30
# Messages kept in memory while the broker is away; retained states are re-published on
# reconnect anyway, so a long outage costs memory up to here and then drops new messages.
MAX_QUEUED_MESSAGES = 10_000


class MessageHandler(Protocol):
    """What the client hands incoming messages to (``ServerMessages`` or ``KioskRequests``)."""

    def handle(self, topic: str, payload: bytes) -> Outgoing | None: ...

    def subscriptions(self, office: str) -> list[str]: ...


@dataclass(frozen=True)
class BrokerAddress:
    """Where the server's client connects; ``tls`` with ``ca_file`` (None: the system CAs)."""

    host: str
    port: int
    username: str
    password: str
    tls: bool = False
    ca_file: str | None = None


@dataclass(frozen=True)
class Delivery:
    """One published message: whether the broker has acknowledged it (QoS 1 PUBACK)."""

    info: mqtt.MQTTMessageInfo

    def acknowledged(self) -> bool:
        """True once acknowledged; never for a message paho refused or queued while the
        link was down (the caller publishes it again later)."""
        try:
            return self.info.is_published()
        except (ValueError, RuntimeError):
            return False


class ServerMqtt:
    def __init__(
        self,
        *,
        broker: BrokerAddress,
        office: str,
        handler: MessageHandler,
        client_id: str = "antre-server",
        on_connected: Callable[[], None] | None = None,
        workers: int = 1,
    ) -> None:
        self._broker, self._office, self._handler = broker, office, handler
        self._on_connected = on_connected
        # One inbox per worker; a device's messages always go to the same worker, so
        # they are handled in the order they arrived (e.g. online, then offline).
        self._inboxes: list[queue.Queue[tuple[str, bytes] | None]] = [
            queue.Queue() for _ in range(max(1, workers))
        ]
        self._client = mqtt.Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=client_id,
            protocol=MQTTProtocolVersion.MQTTv5,
        )
        if broker.username:
            self._client.username_pw_set(broker.username, broker.password)
        if broker.tls:
            self._client.tls_set(ca_certs=broker.ca_file)  # verifies the host name too
        self._client.reconnect_delay_set(min_delay=RECONNECT_MIN_S, max_delay=RECONNECT_MAX_S)
        self._client.max_queued_messages_set(MAX_QUEUED_MESSAGES)
        self._client.on_socket_open = _without_nagle
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message
        self._workers = [
            threading.Thread(
                target=self._work, args=(inbox,), name=f"mqtt-worker-{index}", daemon=True
            )
            for index, inbox in enumerate(self._inboxes)
        ]
        self.connected = threading.Event()
        self._queue_full = False

    def start(self) -> None:
        properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        properties.SessionExpiryInterval = SESSION_EXPIRY_S
        for worker in self._workers:
            worker.start()
        self._client.connect_async(
            self._broker.host,
            self._broker.port,
            keepalive=KEEPALIVE_S,
            clean_start=False,
            properties=properties,
        )
        self._client.loop_start()

    def publish(self, topic: str, payload: bytes, retain: bool) -> Delivery:
        """Queue a QoS 1 message and return at once, connected or not; its delivery.

        paho keeps the message in memory while the link is down and sends it when it returns.
        """
        return Delivery(self._send(topic, payload, qos=1, retain=retain))

    def _send(self, topic: str, payload: bytes, *, qos: int, retain: bool) -> mqtt.MQTTMessageInfo:
        info = self._client.publish(topic, payload, qos=qos, retain=retain)
        full = info.rc == mqtt.MQTT_ERR_QUEUE_SIZE
        if full and not self._queue_full:
            log.warning("broker away too long: outgoing queue full, dropping new messages")
        self._queue_full = full
        return info

    def stop(self) -> None:
        for inbox in self._inboxes:
            inbox.put(None)
        for worker in self._workers:
            worker.join(timeout=10)
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
        topic = message.topic
        inbox = self._inboxes[zlib.crc32(_sender(topic)) % len(self._inboxes)]
        inbox.put((topic, bytes(message.payload)))

    def _work(self, inbox: queue.Queue[tuple[str, bytes] | None]) -> None:
        while True:
            item = inbox.get()
            if item is None:
                return
            try:
                reply = self._handler.handle(*item)
            except Exception:  # a handler bug must not kill the worker; the kiosk retries
                log.exception("kiosk request failed")
                continue
            if reply is not None:
                self._send(reply.topic, reply.payload, qos=reply.qos, retain=reply.retain)


def _sender(topic: str) -> bytes:
    """The device a topic belongs to (``antre/v1/{office}/{kind}/{device}/...``)."""
    parts = topic.split("/", 5)
    return parts[4].encode() if len(parts) > 4 else topic.encode()


def _without_nagle(_client: mqtt.Client, _userdata: Any, sock: Any) -> None:
    """Send each packet at once: paho sets no TCP_NODELAY, and a reply written right after a
    PUBACK would otherwise wait for the broker's delayed ACK (about 40 ms on Linux)."""
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except (OSError, AttributeError):  # not a TCP socket (e.g. a websocket wrapper)
        log.debug("could not disable Nagle's algorithm on the broker connection")
