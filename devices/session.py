"""A device's MQTT v5 session with its office's broker, shared by the kiosk and the displays.

One account per device (its id is its client id), a persistent session
(``clean_start=False`` with an expiry), reconnects with back-off, and a retained
``device/{id}/status``: ``offline`` as the last will and on a clean close, ``online`` on
every connect. What a device subscribes to and does with its messages stays its own.
paho is imported here, so only the nodes that talk MQTT (kiosk, display) import this module.
"""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from queue_server.protocol import topics
from queue_server.protocol.messages import DeviceStatus

log = logging.getLogger(__name__)
#: How long a clean close waits for its ``offline`` status to be acknowledged.
CLOSE_WAIT_S = 2.0
#: The retained status of a device that is away (its last will, and its clean close).
OFFLINE = DeviceStatus(state="offline").model_dump_json(exclude_none=True).encode()


@dataclass(frozen=True, slots=True)
class SessionSettings:
    """Who the device is and where its broker is.

    Args:
        office: The office id (topic prefix ``antre/v1/{office}``).
        device: The device id: its MQTT client id.
        user: Its MQTT user name (normally the device id).
        password: The MQTT password printed by ``antre device add``.
        kind: ``kiosk``, ``display`` or ``counter-display`` (in the ``online`` status).
        version: The software version (in the ``online`` status).
    """

    office: str
    device: str
    user: str
    password: str
    kind: str
    host: str = "127.0.0.1"
    port: int = 1883
    version: str | None = None
    tls: bool = False
    ca_file: str | None = None
    keepalive_s: int = 15
    session_expiry_s: int = 24 * 3600
    reconnect_min_s: int = 1
    reconnect_max_s: int = 30

    @property
    def status_topic(self) -> str:
        return topics.device_status(self.office, self.device)


def status_payload(
    settings: SessionSettings, state: Literal["online", "offline"], now: datetime
) -> bytes:
    """The retained ``device/{id}/status`` payload (the contract's ``DeviceStatus``)."""
    if state == "offline":
        return OFFLINE
    status = DeviceStatus(state=state, kind=settings.kind, version=settings.version, ts=now)
    return status.model_dump_json(exclude_none=True).encode()


def new_client(settings: SessionSettings) -> mqtt.Client:
    """A paho v5 client for ``settings``: account, TLS, back-off and the ``offline`` will.

    The caller sets its own ``on_connect``/``on_message``/... callbacks.
    """
    client = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id=settings.device,
        protocol=MQTTProtocolVersion.MQTTv5,
    )
    client.username_pw_set(settings.user, settings.password)
    if settings.tls:
        client.tls_set(ca_certs=settings.ca_file)  # verifies the host name too
    client.reconnect_delay_set(settings.reconnect_min_s, settings.reconnect_max_s)
    client.will_set(settings.status_topic, OFFLINE, qos=1, retain=True)
    client.on_socket_open = _without_nagle
    return client


def connect_in_background(client: mqtt.Client, settings: SessionSettings) -> None:
    """Connect with the persistent session; returns at once, also when the broker is away."""
    properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    properties.SessionExpiryInterval = settings.session_expiry_s
    client.connect_async(
        settings.host,
        settings.port,
        keepalive=settings.keepalive_s,
        clean_start=False,
        properties=properties,
    )
    client.loop_start()


def close(client: mqtt.Client, settings: SessionSettings, *, connected: bool) -> None:
    """Say ``offline`` when connected (a clean disconnect sends no last will), then stop."""
    if connected:
        info = client.publish(settings.status_topic, OFFLINE, qos=1, retain=True)
        try:
            info.wait_for_publish(CLOSE_WAIT_S)
        except (RuntimeError, ValueError):
            log.debug("the offline status could not be sent")
    client.disconnect()
    client.loop_stop()


def _without_nagle(_client: mqtt.Client, _userdata: Any, sock: Any) -> None:
    """Send each message at once instead of waiting for the broker's delayed ACK."""
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except (OSError, AttributeError):  # not a TCP socket (e.g. a websocket wrapper)
        log.debug("could not disable Nagle's algorithm on the broker connection")
