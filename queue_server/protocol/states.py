"""What the server publishes for displays and kiosks: retained states, calls and configs.

``CounterState``, ``QueueState`` and the configs are the content; the published payload
adds the ``seq`` of :class:`~queue_server.protocol.base.Sequenced` (``CounterStateMessage``,
``QueueStateMessage``, ``KioskConfigMessage``, ``DisplayConfigMessage``). The HTTP API
returns the same content models without ``seq``.
"""

from __future__ import annotations

from pydantic import AwareDatetime, Field

from queue_server.protocol.base import (
    AtCounterWord,
    Bilingual,
    Id,
    Message,
    Sequenced,
    ServiceKindWord,
    Station,
)


class RatingPrompt(Message):
    """The question "How was our service?" shown on the counter's screen until ``until``."""

    ticket_label: str = Field(description="The ticket whose service is rated.", examples=["BI-007"])
    asked_at: AwareDatetime = Field(description="When the officer finished the step.")
    until: AwareDatetime = Field(description="After this an answer is refused.")


class CounterState(Message):
    """One active counter: open or not, the stations it serves, its current ticket."""

    code: Id
    name: str = Field(examples=["CS 1"])
    stations: list[Station]
    is_open: bool
    ticket_label: str | None = Field(description="The ticket called or served here.")
    ticket_status: AtCounterWord | None
    ticket_id: int | None
    since: AwareDatetime | None = Field(description="When the ticket was called.")
    rating: RatingPrompt | None = Field(
        default=None,
        exclude_if=lambda prompt: prompt is None,
        description="Set while the counter's screen asks the applicant to rate the step just "
        "finished; absent otherwise (and always absent in `board`), so a parser of an older "
        "version that knows no `rating` still reads every other state.",
    )


class CounterStateMessage(CounterState, Sequenced):
    """``counter/{counter}/state`` (retained)."""


class Board(Sequenced):
    """``board`` (retained): the lobby board, every active counter."""

    counters: list[CounterState] = Field(description="By code.")
    serving: list[CounterState] = Field(
        description="The counters with a ticket, in the same order."
    )


class Quota(Message):
    """Of today's service quota, or of the special session open now."""

    limit: int | None = Field(ge=0)
    used: int = Field(ge=0)
    left: int | None = Field(ge=0)


class JourneyStep(Message):
    """One step of a service's journey."""

    station: Station
    standard_minutes: float = Field(description="The SOP's standard duration.")
    after_working_days: int = Field(ge=0)
    after_days: int = Field(
        default=0, ge=0, description="Calendar days after the previous step (e.g. BAP approval)."
    )


class QueueState(Message):
    """One active service: waiting, open counters, estimated wait for a newcomer, quota and
    opening hours."""

    service: Id
    prefix: str = Field(examples=["B"])
    name: Bilingual
    kind: ServiceKindWord
    waiting: int = Field(ge=0)
    waiting_per_station: dict[str, int] = Field(
        description="Waiting tickets by station type (only stations with some)."
    )
    people_ahead_of_newcomer: int = Field(ge=0)
    open_counters: int = Field(ge=0)
    minutes_per_ticket: float
    estimated_wait_minutes: float | None = Field(
        description="For a newcomer; null while no counter is open."
    )
    open_now: bool
    session: str | None = Field(description="The code of the session open now.")
    next_opening: AwareDatetime | None = Field(
        description="Set only while closed (within 31 days)."
    )
    quota: Quota
    journey: list[JourneyStep]
    # A special session open now (a Saturday pickup, an evening session): its name and
    # bounds, so a kiosk can say "today: pickup only, 08:00-12:00". Absent otherwise, so a
    # parser of an older version still reads every other state.
    session_name: Bilingual | None = Field(
        default=None,
        exclude_if=lambda name: name is None,
        description="The special session open now (absent in regular hours or when closed).",
    )
    session_opens: AwareDatetime | None = Field(
        default=None,
        exclude_if=lambda moment: moment is None,
        description="When the special session open now opened (office time).",
    )
    session_closes: AwareDatetime | None = Field(
        default=None,
        exclude_if=lambda moment: moment is None,
        description="When the special session open now closes (office time).",
    )


class QueueStateMessage(QueueState, Sequenced):
    """``queue/{service}/state`` (retained)."""


