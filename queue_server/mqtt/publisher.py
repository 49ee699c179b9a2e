"""Publish committed changes to displays: ``event/called`` and retained states.

Every change is in the outbox table, written in the transaction that made it (see
``services/unit.py``). The publisher's own thread drains that table, so the officer's
HTTP request never waits on the broker: at once when this process commits (the event bus
hands it the new rows, so they go out without reading the table), every ``POLL_S`` for
rows committed by other processes (HTTP workers that run no MQTT), and when the link
comes up, together with the full refresh of every retained state. A row is marked
delivered only after the broker acknowledged (QoS 1 PUBACK) every message it led to; a
row not acknowledged within ``RESEND_AFTER_S``, or left pending by a crash, is published
again: delivery is at least once. ``event/called`` carries the row's id, the same in
every copy, so a display announces a call once (``queue_server.protocol.dedupe``).

Only what changed goes out: a batch builds only the states its events name (see
``Named``), and a retained state whose content (all but its ``seq``) is the one this
publisher last sent on its topic is not sent again, so a call re-publishes its counter,
the board and its queue, not every counter of the office; the queue states of the other
services starting at the stations it moved follow once the inbox is empty
(``publish_moved``), without those the office's latest batch built; while more work
waits in the inbox, so do the queue states the batch names (calls never wait; counters
and the board go out with the batch's build). An office's states are built at most every
``STATE_EVERY_S``: a batch sooner after the last build sends its calls and leaves its
states to one build when the turn comes (``_publish_deferred``); its rows settle only
once that build's messages are acknowledged too. Each office's states of a batch are
built in one read snapshot
(``ViewService.snapshot``), and a call's counter name comes from the cached office
definition without a read. A car joining or
leaving a drive-thru lane (``LaneChanged``) builds only that lane's ``lane/{lane}/state``.
A state is encoded once: its content is compared, and sent with the ``seq`` put in front.
A full refresh (the link came up, the office was reloaded) and a batch the broker did not
acknowledge in time build and send everything again.

Every snapshot carries a ``seq`` that only grows: microseconds since the epoch, bumped
when two fall in the same microsecond, and never below the sequence recorded with the
last delivered row, so it keeps growing across restarts and from one serving process to
the next even if the clock was set back. A display drops a stale message that arrives
after a newer one on the same topic.
"""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Protocol

from queue_server.domain.events import (
    CounterChanged,
    DomainEvent,
    LaneChanged,
    OfficeReloaded,
    TicketChanged,
)
from queue_server.domain.ids import AT_COUNTER_STATUSES
from queue_server.persistence.outbox import OutboxEntry
from queue_server.protocol import topics
from queue_server.protocol.base import dump, sequenced, unsequenced
from queue_server.protocol.states import (
    Board,
    CalledEvent,
    DisplayConfig,
    DisplayConfigMessage,
    KioskConfigMessage,
)
from queue_server.services.device_config import KINDS, DeviceConfigService
from queue_server.services.outbox import OutboxService
from queue_server.services.views import OfficeView, ViewService, counter_name

log = logging.getLogger(__name__)
#: Outbox rows handled together at most; a burst of calls refreshes the states once.
MAX_BATCH = 200
#: How often the outbox is read for rows committed by other processes.
POLL_S = 0.5
#: How often unacknowledged messages are checked while some are in flight (this only
#: delays marking rows delivered, never a publication).
ACK_CHECK_S = 0.05
#: A row whose messages are not all acknowledged by then is published again.
RESEND_AFTER_S = 10.0
#: Acknowledged rows are marked delivered together, at most this often.
MARK_EVERY_S = 0.2
#: Rows sent but not yet marked delivered at most; the outbox is read again below it.
MAX_IN_FLIGHT = 2000
#: Wait after a batch failed before reading the outbox again.
RETRY_AFTER_S = 2.0
PRUNE_EVERY_S = 60.0
#: The queue states a batch moved only through a station (other services than its own)
#: are built once the inbox is empty, or at the latest after this long: calls first.
MOVED_WITHIN_S = 0.2
#: An office's states (counters, board, queues) are built at most this often: under load
#: the batches of a burst share one build, at most this late (calls never wait).
STATE_EVERY_S = 0.05
#: An office's queue states (what the kiosks show per service: waiting, estimate) are
#: built at most this often: under load they go with the moved pass, which at most
#: ``MOVED_WITHIN_S`` after the batch that moved them. Nobody at a kiosk tells 50 ms from
#: 200 ms; building them is most of a build's cost.
QUEUE_EVERY_S = 0.2
#: Calls sent from the committing thread and not yet reached by the worker, at most.
EARLY_CALLS_MAX = 10_000
#: How long ``stop`` waits for the last acknowledgements.
STOP_WAIT_S = 2.0


