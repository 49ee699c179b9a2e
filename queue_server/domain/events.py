"""Typed domain events, published after the transaction that caused them commits.

MQTT publishing, notifications and metrics subscribe to these; the queue engine
never calls them directly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from queue_server.domain.ids import (
    CounterId,
    OfficeId,
    ServiceId,
    StationType,
    TicketId,
    TicketStatus,
)


@dataclass(frozen=True, slots=True)
class TicketChanged:
    """A ticket was issued or changed state (``action`` says how: issue, call, recall, ...)."""

    office: OfficeId
    ticket: TicketId
    label: str
    service: ServiceId
    station: StationType
    action: str
    status: TicketStatus
    previous: TicketStatus | None
    counter: CounterId | None
    at: datetime

    @property
    def is_call(self) -> bool:
        return self.action in {"call", "call_specific", "recall"}


@dataclass(frozen=True, slots=True)
class CounterChanged:
    """A counter opened or closed."""

    office: OfficeId
    counter: CounterId
    is_open: bool
    at: datetime


@dataclass(frozen=True, slots=True)
class OfficeReloaded:
    """The office definition (services, counters, calendar) was replaced."""

    office: OfficeId
    version: int
    at: datetime


@dataclass(frozen=True, slots=True)
class LaneChanged:
    """A car joined or left a drive-thru lane (scanned, handed over, sent to the counter)."""

    office: OfficeId
    lane: str
    at: datetime


DomainEvent = TicketChanged | CounterChanged | OfficeReloaded | LaneChanged
