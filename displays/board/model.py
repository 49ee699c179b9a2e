"""The lobby board's state (GUI-free): what the board shows, built from the contract's messages.

The board listens to the retained ``board``, ``queue/{service}/state`` and
``config/display`` messages and to ``event/called``. :class:`BoardModel` keeps the last
message of each topic, drops one whose ``seq`` is not newer than the last one on its topic
(a stale or repeated delivery), and builds an immutable :class:`BoardState` to draw.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from queue_server.protocol.dedupe import SeenCalls
from queue_server.protocol.states import (
    Board,
    CalledEvent,
    CounterState,
    CounterStateMessage,
    DisplayConfigMessage,
    QueueStateMessage,
)

#: Calls the board lists by default (newest first).
DEFAULT_RECENT_CALLS = 6

BoardMessage = Board | QueueStateMessage | DisplayConfigMessage | CalledEvent


@dataclass(frozen=True, slots=True)
class Serving:
    """A counter with a ticket called or served there."""

    counter: str
    counter_name: str
    ticket: str
    status: str
    since: datetime | None = None


@dataclass(frozen=True, slots=True)
class RecentCall:
    """One call or recall, as the list of last calls shows it."""

    id: int
    ticket: str
    counter: str
    counter_name: str
    recall: bool
    newest: bool


@dataclass(frozen=True, slots=True)
class ServiceWait:
    """One service's waiting tickets and the estimated wait of a newcomer."""

    service: str
    prefix: str
    name_id: str
    name_en: str
    waiting: int
    estimated_wait_minutes: float | None
    open_now: bool


@dataclass(frozen=True, slots=True)
class BoardState:
    """Everything the board draws at one moment."""

    office_name: str = ""
    timezone: str = "Asia/Jakarta"
    connected: bool = False
    serving: tuple[Serving, ...] = ()
    recent_calls: tuple[RecentCall, ...] = ()
    services: tuple[ServiceWait, ...] = ()

    @property
    def newest_call(self) -> RecentCall | None:
        """The most recent call heard, highlighted in the list; None before the first."""
        first = self.recent_calls[0] if self.recent_calls else None
        return first if first is not None and first.newest else None

    @property
    def headline(self) -> tuple[str, str] | None:
        """The ticket and counter name shown largest: the newest call heard, else (just
        after start, calls not being retained) the counter whose ticket was called last."""
        if self.newest_call is not None:
            return self.newest_call.ticket, self.newest_call.counter_name
        timed = [s for s in self.serving if s.since is not None]
        if not timed:
            return None
        latest = max(timed, key=lambda s: s.since or datetime.min)
        return latest.ticket, latest.counter_name


@dataclass
class BoardModel:
    """The last accepted message of each topic, and the calls heard, newest first.

    Not thread-safe: the link hands messages to it on one thread (the GUI's).

    Attributes:
        recent_limit: How many calls the board lists.
    """

    recent_limit: int = DEFAULT_RECENT_CALLS
    connected: bool = False
    _last_seq: dict[str, int] = field(default_factory=dict)
    _board: Board | None = None
    _queues: dict[str, QueueStateMessage] = field(default_factory=dict)
    _config: DisplayConfigMessage | None = None
    _calls: list[CalledEvent] = field(default_factory=list)
    _seen: SeenCalls = field(default_factory=SeenCalls)

    def __post_init__(self) -> None:
        if self.recent_limit < 1:
            raise ValueError(f"recent_limit must be at least 1: {self.recent_limit}")

    def accept(self, topic: str, message: BoardMessage | CounterStateMessage) -> bool:
        """Take ``message`` received on ``topic``; False when it was dropped as not newer.

        A call whose ``id`` was already seen is dropped too (an at-least-once repeat), and a
        counter's own state (the board has every counter in ``board``).
        """
        if isinstance(message, CounterStateMessage):
            return False
        if message.seq <= self._last_seq.get(topic, 0):
            return False
        if isinstance(message, CalledEvent) and not self._seen.first_time(message.id):
            return False
        self._last_seq[topic] = message.seq
        self._store(message)
        return True

    def set_connected(self, connected: bool) -> None:
        """Record whether the link to the broker is up."""
        self.connected = connected

    def state(self) -> BoardState:
        """What the board shows now."""
        return BoardState(
            office_name=self._config.office.name if self._config else "",
            timezone=self._config.office.timezone if self._config else "Asia/Jakarta",
            connected=self.connected,
            serving=self._serving(),
            recent_calls=self._recent(),
            services=self._services(),
        )

    def _store(self, message: BoardMessage) -> None:
        if isinstance(message, Board):
            self._board = message
        elif isinstance(message, QueueStateMessage):
            self._queues[message.service] = message
        elif isinstance(message, DisplayConfigMessage):
            self._config = message
        else:
            self._calls.append(message)
            self._calls.sort(key=lambda call: call.seq, reverse=True)
            del self._calls[self.recent_limit :]

    def _serving(self) -> tuple[Serving, ...]:
        if self._board is None:
            return ()
        return tuple(_serving(counter) for counter in self._board.serving if counter.ticket_label)

    def _recent(self) -> tuple[RecentCall, ...]:
        """The calls heard, newest first; below them (after a fresh start, when few or none
        were heard: calls are not retained) the tickets the retained ``board`` has at the
        counters, latest called first. Those are not highlighted: only a call heard is."""
        heard = [
            RecentCall(
                id=call.id,
                ticket=call.ticket,
                counter=call.counter,
                counter_name=call.counter_name,
                recall=call.recall,
                newest=index == 0,
            )
            for index, call in enumerate(self._calls)
        ]
        listed = {(call.ticket, call.counter) for call in heard}
        at_counters = sorted(
            (
                s
                for s in self._serving()
                if s.since is not None and (s.ticket, s.counter) not in listed
            ),
            key=lambda s: s.since or datetime.min,
            reverse=True,
        )
        filled = [
            RecentCall(
                id=0,
                ticket=s.ticket,
                counter=s.counter,
                counter_name=s.counter_name,
                recall=False,
                newest=False,
            )
            for s in at_counters
        ]
        return tuple((heard + filled)[: self.recent_limit])

    def _services(self) -> tuple[ServiceWait, ...]:
        order = [s.id for s in self._config.services] if self._config else []
        known = [service for service in order if service in self._queues]
        rest = sorted(service for service in self._queues if service not in order)
        return tuple(_wait(self._queues[service]) for service in known + rest)


def _serving(counter: CounterState) -> Serving:
    return Serving(
        counter=counter.code,
        counter_name=counter.name,
        ticket=counter.ticket_label or "",
        status=counter.ticket_status or "",
        since=counter.since,
    )


def _wait(queue: QueueStateMessage) -> ServiceWait:
    return ServiceWait(
        service=queue.service,
        prefix=queue.prefix,
        name_id=queue.name.id,
        name_en=queue.name.en,
        waiting=queue.waiting,
        estimated_wait_minutes=queue.estimated_wait_minutes,
        open_now=queue.open_now,
    )
