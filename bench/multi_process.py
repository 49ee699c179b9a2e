"""Issue 13 item 3: `antre serve --processes N` measured from outside, N = 1, 2, 4...

Usage: python bench/multi_process.py [--db sqlite|postgres] [--processes 1,2,4]
       [--kiosks 20] [--rate 100] [--officers 10] [--seconds 8] [--broker managed|external]

For each N: a fresh database with the benchmark office (open around the clock), the real
server (`antre serve --processes N`, the per-device rate limit lifted as in
bench/mqtt_issue.py) with its managed Mosquitto on a random loopback port, or with
``--broker external`` a Mosquitto this script starts and stops (the server reaches it by
``ANTRE_MQTT_URL``, as a deployment with its own or a clustered broker does; the script
writes the server's and its followers' accounts, ``antre-bench``, ``antre-bench-2``...,
and the devices' into its password and ACL files), then

1. kiosks (in their own process): `issue_ticket` paced at --rate (round trip), then in a
   closed loop (sustained issues/s);
2. officers over HTTP (call-next + finish in a loop, the connections spread over the
   processes by the kernel) while a display listens to `event/called`: calls/s, and the
   time from sending call-next to the display getting the call (most calls are committed
   by a follower when N > 1: this is the wake-up path, not the 0.5 s poll);
3. the invariants (duplicate numbers, double calls) read from the tables.

The load generator shares the machine's cores with the server: compare N with N, not
with numbers taken on another machine.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import subprocess
import sys
import threading
import time
from multiprocessing import Queue
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from mqtt_issue import Kiosk, closed_loop, paced

from common import (
    ROOT,
    bench_office,
    close_client,
    database_url,
    in_own_process,
    invariants,
    prepare,
    subscribed_client,
    summary_ms,
)
from queue_server.config import ServerConfig
from queue_server.domain.ids import Role
from queue_server.mqtt.broker import (
    Account,
    DeviceKind,
    MosquittoProcess,
    free_port,
    hash_password,
)
from queue_server.mqtt.sharing import follower_account
from queue_server.persistence.db import open_database
from queue_server.services.container import build_services
from queue_server.services.unit import Actor

WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
START_S = 90.0
STRESS = {
    "ANTRE_MQTT_RATE_PER_S": "10000",
    "ANTRE_MQTT_RATE_BURST": "100000",
    "ANTRE_MQTT_BACKLOG_PER_DEVICE": "100000",
}
SERVER_USER = "antre-bench"


def external_broker(
    folder: Path, office: str, processes: int, devices: list[Account]
) -> tuple[MosquittoProcess, str]:
    """A Mosquitto of this script's own on a random loopback port, with an account for each
    server process and device; and the URL the server reaches it by."""
    password = os.urandom(12).hex()
    servers = [
        Account(follower_account(SERVER_USER, index), password, None)
        for index in range(1, processes + 1)
    ]
    port = free_port()
    broker = MosquittoProcess(
        folder / f"external-mqtt-{processes}", office=office, accounts=[*servers, *devices],
        port=port,
    )  # fmt: skip
    return broker, f"mqtt://{SERVER_USER}:{password}@127.0.0.1:{port}"


def always_open(counters: int) -> dict[str, Any]:
    settings = bench_office(counters)
    settings["calendar"]["hours"] = {day: ["00:00", "24:00"] for day in WEEK}
    settings["calendar"]["national_holidays"] = False
    return settings


def seed(url: str, officers: int, kiosks: list[Account], display: Account) -> tuple[str, list[str]]:
    database = open_database(url)
    office = prepare(database, url, always_open(officers))
    database.dispose()
    services = build_services(ServerConfig(database_url=url, nik_key="bench"))
    try:
        bench = Actor(name="bench")
        tokens = [
            services.accounts.create_token(f"officer-{i}", Role.PETUGAS, actor=bench)
            for i in range(officers)
        ]
        for account in [*kiosks, display]:
            assert account.kind is not None
            services.devices.add(
                office,
                account.username,
                account.kind.value,
                hash_password(account.password),
                actor=bench,
            )
    finally:
        services.close()
    return office, tokens


def kiosk_phase(
    port: int, office: str, accounts: list[Account], rate: float, seconds: float, results: Queue
) -> None:  # type: ignore[type-arg]
    kiosks = [Kiosk(port, office, account) for account in accounts]
    try:
        paced(kiosks, rate, 1.0)  # warm-up: every process compiles its statements once
        for kiosk in kiosks:
            kiosk.latencies.clear()
        latencies = paced(kiosks, rate, seconds)
        sustained = closed_loop(kiosks, seconds)
    finally:
        for kiosk in kiosks:
            kiosk.close()
    results.put((latencies, sustained))


class Display:
    """Notes when each call's label arrives."""

    def __init__(self, port: int, office: str, account: Account) -> None:
        self.arrived: dict[str, float] = {}
        self.client = subscribed_client(
            port, account, f"antre/v1/{office}/event/called", self._on_message
        )

    def _on_message(self, _c: mqtt.Client, _u: object, message: mqtt.MQTTMessage) -> None:
        call = json.loads(message.payload)
        self.arrived.setdefault(call["ticket"], time.perf_counter())


