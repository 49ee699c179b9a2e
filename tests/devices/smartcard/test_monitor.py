"""Card events from reader snapshots: the pure diff, and the watcher with a scripted source."""

from __future__ import annotations

import threading

from devices.smartcard.monitor import (
    CardEvent,
    CardInserted,
    CardRemoved,
    CardWatcher,
    ReaderAdded,
    ReaderRemoved,
    changes,
)
from devices.smartcard.pcsc import ReaderStates

ATR_A, ATR_B = bytes.fromhex("3B00"), bytes.fromhex("3B01")


def test_changes_cover_every_transition() -> None:
    assert changes({}, {"r1": None, "r2": ATR_A}) == [
        ReaderAdded("r1"),
        ReaderAdded("r2"),
        CardInserted("r2", ATR_A),
    ]
    assert changes({"r1": None}, {"r1": ATR_A}) == [CardInserted("r1", ATR_A)]
    assert changes({"r1": ATR_A}, {"r1": None}) == [CardRemoved("r1")]
    assert changes({"r1": ATR_A}, {"r1": ATR_B}) == [CardRemoved("r1"), CardInserted("r1", ATR_B)]
    assert changes({"r1": ATR_A}, {}) == [CardRemoved("r1"), ReaderRemoved("r1")]
    assert changes({"r1": ATR_A}, {"r1": ATR_A}) == []


class ScriptedSnapshots:
    """Returns the scripted snapshots in turn, then repeats the last; fails once in between."""

    def __init__(self, snapshots: list[ReaderStates | Exception]) -> None:
        self._snapshots = snapshots
        self.exhausted = threading.Event()

    def __call__(self) -> ReaderStates:
        if len(self._snapshots) == 1:
            self.exhausted.set()
            last = self._snapshots[0]
            assert not isinstance(last, Exception)
            return last
        item = self._snapshots.pop(0)
        if isinstance(item, Exception):
            raise item
        return item


def test_watcher_reports_changes_in_order_and_survives_failures() -> None:
    source = ScriptedSnapshots(
        [{"r1": None}, {"r1": ATR_A}, OSError("pcscd hiccup"), {"r1": ATR_A}, {}]
    )
    seen: list[CardEvent] = []

    def on_event(event: CardEvent) -> None:
        seen.append(event)
        if isinstance(event, CardInserted):
            raise RuntimeError("a faulty subscriber")  # must not stop the watcher

    with CardWatcher(on_event, poll_interval_s=0.01, snapshot=source):
        assert source.exhausted.wait(5.0)
    assert seen == [ReaderAdded("r1"), CardInserted("r1", ATR_A), CardRemoved("r1"),
                    ReaderRemoved("r1")]  # fmt: skip


def test_stop_is_bounded_and_idempotent() -> None:
    watcher = CardWatcher(lambda event: None, poll_interval_s=10.0, snapshot=dict).start()
    watcher.stop(timeout_s=2.0)
    watcher.stop(timeout_s=2.0)
    assert not watcher._thread.is_alive()
