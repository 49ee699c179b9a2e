"""Watch PC/SC readers and report typed events: readers plugged in or out, cards in or out.

A polling thread compares reader snapshots (:class:`PcscContext.states`, which never
blocks) and hands each change to a callback. The callback runs on the watcher's thread:
a GUI must hop to its own thread (Kivy: ``Clock.schedule_once``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType

from devices.smartcard.pcsc import PcscContext, ReaderStates

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReaderAdded:
    reader: str


@dataclass(frozen=True)
class ReaderRemoved:
    reader: str


@dataclass(frozen=True)
class CardInserted:
    reader: str
    atr: bytes


@dataclass(frozen=True)
class CardRemoved:
    reader: str


CardEvent = ReaderAdded | ReaderRemoved | CardInserted | CardRemoved


def changes(before: ReaderStates, after: ReaderStates) -> list[CardEvent]:
    """The events that turn snapshot ``before`` into ``after``, in a sensible order."""
    events: list[CardEvent] = []
    for reader, atr in before.items():
        if reader not in after:
            events += [CardRemoved(reader)] if atr is not None else []
            events.append(ReaderRemoved(reader))
    for reader, atr in after.items():
        if reader not in before:
            events.append(ReaderAdded(reader))
            events += [CardInserted(reader, atr)] if atr is not None else []
            continue
        previous = before[reader]
        if previous is not None and previous != atr:
            events.append(CardRemoved(reader))
        if atr is not None and previous != atr:
            events.append(CardInserted(reader, atr))
    return events


class CardWatcher:
    """Report reader and card changes to ``on_event`` until stopped.

    The first poll reports what is already there (readers added, cards inserted).

    Args:
        on_event: called once per event, on the watcher thread.
        poll_interval_s: time between snapshots.
        snapshot: where snapshots come from (default: a PC/SC context).
    """

    def __init__(
        self,
        on_event: Callable[[CardEvent], None],
        *,
        poll_interval_s: float = 0.2,
        snapshot: Callable[[], ReaderStates] | None = None,
    ) -> None:
        self._on_event = on_event
        self._poll_interval_s = poll_interval_s
        self._context: PcscContext | None = None
        if snapshot is None:
            self._context = PcscContext()
            snapshot = self._context.states
        self._snapshot = snapshot
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="card-watcher", daemon=True)

    def start(self) -> CardWatcher:
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 2.0) -> None:
        """Stop polling and wait up to ``timeout_s`` for the thread to end."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)
        if self._context is not None and not self._thread.is_alive():
            self._context.close()

    def _run(self) -> None:
        known: ReaderStates = {}
        while not self._stop.is_set():
            current = self._poll(known)
            for event in changes(known, current):
                self._deliver(event)
            known = current
            self._stop.wait(self._poll_interval_s)

    def _poll(self, known: ReaderStates) -> ReaderStates:
        try:
            return self._snapshot()
        except Exception:  # a broken poll must not kill the watcher: keep the old view
            log.exception("polling the card readers failed")
            return known

    def _deliver(self, event: CardEvent) -> None:
        try:
            self._on_event(event)
        except Exception:  # the watcher outlives a faulty subscriber
            log.exception("card event handler failed on %s", type(event).__name__)

    def __enter__(self) -> CardWatcher:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()
