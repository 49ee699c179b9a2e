"""One kiosk floods the server; how long does another kiosk wait for a lookup?

Usage: python bench/flood_fairness.py [--db sqlite|postgres] [--flood 2000]
       [--lookups 20] [--workers 1]

A real Mosquitto on a random loopback port and the server's MQTT adapter in this process.
In a second process, kiosk A publishes --flood ``issue_ticket`` requests as fast as its
client can, while kiosk B sends a ``lookup`` every 100 ms (--lookups of them) and times
each answer. Run twice: with the default per-device limits (10 requests/s, burst 30,
backlog 100: most of the flood is answered ``rate_limited`` at once), and with the
limits lifted, so that the whole flood is queued and only the fair queue keeps B's
lookups from waiting behind it. For comparison, the same lifted run with the server's
messages in one first-in first-out line (the queue before the fair one) with one worker.
"""

from __future__ import annotations

import argparse
import json
import queue
import threading
import time
import uuid
from multiprocessing import Queue
from typing import Any

import paho.mqtt.client as mqtt

from common import bench_site, close_client, in_own_process, subscribed_client, summary_ms
from queue_server.mqtt.broker import Account, DeviceKind
from queue_server.mqtt.client import DeviceLimits
from queue_server.mqtt.fairness import FairQueue, RateLimit
from queue_server.mqtt.kiosk_requests import KioskRequests

FLOODER = Account("kiosk-a", "kiosk-secret-a", DeviceKind.KIOSK)
OTHER = Account("kiosk-b", "kiosk-secret-b", DeviceKind.KIOSK)
LIFTED = DeviceLimits(rate=RateLimit(per_s=1e6, burst=1_000_000), backlog=1_000_000)
LOOKUP_EVERY_S = 0.1


class OneLine(FairQueue[Any]):
    """Every device in one first-in first-out line: the queue before the fair one."""

    def put(self, device: str, item: Any) -> bool:
        return super().put("everyone", item)

    def done(self, device: str) -> None:
        super().done("everyone")


class Kiosk:
    """A kiosk client that notes when each answer arrived and its error code."""

    def __init__(self, port: int, office: str, account: Account) -> None:
        self.office, self.name = office, account.username
        self.answers: queue.Queue[tuple[str, str | None, float]] = queue.Queue()
        self.client = subscribed_client(
            port, account, f"antre/v1/{office}/kiosk/{self.name}/response/+", self._on_message
        )

    def _on_message(self, _client: mqtt.Client, _userdata: object, message: Any) -> None:
        answer = json.loads(message.payload)
        code = answer["error"]["code"] if answer["status"] == "error" else None
        self.answers.put((answer["transaction"], code, time.perf_counter()))

    def send(self, action: str, data: dict[str, Any]) -> str:
        transaction = str(uuid.uuid4())
        body = json.dumps({"transaction": transaction, "data": data})
        topic = f"antre/v1/{self.office}/kiosk/{self.name}/request/{action}"
        self.client.publish(topic, body, qos=1)
        return transaction

    def close(self) -> None:
        close_client(self.client)


def simulate(port: int, office: str, flood: int, lookups: int, results: Queue) -> None:  # type: ignore[type-arg]
    """Kiosk A floods, kiosk B looks up; in its own process, apart from the server."""
    flooder, other = Kiosk(port, office, FLOODER), Kiosk(port, office, OTHER)
    try:
        other.send("lookup", {"code": "warm-up"})  # the first query compiles statements
        other.answers.get(timeout=60)
        began = time.perf_counter()
        sender = threading.Thread(
            target=lambda: [flooder.send("issue_ticket", {"service": "pengaduan"})
                            for _ in range(flood)]
        )  # fmt: skip
        sender.start()
        latencies = []
        for _ in range(lookups):
            asked = time.perf_counter()
            transaction = other.send("lookup", {"code": "no-such-ticket"})
            while True:
                answered, _code, at = other.answers.get(timeout=300)
                if answered == transaction:
                    latencies.append(at - asked)
                    break
            time.sleep(max(0.0, LOOKUP_EVERY_S - (time.perf_counter() - asked)))
        sender.join()
        codes: dict[str, int] = {}
        last = began
        for _ in range(flood):
            _transaction, code, at = flooder.answers.get(timeout=600)
            codes[code or "ok"] = codes.get(code or "ok", 0) + 1
            last = max(last, at)
        results.put((latencies, codes, last - began))
    finally:
        flooder.close()
        other.close()


def run(
    kind: str, flood: int, lookups: int, workers: int, limits: DeviceLimits, *, fifo: bool = False
) -> dict[str, Any]:
    with bench_site(kind, "antre-flood-") as site, site.broker([FLOODER, OTHER]) as broker:
        server = site.server_link(
            broker.port,
            handler=KioskRequests(issuing=site.services.issuing, views=site.services.views),
            workers=workers,
            limits=limits,
        )
        if fifo:
            server._queue = OneLine(limits.backlog)
        server.start()
        server.connected.wait(10)
        try:
            latencies, codes, drained_s = in_own_process(
                simulate, broker.port, site.office, flood, lookups, timeout_s=900
            )
        finally:
            server.stop()
    return {
        "db": kind,
        "server_workers": workers,
        "queue": "one FIFO line" if fifo else "fair (per device, round-robin)",
        "limits": f"{limits.rate.per_s:g}/s burst {limits.rate.burst}, backlog {limits.backlog}",
        "flood": flood,
        "flood_answers": codes,
        "flood_answered_in_s": round(drained_s, 2),
        "lookup_round_trip": summary_ms(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--flood", type=int, default=2000)
    parser.add_argument("--lookups", type=int, default=20)
    parser.add_argument("--workers", type=int, default=1, help="server MQTT worker threads")
    args = parser.parse_args()
    runs = [
        run(args.db, args.flood, args.lookups, args.workers, DeviceLimits()),
        run(args.db, args.flood, args.lookups, args.workers, LIFTED),
        run(args.db, args.flood, args.lookups, 1, LIFTED, fifo=True),
    ]
    for result in runs:
        for key, value in result.items():
            print(f"{key}: {value}")
        print()


if __name__ == "__main__":
    main()
