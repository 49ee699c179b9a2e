"""The kiosk's MQTT link: request/response by transaction, presence, health (paho 2, MQTT v5).

The session is persistent (``clean_start=False`` with an expiry) and paho reconnects with
back-off (1 s doubling to 30 s), also when the first connection fails. The last will marks
the kiosk offline (retained) when its socket drops; on every connect it publishes a retained
``online`` status and subscribes to its responses. :meth:`KioskLink.request` sends a request
and resends the same transaction until answered or until its deadline: the server answers
a transaction the same way every time, so resending never issues twice. An answer that
says "not now" (``rate_limited``, ``busy``: the server did nothing) is not taken as the
answer: the request is resent until the real one comes or the deadline passes.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Literal

import paho.mqtt.client as mqtt

from devices import session
from kiosk.link.answer import Answer, parse_answer
from kiosk.link.config import LinkConfig
from kiosk.link.errors import LinkUnavailable
from queue_server.protocol import topics
from queue_server.protocol.messages import ErrorCode, request_data
from queue_server.protocol.states import KioskConfigMessage, QueueStateMessage
from queue_server.protocol.topics import KioskAction

log = logging.getLogger(__name__)
#: Answers that mean the server did nothing yet: the same transaction is sent again.
TRY_AGAIN = frozenset({ErrorCode.RATE_LIMITED.value, ErrorCode.BUSY.value})
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class _Waiter:
    """One caller waiting for the answer to one transaction."""

    def __init__(self) -> None:
        self.arrived = threading.Event()
        self.answer: Answer | None = None


class KioskLink:
    """One kiosk's connection to the office broker; thread-safe."""

    def __init__(self, config: LinkConfig, *, clock: Clock = utc_now) -> None:
        self.config, self._clock = config, clock
        self.ready = threading.Event()  # connected and subscribed to the responses
        self._waiters: dict[str, _Waiter] = {}
        self._lock = threading.Lock()
        self._session = config.session
        self._client = self._new_client()
        self._on_up: list[Callable[[], None]] = []
        self._on_config: list[Callable[[KioskConfigMessage], None]] = []
        self._on_queue_state: list[Callable[[QueueStateMessage], None]] = []
        #: When the server last answered a request, and when one last went unanswered
        #: (read-only, for the maintenance screen).
        self.last_answer_at: datetime | None = None
        self.last_unanswered_at: datetime | None = None

    def _new_client(self) -> mqtt.Client:
        client = session.new_client(self._session)
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        return client

    def _status(self, state: Literal["online", "offline"]) -> bytes:
        return session.status_payload(self._session, state, self._clock())

    def on_up(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` (on paho's thread: keep it short) each time the link comes up."""
        self._on_up.append(callback)

    def on_config(self, callback: Callable[[KioskConfigMessage], None]) -> None:
        """Call ``callback`` (on paho's thread) with each retained ``config/kiosk`` payload."""
        self._on_config.append(callback)

    def on_queue_state(self, callback: Callable[[QueueStateMessage], None]) -> None:
        """Call ``callback`` (on paho's thread) with each ``queue/{service}/state``: what is
        open now (a pickup-only Saturday session)."""
        self._on_queue_state.append(callback)

    def start(self) -> KioskLink:
        """Connect in the background; returns at once, also when the broker is away."""
        session.connect_in_background(self._client, self._session)
        return self

    def close(self) -> None:
        """Say ``offline`` (a clean disconnect sends no last will), then disconnect."""
        connected = self.ready.is_set()
        self.ready.clear()
        session.close(self._client, self._session, connected=connected)

    def publish_health(self, payload: Mapping[str, Any] | bytes) -> None:
        """Publish ``device/{id}/health`` (retained); queued by paho while the link is down
        (:class:`~kiosk.link.health.HealthPublisher` publishes only while it is up)."""
        topic = topics.device_health(self.config.office, self.config.device)
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        self._client.publish(topic, body, qos=1, retain=True)

    def request(
        self,
        action: KioskAction,
        data: Mapping[str, Any],
        timeout_s: float,
        *,
        transaction: str | None = None,
    ) -> Answer:
        """Send ``data`` and wait at most ``timeout_s`` for the answer.

        The same transaction is resent every ``resend_s`` while connected; ``transaction``
        resumes an earlier one (from the outbox). Raises :class:`LinkUnavailable` at the
        deadline.
        """
        transaction = transaction or str(uuid.uuid4())
        wire = request_data(action, data)  # the contract's model: bad data never leaves
        payload = json.dumps({"transaction": transaction, "data": wire}).encode()
        topic = topics.kiosk_request(self.config.office, self.config.device, action)
        waiter = _Waiter()
        with self._lock:
            self._waiters[transaction] = waiter
        try:
            deadline = time.monotonic() + timeout_s
            return self._exchange(topic, payload, waiter, deadline, action, transaction)
        finally:
            with self._lock:
                self._waiters.pop(transaction, None)

    def _exchange(
        self,
        topic: str,
        payload: bytes,
        waiter: _Waiter,
        deadline: float,
        action: KioskAction,
        transaction: str,
    ) -> Answer:
        sent = False
        while (left_s := deadline - time.monotonic()) > 0:
            if not self.ready.wait(left_s):
                break
            # Only sent while connected: paho would otherwise hold it and send it after
            # the deadline, when the kiosk may already have printed an offline ticket.
            self._client.publish(topic, payload, qos=1)
            sent = True
            if waiter.arrived.wait(
                min(self.config.resend_s, max(0.0, deadline - time.monotonic()))
            ):
                assert waiter.answer is not None
                return waiter.answer
        if waiter.arrived.is_set() and waiter.answer is not None:
            return waiter.answer
        if sent:
            self.last_unanswered_at = self._clock()
        raise LinkUnavailable(action.value, transaction, sent)

    def _on_connect(
        self, client: mqtt.Client, _userdata: Any, flags: Any, reason: Any, _properties: Any
    ) -> None:
        if reason.is_failure:
            log.warning("the broker refused the kiosk's connection: %s", reason)
            return
        client.publish(self._session.status_topic, self._status("online"), qos=1, retain=True)
        office, device = self.config.office, self.config.device
        responses = topics.kiosk_responses(office, device)
        client.subscribe(
            [(responses, 1), (topics.config(office, "kiosk"), 1), (topics.queue_states(office), 1)]
        )

    def _on_subscribe(
        self, _client: mqtt.Client, _userdata: Any, _mid: int, reasons: Any, _properties: Any
    ) -> None:
        if any(reason.is_failure for reason in reasons[:2]):
            log.error("the broker refused the kiosk's response subscription: %s", reasons)
            return
        if any(reason.is_failure for reason in reasons[2:]):  # an older ACL: no pickup-only days
            log.warning("the broker refused the queue states to the kiosk: %s", reasons)
        if not self.ready.is_set():
            log.info("kiosk link up")
        self.ready.set()
        for callback in self._on_up:
            callback()

    def _on_disconnect(self, _client: mqtt.Client, *_args: Any) -> None:
        if self.ready.is_set():
            log.warning("kiosk link lost; reconnecting")
        self.ready.clear()

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        if message.topic == topics.config(self.config.office, "kiosk"):
            self._deliver_config(bytes(message.payload))
            return
        if _is_queue_state(message.topic):
            self._deliver_queue_state(bytes(message.payload))
            return
        action = _answered_action(message.topic)
        answer = None if action is None else parse_answer(action, bytes(message.payload))
        if answer is None:
            log.warning("ignored a response that is not an answer")
            return
        self._deliver(answer)

    def _deliver(self, answer: Answer) -> None:
        self.last_answer_at = self._clock()  # "try again" and errors too: the server is there
        if not answer.ok and answer.code in TRY_AGAIN:
            log.info("the server asks to try again later (%s)", answer.code)
            return
        with self._lock:
            waiter = self._waiters.get(answer.transaction)
        if waiter is None:  # a late copy of an answer already taken, or of an abandoned request
            return
        waiter.answer = answer
        waiter.arrived.set()

    def _deliver_queue_state(self, payload: bytes) -> None:
        state = _queue_state(payload)
        if state is not None:
            for callback in self._on_queue_state:
                callback(state)

    def _deliver_config(self, payload: bytes) -> None:
        try:
            config = KioskConfigMessage.model_validate_json(payload)
        except ValueError:  # pydantic's ValidationError too
            log.warning("ignored a config/kiosk payload that does not follow the contract")
            return
        for callback in self._on_config:
            callback(config)


def _is_queue_state(topic: str) -> bool:
    try:
        return topics.parse(topic).kind == "queue_state"
    except topics.TopicError:
        return False


def _queue_state(payload: bytes) -> QueueStateMessage | None:
    try:
        return QueueStateMessage.model_validate_json(payload)
    except ValueError:  # pydantic's ValidationError too
        log.warning("ignored a queue state that does not follow the contract")
        return None


def _answered_action(topic: str) -> KioskAction | None:
    """The action a response topic answers (None: not a response to a known action)."""
    try:
        parsed = topics.parse(topic)
    except topics.TopicError:
        return None
    return parsed.kiosk_action if parsed.kind == "kiosk_response" else None
