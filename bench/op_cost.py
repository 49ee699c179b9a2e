"""CPU per operation, in-process (issue 13 item 1: at most 1 ms per issue and officer action).

Usage: python bench/op_cost.py --db sqlite|postgres [--issues 1000] [--profile issue|call|finish]

One thread, no broker: ``--issues`` kiosk issue requests go through the kiosk path
(``KioskRequests.answer``: decode, validate, retry key, issuing, estimate, SQL, outbox,
answer encode), then two counters call and finish every ticket through the officer use
cases. Reports CPU (``time.process_time``) per issue, per call and per finish, and the
statements sent per operation (BEGIN and COMMIT included). On PostgreSQL an issue's
statements travel in pipeline mode, three round trips for all of them: statements are
not round trips (those are counted on the wire by ``tests/services/test_round_trips.py``).
``--profile`` prints the top cProfile entries of one kind of operation.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import time
import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import event

from common import bench_site
from queue_server.mqtt.kiosk_requests import kiosk_requests_for
from queue_server.protocol import topics
from queue_server.protocol.topics import KioskAction
from queue_server.services.unit import Actor

OFFICER = Actor(name="bench-officer")
DESKS = ("bench-01", "bench-02")


class RoundTrips:
    """Statements sent to the database (plus BEGIN/COMMIT/ROLLBACK)."""

    def __init__(self, engines: Any) -> None:
        self.count = 0
        for engine in engines:
            event.listen(engine, "before_cursor_execute", self._statement)
            event.listen(engine, "begin", self._statement)
            event.listen(engine, "commit", self._statement)
            event.listen(engine, "rollback", self._statement)

    def _statement(self, *_args: Any) -> None:
        self.count += 1


def measure(
    label: str, operations: list[Callable[[], object]], trips: RoundTrips, profile: bool
) -> dict[str, Any]:
    profiler = cProfile.Profile() if profile else None
    before = trips.count
    started = time.process_time()
    if profiler is not None:
        profiler.enable()
    for operation in operations:
        operation()
    if profiler is not None:
        profiler.disable()
    cpu = time.process_time() - started
    if profiler is not None:
        print(f"--- profile of {label} ---")
        pstats.Stats(profiler).sort_stats(os.environ.get("SORT", "tottime")).print_stats(
            os.environ.get("FILTER", ""), 30
        )
    count = len(operations)
    return {
        "operations": count,
        "cpu_ms_per_op": round(cpu * 1000 / count, 3),
        "statements_per_op": round((trips.count - before) / count, 2),
    }


def run(kind: str, issues: int, profile: str | None) -> dict[str, Any]:
    with bench_site(kind, "antre-opcost-") as site:
        services, office = site.services, site.office
        handler = kiosk_requests_for(services)
        trips = RoundTrips(services.database.engines)
        topic = topics.parse(topics.kiosk_request(office, "kiosk-01", KioskAction.ISSUE_TICKET))

        def issue() -> None:
            body = {"transaction": str(uuid.uuid4()), "data": {"service": "pengaduan"}}
            reply = handler.answer(topic, json.dumps(body).encode())
            assert reply is not None and b'"ok"' in reply.payload, reply

        for _ in range(20):  # warm up: caches, compiled statements, pools
            issue()
        results: dict[str, Any] = {"db": kind}
        results["issue"] = measure("issue", [issue] * issues, trips, profile == "issue")
        for desk in DESKS:
            services.officer.open_counter(office, desk, actor=OFFICER)
        rounds = (issues + 20) // len(DESKS)
        calls = [
            lambda desk=desk: services.officer.call_next(office, desk, actor=OFFICER)
            for desk in DESKS
        ]
        finishes = [
            lambda desk=desk: services.officer.finish(office, desk, actor=OFFICER, end_visit=True)
            for desk in DESKS
        ]
        call_stats: list[dict[str, Any]] = []
        finish_stats: list[dict[str, Any]] = []
        for index in range(rounds):
            call_stats.append(measure("call", calls, trips, profile == "call" and index == 5))
            finish_stats.append(
                measure("finish", finishes, trips, profile == "finish" and index == 5)
            )
        for name, stats in (("call", call_stats), ("finish", finish_stats)):
            count = sum(item["operations"] for item in stats)
            results[name] = {
                "operations": count,
                "cpu_ms_per_op": round(
                    sum(item["cpu_ms_per_op"] * item["operations"] for item in stats) / count, 3
                ),
                "statements_per_op": round(
                    sum(item["statements_per_op"] * item["operations"] for item in stats) / count,
                    2,
                ),
            }
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--issues", type=int, default=1000)
    parser.add_argument("--profile", choices=("issue", "call", "finish"))
    args = parser.parse_args()
    print(json.dumps(run(args.db, args.issues, args.profile)))


if __name__ == "__main__":
    main()
