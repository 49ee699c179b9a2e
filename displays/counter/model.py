"""A counter display's state (GUI-free): one counter's current ticket, from its retained
``counter/{code}/state``, and the office's name from ``config/counter-display``."""

from __future__ import annotations

from dataclasses import dataclass, field

from queue_server.protocol.states import CounterStateMessage, DisplayConfigMessage
from queue_server.protocol.topics import check_id


@dataclass(frozen=True, slots=True)
class CounterView:
    """What the counter display draws."""

    counter: str
    counter_name: str = ""
    office_name: str = ""
    ticket: str = ""
    status: str = ""
    is_open: bool = False
    known: bool = False
    connected: bool = False


@dataclass
class CounterModel:
    """The last state of one counter. Not thread-safe: fed on the GUI's thread.

    Args:
        counter: The counter's code (``cs-1``).
    """

    counter: str
    connected: bool = False
    _last_seq: dict[str, int] = field(default_factory=dict)
    _state: CounterStateMessage | None = None
    _config: DisplayConfigMessage | None = None

    def __post_init__(self) -> None:
        check_id(self.counter, "counter")

    def accept(self, topic: str, message: object) -> bool:
        """Take this counter's state or the display config; False for anything else, another
        counter's state, or a ``seq`` not newer than the last on its topic."""
        if isinstance(message, CounterStateMessage):
            if message.code != self.counter:
                return False
        elif not isinstance(message, DisplayConfigMessage):
            return False
        if message.seq <= self._last_seq.get(topic, 0):
            return False
        self._last_seq[topic] = message.seq
        if isinstance(message, CounterStateMessage):
            self._state = message
        else:
            self._config = message
        return True

    def set_connected(self, connected: bool) -> None:
        self.connected = connected

    def view(self) -> CounterView:
        """What the display shows now."""
        name = self._state.name if self._state else ""
        if not name and self._config is not None:
            name = next((c.name for c in self._config.counters if c.code == self.counter), "")
        state = self._state
        return CounterView(
            counter=self.counter,
            counter_name=name or self.counter,
            office_name=self._config.office.name if self._config else "",
            ticket=(state.ticket_label or "") if state else "",
            status=str(state.ticket_status or "") if state else "",
            is_open=state.is_open if state else False,
            known=state is not None,
            connected=self.connected,
        )
