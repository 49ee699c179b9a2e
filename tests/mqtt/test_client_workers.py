"""The server client's workers: messages spread over threads, each device's kept in order
and never handled by two workers at once."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import paho.mqtt.client as mqtt

from queue_server.config import ServerConfig
from queue_server.mqtt.broker import free_port
from queue_server.mqtt.client import BrokerAddress, ServerMqtt
from queue_server.mqtt.kiosk_requests import Outgoing
from queue_server.mqtt.runtime import mqtt_workers
from queue_server.persistence.db import open_database
from queue_server.persistence.group import GroupCommit

DEVICES = [f"kiosk-{index}" for index in range(8)]
PER_DEVICE = 25


class Recorder:
    """A handler that notes which thread handled which message, slowly enough to overlap."""

    def __init__(self) -> None:
        self.handled: list[tuple[str, str, bytes]] = []
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.active: set[str] = set()
        self.overlaps = 0  # a device handled by two workers at the same time

    def subscriptions(self, office: str) -> list[str]:
        return []

    def handle(self, topic: str, payload: bytes) -> Outgoing | None:
        device = topic.split("/")[4]
        with self.lock:
            self.overlaps += device in self.active
            self.active.add(device)
        time.sleep(0.001)
        with self.lock:
            self.active.discard(device)
            self.handled.append((threading.current_thread().name, topic, payload))
            if len(self.handled) == len(DEVICES) * PER_DEVICE:
                self.done.set()
        return None


def test_each_device_is_handled_in_order_while_devices_run_in_parallel() -> None:
    recorder = Recorder()
    # Nothing listens on the port: the client keeps retrying in the background.
    client = ServerMqtt(
        broker=BrokerAddress("127.0.0.1", free_port(), "", ""),
        office="kanim-test",
        handler=recorder,
        workers=3,
    )
    client.start()
    try:
        for sequence in range(PER_DEVICE):
            for device in DEVICES:
                message = mqtt.MQTTMessage(
                    topic=f"antre/v1/kanim-test/kiosk/{device}/request/rate".encode()
                )
                message.payload = str(sequence).encode()
                client._on_message(mqtt.Client(mqtt.CallbackAPIVersion.VERSION2), None, message)
        assert recorder.done.wait(30)
    finally:
        client.stop()
    by_device: dict[str, list[int]] = {}
    for _thread, topic, payload in recorder.handled:
        device = topic.split("/")[4]
        by_device.setdefault(device, []).append(int(payload))
    assert all(order == list(range(PER_DEVICE)) for order in by_device.values())
    assert recorder.overlaps == 0
    assert len({thread for thread, _, _ in recorder.handled}) > 1


class GroupMember:
    """A handler whose every request is one member of the group commit (as an issue is)."""

    def __init__(self, group: GroupCommit) -> None:
        self.group = group

    def subscriptions(self, office: str) -> list[str]:
        return []

    def handle(self, topic: str, payload: bytes) -> Outgoing | None:
        with self.group.member():
            pass
        return None


def test_kiosk_requests_get_as_many_places_in_a_group_as_the_http_threads(
    tmp_path: Path,
) -> None:
    """Every waiting thread takes one place in the next group commit. With 4 workers
    beside 16 HTTP threads, 16 kiosks got 4 places in each group and the officers 16
    (bench/mixed.py: kiosks starved). With the default worker count (as many as the HTTP
    threads, up to 32) every kiosk request waits at the group's turn beside the HTTP
    requests and all join the same group."""
    config = ServerConfig(database_url=f"sqlite:///{tmp_path / 'group.db'}", threads=16)
    assert mqtt_workers(config) == config.threads
    database = open_database(config.database_url)
    group = database.group
    assert group is not None
    http, kiosks = config.threads, config.threads
    holding, release = threading.Event(), threading.Event()

    def first() -> None:  # an officer's request holding the group open
        with group.member():
            holding.set()
            release.wait(30)

    def officer() -> None:
        with group.member():
            pass

    threads = [threading.Thread(target=first)]
    threads[0].start()
    assert holding.wait(10)
    threads += [threading.Thread(target=officer) for _ in range(http)]
    for thread in threads[1:]:
        thread.start()
    client = ServerMqtt(
        broker=BrokerAddress("127.0.0.1", free_port(), "", ""),
        office="kanim-test",
        handler=GroupMember(group),
        workers=mqtt_workers(config),
    )
    client.start()
    try:
        for index in range(kiosks):
            message = mqtt.MQTTMessage(
                topic=f"antre/v1/kanim-test/kiosk/kiosk-{index}/request/issue_ticket".encode()
            )
            message.payload = b"{}"
            client._on_message(mqtt.Client(mqtt.CallbackAPIVersion.VERSION2), None, message)
        waited = _until(lambda: group.waiting == http + kiosks)
        seen = group.waiting - http
        release.set()
        for thread in threads:
            thread.join(timeout=30)
        assert _until(lambda: group.members == 1 + http + kiosks)
    finally:
        release.set()
        client.stop()
        database.dispose()
    assert waited, f"only {seen} kiosk requests waited beside the officers"
    assert group.groups == 1  # one commit for the officers and every kiosk


def _until(condition: Callable[[], bool], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True