class Receipt(Protocol):
    """A published message (``ServerMqtt.publish`` returns a ``Delivery``)."""

    def acknowledged(self) -> bool: ...


Publish = Callable[[str, bytes, bool], Receipt]  # topic, payload, retain
#: Also given every message published (the browser push hub): must not block.
Sink = Callable[[str, bytes, bool], None]


class Delivered:
    """The receipt of a message with no broker to acknowledge it (``--no-mqtt``)."""

    def acknowledged(self) -> bool:
        return True


DELIVERED = Delivered()


def no_broker(_topic: str, _payload: bytes, _retain: bool) -> Receipt:
    """``publish`` without a broker: only the sink gets the messages."""
    return DELIVERED


@dataclass(frozen=True)
class FullRefresh:
    office: str


@dataclass(frozen=True)
class Wake:
    """Something was committed in this process: read the outbox now."""


Item = OutboxEntry | Wake | FullRefresh | None  # what the worker's inbox holds


@dataclass
class Flight:
    """Outbox rows published together and the messages they led to."""

    ids: list[int]
    receipts: list[Receipt]
    deadline: float
    #: Offices whose states these rows named and that are deferred (not yet built): the
    #: flight is not settled before their build's receipts joined it.
    open: int = 0

    def settled(self) -> bool:
        if self.open:
            return False
        self.receipts = [receipt for receipt in self.receipts if not receipt.acknowledged()]
        return not self.receipts


