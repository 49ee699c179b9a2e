"""The push hub: what the publisher sends displays, fanned out to browser streams.

The :class:`~queue_server.mqtt.publisher.StatePublisher` hands every message it
publishes (topic, payload, retained) to :meth:`PushHub.publish`, which only queues it.
The hub's own thread keeps the last retained payload of every topic (the snapshot a new
stream starts with) and writes each message, framed once as a server-sent event, to the
streams whose reach covers its topic. Writing never blocks: a connection takes the bytes
into its buffer or refuses them (it is gone, or its client is too far behind), and a
refusing connection is dropped and closed; its browser reconnects and starts again from
the snapshot. A comment line ``: ping`` every ``HEARTBEAT_S`` finds dead connections.

Public ticket streams (the applicant's phone) are fed by :class:`TicketFeed`: each
publication of an office's queue or counter state marks the tickets it may concern; a
second thread recomputes their public status, at most once a second per ticket and only
for tickets that have an open stream, and sends it when it changed. A third thread
checks every ``RECHECK_S`` that the session or pairing behind each state stream still
holds (:class:`Grant`) and has the hub close those that ended.
"""

from __future__ import annotations

import json
import logging
import queue
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from queue_server.protocol import topics

log = logging.getLogger(__name__)
#: Seconds between ``: ping`` comments on every stream.
HEARTBEAT_S = 15.0
#: A ticket's stream gets at most one update per this many seconds.
TICKET_EVERY_S = 1.0
#: Open streams at most (state and ticket streams together); over it: 503.
MAX_STREAMS = 1000
#: A state stream is closed after this long; the browser reconnects and is authorised
#: again, so a signed-out session or a reset device stops getting updates within it.
MAX_STREAM_AGE_S = 3600.0
#: How often the sign-in or pairing behind each open state stream is checked again: a
#: signed-out session, a deactivated account or a reset display loses its streams within
#: this time (not only when the stream reaches ``MAX_STREAM_AGE_S``).
RECHECK_S = 30.0
#: Unsent bytes one stream may have queued; a client further behind is dropped.
MAX_UNSENT_BYTES = 256 * 1024
#: Ticket statuses computed in one go before the feed looks at its inbox again (a call
#: that arrived meanwhile is computed first).
TICKETS_PER_ROUND = 10
#: A payload's sequence numbers: a retained state published again unchanged but for them
#: is not sent to browsers again.
SEQ_FIELD = re.compile(rb'"seq":\s*-?\d+,?')
PING = b": ping\n\n"
READY = b"event: ready\ndata: {}\n\n"

_T = TypeVar("_T")
#: ``status(token)``: the ticket's public status as compact JSON, None when it is gone.
TicketStatus = Callable[[str], bytes | None]


class Connection(Protocol):
    """Where one stream's bytes go (a waitress channel, or a queue a generator reads)."""

    def send(self, data: bytes) -> bool:
        """Take ``data`` without blocking; False: the connection is gone or dropped."""

    def close(self) -> None:
        """End the stream (its client reconnects)."""

    def wake(self) -> None:
        """Have the bytes sent now (called once per round, after every ``send``)."""


def event(name: str, data: bytes) -> bytes:
    """One server-sent event; ``data`` is one line of JSON."""
    if b"\n" in data or b"\r" in data:  # compact JSON never has them; stay safe anyway
        data = data.replace(b"\r", b"").replace(b"\n", b" ")
    return b"event: " + name.encode() + b"\ndata: " + data + b"\n\n"


def state_event(relative: str, retained: bool, payload: bytes) -> bytes:
    """``event: state`` carrying ``{"topic", "retained", "message"}`` (payload as is)."""
    head = json.dumps({"topic": relative, "retained": retained})[:-1]
    return event("state", head.encode() + b', "message": ' + payload + b"}")


def matches(pattern: str, topic: str) -> bool:
    """Whether an MQTT topic filter (``+`` one level, ``#`` the rest) matches ``topic``."""
    wanted, levels = pattern.split("/"), topic.split("/")
    for index, level in enumerate(wanted):
        if level == topics.REST:
            return True
        if index >= len(levels) or (level != topics.ANY and level != levels[index]):
            return False
    return len(wanted) == len(levels)


