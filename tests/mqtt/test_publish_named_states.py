"""A publish batch builds only the states its events name, and the retained states stay
those a full rebuild gives."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel

from queue_server.domain.drive_thru import CounterReason
from queue_server.domain.events import TicketChanged
from queue_server.domain.ids import (
    OfficeId,
    ServiceId,
    StationType,
    TicketId,
    TicketSource,
    TicketStatus,
)
from queue_server.mqtt.publisher import (
    DELIVERED,
    MOVED_WITHIN_S,
    Named,
    Progress,
    Receipt,
    StatePublisher,
    Wake,
)
from queue_server.persistence.outbox import OutboxEntry, insert_events
from queue_server.protocol.base import dump
from queue_server.protocol.states import (
    Board,
    CounterState,
    CounterStateMessage,
    DisplayConfigMessage,
    KioskConfigMessage,
    LaneStateMessage,
    QueueState,
    QueueStateMessage,
)
from queue_server.services.drive_thru import DriveThruService
from queue_server.services.issuing import IssueRequest
from queue_server.services.offices import OfficeCatalog, store_office
from queue_server.services.ratings import CounterRating
from queue_server.services.unit import Actor
from queue_server.services.views import OfficeView, ViewService
from tests.services.conftest import Engine, office_settings
from tests.services.test_drive_thru import CAR_A, CAR_B, LANE, lane

__all__ = ["lane"]  # fixture

OFFICE = "kanim-test"
#: The model of each retained topic (by a part of the topic).
MODELS: dict[str, type[BaseModel]] = {
    "queue/": QueueStateMessage,
    "counter/": CounterStateMessage,
    "board": Board,
    "lane/": LaneStateMessage,
    "config/kiosk": KioskConfigMessage,
    "config/": DisplayConfigMessage,
}
OFFICER = Actor(name="officer")


class SpyViews(ViewService):
    """The view service, noting which states each batch builds and the snapshots opened."""

    def __init__(self, **shared: Any) -> None:
        super().__init__(**shared)
        self.rated: list[set[str] | None] = []  # the counters built with their question
        self.queues: list[str] = []  # the queue states built
        self.snapshots: list[str] = []  # the office of each read snapshot opened
        self.names = 0  # counter names read from the database (not from the cache)

    @contextmanager
    def snapshot(self, office: str) -> Iterator[OfficeView]:
        self.snapshots.append(office)
        with super().snapshot(office) as view:
            yield SpyView(self, view.session, view.office, view.now)

    def counter_name(self, office: str, counter: str) -> str:
        self.names += 1
        return super().counter_name(office, counter)

    def forget(self) -> None:
        self.rated.clear()
        self.queues.clear()
        self.snapshots.clear()
        self.names = 0


class SpyView(OfficeView):
    def __init__(self, spy: SpyViews, *args: Any) -> None:
        super().__init__(spy, *args)
        self.spy = spy

    def counters(self, rated: Collection[str] | None = None) -> list[CounterState]:
        self.spy.rated.append(None if rated is None else set(rated))
        return super().counters(rated)

    def queue_states(
        self,
        services: Collection[str] | None,
        *,
        stations: Collection[str] = (),
        skip: Collection[str] = (),
    ) -> list[QueueState]:
        states = super().queue_states(services, stations=stations, skip=skip)
        self.spy.queues.extend(state.service for state in states)
        return states


class Harness:
    """A publisher over ``engine`` whose retained messages are kept by topic."""

    def __init__(
        self,
        engine: Engine,
        catalog: OfficeCatalog | None = None,
        state_every_s: float = 0,
        queue_every_s: float = 0,
    ) -> None:
        """``catalog``: the publisher's own (another process's), not the use cases';
        ``state_every_s``: the publisher's build turn (0: every batch builds);
        ``queue_every_s``: its turn for the queue states (0: with every build)."""
        self.engine = engine
        shared = engine.shared if catalog is None else engine.shared | {"catalog": catalog}
        self.views = SpyViews(**shared)
        self.retained: dict[str, dict[str, Any]] = {}
        self.calls: list[dict[str, Any]] = []  # event/called payloads
        self.topics: list[str] = []
        self.publisher = StatePublisher(
            views=self.views,
            publish=self.publish,
            outbox=engine.outbox(),
            state_every_s=state_every_s,
            queue_every_s=queue_every_s,
        )
        self.seen: set[int] = set()
        self.built: list[str] = []
        self.moved: list[str] = []
        self.read: list[str] = []  # the snapshots the latest batch opened (not its moved pass)

    def publish(self, topic: str, payload: bytes, retain: bool) -> Receipt:
        self.topics.append(topic)
        if retain:
            # the bytes the message's model gives (seq put in front, not encoded again)
            kind = next(model for part, model in MODELS.items() if f"/{part}" in topic)
            assert payload == dump(kind.model_validate_json(payload)), topic
            content = json.loads(payload)
            content.pop("seq")
            self.retained[topic] = content
        else:
            self.calls.append(json.loads(payload))
        return DELIVERED

    def rows(self) -> list[OutboxEntry]:
        """The outbox rows committed since the last batch."""
        rows: list[OutboxEntry] = [
            entry
            for entry in self.engine.outbox().pending(offices=None, limit=10_000, skip=self.seen)
            if entry.id not in self.seen
        ]
        self.seen.update(entry.id for entry in rows)
        return rows

    def batch(self, refresh: set[str] | None = None) -> None:
        """Publish the outbox rows committed since the last batch, as the thread does."""
        rows = self.rows()
        self.views.forget()
        self.topics.clear()
        self.publisher._publish_batch(rows, refresh or set())
        self.built = list(self.views.queues)  # in the batch, with its calls
        self.read = list(self.views.snapshots)
        self.views.queues.clear()
        self.publisher.publish_moved()  # what the thread does once its inbox is empty
        self.moved = list(self.views.queues)


def issue(engine: Engine, service: str) -> str:
    ticket = engine.issuing.issue(
        IssueRequest(office=OFFICE, service=service, source=TicketSource.KIOSK), actor=OFFICER
    )
    return str(ticket.label)


def test_a_call_builds_only_its_counter_its_queue_and_the_board(engine: Engine) -> None:
    harness = Harness(engine)
    for service in ("pickup", "walkin", "lost"):
        issue(engine, service)
    for counter in ("pickup-1", "cs-1"):
        engine.officer.open_counter(OFFICE, counter, actor=OFFICER)
    harness.batch({OFFICE})  # the start: everything
    assert harness.views.rated == [None]
    assert set(harness.built) == {"mpaspor", "walkin", "lost", "pickup"}
    assert harness.moved == []

    engine.officer.call_next(OFFICE, "pickup-1", actor=OFFICER)
    harness.batch()
    assert harness.views.rated == [{"pickup-1"}]  # the others only for the board
    assert harness.built == ["pickup"]
    assert harness.moved == []  # pickup, the only service starting at PICKUP, is built
    assert sorted(harness.topics) == sorted(
        [
            f"antre/v1/{OFFICE}/event/called",
            f"antre/v1/{OFFICE}/counter/pickup-1/state",
            f"antre/v1/{OFFICE}/board",
            f"antre/v1/{OFFICE}/queue/pickup/state",
        ]
    )

    # A call at CS moves the estimate of every service that starts there: built after it.
    engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
    harness.batch()
    assert harness.views.rated == [{"cs-1"}]
    assert harness.built == ["walkin"]
    assert harness.moved == ["lost", "mpaspor"]  # walkin was built after the call


def test_the_moved_pass_builds_a_service_a_later_batch_moved(engine: Engine) -> None:
    """Only the services built by an office's latest batch are left out of the moved pass:
    one built by an earlier batch may have moved since."""
    harness = Harness(engine)
    issue(engine, "walkin")
    issue(engine, "lost")
    for counter in ("cs-1", "cs-2"):
        engine.officer.open_counter(OFFICE, counter, actor=OFFICER)
    harness.batch({OFFICE})
    engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)  # walkin (first in line)
    rows = harness.rows()
    harness.publisher._publish_batch(rows, set())
    engine.officer.call_next(OFFICE, "cs-2", actor=OFFICER)  # lost
    harness.views.forget()
    harness.publisher._publish_batch(harness.rows(), set())
    assert harness.views.queues == ["lost"]
    harness.views.forget()
    harness.publisher.publish_moved()  # once for both batches
    assert harness.views.queues == ["mpaspor", "walkin"]
    assert harness.retained == rebuilt(engine)


def test_a_counter_closing_builds_its_counter_and_the_queues_it_serves(engine: Engine) -> None:
    harness = Harness(engine)
    harness.batch({OFFICE})
    engine.officer.open_counter(OFFICE, "bio-1", actor=OFFICER)
    harness.batch()
    assert harness.views.rated == [{"bio-1"}]
    assert harness.built == harness.moved == []  # no service starts at BIO in this office
    engine.officer.open_counter(OFFICE, "cs-2", actor=OFFICER)
    harness.batch()
    assert harness.views.rated == [{"cs-2"}]
    assert harness.moved == ["lost", "mpaspor", "walkin"]


def rebuilt(engine: Engine) -> dict[str, dict[str, Any]]:
    fresh = Harness(engine)
    fresh.publisher.publish_counters(OFFICE, everything=True)
    fresh.publisher.publish_queues(OFFICE, None, everything=True)
    return fresh.retained


def test_after_mixed_actions_the_retained_states_are_those_of_a_full_rebuild(
    engine: Engine,
) -> None:
    harness = Harness(engine)
    officer = engine.officer
    labels = [issue(engine, service) for service in ("walkin", "lost", "lost", "pickup")]
    harness.batch({OFFICE})
    steps: list[Callable[[], object]] = [
        lambda: officer.open_counter(OFFICE, "cs-1", actor=OFFICER),
        lambda: officer.open_counter(OFFICE, "cs-2", actor=OFFICER),
        lambda: officer.open_counter(OFFICE, "bio-1", actor=OFFICER),
        lambda: officer.open_counter(OFFICE, "pickup-1", actor=OFFICER),
        lambda: officer.call_next(OFFICE, "cs-1", actor=OFFICER),
        lambda: issue(engine, "walkin"),
        lambda: officer.call_next(OFFICE, "cs-2", actor=OFFICER),
        lambda: officer.finish(OFFICE, "cs-1", actor=OFFICER),  # on to BIO
        lambda: officer.call_next(OFFICE, "bio-1", actor=OFFICER),
        lambda: officer.no_show(OFFICE, "cs-2", actor=OFFICER),
        lambda: officer.call_next(OFFICE, "pickup-1", actor=OFFICER),
        lambda: officer.recall(OFFICE, "pickup-1", actor=OFFICER),
        lambda: officer.finish(OFFICE, "bio-1", actor=OFFICER),  # asks for a rating
        lambda: officer.finish(OFFICE, "pickup-1", actor=OFFICER),
        lambda: officer.close_counter(OFFICE, "cs-2", actor=OFFICER),
        lambda: issue(engine, "lost"),
    ]
    for index, step in enumerate(steps):
        step()
        harness.batch()
        assert harness.retained == rebuilt(engine), f"after step {index}"
    engine.ratings.rate_at_counter(
        CounterRating(office=OFFICE, counter="bio-1", ticket_label=labels[0], score=4),
        actor=OFFICER,
    )
    harness.batch()
    assert harness.retained == rebuilt(engine)
    # and a batch builds less than everything: the last one only bio-1 with its question
    assert harness.views.rated == [{"bio-1"}]


def test_a_ticket_leaving_a_counter_the_event_does_not_name_builds_every_counter() -> None:
    left = TicketChanged(
        office=OfficeId(OFFICE),
        ticket=TicketId(1),
        label="A-001",
        service=ServiceId("walkin"),
        station=StationType.CS,
        action="cancel",
        status=TicketStatus.CANCELLED,
        previous=TicketStatus.CALLED,
        counter=None,
        at=datetime(2026, 11, 23, 2, 0, tzinfo=UTC),
    )
    named = Named()
    named.ticket(left)
    assert named.every_counter and named.services == {"walkin"} and named.stations == {"CS"}
    waiting = Named()
    waiting.ticket(replace(left, previous=TicketStatus.WAITING))
    assert not waiting.every_counter and waiting.counters == set()


def test_after_forgetting_what_was_sent_the_next_batch_builds_everything(engine: Engine) -> None:
    """What happens when the broker did not acknowledge a batch in time."""
    harness = Harness(engine)
    issue(engine, "pickup")
    engine.officer.open_counter(OFFICE, "pickup-1", actor=OFFICER)
    harness.batch({OFFICE})
    harness.publisher.forget()
    engine.officer.call_next(OFFICE, "pickup-1", actor=OFFICER)
    harness.batch()
    assert harness.views.rated == [None]
    assert set(harness.built) == {"mpaspor", "walkin", "lost", "pickup"}
    assert len([topic for topic in harness.topics if "/counter/" in topic]) == 7
    engine.officer.finish(OFFICE, "pickup-1", actor=OFFICER)
    harness.batch()  # rebuilt once: named states only again
    assert harness.views.rated == [{"pickup-1"}]


def test_a_lane_change_builds_only_that_lane_state_with_its_arrivals_in_order(
    engine: Engine, lane: DriveThruService
) -> None:
    harness = Harness(engine)
    harness.batch({OFFICE})  # the start: every lane too, empty
    topic = f"antre/v1/{OFFICE}/lane/{LANE}/state"
    other = f"antre/v1/{OFFICE}/lane/lajur-2/state"
    assert harness.retained[topic] == {"lane": LANE, "arrivals": []}
    assert harness.retained[other] == {"lane": "lajur-2", "arrivals": []}

    first = lane.arrive(OFFICE, CAR_B, lane=LANE, device="console:petugas")["arrival_id"]
    engine.clock.advance(minutes=1)
    second = lane.arrive(OFFICE, CAR_A, lane=LANE, device="console:petugas")["arrival_id"]
    harness.batch()
    assert harness.topics == [topic]  # no counter, board or queue state built
    assert harness.views.rated == [] and harness.built == harness.moved == []
    assert harness.retained[topic] == {"lane": LANE, "arrivals": [first, second]}

    lane.arrive(OFFICE, CAR_B, lane=LANE, device="console:petugas")  # again: nothing added
    harness.batch()
    assert harness.topics == []
    lane.hand_over(OFFICE, first, proxy=False, actor=OFFICER)
    harness.batch()
    assert harness.topics == [topic]
    assert harness.retained[topic] == {"lane": LANE, "arrivals": [second]}
    lane.send_to_counter(OFFICE, second, reason=CounterReason.IDENTITY, actor=OFFICER)
    harness.batch()
    assert harness.retained[topic] == {"lane": LANE, "arrivals": []}


def test_a_batch_reads_each_office_once_and_names_the_calls_counter_without_a_read(
    engine: Engine,
) -> None:
    harness = Harness(engine)
    issue(engine, "walkin")
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    harness.batch({OFFICE})
    engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
    harness.batch()
    assert harness.read == [OFFICE]  # the counter, the board and the queue state: one read
    assert harness.built == ["walkin"] and harness.moved == ["lost", "mpaspor"]
    assert [call["counter_name"] for call in harness.calls] == ["CS 1"]
    assert harness.views.names == 0  # from the cached office definition


def test_a_counter_renamed_by_a_reload_is_called_by_its_new_name(engine: Engine) -> None:
    """The publisher's process did not do the reload (its own catalog): a call after the
    reload's row is named from the new definition, a call before it from the old one."""
    harness = Harness(engine, catalog=OfficeCatalog())
    for _ in range(2):
        issue(engine, "pickup")
    engine.officer.open_counter(OFFICE, "pickup-1", actor=OFFICER)
    harness.batch({OFFICE})  # the publisher's catalog holds the first version
    engine.officer.call_next(OFFICE, "pickup-1", actor=OFFICER)
    settings = office_settings()
    for counter in settings["counters"]:
        if counter["id"] == "pickup-1":
            counter["name"] = "Ambil Paspor"
    with engine.database.writer() as session, session.begin():
        reloaded = store_office(session, settings, now=engine.clock())
        insert_events(session, [reloaded], now=engine.clock())
    engine.officer.finish(OFFICE, "pickup-1", actor=OFFICER)
    engine.officer.call_next(OFFICE, "pickup-1", actor=OFFICER)
    harness.batch()
    assert [call["counter_name"] for call in harness.calls] == ["Pengambilan 1", "Ambil Paspor"]
    assert harness.views.names == 1  # read once, for the call after the reload
    engine.officer.recall(OFFICE, "pickup-1", actor=OFFICER)
    harness.batch()
    assert harness.calls[-1]["counter_name"] == "Ambil Paspor"
    assert harness.views.names == 0
    board = harness.retained[f"antre/v1/{OFFICE}/board"]["counters"]
    assert {row["code"]: row["name"] for row in board}["pickup-1"] == "Ambil Paspor"


