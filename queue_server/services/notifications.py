"""Notifications wired to what happens in the office, and what the admin sees of them.

Three triggers queue a message (:mod:`queue_server.notify.queue`, one row per
idempotency key, so a trigger that fires twice sends once):

- a passport marked ready with the applicant's phone (``passport_ready:<office>:<number>``,
  queued by :class:`~queue_server.services.passports.PassportService`, see
  :func:`passport_ready_message`);
- a waiting ticket whose applicant asked on the ticket page to be told when the number is
  near (``number_near:<office>:<ticket>``): checked after each call at that station by
  :meth:`NotificationService.on_events`, which costs one indexed read per office and
  committed batch (the stations with ``ticket_alerts`` rows, usually none) and nothing
  more when there are none;
- an officer's "BAP approved - please come back" for a visit (``bap_approved:<office>:<visit>``).

Phones are kept only where a message needs them: in ``ticket_alerts`` while the ticket
waits (the row goes when the message is queued, when the ticket ends and at the day's
purge) and in the queued message until it is settled. Nothing here logs a phone.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from queue_server.domain.errors import DomainError, NotFound
from queue_server.domain.events import DomainEvent, TicketChanged
from queue_server.domain.ids import ServiceId, ServiceKind, StationType, TicketId, TicketStatus
from queue_server.i18n import SUPPORTED
from queue_server.notify import queue
from queue_server.notify.messages import (
    InvalidMessage,
    Message,
    PickupOption,
    Template,
    masked_phone,
    normalised_phone,
    phone_hash,
)
from queue_server.persistence.fast import run
from queue_server.persistence.models import (
    NotificationOptOutRow,
    NotificationRow,
    TicketAlertRow,
    TicketRow,
    VisitRow,
)
from queue_server.services import queries
from queue_server.services.offices import OfficeCatalog, OfficeSnapshot
from queue_server.services.unit import Actor, Clock, UseCases, utc_now

#: Ticket states after which a "number near" request is of no use any more.
ENDED = frozenset(
    {
        TicketStatus.DONE,
        TicketStatus.NO_SHOW,
        TicketStatus.CANCELLED,
        TicketStatus.TRANSFERRED,
    }
)
#: Calls that move a queue on (a recall does not).
CALLS = frozenset({"call", "call_specific"})
SATURDAY = 5
LIST_LIMIT = 200

#: The stations of an office where applicants asked to be told (usually none).
_ALERT_STATIONS = (
    select(TicketAlertRow.station)
    .where(TicketAlertRow.office_id == bindparam("office_id"))
    .distinct()
)


#: How long the stations with requests of an office are trusted after reading them. A
#: request asked in this process is seen at once; one asked in another server process
#: within this time (the call that brings it near comes later, or the next one does).
ALERT_STATIONS_TTL_S = 1.0


class AlertStations:
    """The stations of each office where applicants asked to be told, kept for ``ttl_s``:
    each committed batch of calls needs them, and they are nearly always none."""

    def __init__(
        self, *, ttl_s: float = ALERT_STATIONS_TTL_S, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl_s, self._clock = ttl_s, clock
        self._lock = threading.Lock()
        self._known: dict[str, tuple[float, frozenset[str]]] = {}
        #: Bumped by :meth:`forget`: a read that began before it is not kept.
        self._generation = 0

    def of(
        self, offices: Collection[str], read: Callable[[list[str]], dict[str, frozenset[str]]]
    ) -> dict[str, frozenset[str]]:
        """The stations of each of ``offices``; those not known (or too old) from ``read``."""
        now = self._clock()
        with self._lock:
            known = {
                office: entry[1]
                for office in offices
                if (entry := self._known.get(office)) is not None and now - entry[0] < self._ttl_s
            }
            generation = self._generation
        missing = [office for office in offices if office not in known]
        if not missing:
            return known
        found = read(missing)
        with self._lock:
            if generation == self._generation:
                self._known.update((office, (now, found[office])) for office in missing)
        return {**known, **found}

    def forget(self, office: str) -> None:
        """A request was asked in ``office`` (after its commit): read its stations again."""
        with self._lock:
            self._known.pop(office, None)
            self._generation += 1


class PhoneInvalid(DomainError):
    code = "phone_invalid"
    template = "The phone number is not valid: 8-15 digits, optionally starting with +."
    http_status = 422


class LanguageInvalid(DomainError):
    code = "language_invalid"
    template = "The language must be id or en."
    http_status = 422


class TicketEnded(DomainError):
    code = "ticket_ended"
    template = "This ticket is no longer waiting; no message can be asked for."
    http_status = 409


class NotificationNotRetryable(DomainError):
    code = "notification_not_retryable"
    template = "Only a failed message can be sent again (not one to an opted-out number)."
    http_status = 409


class PhoneMismatch(DomainError):
    code = "phone_mismatch"
    template = "This is not the number the message was for; nothing was changed."
    http_status = 422


def key(template: Template, office: str, ref: object) -> str:
    """The idempotency key of a message: ``<template>:<office>:<ref>``."""
    return f"{template.value}:{office}:{ref}"


def checked_phone(text: str) -> str:
    """``text`` as ``+62...``; :class:`PhoneInvalid` otherwise."""
    try:
        return normalised_phone(text)
    except InvalidMessage:
        raise PhoneInvalid() from None


def checked_language(text: str | None) -> str:
    language = (text or "id").strip().lower() or "id"
    if language not in SUPPORTED:
        raise LanguageInvalid()
    return language


def pickup_options(snapshot: OfficeSnapshot) -> str:
    """The ways this office hands out passports: the counter always; the drive-thru when the
    office file has drive-thru lanes (its ``drive_thru`` section); Saturday when a calendar
    session on Saturdays serves a pickup service."""
    options = [PickupOption.COUNTER]
    if snapshot.definition.drive_thru_lanes:
        options.append(PickupOption.DRIVE_THRU)
    pickup = {
        code for code, service in snapshot.services.items() if service.kind is ServiceKind.PICKUP
    }
    for session in snapshot.definition.calendar.sessions:
        on_saturday = SATURDAY in session.weekdays or any(
            day.weekday() == SATURDAY for day in session.dates
        )
        if on_saturday and pickup and (not session.services or session.services & pickup):
            options.append(PickupOption.SATURDAY)
            break
    return ",".join(option.value for option in options)


def passport_ready_message(
    session: Session,
    snapshot: OfficeSnapshot,
    number: str,
    phone: str,
    language: str,
    *,
    hash_key: bytes,
    now: datetime,
) -> queue.Queued:
    """Queue "your passport is ready" once per office and application number."""
    message = Message(
        phone,
        Template.PASSPORT_READY,
        language,
        {"office": snapshot.public_name[:80], "options": pickup_options(snapshot)},
    )
    return queue.enqueue(
        session,
        message,
        idempotency_key=key(Template.PASSPORT_READY, snapshot.office.id, number),
        hash_key=hash_key,
        now=now,
    )


def ready_message_state(session: Session, office: str, number: str) -> dict[str, Any] | None:
    """The "passport ready" message of an application: its status and times, if any."""
    row = session.execute(
        select(
            NotificationRow.status, NotificationRow.created_at, NotificationRow.settled_at
        ).where(NotificationRow.idempotency_key == key(Template.PASSPORT_READY, office, number))
    ).first()
    if row is None:
        return None
    return {"status": row.status, "queued_at": row.created_at, "settled_at": row.settled_at}


@dataclass(frozen=True)
class AlertState:
    """Whether a ticket has a "number near" request (its masked phone, or None), and the
    office's threshold (people ahead)."""

    masked: str | None
    near: int