@dataclass(frozen=True, eq=False)
class Grant:
    """What let a stream open (a browser session, a display's pairing).

    ``key`` groups the streams opened with the same grant (checked once for all of them);
    ``still_valid()`` reads the database and says whether the grant still holds.
    """

    key: str
    still_valid: Callable[[], bool]


@dataclass(eq=False)
class StateStream:
    """A browser reading an office's states: ``filters`` (full MQTT filters) is its reach;
    ``grant``, when given, is checked every ``RECHECK_S`` and the stream closed once it
    no longer holds."""

    connection: Connection
    office: str
    filters: tuple[str, ...]
    opened_at: float = 0.0
    grant: Grant | None = None

    def covers(self, topic: str) -> bool:
        return any(matches(pattern, topic) for pattern in self.filters)


@dataclass(eq=False)
class TicketStream:
    """A phone reading one ticket; ``first``: its status when the stream was opened."""

    connection: Connection
    token: str
    office: str
    service: str
    first: bytes


@dataclass(frozen=True)
class Published:
    topic: str
    payload: bytes
    retained: bool
    at: float  # time.time() when handed over (the benchmark measures from here)


@dataclass(frozen=True)
class Detach:
    connection: Connection


Item = Published | StateStream | Detach | None


class Round:
    """Connections written to in one round: each woken once at the end."""

    def __init__(self) -> None:
        self._written: dict[int, Connection] = {}

    def send(self, connection: Connection, data: bytes) -> bool:
        try:
            taken = connection.send(data)
        except Exception as error:  # one failing must not cost the other streams the round
            log.warning("push connection failed (%s); dropped", type(error).__name__)
            taken = False
        if taken:
            self._written[id(connection)] = connection
            return True
        self.drop(connection)
        return False

    def drop(self, connection: Connection) -> None:
        connection.close()
        self._written[id(connection)] = connection

    def wake(self) -> None:
        woken: set[object] = set()
        for connection in self._written.values():
            key = getattr(connection, "wake_key", id(connection))
            if key not in woken:
                woken.add(key)
                connection.wake()
        self._written = {}


