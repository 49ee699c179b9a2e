"""The fair gate admits at most N threads and serves waiters in arrival order."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from queue_server.persistence.gate import FairGate


def test_waiters_are_served_in_arrival_order() -> None:
    gate = FairGate(1)
    order: list[int] = []
    gate.__enter__()
    threads = []
    for index in range(5):
        thread = threading.Thread(target=lambda i=index: _enter_and_record(gate, order, i))
        thread.start()
        threads.append(thread)
        _wait_until(lambda n=index + 1: gate.waiting == n)  # queued before the next arrives
    gate.__exit__(None, None, None)
    for thread in threads:
        thread.join(timeout=10)
    assert order == [0, 1, 2, 3, 4]


def test_at_most_n_inside() -> None:
    gate, inside, peak, lock = FairGate(3), [0], [0], threading.Lock()

    def work() -> None:
        with gate:
            with lock:
                inside[0] += 1
                peak[0] = max(peak[0], inside[0])
            time.sleep(0.01)
            with lock:
                inside[0] -= 1

    threads = [threading.Thread(target=work) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert peak[0] == 3


def test_needs_a_permit() -> None:
    with pytest.raises(ValueError):
        FairGate(0)


def _wait_until(condition: Callable[[], bool], limit_s: float = 10) -> None:
    deadline = time.monotonic() + limit_s
    while not condition():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.001)


def _enter_and_record(gate: FairGate, order: list[int], index: int) -> None:
    with gate:
        order.append(index)