class NotificationService(UseCases):
    """The triggers that need the office's state, and the admin's view of the queue."""

    def __init__(self, *, hash_key: bytes, clock: Clock = utc_now, **common: Any) -> None:
        super().__init__(clock=clock, **common)
        self.hash_key = hash_key
        self.alert_stations = AlertStations()

    # -- the ticket page: "tell me when my number is near" ------------------------------

    def alert_state(self, token: str) -> AlertState:
        with self.read() as session:
            ticket = _latest_ticket(session, token)
            phone = session.scalar(
                select(TicketAlertRow.phone).where(TicketAlertRow.ticket_id == ticket.id)
            )
            visit = session.get_one(VisitRow, ticket.visit_id)
            near = self.catalog.get(session, visit.office_id).office.notify_near_ahead
        return AlertState(masked_phone(phone) if phone else None, near)

    def ask_alert(self, token: str, phone_text: str, language_text: str | None) -> AlertState:
        """Keep the phone against the ticket (waiting only) until the number is near."""
        phone = checked_phone(phone_text)
        language = checked_language(language_text)
        with self.unit() as work:
            ticket = _latest_ticket(work.session, token)
            if ticket.status != TicketStatus.WAITING.value:
                raise TicketEnded()
            visit = work.session.get_one(VisitRow, ticket.visit_id)
            snapshot = self.catalog.get(work.session, visit.office_id)
            today = snapshot.office.office_day(work.now)
            work.session.execute(  # the day's purge, also here: yesterday's requests go
                delete(TicketAlertRow).where(
                    TicketAlertRow.office_id == visit.office_id, TicketAlertRow.office_day < today
                )
            )
            row = work.session.get(TicketAlertRow, ticket.id)
            if row is None:
                work.session.add(
                    TicketAlertRow(
                        ticket_id=ticket.id,
                        office_id=visit.office_id,
                        station=ticket.station,
                        office_day=today,
                        phone=phone,
                        language=language,
                        created_at=work.now,
                    )
                )
            else:
                row.phone, row.language = phone, language
            work.session.flush()
            # Already near? Then the message goes now, not after the next call.
            self._check_alerts(work.session, snapshot, ticket.station, now=work.now)
            near = snapshot.office.notify_near_ahead
        self.alert_stations.forget(visit.office_id)  # committed: the next calls look for it
        return AlertState(masked_phone(phone), near)

    def cancel_alert(self, token: str) -> None:
        with self.unit() as work:
            ticket = _latest_ticket(work.session, token)
            work.session.execute(
                delete(TicketAlertRow).where(TicketAlertRow.ticket_id == ticket.id)
            )

    def on_events(self, events: Sequence[DomainEvent]) -> None:
        """After a commit, once per committed batch: a call may bring requested tickets
        near; an end drops its phone.

        The stations with requests of each office in the batch (usually none), read at
        most once a second (:class:`AlertStations`), and nothing more when there are
        none. It runs in the thread that committed the batch, before the batch's callers
        are answered, so it must stay cheap: one read per event cost officers 10-20% of
        their calls on PostgreSQL, one read per batch 3% of a simulated day's CPU.
        """
        changes = [
            event
            for event in events
            if isinstance(event, TicketChanged) and (event.action in CALLS or event.status in ENDED)
        ]
        if not changes:
            return
        asked = self.alert_stations.of({event.office for event in changes}, self._read_stations)
        for event in changes:
            if event.station.value in asked[event.office]:
                self._follow(event)

    def _read_stations(self, offices: list[str]) -> dict[str, frozenset[str]]:
        with self.read() as session:
            return {
                office: frozenset(
                    row[0] for row in run(session, _ALERT_STATIONS, {"office_id": office}).rows
                )
                for office in offices
            }

    def _follow(self, event: TicketChanged) -> None:
        """A call or an end at a station where applicants asked to be told."""
        with self.unit() as work:
            if event.status in ENDED:
                work.session.execute(
                    delete(TicketAlertRow).where(TicketAlertRow.ticket_id == int(event.ticket))
                )
            if event.action in CALLS:
                snapshot = self.catalog.get(work.session, event.office)
                self._check_alerts(work.session, snapshot, event.station.value, now=work.now)

    def _check_alerts(
        self, session: Session, snapshot: OfficeSnapshot, station: str, *, now: datetime
    ) -> int:
        """Queue "your number is near" for each requested ticket with few enough ahead."""
        office = snapshot.office.id
        rows = session.execute(
            select(TicketAlertRow, TicketRow.status, TicketRow.service_code, TicketRow.label)
            .join(TicketRow, TicketRow.id == TicketAlertRow.ticket_id)
            .where(TicketAlertRow.office_id == office, TicketAlertRow.station == station)
        ).all()
        queued = 0
        for alert, status, service, label in rows:
            if status != TicketStatus.WAITING.value:  # called, parked or over: no message
                session.delete(alert)
                continue
            ahead = queries.people_ahead(
                session,
                snapshot,
                ServiceId(service),
                StationType(station),
                TicketId(alert.ticket_id),
            )
            if ahead > snapshot.office.notify_near_ahead:
                continue
            message = Message(
                alert.phone,
                Template.NUMBER_NEAR,
                alert.language,
                {"number": label, "away": str(ahead)},
            )
            queue.enqueue(
                session,
                message,
                idempotency_key=key(Template.NUMBER_NEAR, office, alert.ticket_id),
                hash_key=self.hash_key,
                now=now,
            )
            session.delete(alert)  # the phone now lives in the message until it is settled
            queued += 1
        return queued

    def purge_alerts(self) -> int:
        """Delete the requests of earlier office days and of tickets that ended; how many."""
        with self.unit() as work:
            stale = stale_alerts(work.session, self.catalog, work.now)
            if stale:
                work.session.execute(
                    delete(TicketAlertRow).where(TicketAlertRow.ticket_id.in_(stale))
                )
        return len(stale)

    # -- BAP approved ---------------------------------------------------------------------

    def bap_approved(
        self,
        office: str,
        ticket_id: int,
        phone_text: str,
        language_text: str | None,
        *,
        actor: Actor,
    ) -> dict[str, Any]:
        """Queue "BAP approved - please come back" once per visit (audited, no phone)."""
        phone = checked_phone(phone_text)
        language = checked_language(language_text)
        with self.unit() as work:
            snapshot = self.catalog.get(work.session, office)
            ticket = work.session.get(TicketRow, ticket_id)
            visit = work.session.get(VisitRow, ticket.visit_id) if ticket is not None else None
            if ticket is None or visit is None or visit.office_id != office:
                raise NotFound(what="ticket")
            message = Message(
                phone, Template.BAP_APPROVED, language, {"office": snapshot.public_name[:80]}
            )
            queued = queue.enqueue(
                work.session,
                message,
                idempotency_key=key(Template.BAP_APPROVED, office, visit.id),
                hash_key=self.hash_key,
                now=work.now,
            )
            status = work.session.scalar(
                select(NotificationRow.status).where(NotificationRow.id == queued.id)
            )
            work.audit(
                actor,
                "bap_approved_message",
                office_id=office,
                target=f"visit:{visit.id}",
                created=queued.created,
            )
        return {"id": queued.id, "created": queued.created, "status": status}

    # -- the admin's view ------------------------------------------------------------------

    def overview(
        self, office: str, *, status: str | None, limit: int = LIST_LIMIT
    ) -> dict[str, Any]:
        """Counts by status of today's messages and the latest messages of the office."""
        pattern = f"%:{office}:%"
        with self.read() as session:
            snapshot = self.catalog.get(session, office)
            now = self.clock()
            local = snapshot.office.local(now)
            start = now - timedelta(
                hours=local.hour,
                minutes=local.minute,
                seconds=local.second,
                microseconds=local.microsecond,
            )
            counts = {name: 0 for name in queue.STATUSES}
            for name, count in session.execute(
                select(NotificationRow.status, func.count())
                .where(
                    NotificationRow.idempotency_key.like(pattern),
                    NotificationRow.created_at >= start,
                )
                .group_by(NotificationRow.status)
            ):
                counts[str(name)] = int(count)
            query = select(NotificationRow).where(NotificationRow.idempotency_key.like(pattern))
            if status:
                query = query.where(NotificationRow.status == status)
            rows = session.scalars(query.order_by(NotificationRow.id.desc()).limit(limit)).all()
            opted = set(
                session.scalars(
                    select(NotificationOptOutRow.recipient_hash).where(
                        NotificationOptOutRow.recipient_hash.in_(
                            {row.recipient_hash for row in rows}
                        )
                    )
                )
            )
            items = [
                {
                    "id": row.id,
                    "template": row.template,
                    "language": row.language,
                    "recipient": masked_phone(row.recipient) if row.recipient else None,
                    "status": row.status,
                    "attempts": row.attempts,
                    "last_error": row.last_error,
                    "created_at": row.created_at,
                    "settled_at": row.settled_at,
                    "opted_out": row.recipient_hash in opted,
                }
                for row in rows
            ]
        return {"counts": counts, "items": items}

    def retry(self, office: str, row_id: int, phone_text: str, *, actor: Actor) -> dict[str, Any]:
        """Send a failed message again. A settled message keeps no number, so the admin
        gives it again; it must be the number the message was for (same hash)."""
        phone = checked_phone(phone_text)
        with self.unit() as work:
            row = work.session.get(NotificationRow, row_id)
            if row is None or f":{office}:" not in row.idempotency_key:
                raise NotFound(what="notification")
            if row.status != queue.FAILED or queue.is_opted_out(work.session, row.recipient_hash):
                raise NotificationNotRetryable()
            if phone_hash(phone, self.hash_key) != row.recipient_hash:
                raise PhoneMismatch()
            work.session.execute(
                update(NotificationRow)
                .where(NotificationRow.id == row_id, NotificationRow.status == queue.FAILED)
                .values(
                    status=queue.PENDING,
                    recipient=phone,
                    attempts=0,
                    next_attempt_at=work.now,
                    last_error=None,
                    settled_at=None,
                    lease_until=None,
                )
            )
            work.audit(
                actor, "notification_retry", office_id=office, target=f"notification:{row_id}"
            )
        return {"id": row_id, "status": queue.PENDING}

    def opt_outs(self) -> list[dict[str, Any]]:
        with self.read() as session:
            rows = session.scalars(
                select(NotificationOptOutRow).order_by(NotificationOptOutRow.created_at.desc())
            ).all()
            return [
                {
                    "id": row.recipient_hash,
                    "recipient": row.masked or "+•••",
                    "created_at": row.created_at,
                }
                for row in rows
            ]

    def add_opt_out(self, phone_text: str, *, actor: Actor) -> dict[str, Any]:
        phone = checked_phone(phone_text)
        with self.unit() as work:
            queue.opt_out(work.session, phone, hash_key=self.hash_key, now=work.now)
            work.audit(actor, "notification_opt_out", office_id=None, target=None)
        return {"id": phone_hash(phone, self.hash_key), "recipient": masked_phone(phone)}

    def remove_opt_out(self, recipient_hash: str, *, actor: Actor) -> None:
        with self.unit() as work:
            found = work.session.execute(
                delete(NotificationOptOutRow).where(
                    NotificationOptOutRow.recipient_hash == recipient_hash
                )
            )
            if not found.rowcount:  # type: ignore[attr-defined]
                raise NotFound(what="opt-out")
            work.audit(actor, "notification_opt_in", office_id=None, target=None)


def _latest_ticket(session: Session, token: str) -> TicketRow:
    ticket = session.scalars(
        select(TicketRow)
        .join(VisitRow, VisitRow.id == TicketRow.visit_id)
        .where(VisitRow.token == token)
        .order_by(TicketRow.id.desc())
        .limit(1)
    ).first()
    if ticket is None:
        raise NotFound(what="ticket")
    return ticket


def stale_alerts(session: Session, catalog: OfficeCatalog, now: datetime) -> list[int]:
    """The tickets whose "number near" request is of an earlier office day or whose ticket
    ended: those requests (and their phone numbers) are no longer needed."""
    rows = session.execute(
        select(
            TicketAlertRow.ticket_id,
            TicketAlertRow.office_id,
            TicketAlertRow.office_day,
            TicketRow.status,
        ).join(TicketRow, TicketRow.id == TicketAlertRow.ticket_id)
    ).all()
    ended = {s.value for s in ENDED}
    stale: list[int] = []
    for ticket_id, office, day, status in rows:
        try:
            today = catalog.get(session, office).office.office_day(now)
        except NotFound:
            today = day + timedelta(days=1)
        if day < today or status in ended:
            stale.append(ticket_id)
    return stale
