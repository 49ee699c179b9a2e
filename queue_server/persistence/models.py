"""Tables. Queue rules do not live here: these are plain typed rows.

Two partial unique indexes carry the engine's hardest invariants as a safety net
under any concurrency: a visit has at most one live ticket, and a counter holds at
most one called-or-serving ticket.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from queue_server.persistence.types import UTCDateTime

LIVE_SQL = "status IN ('waiting', 'called', 'serving', 'parked')"
AT_COUNTER_SQL = "status IN ('called', 'serving')"
WAITING_SQL = "status = 'waiting'"
DONE_SQL = "status = 'done'"


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class OfficeRow(Base):
    __tablename__ = "offices"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(40))
    #: The office file's validated content; the domain definition is rebuilt from it.
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: Bumped on every reload so every process refreshes its cached definition.
    config_version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime]


class CounterRow(Base):
    """A counter's live state; what it serves comes from the office definition."""

    __tablename__ = "counters"
    __table_args__ = (UniqueConstraint("office_id", "code"),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    #: False once the counter disappears from the office file (rows are never deleted).
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_open: Mapped[bool] = mapped_column(Boolean, default=False)
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    opened_at: Mapped[datetime | None]
    priority_streak: Mapped[int] = mapped_column(Integer, default=0)
    regular_streak: Mapped[int] = mapped_column(Integer, default=0)
    #: The finished ticket the counter's screen asks the applicant to rate, until
    #: ``rating_until``; cleared by the answer and by the counter's next call. No foreign
    #: key: tickets already point at counters, and a cycle would break table ordering.
    rating_ticket_id: Mapped[int | None] = mapped_column(Integer)
    rating_asked_at: Mapped[datetime | None]
    rating_until: Mapped[datetime | None]


class NumberSeriesRow(Base):
    """The last number handed out per series and office day (atomic upsert target)."""

    __tablename__ = "number_series"

    office_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    series: Mapped[str] = mapped_column(String(8), primary_key=True)
    office_day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class QuotaUsageRow(Base):
    """Places used per quota scope (service or special session) and office day."""

    __tablename__ = "quota_usage"

    office_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    scope: Mapped[str] = mapped_column(String(80), primary_key=True)
    office_day: Mapped[date] = mapped_column(Date, primary_key=True)
    used: Mapped[int] = mapped_column(Integer)


class VisitRow(Base):
    """One applicant's journey through the office on one day."""

    __tablename__ = "visits"
    __table_args__ = (
        UniqueConstraint("office_id", "office_day", "series", "number"),
        Index("ix_visits_application", "office_id", "application_no"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"))
    service_code: Mapped[str] = mapped_column(String(40))
    office_day: Mapped[date] = mapped_column(Date)
    series: Mapped[str] = mapped_column(String(8))
    number: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(16))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    session_code: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(20))
    priority_category: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(5), default="id")
    booking_ref: Mapped[str | None] = mapped_column(String(64))
    appointment_at: Mapped[datetime | None]
    #: Keyed hash of the NIK (never the NIK itself) and its last four digits for display.
    nik_hash: Mapped[str | None] = mapped_column(String(64))
    nik_last4: Mapped[str | None] = mapped_column(String(4))
    #: The same for an e-passport's document number read from its chip at the kiosk.
    passport_hash: Mapped[str | None] = mapped_column(String(64))
    passport_last4: Mapped[str | None] = mapped_column(String(4))
    phone: Mapped[str | None] = mapped_column(String(32))
    by_proxy: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    #: The SPRI application number (digits) the visit is for, once known (never a NIK).
    application_no: Mapped[str | None] = mapped_column(String(20))


