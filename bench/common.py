"""Shared set-up for the benchmarks: a database (SQLite file or throwaway PostgreSQL),
the schema, a benchmark office with its services and broker, MQTT clients, and invariant
checks straight from the tables."""

from __future__ import annotations

import argparse
import contextlib
import copy
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import yaml
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from queue_server.config import ServerConfig
from queue_server.heap import settle_heap
from queue_server.mqtt.broker import Account, DeviceKind, MosquittoProcess, free_port
from queue_server.mqtt.client import BrokerAddress, ServerMqtt, without_nagle
from queue_server.mqtt.publisher import StatePublisher
from queue_server.persistence.db import Database, open_database
from queue_server.persistence.migrate import upgrade
from queue_server.services.container import Services, build_services
from queue_server.services.offices import store_office

DEMO_FILE = ROOT / "queue_server" / "demo" / "banjarmasin.yaml"
#: A Monday morning (10:00 WITA) that is not a holiday: every regular service is open.
OPEN_MOMENT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
SERVER = Account("antre-server", "bench-server-secret", None)
DISPLAY = Account("lobby-1", "bench-display-secret", DeviceKind.DISPLAY)
OnMessage = Callable[[mqtt.Client, object, mqtt.MQTTMessage], None]


#: The body of the console's "Finish & call next" (B): ``finish`` with the next call.
FINISH_AND_CALL_NEXT = b'{"call_next": true}'


def add_combined_option(parser: argparse.ArgumentParser) -> None:
    """``--combined``: the benchmark's officers finish and call next in one request."""
    parser.add_argument(
        "--combined",
        action="store_true",
        help="officers finish and call next in one request (the console's B key)",
    )


@contextlib.contextmanager
def database_url(kind: str) -> Iterator[str]:
    """A fresh empty database of ``kind`` ("sqlite" or "postgres"), removed afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="antre-bench-") as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    from tests.support.postgres import PostgresServer

    with PostgresServer() as server:
        yield server.url


def bench_office(counter_count: int) -> dict[str, Any]:
    """The demo office without quotas, with ``counter_count`` CS desks serving every station."""
    settings = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
    settings = copy.deepcopy(settings)
    for service in settings["services"]:
        service.pop("daily_quota", None)
    stations = sorted(
        {step["station"] for service in settings["services"] for step in service["journey"]}
    )
    stations.append("BIO_PRIORITY")
    settings["counters"] = [
        {"id": f"bench-{index:02d}", "name": f"Bench {index}", "stations": sorted(set(stations))}
        for index in range(1, counter_count + 1)
    ]
    return settings


def prepare(database: Database, url: str, settings: dict[str, Any]) -> str:
    upgrade(url)
    with database.writer() as session, session.begin():
        reloaded = store_office(session, settings, now=OPEN_MOMENT)
    return str(reloaded.office)


@dataclass(frozen=True)
class Site:
    """A prepared database, its office, the services over it, and a scratch folder."""

    url: str
    folder: Path
    office: str
    services: Services

    def broker(self, devices: list[Account]) -> MosquittoProcess:
        """A Mosquitto on a random loopback port for the server account and ``devices``."""
        return MosquittoProcess(
            self.folder / "mqtt", office=self.office, accounts=[SERVER, *devices], port=free_port()
        )

    def server_link(self, broker_port: int, **options: Any) -> ServerMqtt:
        """The server's MQTT client (not started) on ``broker_port``."""
        address = BrokerAddress("127.0.0.1", broker_port, SERVER.username, SERVER.password)
        return ServerMqtt(broker=address, office=self.office, **options)


@contextlib.contextmanager
def bench_site(kind: str, prefix: str) -> Iterator[Site]:
    """A fresh ``kind`` database with the benchmark office (two counters) and its services
    on the clock of :data:`OPEN_MOMENT`; everything is closed and removed afterwards."""
    with database_url(kind) as url, tempfile.TemporaryDirectory(prefix=prefix) as folder:
        os.chmod(folder, 0o755)  # the broker may run as another user
        database = open_database(url)
        office = prepare(database, url, bench_office(2))
        database.dispose()
        services = build_services(
            ServerConfig(database_url=url, nik_key="bench"), clock=lambda: OPEN_MOMENT
        )
        try:
            yield Site(url, Path(folder), office, services)
        finally:
            services.close()


