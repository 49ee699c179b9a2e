"""R6: every committed call reaches the displays, across server kill -9 under load.

Usage: python bench/call_delivery.py [--db sqlite|postgres] [--seconds 60] [--kills 5]

`antre serve` runs as a child process against a Mosquitto started by this script (the
server reaches it as an external broker, so a kill -9 of the server leaves the broker and
the display's connection alone). Three officer threads loop call-next → (every third
ticket: recall) → finish over HTTP; meanwhile the server is killed with SIGKILL and
started again `--kills` times. A display client collects `event/called`. At the end the
calls committed in the database (every call and recall in the ticket timeline, including
those whose HTTP answer was lost in a kill) are compared with what the display received;
copies of one call (the same `id`) are counted apart.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
from sqlalchemy import create_engine, text

from common import DISPLAY, ROOT, SERVER, close_client, database_url, subscribed_client
from queue_server.mqtt.broker import MosquittoProcess, free_port
from tests.support.offices import always_open_office
from tests.support.serving import wait_for_http

OFFICE = "kanim-test"
COUNTERS = ["cs-1", "cs-2", "cs-3"]
COMMITTED_CALLS = text(
    "SELECT t.label, c.code, e.action FROM ticket_events e"
    " JOIN tickets t ON t.id = e.ticket_id JOIN counters c ON c.pk = e.counter_pk"
    " WHERE e.action IN ('call', 'call_specific', 'recall')"
)
Call = tuple[str, str, bool]  # label, counter, recall


class Server:
    """``antre serve`` as a child process that can be killed hard and started again."""

    def __init__(self, folder: Path, url: str, broker_port: int) -> None:
        self.folder, self.url = folder, url
        self.http_port = free_port()
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "ANTRE_DATABASE_URL": url,
            "ANTRE_NIK_KEY": "bench-nik-key",
            "ANTRE_SECRET_KEY": "bench-secret-key-for-session-cookies",
            "ANTRE_MQTT_URL": f"mqtt://{SERVER.username}:{SERVER.password}@127.0.0.1:{broker_port}",
        }
        self.log = (folder / "serve.log").open("a")
        self.process: subprocess.Popen[bytes] | None = None

    def antre(self, *args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "queue_server.cli", *args, "--db", self.url],
            cwd=self.folder, env=self.env, capture_output=True, text=True, timeout=120,
            check=True,
        ).stdout  # fmt: skip

    def start(self) -> None:
        command = [sys.executable, "-m", "queue_server.cli", "serve", "--db", self.url]
        self.process = subprocess.Popen(
            [*command, "--port", str(self.http_port)],
            cwd=self.folder, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for_http(self.http_port, within_s=60)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.log.close()


def post(port: int, token: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """One request on a fresh connection; None when the server is away or refuses."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    try:
        connection.request(
            "POST", f"/api/v1/offices/{OFFICE}/{path}", json.dumps(body or {}), headers
        )
        response = connection.getresponse()
        answer = json.loads(response.read())
        return answer if response.status == 200 else None
    except (OSError, http.client.HTTPException, ValueError):
        return None
    finally:
        connection.close()


def officer(
    server: Server, token: str, counter: str, stop: threading.Event, answered: list[Any]
) -> None:
    """call-next → (recall) → finish until ``stop``; calls answered 200 go to ``answered``."""
    port = server.http_port
    while post(port, token, f"counters/{counter}/open") is None and not stop.is_set():
        time.sleep(0.2)  # the counter stays open across server restarts
    index = 0
    while not stop.is_set():
        called = post(port, token, f"counters/{counter}/call-next")
        if called is None:
            time.sleep(0.05)  # the server is being restarted (or the queue is empty)
        else:
            answered.append((called["ticket"]["label"], counter, False))
            index += 1
            if index % 3 == 0 and post(port, token, f"counters/{counter}/recall") is not None:
                answered.append((called["ticket"]["label"], counter, True))
        post(port, token, f"counters/{counter}/finish", {"end_visit": True})


def display(port: int, inbox: queue.Queue[dict[str, Any]]) -> mqtt.Client:
    return subscribed_client(
        port,
        DISPLAY,
        f"antre/v1/{OFFICE}/event/called",
        lambda _c, _u, message: inbox.put(json.loads(message.payload)),
    )


def committed_calls(url: str) -> Counter[Call]:
    """Every call and recall in the database's ticket timeline (what the displays owe)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(COMMITTED_CALLS).all()
    finally:
        engine.dispose()
    return Counter((label, counter, action == "recall") for label, counter, action in rows)


def run(kind: str, seconds: float, kills: int, tickets: int) -> dict[str, object]:
    with database_url(kind) as url, tempfile.TemporaryDirectory(prefix="antre-r6-") as name:
        folder = Path(name)
        os.chmod(folder, 0o755)
        broker_port = free_port()
        with MosquittoProcess(
            folder / "mqtt", office=OFFICE, accounts=[SERVER, DISPLAY], port=broker_port
        ):
            server = Server(folder, url, broker_port)
            server.antre("office", "load", str(always_open_office(folder)))
            token = server.antre("token", "create", "officer", "--role", "petugas").split()[-1]
            inbox: queue.Queue[dict[str, Any]] = queue.Queue()
            watcher = display(broker_port, inbox)
            server.start()
            for _ in range(tickets):
                post(server.http_port, token, "tickets", {"service": "walkin"})
            stop = threading.Event()
            answered: list[Any] = []
            officers = [
                threading.Thread(target=officer, args=(server, token, counter, stop, answered))
                for counter in COUNTERS
            ]
            for thread in officers:
                thread.start()
            gap_s = seconds / (kills + 1)
            try:
                for _ in range(kills):
                    time.sleep(gap_s)
                    server.kill()
                    server.start()
                time.sleep(gap_s)
            finally:
                stop.set()
                for thread in officers:
                    thread.join(timeout=60)
            time.sleep(2)  # the calls answered last reach the outbox's next read
            committed = committed_calls(url)
            received: list[dict[str, Any]] = []
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and _missing(committed, received):
                try:
                    received.append(inbox.get(timeout=0.2))
                except queue.Empty:
                    continue
            server.stop()
            close_client(watcher)
    shown = {_call(message) for message in received}
    return {
        "seconds": seconds,
        "server_kills": kills,
        "calls_committed": sum(committed.values()),
        "calls_answered_to_officers": len(answered),
        "committed_never_published": _missing(committed, received),
        "answered_never_published": sum(1 for call in answered if call not in shown),
        "messages_received": len(received),
        "distinct_ids": len({message.get("id") for message in received} - {None}),
    }


def _call(message: dict[str, Any]) -> Call:
    return message["ticket"], message["counter"], message["recall"]


def _missing(committed: Counter[Call], received: list[dict[str, Any]]) -> int:
    """Committed calls no message announced (a ticket is recalled at most once here)."""
    return sum((committed - Counter({_call(message) for message in received})).values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--tickets", type=int, default=3000)
    args = parser.parse_args()
    for key, value in run(args.db, args.seconds, args.kills, args.tickets).items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
