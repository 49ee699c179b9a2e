"""Every committed call reaches the broker at least once, also across a crash.

The publisher drains the outbox: rows are marked delivered only after the broker's
acknowledgement, rows left pending by a crash or committed by another process are
published later, and every copy of a call carries the same id.
"""

from __future__ import annotations

import itertools
import json
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest

from queue_server.domain.events import TicketChanged
from queue_server.domain.ids import (
    CounterId,
    OfficeId,
    ServiceId,
    StationType,
    TicketId,
    TicketSource,
    TicketStatus,
)
from queue_server.mqtt import publisher as publisher_module
from queue_server.mqtt.broker import MosquittoProcess, free_port
from queue_server.mqtt.client import BrokerAddress, ServerMqtt
from queue_server.mqtt.kiosk_requests import KioskRequests
from queue_server.mqtt.publisher import StatePublisher
from queue_server.persistence.outbox import OutboxEntry
from queue_server.services.issuing import IssueRequest
from queue_server.services.unit import Actor
from tests.mqtt.live import wait_until
from tests.mqtt.test_broker import DISPLAY, OFFICE, SERVER, TIMEOUT_S, Device
from tests.mqtt.test_publisher import broker  # noqa: F401 - the live broker fixture
from tests.services.clock import FakeClock
from tests.services.conftest import Engine

OFFICER = Actor(name="officer")
CALLED = f"antre/v1/{OFFICE}/event/called"


# -- a broker stand-in whose acknowledgements the test controls -------------------------


@dataclass
class FakeReceipt:
    broker: FakeBroker

    def acknowledged(self) -> bool:
        return self.broker.acking


