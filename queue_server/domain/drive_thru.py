"""The drive-thru pickup lane (Si Peluru): a car's states and the lane's daily figures (pure).

A car scanned at the lane waits there in arrival order until the drive-thru officer
hands the passport over, or sends it to the pickup counter inside (an identity problem,
a missing surat kuasa). Figures per office day: cars handed over per active hour and the
time from arrival to handover (median, nearest-rank p90, max) in minutes.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from queue_server.domain.report_math import nearest_rank


class ArrivalStatus(StrEnum):
    """Where a car scanned at the lane is."""

    WAITING = "waiting"
    HANDED_OVER = "handed_over"
    SENT_TO_COUNTER = "sent_to_counter"


class CounterReason(StrEnum):
    """Why a car is sent to the pickup counter inside (the English msgid)."""

    IDENTITY = "identity"  # the KTP does not match, or is missing
    PROXY_LETTER = "proxy_letter"  # a proxy without a surat kuasa
    DOCUMENTS = "documents"  # no application receipt or payment proof
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class ArrivalTimes:
    """One car's times (UTC) and status, as the day's figures need them."""

    arrived_at: datetime
    status: ArrivalStatus
    handed_over_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class LaneDay:
    """The figures of one office day at the lanes.

    ``active_hours`` counts the clock hours (office time) with an arrival or a handover;
    ``handed_over_per_hour`` is the handovers divided by them.
    """

    arrivals: int
    handed_over: int
    sent_to_counter: int
    still_waiting: int
    active_hours: int
    handed_over_per_hour: float | None
    handover_median_min: float | None
    handover_p90_min: float | None
    handover_max_min: float | None


def lane_day(cars: Sequence[ArrivalTimes], hour_of: Callable[[datetime], int]) -> LaneDay:
    """The figures of ``cars`` (one office day); ``hour_of`` gives a moment's office hour."""
    handed = [car for car in cars if car.status is ArrivalStatus.HANDED_OVER]
    minutes = [
        max((car.handed_over_at - car.arrived_at).total_seconds(), 0.0) / 60
        for car in handed
        if car.handed_over_at is not None
    ]
    hours = {hour_of(car.arrived_at) for car in cars}
    hours.update(hour_of(car.handed_over_at) for car in handed if car.handed_over_at is not None)
    return LaneDay(
        arrivals=len(cars),
        handed_over=len(handed),
        sent_to_counter=sum(1 for car in cars if car.status is ArrivalStatus.SENT_TO_COUNTER),
        still_waiting=sum(1 for car in cars if car.status is ArrivalStatus.WAITING),
        active_hours=len(hours),
        handed_over_per_hour=_rounded(len(handed) / len(hours)) if hours else None,
        handover_median_min=_rounded(statistics.median(minutes)) if minutes else None,
        handover_p90_min=_rounded(nearest_rank(minutes, 90)) if minutes else None,
        handover_max_min=_rounded(max(minutes)) if minutes else None,
    )


def _rounded(value: float) -> float:
    return round(value, 1)
