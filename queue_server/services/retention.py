"""Personal data is kept for a limited time: :meth:`RetentionService.purge` clears it.

A visit keeps the applicant's phone number, the keyed NIK hash with its last four digits
and the booking reference only while they serve the visit. After the retention period
(``ANTRE_RETENTION_DAYS``) those fields are cleared; the visit, its tickets, events and
ratings stay for the statistics, without anything that names a person. Older imported
bookings, stored kiosk answers (kept for retries only) and the addresses in the audit log
go too, as do the addresses users signed in from (kept against lockouts), and officers'
parking notes (free text) are cleared. A passport-ready record goes once its passport was
handed over longer ago than the period (a passport still waiting for its owner stays).
Drive-thru lane arrivals (application numbers) older than the period are deleted (the lane
report then covers the days that remain), settled notifications too; "number near"
requests go as soon as their ticket ended or their office day is past. The server's daily
purge and ``antre purge`` both run :meth:`RetentionService.purge`: one place for all of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, or_, select, update
from sqlalchemy.orm import Session

from queue_server.notify import queue as notify_queue
from queue_server.persistence.models import (
    AuditLogRow,
    BookingRow,
    DriveThruArrivalRow,
    KioskRequestRow,
    NotificationRow,
    PassportReadyRow,
    RegistrationRow,
    TicketAlertRow,
    TicketRow,
    VisitRow,
)
from queue_server.services.notifications import stale_alerts
from queue_server.services.sign_in_guards import forget_addresses
from queue_server.services.unit import Actor, UseCases

PERSONAL_VISIT_FIELDS = (
    "phone",
    "nik_hash",
    "nik_last4",
    "passport_hash",
    "passport_last4",
    "booking_ref",
    "application_no",
)


@dataclass(frozen=True)
class PurgeReport:
    """How many rows a purge cleared (or would clear, on a dry run)."""

    visits: int
    bookings: int
    kiosk_answers: int
    audit_addresses: int
    #: User names whose known sign-in addresses were cleared (see sign_in_guards).
    sign_in_addresses: int = 0
    #: Passport-ready records of passports handed over before the cutoff.
    passports_handed_over: int = 0
    #: Drive-thru lane arrivals (application numbers) of cars that arrived before the cutoff.
    drive_thru_arrivals: int = 0
    #: "Number near" requests (phone numbers) of ended tickets or past office days.
    number_near_requests: int = 0
    #: Notifications sent or failed for good before the cutoff.
    notifications_settled: int = 0
    #: Remote registrations made before the cutoff whose phone hash was cleared.
    registration_phones: int = 0


def purge_summary(report: PurgeReport) -> str:
    """What a purge cleared besides visits, for the log and ``antre purge``."""
    return (
        f"{report.bookings} bookings, "
        f"{report.kiosk_answers} kiosk answers, {report.audit_addresses} audit addresses, "
        f"{report.sign_in_addresses} users' sign-in addresses, "
        f"{report.passports_handed_over} passport-ready records of handed-over passports, "
        f"{report.drive_thru_arrivals} drive-thru arrivals, "
        f"{report.number_near_requests} number-near requests, "
        f"{report.notifications_settled} settled notifications, "
        f"{report.registration_phones} registrations' phone hashes"
    )


class RetentionService(UseCases):
    def purge(self, older_than_days: int, *, dry_run: bool = False, actor: Actor) -> PurgeReport:
        """Clear the personal data recorded more than ``older_than_days`` days ago.

        Idempotent: a second run finds nothing to clear. ``dry_run`` only counts.
        """
        if older_than_days < 1:
            raise ValueError("the retention period is at least one day")
        cutoff = self.clock() - timedelta(days=older_than_days)
        if dry_run:
            with self.read() as session:
                return _count(session, cutoff, self._alerts(session))
        with self.unit() as work:
            report = _count(work.session, cutoff, self._alerts(work.session))
            _clear(work.session, cutoff, self._alerts(work.session))
            work.audit(
                actor,
                "data.purge",
                office_id=None,
                target=None,
                older_than_days=older_than_days,
                visits=report.visits,
            )
            return report

    def _alerts(self, session: Session) -> list[int]:
        return stale_alerts(session, self.catalog, self.clock())


def _personal_visits(cutoff: datetime) -> ColumnElement[bool]:
    return and_(
        VisitRow.created_at < cutoff,
        or_(*(getattr(VisitRow, name).is_not(None) for name in PERSONAL_VISIT_FIELDS)),
    )


def _settled(cutoff: datetime) -> ColumnElement[bool]:
    return and_(
        NotificationRow.status.in_((notify_queue.SENT, notify_queue.FAILED)),
        NotificationRow.settled_at < cutoff,
    )


def _count(session: Session, cutoff: datetime, alerts: list[int]) -> PurgeReport:
    def count(table: type[Any], *conditions: ColumnElement[bool]) -> int:
        return int(session.scalar(select(func.count()).select_from(table).where(*conditions)) or 0)

    return PurgeReport(
        visits=count(VisitRow, _personal_visits(cutoff)),
        bookings=count(BookingRow, BookingRow.slot_at < cutoff),
        kiosk_answers=count(KioskRequestRow, KioskRequestRow.created_at < cutoff),
        audit_addresses=count(
            AuditLogRow, AuditLogRow.at < cutoff, AuditLogRow.remote_addr.is_not(None)
        ),
        sign_in_addresses=forget_addresses(session, cutoff, count_only=True),
        passports_handed_over=count(PassportReadyRow, PassportReadyRow.handed_over_at < cutoff),
        drive_thru_arrivals=count(DriveThruArrivalRow, DriveThruArrivalRow.arrived_at < cutoff),
        number_near_requests=len(alerts),
        notifications_settled=count(NotificationRow, _settled(cutoff)),
        registration_phones=count(
            RegistrationRow,
            RegistrationRow.created_at < cutoff,
            RegistrationRow.phone_hash.is_not(None),
        ),
    )


def _clear(session: Session, cutoff: datetime, alerts: list[int]) -> None:
    old_visits = select(VisitRow.id).where(VisitRow.created_at < cutoff)
    session.execute(
        update(TicketRow)
        .where(TicketRow.visit_id.in_(old_visits), TicketRow.park_note.is_not(None))
        .values(park_note=None)
    )
    session.execute(
        update(VisitRow)
        .where(_personal_visits(cutoff))
        .values(dict.fromkeys(PERSONAL_VISIT_FIELDS))
    )
    session.execute(delete(BookingRow).where(BookingRow.slot_at < cutoff))
    session.execute(delete(KioskRequestRow).where(KioskRequestRow.created_at < cutoff))
    session.execute(
        update(AuditLogRow)
        .where(AuditLogRow.at < cutoff, AuditLogRow.remote_addr.is_not(None))
        .values(remote_addr=None)
    )
    forget_addresses(session, cutoff)
    session.execute(delete(PassportReadyRow).where(PassportReadyRow.handed_over_at < cutoff))
    session.execute(  # a remote registration's phone hash (issue 12): kept for its day only
        update(RegistrationRow)
        .where(RegistrationRow.created_at < cutoff, RegistrationRow.phone_hash.is_not(None))
        .values(phone_hash=None)
    )
    session.execute(delete(DriveThruArrivalRow).where(DriveThruArrivalRow.arrived_at < cutoff))
    if alerts:
        session.execute(delete(TicketAlertRow).where(TicketAlertRow.ticket_id.in_(alerts)))
    notify_queue.prune(session, settled_before=cutoff)