@dataclass
class FakeBroker:
    acking: bool = True
    sent: list[tuple[str, bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def publish(self, topic: str, payload: bytes, retain: bool) -> FakeReceipt:
        with self.lock:
            self.sent.append((topic, payload))
        return FakeReceipt(self)

    def calls(self) -> list[dict[str, Any]]:
        with self.lock:
            return [json.loads(payload) for topic, payload in self.sent if topic == CALLED]


@pytest.fixture
def fast(monkeypatch: pytest.MonkeyPatch) -> None:
    """Short poll and resend delays so the tests run in a few seconds."""
    monkeypatch.setattr(publisher_module, "POLL_S", 0.1)
    monkeypatch.setattr(publisher_module, "RESEND_AFTER_S", 0.5)


@pytest.fixture
def fake_publisher(engine: Engine, fast: None) -> Iterator[tuple[StatePublisher, FakeBroker]]:
    fake = FakeBroker(acking=False)
    publisher = StatePublisher(
        views=engine.views(), publish=fake.publish, outbox=engine.outbox(), offices=[OFFICE]
    )
    engine.events.subscribe(publisher)
    publisher.start()
    yield publisher, fake
    publisher.stop()


def issue(engine: Engine, count: int = 1) -> None:
    for _ in range(count):
        engine.issuing.issue(
            IssueRequest(office=OFFICE, service="walkin", source=TicketSource.KIOSK), actor=OFFICER
        )


def pending_ids(engine: Engine) -> list[int]:
    return [entry.id for entry in engine.outbox().pending(offices=None, limit=1000)]


def test_rows_are_marked_delivered_only_once_the_broker_acknowledged(
    engine: Engine, fake_publisher: tuple[StatePublisher, FakeBroker]
) -> None:
    _publisher, fake = fake_publisher
    issue(engine)
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
    assert wait_until(lambda: len(fake.calls()) >= 1)
    time.sleep(0.3)  # acknowledgements are checked every few ms: none came
    assert len(pending_ids(engine)) == 3
    fake.acking = True
    assert wait_until(lambda: pending_ids(engine) == [])


def test_unacknowledged_calls_are_sent_again_with_the_same_id(
    engine: Engine, fake_publisher: tuple[StatePublisher, FakeBroker]
) -> None:
    _publisher, fake = fake_publisher
    issue(engine, 2)
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    engine.officer.open_counter(OFFICE, "cs-2", actor=OFFICER)
    first = engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
    second = engine.officer.call_next(OFFICE, "cs-2", actor=OFFICER)
    assert wait_until(lambda: len(fake.calls()) >= 4)  # each sent at least twice
    fake.acking = True
    assert wait_until(lambda: pending_ids(engine) == [])
    by_id: dict[int, set[str]] = {}
    for call in fake.calls():
        by_id.setdefault(call["id"], set()).add(call["ticket"])
    assert sorted(by_id.values(), key=sorted) == [{first.label}, {second.label}]
    sent = len(fake.calls())
    time.sleep(0.8)  # longer than the resend delay: acknowledged calls are not sent again
    assert len(fake.calls()) == sent


def test_nothing_is_read_while_the_link_is_down(engine: Engine, fast: None) -> None:
    fake = FakeBroker()
    link = threading.Event()
    asked: list[float] = []

    def connected() -> bool:
        asked.append(time.monotonic())
        return link.is_set()

    publisher = StatePublisher(
        views=engine.views(), publish=fake.publish, outbox=engine.outbox(), connected=connected
    )
    engine.events.subscribe(publisher)
    publisher.start()
    try:
        issue(engine)
        engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
        called = engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
        asked.clear()
        time.sleep(0.5)
        assert fake.sent == [] and len(pending_ids(engine)) == 3
        assert len(asked) <= 10  # it looks again every poll, it does not spin
        link.set()
        assert wait_until(lambda: [call["ticket"] for call in fake.calls()] == [called.label])
        assert wait_until(lambda: pending_ids(engine) == [])
    finally:
        publisher.stop()


def test_calls_of_this_process_go_out_without_reading_the_outbox(
    engine: Engine, fast: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(publisher_module, "POLL_S", 30.0)
    reads: list[int] = []
    outbox = engine.outbox()
    pending = outbox.pending

    def counted(**kwargs: Any) -> Any:
        reads.append(1)
        return pending(**kwargs)

    monkeypatch.setattr(outbox, "pending", counted)
    fake = FakeBroker()
    publisher = StatePublisher(views=engine.views(), publish=fake.publish, outbox=outbox)
    engine.events.subscribe_stored(publisher)
    publisher.start()
    try:
        assert wait_until(lambda: len(reads) == 1)  # the read at start
        issue(engine)
        engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
        called = engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
        assert wait_until(lambda: [call["ticket"] for call in fake.calls()] == [called.label])
        assert wait_until(lambda: pending_ids(engine) == [])
        assert len(reads) == 1  # published from the bus, marked after the acknowledgement
    finally:
        publisher.stop()


@contextmanager
def stored_publisher(
    engine: Engine, publish: Callable[[str, bytes, bool], FakeReceipt], **options: Any
) -> Iterator[StatePublisher]:
    """A started publisher given each committed row by the bus, as ``antre serve`` runs it."""
    publisher = StatePublisher(
        views=engine.views(), publish=publish, outbox=engine.outbox(), **options
    )
    engine.events.subscribe_stored(publisher)
    publisher.start()
    try:
        assert wait_until(lambda: publisher._started)
        yield publisher
    finally:
        publisher.stop()


def call_one(engine: Engine) -> str:
    """Issue a ticket and call it at cs-1; its label."""
    issue(engine)
    engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    return engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER).label


def test_a_call_goes_out_from_the_thread_that_committed_it(engine: Engine, fast: None) -> None:
    """Not behind a state build on the worker: sent before the use case returns; the worker
    counts its receipt (the row waits for the acknowledgement) instead of sending it again."""
    fake = FakeBroker(acking=False)
    threads: list[str] = []

    def publish(topic: str, payload: bytes, retain: bool) -> FakeReceipt:
        if topic == CALLED:
            threads.append(threading.current_thread().name)
        return fake.publish(topic, payload, retain)

    with stored_publisher(engine, publish):
        label = call_one(engine)
        assert [call["ticket"] for call in fake.calls()] == [label]  # already out
        assert threads == [threading.current_thread().name]
        board = f"antre/v1/{OFFICE}/board"
        assert wait_until(lambda: any(topic == board for topic, _ in fake.sent))  # its batch
        assert len(fake.calls()) == 1 and len(pending_ids(engine)) >= 1  # not acknowledged
        fake.acking = True
        assert wait_until(lambda: pending_ids(engine) == [])
        assert {call["id"] for call in fake.calls()} == {fake.calls()[0]["id"]}  # one call


def test_no_call_goes_out_early_while_the_link_is_down(engine: Engine, fast: None) -> None:
    fake = FakeBroker()
    link = threading.Event()
    with stored_publisher(engine, fake.publish, connected=link.is_set):
        label = call_one(engine)
        time.sleep(0.3)
        assert fake.sent == []
        link.set()  # the worker sends it with its batch once the link is up
        assert wait_until(lambda: [call["ticket"] for call in fake.calls()] == [label])
        assert wait_until(lambda: pending_ids(engine) == [])


def test_a_call_committed_by_another_process_is_published(
    engine: Engine, fake_publisher: tuple[StatePublisher, FakeBroker]
) -> None:
    _publisher, fake = fake_publisher
    fake.acking = True
    other = Engine(engine.database, FakeClock(engine.clock()))  # its own bus: nobody listens
    issue(other)
    other.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
    called = other.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
    assert wait_until(lambda: [call["ticket"] for call in fake.calls()] == [called.label])
    assert wait_until(lambda: pending_ids(engine) == [])


def test_the_sequence_continues_above_the_one_recorded_by_the_last_run(
    engine: Engine, fast: None
) -> None:
    issue(engine)
    (row,) = pending_ids(engine)
    later = (time.time_ns() // 1000) + 3600 * 10**6  # as if the clock was set back an hour
    engine.outbox().delivered([row], seq=later)  # what the last run recorded
    fake = FakeBroker()
    publisher = StatePublisher(views=engine.views(), publish=fake.publish, outbox=engine.outbox())
    engine.events.subscribe(publisher)
    publisher.start()
    try:
        engine.officer.open_counter(OFFICE, "cs-1", actor=OFFICER)
        engine.officer.call_next(OFFICE, "cs-1", actor=OFFICER)
        assert wait_until(lambda: len(fake.calls()) == 1)
        assert fake.calls()[0]["seq"] > later
    finally:
        publisher.stop()


# -- a real broker: a crash between commit and publication ------------------------------


class Server:
    """The server's MQTT client and publisher over ``engine``'s database."""

    def __init__(self, engine: Engine, port: int) -> None:
        holder: list[StatePublisher] = []
        self.client = ServerMqtt(
            broker=BrokerAddress("127.0.0.1", port, SERVER.username, SERVER.password),
            office=OFFICE,
            handler=KioskRequests(issuing=engine.issuing),
            client_id=f"antre-server-{port}",
            on_connected=lambda: holder[0].refresh(OFFICE),
        )
        self.publisher = StatePublisher(
            views=engine.views(),
            publish=self.client.publish,
            outbox=engine.outbox(),
            offices=[OFFICE],
            connected=self.client.connected.is_set,
        )
        holder.append(self.publisher)
        engine.events.subscribe(self.publisher)
        self.publisher.start()
        self.client.start()

    def crash(self) -> None:
        """Stop without publishing anything more (what kill -9 leaves behind)."""
        self.client.stop()
        self.publisher.stop()


def commit_calls(engine: Engine, counters: list[str], rounds: int) -> list[tuple[str, str, bool]]:
    """Call, recall and finish at each counter; (label, counter, recall) of every call."""
    issue(engine, len(counters) * rounds)
    calls: list[tuple[str, str, bool]] = []
    for counter in counters:
        engine.officer.open_counter(OFFICE, counter, actor=OFFICER)
    for index in range(rounds):
        for counter in counters:
            called = engine.officer.call_next(OFFICE, counter, actor=OFFICER)
            calls.append((called.label, counter, False))
            if index % 2:
                engine.officer.recall(OFFICE, counter, actor=OFFICER)
                calls.append((called.label, counter, True))
            engine.officer.finish(OFFICE, counter, actor=OFFICER)
    return calls


def received(
    inbox: queue.Queue[Any],
    until: Callable[[list[dict[str, Any]]], bool],
    limit_s: float = 3 * TIMEOUT_S,
) -> list[dict[str, Any]]:
    """Calls from ``inbox`` until ``until`` holds or ``limit_s`` passed."""
    calls: list[dict[str, Any]] = []
    deadline = time.monotonic() + limit_s
    while not until(calls) and time.monotonic() < deadline:
        try:
            calls.append(json.loads(inbox.get(timeout=0.2).payload))
        except queue.Empty:
            continue
    return calls


def test_calls_committed_before_a_crash_reach_the_display_after_the_restart(
    broker: MosquittoProcess,  # noqa: F811
    engine: Engine,
) -> None:
    down = Server(engine, free_port())  # its broker link never comes up
    committed = commit_calls(engine, ["cs-1", "cs-2"], rounds=3)
    down.crash()
    committed += commit_calls(engine, ["cs-3"], rounds=2)  # no server running at all
    display = Device(broker.port, DISPLAY)
    try:
        display.subscribe(CALLED)
        restarted = Server(engine, broker.port)
        try:
            calls = received(
                display.inbox, lambda got: len({c["id"] for c in got}) >= len(committed)
            )
            assert wait_until(lambda: pending_ids(engine) == [])  # acknowledged, then marked
        finally:
            restarted.crash()
        unique = {call["id"]: call for call in calls}
        assert len(unique) == len(committed)  # every call arrived, each under its own id
        assert [
            (call["ticket"], call["counter"], call["recall"])
            for _id, call in sorted(unique.items())
        ] == committed
        assert all(unique[call["id"]] == call for call in calls)  # copies are identical
        again = Server(engine, broker.port)  # a further start sends nothing delivered again
        try:
            assert again.client.connected.wait(TIMEOUT_S)
            assert received(display.inbox, lambda got: bool(got), limit_s=2.0) == []
        finally:
            again.crash()
    finally:
        display.close()


def test_calls_sent_early_and_by_the_worker_reach_the_client_in_seq_order(
    engine: Engine,
) -> None:
    """A display drops a call older than the last on its topic: every thread draws the
    call's ``seq`` and hands it to the client in one step."""
    call_one(engine)  # the office definition is now cached
    order: list[int] = []

    def publish(topic: str, payload: bytes, retain: bool) -> FakeReceipt:
        order.append(json.loads(payload)["seq"])
        return FakeReceipt(FakeBroker())

    publisher = StatePublisher(views=engine.views(), publish=publish, outbox=engine.outbox())
    publisher._started = True  # as after its start-up, without its thread
    event = TicketChanged(
        office=OfficeId(OFFICE), ticket=TicketId(1), label="B-001", service=ServiceId("walkin"),
        station=StationType.CS, action="call", status=TicketStatus.CALLED,
        previous=TicketStatus.WAITING, counter=CounterId("cs-1"), at=engine.clock(),
    )  # fmt: skip
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as the interpreter can
    try:
        early = [
            threading.Thread(
                target=lambda first=first: [
                    publisher._send_early(OutboxEntry(row, event))
                    for row in range(first, first + 300)
                ]
            )
            for first in (1_000, 2_000, 3_000)
        ]
        worker = threading.Thread(
            target=lambda: [publisher._publish_call(event, row) for row in range(1, 301)]
        )
        for thread in [*early, worker]:
            thread.start()
        for thread in [*early, worker]:
            thread.join()
    finally:
        sys.setswitchinterval(interval)
    assert len(order) == 1_200
    assert all(a < b for a, b in itertools.pairwise(order))
