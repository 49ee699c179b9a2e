"""The wait-estimate model (queue_server/domain/estimate.py)."""

from __future__ import annotations

import pytest

from queue_server.domain.calling import newcomer_position
from queue_server.domain.estimate import (
    OpenCounter,
    baseline_wait_minutes,
    estimate_wait_minutes,
    service_time_minutes,
)
from queue_server.domain.model import PriorityPolicy

BUSY_SINCE_1 = OpenCounter(busy_minutes=1.0)


def test_two_open_counters_halve_the_wait_of_the_same_queue() -> None:
    one = estimate_wait_minutes(8, [BUSY_SINCE_1], 10)
    two = estimate_wait_minutes(8, [BUSY_SINCE_1, BUSY_SINCE_1], 10)
    assert one is not None and two is not None
    assert one == 89  # 9 left of the current applicant, then 8 tickets of 10
    assert two == 49  # both free up after 9, then 4 rounds of 10
    assert estimate_wait_minutes(8, 1, 10) == 2 * estimate_wait_minutes(8, 2, 10)  # type: ignore[operator]


def test_no_open_counter_gives_no_estimate() -> None:
    assert estimate_wait_minutes(3, [], 10) is None
    assert estimate_wait_minutes(3, [OpenCounter(share=0.0)], 10) is None
    with pytest.raises(ValueError):
        estimate_wait_minutes(-1, 1, 10)


def test_recent_slow_service_raises_the_estimate() -> None:
    standard = service_time_minutes([], 4)
    slow = service_time_minutes([8.0] * 20, 4)
    assert standard == 4
    assert slow == pytest.approx((8 * 20 + 4 * 5) / 25)
    counters = [OpenCounter(busy_minutes=0.5)] * 2
    assert estimate_wait_minutes(6, counters, slow) > estimate_wait_minutes(6, counters, standard)  # type: ignore[operator]


def test_few_samples_stay_near_the_standard_and_outliers_are_cut() -> None:
    assert service_time_minutes([20.0], 10) == pytest.approx((20 + 50) / 6)
    forgot_to_finish = [4.0] * 19 + [300.0]
    assert service_time_minutes(forgot_to_finish, 4) == pytest.approx(
        (4 * 19 + 12 + 4 * 5) / 25  # 300 is cut to 3 x the median
    )


def test_time_already_spent_at_the_counter_shortens_the_wait() -> None:
    fresh = estimate_wait_minutes(0, [OpenCounter(busy_minutes=0.0)], 10)
    almost_done = estimate_wait_minutes(0, [OpenCounter(busy_minutes=8.0)], 10)
    overdue = estimate_wait_minutes(0, [OpenCounter(busy_minutes=30.0)], 10)
    free = estimate_wait_minutes(0, [OpenCounter()], 10)
    assert (fresh, almost_done, overdue, free) == (10, 2, 2, 0)  # overdue: 0.2 of a ticket


def test_the_first_free_counters_take_the_first_people() -> None:
    counters = [OpenCounter(busy_minutes=9.0), OpenCounter(busy_minutes=2.0)]
    assert estimate_wait_minutes(0, counters, 10) == 2  # the nearly finished one
    assert estimate_wait_minutes(1, counters, 10) == 8
    assert estimate_wait_minutes(2, counters, 10) == 12


def test_a_desk_shared_with_another_station_counts_as_part_of_a_counter() -> None:
    alone = estimate_wait_minutes(10, [OpenCounter(), OpenCounter()], 5)
    shared = estimate_wait_minutes(10, [OpenCounter(), OpenCounter(share=0.5)], 5)
    assert alone == 25
    assert shared is not None and shared > alone  # type: ignore[operator]
    assert shared == pytest.approx(10 // 2 * 5 * 2 / 1.5, abs=0.1)


def test_a_priority_newcomer_waits_less_than_a_regular_one_behind_the_same_queue() -> None:
    policy = PriorityPolicy(priority_run=1, regular_run=2)
    queue = {"priority_waiting": 2, "regular_waiting": 10, "policy": policy}
    regular = newcomer_position(priority=False, **queue)  # type: ignore[arg-type]
    priority = newcomer_position(priority=True, **queue)  # type: ignore[arg-type]
    counters = [OpenCounter(busy_minutes=1.0)] * 3
    regular_wait = estimate_wait_minutes(regular, counters, 4)
    priority_wait = estimate_wait_minutes(priority, counters, 4)
    assert regular_wait is not None and priority_wait is not None
    assert priority_wait < regular_wait


def test_a_booked_applicant_is_not_called_before_its_slot() -> None:
    assert estimate_wait_minutes(0, 1, 10, not_before_minutes=25) == 25
    assert estimate_wait_minutes(5, 1, 10, not_before_minutes=25) == 50


def test_the_baseline_is_people_ahead_times_standard_over_counters() -> None:
    assert baseline_wait_minutes(6, 2, 10) == 30
    assert baseline_wait_minutes(6, 0, 10) is None
