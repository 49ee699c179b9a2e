"""The wait-estimate model (queue_server/domain/estimate.py)."""

from __future__ import annotations

import pytest

from queue_server.domain.calling import newcomer_position
from queue_server.domain.estimate import (
    OpenCounter,
    Overtaking,
    baseline_wait_minutes,
    estimate_wait_minutes,
    expected_back_minutes,
    overtaking,
    pause_minutes,
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


def test_walk_ins_arriving_before_a_booked_slot_are_called_first() -> None:
    # 3 ahead, one counter of 10 min: 30 min; walk-ins take half the counter's time.
    alone = estimate_wait_minutes(3, 1, 10)
    busy = estimate_wait_minutes(3, 1, 10, overtaking=[Overtaking(0.05, 120)])
    short_slot = estimate_wait_minutes(3, 1, 10, overtaking=[Overtaking(0.05, 20)])
    assert (alone, busy, short_slot) == (30, 60, 40)  # 30 / (1 - 0.5); 30 + 0.5 x 20
    both = estimate_wait_minutes(3, 1, 10, overtaking=[Overtaking(0.05, 20), Overtaking(0.02)])
    assert both == round((30 + 0.5 * 20) / (1 - 0.2), 1)


def policy_overtaking(**changes: float) -> list[Overtaking]:
    inputs: dict[str, float] = {
        "priority_joins_per_minute": 0.1,
        "regular_joins_per_minute": 1.0,
        "minutes_until_slot": 0,
        "priority_run": 1,
        "regular_run": 2,
        "calls_per_minute": 0.6,
        **changes,
    }
    priority = bool(inputs.pop("priority", 0))
    return overtaking(priority=priority, **inputs)  # type: ignore[arg-type]


def test_priority_arrivals_overtake_a_regular_ticket_up_to_the_policys_share() -> None:
    assert policy_overtaking() == [Overtaking(0.1)]
    assert policy_overtaking(priority_joins_per_minute=5.0) == [Overtaking(pytest.approx(0.2))]
    assert policy_overtaking(priority=1, priority_joins_per_minute=5.0) == []
    regular_wait = estimate_wait_minutes(4, 2, 5)
    overtaken = estimate_wait_minutes(4, 2, 5, overtaking=policy_overtaking())
    assert regular_wait is not None and overtaken is not None and overtaken > regular_wait


def test_a_booked_ticket_is_overtaken_until_its_slot_and_late_bookings_overtake_anyone() -> None:
    booked = policy_overtaking(minutes_until_slot=25, bookings_before_slot=5)
    assert booked == [Overtaking(0.1), Overtaking(pytest.approx(1.0 + 5 / 25), 25)]
    late = policy_overtaking(late_bookings=3, late_minutes=30)
    assert late == [Overtaking(0.1), Overtaking(0.1, 30)]


def test_the_baseline_is_people_ahead_times_standard_over_counters() -> None:
    assert baseline_wait_minutes(6, 2, 10) == 30
    assert baseline_wait_minutes(6, 0, 10) is None


def test_a_counter_on_a_break_is_expected_back_after_the_usual_break() -> None:
    assert expected_back_minutes({"cs-2": 10.0}, []) == {"cs-2": 20.0}  # 30-minute prior
    learned = expected_back_minutes({"cs-2": 10.0}, [60.0, 60.0, 60.0, 60.0])
    assert learned == {"cs-2": pytest.approx((240 + 60) / 6 - 10)}
    assert expected_back_minutes({"cs-2": 61.0}, []) == {}  # gone for the day
    away = [OpenCounter(busy_minutes=0.0), OpenCounter(back_in_minutes=20.0)]
    only_one = estimate_wait_minutes(6, [OpenCounter(busy_minutes=0.0)], 10)
    with_return = estimate_wait_minutes(6, away, 10)
    # Alone: 10 + 6 x 10. With the returning desk, free-ups at 10, 20, 20, 30, 30, 40, 40.
    assert (only_one, with_return) == (70, 40)


def test_pauses_between_calls_lengthen_a_ticket_only_once_seen() -> None:
    assert pause_minutes([]) == 0
    assert pause_minutes([0.5] * 15) == pytest.approx(0.5 * 15 / 20)


def test_counters_back_much_later_take_only_the_turns_after_their_return() -> None:
    counters = [
        OpenCounter(busy_minutes=2.0),
        OpenCounter(back_in_minutes=24.0),
        OpenCounter(back_in_minutes=26.0),
    ]
    # The open desk frees up at 3, 8, 13, 18, 23, 28, ...; the others from 24 and 26.
    waits = [estimate_wait_minutes(position, counters, 5) for position in range(8)]
    assert waits == [3, 8, 13, 18, 23, 24, 26, 28]


def test_a_planned_break_takes_the_counters_turns_until_it_ends() -> None:
    lunch = OpenCounter(busy_minutes=0.0, planned_breaks=((12.0, 60.0),))
    counters = [OpenCounter(busy_minutes=0.0), lunch]
    # The first desk frees up at 10, 20, 30, ...; the one going to lunch at 10 (its
    # applicant is finished, then it closes), then from 60 on.
    waits = [estimate_wait_minutes(position, counters, 10) for position in range(8)]
    assert waits == [10, 10, 20, 30, 40, 50, 60, 60]
    unplanned = [
        estimate_wait_minutes(position, [counters[0], OpenCounter(busy_minutes=0.0)], 10)
        for position in range(8)
    ]
    assert unplanned == [10, 10, 20, 20, 30, 30, 40, 40]


def test_an_applicant_called_before_the_break_is_served_and_the_desk_is_back_at_its_end() -> None:
    closing = [OpenCounter(busy_minutes=2.0, planned_breaks=((-1.0, 30.0),))]
    assert estimate_wait_minutes(0, closing, 5) == 30
    assert estimate_wait_minutes(1, closing, 5) == 35
    # Back from a break and off again later: turns at 4 and 9, then from 40.
    returning = [OpenCounter(back_in_minutes=4.0, planned_breaks=((10.0, 40.0),))]
    assert [estimate_wait_minutes(p, returning, 5) for p in range(4)] == [4, 9, 40, 45]


def test_a_break_after_the_turn_changes_nothing() -> None:
    late_lunch = OpenCounter(busy_minutes=0.0, planned_breaks=((500.0, 560.0),))
    assert estimate_wait_minutes(3, [late_lunch, OpenCounter()], 10) == 20  # 0, 10, 10, 20
    assert estimate_wait_minutes(3, [OpenCounter(busy_minutes=0.0), OpenCounter()], 10) == 20


def test_a_busy_station_averages_more_of_its_latest_durations() -> None:
    newest_slow = [6.0] * 20 + [3.0] * 40  # newest first
    assert service_time_minutes(newest_slow, 3) == pytest.approx((6 * 20 + 3 * 5) / 25)
    # Eight counters open: 60 durations, each officer's latest few.
    assert service_time_minutes(newest_slow, 3, counters=8) == pytest.approx(
        (6 * 20 + 3 * 40 + 3 * 5) / 65
    )
