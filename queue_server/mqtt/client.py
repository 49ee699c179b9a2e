"""The server's MQTT connection (paho-mqtt 2, MQTT v5, callback API version 2).

Paho's network thread only queues incoming messages; worker threads (``antre serve``
starts as many as its HTTP threads, see ``runtime.mqtt_workers``) handle them through the
use cases and publish the replies. The
queue is fair (:class:`~queue_server.mqtt.fairness.FairQueue`): one queue per device,
served round-robin, each device's messages in order on one worker at a time, so a
flooding kiosk cannot hold back the others. A kiosk request over its device's rate, over
its backlog, or published retained is answered at once on the network thread, without
reaching a worker or the database; a retained request is also cleared from the broker.
The server subscribes with retain-as-published (to see that flag) and no-local (it never
gets its own messages back). A slow database never stalls the network loop, and web
requests never wait on the broker. The session is persistent (``clean_start=False`` with
an expiry), so requests sent while the server was away are delivered when it returns.
paho reconnects with back-off (1 s doubling to 30 s), also when the first connection
fails; publishing only queues, so no caller waits on the broker.

With several server processes (``antre serve --processes N``) each one subscribes to the
kiosk requests through the MQTT v5 shared subscription ``$share/<group>/...``: the broker
hands each request to one process of the group (device reports stay with the leader, in
order). No-local is not allowed on a shared subscription, so there it is
off (the server's own clearing of a retained request comes back empty and is ignored). A
process with a ``mirror`` also subscribes, unshared, to what displays read and hands each
message to it (a follower's push hub). Followers start clean and keep no session, so a
stopped one leaves the group at once.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from queue_server.mqtt.admission import refusal, request_route
from queue_server.mqtt.broker import MAX_PACKET_BYTES
from queue_server.mqtt.fairness import FairQueue, RateLimit, RateLimiter
from queue_server.mqtt.kiosk_requests import Outgoing
from queue_server.mqtt.log_throttle import ThrottledWarnings
from queue_server.protocol import topics
from queue_server.protocol.messages import ErrorCode

log = logging.getLogger(__name__)
SESSION_EXPIRY_S = 24 * 3600
KEEPALIVE_S = 15
RECONNECT_MIN_S, RECONNECT_MAX_S = 1, 30
# Messages kept in memory while the broker is away; retained states are re-published on
# reconnect anyway, so a long outage costs memory up to here and then drops new messages.
MAX_QUEUED_MESSAGES = 10_000
#: The shared-subscription group of the server processes of one database.
SHARE_GROUP = "antre"
#: What displays read, and the drive-thru lanes' states (for the officers' pages), of every
#: office: a follower's push hub mirrors it.
MIRRORED = (
    "board",
    "counter/+/state",
    "queue/+/state",
    "event/called",
    "config/+",
    "lane/+/state",
)
Mirror = Callable[[str, bytes, bool], None]  # topic, payload, retained


def shared(topic_filter: str, group: str) -> str:
    """``topic_filter`` as an MQTT v5 shared subscription of ``group``."""
    return f"$share/{group}/{topic_filter}"


def mirrored(topic: str) -> bool:
    """Whether ``topic`` is one a display or an officer's page reads (not a request, answer
    or device report)."""
    parts = topic.split("/", 4)
    return len(parts) > 3 and parts[3] in {"board", "counter", "queue", "event", "config", "lane"}


class MessageHandler(Protocol):
    """What the client hands incoming messages to (``ServerMessages`` or ``KioskRequests``)."""

    def handle(self, topic: str, payload: bytes) -> Outgoing | None: ...

    def subscriptions(self, office: str | None) -> list[str]: ...


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
class DeviceLimits:
    """What one device may ask of the server: a request rate and a backlog of messages."""

    rate: RateLimit = field(default_factory=RateLimit)
    backlog: int = 100


@dataclass(frozen=True)
class Delivery:
    """One published message: whether the broker has acknowledged it (QoS 1 PUBACK)."""

    info: mqtt.MQTTMessageInfo | None

    def acknowledged(self) -> bool:
        """True once acknowledged; never for a message paho refused or queued while the
        link was down (the caller publishes it again later). A message not sent because it
        is over the broker's size limit (logged as an error) counts as settled: sending it
        again would never help."""
        if self.info is None:
            return True
        try:
            return self.info.is_published()
        except (ValueError, RuntimeError):
            return False


class ServerMqtt:
    def __init__(
        self,
        *,
        broker: BrokerAddress,
        office: str | None,
        handler: MessageHandler,
        client_id: str = "antre-server",
        on_connected: Callable[[], None] | None = None,
        workers: int = 1,
        limits: DeviceLimits | None = None,
        limiter: RateLimiter | None = None,
        share_group: str | None = None,
        mirror: Mirror | None = None,
        persistent: bool = True,
    ) -> None:
        """``share_group``: subscribe as one process of this shared-subscription group;
        ``mirror``: also gets every display message; ``persistent``: keep a session."""
        self._broker, self._office, self._handler = broker, office, handler
        self._share_group, self._mirror, self._persistent = share_group, mirror, persistent
        self._on_connected = on_connected
        limits = limits or DeviceLimits()
        self._queue: FairQueue[tuple[str, bytes]] = FairQueue(limits.backlog)
        self._limiter = limiter or RateLimiter(limits.rate)
        self._refusal_warnings = ThrottledWarnings(log)
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
        self._client.on_socket_open = without_nagle
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_message = self._on_message
        self._client.on_subscribe = self._on_subscribe
        self._subscription: int | None = None
        self._workers = [
            threading.Thread(target=self._work, name=f"mqtt-worker-{index}", daemon=True)
            for index in range(max(1, workers))
        ]
        self.connected = threading.Event()
        self._queue_full = False

    def start(self) -> None:
        properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        properties.SessionExpiryInterval = SESSION_EXPIRY_S if self._persistent else 0
        for worker in self._workers:
            worker.start()
        self._client.connect_async(
            self._broker.host,
            self._broker.port,
            keepalive=KEEPALIVE_S,
            clean_start=not self._persistent,
            properties=properties,
        )
        self._client.loop_start()

    def publish(self, topic: str, payload: bytes, retain: bool) -> Delivery:
        """Queue a QoS 1 message and return at once, connected or not; its delivery.

        paho keeps the message in memory while the link is down and sends it when it returns.
        """
        return Delivery(self._send(topic, payload, qos=1, retain=retain))

    def _send(
        self, topic: str, payload: bytes, *, qos: int, retain: bool
    ) -> mqtt.MQTTMessageInfo | None:
        if len(topic) + len(payload) > MAX_PACKET_BYTES - 64:  # the broker would disconnect us
            log.error("not sent: %s is %d bytes, over the broker's limit", topic, len(payload))
            return None
        info = self._client.publish(topic, payload, qos=qos, retain=retain)
        full = info.rc == mqtt.MQTT_ERR_QUEUE_SIZE
        if full and not self._queue_full:
            log.warning("broker away too long: outgoing queue full, dropping new messages")
        self._queue_full = full
        return info

    def stop(self) -> None:
        self._queue.close()
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
        # Retain-as-published shows which requests were sent retained; no-local keeps the
        # server's own messages (e.g. clearing a retained request) from coming back.
        plain = self._handler.subscriptions(self._office)
        requests = [topic for topic in plain if topics.is_kiosk_request(topic)]
        group = self._share_group
        options = SubscribeOptions(qos=1, noLocal=True, retainAsPublished=True)
        filters = [(topic, options) for topic in plain if group is None or topic not in requests]
        if group is not None:  # no-local is a protocol error on a shared subscription
            sharing = SubscribeOptions(qos=1, noLocal=False, retainAsPublished=True)
            filters += [(shared(topic, group), sharing) for topic in requests]
        if self._mirror is not None:
            everywhere = topics.office_filter(None)
            mirror = SubscribeOptions(qos=1, retainAsPublished=True)
            filters += [(f"{everywhere}/{topic}", mirror) for topic in MIRRORED]
        if self._persistent and requests:  # what a run in the other mode left in the session
            left = [shared(topic, SHARE_GROUP) for topic in requests] if group is None else requests
            client.unsubscribe(left)
        if not filters:
            self._ready()
            return
        _result, self._subscription = client.subscribe(filters)

    def _on_subscribe(
        self, _client: mqtt.Client, _userdata: Any, mid: int, _codes: Any, _properties: Any
    ) -> None:
        if mid == self._subscription:  # the broker has the subscriptions: requests reach us
            self._ready()

    def _ready(self) -> None:
        """Connected and subscribed: ``connected`` (and /healthz) says the link is up."""
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
        topic, payload = message.topic, bytes(message.payload)
        if self._mirror is not None and mirrored(topic):
            self._mirror(topic, payload, bool(message.retain))
            return
        route = request_route(topic)
        if route is None and message.retain and payload and topics.is_kiosk_request(topic):
            self._send(topic, b"", qos=1, retain=True)  # unanswerable, but never kept retained
        if route is None:  # a device report: no answer, kept in order with its requests
            if not self._queue.put(topics.sender(topic), (topic, payload)):
                log.debug("dropped a report on %s: its device's backlog is full", topic)
            return
        device, response_topic = route
        if message.retain and not payload:  # a retained request being cleared: nothing to do
            return
        refused = self._admit(device, topic, payload, retain=bool(message.retain))
        if refused is not None:
            reply = refusal(response_topic, payload, refused)
            self._send(reply.topic, reply.payload, qos=reply.qos, retain=reply.retain)

    def _admit(self, device: str, topic: str, payload: bytes, *, retain: bool) -> ErrorCode | None:
        """Queue a kiosk request for the workers, or say why it is answered at once."""
        if retain:
            self._send(topic, b"", qos=1, retain=True)  # clear it from the broker's store
            refused = ErrorCode.RETAINED_NOT_ALLOWED
        elif not self._limiter.allow(device):
            refused = ErrorCode.RATE_LIMITED
        elif not self._queue.put(device, (topic, payload)):
            refused = ErrorCode.BUSY
        else:
            return None
        self._note_refusal(device, refused)
        return refused

    def _note_refusal(self, device: str, refused: ErrorCode) -> None:
        """A warning per device and refusal at most once a minute, with the count left out."""
        self._refusal_warnings.warn(
            (device, refused.value), "kiosk %s: a request refused (%s)", device, refused.value
        )

    def _work(self) -> None:
        while (taken := self._queue.take()) is not None:
            device, (topic, payload) = taken
            try:
                reply = self._handler.handle(topic, payload)
                if reply is not None:
                    self._send(reply.topic, reply.payload, qos=reply.qos, retain=reply.retain)
            except Exception:  # a handler bug must not kill the worker; the kiosk retries
                log.exception("kiosk request failed")
            finally:
                self._queue.done(device)


def without_nagle(_client: mqtt.Client, _userdata: Any, sock: Any) -> None:
    """Send each packet at once: paho sets no TCP_NODELAY, and a reply written right after a
    PUBACK would otherwise wait for the broker's delayed ACK (about 40 ms on Linux)."""
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except (OSError, AttributeError):  # not a TCP socket (e.g. a websocket wrapper)
        log.debug("could not disable Nagle's algorithm on the broker connection")
