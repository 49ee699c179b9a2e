"""The MQTT side of ``antre serve``: a broker (managed or external), the adapter, the publisher.

One broker and one server connection carry every office in the database: topics start
with the office id, the adapter subscribes for every office, the publisher publishes each
office's states and every office's devices get an account (scoped to their office's
topics). An office loaded while the server runs is served at once.

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
import socket
from dataclasses import dataclass
from pathlib import Path

from queue_server.config import ServerConfig, sqlite_path
from queue_server.mqtt.account_sync import AccountSync
from queue_server.mqtt.broker import (
    Account,
    BrokerPortBusy,
    DeviceKind,
    MosquittoProcess,
    TlsListener,
    connect_host,
    hash_password,
    stop_orphan,
)
from queue_server.mqtt.client import SHARE_GROUP, BrokerAddress, DeviceLimits, ServerMqtt
from queue_server.mqtt.dispatch import ServerMessages
from queue_server.mqtt.external import parse_mqtt_url, redacted
from queue_server.mqtt.fairness import RateLimit
from queue_server.mqtt.kiosk_requests import kiosk_requests_for
from queue_server.mqtt.publisher import Sink, StatePublisher, no_broker
from queue_server.mqtt.session_watch import SessionWatch
from queue_server.mqtt.sharing import follower_account, shared_limits
from queue_server.mqtt.supervisor import BrokerSupervisor
from queue_server.mqtt.tls import given_listener, self_signed_listener
from queue_server.services.container import Services

log = logging.getLogger(__name__)
SERVER_USER = "antre-server"
#: The most MQTT worker threads chosen by default (``mqtt_workers`` allows up to 32 too).
MAX_DEFAULT_WORKERS = 32


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
    #: Re-publishes the states when a session opens or closes (None: not started).
    session_watch: SessionWatch | None = None
    #: Where the server's client connects (followers connect there as ``<user>-<index>``).
    address: BrokerAddress | None = None

    def health(self) -> dict[str, str]:
        """``broker``: ok, down or external; ``mqtt``: whether the server's link is up."""
        if self.broker is None:
            broker = "external"
        else:
            process = self.broker.process
            broker = "ok" if process.pid is not None and process.exit_code() is None else "down"
        return {"broker": broker, "mqtt": "ok" if self.client.connected.is_set() else "down"}

    def stop(self) -> None:
        if self.broker is not None:
            self.broker.supervisor.stop()
        if self.session_watch is not None:
            self.session_watch.stop()
        self.publisher.stop()
        self.client.stop()
        if self.broker is not None:
            self.broker.stop()


def start_mqtt(
    services: Services,
    config: ServerConfig,
    office: str | None = None,
    *,
    sink: Sink | None = None,
    processes: int = 1,
) -> MqttRuntime:
    """Start (or reach) the broker, connect the adapter, publish the states.

    Args:
        office: serve only this office; None (``antre serve``): every office in the database.
        sink: also gets every message published (the browsers' push hub).
        processes: server processes on this database (``--processes``): above 1, kiosk
            requests come through the shared subscription, each process with its share of
            a device's rate, and the managed broker has an account per process.
    """
    broker: ManagedBroker | None = None
    served = office or "every office"
    if config.mqtt_url:
        address = parse_mqtt_url(config.mqtt_url, ca_file=config.mqtt_ca or None)
        log.info("MQTT: external broker %s for %s", redacted(config.mqtt_url), served)
    else:
        broker, address = _start_managed_broker(services, config, office, processes)
    limits = device_limits(config)
    client = ServerMqtt(
        broker=address,
        office=office,
        handler=ServerMessages(
            kiosk=kiosk_requests_for(services),
            presence=services.presence,
        ),
        client_id=SERVER_USER if office is None else f"{SERVER_USER}-{office}",
        on_connected=lambda: _refresh(services, publisher, office),
        workers=mqtt_workers(config),
        limits=shared_limits(limits, processes),
        share_group=SHARE_GROUP if processes > 1 else None,
    )
    publisher = StatePublisher(
        views=services.views,
        publish=client.publish,
        outbox=services.outbox,
        configs=services.device_config,
        offices=None if office is None else [office],
        connected=client.connected.is_set,
        sink=sink,
    )
    services.events.subscribe_stored(publisher)
    publisher.start()
    client.start()
    watch = SessionWatch(
        services.views, publisher.refresh, offices=None if office is None else [office]
    ).start()
    return MqttRuntime(
        broker=broker, client=client, publisher=publisher, session_watch=watch, address=address
    )