class Sequence:
    def __init__(self) -> None:
        self._last = 0
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            self._last = max(self._last + 1, time.time_ns() // 1000)
            return self._last

    @property
    def last(self) -> int:
        return self._last

    def at_least(self, floor: int) -> None:
        """Continue above ``floor`` (the sequence recorded by an earlier run)."""
        with self._lock:
            self._last = max(self._last, floor)


@dataclass
class Progress:
    """The drain loop's bookkeeping (worker thread only)."""

    flights: list[Flight] = field(default_factory=list)
    acked: list[int] = field(default_factory=list)
    refresh: set[str] = field(default_factory=set)
    next_read: float = 0.0
    last_mark: float = 0.0
    next_prune: float = 0.0

    def busy(self) -> set[int]:
        """Rows published by this run and not yet marked delivered."""
        return {row for flight in self.flights for row in flight.ids} | set(self.acked)


class StatePublisher:
    def __init__(
        self,
        *,
        views: ViewService,
        publish: Publish,
        outbox: OutboxService,
        configs: DeviceConfigService | None = None,
        offices: Collection[str] | None = None,
        connected: Callable[[], bool] = lambda: True,
        sink: Sink | None = None,
        state_every_s: float = STATE_EVERY_S,
        queue_every_s: float = QUEUE_EVERY_S,
    ) -> None:
        """``offices``: whose rows to deliver (None: all); ``connected``: whether the link
        is up (nothing is read from the outbox while it is down); ``sink``: also gets
        every message published (the browsers' push hub); ``state_every_s``: an office's
        states are built at most this often (0: with every batch); ``queue_every_s``: its
        queue states at most this often (0: with every build)."""
        self._views, self._deliver, self._configs = views, publish, configs
        self._sink = sink
        self._outbox, self._connected = outbox, connected
        self._offices = None if offices is None else frozenset(offices)
        self._seq = Sequence()
        self._sent: list[Receipt] = []
        #: Per retained topic, the content (without ``seq``) last sent on it.
        self._last: dict[str, bytes] = {}
        #: After ``forget``: the offices whose every state was built again since (None:
        #: nothing forgotten); the next batch of any other office builds everything.
        self._rebuilt: set[str] | None = None
        #: Per office, the queue states still to be built (the moved pass).
        self._moved: dict[str, Pending] = {}
        #: Per office, the services whose queue states its latest batch built: they show
        #: every change published so far, so the moved pass leaves them out.
        self._built: dict[str, set[str]] = {}
        self._moved_since = 0.0
        self._state_every_s, self._queue_every_s = state_every_s, queue_every_s
        #: Per office, when its queue states were last built (by a batch or the moved pass).
        self._last_queues: dict[str, float] = {}
        #: Per office, when its states were last built, and the states named since by
        #: batches that came sooner than ``state_every_s`` after it (built when due).
        self._last_build: dict[str, float] = {}
        self._deferred: dict[str, Named] = {}
        #: Per office, the flights waiting on its deferred build; the offices the batch
        #: being published deferred.
        self._awaiting: dict[str, list[Flight]] = {}
        self._deferring: set[str] = set()
        #: Per office, the highest version an ``OfficeReloaded`` seen named: a cached
        #: definition older than that must be read again for a call's counter name.
        self._reloaded: dict[str, int] = {}
        #: Calls sent at once by the thread that committed them (``__call__``), by outbox
        #: row: the worker counts their receipts instead of sending them again.
        self._early: dict[int, tuple[Receipt, float]] = {}
        self._early_lock = threading.Lock()
        #: Held while a call's ``seq`` is drawn and the call handed to the client, by the
        #: committing threads and the worker alike: calls reach the broker in ``seq``
        #: order (a display drops a message older than the last on its topic).
        self._call_lock = threading.Lock()
        #: Per office, the highest reload version the committing threads handed over.
        self._early_reloads: dict[str, int] = {}
        self._started = False
        self._inbox: queue.Queue[Item] = queue.Queue()
        self._worker = threading.Thread(target=self._work, name="mqtt-publisher", daemon=True)

    def start(self) -> None:
        self._worker.start()

    def stop(self) -> None:
        """Stop after publishing what is queued and marking what the broker acknowledged
        (waits ``STOP_WAIT_S`` at most for the acknowledgements)."""
        self._inbox.put(None)
        self._worker.join(timeout=10)

    def wake(self) -> None:
        """Read the outbox now (another process committed rows; never blocks)."""
        self._inbox.put(Wake())

    def refresh(self, office: str) -> None:
        """Queue a re-publication of every retained state of ``office`` (after a reconnect)."""
        self._inbox.put(FullRefresh(office))

    def __call__(self, event: DomainEvent | OutboxEntry) -> None:
        """The event-bus subscriber (plain or stored): queue only, never block the caller.

        A stored entry is published as it is; a plain event only makes the worker read
        the outbox at once.
        """
        office = event.event.office if isinstance(event, OutboxEntry) else event.office
        if self._offices is None or office in self._offices:
            if isinstance(event, OutboxEntry):
                self._send_early(event)
            self._inbox.put(event if isinstance(event, OutboxEntry) else Wake())

    def _send_early(self, entry: OutboxEntry) -> None:
        """Send a committed call at once from the committing thread, so that it never waits
        behind a state build on the worker (rows reach the bus in commit order, so calls
        keep their order). The worker counts its receipt for the row's flight (the row is
        marked delivered only once acknowledged) instead of sending it again (should the
        worker have read the row from the table first, the call goes twice with one id, which
        displays announce once, and the leftover is pruned). Skipped, and
        left to the worker, when anything is unsure: the link down, the worker not started,
        the office reloaded since the cached definition, too many waiting."""
        event = entry.event
        if isinstance(event, OfficeReloaded):
            with self._early_lock:
                seen = self._early_reloads.get(event.office, 0)
                self._early_reloads[event.office] = max(seen, event.version)
            return
        if not (isinstance(event, TicketChanged) and event.is_call and event.counter is not None):
            return
        cached = self._views.cached_office(event.office)
        with self._early_lock:
            if (
                not self._started
                or cached is None
                or cached.version < self._early_reloads.get(event.office, 0)
                or len(self._early) >= EARLY_CALLS_MAX
            ):
                return
        try:
            if not self._connected():
                return
            topic = topics.event_called(event.office)
            name = counter_name(cached, str(event.counter))
            with self._call_lock:
                payload = self._call_payload(event, entry.id, name)
                receipt = self._deliver(topic, payload, False)
                if self._sink is not None:
                    self._sink(topic, payload, False)
        except Exception:  # the worker sends it with its batch
            log.debug("could not send a call at once; it goes with the batch", exc_info=True)
            return
        with self._early_lock:
            self._early[entry.id] = (receipt, time.monotonic())

    def _work(self) -> None:
        progress = Progress()
        self._start_up()
        with self._early_lock:
            self._started = True
        up = True  # whether the link was up when last asked
        while True:
            items = self._wait(progress, waiting=up)
            stopping = None in items
            progress.refresh.update(item.office for item in items if isinstance(item, FullRefresh))
            fresh = [item for item in items if isinstance(item, OutboxEntry)]
            now = time.monotonic()
            self._settle(progress, now)
            read = any(isinstance(item, Wake | FullRefresh) for item in items)
            if read or fresh or now >= progress.next_read or self._deferred or self._moved:
                up = self._connected()
            if read or fresh or now >= progress.next_read:  # also when stopping: last calls out
                if not up:  # while the link is down, only look again later
                    progress.next_read = now + POLL_S
                elif read or now >= progress.next_read:
                    progress.next_read = now + self._drain(progress)
                else:
                    self._drain(progress, fresh)
            if self._deferred and up:
                self._publish_deferred(progress, force=stopping)
            if self._moved and up and self._moved_due(force=stopping):
                self.publish_moved(progress)
            self._mark(progress, now, force=stopping)
            if stopping:
                self._finish(progress)
                return
            self._prune(progress, now)

    def _wait(self, progress: Progress, *, waiting: bool) -> list[Item]:
        """What arrived (a burst at once), waiting until the next read or acknowledgement,
        or the next deferred build (``waiting``: the link is up, so that one can go out)."""
        timeout = max(0.0, progress.next_read - time.monotonic())
        if progress.flights or progress.acked:
            timeout = min(timeout, ACK_CHECK_S)
        due = self._next_due() if waiting else None
        if due is not None:
            timeout = min(timeout, max(0.0, due - time.monotonic()))
        try:
            items = [self._inbox.get(timeout=timeout)]
        except queue.Empty:
            return []
        while len(items) < MAX_BATCH:
            try:
                items.append(self._inbox.get_nowait())
            except queue.Empty:
                break
        return items

    def _start_up(self) -> None:
        """Continue above the sequence the last run recorded."""
        try:
            self._seq.at_least(self._outbox.highest_seq())
        except Exception:
            log.exception("could not read the last sequence; continuing from the clock")

    def _drain(self, progress: Progress, fresh: list[OutboxEntry] | None = None) -> float:
        """Publish pending rows (and due refreshes); seconds until the outbox is read again.

        ``fresh``: rows this process just committed, published without reading the table.
        """
        busy = progress.busy()
        if len(busy) >= MAX_IN_FLIGHT:
            return POLL_S
        try:
            if fresh is None:
                entries = self._outbox.pending(offices=self._offices, limit=MAX_BATCH, skip=busy)
            else:
                entries = sorted(
                    (entry for entry in fresh if entry.id not in busy), key=lambda e: e.id
                )
            if entries or progress.refresh:
                self._deferring = set()
                receipts = self._publish_entries(entries, progress.refresh)
                progress.refresh = set()
                deadline = time.monotonic() + RESEND_AFTER_S
                flight = Flight([entry.id for entry in entries], receipts, deadline)
                for office in self._deferring:  # their states' receipts join it when built
                    self._awaiting.setdefault(office, []).append(flight)
                    flight.open += 1
                progress.flights.append(flight)
        except Exception:  # the rows stay pending: the next read publishes them
            self.forget()  # (and every state again: some may not have gone out)
            log.exception("could not publish the pending changes; retrying")
            return RETRY_AFTER_S
        return 0.0 if len(entries) == MAX_BATCH else POLL_S

    def _publish_entries(self, entries: list[OutboxEntry], refresh: set[str]) -> list[Receipt]:
        """Publish a batch; the receipts of every message it sent."""
        self._sent = []
        try:
            self._publish_batch(entries, refresh)
            return self._sent
        finally:
            self._sent = []

    def _publish(self, topic: str, payload: bytes, retain: bool) -> Receipt:
        receipt = self._deliver(topic, payload, retain)
        self._sent.append(receipt)
        if self._sink is not None:
            self._sink(topic, payload, retain)
        return receipt

    def _settle(self, progress: Progress, now: float) -> None:
        """Move acknowledged flights to ``acked``; give up on those past their deadline."""
        waiting: list[Flight] = []
        for flight in progress.flights:
            if flight.settled():
                progress.acked.extend(flight.ids)
            elif now >= flight.deadline:
                self.forget()  # what the broker may not have: everything goes again
                log.warning(
                    "%d changes not acknowledged by the broker in %.0f s; publishing them again",
                    len(flight.ids),
                    RESEND_AFTER_S,
                )
            else:
                waiting.append(flight)
        progress.flights = waiting

    def _mark(self, progress: Progress, now: float, *, force: bool = False) -> None:
        if not progress.acked:
            return
        if not force and now - progress.last_mark < MARK_EVERY_S:
            return
        progress.last_mark = now
        try:
            self._outbox.delivered(progress.acked, seq=self._seq.last)
        except Exception:  # they are published again after a restart: at least once
            log.exception("could not mark %d changes delivered", len(progress.acked))
            return
        progress.acked = []

    def _prune(self, progress: Progress, now: float) -> None:
        if now < progress.next_prune:
            return
        progress.next_prune = now + PRUNE_EVERY_S
        with self._early_lock:  # rows the worker had read before their call went out early
            self._early = {
                row: sent for row, sent in self._early.items() if now - sent[1] < PRUNE_EVERY_S
            }
        try:
            self._outbox.prune()
        except Exception:
            log.exception("could not prune the outbox")

    def _finish(self, progress: Progress) -> None:
        """On stop: wait a little for the last acknowledgements and record them."""
        deadline = time.monotonic() + STOP_WAIT_S
        while progress.flights and time.monotonic() < deadline:
            time.sleep(ACK_CHECK_S)
            self._settle(progress, time.monotonic())
        self._mark(progress, time.monotonic(), force=True)

    def forget(self) -> None:
        """Forget what was sent: each office's next batch builds and sends every state."""
        self._last.clear()
        self._built.clear()
        self._rebuilt = set()

    def _publish_batch(self, entries: list[OutboxEntry], refresh: set[str]) -> None:
        """Calls first and in order (displays announce them), then each state the events
        name, once, if it changed; every state of the offices in ``refresh``. Each office's
        states are built in one read snapshot; while more work waits in the inbox, the
        named queue states are left to the moved pass (see ``publish_moved``)."""
        full: set[str] = set(refresh)
        named: dict[str, Named] = {}
        for entry in entries:
            event = entry.event
            if isinstance(event, OfficeReloaded):
                full.add(event.office)
                seen = self._reloaded.get(event.office, 0)
                self._reloaded[event.office] = max(seen, event.version)
            elif isinstance(event, TicketChanged):
                if event.is_call and event.counter is not None:
                    self._publish_call(event, entry.id)
                named.setdefault(event.office, Named()).ticket(event)
            elif isinstance(event, CounterChanged):
                named.setdefault(event.office, Named()).counters.add(event.counter)
            elif isinstance(event, LaneChanged):
                named.setdefault(event.office, Named()).lanes.add(event.lane)
        if self._rebuilt is not None:
            full |= set(named) - self._rebuilt
        full_receipts: dict[str, list[Receipt]] = {}
        for office in sorted(full):
            start = len(self._sent)
            if self._rebuilt is not None:
                self._rebuilt.add(office)
            self.publish_configs(office)
            with self._views.snapshot(office) as view:
                self.publish_counters(office, everything=True, view=view)
                self.publish_queues(office, None, everything=True, view=view)
                self.publish_lanes(office, None, everything=True, view=view)
            full_receipts[office] = self._sent[start:]
        now = time.monotonic()
        for office in sorted(set(named) - full):
            names = named[office]
            waiting = self._deferred.pop(office, None)
            if waiting is not None:
                names = waiting.merge(names)
            if now - self._last_build.get(office, -math.inf) < self._state_every_s:
                self._deferred[office] = names  # built when due, with what comes meanwhile
                self._deferring.add(office)
                continue
            self._last_build[office] = now
            with self._views.snapshot(office) as view:
                self._publish_named(office, names, view)
        for office in full:
            self._moved.pop(office, None)  # built above
            self._built.pop(office, None)
            self._deferred.pop(office, None)
            self._last_build[office] = self._last_queues[office] = now
            self._close_awaiting(office, full_receipts.get(office, []))

    def _close_awaiting(self, office: str, receipts: list[Receipt]) -> None:
        """The office's deferred states were built (``receipts``): the flights of the rows
        that named them hold those receipts too."""
        for flight in self._awaiting.pop(office, []):
            flight.receipts.extend(receipts)
            flight.open -= 1

    def _next_due(self) -> float | None:
        """When the next deferred build or moved pass is due (None: nothing waits)."""
        due = [self._last_build.get(office, 0.0) + self._state_every_s for office in self._deferred]
        if self._moved:
            due.append(self._moved_due_at())
        return min(due) if due else None

    def _moved_due_at(self) -> float:
        """The moved pass goes out once the office's latest build is ``state_every_s``
        old and its latest queue states ``queue_every_s`` old (and the inbox is empty), at
        the latest ``MOVED_WITHIN_S`` after the first batch that left it work."""
        turn = min(
            max(
                self._last_build.get(office, 0.0) + self._state_every_s,
                self._last_queues.get(office, 0.0) + self._queue_every_s,
            )
            for office in self._moved
        )
        return min(turn, self._moved_since + MOVED_WITHIN_S)

    def _moved_due(self, *, force: bool) -> bool:
        now = time.monotonic()
        if force or now - self._moved_since >= MOVED_WITHIN_S:
            return True
        return self._inbox.empty() and now >= self._moved_due_at()

    def _publish_deferred(self, progress: Progress, *, force: bool = False) -> None:
        """Build the deferred states of the offices whose turn came (all: ``force``)."""
        now = time.monotonic()
        due = {
            office: names
            for office, names in self._deferred.items()
            if force or now - self._last_build.get(office, 0.0) >= self._state_every_s
        }
        if not due:
            return
        for office in due:
            del self._deferred[office]

        def build() -> None:
            for office in sorted(due):
                self._last_build[office] = now
                if self._rebuilt is not None and office not in self._rebuilt:
                    self._publish_batch([], {office})  # forgotten: every state again
                    continue
                start = len(self._sent)
                with self._views.snapshot(office) as view:
                    self._publish_named(office, due[office], view)
                self._close_awaiting(office, self._sent[start:])

        if not self._outside_batch(progress, build, "the deferred states"):
            for office in due:  # their rows' flights stay open: sent again after a while
                self._awaiting.pop(office, None)

    def _outside_batch(
        self, progress: Progress | None, build: Callable[[], None], what: str
    ) -> bool:
        """Run a pass that publishes outside an outbox batch (the deferred states, the
        moved pass); its messages form a flight of their own. On failure every state goes
        again with each office's next batch; False then."""
        self._sent = []
        try:
            build()
            if progress is not None and self._sent:
                deadline = time.monotonic() + RESEND_AFTER_S
                progress.flights.append(Flight([], self._sent, deadline))
            return True
        except Exception:
            self.forget()
            log.exception("could not publish %s; they go out with the next batch", what)
            return False
        finally:
            self._sent = []

    def _publish_named(self, office: str, names: Named, view: OfficeView) -> None:
        """The states ``names`` names in ``office``, from one snapshot: lanes, counters and
        the board at once; the named queue states too unless more work waits in the inbox
        or the office's queue states were built less than ``queue_every_s`` ago (then with
        the moved pass, at the latest ``MOVED_WITHIN_S`` later)."""
        if names.lanes:
            self.publish_lanes(office, names.lanes, view=view)
        if names.lanes_only():
            return
        codes = None if names.every_counter else names.counters
        stations = self.publish_counters(office, only=codes, view=view)
        pending = self._moved.get(office)
        if pending is None:
            if not self._moved:
                self._moved_since = time.monotonic()
            pending = self._moved[office] = Pending()
        pending.stations |= names.stations | stations
        now = time.monotonic()
        due = now - self._last_queues.get(office, -math.inf) >= self._queue_every_s
        if due and self._inbox.empty():
            self._last_queues[office] = now
            self._built[office] = self.publish_queues(office, names.services, view=view)
            pending.services -= self._built[office]
        else:  # busy, or built lately: one build for this and the next batches' states
            self._built[office] = set()
            pending.services |= names.services

    def publish_moved(self, progress: Progress | None = None) -> None:
        """The queue states left for later: those of the services starting at the stations
        recent batches moved (their people ahead, open counters, estimate) and those busy
        batches named, those that changed; right after the calls and states of those
        batches (``MOVED_WITHIN_S``); not those the office's latest batch built (they show
        every change published so far). One snapshot per office."""
        moved, self._moved = self._moved, {}
        built, self._built = self._built, {}

        def build() -> None:
            now = time.monotonic()
            for office in sorted(moved):
                self._last_queues[office] = now
                skip = built.get(office, set())
                pending = moved[office]
                self.publish_queues(office, pending.services, stations=pending.stations, skip=skip)

        self._outside_batch(progress, build, "the queue states")

    def _publish_call(self, event: TicketChanged, call_id: int) -> None:
        with self._early_lock:
            early = self._early.pop(call_id, None)
        if early is not None:  # sent by the committing thread: its receipt joins the flight
            self._sent.append(early[0])
            return
        name = self._counter_name(event.office, str(event.counter))
        with self._call_lock:
            payload = self._call_payload(event, call_id, name)
            self._publish(topics.event_called(event.office), payload, False)

    def _call_payload(self, event: TicketChanged, call_id: int, name: str) -> bytes:
        payload = CalledEvent(
            id=call_id,  # the outbox row: the same in every copy of this call
            seq=self._seq.next(),
            ticket=event.label,
            station=event.station.value,
            counter=str(event.counter),
            counter_name=name,
            service=event.service,
            recall=event.action == "recall",
            ts=event.at,
        )
        return dump(payload)

    def _counter_name(self, office: str, counter: str) -> str:
        """The counter's display name from the office definition this process holds,
        without a read, unless it is older than a reload this publisher saw (the call's
        row comes after that reload's: a renamed counter is called by its new name)."""
        cached = self._views.cached_office(office)
        if cached is not None and cached.version >= self._reloaded.get(office, 0):
            return counter_name(cached, counter)
        self._reloaded.pop(office, None)  # read now: the stored version is the truth
        return self._views.counter_name(office, counter)

    def publish_counters(
        self,
        office: str,
        *,
        everything: bool = False,
        only: Collection[str] | None = None,
        view: OfficeView | None = None,
    ) -> set[str]:
        """Retained state of each counter in ``only`` (None: every counter) that changed,
        and the lobby board built from all of them if it changed (``everything``: send
        them changed or not); the stations the counters in ``only`` serve. ``view``: the
        snapshot to build them in (None: one of their own)."""
        if view is None:
            with self._views.snapshot(office) as own:
                return self.publish_counters(office, everything=everything, only=only, view=own)
        states = view.counters(only)
        stations: set[str] = set()
        for state in states:
            if only is not None and state.code not in only:
                continue  # built for the board only (without its rating question)
            stations.update(state.stations)
            self._publish_state(topics.counter_state(office, state.code), dump(state), everything)
        # The board needs no rating question (and older boards do not know the field).
        plain = [state.model_copy(update={"rating": None}) for state in states]
        serving = [state for state in plain if state.ticket_label]
        content = unsequenced(dump(Board(seq=1, counters=plain, serving=serving)))
        self._publish_state(topics.board(office), content, everything)
        return stations

    def _publish_state(self, topic: str, content: bytes, everything: bool) -> None:
        """A retained state from its content (its JSON without ``seq``), if it changed:
        encoded once, the ``seq`` put in front (the same bytes as its message's ``dump``)."""
        if self._changed(topic, content, everything):
            self._publish(topic, sequenced(content, self._seq.next()), True)

    def _changed(self, topic: str, content: bytes, everything: bool) -> bool:
        """Whether ``content`` differs from what was last sent on ``topic`` (then noted)."""
        if not everything and self._last.get(topic) == content:
            return False
        self._last[topic] = content
        return True

    def publish_configs(self, office: str) -> None:
        """Retained ``config/{kind}`` for kiosks and displays (services, names, counters)."""
        if self._configs is None:
            return
        for kind in KINDS:
            config = self._configs.config(office, kind)
            message: DisplayConfigMessage | KioskConfigMessage = (
                DisplayConfigMessage(**dict(config), seq=self._seq.next())
                if isinstance(config, DisplayConfig)
                else KioskConfigMessage(**dict(config), seq=self._seq.next())
            )
            self._publish(topics.config(office, kind), dump(message), True)

    def publish_queue(self, office: str, service: str, *, everything: bool = False) -> None:
        """The service's retained queue state, if it changed (``everything``: anyway)."""
        self.publish_queues(office, [service], everything=everything)

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
        """The retained queue states of ``services`` and of the services whose first
        station is in ``stations`` (None: every active service) but not in ``skip``, those
        that changed; the services built. ``view``: the snapshot to build them in (None:
        one of their own)."""
        if view is None:
            with self._views.snapshot(office) as own:
                return self.publish_queues(
                    office, services, stations=stations, skip=skip, everything=everything, view=own
                )
        built = set()
        for state in view.queue_states(services, stations=stations, skip=skip):
            built.add(state.service)
            self._publish_state(topics.queue_state(office, state.service), dump(state), everything)
        return built

    def publish_lanes(
        self,
        office: str,
        lanes: Collection[str] | None,
        *,
        everything: bool = False,
        view: OfficeView | None = None,
    ) -> None:
        """The retained states of the drive-thru ``lanes`` (None: every lane of the office),
        those that changed (``everything``: anyway); ``view`` as for ``publish_counters``."""
        if view is None:
            with self._views.snapshot(office) as own:
                self.publish_lanes(office, lanes, everything=everything, view=own)
            return
        for state in view.lane_states(lanes):
            self._publish_state(topics.lane_state(office, state.lane), dump(state), everything)


@dataclass
class Pending:
    """An office's queue states left to the moved pass."""

    stations: set[str] = field(default_factory=set)  # those of the services starting here
    services: set[str] = field(default_factory=set)  # named by batches while busy


@dataclass
class Named:
    """The states a batch's events name in one office (see ``_publish_batch``)."""

    counters: set[str] = field(default_factory=set)
    every_counter: bool = False
    services: set[str] = field(default_factory=set)
    stations: set[str] = field(default_factory=set)
    lanes: set[str] = field(default_factory=set)

    def merge(self, other: Named) -> Named:
        """What this and ``other`` name together."""
        return Named(
            counters=self.counters | other.counters,
            every_counter=self.every_counter or other.every_counter,
            services=self.services | other.services,
            stations=self.stations | other.stations,
            lanes=self.lanes | other.lanes,
        )

    def lanes_only(self) -> bool:
        """Only drive-thru lanes changed: no counter or queue state to build."""
        return not (self.counters or self.every_counter or self.services or self.stations)

    def ticket(self, event: TicketChanged) -> None:
        """A ticket changed: its counter (every counter if it left one the event does not
        name), its service's queue and the queues that start at its station."""
        self.services.add(event.service)
        self.stations.add(event.station.value)
        if event.counter is not None:
            self.counters.add(event.counter)
        elif event.previous in AT_COUNTER_STATUSES:
            self.every_counter = True
