"""P3: the officer HTTP API under 50 concurrent officers (target >= 500 calls/s, 0 double calls).

Usage: python bench/officer_api.py --db sqlite|postgres [--officers 50] [--tickets 6000]
       [--seconds 20] [--threads N (antre serve's default, 48)] [--mqtt] [--processes N]
       [--combined]

The server runs as a separate process (`antre serve`, waitress) on a random loopback
port; this process plays the officers, each on its own keep-alive connection with its
own machine token and counter, looping call-next -> finish. Every HTTP request counts
as one call. Double calls and the other invariants are checked from the tables after.
With --mqtt the server runs its managed broker (a random loopback port) and publishes
every call and state change to it, as in an office; without, it runs ``--no-mqtt``.
With --processes N (N > 1) it runs ``antre serve --processes N``: the officers'
connections are spread over the processes by the kernel. With --combined each officer
calls once and then loops ``finish`` with ``{"call_next": true}`` (the console's "Finish &
call next"): one request per applicant. ``applicants_called_per_s`` counts the calls
made, in either mode (half the requests in the default one).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta

from common import (
    FINISH_AND_CALL_NEXT,
    OPEN_MOMENT,
    ROOT,
    add_combined_option,
    bench_office,
    database_url,
    invariants,
    prepare,
    summary_ms,
)
from queue_server.config import ServerConfig
from queue_server.domain.ids import Role, TicketSource
from queue_server.persistence.db import open_database
from queue_server.services.accounts import AccountService
from queue_server.services.events import EventBus
from queue_server.services.issuing import IssueRequest, IssuingService
from queue_server.services.offices import OfficeCatalog
from queue_server.services.unit import Actor


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def seed(url: str, officers: int, tickets: int) -> tuple[str, list[str]]:
    database = open_database(url)
    office = prepare(database, url, bench_office(officers))
    clock_start = time.monotonic()
    shared = {
        "database": database,
        "catalog": OfficeCatalog(),
        "events": EventBus(),
        "clock": lambda: OPEN_MOMENT + timedelta(seconds=time.monotonic() - clock_start),
    }
    issuing = IssuingService(nik_key=b"bench", **shared)  # type: ignore[arg-type]
    for _ in range(tickets):
        issuing.issue(
            IssueRequest(office=office, service="pengaduan", source=TicketSource.KIOSK),
            actor=Actor(name="seed"),
        )
    accounts = AccountService(**shared)  # type: ignore[arg-type]
    tokens = [
        accounts.create_token(f"officer-{i}", Role.PETUGAS, actor=Actor(name="bench"))
        for i in range(officers)
    ]
    database.dispose()
    return office, tokens


def wait_ready(port: int, limit_s: float = 30) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("server did not start")


def officer_loop(
    port: int,
    office: str,
    index: int,
    token: str,
    until: float,
    latencies: list[float],
    statuses: dict[int | str, int],
    lock: threading.Lock,
    combined: bool = False,
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    base = f"/api/v1/offices/{office}/counters/bench-{index + 1:02d}"

    called: list[bool] = []

    def post(action: str, body: bytes = b"{}") -> int:
        started = time.perf_counter()
        connection.request("POST", f"{base}/{action}", body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        calls = response.status == 200 and (
            action == "call-next" or json.loads(data).get("called") is not None
        )
        called.append(calls)
        with lock:
            latencies.append(time.perf_counter() - started)
            statuses[response.status] = statuses.get(response.status, 0) + 1
            statuses["calls"] = statuses.get("calls", 0) + calls
        return response.status

    post("open")
    if combined:  # the console's "Finish & call next": one request per applicant
        if post("call-next") != 200:
            return
        while time.monotonic() < until:
            if post("finish", FINISH_AND_CALL_NEXT) != 200 or not called[-1]:
                break
        return
    while time.monotonic() < until:
        if post("call-next") != 200:
            break
        post("finish")


def _server_command(
    port: int, threads: int, workers: int, mqtt: bool = False, processes: int = 1
) -> list[str]:
    """``antre serve`` (waitress, one process), or gunicorn with ``workers`` processes."""
    if workers > 1:
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{port}",
            "queue_server.web.wsgi:app",
        ]
    broker = ["--mqtt-port", str(free_port())] if mqtt else ["--no-mqtt"]
    serve = ["serve", *broker, "--port", str(port), "--threads", str(threads)]
    if processes > 1:
        serve += ["--processes", str(processes)]
    return [sys.executable, "-m", "queue_server.cli", *serve]


def run(
    kind: str,
    officers: int,
    tickets: int,
    seconds: float,
    threads: int,
    workers: int = 1,
    mqtt: bool = False,
    processes: int = 1,
    combined: bool = False,
) -> dict[str, object]:
    with database_url(kind) as url:
        office, tokens = seed(url, officers, tickets)
        port = free_port()
        env = {**os.environ, "ANTRE_DATABASE_URL": url, "ANTRE_NIK_KEY": "bench"}
        # the managed broker keeps its files beside a SQLite file, else in ./var/mqtt
        folder = tempfile.mkdtemp(prefix="antre-bench-serve-")
        server = subprocess.Popen(
            _server_command(port, threads, workers, mqtt, processes),
            cwd=folder if mqtt else ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_ready(port)
            latencies: list[float] = []
            statuses: dict[int | str, int] = {}
            lock = threading.Lock()
            until = time.monotonic() + seconds
            officer_threads = [
                threading.Thread(
                    target=officer_loop,
                    args=(port, office, i, tokens[i], until, latencies, statuses, lock, combined),
                )
                for i in range(officers)
            ]
            began = time.perf_counter()
            for thread in officer_threads:
                thread.start()
            for thread in officer_threads:
                thread.join()
            elapsed = time.perf_counter() - began
        finally:
            server.terminate()
            server.wait(timeout=30)
            shutil.rmtree(folder, ignore_errors=True)
        database = open_database(url)
        checks = invariants(database)
        database.dispose()
    return {
        "db": kind,
        "server_processes": max(workers, processes),
        "mqtt": mqtt,
        "officers": officers,
        "requests": len(latencies),
        # requests/s: each call-next and each finish counts (the P3 measure since issue 13)
        "calls_per_s": round(len(latencies) / elapsed, 1),
        "applicants_called_per_s": round(statuses.pop("calls", 0) / elapsed, 1),
        "combined": combined,
        "latency": summary_ms(latencies),
        "statuses": json.dumps(statuses),
        **checks,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--officers", type=int, default=50)
    parser.add_argument("--tickets", type=int, default=6000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument(
        "--threads", type=int, default=ServerConfig.model_fields["threads"].default
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="more than 1: gunicorn with this many processes (gthread)",
    )
    parser.add_argument(
        "--mqtt", action="store_true", help="publish to the managed broker (not --no-mqtt)"
    )
    parser.add_argument(
        "--processes", type=int, default=1, help="antre serve --processes N (shares HTTP)"
    )
    add_combined_option(parser)
    args = parser.parse_args()
    result = run(
        args.db,
        args.officers,
        args.tickets,
        args.seconds,
        args.threads,
        args.workers,
        args.mqtt,
        args.processes,
        args.combined,
    )
    for key, value in result.items():
        print(f"{key}: {value}")
    raise SystemExit(1 if result["double_calls"] else 0)


if __name__ == "__main__":
    main()
