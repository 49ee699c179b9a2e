"""Which waiting ticket a counter calls next.

Order inside a class (priority or regular) is first in, first out by *queue time*:
the booked slot time for a booked ticket on its first step (the applicant checked in
within the booking window), otherwise the time the ticket joined this queue. Ties
are broken by the ticket id, which grows with every ticket issued, so the order is
total and stable.

Between classes the counter follows :class:`~queue_server.domain.model.PriorityPolicy`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from queue_server.domain.ids import ServiceId, StationType, TicketId
from queue_server.domain.model import CounterProfile, PriorityPolicy


@dataclass(frozen=True, slots=True)
class QueueEntry:
    """A waiting ticket as the calling policy sees it."""

    ticket_id: TicketId
    service: ServiceId
    station: StationType
    priority: bool
    queued_at: datetime
    appointment_at: datetime | None = None

    @property
    def queue_time(self) -> datetime:
        return self.appointment_at if self.appointment_at is not None else self.queued_at

    @property
    def sort_key(self) -> tuple[datetime, int]:
        return (self.queue_time, int(self.ticket_id))


@dataclass(frozen=True, slots=True)
class Streak:
    """How many tickets of each class a counter called in a row, most recently."""

    priority: int = 0
    regular: int = 0

    def after(self, *, called_priority: bool) -> Streak:
        if called_priority:
            return Streak(priority=self.priority + 1, regular=0)
        return Streak(priority=0, regular=self.regular + 1)


def prefer_priority(streak: Streak, policy: PriorityPolicy) -> bool:
    """Whether the next call should be priority when both classes are waiting."""
    if streak.priority >= policy.priority_run:
        return False
    # Continue a priority run, take a priority after a full regular run, or start with one.
    return streak.priority > 0 or streak.regular >= policy.regular_run or streak.regular == 0


def choose_next(
    entries: Iterable[QueueEntry],
    counter: CounterProfile,
    streak: Streak,
    policy: PriorityPolicy,
) -> QueueEntry | None:
    """The ticket ``counter`` should call now, or ``None`` if nobody it serves is waiting."""
    oldest_priority: QueueEntry | None = None
    oldest_regular: QueueEntry | None = None
    for entry in entries:
        if not counter.serves(entry.station, entry.service):
            continue
        if entry.priority:
            if oldest_priority is None or entry.sort_key < oldest_priority.sort_key:
                oldest_priority = entry
        elif oldest_regular is None or entry.sort_key < oldest_regular.sort_key:
            oldest_regular = entry
    if oldest_priority is None:
        return oldest_regular
    if oldest_regular is None:
        return oldest_priority
    return oldest_priority if prefer_priority(streak, policy) else oldest_regular


def order_queue(
    entries: Iterable[QueueEntry], *, streak: Streak, policy: PriorityPolicy
) -> list[QueueEntry]:
    """The order in which one counter serving every entry would call them.

    Used for positions and wait estimates; it simulates :func:`choose_next`.
    """
    priority = sorted((e for e in entries if e.priority), key=lambda e: e.sort_key)
    regular = sorted((e for e in entries if not e.priority), key=lambda e: e.sort_key)
    ordered: list[QueueEntry] = []
    p_index = r_index = 0
    while p_index < len(priority) or r_index < len(regular):
        take_priority = r_index >= len(regular) or (
            p_index < len(priority) and prefer_priority(streak, policy)
        )
        if take_priority:
            ordered.append(priority[p_index])
            p_index += 1
        else:
            ordered.append(regular[r_index])
            r_index += 1
        streak = streak.after(called_priority=take_priority)
    return ordered


def newcomer_position(
    *,
    priority_waiting: int,
    regular_waiting: int,
    priority: bool,
    policy: PriorityPolicy,
) -> int:
    """How many waiting tickets are called before a newcomer who joins last in its class.

    Closed form, so a kiosk's estimate costs the same with 10 or 10,000 people waiting; it
    agrees with :func:`order_queue` from a fresh streak: while both classes wait, calls go
    in blocks of ``priority_run`` priority then ``regular_run`` regular tickets.
    """
    if priority:
        blocks_before = priority_waiting // policy.priority_run
        return priority_waiting + min(regular_waiting, blocks_before * policy.regular_run)
    blocks_up_to = regular_waiting // policy.regular_run + 1
    return regular_waiting + min(priority_waiting, blocks_up_to * policy.priority_run)
