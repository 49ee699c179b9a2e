"""P1: ticket issuing over MQTT, kiosk request -> server response, 20 kiosks.

Usage: python bench/mqtt_issue.py [--db sqlite|postgres] [--kiosks 20] [--rate 100]
       [--seconds 10] [--workers 1]

A real Mosquitto on a random loopback port, the server's MQTT adapter in this process,
and 20 kiosk clients (each with its own account) sending `issue_ticket` requests. Paced
mode spreads --rate requests per second over the kiosks and reports round-trip latency;
then a closed-loop run (each kiosk sends its next request when the answer arrives)
reports the sustained rate. Both runs are bounded by --seconds. --workers sets the
server client's worker threads (a kiosk's requests are handled in order, one at a time).
"""

from __future__ import annotations

import argparse
import json
import threading
import time
import uuid
from multiprocessing import Queue

import paho.mqtt.client as mqtt

from common import bench_site, close_client, in_own_process, subscribed_client, summary_ms
from queue_server.heap import settle_heap
from queue_server.mqtt.broker import Account, DeviceKind
from queue_server.mqtt.client import DeviceLimits
from queue_server.mqtt.fairness import RateLimit
from queue_server.mqtt.kiosk_requests import KioskRequests

WARM_UP_S = 1.0


class Kiosk:
    def __init__(self, port: int, office: str, account: Account) -> None:
        self.office, self.name = office, account.username
        self.sent: dict[str, float] = {}
        self.latencies: list[float] = []
        self.answered = threading.Semaphore(0)
        self.client = subscribed_client(
            port, account, f"antre/v1/{office}/kiosk/{self.name}/response/+", self._on_message
        )

    def _on_message(
        self, _client: mqtt.Client, _userdata: object, message: mqtt.MQTTMessage
    ) -> None:
        answer = json.loads(message.payload)
        started = self.sent.pop(answer["transaction"], None)
        if started is not None and answer["status"] == "ok":
            self.latencies.append(time.perf_counter() - started)
        self.answered.release()

    def send(self) -> None:
        transaction = str(uuid.uuid4())
        self.sent[transaction] = time.perf_counter()
        body = json.dumps({"transaction": transaction, "data": {"service": "pengaduan"}})
        self.client.publish(
            f"antre/v1/{self.office}/kiosk/{self.name}/request/issue_ticket", body, qos=1
        )

    def close(self) -> None:
        close_client(self.client)


#: P1 measures the server's capacity: 20 kiosks in a closed loop ask far more often than
#: a real kiosk (about one ticket in ten seconds), so the per-device rate limit and
#: backlog (defaults 10/s, burst 30, 100 waiting) are lifted here, or they would cap the
#: run at about 200 issues/s and answer the rest ``rate_limited``.
STRESS_LIMITS = DeviceLimits(rate=RateLimit(per_s=100_000, burst=100_000), backlog=100_000)


def paced(kiosks: list[Kiosk], rate: float, seconds: float) -> list[float]:
    interval = 1.0 / rate
    began = time.perf_counter()
    for index in range(int(rate * seconds)):
        target = began + index * interval
        time.sleep(max(0.0, target - time.perf_counter()))
        kiosks[index % len(kiosks)].send()
    time.sleep(2)  # let the last answers arrive
    return [value for kiosk in kiosks for value in kiosk.latencies]


def closed_loop(kiosks: list[Kiosk], seconds: float) -> float:
    for kiosk in kiosks:
        kiosk.latencies.clear()
    stop_at = time.perf_counter() + seconds

    def loop(kiosk: Kiosk) -> None:
        while time.perf_counter() < stop_at:
            kiosk.send()
            if not kiosk.answered.acquire(timeout=10):
                return

    threads = [threading.Thread(target=loop, args=(kiosk,)) for kiosk in kiosks]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(len(kiosk.latencies) for kiosk in kiosks) / (time.perf_counter() - began)


def simulate(
    port: int, office: str, accounts: list[Account], rate: float, seconds: float, results: Queue
) -> None:  # type: ignore[type-arg]
    """The kiosks, in their own process so they do not share the server's interpreter."""
    kiosks = [Kiosk(port, office, account) for account in accounts]
    try:
        # The server's first requests compile statements and load the office (~200 ms
        # once per process): measured apart, so the paced run shows the steady state.
        warm_up = paced(kiosks, rate, WARM_UP_S)
        for kiosk in kiosks:
            kiosk.latencies.clear()
        latencies = paced(kiosks, rate, seconds)
        sustained = closed_loop(kiosks, seconds)
    finally:
        for kiosk in kiosks:
            kiosk.close()
    results.put((latencies, sustained, max(warm_up, default=0.0)))


def run(
    kind: str, kiosk_count: int, rate: float, seconds: float, workers: int = 1
) -> dict[str, object]:
    accounts = [
        Account(f"kiosk-{i}", f"kiosk-secret-{i}", DeviceKind.KIOSK) for i in range(kiosk_count)
    ]
    with bench_site(kind, "antre-p1-") as site, site.broker(accounts) as broker:
        server = site.server_link(
            broker.port,
            handler=KioskRequests(issuing=site.services.issuing),
            workers=workers,
            limits=STRESS_LIMITS,
        )
        server.start()
        server.connected.wait(10)
        settle_heap()  # as antre serve does once started
        try:
            latencies, sustained, cold_max = in_own_process(
                simulate, broker.port, site.office, accounts, rate, seconds,
                timeout_s=3 * seconds + 60,
            )  # fmt: skip
        finally:
            server.stop()
    return {
        "db": kind,
        "kiosks": kiosk_count,
        "kiosk_process": "separate",
        "server_workers": workers,
        "paced_rate_per_s": rate,
        "answered": len(latencies),
        "round_trip": summary_ms(latencies),
        "warm_up_max_ms": round(cold_max * 1000, 1),
        "sustained_issues_per_s": round(sustained, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--kiosks", type=int, default=20)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=1, help="server MQTT worker threads")
    args = parser.parse_args()
    result = run(args.db, args.kiosks, args.rate, args.seconds, args.workers)
    for key, value in result.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
