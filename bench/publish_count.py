"""Messages the publisher sends per officer action (issue 13 item 1: publish what changed).

Usage: python bench/publish_count.py [--counters 22] [--calls 200]

The demo office with ``--counters`` desks on SQLite; every desk opens, then officers call
and finish ``--calls`` tickets round the desks. After each action (a call, a finish) the
publisher publishes the batch of that action's outbox rows, as its thread does when
actions arrive one by one, into a counting stub. Run
twice: as the publisher does now (only the states that changed) and as before (every
counter state, the board and the queue on every batch). Counts and CPU per batch.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from collections.abc import Collection

from common import bench_office, bench_site, prepare
from queue_server.domain.ids import TicketSource
from queue_server.mqtt.publisher import DELIVERED, Receipt, StatePublisher
from queue_server.services.issuing import IssueRequest
from queue_server.services.unit import Actor
from queue_server.services.views import OfficeView

OFFICER = Actor(name="bench-officer")


class EveryState(StatePublisher):
    """The publisher as it was: every counter state, the board and the queues each batch."""

    def publish_counters(
        self,
        office: str,
        *,
        everything: bool = False,
        only: Collection[str] | None = None,
        view: OfficeView | None = None,
    ) -> set[str]:
        super().publish_counters(office, everything=True, view=view)
        return set()  # the queues below: those the events name

    def publish_queues(
        self,
        office: str,
        services: Collection[str] | None,
        *,
        stations: Collection[str] = (),
        skip: Collection[str] = (),
        everything: bool = False,
        view: OfficeView | None = None,
    ) -> set[str]:
        return super().publish_queues(office, services, everything=True, view=view)


class OwnQueueOnly(StatePublisher):
    """Named counters, but only the event's own service queue (the queue set of the first
    cut, which left the other services' states stale): splits the cost below."""

    def publish_queues(
        self,
        office: str,
        services: Collection[str] | None,
        *,
        stations: Collection[str] = (),
        skip: Collection[str] = (),
        everything: bool = False,
        view: OfficeView | None = None,
    ) -> set[str]:
        return super().publish_queues(office, services, everything=everything, view=view)


def run(counters: int, calls: int, publisher_class: type[StatePublisher]) -> dict[str, object]:
    sent: Counter[str] = Counter()

    def publish(topic: str, _payload: bytes, _retain: bool) -> Receipt:
        kind = topic.split("/")[3] if topic.count("/") > 3 else topic.rsplit("/", 1)[-1]
        sent["counter_state" if "/counter/" in topic else kind] += 1
        return DELIVERED

    with bench_site("sqlite", "antre-publish-") as site:
        services, office = site.services, site.office
        prepare(services.database, site.url, bench_office(counters))
        publisher = publisher_class(
            views=services.views, publish=publish, outbox=services.outbox, configs=None
        )
        desks = [f"bench-{index:02d}" for index in range(1, counters + 1)]
        for _ in range(calls):
            services.issuing.issue(
                IssueRequest(office=office, service="paspor-walkin", source=TicketSource.KIOSK),
                actor=OFFICER,
            )
        for desk in desks:
            services.officer.open_counter(office, desk, actor=OFFICER)
        first = services.outbox.pending(offices=None, limit=100_000, skip=set())
        publisher._publish_batch(first, {office})  # the start: everything once
        services.outbox.delivered([entry.id for entry in first], seq=1)
        sent.clear()
        seen = {entry.id for entry in first}
        cpu = 0.0
        batches = 0
        for index in range(calls):
            desk = desks[index % len(desks)]
            for action in (services.officer.call_next, services.officer.finish):
                action(office, desk, actor=OFFICER)
                rows = [
                    entry
                    for entry in services.outbox.pending(offices=None, limit=1000, skip=seen)
                    if entry.id not in seen
                ]
                seen.update(entry.id for entry in rows)
                started = time.process_time()
                publisher._publish_batch(rows, set())
                publisher.publish_moved()  # as the thread does once its inbox is empty
                cpu += time.process_time() - started
                batches += 1
        return {
            "batches": batches,
            "messages": sum(sent.values()),
            "per_batch": round(sum(sent.values()) / batches, 1),
            "by_kind": dict(sent),
            "cpu_ms_per_batch": round(cpu * 1000 / batches, 2),
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--counters", type=int, default=22)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    kinds: list[tuple[str, type[StatePublisher]]] = [
        ("before (every state)", EveryState),
        ("own queue only", OwnQueueOnly),
        ("now", StatePublisher),
    ]
    for name, publisher_class in kinds:
        result = run(args.counters, args.calls, publisher_class)
        print(f"{name}: {result}")


if __name__ == "__main__":
    main()
