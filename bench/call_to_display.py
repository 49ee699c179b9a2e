"""P2: officer "call next" over HTTP -> the lobby display receives ``event/called``.

Usage: python bench/call_to_display.py [--db sqlite|postgres] [--calls 500]

A real Mosquitto (random loopback port, per-device ACLs), the HTTP API served by waitress
in this process, the server's MQTT client and state publisher; in a process of their own
(as in an office, apart from the server's interpreter) a display client subscribed to
``event/called`` and the officer. One officer calls and finishes tickets one after the
other; each latency runs from sending the call-next request to the display receiving the
matching event. The loop is bounded by --calls.
"""

from __future__ import annotations

import argparse
import http.client
import json
import queue
import time
from multiprocessing import Queue

from common import (
    DISPLAY,
    Site,
    bench_site,
    close_client,
    in_own_process,
    server_side,
    subscribed_client,
    summary_ms,
)
from queue_server.domain.ids import Role, TicketSource
from queue_server.mqtt.kiosk_requests import KioskRequests
from queue_server.services.issuing import IssueRequest
from queue_server.services.unit import Actor


def run(kind: str, calls: int) -> dict[str, object]:
    with bench_site(kind, "antre-p2-") as site:
        for _ in range(calls):
            site.services.issuing.issue(
                IssueRequest(office=site.office, service="pengaduan", source=TicketSource.KIOSK),
                actor=Actor(name="k"),
            )
        token = site.services.accounts.create_token("officer", Role.PETUGAS, actor=Actor(name="b"))
        with site.broker([DISPLAY]) as broker:
            return measure(site, token, broker.port, calls)


def measure(site: Site, token: str, broker_port: int, calls: int) -> dict[str, object]:
    services, office = site.services, site.office
    server_mqtt = site.server_link(broker_port, handler=KioskRequests(issuing=services.issuing))
    with server_side(services, server_mqtt, threads=8) as http_port:
        latencies = in_own_process(
            officer_and_display, http_port, broker_port, office, token, calls,
            timeout_s=calls + 60,
        )  # fmt: skip
    return {"calls": len(latencies), "call_to_display": summary_ms(latencies)}


def officer_and_display(
    http_port: int,
    broker_port: int,
    office: str,
    token: str,
    calls: int,
    results: Queue,  # type: ignore[type-arg]
) -> None:
    """The officer and the lobby display, in a process of their own (apart from the
    server's interpreter, as in an office); puts the latencies on ``results``."""
    received: queue.Queue[tuple[float, dict[str, object]]] = queue.Queue()
    display = subscribed_client(
        broker_port,
        DISPLAY,
        f"antre/v1/{office}/event/called",
        lambda _c, _u, message: received.put((time.perf_counter(), json.loads(message.payload))),
    )
    try:
        results.put(officer_loop(http_port, office, token, calls, received))
    finally:
        close_client(display)


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