def test_a_busy_batch_leaves_its_queue_states_to_the_moved_pass(engine: Engine) -> None:
    """More work waits in the inbox: the call, its counter and the board go out at once,
    the queue states with the moved pass (one build for several batches)."""
    harness = Harness(engine)
    issue(engine, "walkin")
    issue(engine, "lost")
    for counter in ("cs-1", "cs-2"):
        engine.officer.open_counter(OFFICE, counter, actor=OFFICER)
    harness.batch({OFFICE})
    harness.publisher._inbox.put(Wake())  # the next change is already waiting
    for counter in ("cs-1", "cs-2"):
        engine.officer.call_next(OFFICE, counter, actor=OFFICER)
        harness.views.forget()
        harness.topics.clear()
        harness.publisher._publish_batch(harness.rows(), set())
        assert harness.views.queues == [] and harness.views.snapshots == [OFFICE]
        assert sorted(harness.topics) == sorted(
            [
                f"antre/v1/{OFFICE}/event/called",
                f"antre/v1/{OFFICE}/counter/{counter}/state",
                f"antre/v1/{OFFICE}/board",
            ]
        )
    harness.views.forget()
    harness.publisher.publish_moved()  # once for both batches
    assert harness.views.queues == ["lost", "mpaspor", "walkin"]
    assert harness.views.snapshots == [OFFICE]
    assert harness.retained == rebuilt(engine)


