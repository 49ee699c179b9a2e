"""The lobby board's MQTT link (paho 2, MQTT v5): subscribe, parse, hand to the board.

The session is persistent (``clean_start=False`` with an expiry) and paho reconnects with
back-off. The last will marks the display offline (retained); on every connect it
publishes a retained ``online`` status and subscribes to ``board``, ``queue/+/state``,
``config/display`` and ``event/called``. Each payload is parsed with the contract's
models; one that does not parse is logged and ignored, never raised. Everything the link
reports goes through ``post`` so the board's model is touched on one thread only (the
GUI's: ``Clock.schedule_once``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import paho.mqtt.client as mqtt
from pydantic import ValidationError

from devices import session
from devices.session import SessionSettings
from displays.board.model import BoardMessage, BoardModel
from queue_server.protocol import topics
from queue_server.protocol.states import (
    Board,
    CalledEvent,
    CounterStateMessage,
    DisplayConfigMessage,
    QueueStateMessage,
)
from queue_server.protocol.topics import TopicError, check_id

log = logging.getLogger(__name__)
#: Runs a function on the model's thread.
Post = Callable[[Callable[[], None]], None]
#: A message the link hands to its model.
LinkMessage = BoardMessage | CounterStateMessage
_MODELS: dict[str, type[LinkMessage]] = {
    "board": Board,
    "queue_state": QueueStateMessage,
    "counter_state": CounterStateMessage,
    "config": DisplayConfigMessage,
    "event_called": CalledEvent,
}
#: The device kinds that use this link; each reads its own ``config/{kind}``.
KINDS = ("display", "counter-display")


class LinkModel(Protocol):
    """What the link feeds: the lobby board's model or a counter display's."""

    def accept(self, topic: str, message: Any) -> bool: ...

    def set_connected(self, connected: bool) -> None: ...


@dataclass(frozen=True, slots=True)
class BoardLinkConfig:
    """The display's MQTT account and broker address.

    Args:
        office: The office id (topic prefix ``antre/v1/{office}``).
        device: The display's device id: its MQTT client id and user name.
        password: The MQTT password printed by ``antre device add --kind display``.
        host: The broker's host name or address.
        port: The broker's port.
        kind: ``display`` (a lobby board) or ``counter-display`` (above one counter).
        counter: The counter a ``counter-display`` shows.
        tls: Connect with TLS (``ca_file``: the CA that signed the broker's certificate).
    """

    office: str
    device: str
    password: str
    host: str = "127.0.0.1"
    port: int = 1883
    keepalive_s: int = 15
    session_expiry_s: int = 24 * 3600
    reconnect_min_s: int = 1
    reconnect_max_s: int = 30
    kind: str = "display"
    counter: str | None = None
    tls: bool = False
    ca_file: str | None = None

    def __post_init__(self) -> None:
        check_id(self.office, "office")
        check_id(self.device, "device")
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}: {self.kind}")
        if self.kind == "counter-display":
            check_id(self.counter or "", "counter")
        if not 0 < self.port < 65536:
            raise ValueError(f"port {self.port} is out of range")


def parse_message(
    office: str, topic: str, payload: bytes, kind: str = "display"
) -> LinkMessage | None:
    """The contract model of ``payload`` on ``topic``; None when it is not one for a display
    of ``kind`` (its own ``config/{kind}`` only)."""
    try:
        parsed = topics.parse(topic)
    except TopicError:
        return None
    if parsed.office != office or parsed.kind not in _MODELS:
        return None
    if parsed.kind == "config" and parsed.subject != kind:
        return None
    try:
        return _MODELS[parsed.kind].model_validate_json(payload)
    except (ValidationError, ValueError):
        return None


def _inline(function: Callable[[], None]) -> None:
    function()


class BoardLink:
    """One lobby display's connection to its office's broker, feeding a :class:`BoardModel`.

    Args:
        config: The account and broker.
        model: The board's state, changed only through ``post``.
        post: Runs a function on the model's thread (default: at once, on paho's thread).
        changed: Called (through ``post``) after the model changed.
        on_call: Given each ``event/called`` payload as received, on paho's thread (the
            announcer's :class:`~displays.feed.CallFeed`; it is thread-safe).
    """

    def __init__(
        self,
        config: BoardLinkConfig,
        model: BoardModel | LinkModel,
        *,
        post: Post = _inline,
        changed: Callable[[], None] = lambda: None,
        on_call: Callable[[bytes], object] | None = None,
    ) -> None:
        self.config, self.model = config, model
        self._post, self._changed, self._on_call = post, changed, on_call
        self._session = SessionSettings(
            office=config.office,
            device=config.device,
            user=config.device,
            password=config.password,
            kind=config.kind,
            host=config.host,
            port=config.port,
            tls=config.tls,
            ca_file=config.ca_file,
            keepalive_s=config.keepalive_s,
            session_expiry_s=config.session_expiry_s,
            reconnect_min_s=config.reconnect_min_s,
            reconnect_max_s=config.reconnect_max_s,
        )
        self._client = self._new_client()

    def _new_client(self) -> mqtt.Client:
        client = session.new_client(self._session)
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        return client

    def subscriptions(self) -> list[str]:
        """The topic filters the display listens to."""
        office = self.config.office
        if self.config.kind == "counter-display":
            return [
                topics.counter_state(office, self.config.counter or ""),
                topics.config(office, "counter-display"),
                topics.event_called(office),
            ]
        return [
            topics.board(office),
            topics.queue_states(office),
            topics.config(office, "display"),
            topics.event_called(office),
        ]

    def start(self) -> BoardLink:
        """Connect in the background; returns at once, also when the broker is away."""
        session.connect_in_background(self._client, self._session)
        return self

    def close(self) -> None:
        """Say ``offline`` (a clean disconnect sends no last will), then disconnect."""
        session.close(self._client, self._session, connected=self._client.is_connected())

    def _on_connect(
        self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        if reason.is_failure:
            log.warning("the broker refused the display's connection: %s", reason)
            return
        online = session.status_payload(self._session, "online", datetime.now(UTC))
        client.publish(self._session.status_topic, online, qos=1, retain=True)
        client.subscribe([(topic, 1) for topic in self.subscriptions()])

    def _on_subscribe(
        self, _client: mqtt.Client, _userdata: Any, _mid: int, reasons: Any, _props: Any
    ) -> None:
        if any(reason.is_failure for reason in reasons):
            log.error("the broker refused the board's subscriptions: %s", reasons)
            return
        log.info("board link up")
        self._report(lambda: self.model.set_connected(True))

    def _on_disconnect(self, _client: mqtt.Client, *_args: Any) -> None:
        log.warning("board link lost; reconnecting")
        self._report(lambda: self.model.set_connected(False))

    def _on_message(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        topic = message.topic
        payload = bytes(message.payload)
        parsed = parse_message(self.config.office, topic, payload, self.config.kind)
        if isinstance(parsed, CalledEvent) and self._on_call is not None:
            self._on_call(payload)
        if parsed is None:
            log.warning("ignored a message on %s that is not a board payload", topic[:200])
            return
        self._report(lambda: self._accept(topic, parsed))

    def _accept(self, topic: str, message: LinkMessage) -> None:
        if not self.model.accept(topic, message):
            log.debug("dropped a message on %s: its seq is not newer", topic[:200])

    def _report(self, change: Callable[[], None]) -> None:
        def run() -> None:
            change()
            self._changed()

        self._post(run)
