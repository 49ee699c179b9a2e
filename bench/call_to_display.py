"""P2: officer "call next" over HTTP -> the lobby display receives ``event/called``.

Usage: python bench/call_to_display.py [--db sqlite|postgres] [--calls 500]

A real Mosquitto (random loopback port, per-device ACLs), the HTTP API served by waitress
in this process, the server's MQTT client and state publisher, and a display client
subscribed to ``event/called``. One officer calls and finishes tickets one after the
other; each latency runs from sending the call-next request to the display receiving the
matching event. The loop is bounded by --calls.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import tempfile
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion, MQTTProtocolVersion
from waitress.server import create_server

from common import OPEN_MOMENT, bench_office, database_url, prepare, summary_ms
from queue_server.config import ServerConfig
from queue_server.domain.ids import Role, TicketSource
from queue_server.mqtt.broker import Account, DeviceKind, MosquittoProcess, free_port
from queue_server.mqtt.client import BrokerAddress, ServerMqtt
from queue_server.mqtt.kiosk_requests import KioskRequests
from queue_server.mqtt.publisher import StatePublisher
from queue_server.persistence.db import open_database
from queue_server.services.container import build_services
from queue_server.services.issuing import IssueRequest
from queue_server.services.unit import Actor
from queue_server.web.app import create_app

SERVER = Account("antre-server", "bench-server-secret", None)
DISPLAY = Account("lobby-1", "bench-display-secret", DeviceKind.DISPLAY)


def run(kind: str, calls: int) -> dict[str, object]:
    with database_url(kind) as url, tempfile.TemporaryDirectory(prefix="antre-p2-") as folder:
        os.chmod(folder, 0o755)
        database = open_database(url)
        office = prepare(database, url, bench_office(2))
        database.dispose()
        services = build_services(
            ServerConfig(database_url=url, nik_key="bench"), clock=lambda: OPEN_MOMENT
        )
        for _ in range(calls):
            services.issuing.issue(
                IssueRequest(office=office, service="pengaduan", source=TicketSource.KIOSK),
                actor=Actor(name="k"),
            )
        token = services.accounts.create_token("officer", Role.PETUGAS, actor=Actor(name="b"))
        with MosquittoProcess(
            Path(folder) / "mqtt", office=office, accounts=[SERVER, DISPLAY], port=free_port()
        ) as broker:
            return measure(services, office, token, broker.port, calls)


def measure(
    services: object, office: str, token: str, broker_port: int, calls: int
) -> dict[str, object]:
    server_mqtt = ServerMqtt(
        broker=BrokerAddress("127.0.0.1", broker_port, SERVER.username, SERVER.password),
        office=office,
        handler=KioskRequests(issuing=services.issuing),  # type: ignore[attr-defined]
    )
    publisher = StatePublisher(
        views=services.views,  # type: ignore[attr-defined]
        publish=server_mqtt.publish,
        outbox=services.outbox,  # type: ignore[attr-defined]
        connected=server_mqtt.connected.is_set,
    )
    services.events.subscribe_stored(publisher)  # type: ignore[attr-defined]
    server_mqtt.start()
    publisher.start()
    http_port = free_port()
    web = create_server(create_app(services=services), host="127.0.0.1", port=http_port, threads=8)  # type: ignore[arg-type]
    threading.Thread(target=web.run, daemon=True).start()
    received: queue.Queue[tuple[float, dict[str, object]]] = queue.Queue()
    display = display_client(broker_port, office, received)
    try:
        server_mqtt.connected.wait(10)
        latencies = officer_loop(http_port, office, token, calls, received)
    finally:
        display.disconnect()
        display.loop_stop()
        publisher.stop()
        server_mqtt.stop()  # the HTTP server thread is a daemon and ends with the process
    return {"calls": len(latencies), "call_to_display": summary_ms(latencies)}


def display_client(
    port: int, office: str, received: queue.Queue[tuple[float, dict[str, object]]]
) -> mqtt.Client:
    ready = threading.Event()
    client = mqtt.Client(
        callback_api_version=CallbackAPIVersion.VERSION2,
        client_id=DISPLAY.username,
        protocol=MQTTProtocolVersion.MQTTv5,
    )
    client.username_pw_set(DISPLAY.username, DISPLAY.password)
    client.on_message = lambda _c, _u, message: received.put(
        (time.perf_counter(), json.loads(message.payload))
    )
    client.on_subscribe = lambda *_args: ready.set()
    client.connect("127.0.0.1", port, keepalive=30)
    client.loop_start()
    client.subscribe(f"antre/v1/{office}/event/called", qos=1)
    if not ready.wait(10):
        raise SystemExit("the display could not subscribe")
    return client


def officer_loop(
    port: int,
    office: str,
    token: str,
    calls: int,
    received: queue.Queue[tuple[float, dict[str, object]]],
) -> list[float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    base = f"/api/v1/offices/{office}/counters/bench-01"

    def post(action: str) -> dict[str, object]:
        connection.request("POST", f"{base}/{action}", body=b"{}", headers=headers)
        return json.loads(connection.getresponse().read())

    post("open")
    latencies: list[float] = []
    for _ in range(calls):
        started = time.perf_counter()
        ticket = post("call-next")["ticket"]
        arrived, event = received.get(timeout=10)
        assert event["ticket"] == ticket["label"], (event, ticket)  # type: ignore[index]
        latencies.append(arrived - started)
        post("finish")
    return latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--calls", type=int, default=500)
    args = parser.parse_args()
    for key, value in run(args.db, args.calls).items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
