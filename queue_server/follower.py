"""A follower process of ``antre serve --processes N`` (started by the leader, never by hand).

It reads its :class:`~queue_server.processes.FollowerSetup` from stdin, then handles kiosk
requests (its share of the shared subscription) and HTTP (on the leader's inherited
listening socket). It publishes no state: after each commit it wakes the leader's
publisher. It stops on SIGTERM and when the leader's end of stdin closes.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Mapping
from typing import TYPE_CHECKING

from queue_server.heap import settle_heap
from queue_server.mqtt.sharing import shared_limits
from queue_server.processes import FollowerSetup, WakeSender
from queue_server.protocol import topics

if TYPE_CHECKING:
    from queue_server.mqtt.dispatch import ServerMessages
    from queue_server.mqtt.kiosk_requests import Outgoing

log = logging.getLogger("antre.follower")


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    line = _first_line()
    if not line:
        return 2
    setup = FollowerSetup.from_line(line)
    signal.signal(signal.SIGTERM, _exit_on_signal)
    threading.Thread(target=_stop_with_leader, name="leader-watch", daemon=True).start()
    return run(setup)


def run(setup: FollowerSetup) -> int:
    from queue_server.bootstrap import build

    config = setup.server_config()
    services = build(config)
    wake = WakeSender(setup.wake_port)
    services.events.subscribe_stored(wake)
    try:
        return _serve(setup, services, wake)
    finally:
        wake.close()
        services.close()


def _serve(setup: FollowerSetup, services: object, wake: WakeSender) -> int:
    from queue_server.mqtt.client import SHARE_GROUP, ServerMqtt
    from queue_server.mqtt.dispatch import ServerMessages
    from queue_server.mqtt.kiosk_requests import kiosk_requests_for
    from queue_server.mqtt.runtime import device_limits, mqtt_workers
    from queue_server.push.hub import PushHub
    from queue_server.serve import http_server_on, raise_open_files_limit
    from queue_server.services.container import Services
    from queue_server.web.api_push import ticket_status_json
    from queue_server.web.app import create_app
    from queue_server.web.waitress_channel import CONNECTIONS_PER_ADDRESS

    assert isinstance(services, Services)
    config = setup.server_config()
    push = PushHub(ticket_status=ticket_status_json(services))
    address = setup.broker_address()
    client = ServerMqtt(
        broker=address,
        office=None,
        handler=FirstMessageNoted(
            ServerMessages(kiosk=kiosk_requests_for(services), presence=services.presence),
            setup.index,
        ),
        client_id=address.username,
        workers=mqtt_workers(config),
        limits=shared_limits(device_limits(config), setup.processes),
        share_group=SHARE_GROUP,
        mirror=push.publish,
        persistent=False,
    )

    def health() -> Mapping[str, str]:
        return {"broker": "external", "mqtt": "ok" if client.connected.is_set() else "down"}

    app = create_app(config, services=services, mqtt_health=health, push=push)
    listening = socket.socket(fileno=setup.http_fd)
    server = http_server_on(
        app,
        listening,
        threads=config.threads,
        per_address=None if config.proxy_hops else CONNECTIONS_PER_ADDRESS,
    )
    raise_open_files_limit()
    push.start()
    client.start()
    log.info("follower %d serving (pid %d)", setup.index, os.getpid())
    settle_heap()
    wake.serving(setup.index)  # the server's loop starts at once
    try:
        server.run()
    finally:
        client.stop()
        push.stop()
        server.close()
    return 0


class FirstMessageNoted:
    """The follower's message handler, logging once that this process got its share."""

    def __init__(self, handler: ServerMessages, index: int) -> None:
        self._handler, self._index = handler, index
        self._noted = False

    @staticmethod
    def subscriptions(office: str | None) -> list[str]:
        """Kiosk requests only: device reports stay with the leader, kept in order."""
        return [topics.kiosk_requests(office)]

    def handle(self, topic: str, payload: bytes) -> Outgoing | None:
        if not self._noted:
            self._noted = True
            log.info("follower %d: handling device messages", self._index)
        return self._handler.handle(topic, payload)


def _first_line() -> bytes:
    """The setup line, read byte by byte so nothing after it is buffered away."""
    line = bytearray()
    while not line.endswith(b"\n"):
        chunk = os.read(0, 1)
        if not chunk:
            return b""
        line += chunk
    return bytes(line)


def _stop_with_leader() -> None:
    """The leader keeps our stdin open; end of file means it is gone."""
    try:
        while os.read(0, 4096):  # unbuffered: no lock held when the interpreter exits
            pass
    finally:
        os.kill(os.getpid(), signal.SIGTERM)


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    sys.exit(main())
