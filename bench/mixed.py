"""Issue 13 item 4: the mixed load of an office, all at once.

Usage: python bench/mixed.py [--db sqlite|postgres] [--kiosks 20] [--officers 22]
       [--seconds 10] [--rate 20] [--seed-tickets 1500] [--workers N] [--threads N]
       [--combined]

The server as `antre serve` runs it, in this process: the kiosk-request adapter and the
state publisher on a real Mosquitto (random loopback port, per-device accounts), the HTTP
API on waitress (as many threads as `antre serve` runs, or ``--threads``). The load runs
in its own process (apart from the server's interpreter):

1. mixed: 20 kiosks issue over MQTT in a closed loop (each sends its next request when
   the answer arrives) while 22 officers loop call-next -> finish over HTTP on their own
   counters (with bearer tokens) and a lobby display listens to the retained board,
   counter and queue states and to `event/called`. Reports issue p50/p99 and issues/s,
   calls/s, and call -> display latency (from sending call-next to the display receiving
   that ticket's call).
2. empty-queue poller: the kiosks issue paced at --rate per second, once alone and once
   while one officer polls call-next in a tight loop at a counter whose queue is empty;
   the kiosks' p50/p99 should not change.
3. paced beside officers: the kiosks issue paced at --rate per second (an office's pace,
   not a flood) while the 22 officers loop call-next -> finish flat out: the kiosks'
   p50/p99 when the officers saturate the server. (In part 1 every client waits for its
   answer before the next request, so the issue latency there is the queue of a saturated
   server: about kiosks / issues per second, Little's law.)

With --combined the officers finish and call next in one request (``finish`` with
``{"call_next": true}``, the console's B key) instead of call-next -> finish; the call
-> display latency then runs from sending that request.

Afterwards the tables are checked: no duplicate number, no double call, no visit with two
live tickets, no counter with two active tickets, and every answered issue is a visit.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import tempfile
import threading
import time
import uuid
from multiprocessing import Queue
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from sqlalchemy import text

from common import (
    DISPLAY,
    FINISH_AND_CALL_NEXT,
    OPEN_MOMENT,
    add_combined_option,
    bench_office,
    close_client,
    database_url,
    in_own_process,
    invariants,
    prepare,
    server_side,
    summary_ms,
)
from queue_server.config import ServerConfig
from queue_server.domain.ids import Role, TicketSource
from queue_server.mqtt.broker import Account, DeviceKind, MosquittoProcess, free_port
from queue_server.mqtt.client import BrokerAddress, DeviceLimits, ServerMqtt, without_nagle
from queue_server.mqtt.fairness import RateLimit
from queue_server.mqtt.kiosk_requests import KioskRequests
from queue_server.mqtt.runtime import mqtt_workers
from queue_server.persistence.db import open_database
from queue_server.services.container import build_services
from queue_server.services.issuing import IssueRequest
from queue_server.services.unit import Actor

SERVER = Account("antre-server", "bench-server-secret", None)
STRESS_LIMITS = DeviceLimits(rate=RateLimit(per_s=100_000, burst=100_000), backlog=100_000)
POLL_COUNTER = "poll-01"
#: The kiosks issue complaints; the poller's counter serves the information desk only.
KIOSK_SERVICE = "pengaduan"


def mixed_office(officers: int) -> dict[str, Any]:
    settings = bench_office(officers)
    settings["counters"].append({"id": POLL_COUNTER, "name": "Poller", "stations": ["INFO"]})
    return settings


# -- the load (its own process) --------------------------------------------------------


class Kiosk:
    def __init__(self, port: int, office: str, account: Account) -> None:
        self.office, self.name = office, account.username
        self.sent: dict[str, float] = {}
        self.latencies: list[float] = []
        self.labels: list[str] = []
        self.answered = threading.Semaphore(0)
        self.client = mqtt.Client(
            callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
            client_id=account.username,
            protocol=mqtt.MQTTv5,
        )
        self.client.username_pw_set(account.username, account.password)
        self.client.on_socket_open = without_nagle  # as a real device's session does
        self.client.on_message = self._on_message
        subscribed = threading.Event()
        self.client.on_subscribe = lambda *_args: subscribed.set()
        self.client.connect("127.0.0.1", port, keepalive=30)
        self.client.loop_start()
        self.client.subscribe(f"antre/v1/{office}/kiosk/{self.name}/response/+", qos=1)
        if not subscribed.wait(10):
            raise SystemExit(f"{self.name} could not subscribe")

    def _on_message(self, _c: mqtt.Client, _u: object, message: mqtt.MQTTMessage) -> None:
        answer = json.loads(message.payload)
        started = self.sent.pop(answer["transaction"], None)
        if started is not None and answer["status"] == "ok":
            self.latencies.append(time.perf_counter() - started)
            self.labels.append(answer["data"]["label"])
        self.answered.release()

    def send(self) -> None:
        transaction = str(uuid.uuid4())
        self.sent[transaction] = time.perf_counter()
        body = json.dumps({"transaction": transaction, "data": {"service": KIOSK_SERVICE}})
        self.client.publish(
            f"antre/v1/{self.office}/kiosk/{self.name}/request/issue_ticket", body, qos=1
        )


class Display:
    """The lobby display: every retained state and call; the arrival time of each call."""

    def __init__(self, port: int, office: str) -> None:
        self.calls: dict[str, float] = {}
        self.states = 0
        self.client = mqtt.Client(
            callback_api_version=mqtt.CallbackAPIVersion.VERSION2,
            client_id=DISPLAY.username,
            protocol=mqtt.MQTTv5,
        )
        self.client.username_pw_set(DISPLAY.username, DISPLAY.password)
        self.client.on_socket_open = without_nagle  # as a real device's session does
        self.client.on_message = self._on_message
        subscribed = threading.Event()
        self.client.on_subscribe = lambda *_args: subscribed.set()
        self.client.connect("127.0.0.1", port, keepalive=30)
        self.client.loop_start()
        base = f"antre/v1/{office}"
        topics = ["event/called", "board", "counter/+/state", "queue/+/state"]
        self.client.subscribe([(f"{base}/{topic}", 1) for topic in topics])
        if not subscribed.wait(10):
            raise SystemExit("the display could not subscribe")

    def _on_message(self, _c: mqtt.Client, _u: object, message: mqtt.MQTTMessage) -> None:
        if message.topic.endswith("/event/called"):
            self.calls.setdefault(str(json.loads(message.payload)["ticket"]), time.perf_counter())
        else:
            self.states += 1


class Officer:
    def __init__(self, port: int, office: str, counter: str, token: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.base = f"/api/v1/offices/{office}/counters/{counter}"
        self.called: dict[str, float] = {}  # label -> when call-next was sent
        self.statuses: dict[int, int] = {}

    def post(self, action: str, body: bytes = b"{}") -> tuple[int, dict[str, Any]]:
        self.connection.request("POST", f"{self.base}/{action}", body=body, headers=self.headers)
        response = self.connection.getresponse()
        body = response.read()
        self.statuses[response.status] = self.statuses.get(response.status, 0) + 1
        return response.status, (json.loads(body) if body else {})

    def loop(self, until: float, combined: bool = False) -> None:
        serving = False  # combined: a ticket at the counter, to finish with the next call
        while time.perf_counter() < until:
            sent = time.perf_counter()
            if serving:  # the console's "Finish & call next": one request
                status, answer = self.post("finish", FINISH_AND_CALL_NEXT)
                ticket = answer.get("called") if status == 200 else None
            else:
                status, answer = self.post("call-next")
                ticket = answer.get("ticket") if status == 200 else None
            if ticket is None:
                serving = False
                time.sleep(0.05)  # nobody waiting for a moment: a real officer looks again
                continue
            self.called[ticket["label"]] = sent
            if combined:
                serving = True
            else:
                self.post("finish")
        if serving:  # leave the counter free for the next part
            self.post("finish")

    def poll(self, until: float) -> int:
        polls = 0
        while time.perf_counter() < until:
            self.post("call-next")
            polls += 1
        return polls


def closed_loop(kiosks: list[Kiosk], until: float) -> None:
    def run(kiosk: Kiosk) -> None:
        while time.perf_counter() < until:
            kiosk.send()
            if not kiosk.answered.acquire(timeout=30):
                return

    threads = [threading.Thread(target=run, args=(kiosk,)) for kiosk in kiosks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def paced(kiosks: list[Kiosk], rate: float, seconds: float) -> list[float]:
    for kiosk in kiosks:
        kiosk.latencies.clear()
    began = time.perf_counter()
    for index in range(int(rate * seconds)):
        time.sleep(max(0.0, began + index / rate - time.perf_counter()))
        kiosks[index % len(kiosks)].send()
    deadline = time.perf_counter() + 10
    while time.perf_counter() < deadline and any(kiosk.sent for kiosk in kiosks):
        time.sleep(0.05)
    return [value for kiosk in kiosks for value in kiosk.latencies]


def load(
    mqtt_port: int,
    http_port: int,
    office: str,
    kiosk_accounts: list[Account],
    tokens: list[str],
    poll_token: str,
    seconds: float,
    rate: float,
    combined: bool,
    results: Queue,  # type: ignore[type-arg]
) -> None:
    kiosks = [Kiosk(mqtt_port, office, account) for account in kiosk_accounts]
    display = Display(mqtt_port, office)
    officers = [
        Officer(http_port, office, f"bench-{i + 1:02d}", token) for i, token in enumerate(tokens)
    ]
    for officer in officers:
        officer.post("open")
    poller = Officer(http_port, office, POLL_COUNTER, poll_token)
    poller.post("open")
    out: dict[str, Any] = {}
    try:
        # 1. Everything at once.
        until = time.perf_counter() + seconds
        threads = [threading.Thread(target=o.loop, args=(until, combined)) for o in officers]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        closed_loop(kiosks, until)
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
        time.sleep(1.0)  # the last calls reach the display
        issue_latencies = [value for kiosk in kiosks for value in kiosk.latencies]
        called = {label: at for o in officers for label, at in o.called.items()}
        to_display = [
            display.calls[label] - at for label, at in called.items() if label in display.calls
        ]
        out["mixed"] = {
            "issues": len(issue_latencies),
            "issues_per_s": round(len(issue_latencies) / elapsed, 1),
            "issue": summary_ms(issue_latencies),
            "calls": len(called),
            "calls_per_s": round(len(called) / elapsed, 1),
            "call_to_display": summary_ms(to_display),
            "calls_not_on_display": len(set(called) - set(display.calls)),
            "display_state_messages": display.states,
            "officer_statuses": json.dumps(_merged([o.statuses for o in officers])),
        }
        # 2. Paced kiosks, alone and beside an officer polling an empty queue.
        alone = paced(kiosks, rate, seconds / 2)
        stop_polling = time.perf_counter() + seconds / 2 + 2
        polls: list[int] = []
        polling = threading.Thread(target=lambda: polls.append(poller.poll(stop_polling)))
        polling.start()
        time.sleep(0.5)
        beside = paced(kiosks, rate, seconds / 2)
        polling.join()
        out["empty_poll"] = {
            "rate_per_s": rate,
            "kiosks_alone": summary_ms(alone),
            "kiosks_beside_poller": summary_ms(beside),
            "poller_requests_per_s": round(polls[0] / (seconds / 2 + 2), 1) if polls else 0,
            "poller_statuses": json.dumps(poller.statuses),
        }
        # 3. Paced kiosks (an office's pace) beside every officer calling flat out.
        until = time.perf_counter() + seconds / 2 + 1
        threads = [threading.Thread(target=o.loop, args=(until, combined)) for o in officers]
        for thread in threads:
            thread.start()
        time.sleep(0.5)
        busy = paced(kiosks, rate, seconds / 2)
        for thread in threads:
            thread.join()
        out["paced_beside_officers"] = {
            "rate_per_s": rate,
            "officers": len(officers),
            "kiosks": summary_ms(busy),
        }
        out["answered_labels"] = [label for kiosk in kiosks for label in kiosk.labels]
    finally:
        for kiosk in kiosks:
            close_client(kiosk.client)
        close_client(display.client)
    results.put(out)


def _merged(counts: list[dict[int, int]]) -> dict[int, int]:
    merged: dict[int, int] = {}
    for count in counts:
        for status, number in count.items():
            merged[status] = merged.get(status, 0) + number
    return merged


# -- the server (this process) --------------------------------------------------------


def run(
    kind: str,
    kiosks: int,
    officers: int,
    seconds: float,
    rate: float,
    seeded: int,
    workers: int = 0,
    threads: int = 0,
    combined: bool = False,
) -> dict[str, Any]:
    accounts = [Account(f"kiosk-{i}", f"kiosk-secret-{i}", DeviceKind.KIOSK) for i in range(kiosks)]
    with database_url(kind) as url, tempfile.TemporaryDirectory(prefix="antre-mixed-") as folder:
        os.chmod(folder, 0o755)
        database = open_database(url)
        office = prepare(database, url, mixed_office(officers))
        database.dispose()
        config = ServerConfig(database_url=url, nik_key="bench", mqtt_workers=workers)
        if threads:  # else antre serve's default
            config = ServerConfig(
                database_url=url, nik_key="bench", mqtt_workers=workers, threads=threads
            )
        threads = config.threads
        workers = mqtt_workers(config)  # as antre serve chooses them
        services = build_services(config, clock=lambda: OPEN_MOMENT)
        try:
            actor = Actor(name="bench")
            for _ in range(seeded):  # officers have work from the first second
                services.issuing.issue(
                    IssueRequest(office=office, service=KIOSK_SERVICE, source=TicketSource.KIOSK),
                    actor=actor,
                )
            tokens = [
                services.accounts.create_token(f"officer-{i}", Role.PETUGAS, actor=actor)
                for i in range(officers + 1)
            ]
            broker = MosquittoProcess(
                Path(folder) / "mqtt",
                office=office,
                accounts=[SERVER, DISPLAY, *accounts],
                port=free_port(),
            )
            with broker:
                result = _serve_and_load(
                    services,
                    office,
                    broker.port,
                    accounts,
                    tokens,
                    seconds,
                    rate,
                    workers,
                    threads,
                    combined,
                )
            with services.database.reader() as session:
                visits = {
                    str(row[0])
                    for row in session.execute(
                        text("select label from visits where office_id = :o"), {"o": office}
                    )
                }
            checks = invariants(services.database)
        finally:
            services.close()
    answered = result.pop("answered_labels")
    checks["answered_issues_without_visit"] = len(set(answered) - visits)
    checks["answered_twice"] = len(answered) - len(set(answered))
    return {
        "db": kind,
        "kiosks": kiosks,
        "officers": officers,
        "workers": workers,
        "threads": threads,
        "combined": combined,
        **result,
        "checks": checks,
    }


def _serve_and_load(
    services: Any,
    office: str,
    broker_port: int,
    accounts: list[Account],
    tokens: list[str],
    seconds: float,
    rate: float,
    workers: int,
    threads: int,
    combined: bool,
) -> dict[str, Any]:
    address = BrokerAddress("127.0.0.1", broker_port, SERVER.username, SERVER.password)
    server_mqtt = ServerMqtt(
        broker=address,
        office=office,
        handler=KioskRequests(issuing=services.issuing),
        limits=STRESS_LIMITS,
        workers=workers,
    )
    with server_side(services, server_mqtt, threads=threads) as http_port:
        return in_own_process(  # type: ignore[no-any-return]
            load, broker_port, http_port, office, accounts, tokens[:-1], tokens[-1], seconds, rate,
            combined, timeout_s=4 * seconds + 120,
        )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--kiosks", type=int, default=20)
    parser.add_argument("--officers", type=int, default=22)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rate", type=float, default=20, help="paced issues/s of part 2")
    parser.add_argument("--seed-tickets", type=int, default=1500)
    parser.add_argument(
        "--workers", type=int, default=0, help="MQTT worker threads (0: antre serve's default)"
    )
    parser.add_argument(
        "--threads", type=int, default=0, help="HTTP threads (0: antre serve's default)"
    )
    add_combined_option(parser)
    args = parser.parse_args()
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # busy by design here
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    result = run(
        args.db,
        args.kiosks,
        args.officers,
        args.seconds,
        args.rate,
        args.seed_tickets,
        args.workers,
        args.threads,
        args.combined,
    )
    for key, value in result.items():
        print(f"{key}: {value}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    bad = {name: value for name, value in result["checks"].items() if value}
    raise SystemExit(1 if bad else 0)


if __name__ == "__main__":
    main()
