"""Use case: issue a ticket (kiosk, officer, API)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy.exc import IntegrityError

from queue_server.domain.calendar import ActiveSession
from queue_server.domain.errors import (
    BookingRequired,
    BookingWindow,
    DocumentsNotReady,
    DomainError,
    InvalidNik,
    InvalidPassportNumber,
    QuotaFull,
    ServiceClosed,
    ServiceClosedHoliday,
    ServiceClosedUntil,
    SessionQuotaFull,
    UnknownPriorityCategory,
)
from queue_server.domain.events import TicketChanged
from queue_server.domain.ids import (
    OfficeId,
    ServiceId,
    ServiceKind,
    StationType,
    TicketId,
    TicketSource,
    TicketStatus,
)
from queue_server.domain.model import Service
from queue_server.domain.numbering import format_number
from queue_server.persistence.db import Database
from queue_server.persistence.fast import reserve_ids, write
from queue_server.persistence.outbox import OUTBOX
from queue_server.persistence.sequences import next_number_later, take_quota_place_later
from queue_server.persistence.statements import (
    INSERT_TICKET,
    INSERT_TICKET_EVENT,
    INSERT_VISIT,
    TICKETS,
    VISITS,
    insert_returning_id,
)
from queue_server.services import queries
from queue_server.services.booking_checks import BookingOtherService, claim_booking, usable_booking
from queue_server.services.events import EventBus
from queue_server.services.offices import OfficeCatalog, OfficeSnapshot
from queue_server.services.passports import check_pickup_due, checked_application
from queue_server.services.retries import RetryKey, earlier_answer, remember
from queue_server.services.station_stats import StationStats
from queue_server.services.unit import Actor, Clock, Unit, UseCases, utc_now

TOKEN_BYTES = 18
#: A passport's document number as its MRZ holds it, without ``<`` fillers.
PASSPORT_NUMBER = re.compile(r"[0-9A-Z]{1,9}")


@dataclass(frozen=True)
class IssueRequest:
    """What the caller knows about the applicant. Personal data is minimised on entry.

    With ``booking_ref`` the booking must be usable (see
    :mod:`~queue_server.services.booking_checks`) and the documents ready; the ticket
    is then queued by the booked slot, which issuing sets from the booking.
    """

    office: str
    service: str
    source: TicketSource = TicketSource.API
    priority_category: str | None = None
    language: str = "id"
    booking_ref: str | None = None
    documents_ready: bool = False
    appointment_at: datetime | None = None
    nik: str | None = None
    #: An e-passport's document number (read from its chip at the kiosk), instead of a NIK.
    passport_no: str | None = None
    phone: str | None = None
    by_proxy: bool = False
    #: The passport application number (pickup: the application QR or typed number).
    application_no: str | None = None


@dataclass(frozen=True)
class IssuedTicket:
    ticket_id: int
    visit_id: int
    label: str
    token: str
    office: str
    service: str
    station: StationType
    office_day: date
    issued_at: datetime
    session_code: str
    people_ahead: int
    estimated_wait_minutes: float | None
    priority: bool


#: Every field of :class:`IssuedTicket` holds a plain value: a shallow copy is enough
#: (``dataclasses.asdict`` deep-copies each one: about 4% of an issue's CPU in a profile).
_ISSUED_FIELDS = tuple(field.name for field in fields(IssuedTicket))


def issued_to_json(issued: IssuedTicket) -> dict[str, Any]:
    data = {name: getattr(issued, name) for name in _ISSUED_FIELDS}
    data.update(
        station=issued.station.value,
        office_day=issued.office_day.isoformat(),
        issued_at=issued.issued_at.isoformat(),
    )
    return data


def issued_from_json(data: dict[str, Any]) -> IssuedTicket:
    return IssuedTicket(
        **{
            **data,
            "station": StationType(data["station"]),
            "office_day": date.fromisoformat(data["office_day"]),
            "issued_at": datetime.fromisoformat(data["issued_at"]),
        }
    )


@dataclass(frozen=True)
class VisitKey:
    """What a new ticket needs to know of its visit."""

    id: int
    office_id: str
    office_day: date


@dataclass(frozen=True)
class NewVisit(VisitKey):
    label: str
    token: str
    session_code: str


@dataclass(frozen=True)
class QueuedTicket:
    """A ticket just added to a queue (written with a plain insert, not an ORM object)."""

    id: int
    visit_id: int
    office_id: str
    label: str
    service_code: str
    station: str
    priority: bool
    status: str = TicketStatus.WAITING.value
    counter_pk: int | None = None
    recall_count: int = 0


class TicketFacts(Protocol):
    """What :func:`record_change` reads of a ticket (a ``TicketRow`` or a ``QueuedTicket``)."""

    @property
    def id(self) -> int: ...
    @property
    def visit_id(self) -> int: ...
    @property
    def office_id(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def service_code(self) -> str: ...
    @property
    def station(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def counter_pk(self) -> int | None: ...


#: Runs inside the issuing transaction, after the ticket exists (e.g. mark a booking used).
IssueHook = Callable[[Unit, "IssuedTicket"], None]


class _OfficeChanged(Exception):
    """The office was reloaded after the snapshot an issue started with was cached."""


class IssuingService(UseCases):
    """Issues tickets: numbering and quota are atomic in the issuing transaction."""

    def __init__(
        self,
        *,
        nik_key: bytes,
        database: Database,
        catalog: OfficeCatalog,
        events: EventBus,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__(database=database, catalog=catalog, events=events, clock=clock)
        self._nik_key = nik_key
        # Estimate inputs kept briefly; this process's own changes clear them at once.
        self._stats = StationStats()
        events.subscribe(self._stats)

    def issue(
        self,
        request: IssueRequest,
        *,
        actor: Actor,
        retry_key: RetryKey | None = None,
        on_issue: IssueHook | None = None,
        action: str = "issue_ticket",
        quota_held: bool = False,
    ) -> IssuedTicket:
        """Issue a ticket. With ``retry_key`` a repeated request returns the first ticket.

        ``quota_held``: the place was taken earlier (a remote registration), not again.

        The answer is stored in the same transaction as the ticket, so after a crash either
        both exist (the retry gets the ticket) or neither does (the retry issues it). Refusals
        are not stored: they changed nothing, so answering a retry afresh is safe.
        """
        # A plain issue skips the look-up of an earlier answer (a round trip): a retry of
        # a committed request then fails on the stored answer's key, or is refused (quota
        # used up, closed...), and only then is the earlier answer looked up. Bookings,
        # registrations and hooks change state a retry would trip over: looked up first.
        look_first = on_issue is not None or quota_held or request.booking_ref is not None
        try:
            return self._issue(
                request,
                actor=actor,
                retry_key=retry_key if look_first else None,
                on_issue=on_issue,
                action=action,
                quota_held=quota_held,
                remember_as=retry_key,
            )
        except DomainError:
            earlier = None
            if retry_key is not None and not look_first:
                earlier = self._answer_in_group(retry_key)
            if earlier is None:
                raise
            return earlier
        except IntegrityError:
            # Two copies of one request raced; the other one committed first.
            earlier = self._answer_in_group(retry_key) if retry_key is not None else None
            if earlier is None:
                raise
            return earlier

    def earlier_answer(self, retry_key: RetryKey) -> IssuedTicket | None:
        with self.read() as session:
            answer = earlier_answer(session, retry_key)
        return None if answer is None else issued_from_json(answer)

    def _answer_in_group(self, retry_key: RetryKey) -> IssuedTicket | None:
        """The earlier answer as the write group sees it: a copy of this request issued
        in the same group (not committed yet) counts, and is answered after its commit."""
        with self.grouped(urgent=True) as work:
            answer = earlier_answer(work.session, retry_key)
        return None if answer is None else issued_from_json(answer)

    def _issue(
        self,
        request: IssueRequest,
        *,
        actor: Actor,
        retry_key: RetryKey | None,
        on_issue: IssueHook | None,
        action: str,
        quota_held: bool = False,
        remember_as: RetryKey | None = None,
    ) -> IssuedTicket:
        """Issue; ``retry_key``: answer from an earlier answer first; ``remember_as``: the
        key the answer is stored under.

        The cached office snapshot is used before the stored version is read (the version
        query travels with the first statements); if the office was reloaded meanwhile,
        that attempt is undone and the issue runs again on the new snapshot.
        """
        for cached in (True, False, False):  # the office reloaded again: rare, bounded
            try:
                return self._issue_once(
                    request,
                    cached=cached,
                    actor=actor,
                    retry_key=retry_key,
                    on_issue=on_issue,
                    action=action,
                    quota_held=quota_held,
                    remember_as=remember_as,
                )
            except _OfficeChanged:
                continue
        raise _OfficeChanged()

    def _issue_once(
        self,
        request: IssueRequest,
        *,
        cached: bool,
        actor: Actor,
        retry_key: RetryKey | None,
        on_issue: IssueHook | None,
        action: str,
        quota_held: bool,
        remember_as: RetryKey | None,
    ) -> IssuedTicket:
        # On PostgreSQL three round trips: (1) the version query, the quota and number
        # upserts, the new rows' ids and the estimate's reads; (2) the inserts (visit,
        # ticket, timeline row, stored answer, outbox row); (3) COMMIT (the group's).
        with self.grouped(ahead=True, urgent=True) as work:
            # A retry is answered in the same transaction that would otherwise issue.
            earlier = None if retry_key is None else earlier_answer(work.session, retry_key)
            if earlier is not None:
                return issued_from_json(earlier)
            snapshot, current = self.catalog.get_later(work.session, request.office)
            if snapshot is None or not cached:
                snapshot = current()
            try:
                issued = self._issue_in(
                    work, snapshot, current, request, actor=actor, quota_held=quota_held
                )
            except DomainError:
                if current() is not snapshot:
                    raise _OfficeChanged() from None
                raise
            if on_issue is not None:
                on_issue(work, issued)
            if remember_as is not None:
                remember(
                    work,
                    remember_as,
                    office_id=issued.office,
                    action=action,
                    response=issued_to_json(issued),
                )
        return issued

    def _issue_in(
        self,
        work: Unit,
        snapshot: OfficeSnapshot,
        current: Callable[[], OfficeSnapshot],
        request: IssueRequest,
        *,
        actor: Actor,
        quota_held: bool,
    ) -> IssuedTicket:
        """Issue with ``snapshot``; ``current()`` reads the stored version (the current
        snapshot): :class:`_OfficeChanged` when it is not ``snapshot``."""
        service = snapshot.service(request.service)
        priority = _check_priority(snapshot, request.priority_category)
        booking_id, request = _check_booking(work, snapshot, service, request)
        session = _open_session(snapshot, service, request, work.now)
        office_day = snapshot.office.office_day(work.now)
        request = _check_application(work, snapshot, service, request, office_day)
        # Sent before any answer is read: the quota and number upserts and the new rows'
        # ids, then the estimate's reads (the rows the upserts lock stay locked until
        # commit, one round trip later).
        check_quota = None
        if not quota_held:
            check_quota = take_quota_later(work, snapshot, service, session, office_day)
        number = next_number_later(
            work.session, office_id=snapshot.office.id, series=service.prefix, office_day=office_day
        )
        reserve_ids(work.session, VISITS, TICKETS, OUTBOX)
        outlook = _newcomer_outlook(
            work, snapshot, service, priority, self._stats, request.appointment_at
        )
        if current() is not snapshot:
            raise _OfficeChanged()
        if check_quota is not None:
            check_quota()
        visit = new_visit(
            work,
            service,
            request,
            number=number(),
            office_day=office_day,
            session_code=session.code if session else "officer",
            nik=self._minimise_nik(request.nik),
            passport=self._minimise_passport(request.passport_no),
        )
        placement = Placement(
            service, 0, priority, visit.label, appointment_at=request.appointment_at
        )
        ticket = add_waiting_ticket(
            work,
            visit,
            placement,
            action="issue",
            predicted_wait_minutes=outlook.estimated_wait_minutes,
        )
        issued = _describe(work, service, visit, ticket, outlook)
        if booking_id is not None:
            claim_booking(work, booking_id, visit.id)
        if request.source is TicketSource.OFFICER:
            work.audit(actor, "issue", office_id=visit.office_id, target=visit.label)
        return issued

    def _minimise_nik(self, nik: str | None) -> tuple[str | None, str | None]:
        if nik is None:
            return None, None
        if len(nik) != 16 or not nik.isdigit():
            raise InvalidNik()
        digest = hmac.new(self._nik_key, nik.encode(), hashlib.sha256).hexdigest()
        return digest, nik[-4:]

    def _minimise_passport(self, number: str | None) -> tuple[str | None, str | None]:
        """The keyed hash (its own domain: never equal to a NIK's) and the last four."""
        if number is None:
            return None, None
        if not PASSPORT_NUMBER.fullmatch(number):
            raise InvalidPassportNumber()
        message = b"passport:" + number.encode()
        return hmac.new(self._nik_key, message, hashlib.sha256).hexdigest(), number[-4:]


def new_visit(
    work: Unit,
    service: Service,
    request: IssueRequest,
    *,
    number: int,
    office_day: date,
    session_code: str,
    nik: tuple[str | None, str | None] = (None, None),
    passport: tuple[str | None, str | None] = (None, None),
) -> NewVisit:
    """Add the visit numbered ``number``; ``nik`` and ``passport`` are keyed hashes and
    the last four characters."""
    label = format_number(service.prefix, number)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    visit_id = insert_returning_id(
        work.session,
        INSERT_VISIT,
        {
            "office_id": request.office,
            "service_code": service.id,
            "office_day": office_day,
            "series": service.prefix,
            "number": number,
            "label": label,
            "token": token,
            "session_code": session_code,
            "source": request.source.value,
            "priority_category": request.priority_category,
            "language": request.language,
            "booking_ref": request.booking_ref,
            "appointment_at": request.appointment_at,
            "nik_hash": nik[0],
            "nik_last4": nik[1],
            "passport_hash": passport[0],
            "passport_last4": passport[1],
            "phone": request.phone,
            "by_proxy": request.by_proxy,
            "application_no": request.application_no,
            "created_at": work.now,
        },
    )
    return NewVisit(visit_id, request.office, office_day, label, token, session_code)


def service_names(service: Service) -> dict[str, str]:
    return {"id": service.name_id, "en": service.name_en}


def _check_priority(snapshot: OfficeSnapshot, category: str | None) -> bool:
    if category is None:
        return False
    if category not in snapshot.office.priority.categories:
        raise UnknownPriorityCategory(category=category)
    return True


def _check_booking(
    work: Unit, snapshot: OfficeSnapshot, service: Service, request: IssueRequest
) -> tuple[int | None, IssueRequest]:
    """The booking to claim (None for a walk-in) and the request with the booked slot.

    A booked service needs a usable booking for that service, and its documents ready;
    the slot comes from the booking (never from the caller) and must be in its window.
    """
    if request.booking_ref is None:
        if service.kind is ServiceKind.BOOKING_REQUIRED:
            raise BookingRequired(service=service_names(service))
        return None, replace(request, appointment_at=None)
    booking = usable_booking(work.session, snapshot, request.booking_ref, work.now)
    if booking.service_code != service.id:
        raise BookingOtherService(service=service_names(snapshot.service(booking.service_code)))
    if not request.documents_ready:
        raise DocumentsNotReady()
    opens, closes = snapshot.office.booking.window(booking.slot_at)
    if not opens <= work.now <= closes:
        local = snapshot.office.local
        raise BookingWindow(
            slot=local(booking.slot_at).strftime("%H:%M"),
            opens=local(opens).strftime("%H:%M"),
            closes=local(closes).strftime("%H:%M"),
        )
    return booking.id, replace(request, booking_ref=booking.code, appointment_at=booking.slot_at)


def _check_application(
    work: Unit, snapshot: OfficeSnapshot, service: Service, request: IssueRequest, today: date
) -> IssueRequest:
    """The request with its application number in the domain's form (bad ones refused);
    a pickup of a passport not yet due is refused with its expected day."""
    if request.application_no is None:
        return request
    number = checked_application(request.application_no)
    if service.kind is ServiceKind.PICKUP:
        check_pickup_due(work.session, snapshot, number, today)
    return replace(request, application_no=number)


def _open_session(
    snapshot: OfficeSnapshot, service: Service, request: IssueRequest, now: datetime
) -> ActiveSession | None:
    """The session the ticket is issued in; officers may issue outside opening hours."""
    session = snapshot.calendar.session_at(now, ServiceId(service.id))
    if session is None and request.source is not TicketSource.OFFICER:
        opening = snapshot.calendar.next_opening(now, ServiceId(service.id))
        if opening is None:
            raise ServiceClosed(service=service_names(service))
        when = {"date": opening.strftime("%d-%m-%Y"), "time": opening.strftime("%H:%M")}
        holiday = snapshot.calendar.holiday_name(snapshot.office.local(now).date())
        if holiday is not None:
            raise ServiceClosedHoliday(service=service_names(service), holiday=holiday, **when)
        raise ServiceClosedUntil(service=service_names(service), **when)
    return session


def take_quota(
    work: Unit,
    snapshot: OfficeSnapshot,
    service: Service,
    session: ActiveSession | None,
    office_day: date,
    places: int = 1,
) -> None:
    """Take ``places`` of the service's (or special session's) quota, or refuse."""
    take_quota_later(work, snapshot, service, session, office_day, places)()


def take_quota_later(
    work: Unit,
    snapshot: OfficeSnapshot,
    service: Service,
    session: ActiveSession | None,
    office_day: date,
    places: int = 1,
) -> Callable[[], None]:
    """:func:`take_quota`: the upsert is sent now, the returned call reads its answer and
    refuses if the quota is used up."""
    scope, limit = quota_scope(service, session)
    # Usage is counted even without a limit, so reports and a quota set later are right.
    used = take_quota_place_later(
        work.session,
        office_id=snapshot.office.id,
        scope=scope,
        office_day=office_day,
        places=places,
    )

    def check() -> None:
        if limit is not None and used() > limit:
            raise quota_full(service, session)

    return check


def quota_full(service: Service, session: ActiveSession | None) -> QuotaFull:
    """The refusal naming the quota that is used up: a special session's shared quota or
    the service's daily one."""
    if session is not None and session.special and session.quota is not None:
        names = {"id": session.name_id or session.code, "en": session.name_en or session.code}
        return SessionQuotaFull(service=service_names(service), session=names)
    return QuotaFull(service=service_names(service))


def quota_scope(service: Service, session: ActiveSession | None) -> tuple[str, int | None]:
    """Which quota a ticket counts against (a special session's or the service's daily
    one) and its limit (None: unlimited)."""
    if session is not None and session.special:
        return f"session:{session.code}", session.quota
    return f"service:{service.id}", service.daily_quota


def places_left(
    work: Unit,
    snapshot: OfficeSnapshot,
    service: Service,
    session: ActiveSession | None,
    office_day: date,
) -> int | None:
    """How many quota places are still free (None: no limit)."""
    scope, limit = quota_scope(service, session)
    if limit is None:
        return None
    used = queries.quota_used(work.session, snapshot.office.id, scope, office_day)
    return max(0, limit - used)


@dataclass(frozen=True)
class Placement:
    """Where a new waiting ticket of a visit goes."""

    service: Service
    step: int
    priority: bool
    label: str
    station: StationType | None = None
    appointment_at: datetime | None = None
    series: str | None = None
    number: int | None = None
    #: When the visit joined this queue; now unless it was issued offline earlier.
    queued_at: datetime | None = None


def add_waiting_ticket(
    work: Unit,
    visit: VisitKey,
    placement: Placement,
    *,
    action: str,
    predicted_wait_minutes: float | None = None,
) -> QueuedTicket:
    """Queue the visit at ``placement`` (first step on issue, later steps on finish/transfer)."""
    station = placement.station or placement.service.station_for(
        placement.step, priority=placement.priority
    )
    # Pending ORM changes first: the visit's previous ticket must have left the live
    # statuses before its next one is inserted (one live ticket per visit).
    work.session.flush()
    ticket_id = insert_returning_id(
        work.session,
        INSERT_TICKET,
        {
            "visit_id": visit.id,
            "office_id": visit.office_id,
            "office_day": visit.office_day,
            "service_code": placement.service.id,
            "step_index": placement.step,
            "station": station.value,
            "priority": placement.priority,
            "label": placement.label,
            "series": placement.series,
            "number": placement.number,
            "status": TicketStatus.WAITING.value,
            "queued_at": placement.queued_at or work.now,
            "appointment_at": placement.appointment_at,
            "recall_count": 0,
            "predicted_wait_minutes": predicted_wait_minutes,
        },
    )
    ticket = QueuedTicket(
        id=ticket_id,
        visit_id=visit.id,
        office_id=visit.office_id,
        label=placement.label,
        service_code=placement.service.id,
        station=station.value,
        priority=placement.priority,
    )
    record_change(work, ticket, action=action, previous=None, user_id=None)
    return ticket


def _newcomer_outlook(
    work: Unit,
    snapshot: OfficeSnapshot,
    service: Service,
    priority: bool,
    stats: queries.StatsSource,
    appointment_at: datetime | None,
) -> queries.Outlook:
    return queries.outlook(
        work.session,
        snapshot,
        service=ServiceId(service.id),
        station=service.station_for(0, priority=priority),
        standard_minutes=service.journey[0].standard_minutes,
        priority=priority,
        stats=stats,
        now=work.now,
        appointment_at=appointment_at,
    )


def _describe(
    work: Unit, service: Service, visit: NewVisit, ticket: QueuedTicket, outlook: queries.Outlook
) -> IssuedTicket:
    return IssuedTicket(
        ticket_id=ticket.id,
        visit_id=visit.id,
        label=visit.label,
        token=visit.token,
        office=visit.office_id,
        service=service.id,
        station=StationType(ticket.station),
        office_day=visit.office_day,
        issued_at=work.now,
        session_code=visit.session_code,
        people_ahead=outlook.people_ahead,
        estimated_wait_minutes=outlook.estimated_wait_minutes,
        priority=ticket.priority,
    )


def record_change(
    work: Unit,
    ticket: TicketFacts,
    *,
    action: str,
    previous: TicketStatus | None,
    user_id: int | None,
    counter_code: str | None = None,
) -> None:
    """Write the timeline row and queue the domain event for after commit."""
    status = TicketStatus(ticket.status)
    write(
        work.session,
        INSERT_TICKET_EVENT,
        {
            "office_id": ticket.office_id,
            "ticket_id": ticket.id,
            "visit_id": ticket.visit_id,
            "action": action,
            "from_status": previous.value if previous else None,
            "to_status": status.value,
            "at": work.now,
            "counter_pk": ticket.counter_pk,
            "user_id": user_id,
        },
    )
    work.events.append(
        TicketChanged(
            office=OfficeId(ticket.office_id),
            ticket=TicketId(ticket.id),
            label=ticket.label,
            service=ServiceId(ticket.service_code),
            station=StationType(ticket.station),
            action=action,
            status=status,
            previous=previous,
            counter=None if counter_code is None else counter_code,  # type: ignore[arg-type]
            at=work.now,
        )
    )
