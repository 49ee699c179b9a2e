"""Response bodies of API v1. Views' return values are validated against these models,
so the OpenAPI document cannot promise fields the server does not send. None of them
carries an applicant's personal data.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# The same models as the MQTT contract's (one definition per payload).
from queue_server.protocol.answers import PublicTicket as PublicTicket
from queue_server.protocol.states import CounterState as CounterState
from queue_server.protocol.states import QueueState as QueueState


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OutboxBacklog(Out):
    """Changes not yet published to the displays: how many, and the oldest one's age."""

    pending: int
    oldest_s: float | None


class Health(Out):
    """``ok`` only when every check is healthy; each check: ok, down, disabled or external,
    and for the outbox ok or behind."""

    status: str
    version: str
    checks: dict[str, str]
    #: The outbox's backlog (None when the database does not answer).
    outbox: OutboxBacklog | None = None


class Ok(Out):
    ok: bool


class PairedDevice(Out):
    """The display device a browser is paired as."""

    device: str
    kind: str
    office: str
    #: The counter a counter display shows (None: not bound to one counter).
    counter: str | None


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
    locked_until: datetime | None = None


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
    demo: bool = Field(description="A demo office (antre serve --demo), not a real one")


class Offices(Out):
    items: list[OfficeOut]


class ServiceList(Out):
    items: list[QueueState]


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
    status_page: str = Field(description="The ticket's page for the applicant's phone: /t/{token}")


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
    #: The booked slot of an M-Paspor check-in (None for a walk-in).
    appointment_at: datetime | None = None


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


class Finished(Moved):
    """A finish; with ``call_next``, the ticket then called at the counter (None: nobody
    waiting for it, the finish stands)."""

    called: Ticket | None = None


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


class DeviceOutbox(Out):
    """A kiosk's last reported outbox (counts only): items not delivered to the server."""

    waiting: int
    oldest_at: datetime | None
    #: The oldest item's age in minutes, now (None: nothing waits).
    oldest_minutes: float | None


class Device(Out):
    id: str
    kind: str
    active: bool
    status: str
    last_seen_at: datetime | None
    health: dict[str, str]
    #: None: the device never reported an outbox (a display, or an older kiosk).
    outbox: DeviceOutbox | None = None
    #: A kiosk's numbers leased for offline issuing today, per service, not yet synced.
    leased_unsynced: dict[str, int] = {}


class Devices(Out):
    items: list[Device]


class DeviceReset(Out):
    """A device's new credentials: the password is in this answer only."""

    device: str
    kind: str
    office: str
    mqtt_user: str
    mqtt_password: str


# -- the officer console (GET .../console, GET .../counters/<counter>/console) ---------


class ConsoleCounter(Out):
    code: str
    name: str
    stations: list[str]
    is_open: bool
    #: The user name of the officer who opened it (None when closed or opened by a token).
    officer: str | None
    #: Opened by the caller: the caller may act on it.
    mine: bool


class ConsoleStep(Out):
    index: int
    station: str
    later_visit: bool


class ConsoleService(Out):
    id: str
    prefix: str
    name: dict[str, str]
    kind: str
    booking_required: bool
    open_now: bool
    steps: list[ConsoleStep]


class ConsoleOffice(Out):
    id: str
    name: str
    demo: bool
    timezone: str = Field(description="The office's IANA time zone, e.g. Asia/Makassar")
    utc_offset_minutes: int = Field(
        description="The office's offset from UTC now; the console shows times in it"
    )


class ConsoleSetup(Out):
    """What the console needs to know about the office: services, stations, counters."""

    office: ConsoleOffice
    no_show_grace_minutes: int
    priority_categories: list[str]
    services: list[ConsoleService]
    stations: list[str]
    counters: list[ConsoleCounter]


class TimelineEntry(Out):
    at: datetime
    action: str
    status: str
    label: str
    station: str
    counter: str | None


class CurrentTicket(Out):
    """The ticket at the counter, with the timeline of its whole visit."""

    ticket_id: int
    label: str
    service: str
    station: str
    status: str
    priority: bool
    priority_category: str | None
    appointment_at: datetime | None
    issued_at: datetime
    queued_at: datetime
    called_at: datetime | None
    started_at: datetime | None
    recall_count: int
    #: Pickup: the application number the kiosk sent (None: not given) and whether the
    #: applicant said someone else collects (a surat kuasa is needed).
    application_no: str | None = None
    by_proxy: bool = False
    timeline: list[TimelineEntry]


class ParkedTicket(Out):
    ticket_id: int
    label: str
    service: str
    station: str
    priority: bool
    note: str | None
    since: datetime | None


class NoShowTicket(Out):
    ticket_id: int
    label: str
    service: str
    station: str
    priority: bool
    no_show_at: datetime
    grace_ends_at: datetime
    grace_left_minutes: float


class CounterScreen(Out):
    """One counter's screen: its ticket, waiting list, parked tickets and no-shows."""

    counter: ConsoleCounter
    now: datetime
    no_show_grace_minutes: int
    current: CurrentTicket | None
    waiting: list[WaitingTicket]
    parked: list[ParkedTicket]
    no_shows: list[NoShowTicket]
