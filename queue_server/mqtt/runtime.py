"""The MQTT side of ``antre serve``: a managed Mosquitto, the adapter and the publisher.

The broker's files live in ``mqtt/`` beside the SQLite database (or in ``var/mqtt``). Its
accounts are the server (a new random password at every start) and every registered
device (``antre device add``; restart the server after adding one).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

from queue_server.config import ServerConfig, sqlite_path
from queue_server.mqtt.broker import Account, DeviceKind, MosquittoProcess
from queue_server.mqtt.client import BrokerAddress, ServerMqtt
from queue_server.mqtt.dispatch import ServerMessages
from queue_server.mqtt.kiosk_requests import KioskRequests
from queue_server.mqtt.publisher import StatePublisher
from queue_server.services.container import Services

log = logging.getLogger(__name__)
SERVER_USER = "antre-server"


@dataclass
class MqttRuntime:
    broker: MosquittoProcess
    client: ServerMqtt
    publisher: StatePublisher

    def stop(self) -> None:
        self.publisher.stop()
        self.client.stop()
        self.broker.stop()


def start_mqtt(services: Services, config: ServerConfig, office: str) -> MqttRuntime:
    """Start the broker for ``office``, connect the adapter and publish the current states."""
    server = Account(SERVER_USER, secrets.token_urlsafe(24), None)
    devices = [
        Account(device.id, "", DeviceKind(device.kind), device.password_hash)
        for device in services.devices.accounts(office)
    ]
    broker = MosquittoProcess(
        _broker_folder(config),
        office=office,
        accounts=[server, *devices],
        port=config.mqtt_port,
        host=config.mqtt_host,
    ).start()
    client = ServerMqtt(
        broker=BrokerAddress("127.0.0.1", config.mqtt_port, server.username, server.password),
        office=office,
        handler=ServerMessages(
            kiosk=KioskRequests(issuing=services.issuing, views=services.views),
            presence=services.presence,
        ),
        on_connected=lambda: publisher.refresh(office),
    )
    publisher = StatePublisher(views=services.views, publish=client.publish)
    services.events.subscribe(publisher)
    publisher.start()
    client.start()
    log.info(
        "MQTT broker for %s on %s:%s (%d devices)",
        office,
        config.mqtt_host,
        config.mqtt_port,
        len(devices),
    )
    return MqttRuntime(broker=broker, client=client, publisher=publisher)


def _broker_folder(config: ServerConfig) -> Path:
    path = sqlite_path(config.database_url)
    return (path.parent if path else Path("var")).resolve() / "mqtt"