# -- an office's states built at most every ``state_every_s`` ------------------------------


def test_batches_soon_after_a_build_send_their_calls_and_share_one_later_build(
    engine: Engine,
) -> None:
    harness = Harness(engine, state_every_s=60)  # nothing comes due by itself here
    for service in ("pickup", "walkin"):
        issue(engine, service)
    for counter in ("pickup-1", "cs-1"):
        engine.officer.open_counter(OFFICE, counter, actor=OFFICER)
    harness.batch({OFFICE})  # everything: the office's states were just built
    called = f"antre/v1/{OFFICE}/event/called"
    for counter in ("pickup-1", "cs-1"):
        engine.officer.call_next(OFFICE, counter, actor=OFFICER)
        harness.topics.clear()
        harness.publisher._publish_batch(harness.rows(), set())
        assert harness.topics == [called]  # the call at once, its states later
    assert len(harness.calls) == 2

    harness.topics.clear()
    harness.publisher._publish_deferred(Progress(), force=True)
    assert sorted(harness.topics) == sorted(  # both batches' states, each built once
        [
            f"antre/v1/{OFFICE}/counter/pickup-1/state",
            f"antre/v1/{OFFICE}/counter/cs-1/state",
            f"antre/v1/{OFFICE}/board",
            f"antre/v1/{OFFICE}/queue/pickup/state",
            f"antre/v1/{OFFICE}/queue/walkin/state",
        ]
    )
    harness.publisher.publish_moved()
    assert harness.retained == rebuilt(engine)


