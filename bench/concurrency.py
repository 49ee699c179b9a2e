"""R1: kiosks issuing and officers calling at the same time; nothing duplicated or lost.

Usage: python bench/concurrency.py --db sqlite|postgres [--kiosks 20] [--issues 500]
       [--officers 40] [--max-seconds 600]

Kiosk threads issue tickets through the issuing use case; officer threads open their
counter and loop call-next -> finish until every issued ticket has been served. The
checks are made afterwards from the tables: duplicate numbers, double calls, two live
tickets for one visit, two active tickets at one counter, and lost tickets (issued and
acknowledged, but missing or never served).
"""

from __future__ import annotations

import argparse
import threading
import time
from datetime import timedelta

from sqlalchemy import text

from common import OPEN_MOMENT, bench_office, database_url, invariants, prepare, summary_ms
from queue_server.domain.errors import CounterBusy, QueueEmpty
from queue_server.domain.ids import TicketSource
from queue_server.persistence.db import open_database
from queue_server.services.events import EventBus
from queue_server.services.issuing import IssueRequest, IssuingService
from queue_server.services.officer import OfficerService
from queue_server.services.offices import OfficeCatalog
from queue_server.services.unit import Actor


def advancing_clock() -> object:
    started = time.monotonic()
    return lambda: OPEN_MOMENT + timedelta(seconds=time.monotonic() - started)


def run(
    kind: str, kiosks: int, issues: int, officers: int, max_seconds: float
) -> dict[str, object]:
    with database_url(kind) as url:
        database = open_database(url, pool_size=max(10, kiosks + officers))
        office = prepare(database, url, bench_office(officers))
        shared = {
            "database": database,
            "catalog": OfficeCatalog(),
            "events": EventBus(),
            "clock": advancing_clock(),
        }
        issuing = IssuingService(nik_key=b"bench", **shared)  # type: ignore[arg-type]
        officer = OfficerService(**shared)  # type: ignore[arg-type]
        services = ["paspor-walkin", "pengaduan", "pengambilan-paspor", "informasi"]
        deadline = time.monotonic() + max_seconds
        acknowledged: list[int] = []
        issue_latency: list[float] = []
        call_latency: list[float] = []
        issuing_done = threading.Event()
        lock = threading.Lock()

        def kiosk(index: int) -> None:
            for number in range(issues):
                if time.monotonic() > deadline:
                    return
                started = time.perf_counter()
                issued = issuing.issue(
                    IssueRequest(
                        office=office,
                        service=services[(index + number) % len(services)],
                        source=TicketSource.KIOSK,
                        priority_category="elderly" if number % 7 == 0 else None,
                    ),
                    actor=Actor(name=f"kiosk-{index}"),
                )
                with lock:
                    issue_latency.append(time.perf_counter() - started)
                    acknowledged.append(issued.ticket_id)

        def desk(index: int) -> None:
            counter = f"bench-{index:02d}"
            actor = Actor(name=f"officer-{index}")
            officer.open_counter(office, counter, actor=actor)
            while time.monotonic() < deadline:
                started = time.perf_counter()
                try:
                    officer.call_next(office, counter, actor=actor)
                except QueueEmpty:
                    if issuing_done.is_set():
                        return
                    time.sleep(0.05)
                    continue
                except CounterBusy:
                    pass
                with lock:
                    call_latency.append(time.perf_counter() - started)
                officer.finish(office, counter, actor=actor, end_visit=True)

        kiosk_threads = [threading.Thread(target=kiosk, args=(i,)) for i in range(kiosks)]
        desk_threads = [threading.Thread(target=desk, args=(i,)) for i in range(1, officers + 1)]
        began = time.perf_counter()
        for thread in kiosk_threads + desk_threads:
            thread.start()
        for thread in kiosk_threads:
            thread.join()
        issuing_done.set()
        issued_in = time.perf_counter() - began
        for thread in desk_threads:
            thread.join()
        total = time.perf_counter() - began
        checks = invariants(database)
        with database.reader() as session:
            present = {
                row[0]
                for row in session.execute(
                    text("select id from tickets where status = 'done' and step_index = 0")
                )
            }
        checks["lost_tickets"] = sum(1 for ticket in acknowledged if ticket not in present)
        database.dispose()
    return {
        "db": kind,
        "issued": len(acknowledged),
        "calls": len(call_latency),
        "issue_rate_per_s": round(len(acknowledged) / issued_in, 1),
        "wall_s": round(total, 1),
        "issue": summary_ms(issue_latency),
        "call_next": summary_ms(call_latency),
        **checks,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--kiosks", type=int, default=20)
    parser.add_argument("--issues", type=int, default=500, help="tickets per kiosk")
    parser.add_argument("--officers", type=int, default=40)
    parser.add_argument("--max-seconds", type=float, default=600)
    args = parser.parse_args()
    result = run(args.db, args.kiosks, args.issues, args.officers, args.max_seconds)
    for key, value in result.items():
        print(f"{key}: {value}")
    failures = [
        k
        for k in (
            "duplicate_numbers",
            "double_calls",
            "lost_tickets",
            "visits_with_two_live_tickets",
            "counters_with_two_active",
        )
        if result[k]
    ]
    raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()