class LaneState(Message):
    """One drive-thru lane: the arrivals waiting in it, in arrival order (ids only)."""

    lane: Id
    arrivals: list[int] = Field(
        description="The waiting cars' arrival ids in arrival order, 200 at most (as in "
        "`GET /api/v1/offices/{office}/drive-thru/lanes/{lane}/arrivals`); no application "
        "number."
    )


class LaneStateMessage(LaneState, Sequenced):
    """``lane/{lane}/state`` (retained)."""


class CalledEvent(Sequenced):
    """``event/called`` (not retained): a call or a recall, to announce.

    ``id`` is unique per call (the server's outbox row): a display that receives the
    same ``id`` twice (an at-least-once redelivery) announces it once
    (:class:`queue_server.protocol.dedupe.SeenCalls`).
    """

    id: int = Field(ge=1, description="Unique per call or recall; drop a second delivery.")
    ticket: str = Field(description="The ticket's label.", examples=["B-001"])
    station: Station = Field(description="The station the ticket is called to.")
    counter: Id
    counter_name: str = Field(examples=["CS 1"])
    service: Id
    recall: bool
    ts: AwareDatetime = Field(description="When the call was made.")


class OfficeInfo(Message):
    """The office as devices show it."""

    id: Id
    name: str
    address: str
    timezone: str = Field(examples=["Asia/Makassar"])


class Requirements(Message):
    """What to bring for a service, one line per document, as the office wrote it."""

    id: list[str] = Field(
        max_length=30,
        description="In Bahasa Indonesia (may be empty: the kiosk then shows `en`).",
        examples=[["KTP asli", "Kartu keluarga asli"]],
    )
    en: list[str] = Field(
        max_length=30,
        description="In English (may be empty: the kiosk then shows `id`).",
        examples=[["Original KTP", "Original family card"]],
    )


class ServiceInfo(Message):
    """One active service as devices offer it."""

    id: Id
    prefix: str = Field(examples=["B"])
    name: Bilingual
    description: Bilingual | None
    kind: ServiceKindWord
    first_station: Station
    needs_booking: bool
    has_quota: bool
    offline_allowed: bool
    requirements: Requirements | None = Field(
        default=None,
        exclude_if=lambda lists: lists is None,
        description="Only in `config/kiosk`, only for a service whose office content lists "
        "documents to bring (admin console, Content): the kiosk shows these instead of its "
        "built-in SOP list. Absent otherwise, so a kiosk of an older version (unknown fields "
        "refused) reads the configuration of an office without such content.",
    )


class PriorityCategory(Message):
    """A priority group the kiosk asks about (elderly, disabled…)."""

    code: str
    name: Bilingual


class BookingWindow(Message):
    """How early and how late a booking may be checked in, in minutes around the slot."""

    early: int
    late: int


class CounterInfo(Message):
    """A counter as displays name it."""

    code: Id
    name: str
    stations: list[Station]


class DeviceConfig(Message):
    """What every device shows about its office; ``content_version`` changes with the
    office configuration, so a device redraws only then."""

    content_version: int = Field(description="The office configuration's version.")
    office: OfficeInfo
    languages: list[str] = Field(examples=[["id", "en"]])
    services: list[ServiceInfo]


class KioskConfig(DeviceConfig):
    """The kiosk's configuration (``config/kiosk``)."""

    priority_categories: list[PriorityCategory]
    booking_window_minutes: BookingWindow
    ticket_footer: Bilingual | None
    public_base_url: str | None = Field(
        default=None,
        description="Where the ticket's QR points (`{public_base_url}/t/{token}`); null: "
        "the kiosk's own setting.",
    )
    registration: bool = Field(
        default=False,
        description="The office takes registrations ahead (WhatsApp, web): the kiosk offers "
        "'I registered ahead' to type the registration's code.",
    )


class DisplayConfig(DeviceConfig):
    """A display's configuration (``config/display`` and ``config/counter-display``)."""

    counters: list[CounterInfo]


class KioskConfigMessage(KioskConfig, Sequenced):
    """``config/kiosk`` (retained)."""


class DisplayConfigMessage(DisplayConfig, Sequenced):
    """``config/display`` and ``config/counter-display`` (retained)."""