def test_queue_states_wait_for_their_turn_and_go_with_the_moved_pass(engine: Engine) -> None:
    harness = Harness(engine, queue_every_s=60)  # their turn never comes by itself here
    issue(engine, "pickup")
    engine.officer.open_counter(OFFICE, "pickup-1", actor=OFFICER)
    harness.batch({OFFICE})  # everything, queue states included: their turn starts now
    assert f"antre/v1/{OFFICE}/queue/pickup/state" in harness.topics

    engine.officer.call_next(OFFICE, "pickup-1", actor=OFFICER)
    harness.topics.clear()
    began = time.monotonic()
    harness.publisher._publish_batch(harness.rows(), set())
    assert sorted(harness.topics) == sorted(  # the call, its counter and the board at once
        [
            f"antre/v1/{OFFICE}/event/called",
            f"antre/v1/{OFFICE}/counter/pickup-1/state",
            f"antre/v1/{OFFICE}/board",
        ]
    )
    # Not before the queue turn, but at the latest MOVED_WITHIN_S after the batch.
    due = harness.publisher._moved_due_at()
    assert began < due <= time.monotonic() + MOVED_WITHIN_S
    harness.topics.clear()
    harness.publisher.publish_moved()
    assert harness.topics == [f"antre/v1/{OFFICE}/queue/pickup/state"]
    assert harness.retained == rebuilt(engine)


def test_a_row_whose_states_wait_is_not_settled_before_they_are_built(engine: Engine) -> None:
    harness = Harness(engine, state_every_s=60)
    issue(engine, "pickup")
    engine.officer.open_counter(OFFICE, "pickup-1", actor=OFFICER)
    progress = Progress(refresh={OFFICE})
    harness.publisher._drain(progress)  # the start: every state, the rows so far
    assert all(flight.settled() for flight in progress.flights)  # DELIVERED: acknowledged

    engine.officer.call_next(OFFICE, "pickup-1", actor=OFFICER)
    harness.publisher._drain(progress)
    waiting = progress.flights[-1]
    assert len(waiting.ids) == 1 and not waiting.settled()  # its call out, its states not

    harness.publisher._publish_deferred(progress, force=True)
    assert waiting.settled()
    assert f"antre/v1/{OFFICE}/counter/pickup-1/state" in harness.retained