def officer_phase(
    port: int, office: str, tokens: list[str], seconds: float
) -> tuple[float, dict[str, float], dict[int, int]]:
    sent: dict[str, float] = {}
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    until = time.monotonic() + seconds

    def officer(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Authorization": f"Bearer {tokens[index]}", "Content-Type": "application/json"}
        base = f"/api/v1/offices/{office}/counters/bench-{index + 1:02d}"

        def post(action: str) -> tuple[int, dict[str, Any]]:
            connection.request("POST", f"{base}/{action}", body=b"{}", headers=headers)
            response = connection.getresponse()
            body = json.loads(response.read() or b"{}")
            with lock:
                statuses[response.status] = statuses.get(response.status, 0) + 1
            return response.status, body

        post("open")
        while time.monotonic() < until:
            started = time.perf_counter()
            status, body = post("call-next")
            if status != 200 or not body.get("ticket"):
                break
            with lock:
                sent[body["ticket"]["label"]] = started
            post("finish")
        connection.close()

    threads = [threading.Thread(target=officer, args=(i,)) for i in range(len(tokens))]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(sent) / (time.perf_counter() - began), sent, statuses


def wait_connected(log: Path, processes: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(
                f"the server stopped at start:\n{log.read_text(errors='replace')[-2000:]}"
            )
        if log.read_text(errors="replace").count("connected to the broker") >= processes:
            return
        time.sleep(0.2)
    raise SystemExit(f"not every process connected within {START_S:.0f} s; see {log}")


def run(kind: str, processes: int, args: argparse.Namespace) -> dict[str, object]:
    kiosks = [
        Account(f"kiosk-{i}", f"kiosk-secret-{i}", DeviceKind.KIOSK) for i in range(args.kiosks)
    ]
    display = Account("lobby-1", "display-secret", DeviceKind.DISPLAY)
    with database_url(kind) as url:
        office, tokens = seed(url, args.officers, kiosks, display)
        folder = Path(url.removeprefix("sqlite:///")).parent if kind == "sqlite" else ROOT / "var"
        log = folder / f"multi-process-{processes}.log"
        http_port, mqtt_port = free_port(), free_port()
        command = [sys.executable, "-m", "queue_server.cli", "serve", "--db", url]
        command += ["--port", str(http_port), "--processes", str(processes)]
        env = {**os.environ, **STRESS, "ANTRE_NIK_KEY": "bench", "PYTHONPATH": str(ROOT)}
        with contextlib.ExitStack() as stack:
            if args.broker == "external":
                broker, env["ANTRE_MQTT_URL"] = external_broker(
                    folder, office, processes, [*kiosks, display]
                )
                stack.enter_context(broker)
                mqtt_port = broker.port
            else:
                command += ["--mqtt-port", str(mqtt_port)]
            results = measure(args, processes, command, env, folder, log, http_port, mqtt_port,
                              office, tokens, kiosks, display)  # fmt: skip
        database = open_database(url)
        checks = invariants(database)
        database.dispose()
    return {
        "db": kind,
        "broker": args.broker,
        "processes": processes,
        **results,
        **checks,
    }


def measure(
    args: argparse.Namespace,
    processes: int,
    command: list[str],
    env: dict[str, str],
    folder: Path,
    log: Path,
    http_port: int,
    mqtt_port: int,
    office: str,
    tokens: list[str],
    kiosks: list[Account],
    display: Account,
) -> dict[str, object]:
    """Start the server, run the kiosks' and the officers' phases, stop the server."""
    with log.open("wb") as output:
        server = subprocess.Popen(command, cwd=folder, env=env, stdout=output, stderr=output)
    try:
        wait_connected(log, processes, server)
        latencies, sustained = in_own_process(
            kiosk_phase, mqtt_port, office, kiosks, args.rate, args.seconds,
            timeout_s=3 * args.seconds + 60,
        )  # fmt: skip
        screen = Display(mqtt_port, office, display)
        calls_per_s, sent, statuses = officer_phase(http_port, office, tokens, args.seconds)
        deadline = time.monotonic() + 10
        while len(screen.arrived) < len(sent) and time.monotonic() < deadline:
            time.sleep(0.05)
        close_client(screen.client)
        to_display = [
            screen.arrived[label] - at for label, at in sent.items() if label in screen.arrived
        ]
    finally:
        server.terminate()
        server.wait(timeout=60)
    return {
        "issue_paced": f"{args.rate:.0f}/s, {summary_ms(latencies)}",
        "issue_sustained_per_s": round(sustained, 1),
        "officers": args.officers,
        "calls_per_s": round(calls_per_s, 1),
        "call_to_display": summary_ms(to_display),
        "calls_not_displayed": len(sent) - len(to_display),
        "statuses": json.dumps(statuses),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--processes", default="1,2,4", help="comma-separated N to compare")
    parser.add_argument("--kiosks", type=int, default=20)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--officers", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument(
        "--broker",
        choices=["managed", "external"],
        default="managed",
        help="the server's managed Mosquitto, or one this script runs (ANTRE_MQTT_URL)",
    )
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    for count in [int(part) for part in args.processes.split(",")]:
        for key, value in run(args.db, count, args).items():
            print(f"{key}: {value}")
        print(f"load average: {os.getloadavg()[0]:.2f}")
        print()


if __name__ == "__main__":
    main()
