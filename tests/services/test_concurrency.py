"""Numbering and calling under real concurrency, on SQLite and PostgreSQL.

Threads issue and call at the same time through the use cases; the checks read the
tables afterwards. The loops are bounded in count.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlalchemy import select

from queue_server.domain.errors import CounterBusy, QueueEmpty
from queue_server.domain.ids import TicketSource
from queue_server.persistence.models import TicketEventRow, TicketRow, VisitRow
from queue_server.services.issuing import IssueRequest
from queue_server.services.unit import Actor
from tests.services.conftest import Engine

OFFICE = "kanim-test"
KIOSKS = 6
ISSUES_PER_KIOSK = 25
DESKS = ["cs-1", "cs-2", "cs-3"]


def run_threads(targets: list[threading.Thread]) -> None:
    for thread in targets:
        thread.start()
    for thread in targets:
        thread.join(timeout=120)
        assert not thread.is_alive(), "a worker hung"


def test_concurrent_issuing_never_duplicates_numbers(engine: Engine) -> None:
    acknowledged: list[str] = []
    errors: list[BaseException] = []

    def kiosk(index: int) -> None:
        try:
            for _ in range(ISSUES_PER_KIOSK):
                issued = engine.issuing.issue(
                    IssueRequest(office=OFFICE, service="walkin", source=TicketSource.KIOSK),
                    actor=Actor(name=f"kiosk-{index}"),
                )
                acknowledged.append(issued.label)
        except BaseException as error:  # collected and re-raised in the main thread
            errors.append(error)

    run_threads([threading.Thread(target=kiosk, args=(i,)) for i in range(KIOSKS)])
    assert errors == []
    total = KIOSKS * ISSUES_PER_KIOSK
    assert sorted(acknowledged) == [f"B-{n:03d}" for n in range(1, total + 1)]
    with engine.database.reader() as session:
        stored = list(session.scalars(select(VisitRow.label)))
    assert sorted(stored) == sorted(acknowledged)


@pytest.mark.parametrize("priority_every", [0, 3])
def test_concurrent_calling_never_calls_a_ticket_twice(engine: Engine, priority_every: int) -> None:
    total = 60
    for number in range(total):
        priority = priority_every and number % priority_every == 0
        engine.issuing.issue(
            IssueRequest(
                office=OFFICE,
                service="walkin",
                source=TicketSource.KIOSK,
                priority_category="elderly" if priority else None,
            ),
            actor=Actor(name="kiosk"),
        )
    called: list[int] = []
    errors: list[BaseException] = []

    def desk(code: str) -> None:
        actor = Actor(name=code)
        engine.officer.open_counter(OFFICE, code, actor=actor)
        try:
            for _ in range(total + 5):
                try:
                    ticket = engine.officer.call_next(OFFICE, code, actor=actor)
                except QueueEmpty:
                    return
                except CounterBusy:
                    errors.append(AssertionError(f"{code} busy after finishing"))
                    return
                called.append(ticket.id)
                engine.officer.finish(OFFICE, code, actor=actor, end_visit=True)
        except BaseException as error:
            errors.append(error)

    run_threads([threading.Thread(target=desk, args=(code,)) for code in DESKS])
    assert errors == []
    assert len(called) == total
    assert len(set(called)) == total
    with engine.database.reader() as session:
        calls = Counter(
            session.scalars(select(TicketEventRow.ticket_id).where(TicketEventRow.action == "call"))
        )
        statuses = Counter(session.scalars(select(TicketRow.status)))
    assert max(calls.values()) == 1
    assert statuses == {"done": total}
