"""The MQTT side of ``antre serve``: a broker (managed or external), the adapter, the publisher.

Managed (the default): Mosquitto runs as a supervised child process with its files in
``mqtt/`` beside the SQLite database (or in ``var/mqtt``). Its accounts are the server (a
new random password at every start) and every registered device; devices added with
``antre device add`` while the server runs are given to the broker within
``mqtt_account_check_s`` seconds, without a restart. An optional TLS listener serves the LAN.

External (``mqtt_url``): no broker is started; the operator's broker holds the accounts and
ACLs (``antre mqtt acl`` writes them).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

from queue_server.config import ServerConfig, sqlite_path
from queue_server.mqtt.account_sync import AccountSync
from queue_server.mqtt.broker import (
    Account,
    DeviceKind,
    MosquittoProcess,
    TlsListener,
    connect_host,
    hash_password,
)
from queue_server.mqtt.client import BrokerAddress, ServerMqtt
from queue_server.mqtt.dispatch import ServerMessages
from queue_server.mqtt.external import parse_mqtt_url, redacted
from queue_server.mqtt.kiosk_requests import kiosk_requests_for
from queue_server.mqtt.publisher import StatePublisher
from queue_server.mqtt.supervisor import BrokerSupervisor
from queue_server.mqtt.tls import given_listener, self_signed_listener
from queue_server.services.container import Services

log = logging.getLogger(__name__)
SERVER_USER = "antre-server"


@dataclass
class ManagedBroker:
    """The broker process, its watchdog and the device-account sync."""

    process: MosquittoProcess
    supervisor: BrokerSupervisor
    account_sync: AccountSync

    def stop(self) -> None:
        """Supervision first, so stopping the process is not mistaken for a crash."""
        self.account_sync.stop()
        self.supervisor.stop()
        self.process.stop()


@dataclass
class MqttRuntime:
    broker: ManagedBroker | None  # None with an external broker
    client: ServerMqtt
    publisher: StatePublisher

    def stop(self) -> None:
        if self.broker is not None:
            self.broker.supervisor.stop()
        self.publisher.stop()
        self.client.stop()
        if self.broker is not None:
            self.broker.stop()


def start_mqtt(services: Services, config: ServerConfig, office: str) -> MqttRuntime:
    """Start (or reach) the broker for ``office``, connect the adapter, publish the states."""
    broker: ManagedBroker | None = None
    if config.mqtt_url:
        address = parse_mqtt_url(config.mqtt_url, ca_file=config.mqtt_ca or None)
        log.info("MQTT: external broker %s for %s", redacted(config.mqtt_url), office)
    else:
        broker, address = _start_managed_broker(services, config, office)
    client = ServerMqtt(
        broker=address,
        office=office,
        handler=ServerMessages(
            kiosk=kiosk_requests_for(services),
            presence=services.presence,
        ),
        client_id=f"{SERVER_USER}-{office}",
        on_connected=lambda: publisher.refresh(office),
        workers=config.mqtt_workers or (1 if config.database_url.startswith("sqlite") else 4),
    )
    publisher = StatePublisher(
        views=services.views,
        publish=client.publish,
        outbox=services.outbox,
        configs=services.device_config,
        offices=[office],
        connected=client.connected.is_set,
    )
    services.events.subscribe_stored(publisher)
    publisher.start()
    client.start()
    return MqttRuntime(broker=broker, client=client, publisher=publisher)


def device_accounts(services: Services, office: str) -> list[Account]:
    """The registered devices of ``office`` as broker accounts (hashes only)."""
    return [
        Account(device.id, "", DeviceKind(device.kind), device.password_hash)
        for device in services.devices.accounts(office)
    ]


def _start_managed_broker(
    services: Services, config: ServerConfig, office: str
) -> tuple[ManagedBroker, BrokerAddress]:
    password = secrets.token_urlsafe(24)
    server = Account(SERVER_USER, password, None, hash_password(password))
    devices = device_accounts(services, office)
    folder = broker_folder(config)
    process = MosquittoProcess(
        folder,
        office=office,
        accounts=[server, *devices],
        port=config.mqtt_port,
        host=config.mqtt_host,
        tls=_tls_listener(config, folder),
    ).start()
    broker = ManagedBroker(
        process=process,
        supervisor=BrokerSupervisor(process).start(),
        account_sync=AccountSync(
            broker=process,
            server=server,
            load=lambda: device_accounts(services, office),
            interval_s=config.mqtt_account_check_s,
        ).start(),
    )
    tls_note = f", TLS on {config.mqtt_tls_host}:{config.mqtt_tls_port}" if process.tls else ""
    log.info(
        "MQTT broker for %s on %s:%s%s (%d devices)",
        office,
        config.mqtt_host,
        config.mqtt_port,
        tls_note,
        len(devices),
    )
    address = BrokerAddress(connect_host(config.mqtt_host), config.mqtt_port, SERVER_USER, password)
    return broker, address


def _tls_listener(config: ServerConfig, folder: Path) -> TlsListener | None:
    if config.mqtt_tls_cert:
        return given_listener(
            folder,
            cert_file=Path(config.mqtt_tls_cert),
            key_file=Path(config.mqtt_tls_key),
            port=config.mqtt_tls_port,
            host=config.mqtt_tls_host,
        )
    if config.mqtt_tls:
        return self_signed_listener(folder, port=config.mqtt_tls_port, host=config.mqtt_tls_host)
    return None


def broker_folder(config: ServerConfig) -> Path:
    """Where the managed broker keeps its configuration, accounts and persistence."""
    path = sqlite_path(config.database_url)
    return (path.parent if path else Path("var")).resolve() / "mqtt"
