"""R2: nothing lost or duplicated through broker crashes and server kill -9.

Usage: python bench/resilience.py [--kiosks 5] [--seconds 120] [--broker-kills 10]
       [--server-kills 5]

`antre serve` (SQLite, its managed Mosquitto) runs as a child process. Kiosks (the real
kiosk link: resends by transaction, SQLite outbox, leased number blocks, offline issuing
and sync) issue a ticket every ~0.5 s each. Meanwhile the broker is killed with SIGKILL
(the server's watchdog brings it back) and the server itself is killed with SIGKILL and
started again. At the end every kiosk syncs, then the server's tables are compared with
what the kiosks printed: every printed ticket must be on the server exactly once, and no
ticket the kiosks never printed may still be waiting. The time from a kiosk's link coming
back to its outbox being empty is the sync delay (target <= 5 s).
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from common import ROOT, summary_ms
from kiosk.link import (
    IssuedOffline,
    KioskCore,
    KioskLink,
    LinkConfig,
    LocalStore,
    OfflineIssuer,
    Outbox,
)
from kiosk.link.errors import LinkError
from queue_server.mqtt.broker import free_port
from tests.support.offices import always_open_office

OFFICE = "kanim-test"
SERVICES = ["walkin", "lost"]


def antre(*args: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "queue_server.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout


class Server:
    """``antre serve`` as a child process that can be killed hard and started again."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.database = folder, str(folder / "antre.db")
        self.http_port, self.mqtt_port = free_port(), free_port()
        self.log = (folder / "serve.log").open("a")
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "queue_server.cli",
            "serve",
            "--db",
            self.database,
            "--port",
            str(self.http_port),
            "--mqtt-port",
            str(self.mqtt_port),
        ]
        env = {**os.environ, "ANTRE_MQTT_ACCOUNT_CHECK_S": "5"}
        self.process = subprocess.Popen(
            command, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, env=env
        )
        self._wait_for_broker_pid()

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def kill_broker(self) -> None:
        pid = int((self.folder / "mqtt" / "mosquitto.pid").read_text())
        os.kill(pid, signal.SIGKILL)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.log.close()

    def _wait_for_broker_pid(self) -> None:
        import urllib.request

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.http_port}/healthz", timeout=1)
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("antre serve did not come up")


class Kiosk:
    def __init__(self, folder: Path, device: str, password: str, port: int) -> None:
        config = LinkConfig(
            office=OFFICE,
            device=device,
            password=password,
            port=port,
            timezone="Asia/Makassar",
            reconnect_max_s=2,
            resend_s=0.5,
        )
        clock = lambda: datetime.now(UTC)  # noqa: E731
        self.store = LocalStore(folder / f"{device}.db")
        self.link = KioskLink(config, clock=clock)
        self.outbox = Outbox(self.store)
        self.issuer = OfflineIssuer(
            store=self.store,
            outbox=self.outbox,
            link=self.link,
            clock=clock,
            timezone=config.timezone,
            block_size=30,
            refill_below=10,
        )
        self.core = KioskCore(
            link=self.link, outbox=self.outbox, issuer=self.issuer, offline_services=SERVICES
        )
        self.online: list[str] = []
        self.offline = 0
        self.refused = 0
        self.sync_delays: list[float] = []
        self.link.start()
        self.core.start()

    def issue_one(self) -> None:
        try:
            issued = self.core.issue(random.choice(SERVICES))
        except LinkError:
            self.refused += 1
            return
        if isinstance(issued, IssuedOffline):
            self.offline += 1
        else:
            self.online.append(issued.label)

    def watch_sync(self, stop: threading.Event) -> None:
        """Time from the link coming back to every offline ticket being on the server."""
        was_up = True
        came_back = None
        while not stop.is_set():
            up = self.link.ready.is_set()
            if up and not was_up:
                came_back = time.monotonic()
            if came_back is not None and self.issuer.pending_count() == 0:
                self.sync_delays.append(time.monotonic() - came_back)
                came_back = None
            was_up = up
            time.sleep(0.05)

    def close(self) -> None:
        self.core.stop()
        self.link.close()
        self.store.close()


