"""The hot paths leave no reference cycles behind (issue 13): every object of an issue, a
call and a finish is freed by reference counting. A cycle per request makes the cyclic
garbage collector run often, and its full passes over the server's heap stalled answers
for 50-150 ms (bench/mqtt_issue.py: p99 12 -> 69 ms when the driver-cursor statements
remembered their connection with a strong reference to the session's transaction)."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator

import pytest

from queue_server.domain.ids import TicketSource
from queue_server.services.issuing import IssueRequest
from queue_server.services.unit import Actor
from tests.services.conftest import Engine

OFFICE = "kanim-test"
KIOSK = Actor(name="kiosk:k1")
OFFICER = Actor(name="petugas1")


@pytest.fixture
def no_collector() -> Iterator[Callable[[], int]]:
    """Switch the cyclic collector off; the function gives the cycles left since."""
    gc.collect()
    gc.disable()
    try:
        yield gc.collect
    finally:
        gc.enable()


def test_issuing_calling_and_finishing_leave_no_cycles(
    engine: Engine, no_collector: Callable[[], int]
) -> None:
    request = IssueRequest(office=OFFICE, service="walkin", source=TicketSource.KIOSK)
    engine.issuing.issue(request, actor=KIOSK)  # warm: caches filled once are not garbage
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
    engine.officer.finish(OFFICE, "cs-1", actor=OFFICER)
    no_collector()
    for _ in range(10):
        engine.issuing.issue(request, actor=KIOSK)
    assert no_collector() == 0, "issuing left reference cycles"
    for _ in range(5):
        engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
        engine.officer.finish(OFFICE, "cs-1", actor=OFFICER)
    assert no_collector() == 0, "calling and finishing left reference cycles"
