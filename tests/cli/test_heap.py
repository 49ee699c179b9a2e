"""settle_heap: what startup left is collected, the rest frozen out of the full passes."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from queue_server.heap import settle_heap


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


@pytest.fixture
def unfrozen() -> Iterator[None]:
    gc.unfreeze()
    try:
        yield
    finally:
        gc.unfreeze()  # leave the test process as it was


@pytest.mark.usefixtures("unfrozen")
def test_startup_garbage_is_collected_and_the_living_frozen() -> None:
    garbage = Node()
    gone = weakref.ref(garbage)
    kept = [Node()]
    del garbage
    frozen = settle_heap()
    assert gone() is None, "a cycle left by startup must be freed, not frozen"
    # What settle_heap froze, less what other threads of this process (left by earlier
    # tests) have freed since: nothing is frozen again without another freeze.
    assert 0 < gc.get_freeze_count() <= frozen
    # the collector's generations (what its passes walk) no longer hold the living list
    assert all(thing is not kept for thing in gc.get_objects())
