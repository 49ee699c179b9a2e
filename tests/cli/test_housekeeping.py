"""The daily purge runs at start, then every interval, and survives a failing round."""

from __future__ import annotations

import threading

from queue_server.housekeeping import DailyPurge


def test_the_purge_runs_again_after_a_failure() -> None:
    calls: list[int] = []
    third = threading.Event()

    def purge() -> None:
        calls.append(len(calls))
        if len(calls) >= 3:
            third.set()
        if len(calls) == 1:
            raise OSError("database away")

    timer = DailyPurge(purge, interval_s=0.05).start()
    try:
        assert third.wait(10)
    finally:
        timer.stop()
    assert timer.runs >= 3
    assert not timer.running


def test_stop_ends_the_wait_at_once() -> None:
    first = threading.Event()
    timer = DailyPurge(first.set).start()  # the next round is a day away
    assert first.wait(10)
    timer.stop()
    assert not timer.running
    assert timer.runs == 1
