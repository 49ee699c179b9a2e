"""The lane's day figures: handovers per active hour, and median, p90 and longest minutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from queue_server.domain.drive_thru import ArrivalStatus, ArrivalTimes, lane_day

NINE = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # 09:00 WITA


def hour_of(moment: datetime) -> int:
    return (moment + timedelta(hours=8)).hour


def handed(arrived_min: int, waited_min: float) -> ArrivalTimes:
    arrived = NINE + timedelta(minutes=arrived_min)
    return ArrivalTimes(arrived, ArrivalStatus.HANDED_OVER, arrived + timedelta(minutes=waited_min))


def test_no_cars_no_figures() -> None:
    day = lane_day([], hour_of)
    assert (day.arrivals, day.active_hours, day.handed_over_per_hour) == (0, 0, None)
    assert day.handover_median_min is None and day.handover_max_min is None


def test_figures_of_a_morning() -> None:
    cars = [handed(index * 6, waited) for index, waited in enumerate(range(1, 11))]  # 1..10 min
    cars.append(ArrivalTimes(NINE + timedelta(minutes=70), ArrivalStatus.SENT_TO_COUNTER))
    cars.append(ArrivalTimes(NINE + timedelta(minutes=75), ArrivalStatus.WAITING))
    day = lane_day(cars, hour_of)
    assert (day.arrivals, day.handed_over, day.sent_to_counter, day.still_waiting) == (12, 10, 1, 1)
    assert day.active_hours == 2  # 09:xx and 10:xx
    assert day.handed_over_per_hour == 5.0
    assert (day.handover_median_min, day.handover_p90_min, day.handover_max_min) == (5.5, 9.0, 10.0)


def test_a_clock_step_back_counts_as_no_wait() -> None:
    day = lane_day([handed(0, -2)], hour_of)
    assert (day.handover_median_min, day.handover_max_min) == (0.0, 0.0)
