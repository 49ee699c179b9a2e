"""A display announces each call once, however often the server delivers it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from queue_server.protocol.dedupe import SeenCalls


def test_a_redelivered_call_is_dropped() -> None:
    seen = SeenCalls()
    assert seen.first_time(7) is True
    assert seen.first_time(8) is True
    assert seen.first_time(7) is False
    assert 7 in seen and len(seen) == 2


def test_memory_is_bounded_and_forgets_the_least_recently_seen() -> None:
    seen = SeenCalls(capacity=3)
    for call_id in (1, 2, 3):
        seen.first_time(call_id)
    assert seen.first_time(1) is False  # seen again: now the most recent
    assert seen.first_time(4) is True  # forgets 2, the least recently seen
    assert len(seen) == 3 and 2 not in seen and 1 in seen
    assert seen.first_time(2) is True


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError, match="capacity"):
        SeenCalls(capacity=0)


@given(st.lists(st.integers(min_value=1, max_value=50), max_size=300))
def test_each_id_is_announced_once_while_remembered(ids: list[int]) -> None:
    seen = SeenCalls(capacity=64)  # more than the distinct ids: nothing is forgotten
    announced = [call_id for call_id in ids if seen.first_time(call_id)]
    assert announced == list(dict.fromkeys(ids))
    assert len(seen) <= 64
