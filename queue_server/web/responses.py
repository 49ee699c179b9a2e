"""Response bodies of API v1. Views' return values are validated against these models,
so the OpenAPI document cannot promise fields the server does not send. None of them
carries an applicant's personal data.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Health(Out):
    status: str
    version: str


class Ok(Out):
    ok: bool


class Names(Out):
    """A name in both languages."""

    id: str
    en: str


class UserSummary(Out):
    id: int | None
    username: str
    role: str | None
    #: The offices the caller may act in; None: every office.
    offices: list[str] | None = None


class SessionOut(Out):
    user: UserSummary
    csrf_token: str | None


class User(Out):
    id: int
    username: str
    display_name: str
    role: str
    active: bool
    offices: list[str] | None


class Users(Out):
    items: list[User]


class TokenOut(Out):
    token: str
    name: str
    role: str


class TokenInfo(Out):
    """A token as listed: never its secret."""

    id: int
    name: str
    role: str
    created_by: str | None
    created_at: datetime
    revoked: bool
    revoked_at: datetime | None
    offices: list[str] | None


class Tokens(Out):
    items: list[TokenInfo]


class OfficeOut(Out):
    id: str
    name: str
    timezone: str


class Offices(Out):
    items: list[OfficeOut]


class Quota(Out):
    limit: int | None
    used: int
    left: int | None


class JourneyStep(Out):
    station: str
    standard_minutes: float
    after_working_days: int


class QueueState(Out):
    service: str
    prefix: str
    name: Names
    kind: str
    waiting: int
    waiting_per_station: dict[str, int]
    people_ahead_of_newcomer: int
    open_counters: int
    minutes_per_ticket: float
    estimated_wait_minutes: float | None
    open_now: bool
    session: str | None
    next_opening: datetime | None
    quota: Quota
    journey: list[JourneyStep]


class ServiceList(Out):
    items: list[QueueState]


class PublicTicket(Out):
    label: str
    office: str
    service: Names
    station: str
    status: str
    issued_at: datetime
    people_ahead: int | None
    estimated_wait_minutes: float | None
    counter: str | None


class IssuedTicket(Out):
    ticket_id: int
    visit_id: int
    label: str
    token: str
    office: str
    service: str
    station: str
    office_day: date
    issued_at: datetime
    session_code: str
    people_ahead: int
    estimated_wait_minutes: float | None
    priority: bool
    status_url: str


class CounterState(Out):
    code: str
    name: str
    stations: list[str]
    is_open: bool
    ticket_label: str | None
    ticket_status: str | None
    ticket_id: int | None
    since: datetime | None


class Counters(Out):
    items: list[CounterState]


class CounterSwitched(Out):
    counter: str
    is_open: bool


class WaitingTicket(Out):
    ticket_id: int
    label: str | None
    service: str
    station: str
    priority: bool
    queued_at: datetime
    waiting_minutes: float


class WaitingList(Out):
    items: list[WaitingTicket]


class Ticket(Out):
    id: int
    label: str
    service: str
    station: str
    status: str
    priority: bool
    counter: str | None
    recall_count: int


class Moved(Out):
    """The ticket acted on, and the visit's next ticket when the action created one."""

    ticket: Ticket
    next: Ticket | None = None


class AuditEntry(Out):
    at: datetime
    actor: str
    action: str
    office: str | None
    target: str | None
    details: dict[str, Any]
    remote_addr: str | None


class AuditLog(Out):
    items: list[AuditEntry]


class Device(Out):
    id: str
    kind: str
    active: bool
    status: str
    last_seen_at: datetime | None
    health: dict[str, str]


class Devices(Out):
    items: list[Device]
