"""The wait estimate: when will a waiting ticket (or a newcomer) be called?

Pure and cheap (no I/O, no loop over the queue): the callers count the people ahead in
calling order (:func:`~queue_server.domain.calling.newcomer_position`) and hand in what
the office knows about the counters.

Model, in four parts:

1. *Minutes per ticket* at the station: the mean of the latest service durations (called
   to finished; durations above ``OUTLIER_FACTOR`` x their median are cut down to it, an
   officer who forgot to press "finish" must not move the estimate), blended with the SOP
   standard time, which counts as ``PRIOR_WEIGHT`` samples (so the standard rules at the
   start of the day and the office's real pace after a few tickets).
2. *Counters*: every open counter that may call the ticket, with the share of its calls
   that go to this station (a desk serving two stations splits its time by their queues)
   and how long its current applicant has been there.
3. *The ticket's turn*: it is called when the ``position + 1``-th counter frees up. A busy
   counter frees up after its current applicant's expected remaining time (the minutes per
   ticket less the time already spent, at least ``MIN_REMAINING`` of a ticket); then
   every counter frees up once per ticket. The turn is the sorted free-up times of the
   first round plus whole rounds: ``first[position % c] + (position // c) * period``.
4. *Booked slots*: a booked applicant is not called before its slot
   (``not_before_minutes``).

With every counter free and serving only this station this is the old rule,
``position * minutes_per_ticket / open_counters`` for whole rounds.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

PRIOR_WEIGHT = 5
RECENT_SAMPLES = 20
OUTLIER_FACTOR = 3.0
MIN_REMAINING = 0.2


@dataclass(frozen=True, slots=True)
class OpenCounter:
    """An open counter that may call the ticket."""

    #: Share of its calls that go to this station (below 1 for a desk of several stations).
    share: float = 1.0
    #: Minutes its current applicant has been at the counter; None while it is free.
    busy_minutes: float | None = None


def service_time_minutes(
    recent_durations_minutes: Sequence[float], standard_minutes: float
) -> float:
    """Expected minutes per ticket from recent durations and the SOP standard time."""
    samples = [value for value in recent_durations_minutes[:RECENT_SAMPLES] if value >= 0]
    if not samples:
        return standard_minutes
    cap = OUTLIER_FACTOR * max(statistics.median(samples), 0.1 * standard_minutes)
    observed = sum(min(value, cap) for value in samples) / len(samples)
    weight = len(samples)
    return (observed * weight + standard_minutes * PRIOR_WEIGHT) / (weight + PRIOR_WEIGHT)


def remaining_minutes(busy_minutes: float | None, minutes_per_ticket: float) -> float:
    """Expected minutes until a counter is free, from how long its applicant has been there."""
    if busy_minutes is None:
        return 0.0
    return max(minutes_per_ticket - busy_minutes, MIN_REMAINING * minutes_per_ticket)


def estimate_wait_minutes(
    position: int,
    open_counters: int | Sequence[OpenCounter],
    minutes_per_ticket: float,
    *,
    not_before_minutes: float = 0.0,
) -> float | None:
    """Minutes until a ticket with ``position`` people ahead is called; None if nobody serves.

    ``open_counters`` is a count of free counters serving only this station, or the
    counters themselves (:class:`OpenCounter`).
    """
    if position < 0:
        raise ValueError("position must not be negative")
    counters = [OpenCounter()] * open_counters if isinstance(open_counters, int) else open_counters
    capacity = sum(max(counter.share, 0.0) for counter in counters)
    if not counters or capacity <= 0:
        return None
    # Every counter frees up once per ``period`` after its first free-up: shared desks
    # make the period longer, by the share of their time that goes elsewhere.
    count = len(counters)
    period = minutes_per_ticket * count / capacity
    first = sorted(
        remaining_minutes(counter.busy_minutes, minutes_per_ticket) for counter in counters
    )
    rounds, turn = divmod(position, count)
    wait = first[turn] + rounds * period
    return round(max(wait, not_before_minutes, 0.0), 1)


def baseline_wait_minutes(
    position: int, open_counters: int, standard_minutes: float
) -> float | None:
    """The queue-length rule the estimate replaced: people ahead x SOP minutes / counters.

    Kept for the accuracy benchmark (bench/estimate_accuracy.py), which compares both.
    """
    if open_counters <= 0:
        return None
    return round(position * standard_minutes / open_counters, 1)