def subscribed_client(
    port: int, account: Account, topic: str, on_message: OnMessage
) -> mqtt.Client:
    """An MQTT v5 client of ``account`` on the loopback broker, subscribed to ``topic``."""
    client = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id=account.username,
        protocol=MQTTProtocolVersion.MQTTv5,
    )
    client.username_pw_set(account.username, account.password)
    client.on_socket_open = without_nagle  # as a real kiosk's and display's session does
    client.on_message = on_message
    subscribed = threading.Event()
    client.on_subscribe = lambda *_args: subscribed.set()
    client.connect("127.0.0.1", port, keepalive=30)
    client.loop_start()
    client.subscribe(topic, qos=1)
    if not subscribed.wait(10):
        raise SystemExit(f"{account.username} could not subscribe to {topic}")
    return client


@contextlib.contextmanager
def server_side(services: Services, server_mqtt: ServerMqtt, *, threads: int) -> Iterator[int]:
    """The server as ``antre serve`` runs it, in this process: ``server_mqtt`` (kiosk
    requests), the state publisher on its link and the HTTP API on waitress (``threads``
    threads, a random loopback port, given); stopped afterwards, the link connected first."""
    from waitress.server import create_server

    from queue_server.web.app import create_app

    publisher = StatePublisher(
        views=services.views,
        publish=server_mqtt.publish,
        outbox=services.outbox,
        connected=server_mqtt.connected.is_set,
    )
    services.events.subscribe_stored(publisher)
    server_mqtt.start()
    publisher.start()
    http_port = free_port()
    web = create_server(
        create_app(services=services), host="127.0.0.1", port=http_port, threads=threads
    )
    threading.Thread(target=web.run, daemon=True).start()
    try:
        server_mqtt.connected.wait(10)
        settle_heap()  # as antre serve does once started
        yield http_port
    finally:
        publisher.stop()
        server_mqtt.stop()
        web.close()


def in_own_process(target: Callable[..., None], *args: Any, timeout_s: float) -> Any:
    """Run ``target(*args, results)`` in a spawned process (apart from this interpreter's
    server threads) and return what it put on ``results``."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    process = context.Process(target=target, args=(*args, results))
    process.start()
    try:
        return results.get(timeout=timeout_s)
    finally:
        process.join(timeout=30)


def close_client(client: mqtt.Client) -> None:
    client.disconnect()
    client.loop_stop()


def invariants(database: Database) -> dict[str, int]:
    """Counts that must be zero, read from the tables themselves."""
    queries = {
        "duplicate_numbers": """select count(*) from (select office_day, series, number from visits
            group by office_id, office_day, series, number having count(*) > 1) d""",
        "double_calls": """select count(*) from (select ticket_id from ticket_events
            where action = 'call' group by ticket_id having count(*) > 1) d""",
        "visits_with_two_live_tickets": """select count(*) from (select visit_id from tickets
            where status in ('waiting','called','serving','parked') group by visit_id
            having count(*) > 1) d""",
        "counters_with_two_active": """select count(*) from (select counter_pk from tickets
            where status in ('called','serving') group by counter_pk having count(*) > 1) d""",
    }
    with database.reader() as session:
        return {name: int(session.execute(text(sql)).scalar_one()) for name, sql in queries.items()}


def percentile(samples: list[float], fraction: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summary_ms(samples_s: list[float]) -> str:
    ms = [value * 1000 for value in samples_s]
    if not ms:
        return "no samples"
    return (
        f"p50 {statistics.median(ms):.1f} ms, p99 {percentile(ms, 0.99):.1f} ms, "
        f"max {max(ms):.1f} ms"
    )
