"""Offline issuing: number blocks leased to kiosks, and the tickets they issued synced back.

A kiosk leases a block of numbers per service while it is online. When the server or the
broker is unreachable it prints tickets from that block and keeps them in its outbox;
``sync`` puts them in the queue by the time they were issued. Each number of a block
belongs to one kiosk, so a number seen twice is the same ticket synced twice: accepted
once, answered the same way every time.

Quota places are taken when the block is leased, so offline tickets never exceed a
quota; places of numbers a kiosk never uses stay counted (a block is small). One kiosk
holds at most ``lease_cap`` leased numbers per service and office day that it has not
synced yet, and at most a tenth of a quota (at least one number), so the kiosks' blocks
never use up a day's quota before the first applicant comes: a larger request is cut to
what is left, and refused (``lease_limit``) when nothing is. Services that need a booking
cannot be leased: bookings are checked on the server.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from queue_server.domain.calendar import ActiveSession
from queue_server.domain.errors import (
    DomainError,
    LeaseInvalid,
    LeaseLimit,
    OfflineNotAvailable,
)
from queue_server.domain.ids import ServiceId, ServiceKind, TicketSource, TicketStatus
from queue_server.domain.model import Service
from queue_server.domain.numbering import format_number
from queue_server.persistence.models import KioskRequestRow, NumberLeaseRow, TicketRow, VisitRow
from queue_server.persistence.sequences import reserve_numbers
from queue_server.services.issuing import (
    IssueRequest,
    Placement,
    add_waiting_ticket,
    new_visit,
    places_left,
    quota_full,
    quota_scope,
    record_change,
    service_names,
    take_quota,
)
from queue_server.services.offices import OfficeSnapshot
from queue_server.services.retries import RetryKey, earlier_answer, remember
from queue_server.services.unit import Unit, UseCases


@dataclass(frozen=True)
class OfflineTicket:
    """A ticket a kiosk printed while offline, as it reports it."""

    lease: str
    service: str
    number: int
    issued_at: datetime
    priority_category: str | None = None
    language: str = "id"
    #: The unanswered ``issue_ticket`` transaction this ticket replaces, if any.
    replaces: str | None = None


@dataclass(frozen=True)
class SyncOutcome:
    """What became of one offline ticket: in the queue (label, token) or refused."""

    lease: str
    number: int
    label: str | None = None
    token: str | None = None
    error: DomainError | None = None


#: Leased, not yet synced numbers one kiosk may hold per service and office day.
DEFAULT_LEASE_CAP = 100
#: A kiosk holds at most 1/QUOTA_SHARE of a quota in unsynced leased numbers.
QUOTA_SHARE = 10


class OfflineIssuing(UseCases):
    """Leases number blocks and accepts the tickets issued from them."""

    def __init__(self, *, lease_cap: int = DEFAULT_LEASE_CAP, **collaborators: Any) -> None:
        super().__init__(**collaborators)
        self.lease_cap = lease_cap

    def lease(
        self, office: str, device: str, service_code: str, count: int, *, retry_key: RetryKey
    ) -> dict[str, object]:
        """Reserve up to ``count`` numbers of a service for ``device`` today.

        Fewer when the kiosk's lease cap or the quota has fewer left: ``lease_limit`` or
        ``quota_full`` when there are none.
        """
        with self.read() as session:
            earlier = earlier_answer(session, retry_key)
        if earlier is not None:
            return earlier
        try:
            return self._lease(office, device, service_code, count, retry_key=retry_key)
        except IntegrityError:
            # Two copies of one request raced (e.g. a resend handled by another server
            # process); the other committed first: its lease is the answer.
            with self.read() as session:
                earlier = earlier_answer(session, retry_key)
            if earlier is None:
                raise
            return earlier

    def _lease(
        self, office: str, device: str, service_code: str, count: int, *, retry_key: RetryKey
    ) -> dict[str, object]:
        with self.unit() as work:
            snapshot = self.catalog.get(work.session, office)
            service = snapshot.service(service_code)
            if service.kind is ServiceKind.BOOKING_REQUIRED:
                raise OfflineNotAvailable(service=service_names(service))
            active = snapshot.calendar.session_at(work.now, ServiceId(service.id))
            office_day = snapshot.office.office_day(work.now)
            held = _unsynced_numbers(work.session, office, device, service.id, office_day)
            cap = self._cap(service, active)
            count = min(count, cap - held)
            if count < 1:
                raise LeaseLimit(service=service_names(service), limit=cap)
            # A small quota gives a smaller block rather than none.
            left = places_left(work, snapshot, service, active, office_day)
            count = count if left is None else min(count, left)
            if count < 1:
                raise quota_full(service, active)
            take_quota(work, snapshot, service, active, office_day, places=count)
            first, last = reserve_numbers(
                work.session,
                office_id=office,
                series=service.prefix,
                office_day=office_day,
                count=count,
            )
            row = NumberLeaseRow(
                id=secrets.token_hex(8),
                office_id=office,
                device=device,
                service_code=service.id,
                series=service.prefix,
                office_day=office_day,
                first_number=first,
                last_number=last,
                created_at=work.now,
            )
            work.session.add(row)
            answer = _lease_answer(row)
            remember(work, retry_key, office_id=office, action="lease_numbers", response=answer)
        return answer

    def _cap(self, service: Service, active: ActiveSession | None) -> int:
        """The most unsynced leased numbers one kiosk may hold of ``service`` today: the
        configured cap, and a tenth of the quota the tickets count against."""
        _scope, limit = quota_scope(service, active)
        if limit is None:
            return self.lease_cap
        return min(self.lease_cap, max(1, limit // QUOTA_SHARE))

    def sync(self, office: str, device: str, tickets: list[OfflineTicket]) -> list[SyncOutcome]:
        """Queue each ticket by its issue time; a ticket synced before is answered again."""
        return [self._sync_one(office, device, ticket) for ticket in tickets]

    def _sync_one(self, office: str, device: str, ticket: OfflineTicket) -> SyncOutcome:
        try:
            with self.unit() as work:
                return self._accept(work, office, device, ticket)
        except IntegrityError:
            # The same ticket arrived twice at once; the other copy committed it.
            with self.read() as session:
                lease = session.get(NumberLeaseRow, ticket.lease)
                assert lease is not None
                visit = _visit_with_number(session, lease, ticket.number)
                assert visit is not None
                return SyncOutcome(ticket.lease, ticket.number, visit.label, visit.token)
        except DomainError as error:
            return SyncOutcome(ticket.lease, ticket.number, error=error)

    def _accept(self, work: Unit, office: str, device: str, ticket: OfflineTicket) -> SyncOutcome:
        snapshot = self.catalog.get(work.session, office)
        lease = _own_lease(work, office, device, ticket)
        existing = _visit_with_number(work.session, lease, ticket.number)
        if existing is not None:
            return SyncOutcome(ticket.lease, ticket.number, existing.label, existing.token)
        if lease.office_day != snapshot.office.office_day(work.now):
            raise LeaseInvalid(lease=ticket.lease)
        service = snapshot.service(lease.service_code)
        if service.kind is ServiceKind.BOOKING_REQUIRED:  # booked since the lease was made
            raise OfflineNotAvailable(service=service_names(service))
        # The kiosk's clock may be off: keep the ticket inside the lease's lifetime.
        queued_at = min(max(ticket.issued_at, lease.created_at), work.now)
        priority = ticket.priority_category in snapshot.office.priority.categories
        request = IssueRequest(
            office=office,
            service=service.id,
            source=TicketSource.KIOSK_OFFLINE,
            priority_category=ticket.priority_category if priority else None,
            language=ticket.language,
        )
        visit = new_visit(
            work,
            service,
            request,
            number=ticket.number,
            office_day=lease.office_day,
            session_code=_session_code(snapshot, service.id, queued_at),
        )
        placement = Placement(service, 0, priority, visit.label, queued_at=queued_at)
        add_waiting_ticket(work, visit, placement, action="issue_offline")
        if ticket.replaces is not None:
            _withdraw_unanswered(work, device, ticket.replaces)
        return SyncOutcome(ticket.lease, ticket.number, visit.label, visit.token)


def _own_lease(work: Unit, office: str, device: str, ticket: OfflineTicket) -> NumberLeaseRow:
    lease = work.session.get(NumberLeaseRow, ticket.lease)
    if (
        lease is None
        or (lease.office_id, lease.device, lease.service_code) != (office, device, ticket.service)
        or not lease.first_number <= ticket.number <= lease.last_number
    ):
        raise LeaseInvalid(lease=ticket.lease)
    return lease


def _withdraw_unanswered(work: Unit, device: str, transaction: str) -> None:
    """Cancel the ticket an unanswered request issued, if nobody has called it yet.

    The kiosk printed an offline ticket instead, so that one is the applicant's; the other
    would only be called and end as a no-show.
    """
    request = work.session.get(KioskRequestRow, transaction)
    if request is None or request.device != device or request.action != "issue_ticket":
        return
    ticket = work.session.get(TicketRow, request.response.get("ticket_id"))
    if ticket is None or ticket.status != TicketStatus.WAITING.value:
        return
    ticket.status = TicketStatus.CANCELLED.value
    visit = work.session.get(VisitRow, ticket.visit_id)
    if visit is not None:
        visit.ended_at = work.now
    record_change(
        work, ticket, action="withdraw_unanswered", previous=TicketStatus.WAITING, user_id=None
    )


def unsynced_leases(session: Session, office: str, device: str, office_day: date) -> dict[str, int]:
    """Per service, the numbers leased to ``device`` on ``office_day`` that no synced
    ticket used (services with none left out)."""
    services = session.scalars(
        select(NumberLeaseRow.service_code)
        .where(
            NumberLeaseRow.office_id == office,
            NumberLeaseRow.device == device,
            NumberLeaseRow.office_day == office_day,
        )
        .distinct()
    ).all()
    held = {
        service: _unsynced_numbers(session, office, device, service, office_day)
        for service in sorted(services)
    }
    return {service: count for service, count in held.items() if count > 0}


def _unsynced_numbers(
    session: Session, office: str, device: str, service: str, office_day: date
) -> int:
    """Numbers leased to ``device`` for ``service`` today that no synced ticket used."""
    leases = session.scalars(
        select(NumberLeaseRow).where(
            NumberLeaseRow.office_id == office,
            NumberLeaseRow.device == device,
            NumberLeaseRow.service_code == service,
            NumberLeaseRow.office_day == office_day,
        )
    ).all()
    if not leases:
        return 0
    leased = sum(lease.last_number - lease.first_number + 1 for lease in leases)
    used = session.scalar(
        select(func.count())
        .select_from(VisitRow)
        .where(
            VisitRow.office_id == office,
            VisitRow.office_day == office_day,
            or_(
                *(
                    and_(
                        VisitRow.series == lease.series,
                        VisitRow.number.between(lease.first_number, lease.last_number),
                    )
                    for lease in leases
                )
            ),
        )
    )
    return leased - int(used or 0)


def _visit_with_number(session: Session, lease: NumberLeaseRow, number: int) -> VisitRow | None:
    query = select(VisitRow).where(
        VisitRow.office_id == lease.office_id,
        VisitRow.office_day == lease.office_day,
        VisitRow.series == lease.series,
        VisitRow.number == number,
    )
    return session.scalars(query).one_or_none()


def _session_code(snapshot: OfficeSnapshot, service: str, moment: datetime) -> str:
    active = snapshot.calendar.session_at(moment, ServiceId(service))
    return active.code if active else "offline"


def _lease_answer(row: NumberLeaseRow) -> dict[str, object]:
    return {
        "lease": row.id,
        "service": row.service_code,
        "prefix": row.series,
        "office_day": row.office_day.isoformat(),
        "first_number": row.first_number,
        "last_number": row.last_number,
        "first_label": format_number(row.series, row.first_number),
        "last_label": format_number(row.series, row.last_number),
    }
