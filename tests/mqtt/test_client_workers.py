"""The server client's workers: messages spread over threads, each device's kept in order
and never handled by two workers at once."""

from __future__ import annotations

import threading
import time

import paho.mqtt.client as mqtt

from queue_server.mqtt.broker import free_port
from queue_server.mqtt.client import BrokerAddress, ServerMqtt
from queue_server.mqtt.kiosk_requests import Outgoing

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