class TicketRow(Base):
    """A visit's place in one queue (one journey step)."""

    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_waiting", "office_id", "status", "station"),
        Index("ix_tickets_visit", "visit_id"),
        Index(
            "uq_tickets_live_per_visit",
            "visit_id",
            unique=True,
            sqlite_where=text(LIVE_SQL),
            postgresql_where=text(LIVE_SQL),
        ),
        Index(
            "uq_tickets_active_per_counter",
            "counter_pk",
            unique=True,
            sqlite_where=text(AT_COUNTER_SQL),
            postgresql_where=text(AT_COUNTER_SQL),
        ),
        UniqueConstraint("office_id", "office_day", "series", "number", name="uq_tickets_number"),
        # The head of each queue in calling order, without sorting every waiting ticket:
        # walk-ins (no appointment) by queued_at, booked check-ins by appointment_at.
        Index(
            "ix_tickets_queue_head",
            "office_id",
            "priority",
            "appointment_at",
            "queued_at",
            "id",
            sqlite_where=text(WAITING_SQL),
            postgresql_where=text(WAITING_SQL),
        ),
        # Counting a newcomer's place reads only this index, not the waiting rows.
        Index(
            "ix_tickets_waiting_classes",
            "office_id",
            "station",
            "service_code",
            "priority",
            sqlite_where=text(WAITING_SQL),
            postgresql_where=text(WAITING_SQL),
        ),
        # Who joined a station's queue lately (the arrival rate in the wait estimate),
        # read from the index alone instead of every ticket of the day.
        Index(
            "ix_tickets_joins",
            "office_id",
            "station",
            "queued_at",
            "office_day",
            "priority",
            "appointment_at",
        ),
        # The latest service durations at a station for the wait estimate.
        Index(
            "ix_tickets_recent_done",
            "office_id",
            "station",
            "finished_at",
            sqlite_where=text(DONE_SQL),
            postgresql_where=text(DONE_SQL),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visits.id"))
    office_id: Mapped[str] = mapped_column(String(40))
    office_day: Mapped[date] = mapped_column(Date)
    service_code: Mapped[str] = mapped_column(String(40))
    step_index: Mapped[int] = mapped_column(Integer)
    station: Mapped[str] = mapped_column(String(20))
    priority: Mapped[bool] = mapped_column(Boolean, default=False)
    label: Mapped[str] = mapped_column(String(16))
    #: Only set when the office renumbers per station (NULLs never collide).
    series: Mapped[str | None] = mapped_column(String(8))
    number: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(12))
    queued_at: Mapped[datetime]
    appointment_at: Mapped[datetime | None]
    called_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    no_show_at: Mapped[datetime | None]
    counter_pk: Mapped[int | None] = mapped_column(ForeignKey("counters.pk"))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recall_count: Mapped[int] = mapped_column(Integer, default=0)
    park_note: Mapped[str | None] = mapped_column(String(200))
    #: Wait predicted when the ticket joined the queue (analytics compares with actual).
    predicted_wait_minutes: Mapped[float | None] = mapped_column(Float)


class TicketEventRow(Base):
    """Every state change of every ticket, timestamped, for analytics and audit."""

    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_events_ticket", "ticket_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[str] = mapped_column(String(40))
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    visit_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    at: Mapped[datetime]
    counter_pk: Mapped[int | None] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(Integer)


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]
    #: The offices the user may act in; None (administrators only) means every office.
    offices: Mapped[list[Any] | None] = mapped_column(JSON)


class ApiTokenRow(Base):
    """Bearer tokens for machines; only a SHA-256 of the token is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    #: The user who created the token (None: the command line); revoked with that user.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    revoked_at: Mapped[datetime | None]
    #: The offices the token may act in; None (administrator tokens only): every office.
    offices: Mapped[list[Any] | None] = mapped_column(JSON)


class UserSessionRow(Base):
    """A signed-in browser session; deleting the row ends the session at once.

    The cookie carries a random session id; only its SHA-256 is stored.
    """

    __tablename__ = "user_sessions"
    __table_args__ = (Index("ix_user_sessions_user", "user_id"),)

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class SignInGuardRow(Base):
    """Failed sign-ins and the lock of one user name, shared by every server process.

    Kept for names that do not exist too (a lock must not tell which names exist); rows
    with nothing left to remember are deleted. The name is stored as a keyed hash only.
    ``known_addresses`` are the last addresses the name signed in from (not locked out);
    the retention purge clears them.
    """

    __tablename__ = "sign_in_guards"
    __table_args__ = (Index("ix_sign_in_guards_updated", "updated_at"),)

    #: HMAC-SHA256 (hex) of the user name as typed.
    name_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: The times of the recent failures (ISO 8601, UTC), at most the lockout threshold.
    failures: Mapped[list[Any]] = mapped_column(JSON)
    locked_until: Mapped[datetime | None]
    known_addresses: Mapped[list[Any] | None] = mapped_column(JSON)
    signed_in_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]


class AuditLogRow(Base):
    """Who did what, when. Never holds personal data of applicants."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_at", "at"),
        # Counters opened and closed lately (the breaks in the wait estimate).
        Index("ix_audit_log_office_action", "office_id", "action", "at", "target"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime]
    office_id: Mapped[str | None] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str | None] = mapped_column(String(80))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    remote_addr: Mapped[str | None] = mapped_column(Text)