def run(
    kiosk_count: int, seconds: float, broker_kills: int, server_kills: int
) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="antre-r2-") as name:
        folder = Path(name)
        os.chmod(folder, 0o755)
        server = Server(folder)
        antre("office", "load", str(always_open_office(folder)), "--db", server.database)
        passwords = {}
        for index in range(kiosk_count):
            device = f"kiosk-{index + 1}"
            out = antre(
                "device",
                "add",
                device,
                "--kind",
                "kiosk",
                "--office",
                OFFICE,
                "--db",
                server.database,
            )
            passwords[device] = next(
                line.split()[2] for line in out.splitlines() if line.startswith("MQTT password:")
            )
        server.start()
        kiosks = [Kiosk(folder, device, pw, server.mqtt_port) for device, pw in passwords.items()]
        stop = threading.Event()
        watchers = [threading.Thread(target=k.watch_sync, args=(stop,)) for k in kiosks]
        for watcher in watchers:
            watcher.start()

        def load(kiosk: Kiosk) -> None:
            while not stop.is_set():
                kiosk.issue_one()
                time.sleep(random.uniform(0.3, 0.7))

        loaders = [threading.Thread(target=load, args=(k,)) for k in kiosks]
        for loader in loaders:
            loader.start()
        events = ["broker"] * broker_kills + ["server"] * server_kills
        random.shuffle(events)
        gap_s = seconds / (len(events) + 1)
        try:
            for event in events:
                time.sleep(gap_s)
                if event == "broker":
                    server.kill_broker()
                else:
                    server.kill()
                    time.sleep(2)
                    server.start()
            time.sleep(gap_s)
        finally:
            stop.set()
            for thread in loaders + watchers:
                thread.join(timeout=60)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and any(k.issuer.pending_count() for k in kiosks):
            for kiosk in kiosks:
                kiosk.core.maintain()
            time.sleep(0.5)
        printed = [label for k in kiosks for label in k.online]
        printed += [
            record["server_label"]
            for k in kiosks
            for record in k.issuer.records()
            if record["status"] == "accepted"
        ]
        pending = sum(k.issuer.pending_count() for k in kiosks)
        refused_sync = sum(
            1 for k in kiosks for record in k.issuer.records() if record["status"] == "refused"
        )
        delays = [delay for k in kiosks for delay in k.sync_delays]
        for kiosk in kiosks:
            kiosk.close()
        server.stop()
        with sqlite3.connect(server.database) as db:
            rows = db.execute(
                "select v.label, t.status from visits v join tickets t on t.visit_id = v.id"
            ).fetchall()
        on_server = Counter(label for label, _ in rows)
        status = dict(rows)
        printed_set = set(printed)
    return {
        "kiosks": kiosk_count,
        "seconds": seconds,
        "broker_kills": broker_kills,
        "server_kills": server_kills,
        "tickets_printed": len(printed),
        "of_which_offline": sum(k.offline for k in kiosks),
        "refused_at_kiosk": sum(k.refused for k in kiosks),
        "printed_twice": len(printed) - len(printed_set),
        "printed_but_missing_on_server": len(printed_set - set(on_server)),
        "duplicated_on_server": sum(1 for count in on_server.values() if count > 1),
        "phantoms_still_waiting": sum(
            1 for label in on_server if label not in printed_set and status[label] == "waiting"
        ),
        "phantoms_withdrawn": sum(
            1 for label in on_server if label not in printed_set and status[label] == "cancelled"
        ),
        "offline_left_unsynced": pending,
        "offline_refused_by_server": refused_sync,
        "sync_after_reconnect": summary_ms(delays) if delays else "no outage seen",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kiosks", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--broker-kills", type=int, default=10)
    parser.add_argument("--server-kills", type=int, default=5)
    args = parser.parse_args()
    result = run(args.kiosks, args.seconds, args.broker_kills, args.server_kills)
    for key, value in result.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
