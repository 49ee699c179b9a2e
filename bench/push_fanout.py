"""Push to browsers: 50 consoles, 10 lobby boards and 500 phones on one server.

Usage: python bench/push_fanout.py [--seconds 30] [--rate 10] [--consoles 50]
       [--boards 10] [--phones 500] [--threads 16]

`antre serve --no-mqtt` (waitress + the push hub, SQLite) runs as a child process on a
random loopback port with the demo office (50 counters, open around the clock). This
process opens every stream over loopback: 50 officer sessions on
`/api/v1/offices/<office>/stream`, 10 paired lobby displays on the same endpoint, and
500 phones on `/api/v1/public/tickets/<token>/stream`, one per waiting ticket (the phones
connect from 127.0.1.x addresses, 50 per address, as phones on an office Wi-Fi have
their own addresses). One thread reads every stream through a selector; 50 officer
threads (machine tokens, one counter each) call the next ticket and finish it at a
steady total ``--rate`` of calls per second for ``--seconds`` (each officer finishes the
ticket it serves just before calling the next).

Latency, per received update (the snapshot excluded):
- consoles and boards: receipt time minus the message's ``seq`` (microseconds since the
  epoch when the server published it), and for ``event/called`` also minus its ``ts``
  (the call's time in the transaction that committed it);
- phones: the first status other than ``waiting`` of a ticket, from the start of the
  officer's call-next request that called it (an upper bound on commit → phone).
Server RSS and CPU (from /proc) are read after the streams are open and at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import selectors
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from common import ROOT, bench_office, database_url, percentile
from queue_server.config import ServerConfig
from queue_server.demo import demo_settings
from queue_server.domain.ids import Role, TicketSource
from queue_server.mqtt.broker import free_port, hash_password
from queue_server.persistence.migrate import upgrade
from queue_server.services.container import build_services
from queue_server.services.issuing import IssueRequest
from queue_server.services.offices import store_office
from queue_server.services.unit import Actor
from tests.web.sse import Event, SseClient

PASSWORD = "bench-officer-password-1"
SERVICE = "pengaduan"
SETUP = Actor(name="bench")


def seed(url: str, officers: int, boards: int, tickets: int) -> dict[str, Any]:
    upgrade(url)
    services = build_services(ServerConfig(database_url=url, nik_key="bench"))
    try:
        settings = demo_settings(bench_office(officers))
        with services.database.writer() as session, session.begin():
            office = str(store_office(session, settings, now=datetime.now().astimezone()).office)
        services.accounts.create_user(
            "petugas", "Petugas", PASSWORD, Role.PETUGAS, actor=SETUP, offices=[office]
        )
        tokens = [
            services.accounts.create_token(f"desk-{i}", Role.PETUGAS, actor=SETUP, offices=[office])
            for i in range(officers)
        ]
        for index in range(boards):
            device = f"board-{index}"
            services.devices.add(office, device, "display", hash_password(device), actor=SETUP)
        issued = [
            services.issuing.issue(
                IssueRequest(office=office, service=SERVICE, source=TicketSource.KIOSK),
                actor=SETUP,
            )
            for _ in range(tickets)
        ]
    finally:
        services.close()
    return {"office": office, "tokens": tokens, "tickets": [(t.token, t.label) for t in issued]}


def request(port: int, method: str, path: str, body: Any = None, **headers: str) -> Any:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            method, path, body=json.dumps(body or {}),
            headers={"Content-Type": "application/json", **headers},
        )  # fmt: skip
        response = connection.getresponse()
        data = json.loads(response.read() or b"null")
        if response.status != 200:
            raise SystemExit(f"{method} {path}: {response.status} {data}")
        return data, response.getheader("Set-Cookie", "").split(";", 1)[0]
    finally:
        connection.close()


def wait_ready(port: int, limit_s: float = 60) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status in (200, 503):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server did not start")


class Streams:
    """Every open stream, read by one thread; what arrived and when."""

    def __init__(self) -> None:
        self.selector = selectors.DefaultSelector()
        self.state_latency: list[float] = []  # receipt - seq (publication)
        self.call_latency: list[float] = []  # event/called: receipt - ts (commit)
        self.phone_called: dict[str, float] = {}  # ticket label -> receipt of "called"
        self.received = {"console": 0, "board": 0, "phone": 0}
        self.closed = 0
        self.measuring = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)

    def add(self, client: SseClient, kind: str, label: str | None = None) -> None:
        if kind == "phone":
            first = client.next_event()
            assert first.name == "ticket", first
        else:
            client.snapshot()
        client.sock.setblocking(False)
        self.selector.register(client.sock, selectors.EVENT_READ, (client, kind, label))

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _read(self) -> None:
        while not self._stop.is_set():
            for key, _mask in self.selector.select(timeout=0.2):
                client, kind, label = key.data
                try:
                    events = client.read_available()
                except (EOFError, OSError):
                    self.selector.unregister(key.fileobj)
                    self.closed += 1
                    continue
                now = time.time()
                for found in events:
                    self._record(found, kind, label, now)

    def _record(self, found: Event, kind: str, label: str | None, now: float) -> None:
        if found.name == ":" or not self.measuring:
            return
        self.received[kind] += 1
        data = found.json()
        if kind == "phone":
            if data["status"] != "waiting" and label not in self.phone_called:
                self.phone_called[str(label)] = now
            return
        message = data["message"]
        self.state_latency.append(now - message["seq"] / 1e6)
        if data["topic"] == "event/called":
            at = datetime.fromisoformat(message["ts"]).timestamp()
            self.call_latency.append(now - at)


def officer(
    port: int, office: str, index: int, token: str, start: float, until: float, rate: float,
    count: int, called: dict[str, float], lock: threading.Lock,
) -> None:  # fmt: skip
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    base = f"/api/v1/offices/{office}/counters/bench-{index + 1:02d}"

    def post(action: str) -> Any:
        connection.request("POST", f"{base}/{action}", body=b"{}", headers=headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")

    status, answer = post("open")
    if status != 200:
        raise SystemExit(f"counter {index + 1} did not open: {status} {answer}")
    turn, serving = index, False
    while True:
        due = start + turn / rate
        if due >= until:
            return
        time.sleep(max(0.0, due - time.time()))
        if serving:  # the officer finishes the last applicant just before calling the next
            post("finish")
        began = time.time()
        status, answer = post("call-next")
        serving = status == 200 and bool(answer.get("ticket"))
        if serving:
            with lock:
                called[answer["ticket"]["label"]] = began
        turn += count


def proc_usage(pid: int) -> tuple[float, float]:
    """(RSS in MiB, CPU seconds used so far) of process ``pid``."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss_kib = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS"))
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return rss_kib / 1024, (int(fields[11]) + int(fields[12])) / ticks


