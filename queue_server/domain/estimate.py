"""The wait estimate: when will a waiting ticket (or a newcomer) be called?

Pure and cheap (no I/O, no loop over the queue): the callers count the people ahead in
calling order (:func:`~queue_server.domain.calling.newcomer_position`) and hand in what
the office knows about the counters.

Model, in four parts:

1. *Minutes per ticket* at the station: the mean of the latest service durations (called
   to finished; 20, or 8 per open counter up to 60, so every officer's pace counts;
   durations above ``OUTLIER_FACTOR`` x their median are cut down to it, an officer who
   forgot to press "finish" must not move the estimate), blended with the SOP
   standard time, which counts as ``PRIOR_WEIGHT`` samples (so the standard rules at the
   start of the day and the office's real pace after a few tickets), plus the usual
   pause between a counter's finish and its next call.
2. *Counters*: every open counter that may call the ticket, with the share of its calls
   that go to this station (a desk serving two stations splits its time by their queues),
   how long its current applicant has been there and its planned breaks still to come
   (the office file's rota, e.g. lunch).
3. *The ticket's turn*: it is called when the ``position + 1``-th counter frees up. A busy
   counter frees up after its current applicant's expected remaining time (the minutes per
   ticket less the time already spent, at least ``MIN_REMAINING`` of a ticket), a counter
   closed for a break (open earlier today) when it is expected back (today's breaks'
   mean length, 30 minutes before any); then every counter frees up once per ticket.
   The turn is the sorted free-up times of the first round plus whole rounds,
   ``first[position % c] + (position // c) * period``, while the first free-ups lie
   within one period; otherwise the free-ups are counted by bisection on the time. A
   counter with a planned break calls nobody from its start (its applicant then is
   finished first) until its end; a counter closed during its planned break is back at
   its end. Breaks that begin after the turn found without them change nothing.
4. *Overtaking*: arrivals after the ticket that are still called before it add their
   service time: priority tickets overtake a regular one (at most at the policy's share
   of the calls), walk-ins arriving before a booked ticket's slot and booked applicants
   with earlier slots overtake it until its slot, late booked applicants (slot passed,
   not checked in yet) overtake anyone within the late window. Each kind has a rate
   (recent arrivals at the station, expected check-ins from the booking list times the
   day's show rate) and a duration; ``W = W0 + sum(load * min(W, minutes))`` is solved
   in closed form (``load``: the share of the counters' time those arrivals take).

With every counter free and serving only this station this is the old rule,
``position * minutes_per_ticket / open_counters`` for whole rounds.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

PRIOR_WEIGHT = 5
RECENT_SAMPLES = 20
#: With several counters the latest durations are this many per open counter (each
#: officer's pace counts alike, and 20 samples of a busy station, its last few minutes,
#: leave the mean 9% off at a CV of 0.4), up to ``MAX_RECENT_SAMPLES``.
SAMPLES_PER_COUNTER, MAX_RECENT_SAMPLES = 8, 60
OUTLIER_FACTOR = 3.0
MIN_REMAINING = 0.2
#: A counter closed for a break is expected back after this long (before today shows).
BREAK_MINUTES, BREAK_PRIOR_WEIGHT = 30.0, 2
#: Steps of the bisection for the turn when counters start far apart (precision: the
#: wait span / 2**BISECTIONS).
BISECTIONS = 30
#: Overtaking arrivals take at most this share of the counters' time in the estimate: near
#: a full load the fluid formula ``W0 / (1 - load)`` explodes on small errors in the rates.
MAX_OVERTAKING_LOAD = 0.6


@dataclass(frozen=True, slots=True)
class OpenCounter:
    """An open counter that may call the ticket."""

    #: Share of its calls that go to this station (below 1 for a desk of several stations).
    share: float = 1.0
    #: Minutes its current applicant has been at the counter; None while it is free.
    busy_minutes: float | None = None
    #: Closed for a break: minutes until it is expected back (None: open now).
    back_in_minutes: float | None = None
    #: Planned closings to come (the office's rota, e.g. lunch), as (from, to) in minutes
    #: from now, sorted: it calls nobody in between (the applicant it is serving then
    #: is finished first).
    planned_breaks: tuple[tuple[float, float], ...] = ()


def service_time_minutes(
    recent_durations_minutes: Sequence[float], standard_minutes: float, counters: int = 1
) -> float:
    """Expected minutes per ticket from recent durations (newest first) and the SOP
    standard time; ``counters``: how many counters are open at the station."""
    window = min(max(RECENT_SAMPLES, SAMPLES_PER_COUNTER * counters), MAX_RECENT_SAMPLES)
    samples = [value for value in recent_durations_minutes[:window] if value >= 0]
    if not samples:
        return standard_minutes
    cap = OUTLIER_FACTOR * max(statistics.median(samples), 0.1 * standard_minutes)
    observed = sum(min(value, cap) for value in samples) / len(samples)
    weight = len(samples)
    return (observed * weight + standard_minutes * PRIOR_WEIGHT) / (weight + PRIOR_WEIGHT)


def expected_back_minutes(
    away_minutes: dict[str, float], breaks_today: Sequence[float]
) -> dict[str, float]:
    """When counters closed for a break are expected back, in minutes from now.

    ``away_minutes``: counters open earlier today and closed now, with the minutes since
    they closed; ``breaks_today``: today's completed breaks (closed, then opened again).
    A break lasts as long as today's breaks on average (``BREAK_MINUTES`` as a prior of
    ``BREAK_PRIOR_WEIGHT`` breaks); a counter away for twice that has closed for the day.
    """
    usual = (sum(breaks_today) + BREAK_MINUTES * BREAK_PRIOR_WEIGHT) / (
        len(breaks_today) + BREAK_PRIOR_WEIGHT
    )
    return {
        code: max(usual - away, MIN_REMAINING * usual)
        for code, away in away_minutes.items()
        if away < 2 * usual
    }


def pause_minutes(recent_pauses: Sequence[float]) -> float:
    """The usual pause between a counter's finish and its next call: the mean of recent
    pauses, pulled towards none while there are few (none counts as ``PRIOR_WEIGHT``)."""
    return sum(recent_pauses) / (len(recent_pauses) + PRIOR_WEIGHT)


def remaining_minutes(busy_minutes: float | None, minutes_per_ticket: float) -> float:
    """Expected minutes until a counter is free, from how long its applicant has been there."""
    if busy_minutes is None:
        return 0.0
    return max(minutes_per_ticket - busy_minutes, MIN_REMAINING * minutes_per_ticket)


@dataclass(frozen=True, slots=True)
class Overtaking:
    """Later arrivals that will be called before the ticket: how many per minute, and for
    how many minutes they keep coming (None: as long as the ticket waits)."""

    per_minute: float
    minutes: float | None = None


def estimate_wait_minutes(
    position: int,
    open_counters: int | Sequence[OpenCounter],
    minutes_per_ticket: float,
    *,
    overtaking: Sequence[Overtaking] = (),
) -> float | None:
    """Minutes until a ticket with ``position`` people ahead is called; None if nobody serves.

    ``open_counters`` is a count of free counters serving only this station, or the
    counters themselves (:class:`OpenCounter`). ``overtaking`` are the later arrivals
    still called first (see :func:`overtaking`).
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
    starts = [
        (
            remaining_minutes(counter.busy_minutes, minutes_per_ticket)
            if counter.back_in_minutes is None
            else counter.back_in_minutes,
            counter.planned_breaks,
        )
        for counter in counters
    ]
    wait = _turn(position, sorted(start for start, _ in starts), period)
    breaks_begin = min((begins for _, breaks in starts for begins, _ in breaks), default=math.inf)
    if breaks_begin <= wait:  # a planned break may take some of the turns before it
        wait = _turn_with_breaks(position, starts, period)
    loads = [
        (item.per_minute * minutes_per_ticket / capacity, item.minutes)
        for item in overtaking
        if item.per_minute > 0
    ]
    if loads:
        wait = _with_overtaking(wait, loads)
    return round(max(wait, 0.0), 1)


