"""A basic wait estimate: recent service times blended with the SOP standard time.

Rule: minutes per ticket is the median of the most recent service durations at the
station, blended with the SOP standard time while there are few samples (the standard
time counts as ``PRIOR_WEIGHT`` samples). The wait for a ticket with ``position`` people
ahead is ``position * minutes_per_ticket / open_counters``.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

PRIOR_WEIGHT = 5
RECENT_SAMPLES = 20


def service_time_minutes(
    recent_durations_minutes: Sequence[float], standard_minutes: float
) -> float:
    """Expected minutes per ticket from recent durations and the SOP standard time."""
    samples = [value for value in recent_durations_minutes[:RECENT_SAMPLES] if value >= 0]
    if not samples:
        return standard_minutes
    observed = statistics.median(samples)
    weight = len(samples)
    return (observed * weight + standard_minutes * PRIOR_WEIGHT) / (weight + PRIOR_WEIGHT)


def estimate_wait_minutes(
    position: int, open_counters: int, minutes_per_ticket: float
) -> float | None:
    """Minutes until a ticket with ``position`` people ahead is called; None if nobody serves."""
    if position < 0:
        raise ValueError("position must not be negative")
    if open_counters <= 0:
        return None
    return round(position * minutes_per_ticket / open_counters, 1)