def start_publisher_without_broker(services: Services, sink: Sink) -> StatePublisher:
    """``antre serve --no-mqtt``: the publisher still drains the outbox, for ``sink`` only.

    No broker means no display to deliver to: rows are marked delivered once the sink has
    them. Every office's states are handed over at once (the browsers' snapshot).
    """
    publisher = StatePublisher(
        views=services.views,
        publish=no_broker,
        outbox=services.outbox,
        configs=services.device_config,
        sink=sink,
    )
    services.events.subscribe_stored(publisher)
    publisher.start()
    _refresh(services, publisher, None)
    return publisher


def mqtt_workers(config: ServerConfig) -> int:
    """The threads handling device messages: ``mqtt_workers``, else as many as the HTTP
    threads (at most 32).

    Each worker holds one kiosk request at a time and a group commit takes one place per
    waiting thread, first come first served: with 4 workers beside 16 HTTP threads the
    kiosks got 4 places in every group and the officers 16, so 20 kiosks issued 12-40
    tickets a second while 22 officers made 50-100 calls (bench/mixed.py). With as many
    workers as HTTP threads both sides get the same number of places in every group.
    """
    return config.mqtt_workers or min(config.threads, MAX_DEFAULT_WORKERS)


def device_limits(config: ServerConfig) -> DeviceLimits:
    """Each device's request rate and backlog, from the configuration."""
    return DeviceLimits(
        rate=RateLimit(per_s=config.mqtt_rate_per_s, burst=config.mqtt_rate_burst),
        backlog=config.mqtt_backlog_per_device,
    )


def _refresh(services: Services, publisher: StatePublisher, office: str | None) -> None:
    """Queue a re-publication of the retained states of the office(s) served."""
    try:
        offices = [office] if office else [known["id"] for known in services.views.offices()]
    except Exception:  # the database is away; the next event publishes the states again
        log.exception("could not list the offices to re-publish their states")
        return
    for served in offices:
        publisher.refresh(served)


def device_accounts(services: Services, office: str | None = None) -> list[Account]:
    """The registered devices (of ``office``, or of every office) as broker accounts."""
    return [
        Account(device.id, "", DeviceKind(device.kind), device.password_hash, office=device.office)
        for device in services.devices.accounts(office)
    ]


def _start_managed_broker(
    services: Services, config: ServerConfig, office: str | None, processes: int = 1
) -> tuple[ManagedBroker, BrokerAddress]:
    password = secrets.token_urlsafe(24)
    hashed = hash_password(password)
    server = Account(SERVER_USER, password, None, hashed)
    others = [
        Account(follower_account(SERVER_USER, index), password, None, hashed)
        for index in range(2, processes + 1)
    ]
    devices = [*others, *device_accounts(services, office)]
    folder = broker_folder(config)
    process = MosquittoProcess(
        folder,
        office=office,
        accounts=[server, *devices],
        port=config.mqtt_port,
        host=config.mqtt_host,
        tls=_tls_listener(config, folder),
    )
    stop_orphan(folder)  # a broker a killed server left on this folder frees its ports
    busy = _busy_port(config)
    if busy is not None:
        raise BrokerPortBusy(*busy)
    process.start()
    broker = ManagedBroker(
        process=process,
        supervisor=BrokerSupervisor(process).start(),
        account_sync=AccountSync(
            broker=process,
            server=server,
            load=lambda: [*others, *device_accounts(services, office)],
            interval_s=config.mqtt_account_check_s,
        ).start(),
    )
    tls_note = f", TLS on {config.mqtt_tls_host}:{config.mqtt_tls_port}" if process.tls else ""
    log.info(
        "MQTT broker for %s on %s:%s%s (%d devices)",
        office or "every office",
        config.mqtt_host,
        config.mqtt_port,
        tls_note,
        len(devices) - len(others),
    )
    address = BrokerAddress(connect_host(config.mqtt_host), config.mqtt_port, SERVER_USER, password)
    return broker, address


def _busy_port(config: ServerConfig) -> tuple[str, str] | None:
    """A broker listener another program already holds: its address and the option to move it."""
    listeners = [(config.mqtt_host, config.mqtt_port, "--mqtt-port")]
    if config.mqtt_tls_enabled:
        listeners.append((config.mqtt_tls_host, config.mqtt_tls_port, "--mqtt-tls-port"))
    for host, port, option in listeners:
        try:
            with socket.create_connection((connect_host(host), port), timeout=1):
                return f"{host}:{port}", option
        except OSError:
            continue
    return None


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