def _turn(position: int, first: list[float], period: float) -> float:
    """When the ``position + 1``-th free-up happens: counter ``i`` frees up at
    ``first[i] + j * period`` (``first`` sorted).

    While the first free-ups lie within one period of each other (every counter open)
    they repeat in the same order each round: closed form. Otherwise (a counter back from
    a break much later) the free-ups are counted by bisection on the time.
    """
    count = len(first)
    if first[-1] - first[0] <= period:
        rounds, turn = divmod(position, count)
        return first[turn] + rounds * period
    need = position + 1
    low, high = first[0], first[0] + position * period  # the first counter alone suffices
    for _ in range(BISECTIONS):
        middle = (low + high) / 2
        freed = sum(int((middle - start) // period) + 1 for start in first if start <= middle)
        if freed >= need:
            high = middle
        else:
            low = middle
    return high


def _turn_with_breaks(
    position: int, starts: Sequence[tuple[float, tuple[tuple[float, float], ...]]], period: float
) -> float:
    """When the ``position + 1``-th free-up happens when some counters will close for a
    planned break: counted by bisection on the time (see :func:`_freed`)."""
    need = position + 1
    ends = [end for _, breaks in starts for _, end in breaks]
    low = min(start for start, _ in starts)
    # After every break every counter frees up once per period: ``need`` turns by then.
    high = max([start for start, _ in starts] + ends) + need * period
    for _ in range(BISECTIONS):
        middle = (low + high) / 2
        if sum(_freed(start, breaks, period, middle) for start, breaks in starts) >= need:
            high = middle
        else:
            low = middle
    return high


def _freed(
    start: float, breaks: tuple[tuple[float, float], ...], period: float, moment: float
) -> int:
    """How many times a counter frees up by ``moment``: at ``start``, then once per period,
    except during its planned breaks (it calls again when a break ends)."""
    freed = 0
    for begins, ends in breaks:
        if ends <= start:
            continue
        if start < begins:  # free-ups at start + j * period before the break begins
            before = math.ceil((begins - start) / period)
            by_moment = int((moment - start) // period) + 1 if moment >= start else 0
            freed += min(before, by_moment)
        if moment < ends:
            return freed
        start = ends
    if moment >= start:
        freed += int((moment - start) // period) + 1
    return freed


def _with_overtaking(wait: float, loads: Sequence[tuple[float, float | None]]) -> float:
    """Solve ``W = wait + sum(load * min(W, minutes))``: each overtaking arrival adds its
    service time (``load``: the share of the counters' time those arrivals take).

    Piecewise linear in ``W``; a few pieces (one per kind of overtaking), so it is solved
    piece by piece from the shortest ``minutes`` up.
    """
    unlimited = min(sum(load for load, minutes in loads if minutes is None), MAX_OVERTAKING_LOAD)
    limited = sorted((minutes, load) for load, minutes in loads if minutes is not None)
    fixed = wait  # what the arrivals whose minutes are over already added
    for index, (minutes, load) in enumerate(limited):
        active = unlimited + sum(later_load for _, later_load in limited[index:])
        candidate = fixed / (1 - min(active, MAX_OVERTAKING_LOAD))
        if candidate <= minutes:
            return candidate
        fixed += load * minutes
    return fixed / (1 - unlimited)


def overtaking(
    *,
    priority: bool,
    priority_joins_per_minute: float,
    regular_joins_per_minute: float,
    minutes_until_slot: float,
    priority_run: int,
    regular_run: int,
    calls_per_minute: float,
    bookings_before_slot: float = 0.0,
    late_bookings: float = 0.0,
    late_minutes: float = 0.0,
) -> list[Overtaking]:
    """Later arrivals that are called before a ticket.

    - A regular ticket is overtaken by priority arrivals, at most at the share of the
      calls the policy gives them.
    - A booked ticket queues by its slot: walk-ins of its class arriving before the slot
      are called first (for the minutes until the slot), and so are the booked applicants
      expected with earlier slots (``bookings_before_slot``, spread over those minutes).
    - Booked applicants whose slot has passed but who may still check in
      (``late_bookings`` expected, within ``late_minutes``) come first too.
    """
    found = []
    if not priority:
        cap = calls_per_minute * priority_run / (priority_run + regular_run)
        found.append(Overtaking(min(priority_joins_per_minute, cap)))
    if minutes_until_slot > 0:
        own_class = priority_joins_per_minute if priority else regular_joins_per_minute
        per_minute = own_class + bookings_before_slot / minutes_until_slot
        found.append(Overtaking(per_minute, minutes_until_slot))
    if late_bookings > 0 and late_minutes > 0:
        found.append(Overtaking(late_bookings / late_minutes, late_minutes))
    return [item for item in found if item.per_minute > 0]


def baseline_wait_minutes(
    position: int, open_counters: int, standard_minutes: float
) -> float | None:
    """The queue-length rule the estimate replaced: people ahead x SOP minutes / counters.

    Kept for the accuracy benchmark (bench/estimate_accuracy.py), which compares both.
    """
    if open_counters <= 0:
        return None
    return round(position * standard_minutes / open_counters, 1)
