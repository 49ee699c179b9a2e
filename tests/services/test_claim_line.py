"""The line a claim tries to lock in one statement (``officer._in_line``): the chosen
ticket and the fetched ones after it in its class, in calling order, never past what the
fetched queue heads can vouch for."""

from __future__ import annotations

from datetime import datetime, timedelta

from queue_server.domain.calling import QueueEntry
from queue_server.domain.ids import CounterId, ServiceId, StationType, TicketId
from queue_server.domain.model import CounterProfile
from queue_server.services.officer import HEAD_SIZE, _in_line

START = datetime(2026, 12, 7, 8, 0)
CS = StationType.CS
COUNTER = CounterProfile(id=CounterId("cs-1"), name="CS 1", stations=frozenset({CS}))


def _entry(ticket: int, minute: int, *, priority: bool = False, booked: bool = False) -> QueueEntry:
    at = START + timedelta(minutes=minute)
    return QueueEntry(
        ticket_id=TicketId(ticket),
        service=ServiceId("walkin"),
        station=CS,
        priority=priority,
        queued_at=at,
        appointment_at=at if booked else None,
    )


def _ids(line: list[QueueEntry]) -> list[int]:
    return [int(entry.ticket_id) for entry in line]


def test_the_line_is_the_class_in_calling_order_from_the_chosen_ticket() -> None:
    walk_ins = [_entry(1, 0), _entry(3, 2), _entry(5, 4)]
    booked = [_entry(2, 1, booked=True), _entry(4, 3, booked=True)]
    priority = [_entry(6, -10, priority=True)]
    line = _in_line([*walk_ins, *booked, *priority], walk_ins[0], COUNTER)
    assert _ids(line) == [1, 2, 3, 4, 5]


def test_the_line_stops_where_a_full_head_may_hide_earlier_tickets() -> None:
    """Walk-ins came back full (HEAD_SIZE of them, minutes 0..): an unfetched walk-in may
    come before the booked ticket at minute 100, so the line ends with the last walk-in."""
    walk_ins = [_entry(index + 1, index) for index in range(HEAD_SIZE)]
    late_booking = _entry(100, 100, booked=True)
    line = _in_line([*walk_ins, late_booking], walk_ins[0], COUNTER)
    assert _ids(line) == list(range(1, HEAD_SIZE + 1))
    short = walk_ins[: HEAD_SIZE - 1]  # not full: nothing hidden, the booking follows
    assert _ids(_in_line([*short, late_booking], short[0], COUNTER))[-1] == 100


def test_tickets_the_counter_does_not_serve_stay_out_of_the_line() -> None:
    other = QueueEntry(
        ticket_id=TicketId(9),
        service=ServiceId("walkin"),
        station=StationType.PAY,
        priority=False,
        queued_at=START,
    )
    first = _entry(1, 1)
    assert _ids(_in_line([other, first, _entry(2, 2)], first, COUNTER)) == [1, 2]