def run(args: argparse.Namespace) -> dict[str, Any]:
    with database_url("sqlite") as url:
        calls = int(args.rate * args.seconds) + 10
        seeded = seed(url, args.consoles, args.boards, max(args.phones, calls) + 20)
        office, port = seeded["office"], free_port()
        env = {**os.environ, "ANTRE_DATABASE_URL": url, "ANTRE_NIK_KEY": "bench",
               "ANTRE_SECRET_KEY": "bench-secret-key-for-session-cookies"}  # fmt: skip
        command = [sys.executable, "-m", "queue_server.cli", "serve", "--no-mqtt",
                   "--port", str(port), "--threads", str(args.threads)]  # fmt: skip
        server = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        streams = Streams()
        try:
            wait_ready(port)
            time.sleep(1.0)  # the publisher's start-up refresh (the snapshot) is out
            stream_path = f"/api/v1/offices/{office}/stream"
            opened = time.monotonic()
            for _ in range(args.consoles):
                _, cookie = request(port, "POST", "/api/v1/auth/login",
                                    {"username": "petugas", "password": PASSWORD})  # fmt: skip
                streams.add(SseClient(port, stream_path, headers={"Cookie": cookie}), "console")
            for index in range(args.boards):
                device = f"board-{index}"
                _, cookie = request(port, "POST", "/api/v1/devices/pair",
                                    {"device": device, "password": device})  # fmt: skip
                streams.add(SseClient(port, stream_path, headers={"Cookie": cookie}), "board")
            for index, (token, label) in enumerate(seeded["tickets"][: args.phones]):
                phone = SseClient(
                    port, f"/api/v1/public/tickets/{token}/stream",
                    source=f"127.0.1.{1 + index // 50}",
                )  # fmt: skip
                streams.add(phone, "phone", label)
            open_s = time.monotonic() - opened
            streams.start()
            rss_open, cpu_open = proc_usage(server.pid)
            streams.measuring = True
            called: dict[str, float] = {}
            lock = threading.Lock()
            start = time.time() + 0.5
            until = start + args.seconds
            officers = [
                threading.Thread(
                    target=officer,
                    args=(
                        port,
                        office,
                        i,
                        seeded["tokens"][i],
                        start,
                        until,
                        args.rate,
                        args.consoles,
                        called,
                        lock,
                    ),
                )
                for i in range(args.consoles)
            ]
            samples: list[float] = []
            sampling = threading.Event()

            def sample_rss() -> None:
                while not sampling.wait(1.0):
                    samples.append(proc_usage(server.pid)[0])

            sampler = threading.Thread(target=sample_rss, daemon=True)
            sampler.start()
            for thread in officers:
                thread.start()
            for thread in officers:
                thread.join()
            time.sleep(3.0)  # the last updates (phones: coalesced to one a second)
            rss_end, cpu_end = proc_usage(server.pid)
            sampling.set()
            streams.stop()
        finally:
            server.terminate()
            server.wait(timeout=30)
    phone_latency = [
        streams.phone_called[label] - began
        for label, began in called.items()
        if label in streams.phone_called
    ]
    phones_called = sum(
        1 for label in called if label in {t[1] for t in seeded["tickets"][: args.phones]}
    )
    return {
        "streams": f"{args.consoles} consoles, {args.boards} boards, {args.phones} phones",
        "open_all_s": round(open_s, 1),
        "calls": len(called),
        "calls_per_s": round(len(called) / args.seconds, 1),
        "state_updates_received": streams.received["console"] + streams.received["board"],
        "publish_to_browser": _ms(streams.state_latency),
        "call_commit_to_browser": _ms(streams.call_latency),
        "phone_called_updates": f"{len(phone_latency)} of {phones_called} called phones",
        "call_request_to_phone": _ms(phone_latency),
        "phone_updates_received": streams.received["phone"],
        "streams_closed_by_server": streams.closed,
        "server_rss_mib": f"{rss_open:.0f} with streams open, {rss_end:.0f} at the end",
        "server_rss_each_5s": " ".join(f"{value:.0f}" for value in samples[::5]),
        "server_cpu": f"{(cpu_end - cpu_open) / (args.seconds + 3.5) * 100:.0f} % of one core",
    }


def _ms(samples: list[float]) -> str:
    if not samples:
        return "no samples"
    return (
        f"p50 {percentile(samples, 0.5) * 1000:.0f} ms, p99 {percentile(samples, 0.99) * 1000:.0f}"
        f" ms, max {max(samples) * 1000:.0f} ms ({len(samples)} samples)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--rate", type=float, default=10, help="calls per second, all counters")
    parser.add_argument("--consoles", type=int, default=50)
    parser.add_argument("--boards", type=int, default=10)
    parser.add_argument("--phones", type=int, default=500)
    parser.add_argument("--threads", type=int, default=16)
    result = run(parser.parse_args())
    for key, value in result.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