class KioskRequestRow(Base):
    """The first answer to each kiosk request, so a retried request gets the same answer.

    Stored in the same transaction as the ticket it issued: either both exist or neither.
    """

    __tablename__ = "kiosk_requests"

    transaction: Mapped[str] = mapped_column(String(36), primary_key=True)
    office_id: Mapped[str] = mapped_column(String(40))
    device: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(20))
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: A keyed hash of the request's action and data: the same transaction sent again with
    #: other data is refused (None for answers stored before it was recorded).
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]


class DeviceRow(Base):
    """A kiosk or display with its own MQTT account (only the broker's password hash)."""

    __tablename__ = "devices"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"))
    kind: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: The counter a counter display shows (None: not bound; other kinds: always None).
    counter: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12), default="unknown")
    last_seen_at: Mapped[datetime | None]
    health: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: A kiosk's last reported outbox: items not delivered and the oldest one's time
    #: (None: never reported, e.g. a kiosk of an earlier version). Counts only.
    outbox_waiting: Mapped[int | None] = mapped_column(Integer)
    outbox_oldest_at: Mapped[datetime | None]


class BookingRow(Base):
    """An imported M-Paspor booking: the code the applicant shows, the day and the slot."""

    __tablename__ = "bookings"
    __table_args__ = (
        UniqueConstraint("office_id", "code"),
        # The day's bookings for the wait estimate, from the index alone.
        Index(
            "ix_bookings_day", "office_id", "office_day", "service_code", "slot_at", "visit_id"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"))
    code: Mapped[str] = mapped_column(String(64))
    service_code: Mapped[str] = mapped_column(String(40))
    office_day: Mapped[date] = mapped_column(Date)
    slot_at: Mapped[datetime]
    imported_at: Mapped[datetime]
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"))
    checked_in_at: Mapped[datetime | None]


class NumberLeaseRow(Base):
    """A block of ticket numbers reserved for one kiosk to issue while offline."""

    __tablename__ = "number_leases"
    __table_args__ = (Index("ix_number_leases_device", "office_id", "device", "office_day"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"))
    device: Mapped[str] = mapped_column(String(64))
    service_code: Mapped[str] = mapped_column(String(40))
    series: Mapped[str] = mapped_column(String(8))
    office_day: Mapped[date] = mapped_column(Date)
    first_number: Mapped[int] = mapped_column(Integer)
    last_number: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime]


class RatingRow(Base):
    """An applicant's quick satisfaction rating (1-4) of one finished ticket."""

    __tablename__ = "ratings"

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"))
    station: Mapped[str] = mapped_column(String(20))
    counter_pk: Mapped[int | None] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    device: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]


class OutboxRow(Base):
    """A committed change the displays must hear of, written in the change's transaction.

    The serving process publishes undelivered rows and marks them delivered once the broker
    acknowledged them, so a crash between commit and publication only delays them. Ids
    are never reused (``AUTOINCREMENT`` on SQLite): a call's id names it on the wire.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index(
            "ix_outbox_pending",
            "id",
            sqlite_where=text("delivered_at IS NULL"),
            postgresql_where=text("delivered_at IS NULL"),
        ),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[str] = mapped_column(String(40))
    #: ``ticket``, ``counter``, ``office`` or ``lane``: which domain event ``data`` holds.
    kind: Mapped[str] = mapped_column(String(12))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
    delivered_at: Mapped[datetime | None]
    #: The publisher's sequence when the row was delivered (its next start goes on above).
    seq: Mapped[int | None] = mapped_column(BigInteger)


class PassportReadyRow(Base):
    """A passport that is printed and ready for pickup, per office and application number.

    No name or NIK: the application number, when it became ready, how it was reported
    (``csv``, ``api`` or ``console``) and the visit of that application, when one is known.
    """

    __tablename__ = "passport_ready"
    __table_args__ = (UniqueConstraint("office_id", "application_no"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"))
    application_no: Mapped[str] = mapped_column(String(20))
    ready_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(10))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"))
    user_id: Mapped[int | None] = mapped_column(Integer)
    #: The handover at the pickup counter: when, by which user, and whether to a proxy.
    handed_over_at: Mapped[datetime | None]
    handed_over_by: Mapped[int | None] = mapped_column(Integer)
    handed_to_proxy: Mapped[bool | None] = mapped_column(Boolean)


class NotificationRow(Base):
    """A message to one phone, queued until a provider accepted it (queue_server.notify).

    ``idempotency_key`` names the message for its whole life: queueing it twice keeps one
    row, and the provider receives it with every attempt so a resend is recognisable. The
    phone number is kept only until the message is settled (sent or failed); after that
    only its hash remains.
    """

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(100), unique=True)
    #: ``pending``, ``sending``, ``sent`` or ``failed``.
    status: Mapped[str] = mapped_column(String(10))
    template: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(2))
    recipient: Mapped[str | None] = mapped_column(String(20))
    recipient_hash: Mapped[str] = mapped_column(String(64))
    #: Only the template's own parameters (a number, a date, pickup options): no NIK or name.
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    #: While ``sending``: when the claim lapses and another worker may retry the row.
    lease_until: Mapped[datetime | None]
    #: A short technical reason (``HTTP 500``, ``timeout``), never the provider's answer body.
    last_error: Mapped[str | None] = mapped_column(String(200))
    provider_message_id: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    settled_at: Mapped[datetime | None]


class NotificationOptOutRow(Base):
    """A phone number that asked for no more messages: its keyed hash only."""

    __tablename__ = "notification_opt_outs"

    recipient_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime]
    #: The number as the admin list shows it (``+62 812-••••-7890``); None for old rows.
    masked: Mapped[str | None] = mapped_column(String(24))


class TicketAlertRow(Base):
    """An applicant's request, made on the ticket page, for a message when the number is near.

    The phone is kept only while the ticket waits: the row goes when the message is queued,
    when the ticket ends (finished, missed, cancelled, moved on) and at the day's purge.
    """

    __tablename__ = "ticket_alerts"
    __table_args__ = (Index("ix_ticket_alerts_station", "office_id", "station"),)

    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), primary_key=True)
    office_id: Mapped[str] = mapped_column(String(40))
    station: Mapped[str] = mapped_column(String(20))
    office_day: Mapped[date] = mapped_column(Date)
    phone: Mapped[str] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime]


class DriveThruArrivalRow(Base):
    """A car scanned at a drive-thru pickup lane (Si Peluru), per office and lane.

    No name or NIK: the application number, the lane, when the car arrived and which
    device scanned it, then what became of it (``waiting``, ``handed_over``,
    ``sent_to_counter``), when, and by which officer. One car waits at most once per
    office (a second scan of a waiting car finds its row: the partial unique index).
    """

    __tablename__ = "drive_thru_arrivals"
    __table_args__ = (
        Index(
            "uq_drive_thru_waiting",
            "office_id",
            "application_no",
            unique=True,
            sqlite_where=text("status = 'waiting'"),
            postgresql_where=text("status = 'waiting'"),
        ),
        Index("ix_drive_thru_lane", "office_id", "lane", "status", "arrived_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"))
    lane: Mapped[str] = mapped_column(String(40))
    application_no: Mapped[str] = mapped_column(String(20))
    arrived_at: Mapped[datetime]
    #: ``waiting``, ``handed_over`` or ``sent_to_counter``.
    status: Mapped[str] = mapped_column(String(16))
    #: The device (or console user) that scanned the car.
    device: Mapped[str] = mapped_column(String(80))
    handed_over_at: Mapped[datetime | None]
    #: When it left the lane for the counter inside, and why (a reason code).
    sent_to_counter_at: Mapped[datetime | None]
    counter_reason: Mapped[str | None] = mapped_column(String(20))
    #: The officer who handed over or sent the car to the counter.
    officer_id: Mapped[int | None] = mapped_column(Integer)


class RegistrationRow(Base):
    """A remote registration (WhatsApp or web) for one service day: no name, no NIK, and
    no phone number (its keyed hash only; the number itself waits in the notification
    row until the confirmation is sent). ``code`` is unique per office and day."""

    __tablename__ = "registrations"
    __table_args__ = (UniqueConstraint("office_id", "service_day", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[str] = mapped_column(ForeignKey("offices.id"))
    window_code: Mapped[str] = mapped_column(String(40))
    service_code: Mapped[str] = mapped_column(String(40))
    service_day: Mapped[date] = mapped_column(Date)
    code: Mapped[str] = mapped_column(String(12))
    #: ``confirmed``, ``checked_in`` or ``cancelled``.
    status: Mapped[str] = mapped_column(String(12))
    #: ``web`` or ``whatsapp``.
    channel: Mapped[str] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(2))
    phone_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    checked_in_at: Mapped[datetime | None]
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visits.id"))