class StreamCount:
    """Open streams of every kind, for the bound."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._open = 0
        self._lock = threading.Lock()

    def add(self, delta: int) -> None:
        with self._lock:
            self._open += delta

    @property
    def open(self) -> int:
        return self._open

    def has_room(self) -> bool:
        return self._open < self.limit


class PushHub:
    """Fan the publisher's messages out to browser streams (see the module doc)."""

    def __init__(
        self,
        *,
        ticket_status: TicketStatus | None = None,
        heartbeat_s: float = HEARTBEAT_S,
        ticket_every_s: float = TICKET_EVERY_S,
        max_streams: int = MAX_STREAMS,
        max_age_s: float = MAX_STREAM_AGE_S,
        recheck_s: float = RECHECK_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._max_age_s, self._recheck_s = max_age_s, recheck_s
        self._inbox: queue.Queue[Item] = queue.Queue()
        self._retained: dict[str, bytes] = {}  # full topic -> its event (retained: true)
        self._retained_lock = threading.Lock()
        self._streams: list[StateStream] = []
        self._heartbeat_s, self._clock = heartbeat_s, clock
        self.count = StreamCount(max_streams)
        self.tickets = TicketFeed(
            ticket_status or (lambda _token: None),
            count=self.count,
            every_s=ticket_every_s,
            heartbeat_s=heartbeat_s,
            clock=clock,
        )
        self._counter_shape: dict[str, tuple[object, object]] = {}
        self._bodies: dict[str, bytes] = {}  # retained topic -> its last payload without seq
        self._thread = threading.Thread(target=self._work, name="push-hub", daemon=True)
        self._grants = threading.Thread(target=self._watch_grants, name="push-grants", daemon=True)
        self._stopping = threading.Event()
        self._started = False
        self._start_lock = threading.Lock()

    # ------------------------------------------------------------ any thread

    def start(self) -> PushHub:
        """Start the threads once (every stream request calls this)."""
        with self._start_lock:
            if not self._started:
                self._started = True
                self._thread.start()
                self._grants.start()
                self.tickets.start()
        return self

    def stop(self) -> None:
        with self._start_lock:
            if self._started and self._thread.is_alive():
                self._stopping.set()
                self._inbox.put(None)
                self._thread.join(timeout=5)
                self.tickets.stop()

    def publish(self, topic: str, payload: bytes, retained: bool) -> None:
        """The publisher's sink: queue only, never block the publisher."""
        self._inbox.put(Published(topic, payload, retained, time.time()))

    def has_room(self) -> bool:
        """Whether one more stream may be opened (else the caller answers 503)."""
        return self.count.has_room()

    @property
    def open_streams(self) -> int:
        return self.count.open

    def attach(self, stream: StateStream | TicketStream) -> None:
        """Start a stream: the snapshot, ``ready``, then every update in its reach."""
        self.count.add(1)
        if isinstance(stream, TicketStream):
            self.tickets.attach(stream)
        else:
            self._inbox.put(stream)

    def detach(self, connection: Connection) -> None:
        """The connection closed: forget its stream (safe to call more than once)."""
        self._inbox.put(Detach(connection))
        self.tickets.detach(connection)

    def retained(self, topic: str) -> bytes | None:
        """The last retained event of ``topic`` (for tests and the snapshot)."""
        with self._retained_lock:
            return self._retained.get(topic)

    # ------------------------------------------------------------ the hub's thread

    def _work(self) -> None:
        round_ = Round()
        next_ping = self._clock() + self._heartbeat_s
        while True:
            timeout = max(0.0, next_ping - self._clock())
            items = _take(self._inbox, timeout)
            try:
                for item in items:
                    if item is None:
                        self._close_all(round_)
                        return
                    self._handle(item, round_)
                if self._clock() >= next_ping:
                    next_ping = self._clock() + self._heartbeat_s
                    self._ping(round_)
            except Exception:  # one bad message must not stop every browser's updates
                log.exception("push hub round failed")
            finally:
                round_.wake()

    def _ping(self, round_: Round) -> None:
        """``: ping`` to every stream; close those past ``max_age_s`` (they reconnect)."""
        oldest = self._clock() - self._max_age_s
        for stream in list(self._streams):
            if stream.opened_at < oldest or not round_.send(stream.connection, PING):
                self._forget(stream.connection)

    def _watch_grants(self) -> None:
        """Its own thread (the checks read the database; the hub's thread never waits for
        it): every ``recheck_s``, close the streams whose session or pairing ended."""
        while not self._stopping.wait(self._recheck_s):
            self._recheck()

    def _recheck(self) -> None:
        """Have the hub forget the streams whose grant ended (each grant read once)."""
        verdicts: dict[str, bool] = {}
        for stream in list(self._streams):  # a copy: the hub's thread changes the list
            grant = stream.grant
            if grant is None:
                continue
            valid = verdicts.get(grant.key)
            if valid is None:
                try:
                    valid = grant.still_valid()
                except Exception:  # the database is away: keep serving, ask next time
                    log.exception("push hub could not check a stream's sign-in")
                    valid = True
                verdicts[grant.key] = valid
            if not valid:
                self._inbox.put(Detach(stream.connection))

    def _handle(self, item: Published | StateStream | Detach, round_: Round) -> None:
        if isinstance(item, Detach):
            self._forget(item.connection)
        elif isinstance(item, StateStream):
            self._start_stream(item, round_)
        else:
            self._fan_out(item, round_)

    def _start_stream(self, stream: StateStream, round_: Round) -> None:
        stream.opened_at = self._clock()
        with self._retained_lock:
            snapshot = [
                data for topic, data in sorted(self._retained.items()) if stream.covers(topic)
            ]
        for data in [*snapshot, READY]:
            if not round_.send(stream.connection, data):
                self.count.add(-1)
                return
        self._streams.append(stream)

    def _fan_out(self, item: Published, round_: Round) -> None:
        try:
            parsed = topics.parse(item.topic)
        except topics.TopicError:
            return
        self._concern_tickets(parsed, item)
        if item.retained:  # the publisher re-sends every counter on each change
            body = SEQ_FIELD.sub(b"", item.payload)
            if self._bodies.get(item.topic) == body:
                return
            self._bodies[item.topic] = body
        relative = item.topic.split("/", 3)[3]
        data = state_event(relative, item.retained, item.payload)
        if item.retained:
            with self._retained_lock:
                self._retained[item.topic] = data
        decided: dict[tuple[str, ...], bool] = {}  # streams share a few reaches
        gone = []
        for stream in self._streams:
            if stream.office != parsed.office:
                continue
            covered = decided.get(stream.filters)
            if covered is None:
                covered = decided[stream.filters] = stream.covers(item.topic)
            if covered and not round_.send(stream.connection, data):
                gone.append(stream.connection)
        for connection in gone:
            self._forget(connection)

    def _concern_tickets(self, parsed: topics.ParsedTopic, item: Published) -> None:
        """Mark the ticket streams a state change may concern."""
        if parsed.kind == "event_called":  # that ticket's phone first
            try:
                label = json.loads(item.payload).get("ticket")
            except (ValueError, AttributeError):
                label = None
            if isinstance(label, str):
                self.tickets.changed(parsed.office, None, label=label)
        elif parsed.kind == "queue_state" and parsed.subject is not None:
            self.tickets.changed(parsed.office, parsed.subject)
        elif parsed.kind == "config":
            self.tickets.changed(parsed.office, None)
        elif parsed.kind == "counter_state":
            # A counter opening, closing or serving other stations changes the estimates
            # of the whole office; a counter only calling the next ticket does not.
            shape: tuple[object, object]
            try:
                state = json.loads(item.payload)
                shape = (state.get("is_open"), tuple(state.get("stations") or ()))
            except (ValueError, AttributeError, TypeError):
                shape = (None, None)
            if self._counter_shape.get(item.topic) != shape:
                self._counter_shape[item.topic] = shape
                self.tickets.changed(parsed.office, None)

    def _forget(self, connection: Connection) -> None:
        before = len(self._streams)
        self._streams = [stream for stream in self._streams if stream.connection is not connection]
        if len(self._streams) < before:
            self.count.add(len(self._streams) - before)
            connection.close()

    def _close_all(self, round_: Round) -> None:
        for stream in self._streams:
            round_.drop(stream.connection)
        self.count.add(-len(self._streams))
        self._streams = []


@dataclass(eq=False)
class Watch:
    """One ticket with open streams."""

    token: str
    office: str
    service: str
    streams: list[TicketStream] = field(default_factory=list)
    last: bytes = b""
    sent_at: float = 0.0
    dirty: bool = False
    urgent: bool = False  # called: computed before the others
    label: str | None = None


@dataclass(frozen=True)
class Changed:
    office: str
    service: str | None  # None: every ticket of the office (unless ``label``)
    label: str | None = None  # only the ticket with this label (it was called)


TicketItem = TicketStream | Changed | Detach | None


class TicketFeed:
    """The public ticket streams, on their own thread (they read the database)."""

    def __init__(
        self,
        status: TicketStatus,
        *,
        count: StreamCount,
        every_s: float,
        heartbeat_s: float,
        clock: Callable[[], float],
    ) -> None:
        self._status, self._count = status, count
        self._every_s, self._heartbeat_s, self._clock = every_s, heartbeat_s, clock
        self._inbox: queue.Queue[TicketItem] = queue.Queue()
        self._watches: dict[str, Watch] = {}
        self._thread = threading.Thread(target=self._work, name="push-tickets", daemon=True)
        #: How many statuses were computed; how many due ones wait for the next round.
        self.computed = 0
        self.backlog = 0

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._inbox.put(None)
        self._thread.join(timeout=5)

    def attach(self, stream: TicketStream) -> None:
        self._inbox.put(stream)

    def detach(self, connection: Connection) -> None:
        self._inbox.put(Detach(connection))

    def changed(self, office: str, service: str | None, *, label: str | None = None) -> None:
        self._inbox.put(Changed(office, service, label))

    def _work(self) -> None:
        round_ = Round()
        next_ping = self._clock() + self._heartbeat_s
        while True:
            now = self._clock()
            due = [
                now if w.urgent else w.sent_at + self._every_s
                for w in self._watches.values()
                if w.dirty
            ]
            timeout = 0.0 if self.backlog else max(0.0, min([next_ping, *due]) - now)
            items = _take(self._inbox, timeout)
            try:
                for item in items:
                    if item is None:
                        for watch in self._watches.values():
                            for stream in watch.streams:
                                round_.drop(stream.connection)
                        return
                    self._handle(item, round_)
                self._recompute(round_)
                if self._clock() >= next_ping:
                    next_ping = self._clock() + self._heartbeat_s
                    self._send_all(PING, round_)
            except Exception:
                log.exception("ticket push round failed")
            finally:
                round_.wake()

    def _handle(self, item: TicketStream | Changed | Detach, round_: Round) -> None:
        if isinstance(item, Detach):
            self._forget(item.connection)
        elif isinstance(item, Changed):
            for watch in self._watches.values():
                if watch.office != item.office:
                    continue
                if item.label is not None:
                    if watch.label == item.label:
                        watch.dirty = watch.urgent = True
                elif item.service in (None, watch.service):
                    watch.dirty = True
        else:
            found = self._watches.get(item.token)
            if found is None:
                found = Watch(item.token, item.office, item.service, last=item.first)
                found.label = _label(item.first)
                found.sent_at = self._clock()
                self._watches[item.token] = found
            watch = found
            if round_.send(item.connection, event("ticket", item.first)):
                watch.streams.append(item)
            else:
                self._count.add(-1)
            if not watch.streams:
                del self._watches[item.token]

    def _recompute(self, round_: Round) -> None:
        """Up to ``TICKETS_PER_ROUND`` due tickets: called ones first and at once (a call
        does not wait for the once-a-second limit), then the longest without an update
        (under load positions are refreshed less often than once a second, calls still
        first)."""
        now = self._clock()
        due = [
            watch
            for watch in self._watches.values()
            if watch.dirty and (watch.urgent or now >= watch.sent_at + self._every_s)
        ]
        due.sort(key=lambda watch: (not watch.urgent, watch.sent_at))
        self.backlog = max(0, len(due) - TICKETS_PER_ROUND)
        for watch in due[:TICKETS_PER_ROUND]:
            watch.dirty = watch.urgent = False
            watch.sent_at = self._clock()
            status = self._status(watch.token)
            self.computed += 1
            if status is None or status == watch.last:
                continue
            watch.last = status
            watch.label = _label(status)  # the visit's next step has a new number
            data = event("ticket", status)
            for stream in list(watch.streams):
                if not round_.send(stream.connection, data):
                    self._forget(stream.connection)

    def _send_all(self, data: bytes, round_: Round) -> None:
        for watch in list(self._watches.values()):
            for stream in list(watch.streams):
                if not round_.send(stream.connection, data):
                    self._forget(stream.connection)

    def _forget(self, connection: Connection) -> None:
        for token, watch in list(self._watches.items()):
            kept = [stream for stream in watch.streams if stream.connection is not connection]
            if len(kept) < len(watch.streams):
                self._count.add(len(kept) - len(watch.streams))
                connection.close()
                watch.streams = kept
            if not watch.streams:
                del self._watches[token]


def _label(status: bytes) -> str | None:
    try:
        label = json.loads(status).get("label")
    except (ValueError, AttributeError):
        return None
    return label if isinstance(label, str) else None


def _take(inbox: queue.Queue[_T], timeout: float) -> list[_T]:
    """What arrived (a burst at once), waiting ``timeout`` seconds at most for the first."""
    try:
        items = [inbox.get(timeout=timeout)]
    except queue.Empty:
        return []
    while len(items) < 500:
        try:
            items.append(inbox.get_nowait())
        except queue.Empty:
            break
    return items


def session_filters(office: str) -> tuple[str, ...]:
    """A signed-in user's reach: the office's board, counters, queues, calls, display config
    and drive-thru lanes (ids only; no device reads those)."""
    return (
        topics.board(office),
        topics.counter_states(office),
        topics.queue_states(office),
        topics.event_called(office),
        topics.config(office, "display"),
        topics.lane_states(office),
    )


def device_filters(office: str, kind: str) -> tuple[str, ...]:
    """A paired display's reach: exactly the topics its MQTT ACL lets it read."""
    return tuple(topics.device_read_filters(office, kind))
