"""Properties of the calling policy: nothing lost or called twice, ratio, FIFO, routing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from queue_server.domain.calling import (
    QueueEntry,
    Streak,
    choose_next,
    newcomer_position,
    order_queue,
)
from queue_server.domain.ids import CounterId, ServiceId, StationType, TicketId
from queue_server.domain.model import CounterProfile, PriorityPolicy

START = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
EVERYTHING = CounterProfile(CounterId("all"), "All", frozenset(StationType))


@st.composite
def entries(draw: st.DrawFn, max_size: int = 40) -> list[QueueEntry]:
    count = draw(st.integers(0, max_size))
    result = []
    for index in range(count):
        queued = START + timedelta(minutes=draw(st.integers(0, 240)))
        booked = draw(st.booleans()) and draw(st.booleans())
        appointment = START + timedelta(minutes=draw(st.integers(0, 240))) if booked else None
        result.append(
            QueueEntry(
                ticket_id=TicketId(index + 1),
                service=ServiceId(draw(st.sampled_from(["a", "b"]))),
                station=draw(st.sampled_from([StationType.CS, StationType.BIO])),
                priority=draw(st.booleans()),
                queued_at=queued,
                appointment_at=appointment,
            )
        )
    return result


policies = st.builds(PriorityPolicy, priority_run=st.integers(1, 3), regular_run=st.integers(1, 3))


def drain(
    waiting: list[QueueEntry], counter: CounterProfile, policy: PriorityPolicy
) -> list[QueueEntry]:
    remaining, called, streak = list(waiting), [], Streak()
    for _ in range(len(waiting) + 1):
        chosen = choose_next(remaining, counter, streak, policy)
        if chosen is None:
            break
        called.append(chosen)
        remaining.remove(chosen)
        streak = streak.after(called_priority=chosen.priority)
    return called


@settings(max_examples=300)
@given(waiting=entries(), policy=policies)
def test_every_ticket_is_called_exactly_once(
    waiting: list[QueueEntry], policy: PriorityPolicy
) -> None:
    called = drain(waiting, EVERYTHING, policy)
    assert sorted(entry.ticket_id for entry in called) == sorted(
        entry.ticket_id for entry in waiting
    )


@settings(max_examples=300)
@given(waiting=entries(), policy=policies)
def test_ratio_is_honoured_while_both_classes_wait(
    waiting: list[QueueEntry], policy: PriorityPolicy
) -> None:
    called = drain(waiting, EVERYTHING, policy)
    priority_left = sum(entry.priority for entry in waiting)
    regular_left = len(waiting) - priority_left
    run_class, run_length = None, 0
    for entry in called:
        both_waiting = priority_left > 0 and regular_left > 0
        run_length = run_length + 1 if entry.priority == run_class else 1
        run_class = entry.priority
        if both_waiting:
            limit = policy.priority_run if entry.priority else policy.regular_run
            assert run_length <= limit
        if entry.priority:
            priority_left -= 1
        else:
            regular_left -= 1


@settings(max_examples=300)
@given(waiting=entries(), policy=policies)
def test_fifo_within_a_class(waiting: list[QueueEntry], policy: PriorityPolicy) -> None:
    called = drain(waiting, EVERYTHING, policy)
    for priority in (True, False):
        keys = [entry.sort_key for entry in called if entry.priority is priority]
        assert keys == sorted(keys)


@settings(max_examples=200)
@given(waiting=entries(), policy=policies)
def test_order_queue_predicts_the_calls(waiting: list[QueueEntry], policy: PriorityPolicy) -> None:
    assert order_queue(waiting, streak=Streak(), policy=policy) == drain(
        waiting, EVERYTHING, policy
    )


@settings(max_examples=200)
@given(waiting=entries())
def test_counters_only_take_what_they_serve(waiting: list[QueueEntry]) -> None:
    booth = CounterProfile(
        CounterId("b"), "Booth", frozenset({StationType.BIO}), frozenset({ServiceId("a")})
    )
    called = drain(waiting, booth, PriorityPolicy())
    assert all(entry.station is StationType.BIO and entry.service == "a" for entry in called)
    expected = [e for e in waiting if e.station is StationType.BIO and e.service == "a"]
    assert len(called) == len(expected)


def test_one_to_two_pattern() -> None:
    regular = [
        QueueEntry(TicketId(i), ServiceId("a"), StationType.CS, False, START + timedelta(minutes=i))
        for i in range(1, 5)
    ]
    priority = [
        QueueEntry(TicketId(i), ServiceId("a"), StationType.CS, True, START + timedelta(minutes=i))
        for i in range(5, 7)
    ]
    called = drain(regular + priority, EVERYTHING, PriorityPolicy(priority_run=1, regular_run=2))
    assert [entry.priority for entry in called] == [True, False, False, True, False, False]


def test_booked_slot_orders_before_later_walk_ins() -> None:
    walk_in = QueueEntry(
        TicketId(1), ServiceId("a"), StationType.CS, False, START + timedelta(minutes=5)
    )
    booked = QueueEntry(
        TicketId(2),
        ServiceId("a"),
        StationType.CS,
        False,
        START + timedelta(minutes=10),
        appointment_at=START,
    )
    assert choose_next([walk_in, booked], EVERYTHING, Streak(), PriorityPolicy()) == booked


def test_equal_times_fall_back_to_ticket_id() -> None:
    first = QueueEntry(TicketId(7), ServiceId("a"), StationType.CS, False, START)
    second = QueueEntry(TicketId(3), ServiceId("a"), StationType.CS, False, START)
    assert choose_next([first, second], EVERYTHING, Streak(), PriorityPolicy()) == second


@settings(max_examples=300)
@given(waiting=entries(), policy=policies, priority=st.booleans())
def test_newcomer_position_matches_the_full_order(
    waiting: list[QueueEntry], policy: PriorityPolicy, priority: bool
) -> None:
    newcomer = QueueEntry(
        TicketId(10_000), ServiceId("a"), StationType.CS, priority, START + timedelta(days=1)
    )
    ordered = order_queue([*waiting, newcomer], streak=Streak(), policy=policy)
    expected = [entry.ticket_id for entry in ordered].index(newcomer.ticket_id)
    assert (
        newcomer_position(
            priority_waiting=sum(entry.priority for entry in waiting),
            regular_waiting=sum(not entry.priority for entry in waiting),
            priority=priority,
            policy=policy,
        )
        == expected
    )
