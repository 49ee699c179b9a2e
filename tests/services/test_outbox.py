"""The outbox: every committed change has its row, written in the same transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, insert, select

from queue_server.domain.errors import CounterClosed
from queue_server.domain.events import CounterChanged, TicketChanged
from queue_server.domain.ids import TicketSource
from queue_server.persistence.models import OutboxRow
from queue_server.services.issuing import IssueRequest
from queue_server.services.outbox import DROP_PENDING_AFTER, KEEP_DELIVERED
from queue_server.services.unit import Actor
from tests.services.conftest import Engine

OFFICE = "kanim-test"
OFFICER = Actor(name="officer-1")


def issue(engine: Engine) -> None:
    engine.issuing.issue(
        IssueRequest(office=OFFICE, service="walkin", source=TicketSource.KIOSK),
        actor=Actor(name="kiosk-1"),
    )


def rows(engine: Engine) -> int:
    with engine.database.reader() as session:
        return int(session.scalar(select(func.count()).select_from(OutboxRow)) or 0)


def test_every_committed_event_has_its_row_holding_the_same_event(engine: Engine) -> None:
    outbox = engine.outbox()
    issue(engine)
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
    engine.officer.recall(OFFICE, "cs-1", actor=OFFICER)
    pending = outbox.pending(offices=[OFFICE], limit=100)
    assert [entry.event for entry in pending] == engine.published  # read back exactly
    assert [type(entry.event) for entry in pending] == [
        TicketChanged,
        CounterChanged,
        TicketChanged,
        TicketChanged,
    ]
    ids = [entry.id for entry in pending]
    assert ids == sorted(set(ids))
    assert outbox.pending(offices=["another-office"], limit=100) == []
    assert [entry.id for entry in outbox.pending(offices=None, limit=2)] == ids[:2]
    assert [entry.id for entry in outbox.pending(offices=None, limit=2, skip=ids[:1])] == ids[1:3]


def test_a_refused_action_writes_no_row(engine: Engine) -> None:
    issue(engine)
    before = rows(engine)
    with pytest.raises(CounterClosed):
        engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
    assert rows(engine) == before


def test_delivered_rows_are_no_longer_pending_and_keep_the_sequence(engine: Engine) -> None:
    outbox = engine.outbox()
    issue(engine)
    issue(engine)
    first, second = outbox.pending(offices=None, limit=10)
    assert outbox.highest_seq() == 0
    outbox.delivered([first.id], seq=1_000_000)
    assert [entry.id for entry in outbox.pending(offices=None, limit=10)] == [second.id]
    assert outbox.highest_seq() == 1_000_000


def test_pruning_keeps_recent_rows_and_the_last_sequence(engine: Engine) -> None:
    outbox = engine.outbox()
    for _ in range(3):
        issue(engine)
    entries = outbox.pending(offices=None, limit=10)
    outbox.delivered([entries[0].id], seq=10)
    outbox.delivered([entries[1].id], seq=20)
    assert outbox.prune() == 0  # delivered just now
    engine.clock.advance(seconds=KEEP_DELIVERED.total_seconds() + 1)
    assert outbox.prune() == 1  # the older delivered row; the one with seq 20 stays
    assert outbox.highest_seq() == 20
    assert [entry.id for entry in outbox.pending(offices=None, limit=10)] == [entries[2].id]
    engine.clock.advance(seconds=(DROP_PENDING_AFTER - KEEP_DELIVERED).total_seconds())
    assert outbox.prune() == 1  # pending for too long: never announced
    assert outbox.pending(offices=None, limit=10) == []
    assert outbox.highest_seq() == 20


def test_an_unreadable_row_is_dropped_and_does_not_block_the_others(engine: Engine) -> None:
    outbox = engine.outbox()
    with engine.database.writer() as session, session.begin():
        session.execute(
            insert(OutboxRow).values(
                office_id=OFFICE, kind="mystery", data={}, created_at=engine.clock()
            )
        )
    issue(engine)
    pending = outbox.pending(offices=None, limit=10)
    assert [type(entry.event) for entry in pending] == [TicketChanged]
    assert [type(entry.event) for entry in outbox.pending(offices=None, limit=10)] == [
        TicketChanged
    ]
    assert rows(engine) == 2  # the unreadable row is kept, marked delivered


def test_ids_are_never_reused(engine: Engine) -> None:
    outbox = engine.outbox()
    issue(engine)
    (first,) = outbox.pending(offices=None, limit=10)
    with engine.database.writer() as session, session.begin():
        session.execute(delete(OutboxRow))
    issue(engine)
    (second,) = outbox.pending(offices=None, limit=10)
    assert second.id > first.id


def test_the_bus_hands_stored_subscribers_each_event_with_its_row_id(engine: Engine) -> None:
    stored: list[object] = []
    engine.events.subscribe_stored(stored.append)
    issue(engine)
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
    _finished, following = engine.officer.finish(OFFICE, "cs-1", actor=OFFICER)
    assert following is not None  # one transaction, two events: ids stay in event order
    assert stored == engine.outbox().pending(offices=None, limit=10)
    assert [entry.event for entry in stored] == engine.published  # type: ignore[attr-defined]
    assert [entry.event.action for entry in stored[-2:]] == ["finish", "queue"]  # type: ignore[attr-defined]
