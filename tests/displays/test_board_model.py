"""The board's GUI-free state: seq ordering per topic, calls newest first, waits, office."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from displays.board import sample
from displays.board.model import BoardModel
from queue_server.protocol import topics

OFFICE = sample.OFFICE
BOARD = topics.board(OFFICE)
CALLED = topics.event_called(OFFICE)
CONFIG = topics.config(OFFICE, "display")


def test_an_empty_model_shows_nothing_and_is_disconnected() -> None:
    state = BoardModel().state()
    assert (state.office_name, state.connected, state.serving) == ("", False, ())
    assert state.newest_call is None


def test_the_board_message_gives_now_serving_per_counter() -> None:
    model = BoardModel()
    model.accept(
        BOARD,
        sample.board(
            5, [sample.counter("cs-1", "Loket 1", "A-001"), sample.counter("cs-2", "Loket 2")]
        ),
    )
    serving = model.state().serving
    assert [(s.counter, s.counter_name, s.ticket, s.status) for s in serving] == [
        ("cs-1", "Loket 1", "A-001", "called")
    ]


def test_an_older_or_repeated_seq_on_a_topic_is_dropped() -> None:
    model = BoardModel()
    assert model.accept(BOARD, sample.board(5, [sample.counter("cs-1", "L1", "A-002")]))
    assert not model.accept(BOARD, sample.board(4, [sample.counter("cs-1", "L1", "A-001")]))
    assert not model.accept(BOARD, sample.board(5, [sample.counter("cs-1", "L1", "A-003")]))
    assert model.state().serving[0].ticket == "A-002"


def test_seq_is_compared_per_topic() -> None:
    model = BoardModel()
    assert model.accept(topics.queue_state(OFFICE, "a"), sample.queue(9, "a", "A", 3))
    assert model.accept(topics.queue_state(OFFICE, "b"), sample.queue(2, "b", "B", 1))
    assert [(s.service, s.waiting) for s in model.state().services] == [("a", 3), ("b", 1)]


def test_calls_are_listed_newest_first_the_newest_highlighted_and_capped() -> None:
    model = BoardModel(recent_limit=3)
    for seq in range(1, 6):
        model.accept(CALLED, sample.call(seq, f"A-{seq:03d}"))
    calls = model.state().recent_calls
    assert [c.ticket for c in calls] == ["A-005", "A-004", "A-003"]
    assert [c.newest for c in calls] == [True, False, False]
    assert model.state().newest_call == calls[0]


def test_a_call_repeated_with_the_same_id_is_listed_once() -> None:
    model = BoardModel()
    model.accept(CALLED, sample.call(1, "A-001"))
    assert not model.accept(CALLED, sample.call(2, "A-001", id=1))
    assert [c.ticket for c in model.state().recent_calls] == ["A-001"]


def test_a_recall_is_listed_again_and_marked() -> None:
    model = BoardModel()
    model.accept(CALLED, sample.call(1, "A-001"))
    model.accept(CALLED, sample.call(2, "A-001", recall=True))
    assert [(c.ticket, c.recall) for c in model.state().recent_calls] == [
        ("A-001", True),
        ("A-001", False),
    ]


def test_services_follow_the_config_order_and_show_waiting_and_estimate() -> None:
    model = BoardModel()
    model.accept(topics.queue_state(OFFICE, "z"), sample.queue(1, "z", "Z", 2))
    model.accept(
        topics.queue_state(OFFICE, "b"), sample.queue(1, "b", "B", 4, estimated_wait_minutes=None)
    )
    model.accept(topics.queue_state(OFFICE, "x"), sample.queue(1, "x", "X", 0))
    model.accept(CONFIG, sample.config(1, "Kanim Test", services=("z", "b")))
    state = model.state()
    assert state.office_name == "Kanim Test"
    assert [(s.service, s.waiting, s.estimated_wait_minutes) for s in state.services] == [
        ("z", 2, 12.0),
        ("b", 4, None),
        ("x", 0, 0.0),
    ]


def test_connected_follows_the_link() -> None:
    model = BoardModel()
    model.set_connected(True)
    assert model.state().connected
    model.set_connected(False)
    assert not model.state().connected


def test_recent_limit_must_be_positive() -> None:
    with pytest.raises(ValueError, match="recent_limit"):
        BoardModel(recent_limit=0)


def test_the_demo_messages_are_all_accepted() -> None:
    model = BoardModel()
    assert all(model.accept(topic, message) for topic, message in sample.demo_messages())
    state = model.state()
    assert state.office_name.startswith("Kantor Imigrasi")
    assert state.newest_call is not None and state.newest_call.ticket == "A-012"
    assert len(state.serving) == 3 and len(state.services) == 3


@given(st.permutations(list(range(1, 9))))
def test_retained_messages_in_any_order_end_in_the_highest_seq(order: list[int]) -> None:
    model = BoardModel()
    for seq in order:
        model.accept(BOARD, sample.board(seq, [sample.counter("cs-1", "L1", f"A-{seq:03d}")]))
        model.accept(CONFIG, sample.config(seq, f"Office {seq}"))
        model.accept(topics.queue_state(OFFICE, "a"), sample.queue(seq, "a", "A", seq))
    state = model.state()
    assert state.serving[0].ticket == "A-008"
    assert state.office_name == "Office 8"
    assert state.services[0].waiting == 8


@given(st.permutations(list(range(1, 9))))
def test_calls_in_any_order_keep_the_highest_seq_as_the_newest(order: list[int]) -> None:
    model = BoardModel()
    for seq in order:
        model.accept(CALLED, sample.call(seq, f"A-{seq:03d}"))
    calls = model.state().recent_calls
    assert calls[0].ticket == "A-008" and calls[0].newest
    seqs = [int(c.ticket[2:]) for c in calls]
    assert seqs == sorted(seqs, reverse=True)


def test_before_any_call_is_heard_the_headline_is_the_last_called_counter() -> None:
    model = BoardModel()
    assert model.state().headline is None
    early, late = datetime(2026, 3, 3, 9, 0, tzinfo=UTC), datetime(2026, 3, 3, 9, 5, tzinfo=UTC)
    model.accept(
        BOARD,
        sample.board(
            1,
            [
                sample.counter("cs-1", "Loket 1", "A-001", since=early),
                sample.counter("cs-2", "Loket 2", "B-004", since=late),
                sample.counter("cs-3", "Loket 3", "A-002", since=early),
            ],
        ),
    )
    assert model.state().headline == ("B-004", "Loket 2")
    model.accept(CALLED, sample.call(7, "A-002", "cs-3", "Loket 3"))
    assert model.state().headline == ("A-002", "Loket 3")  # a call heard comes first


def test_after_a_fresh_start_the_last_calls_come_from_the_retained_board() -> None:
    """Calls are not retained; the board's counters with a ticket fill the list, latest
    called first, without the highlight of a call heard."""
    from datetime import timedelta

    from displays.board.sample import board, call, counter

    base = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)
    model = BoardModel(recent_limit=3)
    counters = [
        counter("cs-1", "Loket 1", "A-001", since=base),
        counter("cs-2", "Loket 2", "B-002", since=base + timedelta(minutes=2)),
        counter("cs-3", "Loket 3"),
    ]
    model.accept("b", board(1, counters))
    state = model.state()
    assert [(c.ticket, c.newest) for c in state.recent_calls] == [
        ("B-002", False), ("A-001", False)]
    assert state.newest_call is None and state.headline == ("B-002", "Loket 2")
    model.accept("c", call(1, "A-003", "cs-3", "Loket 3"))
    assert [(c.ticket, c.newest) for c in model.state().recent_calls] == [
        ("A-003", True), ("B-002", False), ("A-001", False)]
    model.accept("c", call(2, "B-002", "cs-2", "Loket 2"))  # heard now: listed once
    assert [c.ticket for c in model.state().recent_calls] == ["B-002", "A-003", "A-001"]
